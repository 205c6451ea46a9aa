//! From the aggregated book to add-ons: the book's Greeks, the delta-gamma-vega grid, the
//! full-revaluation safeguard, floors and the payoff cap, per underlying.

use super::*;

/// `floor(a * mul / 10^pow10)` and the inexact flag: 256-bit intermediates when `a` fits
/// 128 bits (the usual case), 384-bit otherwise.
#[inline(never)]
pub(super) fn mul_scale_floor(a: &U256, mul: u128, pow10: u32) -> RiskResult<(u128, bool)> {
    if mul == 1 {
        return wide::scale_down_floor(a, 0, pow10);
    }
    match wide::to_u128(a) {
        Some(x) => wide::scale_down_floor(&wide::mul_128x128(x, mul), 0, pow10),
        None => wide::scale_down_floor(&wide::mul_256x128(a, mul), 0, pow10),
    }
}

/// Signed `(pos - neg) * mul / 10^pow10`, as (floor, ceil).
#[inline(always)]
pub(super) fn signed_scaled(
    pos: &U256,
    neg: &U256,
    mul: u128,
    pow10: u32,
) -> RiskResult<(i128, i128)> {
    let (mag, negative) = wide::signed_diff(pos, neg);
    let (f, inexact) = mul_scale_floor(&mag, mul, pow10)?;
    let lo = wide::signed(f + (negative && inexact) as u128, negative)?;
    let hi = wide::signed(f + (!negative && inexact) as u128, negative)?;
    Ok((lo, hi))
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
    /// delta * S of the long book, (rounded down, rounded up)
    pub(super) ds: (i128, i128),
    /// delta (units), rounded up
    pub(super) delta: i128,
    /// cash gamma Gamma S^2 of the long book, rounded up (>= 0)
    pub(super) cgamma: i128,
    /// vega of the long book, rounded up (>= 0)
    pub(super) vega: i128,
    /// theta of the long book, rounded up
    pub(super) theta: i128,
    pub(super) payoff: Option<i128>,
    /// liability rounded down (the full-revaluation losses subtract it)
    pub(super) liab_floor: i128,
    /// sum of the floor bases (S or min(S, K)) times quantity, rounded up
    pub(super) floor_money: Fixed,
}

#[inline(never)]
pub(super) fn book_greeks(a: &Agg, s: u128) -> RiskResult<BookGreeks> {
    // s is the spot (raw)
    let (lf, inexact) = wide::scale_down_floor(&a.liab, 0, 12)?;
    let liab_floor = wide::signed(lf, false)?;
    let liab_raw = liab_floor + inexact as i128;
    let ds = signed_scaled(&a.delta_pos, &a.delta_neg, s, 24)?;
    let delta = signed_scaled(&a.delta_pos, &a.delta_neg, 1, 12)?.1;
    // Gamma S^2: gamma sum is at 10^-30; (sum * S / 10^30) * S / 10^12
    let gs = scaled(&a.gamma, s, 30, true)? as u128;
    let cgamma = wide::signed(
        wide::scale_down(&wide::mul_128x128(gs, s), 0, 12, true)?,
        false,
    )?;
    let vega = scaled(&a.vega, 1, 12, true)?;
    let theta = signed_scaled(&a.theta_pos, &a.theta_neg, 1, 12)?.1;
    let mut floor_base = wide::mul_128x128(a.s, a.qsum_spot);
    wide::add_assign(&mut floor_base, &a.floor_k)?;
    let floor_money = Fixed::from_raw(scaled(&floor_base, 1, 12, true)?);
    let payoff = if a.all_puts {
        Some(scaled(&a.payoff, 1, 12, true)?)
    } else {
        None
    };
    let liab_raw = match payoff {
        Some(p) => liab_raw.min(p),
        None => liab_raw,
    };
    Ok(BookGreeks {
        liab_raw,
        ds,
        delta,
        cgamma,
        vega,
        theta,
        payoff,
        liab_floor,
        floor_money,
    })
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

/// Expansion losses (positive = loss to the account) on the grid spot x vol, rounded up.
#[inline(never)]
pub(super) fn expansion_grid(
    b: &BookGreeks,
    sh: &LevelShocks,
) -> RiskResult<[[i128; VOL_SCENARIOS]; SPOT_SCENARIOS]> {
    let sp = spot_terms(b, sh.h)?;
    // vega term V dv, rounded up (V >= 0)
    let c = [
        vega_term(b.vega, sh.vol_down, false)?
            .checked_neg()
            .ok_or(RiskError::Overflow)?,
        vega_term(b.vega, sh.vol_up, true)?,
    ];
    let mut out = [[0i128; VOL_SCENARIOS]; SPOT_SCENARIOS];
    for i in 0..SPOT_SCENARIOS {
        for j in 0..VOL_SCENARIOS {
            out[i][j] = sp[i].checked_add(c[j]).ok_or(RiskError::Overflow)?;
        }
    }
    Ok(out)
}

/// `V * dv` for `V >= 0` (raw) and `dv >= 0` (`Fixed`), rounded up or down.
#[inline(always)]
pub(super) fn vega_term(v: i128, dv: Fixed, up: bool) -> RiskResult<i128> {
    let (v, dv) = (v.unsigned_abs(), dv.raw().unsigned_abs());
    if dv >> 64 == 0 {
        if let Some(p) = wide::mul_u128_u64(v, dv as u64) {
            let (q, inexact) = wide::div_pow10_u128(p, 12);
            return wide::signed(wide::bump(q, inexact, up)?, false);
        }
    }
    let r = if up { Rounding::Up } else { Rounding::Down };
    Ok(Fixed::from_raw(v as i128)
        .checked_mul(Fixed::from_raw(dv as i128), r)?
        .raw())
}

/// Full-revaluation loss of scenario `j`, rounded up.
pub(super) fn full_loss(a: &Agg, b: &BookGreeks, j: usize) -> RiskResult<i128> {
    // book value at the scenario (rounded up) minus the liability (rounded down)
    let mut v = match wide::to_u128(&a.reval_n[j]) {
        Some(x) => wide::scale_down(&wide::mul_128x128(x, a.s_scen[j]), 32, 12, true)?,
        None => wide::scale_down(&wide::mul_256x128(&a.reval_n[j], a.s_scen[j]), 32, 12, true)?,
    };
    if !wide::is_zero(&a.reval_r[j]) {
        v = v
            .checked_add(wide::scale_down(&a.reval_r[j], 0, 12, true)?)
            .ok_or(RiskError::Overflow)?;
    }
    wide::signed(v, false)?
        .checked_sub(b.liab_floor)
        .ok_or(RiskError::Overflow)
}

/// The add-on of one level: max(expansion, full revaluation at the extreme shocks, 0), the
/// floor, the payoff cap.
#[inline(never)]
pub(super) fn level_addon(
    a: &Agg,
    b: &BookGreeks,
    sh: &LevelShocks,
    j_dn: Option<usize>,
) -> RiskResult<i128> {
    // the grid's worst loss: the vega term is V dv with V >= 0 (a long book), so the upward
    // vol shock is the worse of the two at every spot shock; the spot terms as in
    // `expansion_grid` (same rounding, same values)
    let sp = spot_terms(b, sh.h)?;
    let mut worst_spot: i128 = 0;
    for x in sp {
        worst_spot = worst_spot.max(x);
    }
    let mut worst = worst_spot
        .checked_add(vega_term(b.vega, sh.vol_up, true)?)
        .ok_or(RiskError::Overflow)?
        .max(0);
    if let Some(j) = j_dn {
        worst = worst.max(full_loss(a, b, j)?).max(full_loss(a, b, j + 1)?);
    }
    // floor: floor_pct (raw <= 10^12) times the floor base, rounded up
    let fm = b.floor_money.raw() as u128;
    let fp = sh.floor_pct.raw() as u64;
    let floor = match wide::mul_u128_u64(fm, fp) {
        Some(p) => {
            let (q, inexact) = wide::div_pow10_u128(p, 12);
            wide::signed(wide::bump(q, inexact, true)?, false)?
        }
        None => b.floor_money.checked_mul(sh.floor_pct, Rounding::Up)?.raw(),
    };
    worst = worst.max(floor);
    if let Some(p) = b.payoff {
        worst = worst.min((p - b.liab_raw).max(0));
    }
    Ok(worst)
}

/// Everything computed for one underlying.
pub(super) struct UndResult {
    pub(super) summary: UnderlyingSummary,
}

#[inline(never)]
pub(super) fn underlying_margin(
    ctx: &MarginCtx<'_>,
    idx: u8,
    tm: &mut TimeMemo,
) -> RiskResult<UndResult> {
    let account = &ctx.account;
    let und = &account.underlyings[idx as usize];
    validate_underlying(und)?;
    let s = und.spot.raw() as u128;
    let sp = SpotPrep::new(s, und.rate.raw() as u128);
    let im = level_shocks(und, sp.inv_s, &und.params.initial)?;
    let mm = level_shocks(und, sp.inv_s, &und.params.maintenance)?;
    // full-revaluation scenarios: IM at -h and +h with vol up, and the same at MM when
    // `MM_FULL_REVALUATION` (see there)
    let n_scen = if MM_FULL_REVALUATION { 4 } else { 2 };
    let mut scens = [scen(s, false, im.h, 0)?; 4];
    scens[1] = scen(s, true, im.h, 0)?;
    if MM_FULL_REVALUATION {
        scens[2] = scen(s, false, mm.h, 1)?;
        scens[3] = scen(s, true, mm.h, 1)?;
    }
    let fast_scens = [scens[0].fast, scens[1].fast, scens[2].fast, scens[3].fast];
    let dvs = [im.vol_up, mm.vol_up];
    let mut a = Agg::new();
    aggregate(
        &AggCtx {
            und,
            idx,
            sp: &sp,
            scens: &scens[..n_scen],
            fast: &fast_scens[..n_scen],
            dvs: &dvs[..n_scen / 2],
            dvs_bf: dvs_bf(&dvs),
        },
        account.positions,
        &mut a,
        tm,
    )?;
    let b = book_greeks(&a, s)?;
    let addon_mm = level_addon(&a, &b, &mm, MM_FULL_REVALUATION.then_some(2))?;
    let addon_im = level_addon(&a, &b, &im, Some(0))?.max(addon_mm);
    let neg = |x: i128| x.checked_neg().ok_or(RiskError::Overflow);
    Ok(UndResult {
        summary: UnderlyingSummary {
            underlying: idx,
            liability: Fixed::from_raw(b.liab_raw),
            delta: Fixed::from_raw(neg(b.delta)?),
            cash_gamma: Fixed::from_raw(neg(b.cgamma)?),
            vega: Fixed::from_raw(neg(b.vega)?),
            theta: Fixed::from_raw(neg(b.theta)?),
            addon_initial: Fixed::from_raw(addon_im),
            addon_maintenance: Fixed::from_raw(addon_mm),
        },
    })
}
