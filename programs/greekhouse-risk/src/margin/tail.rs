//! IM's extended (tail) scenario (docs/risk-model.md 6.9).
//!
//! The box of a level stops at `+-h'`; a deep out-of-the-money wing loses little there and
//! much beyond. The tail revalues the book at two further points, spot `-tail_down` and
//! `+tail_up`, every leg at IM's adverse vol (shorts up, longs down), and IM's add-on is at
//! least `tail_weight` times the worst loss at them (SPAN's extreme scenario: the larger of the
//! two, not their sum). MM never uses it.
//!
//! The tail is taken as the book's value at IM's box end on the same side (`-h'_IM` for the
//! down tail, `+h'_IM` for the up one), already computed, plus a difference summed per leg
//! (normalised at the end's spot), every term an upper bound of the account's loss:
//! - a short of the tail's own kind (a put for the down tail, a call for the up one) is
//!   revalued at the tail (one fast revaluation): its value there less its value at the end
//!   from below;
//! - a short of the tail's own kind deep in the money at the end (`K/a >= 1 + 2v`, `K/b <= 1 -
//!   2v`, `v = sigma' sqrt T`) is nearly linear beyond it, so a linear bound replaces the
//!   revaluation: a put by the chord from `(0, K)` to `(a, P(a))`
//!   (its value is convex in spot and at most `K` at zero): `(1 - x/a) (K - P(a))` more; a
//!   call by its slope, at most one: `y - b` more;
//! - a short of the other kind keeps its value at the end, an upper bound (a call is worth less
//!   at a lower spot and a put at a higher one, at the same vol, and the tail lies beyond the
//!   end): nothing;
//! - a long of the tail's own kind keeps its value at the end, a lower bound by the same
//!   monotonicity: nothing; a long of the other kind counts for nothing at the tail (from
//!   below): its value at the end (as the end's sums took it) is added back.
//!
//! A direction that does not reach beyond IM's box end adds nothing: the box's add-on already
//! bounds the loss at every point inside it, and the weight is at most one.

use super::*;
use crate::wide::mulhi_fast;

/// IM's tail for one underlying.
pub(super) struct TailPrep {
    /// Per direction (down, up): whether the tail reaches beyond IM's box end on that side.
    pub(super) on: [bool; 2],
    /// The shocks at Q63 (the linked collateral's loss and gain, the lazily prepared
    /// scenario of a revaluation: [`tail_scen`]) and the shocked spots (raw, rounded away from
    /// the spot).
    pub(super) h: [u64; 2],
    pub(super) s_tail: [u128; 2],
    /// How far the tail lies beyond the box end, relative to the end: `(tail - h') / (1 -+ h')`
    /// at Q32, rounded up and down. Down: the put chord's `1 - x/a`; up: the call slope's
    /// `y/b - 1`, i.e. `y - b` per unit normalised at `b`. And `1 -+` it (`x/a`, `y/b`) turns
    /// a normalised price at the tail's spot into one at the end's.
    pub(super) beyond_hi: [u64; 2],
    pub(super) beyond_lo: [u64; 2],
    pub(super) weight: Fixed,
}

impl TailPrep {
    /// No tail (the gap report, or weight 0).
    pub(super) const OFF: TailPrep = TailPrep {
        on: [false, false],
        h: [0, 0],
        s_tail: [0, 0],
        beyond_hi: [0, 0],
        beyond_lo: [0, 0],
        weight: Fixed::ZERO,
    };

    pub(super) fn on(&self) -> bool {
        self.on[0] || self.on[1]
    }
}

/// The tail of underlying `und` (spot `s` raw, IM's widened shock `h_im` at Q63), with `ends`
/// the scenarios of IM's box ends `-h'_IM`, `+h'_IM`.
pub(super) fn tail_prep(
    und: &UnderlyingRisk,
    s: u128,
    h_im: u64,
    ends: [&Scen; 2],
) -> RiskResult<TailPrep> {
    let p = &und.params;
    if !p.tail_weight.is_positive() {
        return Ok(TailPrep::OFF);
    }
    let mut t = TailPrep {
        weight: p.tail_weight,
        ..TailPrep::OFF
    };
    for (d, shock) in [p.tail_down, p.tail_up].into_iter().enumerate() {
        // raw (10^-12, validated at most 0.95) to Q63, rounded up: raw 2^63 / 10^12 exactly
        // in 32-bit digits (below 2^63)
        let (h, inexact) = wide::div_pow10_u128((shock.raw() as u128) << 63, 12);
        let h = (h + u128::from(inexact)) as u64;
        if h <= h_im {
            continue;
        }
        let up = d == 1;
        let mult = if up { ONE_Q63 + h } else { ONE_Q63 - h };
        t.on[d] = true;
        t.h[d] = h;
        t.s_tail[d] = wide::mul_u128_u64_shr(s, mult, 63, up)
            .ok_or(RiskError::Overflow)?
            .max(1);
        // (tail - h') times 1 / (1 -+ h'), the end's reciprocal (from below, relative error
        // below 2^-61): the product from below as it truncates, nudged up over both from above
        let gap = Bf::from_u64(h - h_im).shl(-63);
        let inv_end = ends[d].shock.inv1s;
        t.beyond_lo[d] = gap.mul(inv_end).to_q64(32);
        t.beyond_hi[d] = nudge_up(gap.mul(nudge_up(nudge_up(inv_end))))
            .to_q128_round(32, true)
            .ok_or(RiskError::Overflow)? as u64;
    }
    Ok(t)
}

/// The tail's scenario in direction `d` (vol index 0: IM's adverse vols), prepared on a leg's
/// first need (the logarithm and reciprocal of `1 + s`, about a thousand CU) and kept in `a`.
fn tail_scen(a: &mut Agg, ctx: &AggCtx<'_>, d: usize) -> RiskResult<Scen> {
    if let Some(sc) = a.tail_scen[d] {
        return Ok(sc);
    }
    let sc = scen(ctx.sp.s, d == 1, ctx.tail.h[d], 0)?;
    a.tail_scen[d] = Some(sc);
    Ok(sc)
}

/// One live leg's tail difference (see the module documentation).
#[inline(never)]
pub(super) fn accumulate_tail(
    a: &mut Agg,
    c: &Cur<'_>,
    kind: OptionKind,
    qty: &Qty,
    ctx: &AggCtx<'_>,
) -> RiskResult<()> {
    let is_put = kind == OptionKind::Put;
    let vw = &c.shocked.vw[0];
    let pick = |(cn, pn): (u64, u64)| if is_put { pn } else { cn };
    let tail = ctx.tail;
    if c.long {
        // the other kind's direction: the long's value at that end, as the end's sums took it
        let d = usize::from(is_put);
        if !tail.on[d] {
            return Ok(());
        }
        let j = ctx.im_ends[d];
        if c.shocked.fast {
            let v = pick(c.shocked.vals[j]).saturating_sub(LONG_FAST_DEDUCTION_Q32);
            acc_q32(&mut a.tail_n[d], v, qty)?;
        } else {
            let end = &ctx.scens[j].shock;
            let pr = bs::shocked_price_precise(kind, &c.e, end, vw)?;
            acc(
                &mut a.tail_r[d],
                pr.saturating_sub(long_precise_deduction(end.s_raw)),
                qty,
            )?;
        }
        return Ok(());
    }
    // a short: its own kind's direction
    let d = usize::from(!is_put);
    if !tail.on[d] {
        return Ok(());
    }
    let j = ctx.im_ends[d];
    if !c.shocked.fast {
        let sc = tail_scen(a, ctx, d)?;
        let end = &ctx.scens[j].shock;
        let at_tail = bs::shocked_price_precise(kind, &c.e, &sc.shock, vw)?;
        let at_end = bs::shocked_price_precise(kind, &c.e, end, vw)?
            .saturating_sub(long_precise_deduction(end.s_raw));
        return acc(&mut a.tail_r[d], at_tail.saturating_sub(at_end), qty);
    }
    // its value at the end from below (the fast value less twice its allowance, as a long's)
    let end_low = pick(c.shocked.vals[j]).saturating_sub(LONG_FAST_DEDUCTION_Q32);
    // K over the end's spot at Q32, from above (the fast evaluator's `k''`, up to two units low)
    let k_end = mulhi_fast(c.shocked.kq40, ctx.fast[j].inv1s_q56) + 4;
    // deep in the money at the end (`K/a >= 1 + 2v` for a put, `K/b + 2v <= 1` for a call,
    // `v = sigma' sqrt T` at IM's adverse vol): the option is nearly linear beyond, and the
    // linear bound is within about a percent of the revaluation (closer to the money it can
    // be a quarter above it, so those are revalued). Either way a bound from above.
    let two_v = c.shocked.lv[0].2.saturating_mul(4); // v at Q31, as 2v at Q32
    let in_the_money = if is_put {
        k_end >= (1 << 32) + two_v
    } else {
        k_end.saturating_add(two_v) <= 1 << 32
    };
    let diff = if in_the_money && is_put {
        // the chord: (1 - x/a) (K - P(a)), normalised at a, rounded up
        let p = wide::mul64(k_end.saturating_sub(end_low), tail.beyond_hi[0]);
        ((p >> 32) as u64) + u64::from(p as u32 != 0)
    } else if in_the_money {
        // the slope: y - b per unit, normalised at b
        tail.beyond_hi[1]
    } else {
        // revalued: the tail's value (from above) at the end's normalisation, rounded up
        let sc = tail_scen(a, ctx, d)?;
        // x/a = 1 - beyond, y/b = 1 + beyond, from above (below 2 at Q32)
        let ratio = if d == 0 {
            (1u64 << 32) - tail.beyond_lo[0]
        } else {
            (1u64 << 32) + tail.beyond_hi[1]
        };
        // v < 2^60 in the fast range (k'' < 2^27 at Q32)
        let p = wide::mul64(pick(fast::shocked_one(&c.shocked, &sc.fast)), ratio);
        let at_end = ((p >> 32) as u64) + u64::from(p as u32 != 0);
        // never below the end's value: the tail lies beyond the end where the option gains
        at_end.saturating_sub(end_low)
    };
    acc_q32(&mut a.tail_n[d], diff, qty)
}

/// The tail's difference from the book's value at IM's box end on direction `d`'s side, raw,
/// from above (zero when nothing was summed): in binary floating point, each product nudged
/// up (the tail is a bound from above anyway, and this costs a fraction of an exact decimal
/// rounding), exactly when a sum leaves 128 bits or a precise price entered.
pub(super) fn tail_difference(a: &Agg, d: usize, s_end: u128) -> RiskResult<i128> {
    let (n, r) = (&a.tail_n[d], &a.tail_r[d]);
    if !wide::is_zero(r) {
        return value_at(n, r, s_end, true);
    }
    let Some(x) = wide::to_u128(n) else {
        return value_at(n, r, s_end, true);
    };
    if x == 0 {
        return Ok(0);
    }
    // x (10^-12 x 2^-32 per unit of s_end) times s_end (raw) is 10^-12 x 2^-32 x raw money
    let v = nudge_up(
        nudge_up(nudge_up(Bf::from_u128(x)).mul(nudge_up(Bf::from_u128(s_end))))
            .mul(nudge_up(Bf::TEN_M12)),
    )
    .shl(-32);
    let m = nudge_up(v)
        .to_q128_round(0, true)
        .ok_or(RiskError::Overflow)?;
    wide::signed(m, false)?
        .checked_add(1)
        .ok_or(RiskError::Overflow)
}

/// `weight x max(0, worst loss at the tail's points)`, raw, rounded up: `loss[d]` is the book's
/// loss at direction `d` without the linked collateral, which loses `credit x h` at the down
/// point (rounded up) and gains it at the up point (rounded down). Zero when the tail is off.
#[allow(clippy::needless_range_loop)] // d indexes three arrays and picks the rounding
pub(super) fn tail_addon(t: &TailPrep, loss: &[i128; 2], credit: i128) -> RiskResult<i128> {
    let mut worst = 0i128;
    for d in 0..2 {
        if !t.on[d] {
            continue;
        }
        let c = if d == 0 {
            mul_q63(credit, t.h[0], true)?
        } else {
            mul_q63(credit, t.h[1], false)?
                .checked_neg()
                .ok_or(RiskError::Overflow)?
        };
        worst = worst.max(loss[d].checked_add(c).ok_or(RiskError::Overflow)?);
    }
    if worst == 0 {
        return Ok(0);
    }
    // weight <= 1: the same product as the floor's, rounded up
    level_floor(Fixed::from_raw(worst), t.weight)
}
