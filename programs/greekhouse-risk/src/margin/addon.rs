//! From the aggregated book to add-ons, per underlying: the book's Greeks (reported), the
//! worst full-revaluation loss over each level's box with the linked collateral, floors and
//! the cap.

use super::*;

/// `floor(a * mul / 10^pow10)` and the inexact flag: 256-bit intermediates when `a` fits
/// 128 bits (the usual case), 384-bit otherwise.
#[inline(never)]
pub(super) fn mul_scale_floor(a: &U256, mul: u128, pow10: u32) -> RiskResult<(u128, bool)> {
    if mul == 1 {
        return wide::scale_down_floor(a, 0, pow10);
    }
    match wide::to_u128(a) {
        Some(x) => wide::scale_down_floor_256(&wide::mul_128x128(x, mul), 0, pow10),
        None => wide::scale_down_floor(&wide::mul_256x128(a, mul), 0, pow10),
    }
}

/// `floor(a * mul / 2^shift / 10^pow10)` and the inexact flag.
#[inline(always)]
pub(super) fn mul_shift_floor(
    a: &U256,
    mul: u128,
    shift: u32,
    pow10: u32,
) -> RiskResult<(u128, bool)> {
    if wide::is_zero(a) {
        return Ok((0, false));
    }
    match wide::to_u128(a) {
        Some(x) => wide::scale_down_floor_256(&wide::mul_128x128(x, mul), shift, pow10),
        None => wide::scale_down_floor(&wide::mul_256x128(a, mul), shift, pow10),
    }
}

/// Non-negative `a * mul / 2^shift / 10^pow10` rounded as asked, raw.
#[inline(always)]
pub(super) fn shift_scaled(
    a: &U256,
    mul: u128,
    shift: u32,
    pow10: u32,
    up: bool,
) -> RiskResult<i128> {
    let (f, inexact) = mul_shift_floor(a, mul, shift, pow10)?;
    wide::signed(wide::bump(f, inexact, up)?, false)
}

/// Non-negative `a * mul / 10^pow10` rounded as asked, raw.
#[inline(always)]
pub(super) fn scaled(a: &U256, mul: u128, pow10: u32, up: bool) -> RiskResult<i128> {
    let (f, inexact) = mul_scale_floor(a, mul, pow10)?;
    wide::signed(wide::bump(f, inexact, up)?, false)
}

/// `x * q / 2^63` for a signed raw `x` and `q < 2^64`, rounded toward +inf (`up`) or -inf.
pub(super) fn mul_q63(x: i128, q: u64, up: bool) -> RiskResult<i128> {
    let neg = x < 0;
    // magnitude rounded away from zero when the signed result must round toward +inf (up,
    // positive) or -inf (down, negative)
    let m =
        wide::mul_u128_u64_shr(x.unsigned_abs(), q, 63, up != neg).ok_or(RiskError::Overflow)?;
    wide::signed(m, neg)
}

/// The money-valued Greeks of the long book of one underlying (the account is short it).
#[derive(Clone, Copy, Debug)]
pub(super) struct BookGreeks {
    pub(super) liab_raw: i128,
    /// delta * S of the long book, (rounded down, rounded up): only the gap report fills it
    /// ([`book_ds`])
    pub(super) ds: (i128, i128),
    /// delta (units), rounded up
    pub(super) delta: i128,
    /// cash gamma Gamma S^2 of the long book, rounded up (>= 0)
    pub(super) cgamma: i128,
    /// vega of the long book, rounded up (>= 0)
    pub(super) vega: i128,
    /// theta of the long book, rounded up
    pub(super) theta: i128,
    /// sum of K q over the puts, rounded down
    pub(super) payoff_puts: i128,
    /// liability rounded down (the full-revaluation losses subtract it)
    pub(super) liab_floor: i128,
    /// sum of the floor bases (S or min(S, K)) times quantity, rounded up
    pub(super) floor_money: Fixed,
}

#[inline(always)]
pub(super) fn book_greeks(a: &Agg, s: u128, r_raw: u128) -> RiskResult<BookGreeks> {
    let (liab_floor, liab_raw) = mark_bounds(a, s)?;
    let (delta, cgamma, vega, theta) = greeks_of(a, s, r_raw)?;
    let floor_money = floor_money(a)?;
    let mut payoff = a.payoff_hi;
    wide::add_assign(&mut payoff, &a.floor_k)?;
    let payoff_puts = scaled(&payoff, 1, 12, false)?;
    Ok(BookGreeks {
        liab_raw,
        ds: (0, 0),
        delta,
        cgamma,
        vega,
        theta,
        payoff_puts,
        liab_floor,
        floor_money,
    })
}

/// The floor's base `sum(base_i q_i)` (`S` for calls, `min(S, K)` for puts), rounded up.
#[inline(always)]
pub(super) fn floor_money(a: &Agg) -> RiskResult<Fixed> {
    let mut floor_base = wide::mul_128x128(a.s, a.qsum_spot);
    wide::add_assign(&mut floor_base, &a.floor_k)?;
    Ok(Fixed::from_raw(scaled(&floor_base, 1, 12, true)?))
}

/// The aggregated side's mark (the expired positions' intrinsic values plus `S` (raw) times
/// the live ones' normalised marks, each part exact and rounded once), rounded down and up.
#[inline(always)]
pub(super) fn mark_bounds(a: &Agg, s: u128) -> RiskResult<(i128, i128)> {
    let (lr, inexact_r) = wide::scale_down_floor(&a.liab, 0, 12)?;
    let (ln, inexact_n) = mul_shift_floor(&a.liab_n, s, 63, 12)?;
    let floor = wide::signed(lr, false)?
        .checked_add(wide::signed(ln, false)?)
        .ok_or(RiskError::Overflow)?;
    let ceil = floor
        .checked_add(inexact_r as i128 + inexact_n as i128)
        .ok_or(RiskError::Overflow)?;
    Ok((floor, ceil))
}

/// The book's (delta, cash gamma, vega, theta), zero when the Greeks are off.
pub(super) fn greeks_of(a: &Agg, s: u128, r_raw: u128) -> RiskResult<(i128, i128, i128, i128)> {
    if a.greeks {
        sum_greeks(a, s, r_raw)
    } else {
        Ok((0, 0, 0, 0))
    }
}

/// The book's (delta, cash gamma, vega, theta) from the Greek sums.
#[inline(never)]
fn sum_greeks(a: &Agg, s: u128, r_raw: u128) -> RiskResult<(i128, i128, i128, i128)> {
    // delta (raw) = sum(q N(d1)) / 2^63 - sum(put q), rounded up: a shift, no decimal step
    let (dq, inexact) = wide::shr_sticky(&a.dsum, 63);
    let dq = wide::to_u128(&dq).ok_or(RiskError::Overflow)?;
    let delta = wide::signed(wide::bump(dq, inexact, true)?, false)?
        .checked_sub(wide::signed(a.put_q, false)?)
        .ok_or(RiskError::Overflow)?;
    // cash gamma, vega and decay: S (raw) times the sums (at 2^-gq) of q (raw, 10^-12) times the
    // factor, each rounded once
    let cgamma = shift_scaled(&a.gamma, s, a.gq as u32, 12, true)?;
    let vega = shift_scaled(&a.vega, s, a.gq as u32, 12, true)?;
    // theta = -decay + r S (sum_puts q k'N(-d2) - sum_calls q k'N(d2)), rounded up
    let decay = shift_scaled(&a.decay, s, a.gq as u32, 12, false)?;
    let carry = carry(a, s, r_raw)?;
    let theta = carry.checked_sub(decay).ok_or(RiskError::Overflow)?;
    Ok((delta, cgamma, vega, theta))
}

/// Theta's carry `r S (sum_puts q k'N(-d2) - sum_calls q k'N(d2))` of the live positions, raw,
/// rounded toward +inf, from the core's identities `k'N(d2) = N(d1) - call/S` and
/// `k'N(-d2) = put/S + 1 - N(d1)` (exact on the core's values where its clamps do not bind):
/// the net sum at Q63 is `liab_n + 2^63 (live put quantity) - (live) dsum`.
#[inline(never)]
fn carry(a: &Agg, s: u128, r_raw: u128) -> RiskResult<i128> {
    if r_raw == 0 {
        return Ok(0);
    }
    // live puts' quantity; the expired ITM calls' 2^63 q are in dsum, add them back
    let pq = a
        .put_q
        .checked_sub(a.put_q_exp)
        .and_then(|x| x.checked_add(a.itm_q_exp))
        .ok_or(RiskError::Overflow)?;
    if pq == 0 && wide::is_zero(&a.dsum) && wide::is_zero(&a.liab_n) {
        return Ok(0);
    }
    let mut plus = wide::mul_128x128(pq, 1u128 << 63);
    wide::add_assign(&mut plus, &a.liab_n)?;
    let (mag, negative) = wide::signed_diff(&plus, &a.dsum);
    if wide::is_zero(&mag) {
        return Ok(0);
    }
    // (net * S / 2^63 / 10^12) * r / 10^12, toward +inf at both steps
    let (f, inexact) = mul_shift_floor(&mag, s, 63, 12)?;
    let m1 = wide::bump(f, inexact, !negative)?;
    let (f, inexact) = mul_shift_floor(&wide::from_u128(m1), r_raw, 0, 12)?;
    wide::signed(wide::bump(f, inexact, !negative)?, negative)
}

/// `delta * S` of the long book (raw), as (floor, ceil) bounds:
/// `sum(q N(d1)) S / 2^63 / 10^12 - sum(put q) S / 10^12` (each part floored or ceiled; the
/// gap report's delta term).
pub(super) fn book_ds(a: &Agg, s: u128) -> RiskResult<(i128, i128)> {
    let (c, ci) = mul_shift_floor(&a.dsum, s, 63, 12)?;
    let (p, pi) = wide::scale_down_floor(&wide::mul_128x128(a.put_q, s), 0, 12)?;
    let (c, p) = (wide::signed(c, false)?, wide::signed(p, false)?);
    let sub = |x: i128, y: i128| x.checked_sub(y).ok_or(RiskError::Overflow);
    Ok((sub(c, p + pi as i128)?, sub(c + ci as i128, p)?))
}

/// The spot part `D S s + CG s^2 / 2` of the expansion loss at `s = -h, -h/2, 0, +h/2, +h`
/// (`h` at Q63), each term rounded up.
#[inline(always)]
pub(super) fn spot_terms(b: &BookGreeks, h: u64) -> RiskResult<[i128; SPOT_SCENARIOS]> {
    // delta term D S s of the long book at s = -h, +h, rounded up; at +-h/2 half of it, rounded
    // up (an upper bound of an upper bound)
    let a_dn = mul_q63(b.ds.0, h, false)?
        .checked_neg()
        .ok_or(RiskError::Overflow)?;
    let a_up = mul_q63(b.ds.1, h, true)?;
    let half = |x: i128| (x >> 1) + (x & 1); // ceil(x / 2), also for negative x
                                             // gamma term CG s^2 / 2 at s = h (h^2 / 2 at Q63, rounded up) and a quarter of it at h/2
    let g_h = mul_q63(b.cgamma, wide::mulhi(h, h) + 1, true)?;
    let g_q = (g_h >> 2) + (g_h & 3 != 0) as i128;
    let add = |x: i128, y: i128| x.checked_add(y).ok_or(RiskError::Overflow);
    Ok([
        add(a_dn, g_h)?,
        add(half(a_dn), g_q)?,
        0,
        add(half(a_up), g_q)?,
        add(a_up, g_h)?,
    ])
}

/// Full-revaluation loss of scenario `j`, rounded up.
pub(super) fn full_loss(a: &Agg, b: &BookGreeks, j: usize) -> RiskResult<i128> {
    // book value at the scenario (rounded up) minus the liability (rounded down)
    scenario_value(a, j, true)?
        .checked_sub(b.liab_floor)
        .ok_or(RiskError::Overflow)
}

/// The aggregated side's value at scenario `j`, raw, rounded up (`up`) or down.
pub(super) fn scenario_value(a: &Agg, j: usize, up: bool) -> RiskResult<i128> {
    value_at(&a.reval_n[j], &a.reval_r[j], a.s_scen[j], up)
}

/// A side's value from its sums at one scenario (`n`: normalised prices at 2^-32 x 10^-12
/// per unit of the shocked spot `s_scen`; `r`: raw prices at 10^-12), rounded up or down. From
/// below, the shocked spot is taken one unit lower: it is rounded away from the unshocked spot,
/// so for an upward shock it may be one unit above the exact `S (1 + s)`.
pub(super) fn value_at(n: &U256, r: &U256, s_scen: u128, up: bool) -> RiskResult<i128> {
    let s = if up { s_scen } else { s_scen.saturating_sub(1) };
    let mut v = match wide::to_u128(n) {
        Some(x) => {
            let (f, inexact) = wide::scale_down_floor_256(&wide::mul_128x128(x, s), 32, 12)?;
            wide::bump(f, inexact, up)?
        }
        None => wide::scale_down(&wide::mul_256x128(n, s), 32, 12, up)?,
    };
    if !wide::is_zero(r) {
        v = v
            .checked_add(wide::scale_down(r, 0, 12, up)?)
            .ok_or(RiskError::Overflow)?;
    }
    wide::signed(v, false)
}

/// What one level's add-on needs besides the aggregate and its losses at the box ends.
pub(super) struct LevelIn {
    /// widened spot shock at Q63
    pub(super) h: u64,
    pub(super) floor_pct: Fixed,
    /// credit of the linked collateral at this level, raw (>= 0)
    pub(super) credit: i128,
}

/// The add-on of one level before the cap: the worst loss of the shorts plus the linked
/// collateral over the box (at `-h'` and `+h'`, vols shocked up: exact, see
/// `docs/risk-model.md` 6.3), never below 0 (the box contains the unshocked point, whose loss
/// is `>= 0`), then at least the floor.
#[inline(always)]
pub(super) fn level_addon(b: &BookGreeks, ends: &[i128; 2], l: &LevelIn) -> RiskResult<i128> {
    // collateral: loses credit * h' at -h' (rounded up), gains it at +h' (rounded down)
    let c_dn = mul_q63(l.credit, l.h, true)?;
    let c_up = mul_q63(l.credit, l.h, false)?;
    let add = |x: i128, y: i128| x.checked_add(y).ok_or(RiskError::Overflow);
    let dn = add(ends[0], c_dn)?;
    let up = add(ends[1], -c_up)?;
    let worst = dn.max(up).max(0);
    Ok(worst.max(level_floor(b.floor_money, l.floor_pct)?))
}

/// The add-on's floor: `floor_pct` (raw <= 10^12) times the shorts' floor base, rounded up.
#[inline(always)]
pub(super) fn level_floor(floor_money: Fixed, floor_pct: Fixed) -> RiskResult<i128> {
    let fm = floor_money.raw() as u128;
    let fp = floor_pct.raw() as u64;
    Ok(match wide::mul_u128_u64(fm, fp) {
        Some(p) => {
            let (q, inexact) = wide::div_pow10_u128(p, 12);
            wide::signed(wide::bump(q, inexact, true)?, false)?
        }
        None => floor_money.checked_mul(floor_pct, Rounding::Up)?.raw(),
    })
}

/// The underlying's summary: liability, Greeks, add-ons.
#[inline(never)]
pub(super) fn underlying_margin(
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
    // the box ends: IM at -h and +h with IM's vols, MM likewise with MM's
    let scens = [
        scen(s, false, h_im, 0)?,
        scen(s, true, h_im, 0)?,
        scen(s, false, h_mm, 1)?,
        scen(s, true, h_mm, 1)?,
    ];
    let fast_scens = [scens[0].fast, scens[1].fast, scens[2].fast, scens[3].fast];
    let vp = VolPrep::new(und);
    let tail = tail_prep(und, h_im, [&scens[0], &scens[1]])?;
    let mut a = Agg::new();
    let agg_ctx = AggCtx {
        und,
        positions: account.positions,
        idx,
        sp: &sp,
        scens: &scens,
        fast: &fast_scens,
        mode: VolMode::Margin,
        vp: &vp,
        gq: bs::greek_q(&sp),
        greeks: ctx.config.greeks,
        tail: &tail,
        im_ends: [0, 1],
        defer_tail: ctx.defer_tail,
    };
    aggregate(&agg_ctx, &mut a, tm, None)?;
    let b = book_greeks(&a, s, sp.r_raw)?;
    let level = |h: u64, lp: &LevelParams, credit: i128| LevelIn {
        h,
        floor_pct: lp.floor_pct,
        credit,
    };
    // the full-revaluation losses at the box ends, rounded up
    let mm_ends = [full_loss(&a, &b, 2)?, full_loss(&a, &b, 3)?];
    let im_ends = [full_loss(&a, &b, 0)?, full_loss(&a, &b, 1)?];
    let addon_mm = level_addon(&b, &mm_ends, &level(h_mm, &p.maintenance, linked.credit[1]))?;
    let addon_im = level_addon(&b, &im_ends, &level(h_im, &p.initial, linked.credit[0]))?;
    // IM's tail (tail.rs): at least the weighted worst loss at its two points
    let tail = tail_addon_of(
        &mut a,
        &agg_ctx,
        tm,
        im_ends,
        linked.credit[0],
        [addon_im, addon_mm],
    )?;
    let addon_im = addon_im.max(tail);
    // IM's size charge (size.rs), before the cap
    let addon_im = size_charged(addon_im, &und.params, a.short_q)?;
    // cap: the puts' strikes, plus the linked collateral's MM credit when it covers every
    // call (call quantity x S <= its oracle value); no cap with an uncovered call
    let covered = calls_covered(&a, s, linked.oracle)?;
    let mut liab = b.liab_raw;
    let (mut addon_im, mut addon_mm) = (addon_im.max(addon_mm), addon_mm);
    if covered {
        let cap = b
            .payoff_puts
            .checked_add(linked.credit[1])
            .ok_or(RiskError::Overflow)?;
        liab = liab.min(cap);
        let room = cap.checked_sub(liab).ok_or(RiskError::Overflow)?;
        addon_im = addon_im.min(room);
        addon_mm = addon_mm.min(room);
    }
    let neg = |x: i128| x.checked_neg().ok_or(RiskError::Overflow);
    Ok(UnderlyingSummary {
        underlying: idx,
        liability: Fixed::from_raw(liab),
        long_value: Fixed::ZERO,
        delta: Fixed::from_raw(neg(b.delta)?),
        cash_gamma: Fixed::from_raw(neg(b.cgamma)?),
        vega: Fixed::from_raw(neg(b.vega)?),
        theta: Fixed::from_raw(neg(b.theta)?),
        addon_initial: Fixed::from_raw(addon_im),
        addon_maintenance: Fixed::from_raw(addon_mm),
        linked_collateral: Fixed::from_raw(linked.credit[1]),
        calls_covered: covered && a.call_q != 0,
    })
}

/// `call quantity x S <= oracle value of the linked collateral` (both exact at 10^-24).
fn calls_covered(a: &Agg, s: u128, oracle: i128) -> RiskResult<bool> {
    units_covered(a.call_q, s, oracle)
}

/// `units x S <= oracle value of the linked collateral` (both exact at 10^-24).
pub(super) fn units_covered(units: u128, s: u128, oracle: i128) -> RiskResult<bool> {
    if units == 0 {
        return Ok(true);
    }
    let need = wide::mul_128x128(units, s);
    let have = wide::mul_128x128(oracle.max(0) as u128, FIXED_ONE as u128);
    Ok(wide::checked_sub(&have, &need).is_some())
}
