//! Share accounting of the insurance fund (docs/protocol.md section 8).
//!
//! The fund's value is its quote ledger (`fund`), never its vault's token balance, so tokens
//! sent straight to the vault do not move the share price. Shares are priced with virtual
//! offsets ([`VIRTUAL_SHARES`], [`VIRTUAL_QUOTE`]): a first staker cannot be robbed by someone
//! who stakes one unit and then inflates the share price with a donation, because the virtual
//! shares keep their part of any donation (half of it against a one-unit first stake, which
//! mints exactly [`VIRTUAL_SHARES`] shares) and the attacker loses more than
//! [`VIRTUAL_SHARES`] times what a later staker can lose to rounding. Every amount paid out or
//! minted is rounded down.
//!
//! `VIRTUAL_SHARES` is `10^3`, not the `10^6` of docs/protocol.md section 8: shares are `u64`
//! and the initial price is `1 / VIRTUAL_SHARES` quote unit per share, so `10^6` would cap the
//! shares' total at about 1.8e13 quote native units (18 million USDC) of stakes at that price;
//! `10^3` allows about 18 billion.
//!
//! Amounts are quote native units (`u64`); shares are `u64`.

use crate::wide;
use crate::{RiskError, RiskResult};

/// Virtual shares added to the supply in every price.
pub const VIRTUAL_SHARES: u128 = 1_000;
/// Virtual quote (native units) added to the fund in every price.
pub const VIRTUAL_QUOTE: u128 = 1;

/// The fund's state as share pricing sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FundShares {
    /// Quote the fund holds (its ledger balance).
    pub fund: u64,
    /// Shares outstanding, including shares with a pending unstake request.
    pub total_shares: u64,
}

/// `floor(a * b / c)` as a `u64`: the product exact in 256 bits (so no intermediate overflow
/// for any `u64`-sized operands), `Overflow` when the quotient leaves `u64`.
fn mul_div_floor(a: u128, b: u128, c: u128) -> RiskResult<u64> {
    if c == 0 {
        return Err(RiskError::DivisionByZero);
    }
    let (q, _) = wide::div_256_by_128(&wide::mul_128x128(a, b), c).ok_or(RiskError::Overflow)?;
    u64::try_from(q).map_err(|_| RiskError::Overflow)
}

impl FundShares {
    /// Shares minted for a stake of `amount`: `floor(amount * (S + V_S) / (fund + V_Q))`.
    pub fn shares_for_stake(&self, amount: u64) -> RiskResult<u64> {
        mul_div_floor(
            amount as u128,
            self.total_shares as u128 + VIRTUAL_SHARES,
            self.fund as u128 + VIRTUAL_QUOTE,
        )
    }

    /// Quote value of `shares`: `floor(shares * (fund + V_Q) / (S + V_S))`.
    pub fn value_of(&self, shares: u64) -> RiskResult<u64> {
        if shares > self.total_shares {
            return Err(RiskError::Overflow);
        }
        mul_div_floor(
            shares as u128,
            self.fund as u128 + VIRTUAL_QUOTE,
            self.total_shares as u128 + VIRTUAL_SHARES,
        )
    }

    /// What an unstake of `shares` requested when they were worth `value_at_request` pays now:
    /// the lower of that value and their value now, so a staker who saw a loss coming cannot
    /// leave before it lands, and earns nothing after the request. Never more than the fund.
    pub fn unstake_payout(&self, shares: u64, value_at_request: u64) -> RiskResult<u64> {
        Ok(self.value_of(shares)?.min(value_at_request).min(self.fund))
    }

    /// The value of one share, quote native per share at exponent 12, rounded up: a backstop
    /// auction's starting price (a buyer gets fewer shares).
    pub fn price_per_share(&self) -> RiskResult<u64> {
        let num = (self.fund as u128 + VIRTUAL_QUOTE) * crate::fixed::FIXED_ONE as u128;
        let den = self.total_shares as u128 + VIRTUAL_SHARES;
        u64::try_from(num.div_ceil(den)).map_err(|_| RiskError::Overflow)
    }

    /// Shares minted for `amount` of quote at a price of `price_num / price_den` quote per
    /// share (a backstop auction), rounded down.
    pub fn shares_at_price(amount: u64, price_num: u128, price_den: u128) -> RiskResult<u64> {
        mul_div_floor(amount as u128, price_den, price_num)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_stake_and_value() {
        let empty = FundShares {
            fund: 0,
            total_shares: 0,
        };
        let s = empty.shares_for_stake(1_000_000).unwrap();
        assert_eq!(s, 1_000_000_000);
        let after = FundShares {
            fund: 1_000_000,
            total_shares: s,
        };
        // one unit of rounding at most, in the fund's favour
        let v = after.value_of(s).unwrap();
        assert!((999_999..=1_000_000).contains(&v), "{v}");
    }

    #[test]
    fn donation_attack_is_unprofitable() {
        // attacker stakes 1 unit, donates 10^9, victim stakes 10^9
        let a = FundShares {
            fund: 0,
            total_shares: 0,
        }
        .shares_for_stake(1)
        .unwrap();
        let f = FundShares {
            fund: 1 + 1_000_000_000,
            total_shares: a,
        };
        let v = f.shares_for_stake(1_000_000_000).unwrap();
        assert!(v > 0);
        let g = FundShares {
            fund: f.fund + 1_000_000_000,
            total_shares: a + v,
        };
        let attacker = g.value_of(a).unwrap();
        let victim = g.value_of(v).unwrap();
        // the attacker's 1-unit stake holds V_S shares, as many as the virtual ones, so the
        // virtual shares keep about half of its donation (500_125_031 of 1_000_000_001 comes
        // back); the victim loses 250_062 units (0.025 %) to rounding: the attacker loses more
        // than V_S times what the victim loses
        assert_eq!((attacker, victim), (500_125_031, 999_749_938));
        let attacker_loss = (1 + 1_000_000_000) - attacker;
        let victim_loss = 1_000_000_000 - victim;
        assert!(attacker_loss >= VIRTUAL_SHARES as u64 * victim_loss);
        assert!(victim >= 1_000_000_000 - 1_000_000_000 / 1_000, "{victim}");
    }

    #[test]
    fn unstake_pays_the_lower_value() {
        let f = FundShares {
            fund: 900,
            total_shares: 1_000_000,
        };
        assert_eq!(f.unstake_payout(500_000, 500).unwrap(), 450);
        let g = FundShares {
            fund: 2_000,
            total_shares: 1_000_000,
        };
        assert_eq!(g.unstake_payout(500_000, 500).unwrap(), 500);
        assert_eq!(f.value_of(2_000_000), Err(RiskError::Overflow));
        // a request above the value now pays the value now: floor(10^6 * 901 / (10^6 + 10^3))
        assert_eq!(f.unstake_payout(1_000_000, u64::MAX).unwrap(), 900);
    }

    #[test]
    fn large_operands_do_not_overflow_spuriously() {
        // amount * (S + V_S) is above 2^128 but the quotient fits u64
        let f = FundShares {
            fund: u64::MAX - 1,
            total_shares: u64::MAX - 1_000,
        };
        assert_eq!(f.shares_for_stake(u64::MAX), Ok(u64::MAX));
        assert_eq!(f.value_of(u64::MAX - 1_000), Ok(u64::MAX - 1_000));
        // a quotient above u64 is an error, not a wrapped value
        let wiped = FundShares {
            fund: 0,
            total_shares: 1_000_000_000_000_000,
        };
        assert_eq!(wiped.shares_for_stake(1_000_000), Err(RiskError::Overflow));
        assert_eq!(wiped.value_of(1_000_000_000_000_000), Ok(0));
    }

    #[test]
    fn backstop_shares_at_price() {
        // 1,000 quote at 2.5 quote per share: 400 shares
        assert_eq!(FundShares::shares_at_price(1_000, 5, 2), Ok(400));
        // rounded down
        assert_eq!(FundShares::shares_at_price(1_000, 3, 1), Ok(333));
        assert_eq!(
            FundShares::shares_at_price(1_000, 0, 1),
            Err(RiskError::DivisionByZero)
        );
        assert_eq!(
            FundShares::shares_at_price(u64::MAX, 1, 2),
            Err(RiskError::Overflow)
        );
    }
}
