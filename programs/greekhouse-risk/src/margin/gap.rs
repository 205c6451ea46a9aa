//! The aggregation and grid behind [`super::expansion_gap`]: full revaluation at all ten grid
//! points beside the delta-gamma-vega expansion (a report; no requirement uses it).

use super::*;

/// The inputs of [`gap_aggregate`] (one argument: sBPF's five argument registers).
pub(super) struct GapCtx<'a, 'b> {
    pub(super) account: &'a AccountRisk<'b>,
    pub(super) underlying: u8,
    pub(super) sp: &'a SpotPrep,
    /// widened spot shock at Q63
    pub(super) h: u64,
    pub(super) level: Level,
}

/// The ten grid scenarios of [`expansion_gap`] and the aggregation over them (a separate frame:
/// sBPF stack frames hold at most 4 KB).
#[inline(never)]
pub(super) fn gap_aggregate(g: &GapCtx<'_, '_>, a: &mut Agg) -> RiskResult<()> {
    let (h, s) = (g.h, g.sp.s);
    let und = &g.account.underlyings[g.underlying as usize];
    let h2 = (h >> 1) + (h & 1);
    let spot = [(false, h), (false, h2), (false, 0), (true, h2), (true, h)];
    let mut scens = [scen(s, false, 0, 0)?; MAX_SCEN];
    for j in 0..VOL_SCENARIOS {
        for (i, &(up, hh)) in spot.iter().enumerate() {
            scens[j * SPOT_SCENARIOS + i] = scen(s, up, hh, j as u8)?;
        }
    }
    let mut fast_scens = [scens[0].fast; MAX_SCEN];
    for (f, sc) in fast_scens.iter_mut().zip(scens.iter()) {
        *f = sc.fast;
    }
    let vp = VolPrep::new(und);
    aggregate(
        &AggCtx {
            und,
            positions: g.account.positions,
            idx: g.underlying,
            sp: g.sp,
            scens: &scens,
            fast: &fast_scens,
            mode: VolMode::Gap(g.level),
            vp: &vp,
            gq: bs::greek_q(g.sp),
            // a report on the shorts (the longs' revaluation is the margin's, longs.rs)
            greeks: true,
            tail: &TailPrep::OFF,
            im_ends: [0, 0],
            defer_tail: false,
        },
        a,
        &mut TimeMemo::new(),
        None,
    )
}

/// Both grids of [`expansion_gap`] from the aggregate.
#[inline(never)]
#[allow(clippy::needless_range_loop)] // (i, j) index three grids at once
pub(super) fn gap_grid(a: &Agg, b: &BookGreeks, h: u64) -> RiskResult<ExpansionGap> {
    let sp = spot_terms(b, h)?;
    // vega term sum_i V_i dsigma_i of the long book, rounded up
    let vdv = scaled(&a.vega_dv, 1, 12, true)?;
    let mut out = ExpansionGap::default();
    let mut worst = i128::MIN;
    for i in 0..SPOT_SCENARIOS {
        for j in 0..VOL_SCENARIOS {
            let e = if j == 1 {
                sp[i].checked_add(vdv).ok_or(RiskError::Overflow)?
            } else {
                sp[i]
            };
            let full = full_loss(a, b, j * SPOT_SCENARIOS + i)?;
            out.expansion_loss[i][j] = Fixed::from_raw(e);
            out.full_loss[i][j] = Fixed::from_raw(full);
            worst = worst.max(full - e);
        }
    }
    out.worst_understatement = Fixed::from_raw(worst);
    Ok(out)
}
