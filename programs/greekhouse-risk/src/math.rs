//! Transcendental functions on [`Fixed`]: exp, ln, sqrt, standard normal pdf and cdf.
//!
//! The public functions convert at the boundary; the work is done by integer kernels in binary
//! fixed point (shared with Black-Scholes, see `docs/risk-model.md`):
//! - `exp`: `e^x = 2^(x log2 e)`, integer part a shift, fraction by two 64-entry tables
//!   (`2^(j/64)`, `2^(k/4096)`) and a degree-4 series on the remaining `< 2^-12`.
//! - `ln`: exponent times `ln 2` plus two table reductions of the mantissa (by `~1/(1+j/64)`
//!   and `~1/(1+k/4096)`) and a degree-4 series of `ln(1+t)`, `t < 2^-12`.
//! - `phi(d) = e^(-d^2/2) / sqrt(2 pi)` and the tail `1 - N(t) = phi(t) R(t)` with the Mills
//!   ratio `R` from piecewise polynomials (512 intervals of width 1/32 on `[0, 16)`, degree 6,
//!   asymptotic expansion in `(16/t)^2` beyond).
//! - `sqrt`: exact integer square root.
//!
//! Measured absolute errors of the public functions (unit tests against f64/libm over the
//! ranges Black-Scholes needs): exp and ln below 2e-12 (one unit of the last place), pdf and
//! cdf below 1e-12, sqrt exact (rounded down).

use crate::bin::{isqrt_u128, Bf};
use crate::tables::{
    EXP2N_T2, EXP2_T1, EXP2_T2, LN2_Q64, LN_1E12_Q55, LN_NL1, LN_NL2, LN_RC1, LN_RC2, LOG2E_Q62,
    MILLS_ASYM, MILLS_C, MILLS_DEG, PHI_T1,
};
use crate::wide::{self, mulhi, mulhi_fast, wmul, Split};
use crate::{Fixed, RiskError, RiskResult};

/// Binary scale of log-space quantities (ln x, r T): Q55, `2^-55 = 2.8e-17`, range +-256.
pub(crate) const LNQ: u32 = 55;
/// Binary scale of d1, d2: Q52, `2^-52 = 2.2e-16`, range +-2048.
pub(crate) const DQ: u32 = 52;
/// `1.0` at Q63 (probabilities, normalised prices).
pub(crate) const ONE_Q63: u64 = 1 << 63;
/// Mills-ratio table interval index: `t >> 47` at Q52 (intervals of width 1/32).
const MILLS_SHIFT: u32 = DQ - 5;
/// Beyond |d| = 9.5, phi(d) < 2^-66 and is returned as zero.
const PHI_CUTOFF_Q52: u64 = 19 << 51;

/// `2^f` for a fraction `f` in [0, 1) at Q64, as a Q63 mantissa in [2^63, 2^64).
#[inline]
pub(crate) fn exp2_frac(f: u64) -> u64 {
    let t1 = EXP2_T1[(f >> 58) as usize];
    let t2 = EXP2_T2[((f >> 52) & 63) as usize];
    let g = f & ((1u64 << 52) - 1); // Q64, < 2^-12
    let z = mulhi_fast(g, LN2_Q64); // Q64, z = g ln 2 < 2^-12
    let sz = Split::new(z);
    let z2 = sz.mulhi(z);
    let z3 = sz.mulhi(z2);
    let z4 = sz.mulhi(z3);
    // e^z - 1 at Q64 (below 2^52): truncation error z^5/120 < 2^-70; wrapping adds are exact
    let em1 = z
        .wrapping_add(z2 >> 1)
        .wrapping_add(z3 / 6)
        .wrapping_add(z4 / 24);
    let p = ONE_Q63 | (em1 >> 1); // e^z at Q63 (em1 >> 1 < 2^63)
    let a = mulhi_fast(t1, t2) << 1; // Q63, below 2^64
    let r = mulhi_fast(a, p); // Q62, at most 2^63
    if r >= ONE_Q63 {
        u64::MAX
    } else {
        r << 1
    }
}

/// `e^x` for `x` at Q55 (|x| < 256).
#[inline]
pub(crate) fn exp_q55(x: i64) -> Bf {
    let ax = x.unsigned_abs();
    let (ph, pl) = wmul(ax, LOG2E_Q62); // x log2(e) at Q117
    let n = (ph >> 53) as i32;
    let f = (ph << 11) | (pl >> 53); // fractional part at Q64
    if x >= 0 {
        Bf {
            m: exp2_frac(f),
            e: n - 63,
        }
    } else if f == 0 {
        Bf {
            m: ONE_Q63,
            e: -n - 63,
        }
    } else {
        Bf {
            m: exp2_frac(f.wrapping_neg()),
            e: -n - 1 - 63,
        }
    }
}

/// `ln x` at Q55 for `x > 0` (`x` must be non-zero).
pub(crate) fn ln_q55(x: Bf) -> i64 {
    let m = x.m;
    let j = ((m >> 57) & 63) as usize;
    // reductions: exact products floor(m RC / 2^64) >= 2^62 because RC is rounded up
    let u1 = mulhi(m, LN_RC1[j]) << 1; // Q63 in [1, 1 + 2^-6]
    let mut k = (u1.wrapping_sub(ONE_Q63) >> 51) as usize;
    if k > 63 {
        k = 63;
    }
    let u2 = mulhi(u1, LN_RC2[k]) << 1; // Q63 in [1, 1 + 2^-12]
    let t = u2.wrapping_sub(ONE_Q63); // Q63, < 2^51 (1 + eps)
    let st = Split::new(t);
    let t2 = st.mulhi(t) << 1;
    let t3 = st.mulhi(t2) << 1;
    let t4 = st.mulhi(t3) << 1;
    // ln(1+t) at Q63, error t^5/5 < 2^-64; t > t2/2 > t3/3 > t4/4 so no step wraps
    let l = t
        .wrapping_sub(t2 >> 1)
        .wrapping_add(t3 / 3)
        .wrapping_sub(t4 >> 2);
    // ln(m / 2^63) at Q64 (below ln 2), then at Q55 rounded to nearest
    let lnm = (l << 1).wrapping_add(LN_NL1[j]).wrapping_add(LN_NL2[k]);
    let lnm55 = ((lnm >> 9) + ((lnm >> 8) & 1)) as i64;
    // (e + 63) ln 2 at Q55 from the 32-bit halves of ln 2 at Q64 (|e + 63| < 2^9)
    let ex = x.e.wrapping_add(63) as i64;
    let ea = ex.unsigned_abs();
    let e_ln2 = (ea.wrapping_mul(LN2_Q64 >> 32) << 23)
        .wrapping_add(ea.wrapping_mul(LN2_Q64 & 0xFFFF_FFFF) >> 9);
    if ex >= 0 {
        (e_ln2 as i64).wrapping_add(lnm55)
    } else {
        lnm55.wrapping_sub(e_ln2 as i64)
    }
}

/// `phi(d) = e^(-d^2/2) / sqrt(2 pi)` at Q64, `d` at Q52.
///
/// `e^(-d^2/2) = 2^(-t)`, `t = d^2/2 log2(e) = n + j1/64 + j2/4096 + g` with `g < 2^-12`:
/// `phi = 2^-n * PHI_T1[j1] * EXP2N_T2[j2] * e^(-g ln 2)`, the last factor by a cubic
/// (error below 2^-68). Relative error below 2^-55.
#[inline]
pub(crate) fn phi_q64(d: i64) -> u64 {
    let ad = d.unsigned_abs();
    if ad >= PHI_CUTOFF_Q52 {
        return 0;
    }
    let d7 = ad << 7; // d at Q59, below 2^63
    let y = mulhi_fast(d7, d7) << 3; // d^2/2 at Q58 (below 2^64)
    let t = mulhi_fast(y, LOG2E_Q62); // y log2(e) at Q56 (below 66 * 2^56)
    let n = (t >> 56) as u32;
    let f = t << 8; // fraction at Q64
    let g = f & ((1u64 << 52) - 1); // Q64, < 2^-12
    let z = mulhi_fast(g, LN2_Q64); // g ln 2 at Q64, < 2^-12
    let sz = Split::new(z);
    let z2 = sz.mulhi(z);
    let z3 = sz.mulhi(z2);
    // e^-z = 1 - (z - z^2/2 + z^3/6) at Q63 (the bracket is below 2^52 at Q64)
    let e = ONE_Q63.wrapping_sub(z.wrapping_sub(z2 >> 1).wrapping_add(z3 / 6) >> 1);
    let a = mulhi_fast(
        PHI_T1[(f >> 58) as usize],
        EXP2N_T2[((f >> 52) & 63) as usize],
    ); // Q63
    let b = mulhi_fast(a, e); // phi 2^n at Q62
    if n <= 2 {
        b << (2 - n)
    } else if n >= 66 {
        0
    } else {
        b >> (n - 2)
    }
}

/// Mills ratio `R(t) = (1 - N(t)) / phi(t)` at Q63 for `t >= 0` at Q52.
#[inline]
pub(crate) fn mills_q63(t: u64) -> u64 {
    let j = (t >> MILLS_SHIFT) as usize;
    if j < MILLS_C.len() {
        let v = Split::new(!((t & ((1u64 << MILLS_SHIFT) - 1)) << (64 - MILLS_SHIFT))); // 1 - u at Q64
        let c = &MILLS_C[j];
        let mut p = c[MILLS_DEG];
        // non-negative coefficients: every partial sum is below the value at v = 1, R(t_j) < 2;
        // constant trip count: unrolled
        for i in (0..MILLS_DEG).rev() {
            p = c[i].wrapping_add(v.mulhi(p));
        }
        p
    } else {
        // R(t) = g(y)/t, y = (16/t)^2
        let r = Bf::from_q(t, DQ as i32)
            .recip()
            .shl(4)
            .to_q64_sat(63, ONE_Q63); // 16/t at Q63
        let r2 = mulhi(r, r); // y at Q62, at most 2^62
        let sy = Split::new(if r2 >= 1 << 62 { u64::MAX } else { r2 << 2 }); // y at Q64
        let n = MILLS_ASYM.len();
        let mut p: i64 = MILLS_ASYM[n - 1];
        let mut i = n - 1;
        while i > 0 {
            i -= 1;
            let m = sy.mulhi(p.unsigned_abs()) as i64;
            p = MILLS_ASYM[i].wrapping_add(if p < 0 { -m } else { m });
        }
        let g = if p < 0 { 0 } else { p as u64 };
        mulhi(g, r) >> 3 // g r / 16 at Q63
    }
}

/// Upper tail `1 - N(t) = phi(t) R(t)` at Q63 for `t >= 0` at Q52, and phi(t) at Q64.
#[inline]
pub(crate) fn tail_q63(t: u64) -> (u64, u64) {
    let phi = phi_q64(t as i64);
    if phi == 0 {
        return (0, 0);
    }
    let q = mulhi(phi, mills_q63(t));
    (if q > ONE_Q63 >> 1 { ONE_Q63 >> 1 } else { q }, phi)
}

/// `N(d)` at Q63 for `d` at Q52.
pub(crate) fn cdf_q63(d: i64) -> u64 {
    let (tail, _) = tail_q63(d.unsigned_abs());
    if d >= 0 {
        ONE_Q63 - tail
    } else {
        tail
    }
}

// ------------------------------------------------------------------------------------------
// Conversions between decimal `Fixed` and the binary scales.

/// `raw * 2^q / 10^12` for a signed raw value, through a binary float (relative error below
/// 2^-62, i.e. within two units of the last place), magnitude truncated; `None` when
/// `|result| >= 2^63`.
pub(crate) fn fixed_to_q(raw: i128, q: u32) -> Option<i64> {
    let v = Bf::from_fixed_raw(raw.unsigned_abs()).to_q128(q as i32)?;
    if v > i64::MAX as u128 {
        return None;
    }
    Some(if raw < 0 { -(v as i64) } else { v as i64 })
}

/// `round(x / 2^q * 10^12)` to the nearest raw unit, for `|x| < 2^64` and `1 <= q <= 64`.
pub(crate) fn q_to_fixed_raw(x: i128, q: u32) -> RiskResult<i128> {
    let mag = x.unsigned_abs();
    if mag >> 64 != 0 || q == 0 || q > 64 {
        return Err(RiskError::Overflow);
    }
    let p = wide::mul64(mag as u64, crate::fixed::FIXED_ONE as u64); // below 2^104
    let v = (p + (1u128 << (q - 1))) >> q;
    wide::signed(v, x < 0)
}

// ------------------------------------------------------------------------------------------
// Public API

/// e^x. Underflows to zero for very negative x; `Overflow` when the result does not fit.
/// Rounded to the nearest unit of the last place (up to the kernel error, below 1e-18
/// relative).
pub fn exp(x: Fixed) -> RiskResult<Fixed> {
    let raw = x.raw();
    if raw <= -256 * crate::fixed::FIXED_ONE {
        return Ok(Fixed::ZERO);
    }
    if raw >= 89 * crate::fixed::FIXED_ONE {
        return Err(RiskError::Overflow);
    }
    let q = fixed_to_q(raw, LNQ).ok_or(RiskError::Overflow)?;
    let e = exp_q55(q);
    // nearest: floor(v + 1/2)
    let v = e.mul(Bf::from_const(crate::tables::F_TEN_P12));
    let f = v.to_q128(1).ok_or(RiskError::Overflow)?; // 2v
    let r = (f + 1) >> 1;
    if r > i128::MAX as u128 {
        return Err(RiskError::Overflow);
    }
    Ok(Fixed::from_raw(r as i128))
}

/// Natural log; `DomainError` for x <= 0. Rounded to the nearest unit of the last place (up to
/// the kernel error, below 3e-17 absolute).
pub fn ln(x: Fixed) -> RiskResult<Fixed> {
    let raw = x.raw();
    if raw <= 0 {
        return Err(RiskError::DomainError);
    }
    let l = ln_q55(Bf::from_u128(raw as u128)) as i128 - LN_1E12_Q55 as i128;
    Ok(Fixed::from_raw(q_to_fixed_raw(l, LNQ)?))
}

/// Square root, rounded down; `DomainError` for x < 0.
pub fn sqrt(x: Fixed) -> RiskResult<Fixed> {
    let raw = x.raw();
    if raw < 0 {
        return Err(RiskError::DomainError);
    }
    // floor(sqrt(raw * 10^12))
    let n = wide::mul_128x128(raw as u128, crate::fixed::FIXED_ONE as u128);
    if let Some(n128) = wide::to_u128(&n) {
        return Ok(Fixed::from_raw(isqrt_u128(n128) as i128));
    }
    // n >= 2^128: the root is in [2^64, 2^84). Estimate, one Newton step, exact correction.
    let est = Bf::from_u128(raw as u128)
        .mul(Bf::from_const(crate::tables::F_TEN_P12))
        .sqrt()
        .to_q128(0)
        .ok_or(RiskError::Overflow)?;
    let est = est.max(1);
    let (q, _) = wide::div_256_by_128(&n, est).ok_or(RiskError::Overflow)?;
    let mut s = (est + q) >> 1;
    loop {
        let sq = wide::mul_128x128(s, s);
        if wide::checked_sub(&n, &sq).is_none() {
            s -= 1;
        } else {
            break;
        }
    }
    loop {
        let t = s + 1;
        let sq = wide::mul_128x128(t, t);
        if wide::checked_sub(&n, &sq).is_some() {
            s = t;
        } else {
            break;
        }
    }
    Ok(Fixed::from_raw(s as i128))
}

/// `x` at Q52 saturated to +-1024.
fn fixed_to_d(x: Fixed) -> i64 {
    const LIM: i128 = 1024 * crate::fixed::FIXED_ONE;
    let raw = x.raw().clamp(-LIM, LIM);
    fixed_to_q(raw, DQ).unwrap_or(0)
}

/// Standard normal density phi(x). Rounded to the nearest unit of the last place.
pub fn norm_pdf(x: Fixed) -> RiskResult<Fixed> {
    let p = phi_q64(fixed_to_d(x));
    Ok(Fixed::from_raw(q_to_fixed_raw(p as i128, 64)?))
}

/// Standard normal cumulative distribution N(x), in [0, 1]. Rounded to the nearest unit of the
/// last place.
pub fn norm_cdf(x: Fixed) -> RiskResult<Fixed> {
    let c = cdf_q63(fixed_to_d(x));
    Ok(Fixed::from_raw(q_to_fixed_raw(c as i128, 63)?))
}

#[cfg(test)]
#[allow(clippy::float_arithmetic)]
#[path = "tests/math.rs"]
mod tests;
