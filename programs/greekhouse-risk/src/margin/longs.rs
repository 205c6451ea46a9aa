//! Margin of an underlying whose book holds a live long (docs/risk-model.md, 6.5).
//!
//! Why v2's two box ends are not enough here: with longs the book's loss is (convex shorts)
//! minus (convex longs), so its maximum over the spot interval may lie inside it, and a long
//! loses when its vol falls. So, per underlying:
//! - vol: every leg at the adverse end of its vol box, shorts at `sigma m`, longs at
//!   `sigma / m` (`m` the level's term-scaled multiplier). The loss is monotone in each leg's
//!   own vol, so this is the worst vol state at every spot, exactly;
//! - spot: the grid `{-h'_IM, -h'_MM, 0, +h'_MM, +h'_IM}`, all at IM's adverse vols (MM takes
//!   the three inner points: IM's vols are at least as adverse as MM's). Between two points
//!   `a < b` the loss exceeds the larger end by at most
//!   `(b - a)^2 S / (8 sqrt(2 pi) (1 + a)) sum_longs q / v`: a long's curvature in the relative
//!   shock is `S^2 Gamma = S phi(d1) / ((1 + s) v) <= S / ((1 + a) v sqrt(2 pi))`, and a function
//!   whose second derivative is at least `-C` rises at most `C (b - a)^2 / 8` above its chord;
//! - cap: each expiry settles alone, so the book can cost at most the sum over expiries of the
//!   largest value of that expiry's payoff (piecewise linear: at zero or at a strike), the net
//!   short calls' part carried by linked collateral that covers it; without such cover, no cap;
//! - the requirement is never below zero: a long's value offsets its own underlying only.
//!
//! Longs are valued from below everywhere (aggregate.rs), shorts from above, so every rounding
//! falls on the account. IM also takes the tail (tail.rs) at the same adverse vols.

use super::*;

/// Points of the spot grid: `-h'_IM, -h'_MM, 0, +h'_MM, +h'_IM`.
const GRID: usize = 5;
/// MM's points: the three inner ones.
const MM_POINTS: core::ops::Range<usize> = 1..4;
/// Most legs of one underlying the payoff cap sweeps (beyond: no cap, which only costs margin).
const MAX_CAP_LEGS: usize = 16;
/// `1 / (8 sqrt(2 pi))` at 2^-64, rounded up.
const CURVATURE_Q64: u64 = 919_898_268_343_412_807;

/// Whether underlying `idx` has a live long (it is then margined here).
pub(super) fn holds_live_long(positions: &[PositionRisk], idx: u8) -> bool {
    positions.iter().any(|p| {
        p.underlying == idx && p.side == Side::Long && p.contracts > 0 && p.time_years.is_positive()
    })
}

/// The spot grid: per point, the shock at Q63 and its direction.
struct Grid {
    h: [u64; GRID],
    up: [bool; GRID],
}

/// One underlying's book (both sides, one pass) reduced to what the margin needs: the shorts
/// valued from above, the longs from below (aggregate.rs), netted.
struct GridBook {
    /// The net liability from above (shorts' mark ceiling less longs' mark floor), raw.
    liab: i128,
    /// MM's and IM's add-ons before the size charge and the cap: the worst losses over their
    /// points with the linked collateral and the gaps' allowances, IM's at least its weighted
    /// tail, each at least its floor.
    addon_mm: i128,
    addon_im: i128,
    /// (delta, cash gamma, vega, theta) of the account (a short call's delta negative).
    greeks: (i128, i128, i128, i128),
    /// the live shorts' quantity (IM's size charge)
    short_q: u128,
}

/// The underlying's summary when its book holds a live long.
#[inline(never)]
pub(super) fn underlying_margin_with_longs(
    ctx: &MarginCtx<'_>,
    idx: u8,
    linked: &Linked,
    tm: &mut TimeMemo,
) -> RiskResult<UnderlyingSummary> {
    let account = &ctx.account;
    let UnderlyingPrep {
        und,
        s,
        sp,
        h_im,
        h_mm,
    } = prepare(account, idx)?;
    let p = &und.params;
    let grid = Grid {
        h: [h_im, h_mm, 0, h_mm, h_im],
        up: [false, false, false, true, true],
    };
    // every point at vol index 0: IM's adverse vols
    let scens = [
        scen(s, false, h_im, 0)?,
        scen(s, false, h_mm, 0)?,
        scen(s, false, 0, 0)?,
        scen(s, true, h_mm, 0)?,
        scen(s, true, h_im, 0)?,
    ];
    let fast = scens.map(|x| x.fast);
    let vp = VolPrep::new(und);
    let tail = tail_prep(und, h_im, [&scens[0], &scens[GRID - 1]])?;
    // both sides in one pass (one set-up, one vol and time-term lookup per expiry), collecting
    // the legs of the payoff cap as it goes
    let mut legs = PayoffLegs::new();
    let book = grid_book(
        &AggCtx {
            und,
            positions: account.positions,
            idx,
            sp: &sp,
            scens: &scens,
            fast: &fast,
            mode: VolMode::Grid,
            vp: &vp,
            gq: bs::greek_q(&sp),
            greeks: ctx.config.greeks,
            tail: &tail,
            im_ends: [0, GRID - 1],
            defer_tail: ctx.defer_tail,
        },
        tm,
        &mut legs,
        &grid,
        linked,
    )?;
    let addon_mm = book.addon_mm;
    // IM's size charge (size.rs), before the cap
    let addon_im = size_charged(book.addon_im, p, book.short_q)?.max(addon_mm);

    let mut liab = book.liab;
    // IM's add-on is the larger: what the cap could bind
    let requirement = liab
        .max(0)
        .checked_add(addon_im)
        .ok_or(RiskError::Overflow)?;
    let (cap, calls_covered) = payoff_cap(&legs, s, linked, requirement)?;
    let (mut addon_im, mut addon_mm) = (addon_im, addon_mm);
    if let Some(cap) = cap {
        liab = liab.min(cap);
        let room = sub(cap, liab)?;
        addon_im = addon_im.min(room);
        addon_mm = addon_mm.min(room);
    }
    // requirement = max(0, liability + add-on): the reported liability is never negative,
    // the longs' excess value goes to the mark-to-market only
    let liability = liab.max(0);
    let reported = |addon: i128| -> RiskResult<i128> {
        Ok(liab.checked_add(addon).ok_or(RiskError::Overflow)?.max(0) - liability)
    };
    let (delta, cash_gamma, vega, theta) = book.greeks;
    Ok(UnderlyingSummary {
        underlying: idx,
        liability: Fixed::from_raw(liability),
        long_value: Fixed::from_raw(liab.checked_neg().ok_or(RiskError::Overflow)?.max(0)),
        delta: Fixed::from_raw(delta),
        cash_gamma: Fixed::from_raw(cash_gamma),
        vega: Fixed::from_raw(vega),
        theta: Fixed::from_raw(theta),
        addon_initial: Fixed::from_raw(reported(addon_im)?),
        addon_maintenance: Fixed::from_raw(reported(addon_mm)?),
        linked_collateral: Fixed::from_raw(linked.credit[1]),
        calls_covered,
    })
}

fn sub(x: i128, y: i128) -> RiskResult<i128> {
    x.checked_sub(y).ok_or(RiskError::Overflow)
}

/// Both sides aggregated in one pass and reduced to a [`GridBook`], in its own frame (the
/// aggregate is about 2 KB; sBPF frames hold 4 KB).
#[inline(never)]
fn grid_book(
    ctx: &AggCtx<'_>,
    tm: &mut TimeMemo,
    legs: &mut PayoffLegs,
    grid: &Grid,
    linked: &Linked,
) -> RiskResult<GridBook> {
    let mut a = Agg::new();
    aggregate(ctx, &mut a, tm, Some(legs))?;
    let s = a.s;
    let (short_floor, short_ceil) = mark_bounds(&a, s)?;
    let (long_floor, long_ceil) = long_mark_bounds(&a, s)?;
    let base = sub(short_floor, long_ceil)?;
    let mut net = [0i128; GRID];
    for (j, n) in net.iter_mut().enumerate() {
        *n = sub(net_value(&a, j, &spot_scale(a.s_scen[j]))?, base)?;
    }
    let allowance = gap_allowances(grid, &a.inv_v, s)?;
    let p = &ctx.und.params;
    let floor_money = floor_money(&a)?;
    let addon_mm = grid_worst(grid, &net, &allowance, linked.credit[1], MM_POINTS)?
        .max(level_floor(floor_money, p.maintenance.floor_pct)?);
    let addon_im = grid_worst(grid, &net, &allowance, linked.credit[0], 0..GRID)?
        .max(level_floor(floor_money, p.initial.floor_pct)?);
    // IM's tail (tail.rs): at least the weighted worst loss at its two points
    let end_loss = ctx.im_ends.map(|j| net[j]);
    let tail = tail_addon_of(
        &mut a,
        ctx,
        tm,
        end_loss,
        linked.credit[0],
        [addon_im, addon_mm],
    )?;
    let mut book = GridBook {
        liab: sub(short_ceil, long_floor)?,
        addon_mm,
        addon_im: addon_im.max(tail),
        greeks: (0, 0, 0, 0),
        short_q: a.short_q,
    };
    if a.greeks {
        book.greeks = net_greeks(&a, ctx.sp.r_raw)?;
    }
    Ok(book)
}

/// The longs' mark (live longs only: `S` times their normalised marks, rounded once), rounded
/// down and up.
fn long_mark_bounds(a: &Agg, s: u128) -> RiskResult<(i128, i128)> {
    let (f, inexact) = mul_shift_floor(&a.long.liab_n, s, 63, 12)?;
    let floor = wide::signed(f, false)?;
    Ok((floor, floor + inexact as i128))
}

/// The account's (delta, cash gamma, vega, theta): the longs' less the shorts' (the longs' from
/// an aggregate of their own sums, in this separate frame).
#[inline(never)]
fn net_greeks(a: &Agg, r_raw: u128) -> RiskResult<(i128, i128, i128, i128)> {
    let b = greeks_of(a, a.s, r_raw)?;
    let mut l = Agg::new();
    l.gq = a.gq;
    l.liab_n = a.long.liab_n;
    l.dsum = a.long.dsum;
    l.put_q = a.long.put_q;
    l.gamma = a.long.gamma;
    l.vega = a.long.vega;
    l.decay = a.long.decay;
    let g = greeks_of(&l, a.s, r_raw)?;
    Ok((
        sub(g.0, b.0)?,
        sub(g.1, b.1)?,
        sub(g.2, b.2)?,
        sub(g.3, b.3)?,
    ))
}

/// A shocked spot (raw) times `10^-12 x 2^-32` (a normalised sum to money raw) in binary
/// floating point, from above and from below.
fn spot_scale(s: u128) -> (Bf, Bf) {
    let x = Bf::from_u128(s); // truncates: from below
    let hi = nudge_up(nudge_up(nudge_up(x).mul(nudge_up(Bf::TEN_M12))).shl(-32));
    let lo = x.mul(nudge_down(Bf::TEN_M12)).shl(-32);
    (hi, lo)
}

/// `x` lowered by 64 units of its mantissa (relative `2^-57`), at least that much below.
fn nudge_down(x: Bf) -> Bf {
    if x.m == 0 {
        return x;
    }
    if x.m < (1 << 63) + 64 {
        // (2^64 - 128) 2^(e - 1) = (2^63 - 64) 2^e, below any normalised mantissa
        return Bf {
            m: u64::MAX - 127,
            e: x.e - 1,
        };
    }
    Bf {
        m: x.m - 64,
        e: x.e,
    }
}

/// The shorts' value from above less the longs' from below at grid point `j`, raw, toward
/// `+inf`. Usual case (both fast sums fit 128 bits, no precise price): `x s - y (s - 1) =
/// (x - y) s + y` in binary floating point with the spot's `scale` (from above for a positive
/// difference, from below for the magnitude of a negative one) and `y`'s term bounded by
/// `y 2^-71 + 1` (`10^-12 x 2^-32 < 2^-71`): within `2^-55` relative and two units above the
/// exact value, at a fraction of the cost of an exact decimal rounding. Otherwise each side
/// exactly on its own.
fn net_value(a: &Agg, j: usize, scale: &(Bf, Bf)) -> RiskResult<i128> {
    let s_up = a.s_scen[j];
    let (sn, sr) = (&a.reval_n[j], &a.reval_r[j]);
    let (ln, lr) = (&a.reval_n[LONG_SLOTS + j], &a.reval_r[LONG_SLOTS + j]);
    if wide::is_zero(sr) && wide::is_zero(lr) {
        if let (Some(x), Some(y)) = (wide::to_u128(sn), wide::to_u128(ln)) {
            let y_term = wide::signed((y >> 71) + 1, false)?;
            let v = if x >= y {
                let m = nudge_up(Bf::from_u128(x - y).mul(scale.0))
                    .to_q128_round(0, true)
                    .ok_or(RiskError::Overflow)?;
                wide::signed(m, false)?
            } else {
                // the magnitude from below (both factors and the product truncate)
                let m = Bf::from_u128(y - x)
                    .mul(scale.1)
                    .to_q128(0)
                    .ok_or(RiskError::Overflow)?;
                wide::signed(m, true)?
            };
            return v.checked_add(y_term).ok_or(RiskError::Overflow);
        }
    }
    sub(
        value_at(sn, sr, s_up, true)?,
        value_at(ln, lr, s_up, false)?,
    )
}

/// The curvature allowance of each of the grid's four gaps, raw, rounded up:
/// `(b - a)^2 S / (8 sqrt(2 pi) (1 + a)) sum_longs q / v`. The gaps are
/// `[-h'_IM, -h'_MM]`, `[-h'_MM, 0]`, `[0, +h'_MM]`, `[+h'_MM, +h'_IM]`: two widths.
#[inline(never)]
fn gap_allowances(grid: &Grid, inv_v: &U256, s: u128) -> RiskResult<[i128; GRID - 1]> {
    if wide::is_zero(inv_v) {
        return Ok([0; GRID - 1]);
    }
    // every binary product truncates: each is nudged up
    let sum = nudge_up(Bf::from_u128(
        wide::to_u128(inv_v).ok_or(RiskError::Overflow)?,
    ));
    // sum q / v in units (q at 10^-12, 1/v at 2^-32) times S (raw) and the constant
    let common = nudge_up(
        nudge_up(nudge_up(sum.mul(Bf::TEN_M12)).shl(-32))
            .mul(nudge_up(Bf::from_u128(s)))
            .mul(Bf::from_q(CURVATURE_Q64, 64)),
    );
    let (h_im, h_mm) = (grid.h[0], grid.h[1]);
    let squared = |w: u64| {
        let w = Bf::from_q(w, 63);
        nudge_up(nudge_up(w.mul(w)).mul(common))
    };
    let (outer, inner) = (squared(h_im - h_mm), squared(h_mm));
    // 1 / (1 + a) for a < 0, from above (`1 + a` at Q63 is below 2^63)
    let over = |x: Bf, one_a: u64| nudge_up(x.mul(nudge_up(Bf::from_q(one_a, 63).recip())));
    let ends = [
        over(outer, ONE_Q63 - h_im),
        over(inner, ONE_Q63 - h_mm),
        inner,
        // a = +h'_MM: dividing by 1 + a > 1 only lowers it, so keeping it is from above
        outer,
    ];
    let mut out = [0i128; GRID - 1];
    for (o, x) in out.iter_mut().zip(ends) {
        let raw = nudge_up(x)
            .to_q128_round(0, true)
            .ok_or(RiskError::Overflow)?;
        *o = wide::signed(raw, false)?
            .checked_add(1)
            .ok_or(RiskError::Overflow)?;
    }
    Ok(out)
}

/// The worst loss over the points `pts` of the grid (consecutive), with the linked collateral
/// at `credit` and each gap's allowance, never below zero.
fn grid_worst(
    grid: &Grid,
    net: &[i128; GRID],
    allowance: &[i128; GRID - 1],
    credit: i128,
    pts: core::ops::Range<usize>,
) -> RiskResult<i128> {
    let mut loss = [0i128; GRID];
    for j in pts.clone() {
        // the collateral loses credit x h' below spot (rounded up), gains it above (down)
        let c = if grid.h[j] == 0 {
            0
        } else if grid.up[j] {
            mul_q63(credit, grid.h[j], false)?
                .checked_neg()
                .ok_or(RiskError::Overflow)?
        } else {
            mul_q63(credit, grid.h[j], true)?
        };
        loss[j] = net[j].checked_add(c).ok_or(RiskError::Overflow)?;
    }
    let mut worst = 0i128;
    for g in pts.start..pts.end - 1 {
        let w = loss[g]
            .max(loss[g + 1])
            .checked_add(allowance[g])
            .ok_or(RiskError::Overflow)?;
        worst = worst.max(w);
    }
    Ok(worst)
}

/// One leg of the payoff sweep.
#[derive(Clone, Copy)]
struct Leg {
    /// Time to expiry (raw, saturated to 64 bits): legs of one expiry settle together.
    t: i64,
    k: u128,
    /// Underlying units (raw), positive short, negative long.
    q: i128,
    call: bool,
}

/// The legs of one underlying's payoff cap, collected by the aggregation (live longs and every
/// short), with their order by (expiry, strike).
pub(super) struct PayoffLegs {
    legs: [Leg; MAX_CAP_LEGS],
    order: [u8; MAX_CAP_LEGS],
    n: usize,
    /// More legs than [`MAX_CAP_LEGS`]: no cap (which only costs margin).
    overflow: bool,
}

impl PayoffLegs {
    fn new() -> PayoffLegs {
        PayoffLegs {
            legs: [Leg {
                t: 0,
                k: 0,
                q: 0,
                call: false,
            }; MAX_CAP_LEGS],
            order: [0; MAX_CAP_LEGS],
            n: 0,
            overflow: false,
        }
    }

    /// Add a position of quantity `q` (raw, its side's sign applied here); `uncapped`: the leg's
    /// loss is not bounded by its expiry payoff (an early-assignable short), so the book takes
    /// no cap.
    pub(super) fn push(&mut self, p: &PositionRisk, q: u128, uncapped: bool) -> RiskResult<()> {
        let n = self.n;
        if n == MAX_CAP_LEGS || uncapped {
            self.overflow = true;
            return Ok(());
        }
        let leg = Leg {
            t: p.time_years.raw().clamp(i64::MIN as i128, i64::MAX as i128) as i64,
            k: p.strike.raw().max(0) as u128,
            q: wide::signed(q, p.side == Side::Long)?,
            call: p.kind == OptionKind::Call,
        };
        self.legs[n] = leg;
        // insertion of its index (cheap to move) by (expiry, strike)
        let mut i = n;
        while i > 0 && {
            let prev = &self.legs[self.order[i - 1] as usize];
            (prev.t, prev.k) > (leg.t, leg.k)
        } {
            self.order[i] = self.order[i - 1];
            i -= 1;
        }
        self.order[i] = n as u8;
        self.n = n + 1;
        Ok(())
    }
}

/// The most the book can cost: the sum over expiries of the maximum of that expiry's payoff
/// `sum_i sign_i q_i payoff_i(S)` (short `+`) over `S >= 0`, with the net short calls'
/// `sigma_e+ S` part carried by linked collateral, plus its MM credit; `None` when the net short
/// calls are not covered (or the book is too large to sweep). Also whether there are covered
/// net short calls. Each product rounds toward `+inf`: a cap from above.
#[inline(never)]
fn payoff_cap(
    p: &PayoffLegs,
    s: u128,
    linked: &Linked,
    requirement: i128,
) -> RiskResult<(Option<i128>, bool)> {
    if p.overflow {
        return Ok((None, false));
    }
    let (legs, order, n) = (&p.legs, &p.order, p.n);
    let add = |x: i128, y: i128| x.checked_add(y).ok_or(RiskError::Overflow);
    // the net short calls of each expiry (sums of quantities): the cover test
    let mut net_short_calls = 0u128;
    for_each_expiry(legs, order, n, |group| {
        let calls = group
            .iter()
            .map(|&i| &legs[i as usize])
            .filter(|l| l.call)
            .try_fold(0i128, |acc, l| acc.checked_add(l.q))
            .ok_or(RiskError::Overflow)?;
        net_short_calls = net_short_calls
            .checked_add(calls.max(0) as u128)
            .ok_or(RiskError::Overflow)?;
        Ok(())
    })?;
    if !units_covered(net_short_calls, s, linked.oracle)? {
        return Ok((None, false));
    }
    let covered_calls = net_short_calls != 0;
    // the cap is at least the linked collateral's MM credit: a requirement within it is never
    // capped, and the sweep's products are not needed
    if requirement <= linked.credit[1] {
        return Ok((None, covered_calls));
    }
    let mut cap = 0i128;
    for_each_expiry(legs, order, n, |group| {
        let (best, _) = expiry_max(legs, group)?;
        cap = add(cap, best.max(0))?;
        Ok(())
    })?;
    Ok((Some(add(cap, linked.credit[1])?), covered_calls))
}

/// Calls `f` with the legs of each expiry in turn (`order` is by expiry, then strike).
fn for_each_expiry(
    legs: &[Leg],
    order: &[u8],
    n: usize,
    mut f: impl FnMut(&[u8]) -> RiskResult<()>,
) -> RiskResult<()> {
    let mut start = 0;
    while start < n {
        let t = legs[order[start] as usize].t;
        let mut end = start;
        while end < n && legs[order[end] as usize].t == t {
            end += 1;
        }
        f(&order[start..end])?;
        start = end;
    }
    Ok(())
}

/// The maximum over `S >= 0` of one expiry's payoff less `sigma+ S`, and `sigma+` (the net
/// short calls' units, raw), for the legs `order` (strike order) of `legs`: `mul(q, dk)` is a
/// quantity (raw) times a price difference (raw) in the sweep's unit. `None` when a value
/// leaves 127 bits.
///
/// At `S = 0` only the puts pay: `f(0) = sum_puts q K`, slope `-sum_puts q`; at each strike a
/// put's slope rises from `-q` to 0 and a call's from 0 to `q`; beyond the last strike the
/// slope is the net short calls `sigma`, whose positive part the linked collateral carries, so
/// the sweep subtracts `sigma+ S` throughout.
#[inline(always)]
fn sweep(
    legs: &[Leg],
    order: &[u8],
    mul: impl Fn(i128, u128) -> Option<i128>,
) -> Option<(i128, i128)> {
    let (mut f0, mut put_q, mut call_q) = (0i128, 0i128, 0i128);
    for &i in order {
        let l = &legs[i as usize];
        if l.call {
            call_q = call_q.checked_add(l.q)?;
        } else {
            f0 = f0.checked_add(mul(l.q, l.k)?)?;
            put_q = put_q.checked_add(l.q)?;
        }
    }
    let sigma_plus = call_q.max(0);
    let mut slope = put_q.checked_neg()?.checked_sub(sigma_plus)?;
    let (mut value, mut best, mut prev_k) = (f0, f0, 0u128);
    for &i in order {
        let l = &legs[i as usize];
        value = value.checked_add(mul(slope, l.k - prev_k)?)?;
        best = best.max(value);
        slope = slope.checked_add(l.q)?;
        prev_k = l.k;
    }
    Some((best, sigma_plus))
}

/// [`sweep`] of one expiry in money raw, from above: exactly at `10^-24` when every value fits
/// 127 bits (the usual case) and rounded once, else each product rounded toward `+inf`.
fn expiry_max(legs: &[Leg], order: &[u8]) -> RiskResult<(i128, i128)> {
    if let Some((best, sigma_plus)) = sweep(legs, order, exact_product) {
        // 10^-24 to money raw, toward +inf
        let (q, inexact) = wide::div_pow10_u128(best.unsigned_abs(), 12);
        let money = wide::signed(wide::bump(q, inexact, best >= 0)?, best < 0)?;
        return Ok((money, sigma_plus));
    }
    sweep(legs, order, money_up_product).ok_or(RiskError::Overflow)
}

/// `q x k` at `10^-24`, exact, if it fits 127 bits: two 64-bit limb products when `|q|` fits
/// 64 bits (the usual case), no 256-bit intermediate.
#[inline(always)]
fn exact_product(q: i128, k: u128) -> Option<i128> {
    if q == 0 || k == 0 {
        return Some(0);
    }
    let m = q.unsigned_abs();
    let p = if m >> 64 == 0 {
        wide::mul_u128_u64(k, m as u64)?
    } else {
        let p = wide::mul_128x128(m, k);
        if p[2] != 0 || p[3] != 0 {
            return None;
        }
        ((p[1] as u128) << 64) | p[0] as u128
    };
    if p >> 127 != 0 {
        return None;
    }
    Some(if q < 0 { -(p as i128) } else { p as i128 })
}

/// `q x k / 10^12` in money raw, rounded toward `+inf`.
#[inline(never)]
fn money_up_product(q: i128, k: u128) -> Option<i128> {
    let p = wide::mul_128x128(q.unsigned_abs(), k);
    wide::signed(wide::scale_down(&p, 0, 12, q >= 0).ok()?, q < 0).ok()
}
