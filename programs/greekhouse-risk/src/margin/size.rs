//! IM's size charge (docs/risk-model.md 6.10).
//!
//! The box and the tail price a book as if it could be closed at the stressed marks. A book
//! larger than what liquidators can absorb in one auction cannot: the auction has to go
//! deeper, or last longer while the market moves. So IM's add-on of an underlying grows with
//! the account's size there beyond the underlying's stated liquidation capacity `C`:
//!
//! `add-on x (1 + k x (q - C) / C)` for `q > C`, unchanged for `q <= C`,
//!
//! with `q` the account's live short units of the underlying (contracts times contract size:
//! what a liquidator must take over and hedge; longs do not reduce it, a long is sold, not
//! hedged) and `k` the governed charge. The factor's excess is capped at
//! [`MAX_SIZE_FACTOR_EXCESS`], so the charge never overflows however large a book grows. It
//! applies before the payoff cap: a defined-risk book still never needs more than its maximum
//! loss (liquidating it cannot cost more). MM never uses it: the charge keeps a book from
//! growing beyond what can be liquidated, it does not liquidate one that a capacity change
//! left behind. The end level, between MM and IM, carries part of it.

use super::*;

/// The most the charge multiplies an add-on by, less one: 10 (so at most 11 times the add-on).
pub const MAX_SIZE_FACTOR_EXCESS: Fixed = Fixed::from_raw(10 * FIXED_ONE);
/// Hard bound on the charge `k`: 10.
pub const MAX_SIZE_CHARGE: Fixed = Fixed::from_raw(10 * FIXED_ONE);

/// The charge's factor less one for `q` short units (raw, 10^-12 units) under `params`:
/// `k (q - C) / C` rounded up, at most [`MAX_SIZE_FACTOR_EXCESS`]; zero when the charge is
/// off (`C` or `k` zero) or `q <= C`. Public: the SDK and CLI report it.
pub fn size_factor_excess(params: &MarginParams, q: u128) -> RiskResult<Fixed> {
    let (cap, k) = (params.size_capacity, params.size_charge);
    if !cap.is_positive() || !k.is_positive() {
        return Ok(Fixed::ZERO);
    }
    let c = cap.raw() as u128;
    if q <= c {
        return Ok(Fixed::ZERO);
    }
    // (q - C) / C, rounded up; beyond the cap's reach the division need not be exact
    let ratio_cap = MAX_SIZE_FACTOR_EXCESS
        .checked_div(k, Rounding::Up)?
        .raw()
        .unsigned_abs();
    let excess = q - c;
    let ratio = match i128::try_from(excess) {
        Ok(e) => Fixed::from_ratio(e, cap.raw(), Rounding::Up).ok(),
        Err(_) => None,
    };
    let ratio = match ratio {
        Some(r) if r.raw().unsigned_abs() < ratio_cap => r,
        _ => return Ok(MAX_SIZE_FACTOR_EXCESS),
    };
    Ok(ratio
        .checked_mul(k, Rounding::Up)?
        .min_of(MAX_SIZE_FACTOR_EXCESS))
}

/// IM's add-on (raw) with the size charge for `q` live short units (raw, the aggregation's
/// sum): `addon x (1 + excess)`, rounded up. A non-positive add-on is returned as it is.
pub(super) fn size_charged(addon: i128, params: &MarginParams, q: u128) -> RiskResult<i128> {
    if addon <= 0 || !params.size_capacity.is_positive() {
        return Ok(addon);
    }
    let excess = size_factor_excess(params, q)?;
    if !excess.is_positive() {
        return Ok(addon);
    }
    let charge = Fixed::from_raw(addon).checked_mul(excess, Rounding::Up)?;
    addon.checked_add(charge.raw()).ok_or(RiskError::Overflow)
}
