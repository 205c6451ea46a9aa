//! American option prices (rate r >= 0, no dividends), by a 64-step binomial tree with the
//! Black-Scholes price as control variate.
//!
//! - A call is never exercised early on an asset without dividends when `r >= 0` (the only
//!   rates the engine accepts): its American price is the European one, [`crate::bs::price`].
//!   So is a put's when `r = 0` (waiting costs nothing), and both at or after expiry.
//! - A put with `r > 0` is the European put plus an early-exercise premium. The premium is
//!   measured on a Cox-Ross-Rubinstein tree of [`TREE_STEPS`] steps as the difference between
//!   the tree's American and European values (the same lattice, the same rounding, so their
//!   discretisation errors largely cancel), then clamped to `[0, K (1 - e^-rT)]` (the premium
//!   is the present value of the interest earned on `K` in the exercise region, so never more).
//!   The result is clamped to `[max(European, (K - S)+), K]`.
//!
//! Error bound (see `docs/risk-model.md`): against an independent f64 reference (a 1,000-step
//! drift-adjusted tree with the same control variate, itself within 0.7 % of the premium cap of
//! an 8,000-step extrapolated tree), `|price - reference| <= 8 % of K (1 - e^-rT) + 1e-8 (S + K)`
//! over K/S 0.25 to 4, sigma 5 % to 400 %, T 15 minutes to 2 years, r 0 to 100 % (the unit
//! tests measure the largest error and assert this bound). The early-exercise premium of
//! realistic options is a small part of `K (1 - e^-rT)`, itself small: 1.2 % of K for a
//! quarter at 5 %.
//!
//! Arithmetic: the tree runs on values relative to the strike at binary scale 2^32 with
//! probabilities at 2^31, so every node costs two native 64-bit products (no 128-bit
//! arithmetic in the loop). Node values are truncated (at most one unit of 2^-32 K per level,
//! in both trees alike); the premium is converted to price units rounded up, and the price
//! inherits the European price's rounding (up).

use crate::bin::Bf;
use crate::bs::{self, BsInput, OptionKind};
use crate::math::exp_q55;
use crate::wide;
use crate::{Fixed, RiskError, RiskResult};

/// Steps of the tree: 64 (`4^3`, so `sigma sqrt(T / 64)` is `sigma sqrt T` over 8, a shift).
pub const TREE_STEPS: usize = 1 << (2 * HALF_STEPS_LOG2);
const HALF_STEPS_LOG2: u32 = 3;
/// Largest `sigma sqrt T` the tree accepts (64, far above any listed option: 400 % over 2
/// years is 5.7); beyond, [`price`] refuses with [`RiskError::InvalidVolatility`] (one step's
/// move `e^(sigma sqrt(T/64))` would leave the tree's number ranges).
pub const MAX_TOTAL_VOL: Fixed = Fixed::from_raw(64 * crate::fixed::FIXED_ONE);

/// `1.0` at Q32 (node values, relative to the strike).
const ONE32: u64 = 1 << 32;
/// `1.0` at Q31 (probabilities and the one-step discount).
const ONE31: u64 = 1 << 31;
/// `1.0` at Q64 (the exponentials that give the up-probability).
const ONE64: u128 = 1 << 64;

/// The American price: [`crate::bs::price`]'s inputs and units, rounded up like it.
/// See the module documentation for the method and its error bound.
pub fn price(input: &BsInput) -> RiskResult<Fixed> {
    let european = bs::price(input)?; // validates the input
    if input.kind == OptionKind::Call || input.rate.raw() == 0 || input.time_years.raw() <= 0 {
        return Ok(european);
    }
    let (s, k) = (input.spot.raw() as u128, input.strike.raw() as u128);
    let tt = bs::time_terms(input.time_years.raw() as u128, input.rate.raw() as u128);
    let total_vol = Bf::from_fixed_raw(input.vol.raw() as u128).mul(tt.sqrt_t);
    if total_vol.to_q64(32) > (MAX_TOTAL_VOL.raw() / crate::fixed::FIXED_ONE) as u64 * ONE32 {
        return Err(RiskError::InvalidVolatility);
    }
    let tree = TreeIn {
        x: Bf::from_u128(s).mul(Bf::from_u128(k).recip()),
        // one step's log move sigma sqrt(T / 64) at Q55 (at most 8: below 2^58)
        a: total_vol.shl(-(HALF_STEPS_LOG2 as i32)).to_q64(55) as i64,
        // r T / 64 at Q55 (r T is saturated at 150 by time_terms)
        rho: tt.rt >> (2 * HALF_STEPS_LOG2),
    };
    let premium_q32 = premium_q32(&tree);
    // K e^(-rT) rounded down, as the European clamp: the premium cap K (1 - e^-rT) rounds up
    let kd = Bf::from_u128(k).mul(tt.disc).to_q128(0).unwrap_or(k).min(k);
    let premium = wide::mul_u128_u64_shr(k, premium_q32, 32, true)
        .ok_or(RiskError::Overflow)?
        .min(k - kd);
    let lower = european.raw() as u128; // non-negative: a clamped European price
    let p = lower
        .checked_add(premium)
        .ok_or(RiskError::Overflow)?
        .max(k.saturating_sub(s))
        .min(k);
    Ok(Fixed::from_raw(wide::signed(p, false)?))
}

/// Tree inputs: `x = S/K`, the step's log move `a` and the step's `r dt`, both at Q55.
struct TreeIn {
    x: Bf,
    a: i64,
    rho: i64,
}

/// The early-exercise premium of a put relative to the strike, at Q32: the tree's American
/// value minus its European value (never negative: the American node takes the larger of the
/// same continuation and the exercise value).
#[inline(never)]
fn premium_q32(t: &TreeIn) -> u64 {
    const N: usize = TREE_STEPS;
    // Up-probability p = (e^(rho) - d) / (u - d) = (e^(rho + a) - 1) / (e^(2a) - 1), at Q31,
    // clamped to 1 (the drift exceeds the up move when sigma sqrt(dt) < r dt: the tree then
    // moves up every step, slower than the rate, and overvalues the put slightly).
    let q64 = |x: i64| exp_q55(x).to_q128(64).unwrap_or(u128::MAX);
    let num = q64(t.rho.wrapping_add(t.a)).saturating_sub(ONE64);
    let den = q64(t.a.wrapping_mul(2)).saturating_sub(ONE64);
    let p = if den == 0 || num >= den {
        ONE31
    } else {
        Bf::from_u128(num)
            .mul(Bf::from_u128(den).recip())
            .to_q64_sat(31, ONE31)
    };
    let disc = exp_q55(t.rho.wrapping_neg()).to_q64_sat(31, ONE31);
    // discounted branch weights, truncated: pu + pd <= disc <= 2^31
    let pu = p.wrapping_mul(disc) >> 31;
    let pd = (ONE31 - p).wrapping_mul(disc) >> 31;

    // Exercise values (1 - x u^m)+ at Q32 of the spots x u^m, m = idx - N (a node j of step i
    // has m = 2j - i): from x outwards, stopping where they stay 0 (up) or 1 (down).
    let mut ex = [0u64; 2 * N + 1];
    let exercise = |s: Bf| ONE32 - s.to_q64_sat(32, ONE32);
    let (up, down) = (exp_q55(t.a), exp_q55(t.a.wrapping_neg()));
    ex[N] = exercise(t.x);
    let mut s = t.x;
    for e in ex[N + 1..].iter_mut() {
        s = s.mul(up);
        *e = exercise(s);
        if *e == 0 {
            break; // the rest stay 0
        }
    }
    let mut s = t.x;
    let mut idx = N;
    while idx > 0 {
        idx -= 1;
        s = s.mul(down);
        ex[idx] = exercise(s);
        if ex[idx] == ONE32 {
            ex[..idx].fill(ONE32);
            break;
        }
    }

    // Backward induction of both trees; at expiry both are the exercise value.
    let mut am = [0u64; N + 1];
    let mut eu = [0u64; N + 1];
    for j in 0..=N {
        am[j] = ex[2 * j];
        eu[j] = ex[2 * j];
    }
    for i in (0..N).rev() {
        let (mut am_down, mut eu_down) = (am[0], eu[0]);
        for j in 0..=i {
            let (am_up, eu_up) = (am[j + 1], eu[j + 1]);
            // values <= 2^32 and pu + pd <= 2^31: each sum is at most 2^63
            let cont = pu
                .wrapping_mul(am_up)
                .wrapping_add(pd.wrapping_mul(am_down))
                >> 31;
            am[j] = cont.max(ex[2 * j + N - i]);
            eu[j] = pu
                .wrapping_mul(eu_up)
                .wrapping_add(pd.wrapping_mul(eu_down))
                >> 31;
            am_down = am_up;
            eu_down = eu_up;
        }
    }
    am[0].saturating_sub(eu[0])
}
