//! Settlement arithmetic (docs/settlement.md), pure so the SDK and the simulator compute the
//! same numbers: the per-contract payout and obligation from the settlement price (exact
//! integers from the oracle's mantissa and exponent), the fund's cover of unbacked contracts,
//! the backstop's falling share price, and the final payout after a shortfall.

use crate::prelude::*;

use crate::engine::safe_math::Cast;
use crate::errors::GreekhouseError;
use crate::state::{OptionSeries, SeriesStatus, SettlementParams};

fn overflow() -> Error {
    error!(GreekhouseError::MathOverflow)
}

/// Per-contract amounts of a settled series (quote native units).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContractAmounts {
    /// What a holder is owed per contract: `floor(contract_size * intrinsic / 10^6)`.
    pub payout: u64,
    /// What a writer owes per contract: `ceil(contract_size * intrinsic / 10^6)`.
    pub obligation: u64,
}

/// Intrinsic value per contract of an option with `strike` (quote native per whole underlying
/// unit) and `contract_size` (underlying units at exponent 6) at the settlement price
/// `price * 10^expo` (quote per underlying, in whole units), with `quote_decimals`. Exact:
/// `payout` is the exact value rounded down, `obligation` rounded up.
pub fn contract_amounts(
    kind: u8,
    strike: u64,
    contract_size: u64,
    price: i64,
    expo: i32,
    quote_decimals: u8,
) -> Result<ContractAmounts> {
    require!(price > 0, GreekhouseError::OracleNonPositivePrice);
    // spot in quote native per whole unit = price * 10^e
    let e = expo + i32::from(quote_decimals);
    // value = (spot - strike) * size / 10^6 as num / den
    let (spot_num, scale) = if e >= 0 {
        let f = greekhouse_risk::fixed::pow10(e.unsigned_abs()).ok_or_else(overflow)?;
        (
            i128::from(price).checked_mul(f).ok_or_else(overflow)?,
            1i128,
        )
    } else {
        let f = greekhouse_risk::fixed::pow10(e.unsigned_abs()).ok_or_else(overflow)?;
        (i128::from(price), f)
    };
    let strike_num = i128::from(strike).checked_mul(scale).ok_or_else(overflow)?;
    let intrinsic_num = match kind {
        0 => (spot_num - strike_num).max(0),
        1 => (strike_num - spot_num).max(0),
        _ => return err!(GreekhouseError::InvalidOptionKind),
    };
    let num = intrinsic_num
        .checked_mul(i128::from(contract_size))
        .ok_or_else(overflow)?;
    let den = scale.checked_mul(1_000_000).ok_or_else(overflow)?;
    let floor = num / den;
    let ceil = floor + i128::from(num % den != 0);
    Ok(ContractAmounts {
        payout: u64::try_from(floor).map_err(|_| overflow())?,
        obligation: u64::try_from(ceil).map_err(|_| overflow())?,
    })
}

/// What the insurance fund puts in for `unbacked` contracts at settlement: what their payout
/// needs beyond the bankrupt writers' cover, as far as the fund holds quote.
pub fn fund_cover(unbacked: u64, payout: u64, cover: u64, fund: u64) -> Result<u64> {
    let need = u128::from(unbacked)
        .checked_mul(u128::from(payout))
        .ok_or_else(overflow)?
        .saturating_sub(u128::from(cover));
    // at most `fund`: the cast never fails
    need.min(u128::from(fund)).cast::<u64>()
}

/// What the holders of `outstanding` tokens are owed in all, less what the ledger holds.
pub fn shortfall(outstanding: u64, payout: u64, ledger: u64) -> Result<u64> {
    let owed = u128::from(outstanding)
        .checked_mul(u128::from(payout))
        .ok_or_else(overflow)?;
    // saturates at `u64::MAX`, as before
    Ok(u64::try_from(owed.saturating_sub(u128::from(ledger))).unwrap_or(u64::MAX))
}

/// The backstop's share price at `now` (quote native per share, exponent 12): linear from
/// `start_price` at `start` to `start_price * min_price_bps / 10^4` at `start + window`,
/// rounded up (a buyer gets fewer shares). `None` once the window has closed.
pub fn backstop_price(
    params: &SettlementParams,
    start: i64,
    start_price: u64,
    now: i64,
) -> Result<Option<u64>> {
    let window = i128::from(params.backstop_window_secs);
    let t = (i128::from(now) - i128::from(start)).max(0);
    if t > window {
        return Ok(None);
    }
    let start_p = u128::from(start_price);
    let end_p = start_p * u128::from(params.backstop_min_price_bps) / 10_000;
    // 0 <= t <= window here: the casts never fail
    let drop = (start_p - end_p) * t.cast::<u128>()?;
    // price = start - drop / window, rounded up: subtract the floor of the drop
    let price = start_p - drop / window.cast::<u128>()?;
    Ok(Some(u64::try_from(price.max(1)).map_err(|_| overflow())?))
}

/// The final payout per contract: `min(payout, floor(ledger / outstanding))` (`payout` when no
/// token is outstanding).
pub fn final_payout(payout: u64, ledger: u64, outstanding: u64) -> u64 {
    match ledger.checked_div(outstanding) {
        Some(per_token) => payout.min(per_token),
        None => payout,
    }
}

/// A finalized series' dust: what its ledger holds beyond the final payout of the `claims` still
/// held (the tokens that exist and the longs in custody; rounding, surplus cover, the payout of
/// tokens burned outside the program and of forfeited longs). `None` when the ledger holds less
/// (never, by the final payout's rounding).
pub fn series_dust(ledger: u64, claims: u64, payout_final: u64) -> Option<u64> {
    let backing = u128::from(claims).checked_mul(u128::from(payout_final))?;
    u64::try_from(u128::from(ledger).checked_sub(backing)?).ok()
}

/// The haircut in bps, rounded up: `1 - payout_final / payout` (at most 10^4, so the cast
/// never fails).
pub fn haircut_bps(payout: u64, payout_final: u64) -> Result<u32> {
    if payout == 0 || payout_final >= payout {
        return Ok(0);
    }
    let lost = u128::from(payout - payout_final) * 10_000;
    lost.div_ceil(u128::from(payout)).cast::<u32>()
}

/// The settlement price in quote native units per whole underlying unit, rounded down
/// (reporting; the payouts are computed exactly from the oracle's mantissa and exponent).
pub fn settlement_price_native(price: i64, expo: i32, quote_decimals: u8) -> Result<u64> {
    let e = expo
        .checked_add(i32::from(quote_decimals))
        .ok_or(GreekhouseError::MathOverflow)?;
    let scale = crate::engine::safe_math::pow10(e.unsigned_abs())?;
    let v = if e >= 0 {
        i128::from(price).checked_mul(scale)
    } else {
        Some(i128::from(price) / scale)
    }
    .ok_or(GreekhouseError::MathOverflow)?;
    u64::try_from(v).map_err(|_| error!(GreekhouseError::MathOverflow))
}

/// Checks shared by `open_backstop` and `finalize_series`: every short settled or unbacked, no open debt.
pub fn require_fully_settled(s: &OptionSeries) -> Result<()> {
    require!(s.is_settled(), GreekhouseError::SeriesNotSettled);
    require!(
        s.status != SeriesStatus::Finalized as u8,
        GreekhouseError::SeriesAlreadyFinalized
    );
    require!(
        s.shorts_to_settle == 0,
        GreekhouseError::SeriesHasUnsettledShorts
    );
    require!(s.open_debts == 0, GreekhouseError::SeriesHasOpenDebts);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payouts_are_exact_and_round_each_way() {
        // SOL 180.5 (expo -8), call 150, one SOL per contract, USDC 6 decimals
        let a = contract_amounts(0, 150_000_000, 1_000_000, 18_050_000_000, -8, 6).unwrap();
        assert_eq!(
            a,
            ContractAmounts {
                payout: 30_500_000,
                obligation: 30_500_000
            }
        );
        // a put out of the money pays nothing
        let b = contract_amounts(1, 150_000_000, 1_000_000, 18_050_000_000, -8, 6).unwrap();
        assert_eq!(
            b,
            ContractAmounts {
                payout: 0,
                obligation: 0
            }
        );
        // a price with more digits than the quote: the two roundings differ by one unit
        let c = contract_amounts(1, 150_000_000, 1_000_000, 14_999_999_999, -10, 6).unwrap();
        assert_eq!(c.payout + 1, c.obligation);
        assert_eq!(c.obligation, 150_000_000 - 1_499_999);
    }

    #[test]
    fn backstop_price_falls_to_its_floor_then_closes() {
        let p = SettlementParams::DEFAULT;
        assert_eq!(
            backstop_price(&p, 100, 1_000_000, 100).unwrap(),
            Some(1_000_000)
        );
        assert_eq!(
            backstop_price(&p, 100, 1_000_000, 100 + 43_200).unwrap(),
            Some(550_000)
        );
        assert_eq!(
            backstop_price(&p, 100, 1_000_000, 100 + 86_400).unwrap(),
            Some(100_000)
        );
        assert_eq!(
            backstop_price(&p, 100, 1_000_000, 100 + 86_401).unwrap(),
            None
        );
    }

    #[test]
    fn final_payout_and_haircut() {
        assert_eq!(final_payout(100, 1_000, 10), 100);
        assert_eq!(final_payout(100, 955, 10), 95);
        assert_eq!(haircut_bps(100, 95).unwrap(), 500);
        assert_eq!(haircut_bps(3, 2).unwrap(), 3_334);
        assert_eq!(fund_cover(10, 100, 300, 500).unwrap(), 500);
        assert_eq!(fund_cover(10, 100, 300, 10_000).unwrap(), 700);
        assert_eq!(shortfall(10, 100, 955).unwrap(), 45);
    }
}
