//! Black-Scholes-Merton prices and Greeks (rate r, no dividends), European calls and puts.
//!
//! The computation is done in normalised (dimensionless, relative-to-spot) form in binary
//! fixed point, see `docs/risk-model.md`:
//! `k' = K e^(-rT) / S`, `v = sigma sqrt(T)`, `d1,2 = -ln(k')/v +- v/2`, and with the upper tail
//! `Q(t) = phi(t) R(t)` (Mills ratio `R`) and the identity `k' phi(d2) = phi(d1)`:
//! `call/S = (1 - k')+ + tv`, `put/S = (k' - 1)+ + tv`, where the time value `tv` is
//! `phi(d1) (R(d2) - R(d1))` if `d2 >= 0`, `min(1,k') - phi(d1) (R(d1) + R(-d2))` if
//! `d1 >= 0 > d2`, `phi(d1) (R(-d1) - R(-d2))` if `d1 < 0`. One exp (phi), two Mills-ratio
//! polynomials, one ln, one reciprocal and one square root per evaluation; put-call parity
//! holds by construction and the no-arbitrage bounds are enforced by clamping `tv` to
//! `[0, min(1, k')]`.
//!
//! Units: `spot` and `strike` in any one price unit (on chain: quote native units per whole
//! underlying unit); `vol` a fraction per sqrt(year) (0.2 = 20 %); `time_years` in years of
//! 365 days of 86,400 s; `rate` continuously compounded per year. Outputs: `price`, `vega`
//! (dP/dsigma, sigma a fraction) and `theta` (dP/dt per year of calendar time, negative when
//! the option loses value as time passes) in the price unit; `delta` dimensionless; `gamma`
//! per price unit, at 18 decimals.

use crate::bin::Bf;
use crate::fixed::FIXED_ONE;
use crate::math::{exp_q55, ln_q55, mills_q63, tail_q63, DQ, LNQ, ONE_Q63};
use crate::wide::{self, mulhi, mulhi_fast};
use crate::{Fixed, Fixed18, RiskError, RiskResult};

/// Seconds in a day.
pub const SECONDS_PER_DAY: i64 = 86_400;
/// Seconds in a year of 365 days.
pub const SECONDS_PER_YEAR: i64 = 31_536_000;

/// Call or put.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum OptionKind {
    Call = 0,
    Put = 1,
}

/// The inputs of one Black-Scholes evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BsInput {
    pub kind: OptionKind,
    pub spot: Fixed,
    pub strike: Fixed,
    pub vol: Fixed,
    pub time_years: Fixed,
    pub rate: Fixed,
}

/// Price and Greeks of one option (long, one unit of underlying).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Greeks {
    pub price: Fixed,
    pub delta: Fixed,
    pub gamma: Fixed18,
    pub vega: Fixed,
    pub theta: Fixed,
}

/// Largest volatility [`price`] and [`greeks`] accept: 20.0 (2000 %), raw at 10^12.
pub const MAX_VOL: Fixed = Fixed::from_raw(20 * FIXED_ONE);
/// Largest rate accepted: 1.0 (100 % a year), raw at 10^12. Rates must be `>= 0`.
pub const MAX_RATE: Fixed = Fixed::from_raw(FIXED_ONE);
/// `r T` saturates here (at Q55): `e^-150` is zero at every scale used, and
/// `|ln(K/S)| + rT` stays below the Q55 range (|ln(K/S)| <= 88 for raw values below 2^127).
const RT_SAT_Q55: u64 = 150 << 55;

/// Years from seconds, rounded down.
pub fn years_from_seconds(seconds: i64) -> RiskResult<Fixed> {
    let n = (seconds as i128) * FIXED_ONE;
    Ok(Fixed::from_raw(n.div_euclid(SECONDS_PER_YEAR as i128)))
}

/// Intrinsic value `max(S-K, 0)` / `max(K-S, 0)`.
#[inline(always)]
pub fn intrinsic(kind: OptionKind, spot: Fixed, strike: Fixed) -> RiskResult<Fixed> {
    intrinsic_ref(&(kind, spot, strike))
}

// sBPF passes at most five arguments in registers (a 128-bit value takes two, a returned value
// wider than 64 bits a hidden pointer), and LLVM's argument promotion turns a reference to one
// or two scalars back into values: functions that may stay out of line take one reference to
// three or more values.
fn intrinsic_ref(args: &(OptionKind, Fixed, Fixed)) -> RiskResult<Fixed> {
    let (kind, spot, strike) = *args;
    let d = match kind {
        OptionKind::Call => spot.checked_sub(strike)?,
        OptionKind::Put => strike.checked_sub(spot)?,
    };
    Ok(d.max_of(Fixed::ZERO))
}

// ------------------------------------------------------------------------------------------
// Normalised core (shared with the margin engine).

/// Normalised inputs of one evaluation.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Norm {
    /// `k' = K e^(-rT) / S`.
    pub kp: Bf,
    /// `ln k'` at Q55.
    pub lnkp: i64,
    /// `v = sigma sqrt(T)`.
    pub v: Bf,
    /// `1 / v`.
    pub w: Bf,
}

/// Normalised outputs (per unit of underlying, divided by spot). Q63 = scale 2^63.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct CoreOut {
    /// call / S at Q63 (<= 1).
    pub call: u128,
    /// put / S at Q63 (<= k').
    pub put: u128,
    /// N(d1) at Q63 (the call delta).
    pub nd1: u64,
    /// phi(d1) at Q64.
    pub phi: u64,
    /// k' N(d2) at Q63.
    pub knd2: u128,
    /// k' N(-d2) at Q63.
    pub kn_d2: u128,
}

impl CoreOut {
    #[inline]
    pub fn price(&self, kind: OptionKind) -> u128 {
        match kind {
            OptionKind::Call => self.call,
            OptionKind::Put => self.put,
        }
    }
}

/// `m = -ln(k')/v` saturates at +-1024 (Q52 `2^62`); `v/2` at 512.
const M_SAT_Q52: u64 = 1 << 62;
const HV_SAT_Q52: u64 = 1 << 61;

/// Black-Scholes in normalised form.
pub(crate) fn core(n: &Norm) -> RiskResult<CoreOut> {
    // |ln k'| w at Q52: mulhi(|ln k'| at Q55, mantissa of w) * 2^(61 + e_w), saturated
    let m_mag = {
        let mh = mulhi_fast(n.lnkp.unsigned_abs(), n.w.m);
        let sh = 61i32.wrapping_add(n.w.e);
        if sh >= 0 {
            if sh >= 62 || mh >= (M_SAT_Q52 >> sh) {
                M_SAT_Q52
            } else {
                mh << sh
            }
        } else if sh <= -64 {
            0
        } else {
            mh >> ((-sh) as u32)
        }
    };
    let m = if n.lnkp > 0 {
        (m_mag as i64).wrapping_neg()
    } else {
        m_mag as i64
    };
    let hv = n.v.to_q64_sat(DQ as i32 - 1, HV_SAT_Q52) as i64; // v/2 at Q52
                                                               // |m| <= 2^62, hv <= 2^61: the sums stay inside i64
    let d1 = m.wrapping_add(hv);
    let d2 = m.wrapping_sub(hv);
    // k' at Q63: a 64-bit shift when k' < 2 (the usual case)
    let kq = if n.kp.e <= -63 {
        n.kp.to_q64(63) as u128
    } else {
        n.kp.to_q128(63).ok_or(RiskError::Overflow)?
    };
    let (t1, phi) = tail_q63(d1.unsigned_abs());
    let t2 = if phi == 0 {
        0
    } else {
        mulhi(phi, mills_q63(d2.unsigned_abs()))
    };
    let one = ONE_Q63 as u128;
    let (t1, t2) = (t1 as u128, t2 as u128);
    let nd1 = if d1 >= 0 {
        ONE_Q63 - t1 as u64
    } else {
        t1 as u64
    };
    let cap = if kq < one { kq } else { one };
    let (tv, knd2, kn_d2) = if d2 >= 0 {
        (t2.saturating_sub(t1), kq.saturating_sub(t2), t2)
    } else if d1 >= 0 {
        (cap.saturating_sub(t1 + t2), t2, kq.saturating_sub(t2))
    } else {
        (t1.saturating_sub(t2), t2, kq.saturating_sub(t2))
    };
    let tv = if tv > cap { cap } else { tv };
    Ok(CoreOut {
        call: one.saturating_sub(kq) + tv,
        put: kq.saturating_sub(one) + tv,
        nd1,
        phi,
        knd2,
        kn_d2,
    })
}

/// Time-dependent normalised terms of one position.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TimeTerms {
    pub sqrt_t: Bf,
    /// `r T` at Q55 (saturated).
    pub rt: i64,
    /// `e^(-rT)`.
    pub disc: Bf,
}

impl TimeTerms {
    /// A placeholder (the terms of `T = 1`, `r = 0`) for slots filled later.
    pub(crate) const PLACEHOLDER: TimeTerms = TimeTerms {
        sqrt_t: Bf::ONE,
        rt: 0,
        disc: Bf::ONE,
    };
}

/// `sqrt(T)`, `rT`, `e^(-rT)` for validated `T > 0`, `0 <= r`.
pub(crate) fn time_terms(t_raw: u128, r_raw: u128) -> TimeTerms {
    let tf = Bf::from_fixed_raw(t_raw);
    let sqrt_t = tf.sqrt();
    let rt = if r_raw == 0 {
        0
    } else {
        // r T at 10^-24 exactly when both raw values fit 64 bits (r <= 1 always does)
        let rtb = if t_raw >> 64 == 0 {
            Bf::from_u128(wide::mul64(r_raw as u64, t_raw as u64))
        } else {
            Bf::from_u128(r_raw).mul(Bf::from_u128(t_raw))
        };
        rtb.mul(Bf::TEN_M24).to_q64_sat(LNQ as i32, RT_SAT_Q55) as i64
    };
    let disc = if rt == 0 { Bf::ONE } else { exp_q55(-rt) };
    TimeTerms { sqrt_t, rt, disc }
}

/// Build the normalised inputs from `x = K/S`, `ln x` (Q55), sigma and the time terms.
#[inline(always)]
pub(crate) fn norm(x: Bf, lnx: i64, sig: Bf, tt: &TimeTerms) -> Norm {
    let v = sig.mul(tt.sqrt_t);
    Norm {
        kp: x.mul(tt.disc),
        // |ln x| <= 127 ln 2 < 89 (raw strike and spot below 2^127), 0 <= rT <= 150 (saturated),
        // at Q55: the difference stays above -239 * 2^55 > -2^63
        lnkp: lnx.wrapping_sub(tt.rt),
        v,
        w: v.recip(),
    }
}

// ------------------------------------------------------------------------------------------
// Public API

/// Validate an input; returns (spot raw, strike raw).
pub(crate) fn validate(input: &BsInput) -> RiskResult<(u128, u128)> {
    if input.spot.raw() <= 0 || input.strike.raw() <= 0 {
        return Err(RiskError::NonPositivePrice);
    }
    if input.vol.raw() <= 0 || input.vol > MAX_VOL {
        return Err(RiskError::InvalidVolatility);
    }
    if input.rate.raw() < 0 || input.rate > MAX_RATE {
        return Err(RiskError::InvalidRate);
    }
    Ok((input.spot.raw() as u128, input.strike.raw() as u128))
}

/// Everything an evaluation computes before the outputs.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Eval<'a> {
    pub sp: &'a SpotPrep,
    pub k: u128,
    pub sig: Bf,
    pub tt: TimeTerms,
    pub n: Norm,
    pub c: CoreOut,
}

/// What depends only on the spot and the rate (once per underlying in the margin).
#[derive(Clone, Copy, Debug)]
pub(crate) struct SpotPrep {
    /// Spot, raw.
    pub s: u128,
    /// Spot (raw) as a binary float.
    pub s_bf: Bf,
    /// `1 / S_raw`.
    pub inv_s: Bf,
    /// `10^30 / S_raw`: turns `Gamma S` into gamma at 10^18 per price unit.
    pub g_scale: Bf,
    /// Rate, raw.
    pub r_raw: u128,
    /// `r * S_raw` as a binary float (theta's carry term).
    pub rs_bf: Bf,
}

impl SpotPrep {
    #[inline(never)]
    pub(crate) fn new(s: u128, r_raw: u128) -> SpotPrep {
        let s_bf = Bf::from_u128(s);
        let inv_s = s_bf.recip();
        SpotPrep {
            s,
            s_bf,
            inv_s,
            g_scale: inv_s.mul(Bf::from_const(crate::tables::F_TEN_P30)),
            r_raw,
            rs_bf: Bf::from_fixed_raw(r_raw).mul(s_bf),
        }
    }
}

/// `x = K/S` and `ln x` (Q55) from `1/S`: the one place moneyness is computed, shared by the
/// surface and Black-Scholes so both see the same number.
#[inline]
pub(crate) fn moneyness(inv_s: Bf, k: u128) -> (Bf, i64) {
    let x = Bf::from_u128(k).mul(inv_s);
    (x, ln_q55(x))
}

/// Inputs of one evaluation: validated raw values with `T > 0`, moneyness precomputed.
#[derive(Clone, Copy, Debug)]
pub(crate) struct EvalIn<'a> {
    pub sp: &'a SpotPrep,
    pub k: u128,
    pub x: Bf,
    pub lnx: i64,
    pub vol_raw: u128,
    /// `time_terms(T, r)`.
    pub tt: TimeTerms,
}

#[cfg(test)]
pub(crate) fn evaluate_raw<'a>(i: &EvalIn<'a>) -> RiskResult<Eval<'a>> {
    let mut e = Eval::blank(i.sp);
    evaluate_into(i, &mut e)?;
    Ok(e)
}

/// [`evaluate_raw`] into an existing `Eval` (no copy of the ~300-byte result).
#[inline(never)]
pub(crate) fn evaluate_into<'a>(i: &EvalIn<'a>, e: &mut Eval<'a>) -> RiskResult<()> {
    e.sp = i.sp;
    e.k = i.k;
    e.sig = Bf::from_fixed_raw(i.vol_raw);
    e.tt = i.tt;
    e.n = norm(i.x, i.lnx, e.sig, &i.tt);
    e.c = core(&e.n)?;
    Ok(())
}

impl<'a> Eval<'a> {
    /// A placeholder to be filled by [`evaluate_into`].
    pub(crate) fn blank(sp: &'a SpotPrep) -> Eval<'a> {
        Eval {
            sp,
            k: 0,
            sig: Bf::ZERO,
            tt: TimeTerms::PLACEHOLDER,
            n: Norm {
                kp: Bf::ZERO,
                lnkp: 0,
                v: Bf::ZERO,
                w: Bf::ZERO,
            },
            c: CoreOut::default(),
        }
    }
}

/// Evaluation of a validated input with `T > 0`, into `e` (whose spot prep is replaced).
fn evaluate<'a>(input: &BsInput, sp: &'a SpotPrep, e: &mut Eval<'a>) -> RiskResult<()> {
    let k = input.strike.raw() as u128;
    let (x, lnx) = moneyness(sp.inv_s, k);
    evaluate_into(
        &EvalIn {
            sp,
            k,
            x,
            lnx,
            vol_raw: input.vol.raw() as u128,
            tt: time_terms(input.time_years.raw() as u128, sp.r_raw),
        },
        e,
    )
}

/// A spot shock.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SpotShock {
    /// Shocked spot `S (1 + s)`, raw.
    pub s_raw: u128,
    /// `1 / (1 + s)`.
    pub inv1s: Bf,
    /// `ln(1 + s)` at Q55.
    pub ln1s: i64,
}

/// Per-unit price, raw, at a shocked spot and a shocked `v = sigma' sqrt T` (with `1/v`), by
/// the precise core (`k'` and `ln k'` shifted by the shock). Same rounding and clamps as
/// [`price`]. The margin uses the fast evaluator (`fast.rs`) and falls back to this one.
#[inline(never)]
pub(crate) fn shocked_price_precise(
    kind: OptionKind,
    e: &Eval,
    sh: &SpotShock,
    v_w: &(Bf, Bf),
) -> RiskResult<u128> {
    let n = Norm {
        kp: e.n.kp.mul(sh.inv1s),
        lnkp: e.n.lnkp.saturating_sub(sh.ln1s),
        v: v_w.0,
        w: v_w.1,
    };
    let c = core(&n)?;
    clamp_price(kind, sh.s_raw, e.k, &e.tt, c.price(kind))
}

/// `ceil(a * b / 2^63)`.
#[inline]
pub(crate) fn mul_q63_up(a: u128, b: u128) -> RiskResult<u128> {
    if (b >> 64) == 0 {
        return wide::mul_u128_u64_shr(a, b as u64, 63, true).ok_or(RiskError::Overflow);
    }
    let p = wide::mul_128x128(a, b);
    wide::scale_down(&p, 63, 0, true)
}

/// `S * normalised price`, rounded up, clamped to the no-arbitrage bounds.
#[inline(always)]
fn clamp_price(
    kind: OptionKind,
    s: u128,
    k: u128,
    tt: &TimeTerms,
    norm_price: u128,
) -> RiskResult<u128> {
    let p = mul_q63_up(s, norm_price)?;
    Ok(clamp_raw(kind, s, k, tt, p))
}

/// A raw price clamped to the no-arbitrage bounds: calls to `[(S - K)+, S]`, puts to
/// `[(K e^-rT - S)+, K e^-rT]` with `K e^-rT` rounded down (exactly `K` when `rT = 0`).
#[inline(always)]
pub(crate) fn clamp_raw(kind: OptionKind, s: u128, k: u128, tt: &TimeTerms, p: u128) -> u128 {
    match kind {
        OptionKind::Call => p.min(s).max(s.saturating_sub(k)),
        OptionKind::Put => {
            // K e^(-rT), rounded down (exact K when rT = 0)
            let kd = if tt.rt == 0 {
                k
            } else {
                Bf::from_u128(k).mul(tt.disc).to_q128(0).unwrap_or(k).min(k)
            };
            p.min(kd).max(kd.saturating_sub(s))
        }
    }
}

/// The price in raw units, rounded up, clamped to the no-arbitrage bounds.
pub(crate) fn price_raw(kind: OptionKind, e: &Eval<'_>) -> RiskResult<i128> {
    wide::signed(
        clamp_price(kind, e.sp.s, e.k, &e.tt, e.c.price(kind))?,
        false,
    )
}

/// `round(x)` for a binary value, to the nearest integer.
#[inline(always)]
fn nearest(x: Bf) -> RiskResult<i128> {
    // common case: 1 <= value < 2^63, a 64-bit shift
    if x.e < 0 && x.e >= -63 {
        let v = x.m >> ((-1 - x.e) as u32); // value * 2
        return Ok(((v >> 1) + (v & 1)) as i128);
    }
    let v = x.to_q128(1).ok_or(RiskError::Overflow)?;
    wide::signed((v >> 1) + (v & 1), false)
}

/// Price only (cheaper than [`greeks`]). At or after expiry (`time_years <= 0`) returns intrinsic.
/// Rounded up (a short position owes it); within `[intrinsic, S]` for calls and
/// `[(K e^-rT - S)+, K e^-rT]` for puts.
pub fn price(input: &BsInput) -> RiskResult<Fixed> {
    validate(input)?;
    if input.time_years.raw() <= 0 {
        return intrinsic(input.kind, input.spot, input.strike);
    }
    let sp = SpotPrep::new(input.spot.raw() as u128, input.rate.raw() as u128);
    let mut e = Eval::blank(&sp);
    evaluate(input, &sp, &mut e)?;
    Ok(Fixed::from_raw(price_raw(input.kind, &e)?))
}

/// Price and Greeks. At or after expiry returns intrinsic, a step delta and zero
/// gamma, vega and theta.
///
/// Rounding: price up (see [`price`]); delta, gamma, vega and theta to the nearest unit of the
/// last place (sensitivities, not amounts owed; the margin engine aggregates the unrounded
/// values).
pub fn greeks(input: &BsInput) -> RiskResult<Greeks> {
    let (s, k) = validate(input)?;
    if input.time_years.raw() <= 0 {
        let itm = match input.kind {
            OptionKind::Call => s > k,
            OptionKind::Put => s < k,
        };
        let delta = match (input.kind, itm) {
            (OptionKind::Call, true) => Fixed::ONE,
            (OptionKind::Put, true) => Fixed::from_raw(-FIXED_ONE),
            _ => Fixed::ZERO,
        };
        return Ok(Greeks {
            price: intrinsic(input.kind, input.spot, input.strike)?,
            delta,
            ..Greeks::default()
        });
    }
    let sp = SpotPrep::new(input.spot.raw() as u128, input.rate.raw() as u128);
    let mut e = Eval::blank(&sp);
    evaluate(input, &sp, &mut e)?;
    greeks_of(input.kind, &e)
}

/// Public-precision Greeks of an evaluation (see [`greeks`] for the rounding).
#[inline(never)]
pub(crate) fn greeks_of(kind: OptionKind, e: &Eval<'_>) -> RiskResult<Greeks> {
    let price = price_raw(kind, e)?;
    // N(d1) to the nearest raw unit; the put delta is N(d1) - 1 exactly in raw units.
    let call_delta = ((wide::mul64(e.c.nd1, FIXED_ONE as u64) + (1u128 << 62)) >> 63) as i128;
    let delta = match kind {
        OptionKind::Call => call_delta,
        OptionKind::Put => call_delta - FIXED_ONE,
    };
    // phi(d1) S and phi(d1) / v are shared by vega, theta and gamma; phi(d1) (Q64) is
    // normalised so that a small phi keeps its full precision through the truncating
    // products (the margin's Greek factors start from the same value)
    let phi = Bf::from_u64(e.c.phi).shl(-64);
    let phi_s = phi.mul(e.sp.s_bf);
    let phi_w = phi.mul(e.n.w);
    // gamma = (Gamma S) / S, at 10^18 per price unit: raw18 = phi / v * 10^30 / S_raw
    let gamma = nearest(phi_w.mul(e.sp.g_scale))?;
    let vega = nearest(phi_s.mul(e.tt.sqrt_t))?;
    // decay = phi S sigma / (2 sqrt T) = phi S sigma^2 / (2 v)
    let decay = nearest(phi_s.mul(e.n.w).mul(e.sig).mul(e.sig).shl(-1))?;
    let kn = match kind {
        OptionKind::Call => e.c.knd2,
        OptionKind::Put => e.c.kn_d2,
    };
    // carry = r k' N(+-d2) S
    let kn = Bf::from_u128(kn).shl(-63);
    let carry = nearest(kn.mul(e.sp.rs_bf))?;
    let theta = match kind {
        OptionKind::Call => -decay - carry,
        OptionKind::Put => carry - decay,
    };
    Ok(Greeks {
        price: Fixed::from_raw(price),
        delta: Fixed::from_raw(delta),
        gamma: Fixed18::from_raw(gamma),
        vega: Fixed::from_raw(vega),
        theta: Fixed::from_raw(theta),
    })
}

/// Per-unit Greek factors of an evaluation, dimensionless at `Q = gq` (truncated; see
/// [`greek_q`]): the inputs of the margin's exact per-underlying Greek sums, which multiply by
/// the spot once per underlying instead of converting every position's Greeks to `Fixed`.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct GreekFactors {
    /// `phi(d1) / v` (cash gamma `Gamma S^2` per unit = `S` times it).
    pub pw: u128,
    /// `phi(d1) sqrt T` (vega per unit = `S` times it).
    pub ps: u128,
    /// `phi(d1) sigma / (2 sqrt T) = phi(d1) sigma^2 / (2 v)` (the decay part of theta per unit
    /// = `-S` times it).
    pub dc: u128,
}

/// The binary scale of the [`GreekFactors`] for a spot `S_raw`: `Q = bits(S_raw) + 4` within
/// `[64, 84]`, so one factor's truncation costs at most `S_raw 2^-Q <= 1/16` of a raw unit of
/// the per-unit Greek (for spots below `2^80` raw), like the public Greeks' own last place.
pub(crate) fn greek_q(sp: &SpotPrep) -> i32 {
    // s_bf = m 2^e with m in [2^63, 2^64): S_raw has e + 64 bits
    sp.s_bf.e.wrapping_add(68).clamp(64, 84)
}

/// The [`GreekFactors`] of an evaluation at scale `2^gq` (`gq <= 84`). Bounds for validated
/// inputs (`v >= 1e-8`, `sigma <= 20`, `T < 2^87`): `pw < 2^26`, `dc < 2^23`, `ps < 2^43`, so
/// every factor fits 128 bits. Written into `g` (no copy of the result).
#[inline(always)]
pub(crate) fn greek_factors_into(e: &Eval<'_>, gq: i32, g: &mut GreekFactors) -> RiskResult<()> {
    if e.c.phi == 0 {
        *g = GreekFactors::default();
        return Ok(());
    }
    let phi = Bf::from_u64(e.c.phi).shl(-64);
    let pw = phi.mul(e.n.w);
    let q = |x: Bf| x.to_q128(gq).ok_or(RiskError::Overflow);
    g.pw = q(pw)?;
    g.ps = q(phi.mul(e.tt.sqrt_t))?;
    g.dc = q(pw.mul(e.sig).mul(e.sig).shl(-1))?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::float_arithmetic)]
#[path = "tests/bs.rs"]
mod tests;
