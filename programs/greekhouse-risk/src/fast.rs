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
use crate::bs::Eval;
use crate::math::mills_q63;
use crate::tables::{FAST_EXP2N_T2, FAST_MILLS_C, FAST_MILLS_DEG, FAST_PHI_T1, LN2_Q32, LOG2E_Q25};
use crate::wide::mulhi_fast;

/// `1.0` at Q32.
const ONE32: u64 = 1 << 32;
/// Allowance added to every shocked normalised price: 32 at Q32 = 2^-27 = 7.5e-9.
pub(crate) const FAST_ALLOWANCE_Q32: u64 = 32;
/// Bound on the evaluator's error on a normalised price, at Q32 (16 = 3.7e-9; the unit test
/// measured at most 13 = 3.0e-9 over 800,000 random points), checked by the
/// unit tests against the precise evaluator.
#[cfg(test)]
pub(crate) const FAST_MAX_ERR_Q32: u64 = 16;
#[cfg(test)]
const _: () = assert!(FAST_ALLOWANCE_Q32 >= 2 * FAST_MAX_ERR_Q32);
/// `|d|` saturates at 256 (2^40 at Q32): far beyond every non-trivial value.
const D_SAT: u64 = 1 << 40;
/// phi(d) is returned as zero beyond |d| = 9.5 (below 2^-66).
const PHI_CUT: u64 = 19 << 31;
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
    if j >= FAST_MILLS_C.len() {
        return mills_q63(t << 20) >> 32;
    }
    let v = (ONE32 - 1) - ((t & ((1 << 29) - 1)) << 3); // 1 - u at Q32
    let c = &FAST_MILLS_C[j];
    let mut p = c[FAST_MILLS_DEG] as u64;
    // non-negative coefficients, p below 1.26 * 2^31: p v < 2^64; unrolled
    for i in (0..FAST_MILLS_DEG).rev() {
        p = (c[i] as u64).wrapping_add(p.wrapping_mul(v) >> 32);
    }
    p
}

/// Most scenarios one leg is revalued at.
pub(crate) const MAX_FAST_SCEN: usize = 10;

/// Per-underlying constants of one revaluation scenario.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FastScen {
    /// `ln(1 + s)` at Q55.
    pub ln1s: i64,
    /// `1 / (1 + s)` at Q56 (below 2^63 for `s > -0.99`).
    pub inv1s_q56: u64,
    /// Which of the leg's two shocked vols the scenario uses.
    pub vol_idx: u8,
}

/// A leg's normalised (call, put) prices at every scenario (meaningful when `fast`: the fast
/// range holds for the leg, at every scenario alike), and its shocked `(v, 1/v)` per vol index
/// for the precise fallback.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LegShocks {
    pub fast: bool,
    pub vals: [(u64, u64); MAX_FAST_SCEN],
    pub vw: [(Bf, Bf); 2],
    /// What one more scenario of the same leg needs ([`shocked_one`]): per vol index the
    /// reciprocal's mantissa and shift and `v/2`, `k'` at Q40 and the clamped `ln k'`.
    pub lv: [(u64, i32, u64); 2],
    pub kq40: u64,
    pub lnk: i64,
}

impl LegShocks {
    pub(crate) const BLANK: LegShocks = LegShocks {
        fast: false,
        vals: [(0, 0); MAX_FAST_SCEN],
        vw: [(Bf::ZERO, Bf::ZERO); 2],
        lv: [(0, 0, 0); 2],
        kq40: 0,
        lnk: 0,
    };
}

/// What [`shocked_leg`] revalues.
pub(crate) struct LegIn<'a, 'b> {
    /// The leg, evaluated at the surface vol.
    pub e: &'a Eval<'b>,
    /// The shocked total vols `v' = sigma' sqrt T` per vol index (one or two).
    pub vs: &'a [Bf],
    pub scens: &'a [FastScen],
}

/// Revalue one leg (evaluated at the surface vol) at every scenario, with the shocked total
/// vols `vs` (`sigma' sqrt T` per vol index), into `out` (its first `scens.len()` values and the `vw` of
/// the vol indices used are written). One reciprocal per vol index; per scenario one product
/// for `m`, one for `k'`, phi and two Mills ratios at Q32.
#[inline(always)]
pub(crate) fn shocked_leg(i: &LegIn<'_, '_>, out: &mut LegShocks) {
    let (e, vs, scens) = (i.e, i.vs, i.scens);
    for (i, &v) in vs.iter().take(2).enumerate() {
        let w = v.recip();
        out.vw[i] = (v, w);
        out.lv[i] = (w.m, 41i32.wrapping_add(w.e), v.to_q64_sat(31, D_SAT));
    }
    // k' at Q40; beyond 2^22 the fast range does not hold (precise fallback)
    out.kq40 = e.n.kp.to_q64(40);
    out.fast = out.kq40 < 1 << 62;
    if !out.fast {
        return;
    }
    // ln k' clamped to +-2^61 (+-64 at Q55), so that subtracting a scenario's |ln(1 + s)| < 4.7
    // (at Q55) cannot wrap. In the fast range (k' < 2^22) only the lower side can bind; there
    // and at the clamp alike ln k'' < -59, so d1 >= 2 sqrt(59 / 2) > 9.5 (phi32 is zero, both
    // tails vanish) and k'' < 2^-85 is zero at Q32: the values are the same either way
    const LNK_CLAMP: i64 = 1 << 61;
    out.lnk = e.n.lnkp.clamp(-LNK_CLAMP, LNK_CLAMP);
    for (j, sc) in scens.iter().enumerate().take(MAX_FAST_SCEN) {
        out.vals[j] = shocked_one(out, sc);
    }
}

/// The normalised (call, put) prices of a leg prepared by [`shocked_leg`] (in the fast range)
/// at one more scenario `sc`.
#[inline(always)]
pub(crate) fn shocked_one(leg: &LegShocks, sc: &FastScen) -> (u64, u64) {
    shocked_one_of(leg.lv[(sc.vol_idx & 1) as usize], leg.lnk, leg.kq40, sc)
}

/// [`shocked_one`] from the parts of a [`LegShocks`] it reads (the vol index's `lv`, `lnk` and
/// `kq40`): what a leg keeps to be revalued later without the rest of its record.
#[inline(always)]
pub(crate) fn shocked_one_of(
    (wm, sh, hv): (u64, i32, u64),
    lnk: i64,
    kq40: u64,
    sc: &FastScen,
) -> (u64, u64) {
    let lnkp = lnk.wrapping_sub(sc.ln1s);
    let mh = mulhi_fast(lnkp.unsigned_abs(), wm);
    let m = if sh >= 0 {
        if sh >= 40 || mh >= (D_SAT >> sh) {
            D_SAT
        } else {
            mh << sh
        }
    } else if sh <= -64 {
        0
    } else {
        mh >> ((-sh) as u32)
    } as i64;
    // |m|, hv <= 2^40: no step wraps
    let m = if lnkp > 0 { m.wrapping_neg() } else { m };
    let (d1, d2) = (m.wrapping_add(hv as i64), m.wrapping_sub(hv as i64));
    let kq = mulhi_fast(kq40, sc.inv1s_q56); // k'' at Q32
    combine(kq, d1, d2)
}

/// Normalised (call, put) at Q32 from `k'` at Q32 and `d1, d2` at Q32, each plus the allowance
/// and capped at the no-arbitrage bounds.
#[inline(always)]
fn combine(kq: u64, d1: i64, d2: i64) -> (u64, u64) {
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
    (
        (ONE32.saturating_sub(kq) + tv).min(ONE32),
        // k' here may be up to two units low (truncating products): cap three units above
        (kq.saturating_sub(ONE32) + tv).min(kq + 3),
    )
}

#[cfg(test)]
#[allow(clippy::float_arithmetic)]
#[path = "tests/fast.rs"]
mod tests;
