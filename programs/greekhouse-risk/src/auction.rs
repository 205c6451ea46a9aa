//! Dutch auction of a liquidated account (PROTOCOL 5).
//!
//! Fractions are [`Fixed`] in (0, 1]. Times are seconds.
//!
//! The discount curve: `d(t)` rises linearly from `start_discount` to `fast_discount` over the
//! fast phase `[0, F)`, then linearly to 1 over the slow phase `[F, F + S)`, after which it is 1
//! (exhausted). The curve must reach 1 no later than the earliest expiry `E` in the account
//! (measured from the auction start):
//! - `E >= F + S`: nominal curve;
//! - `F <= E < F + S`: the slow phase is compressed to `[F, E)`;
//! - `0 < E < F`: the whole curve is compressed proportionally into `[0, E)` (the fast phase
//!   keeps its share `F / (F + S)` of the curve), so bidders still see the fast-phase prices
//!   first and the discount still reaches 1 exactly at expiry;
//! - `E <= 0` (already expired): the discount is 1.

use crate::fixed::FIXED_ONE;
use crate::wide;
use crate::{Fixed, RiskError, RiskResult};

/// Hard bound on every auction duration: 30 days.
pub const MAX_AUCTION_DURATION_SECS: i64 = 30 * 86_400;

/// Auction curve parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuctionParams {
    /// Discount at the start (default 0).
    pub start_discount: Fixed,
    /// Discount at the end of the fast phase (default 0.20).
    pub fast_discount: Fixed,
    /// Length of the fast phase (default 600 s).
    pub fast_duration_secs: i64,
    /// Length of the slow phase from `fast_discount` to 100 % (compressed to end no later
    /// than the earliest expiry in the account).
    pub slow_duration_secs: i64,
    /// Length of the insolvent phase over which k rises from 0 to 1.
    pub insolvent_duration_secs: i64,
}

/// Where on the curve an auction is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuctionPhase {
    Fast,
    Slow,
    /// Past the slow phase: discount is 100 %.
    Exhausted,
}

impl AuctionParams {
    /// Protocol defaults (PROTOCOL 5): 0 % to 20 % over 10 minutes, then to 100 % over 6 hours;
    /// the insolvent-phase k rises 0 to 1 over 1 hour. Reasoning in `docs/risk-model.md`.
    pub const DEFAULT: AuctionParams = AuctionParams {
        start_discount: Fixed::ZERO,
        fast_discount: Fixed::from_raw(FIXED_ONE / 5),
        fast_duration_secs: 600,
        slow_duration_secs: 6 * 3_600,
        insolvent_duration_secs: 3_600,
    };

    /// `0 <= start <= fast < 1`; every duration in `[1 s, 30 days]`.
    pub fn validate(&self) -> RiskResult<()> {
        let d_ok = |d: i64| (1..=MAX_AUCTION_DURATION_SECS).contains(&d);
        if self.start_discount.is_negative()
            || self.fast_discount < self.start_discount
            || self.fast_discount >= Fixed::ONE
            || !d_ok(self.fast_duration_secs)
            || !d_ok(self.slow_duration_secs)
            || !d_ok(self.insolvent_duration_secs)
        {
            return Err(RiskError::InvalidAuctionParams);
        }
        Ok(())
    }
}

/// `a + (b - a) * num / den` for raw `[a, b, num, den]`, rounded down (`0 <= num <= den`,
/// `den > 0`, `a <= b`).
fn lerp_down(v: &[i128; 4]) -> Fixed {
    let [a, b, num, den] = *v;
    Fixed::from_raw(a + (b - a) * num / den)
}

/// Discount d(t) after `elapsed_secs` since the start; `secs_to_earliest_expiry` is measured from
/// the auction start (None when the account has no position). Rounded down (the bidder's
/// discount is the clearing house's cost... it is the liquidated account's loss; see docs).
///
/// A negative `elapsed_secs` is treated as 0. See the module documentation for the compression
/// of the curve before an expiry.
pub fn discount(
    params: &AuctionParams,
    elapsed_secs: i64,
    secs_to_earliest_expiry: Option<i64>,
) -> RiskResult<(Fixed, AuctionPhase)> {
    params.validate()?;
    let t = elapsed_secs.max(0) as i128;
    let f = params.fast_duration_secs as i128;
    let s = params.slow_duration_secs as i128;
    let nominal_end = f + s;
    // Phase boundaries as fractions fe = fe_n / den, se = se_n / den, and t as t * den.
    let (fe_n, se_n, den) = match secs_to_earliest_expiry {
        None => (f, nominal_end, 1),
        Some(e) if e as i128 >= nominal_end => (f, nominal_end, 1),
        Some(e) if e as i128 >= f => (f, e as i128, 1),
        Some(e) if e > 0 => {
            // proportional: fe = E F / (F + S), se = E
            let e = e as i128;
            (e * f, e * nominal_end, nominal_end)
        }
        Some(_) => return Ok((Fixed::ONE, AuctionPhase::Exhausted)),
    };
    let tn = t * den;
    if tn < fe_n {
        Ok((
            lerp_down(&[
                params.start_discount.raw(),
                params.fast_discount.raw(),
                tn,
                fe_n,
            ]),
            AuctionPhase::Fast,
        ))
    } else if tn < se_n {
        Ok((
            lerp_down(&[
                params.fast_discount.raw(),
                FIXED_ONE,
                tn - fe_n,
                se_n - fe_n,
            ]),
            AuctionPhase::Slow,
        ))
    } else {
        Ok((Fixed::ONE, AuctionPhase::Exhausted))
    }
}

fn check_fraction(fraction: Fixed) -> RiskResult<()> {
    if fraction.raw() <= 0 || fraction > Fixed::ONE {
        return Err(RiskError::InvalidFraction);
    }
    Ok(())
}

fn check_unit(x: Fixed) -> RiskResult<()> {
    if x.is_negative() || x > Fixed::ONE {
        return Err(RiskError::InvalidAuctionParams);
    }
    Ok(())
}

/// What a bidder pays for `fraction` of a solvent account: `fraction * mtm * (1 - discount)`,
/// rounded up (the liquidated account receives it).
///
/// Computed exactly and rounded once. A non-positive `mark_to_market` gives zero (that account
/// is insolvent: see [`insolvent_payment`]). `InvalidFraction` outside (0, 1],
/// `InvalidAuctionParams` for a discount outside [0, 1].
#[inline(always)]
pub fn solvent_price(mark_to_market: Fixed, fraction: Fixed, discount: Fixed) -> RiskResult<Fixed> {
    solvent_price_ref(&[mark_to_market, fraction, discount])
}

// sBPF passes at most five arguments in registers (a 128-bit value takes two) and LLVM's
// argument promotion turns a reference to one or two scalars back into values: out-of-line
// bodies take one reference to three or more values.
fn solvent_price_ref(args: &[Fixed; 3]) -> RiskResult<Fixed> {
    let [mark_to_market, fraction, discount] = *args;
    check_fraction(fraction)?;
    check_unit(discount)?;
    if !mark_to_market.is_positive() {
        return Ok(Fixed::ZERO);
    }
    let p = wide::mul_128x128(mark_to_market.raw() as u128, fraction.raw() as u128);
    let p = wide::mul_small(&p, (FIXED_ONE - discount.raw()) as u64).ok_or(RiskError::Overflow)?;
    let v = wide::scale_down(&p, 0, 24, true)?;
    Ok(Fixed::from_raw(wide::signed(v, false)?))
}

/// k(t) of the insolvent phase, rising linearly from 0 to 1. Rounded down (it scales a payment
/// of the insurance fund).
pub fn insolvent_k(params: &AuctionParams, elapsed_secs: i64) -> RiskResult<Fixed> {
    params.validate()?;
    let d = params.insolvent_duration_secs as i128;
    let t = elapsed_secs.max(0) as i128;
    if t >= d {
        return Ok(Fixed::ONE);
    }
    Ok(Fixed::from_raw(t * FIXED_ONE / d))
}

/// What the insurance fund pays a bidder for `fraction` of an insolvent account:
/// `fraction * (-mtm + k * addon)`, rounded down; the caller caps it at the fund's balance.
///
/// Computed exactly and rounded once; never negative (a positive `mark_to_market` larger than
/// `k * addon` gives zero). `InvalidFraction` outside (0, 1], `InvalidAuctionParams` for `k`
/// outside [0, 1] or a negative add-on.
#[inline(always)]
pub fn insolvent_payment(
    mark_to_market: Fixed,
    addon: Fixed,
    fraction: Fixed,
    k: Fixed,
) -> RiskResult<Fixed> {
    insolvent_payment_ref(&[mark_to_market, addon, fraction, k])
}

fn insolvent_payment_ref(args: &[Fixed; 4]) -> RiskResult<Fixed> {
    let [mark_to_market, addon, fraction, k] = *args;
    check_fraction(fraction)?;
    check_unit(k)?;
    if addon.is_negative() {
        return Err(RiskError::InvalidAuctionParams);
    }
    // inner = -mtm * 10^12 + k * addon, at 10^-24
    let ka = wide::mul_128x128(k.raw() as u128, addon.raw() as u128);
    let m = wide::mul_128x128(mark_to_market.raw().unsigned_abs(), FIXED_ONE as u128);
    let inner = if mark_to_market.is_positive() {
        match wide::checked_sub(&ka, &m) {
            Some(v) => v,
            None => return Ok(Fixed::ZERO),
        }
    } else {
        let mut v = ka;
        wide::add_assign(&mut v, &m)?;
        v
    };
    let inner = wide::to_u128(&inner).ok_or(RiskError::Overflow)?;
    let p = wide::mul_128x128(inner, fraction.raw() as u128);
    let v = wide::scale_down(&p, 0, 24, false)?;
    Ok(Fixed::from_raw(wide::signed(v, false)?))
}

/// The fraction that returns the account exactly to the end level given the price a bidder pays
/// for the whole account: solves `(1 - f) * equity_end + f * whole_account_price = 0` for
/// `equity_end < 0`; rounded up and capped at 1. Returns 1 when no fraction below 1 restores it
/// (price <= 0).
///
/// `f = -E / (P - E)`, the smallest 12-decimal fraction with `(1 - f) E + f P >= 0`. An account
/// already at or above the end level (`equity_end >= 0`) needs no bid: returns 0.
pub fn max_fraction(equity_end: Fixed, whole_account_price: Fixed) -> RiskResult<Fixed> {
    if !equity_end.is_negative() {
        return Ok(Fixed::ZERO);
    }
    if !whole_account_price.is_positive() {
        return Ok(Fixed::ONE);
    }
    let num = equity_end.checked_neg()?;
    let den = whole_account_price.checked_sub(equity_end)?;
    let f = Fixed::from_ratio(num.raw(), den.raw(), crate::Rounding::Up)?;
    Ok(f.min_of(Fixed::ONE))
}

/// The default is [`AuctionParams::DEFAULT`], never an all-zero configuration (which would validate and
/// silently mean no haircut or no shock).
impl Default for AuctionParams {
    fn default() -> Self {
        Self::DEFAULT
    }
}

#[cfg(test)]
#[path = "tests/auction.rs"]
mod tests;
