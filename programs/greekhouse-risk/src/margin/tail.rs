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
    /// scenario of a revaluation: [`tail_scen`], the shocked spot of an expired leg:
    /// [`TailPrep::spot`]).
    pub(super) h: [u64; 2],
    /// How far the tail lies beyond the box end, relative to the end: `(tail - h') / (1 -+ h')`
    /// at Q32, rounded up and down (down only: the up side needs no lower value). Down: the put
    /// chord's `1 - x/a`; up: the call slope's `y/b - 1`, i.e. `y - b` per unit normalised at
    /// `b`. And `1 -+` it (`x/a`, `y/b`) turns a normalised price at the tail's spot into one
    /// at the end's.
    pub(super) beyond_hi: [u64; 2],
    pub(super) beyond_lo: [u64; 2],
    /// A deferred short's bound on its tail difference per unit ([`DeferredShort`]):
    /// `beyond_hi` plus the fast evaluator's slack.
    pub(super) slope_bound: [u64; 2],
    pub(super) weight: Fixed,
}

impl TailPrep {
    /// No tail (the gap report, or weight 0).
    pub(super) const OFF: TailPrep = TailPrep {
        on: [false, false],
        h: [0, 0],
        beyond_hi: [0, 0],
        beyond_lo: [0, 0],
        slope_bound: [0, 0],
        weight: Fixed::ZERO,
    };

    pub(super) fn on(&self) -> bool {
        self.on[0] || self.on[1]
    }

    /// The tail's spot in direction `d` from spot `s` (raw, rounded away from the spot, at
    /// least one unit): only an expired leg needs it.
    pub(super) fn spot(&self, s: u128, d: usize) -> RiskResult<u128> {
        let up = d == 1;
        let mult = if up {
            ONE_Q63 + self.h[d]
        } else {
            ONE_Q63 - self.h[d]
        };
        Ok(wide::mul_u128_u64_shr(s, mult, 63, up)
            .ok_or(RiskError::Overflow)?
            .max(1))
    }
}

/// The tail of underlying `und` (IM's widened shock `h_im` at Q63), with `ends` the scenarios
/// of IM's box ends `-h'_IM`, `+h'_IM`.
pub(super) fn tail_prep(und: &UnderlyingRisk, h_im: u64, ends: [&Scen; 2]) -> RiskResult<TailPrep> {
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
        t.on[d] = true;
        t.h[d] = h;
        // (tail - h') times 1 / (1 -+ h'), the end's reciprocal (from below, relative error
        // below 2^-61): the product from below as it truncates, nudged up over both from above
        let gap = Bf::from_u64(h - h_im).shl(-63);
        let inv_end = ends[d].shock.inv1s;
        if !up {
            t.beyond_lo[d] = gap.mul(inv_end).to_q64(32);
        }
        t.beyond_hi[d] = nudge_up(gap.mul(nudge_up(nudge_up(inv_end))))
            .to_q128_round(32, true)
            .ok_or(RiskError::Overflow)? as u64;
        t.slope_bound[d] = t.beyond_hi[d] + SLOPE_SLACK_Q32;
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
    if !in_the_money && ctx.defer_tail && a.n_deferred < MAX_DEFERRED {
        // revalued only if the slope bound could bind ([`tail_addon_of`]): kept, and the
        // bound summed meanwhile
        a.deferred[a.n_deferred] = DeferredShort {
            lv: c.shocked.lv[0],
            lnk: c.shocked.lnk,
            kq40: c.shocked.kq40,
            end_low,
            q: qty.q,
            put: is_put,
        };
        a.n_deferred += 1;
        a.tail_slope_q[d] = a.tail_slope_q[d]
            .checked_add(qty.q)
            .ok_or(RiskError::Overflow)?;
        return Ok(());
    }
    let diff = if in_the_money && is_put {
        // the chord: (1 - x/a) (K - P(a)), normalised at a, rounded up
        let p = wide::mul64(k_end.saturating_sub(end_low), tail.beyond_hi[0]);
        ((p >> 32) as u64) + u64::from(p as u32 != 0)
    } else if in_the_money {
        // the slope: y - b per unit, normalised at b
        tail.beyond_hi[1]
    } else {
        let sc = tail_scen(a, ctx, d)?;
        revalued_difference(tail, d, fast::shocked_one(&c.shocked, &sc.fast), end_low)
    };
    acc_q32(&mut a.tail_n[d], diff, qty)
}

/// A short revalued at the tail of direction `d` (its fast (call, put) values there, from
/// above): that value at the end's normalisation, rounded up, less `end_low`, its value at the
/// end from below. Never negative: the tail lies beyond the end where the option gains.
#[inline(always)]
fn revalued_difference(tail: &TailPrep, d: usize, at_tail: (u64, u64), end_low: u64) -> u64 {
    // x/a = 1 - beyond, y/b = 1 + beyond, from above (below 2 at Q32)
    let ratio = if d == 0 {
        (1u64 << 32) - tail.beyond_lo[0]
    } else {
        (1u64 << 32) + tail.beyond_hi[1]
    };
    let v = if d == 0 { at_tail.1 } else { at_tail.0 };
    // v < 2^60 in the fast range (k'' < 2^27 at Q32)
    let p = wide::mul64(v, ratio);
    let at_end = ((p >> 32) as u64) + u64::from(p as u32 != 0);
    at_end.saturating_sub(end_low)
}

/// Shorts whose tail revaluation an underlying may defer ([`DeferredShort`]); the rest are
/// revalued as they come.
pub(super) const MAX_DEFERRED: usize = 8;

/// What [`revalued_difference`] needs of a fast short of the tail's kind, kept until the tail
/// is known to matter: one fast revaluation (about 500 CU with the tail scenario's share)
/// saved per short when it does not.
#[derive(Clone, Copy, Debug)]
pub(super) struct DeferredShort {
    /// [`fast::LegShocks`]'s `lv` at IM's adverse vol, `lnk` and `kq40`
    lv: (u64, i32, u64),
    lnk: i64,
    kq40: u64,
    end_low: u64,
    q: u128,
    put: bool,
}

impl DeferredShort {
    pub(super) const BLANK: DeferredShort = DeferredShort {
        lv: (0, 0, 0),
        lnk: 0,
        kq40: 0,
        end_low: 0,
        q: 0,
        put: false,
    };
}

/// What a deferred short's revalued difference can exceed its slope bound by, at Q32. The
/// bound `beyond` holds for true prices (an option's value moves by at most the spot's move).
/// The revalued difference adds: at the tail, the fast evaluator's error, its allowance and
/// `k''`'s truncation (16 + 32 + 4 units at the tail's normalisation), times `x/a < 1` or
/// `y/b < 2`: 104; at the end, the value from below (`LONG_FAST_DEDUCTION`, 68, less the
/// allowance net of the error and truncation, 12): 56; and two roundings: at most 162.
const SLOPE_SLACK_Q32: u64 = 256;

/// IM's tail add-on of an underlying (see [`tail_addon`]) from `end_loss`, the book's loss at
/// IM's box ends without the linked collateral; `[im, mm]` are the add-ons it meets: IM's is
/// `max(im, tail)`, size-charged, then at least `mm`.
///
/// When the deferred shorts at their slope bound already make the tail irrelevant (the bound
/// at most `im`, or its size-charged value at most `mm`) the bound's add-on is returned: IM's
/// add-on is then what it would be with the revalued tail (which is at most the bound, and
/// the size charge is monotone), and no deferred short is revalued (docs/risk-model.md 6.9).
pub(super) fn tail_addon_of(
    a: &mut Agg,
    ctx: &AggCtx<'_>,
    tm: &mut TimeMemo,
    end_loss: [i128; 2],
    credit: i128,
    [im, mm]: [i128; 2],
) -> RiskResult<i128> {
    let tail = ctx.tail;
    if !tail.on() {
        return Ok(0);
    }
    let mut loss = [0i128; 2];
    if a.n_deferred > 0 {
        for d in 0..2 {
            if tail.on[d] {
                let mut n = a.tail_n[d];
                if a.tail_slope_q[d] != 0 {
                    acc_q32(&mut n, tail.slope_bound[d], &Qty::new(a.tail_slope_q[d]))?;
                }
                loss[d] = add(
                    end_loss[d],
                    tail_difference(&n, &a.tail_r[d], a.s_scen[ctx.im_ends[d]])?,
                )?;
            }
        }
        let bound = tail_addon(tail, &loss, credit)?;
        if bound <= im || size_charged(bound, &ctx.und.params, a.short_q)? <= mm {
            return Ok(bound);
        }
        revalue_deferred(a, ctx, tm)?;
    }
    for d in 0..2 {
        if tail.on[d] {
            loss[d] = add(
                end_loss[d],
                tail_difference(&a.tail_n[d], &a.tail_r[d], a.s_scen[ctx.im_ends[d]])?,
            )?;
        }
    }
    tail_addon(tail, &loss, credit)
}

fn add(x: i128, y: i128) -> RiskResult<i128> {
    x.checked_add(y).ok_or(RiskError::Overflow)
}

/// The deferred shorts revalued at their tails, into the tail's sums.
#[inline(never)]
fn revalue_deferred(a: &mut Agg, ctx: &AggCtx<'_>, tm: &mut TimeMemo) -> RiskResult<()> {
    for i in 0..a.n_deferred {
        let e = a.deferred[i];
        let d = usize::from(!e.put);
        let sc = tail_scen(a, ctx, d)?;
        let v = fast::shocked_one_of(e.lv, e.lnk, e.kq40, &sc.fast);
        let diff = revalued_difference(ctx.tail, d, v, e.end_low);
        acc_q32(&mut a.tail_n[d], diff, &Qty::new(e.q))?;
    }
    a.n_deferred = 0;
    remember_tail_scens(a, ctx.tail, tm);
    Ok(())
}

/// The tail scenarios `a` prepared, remembered for the account's next underlyings.
pub(super) fn remember_tail_scens(a: &Agg, tail: &TailPrep, tm: &mut TimeMemo) {
    for (d, memo) in tm.tails.iter_mut().enumerate() {
        if let Some(sc) = &a.tail_scen[d] {
            *memo = Some((tail.h[d], sc.shock.inv1s, sc.shock.ln1s));
        }
    }
}

/// The tail's difference from the book's value at IM's box end on direction `d`'s side, raw,
/// from above (zero when nothing was summed): in binary floating point, each product nudged
/// up (the tail is a bound from above anyway, and this costs a fraction of an exact decimal
/// rounding), exactly when a sum leaves 128 bits or a precise price entered.
pub(super) fn tail_difference(n: &U256, r: &U256, s_end: u128) -> RiskResult<i128> {
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
