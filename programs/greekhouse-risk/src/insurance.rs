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

/// Decimal digits a rebase of a wiped fund (balance zero) removes from every share count:
/// `10^20` exceeds every `u64`, so each old share, and the sum of them, becomes zero.
pub const WIPE_REBASE_DIGITS: u32 = 20;

/// `floor(shares / 10^digits)`: a share count after a rebase by `digits` (zero from 20 digits
/// on). Applied to the fund's total and to each stake alike, so the stakes' sum never exceeds
/// the total (a sum of floors is at most the floor of the sum).
pub fn rebase_shares(shares: u64, digits: u32) -> u64 {
    match 10u64.checked_pow(digits) {
        Some(p) => shares / p,
        None => 0,
    }
}

/// A backstop price quoted per share at base `from` (quote native per share, exponent 12),
/// per share at base `to`: one share at base `b + d` is `10^d` shares at base `b`. Rounded up
/// (a buyer gets fewer shares); `None` when it leaves `u64` (the shares it was quoted in were
/// wiped: their price means nothing for today's shares).
pub fn price_at_base(price: u64, from: u32, to: u32) -> Option<u64> {
    if to >= from {
        10u64
            .checked_pow(to - from)
            .and_then(|p| price.checked_mul(p))
    } else {
        let p = 10u128.checked_pow(from - to)?;
        Some(u64::try_from((price as u128).div_ceil(p).max(1)).ok()?)
    }
}

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

    /// The rebase (decimal digits) the fund needs before it mints shares; zero for none.
    ///
    /// - A wiped fund (balance zero, shares outstanding): [`WIPE_REBASE_DIGITS`], so its old
    ///   shares are worth exactly nothing and cannot dilute new money.
    /// - A fund whose share value fell below the initial `V_Q / V_S` (shares above
    ///   `cap = V_S * (fund + V_Q)`): the fewest digits that bring the shares to at most `cap`.
    ///   They end in `[floor(cap / 10), cap]`, so a share is worth between the initial price
    ///   and ten times it and a stake mints at most `1,500` shares per quote unit (a new fund
    ///   mints `1,000`): any stake the fund's `u64` balance can take up to about
    ///   `u64::MAX / 2,000` fits. The virtual shares then own at most
    ///   `V_S / (cap / 10 + V_S)` of the fund, under 10 quote units: the most the stakers lose
    ///   to a rebase, besides each stake's rounding down (under one share, worth at most a
    ///   hundredth of a unit).
    pub fn rebase_digits(&self) -> u32 {
        if self.total_shares == 0 {
            return 0;
        }
        if self.fund == 0 {
            return WIPE_REBASE_DIGITS;
        }
        let cap = VIRTUAL_SHARES * (self.fund as u128 + VIRTUAL_QUOTE);
        let mut s = self.total_shares as u128;
        let mut digits = 0;
        while s > cap {
            s /= 10;
            digits += 1;
        }
        digits
    }

    /// The fund after a rebase by `digits`.
    pub fn rebased(&self, digits: u32) -> FundShares {
        FundShares {
            fund: self.fund,
            total_shares: rebase_shares(self.total_shares, digits),
        }
    }

    /// A backstop auction's starting price as recorded at settlement: the share value of the
    /// fund after the rebase it needs ([`Self::rebase_digits`]), so a wiped or nearly wiped
    /// fund does not quote a price of one raw unit; returned with that rebase's digits (the
    /// price is per share at the fund's base plus them).
    pub fn backstop_start(&self) -> RiskResult<(u64, u32)> {
        let digits = self.rebase_digits();
        Ok((self.rebased(digits).price_per_share()?, digits))
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

    #[test]
    fn a_wiped_fund_rebases_its_shares_to_nothing() {
        let wiped = FundShares {
            fund: 0,
            total_shares: 10_000_000_000_000,
        };
        assert_eq!(wiped.rebase_digits(), WIPE_REBASE_DIGITS);
        let after = wiped.rebased(WIPE_REBASE_DIGITS);
        assert_eq!(after.total_shares, 0);
        assert_eq!(rebase_shares(u64::MAX, WIPE_REBASE_DIGITS), 0);
        // priced like a new fund again: any stake within its range, worth what it paid
        for amount in [1, 1_000_000, 10u64.pow(16)] {
            let n = after.shares_for_stake(amount).unwrap();
            assert_eq!(n, amount * VIRTUAL_SHARES as u64);
        }
        // and the backstop's start is a new fund's share value, not one raw unit
        assert_eq!(wiped.price_per_share(), Ok(1));
        assert_eq!(
            wiped.backstop_start(),
            Ok((1_000_000_000, WIPE_REBASE_DIGITS))
        );
        // an empty fund needs no rebase
        let empty = FundShares {
            fund: 0,
            total_shares: 0,
        };
        assert_eq!(empty.rebase_digits(), 0);
    }

    #[test]
    fn a_fund_rebases_when_its_share_value_fell_below_the_initial_one() {
        // 10,000 USDC staked at the initial price: 10^13 shares
        let f = |fund| FundShares {
            fund,
            total_shares: 10_000_000_000_000,
        };
        assert_eq!(f(10_000_000_000).rebase_digits(), 0);
        assert_eq!(f(20_000_000_000).rebase_digits(), 0);
        // a tenth lost: one digit, a share then worth about nine times the initial price
        assert_eq!(f(9_000_000_000).rebase_digits(), 1);
        assert_eq!(f(1_000_000_000).rebase_digits(), 1);
        // down to 1 unit: 10 digits, 1,000 shares left for value 2 (with V_Q)
        assert_eq!(f(1).rebase_digits(), 10);
        assert_eq!(f(1).rebased(10).total_shares, 1_000);
        // down to a millionth: 6 digits
        assert_eq!(f(10_000).rebase_digits(), 6);
        assert_eq!(f(10_000).rebased(6).total_shares, 10_000_000);
    }

    #[test]
    fn prices_move_between_bases() {
        assert_eq!(price_at_base(1_000, 3, 5), Some(100_000));
        assert_eq!(price_at_base(1_001, 5, 3), Some(11));
        assert_eq!(price_at_base(5, 5, 0), Some(1));
        assert_eq!(price_at_base(1_000_000_000, 0, 20), None);
        assert_eq!(price_at_base(1_000_000_000, 0, 11), None);
        assert_eq!(price_at_base(7, 4, 4), Some(7));
    }

    use proptest::prelude::*;

    fn shares_worth(f: &FundShares, shares: u64) -> u128 {
        // exact value as a fraction: shares * (fund + V_Q) / (S + V_S)
        shares as u128 * (f.fund as u128 + VIRTUAL_QUOTE)
            / (f.total_shares as u128 + VIRTUAL_SHARES)
    }

    proptest! {
        /// After the rebase a fund needs, a stake of any amount its balance can still take
        /// (up to the share range of a new fund) mints shares within u64, worth what it paid
        /// less at most 2 units, and the old shares gain nothing from it.
        #[test]
        fn after_any_loss_new_stakes_are_priced_at_the_funds_value(
            staked in 1u64..=10u64.pow(15),
            kept_ppm in prop_oneof![Just(0u64), Just(1), 0u64..=1_000_000],
            amount_exp in 0u32..=16,
            amount_mant in 1u64..=9,
        ) {
            let s0 = FundShares { fund: 0, total_shares: 0 }.shares_for_stake(staked).unwrap();
            let fund = (staked as u128 * kept_ppm as u128 / 1_000_000) as u64;
            let lost = FundShares { fund, total_shares: s0 };
            let d = lost.rebase_digits();
            let f = lost.rebased(d);
            // the rebase leaves a share worth between the initial price and ten times it
            if d > 0 && fund > 0 {
                prop_assert!(f.total_shares as u128 <= VIRTUAL_SHARES * (fund as u128 + 1));
                prop_assert!(f.total_shares as u128 * 10 + 10 >= VIRTUAL_SHARES * (fund as u128 + 1));
                // the stakers lose less than 10 units to the virtual shares, plus rounding
                prop_assert!(shares_worth(&f, f.total_shares) + 11 >= shares_worth(&lost, lost.total_shares));
            }
            if fund == 0 {
                prop_assert_eq!(f.total_shares, 0);
            }
            let amount = (amount_mant * 10u64.pow(amount_exp)).min(u64::MAX / 2_000 - fund);
            let n = f.shares_for_stake(amount).unwrap();
            prop_assert!(f.total_shares.checked_add(n).is_some());
            let after = FundShares { fund: fund + amount, total_shares: f.total_shares + n };
            let v = after.value_of(n).unwrap();
            prop_assert!(v <= amount);
            prop_assert!(v + 2 >= amount, "{} for {}", v, amount);
            let old = after.value_of(f.total_shares).unwrap();
            prop_assert!(old <= fund);
        }

        /// Rebasing each stake on its own never sums to more than the rebased total.
        #[test]
        fn rebased_stakes_never_exceed_the_rebased_total(
            stakes in proptest::collection::vec(0u64..=u64::MAX / 8, 1..8),
            digits in 0u32..=21,
        ) {
            let total: u64 = stakes.iter().sum();
            let sum: u64 = stakes.iter().map(|s| rebase_shares(*s, digits)).sum();
            prop_assert!(sum <= rebase_shares(total, digits));
        }
    }
}
