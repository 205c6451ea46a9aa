//! The aggregation and grid behind [`super::expansion_gap`]: full revaluation at all ten grid
//! points beside the expansion.

use super::*;

/// The inputs of [`gap_aggregate`] (one argument: sBPF's five argument registers).
pub(super) struct GapCtx<'a, 'b> {
    pub(super) account: &'a AccountRisk<'b>,
    pub(super) underlying: u8,
    pub(super) sp: &'a SpotPrep,
    pub(super) sh: &'a LevelShocks,
}

/// The ten grid scenarios of [`expansion_gap`] and the aggregation over them (a separate frame:
/// sBPF stack frames hold at most 4 KB).
#[inline(never)]
pub(super) fn gap_aggregate(g: &GapCtx<'_, '_>, a: &mut Agg) -> RiskResult<()> {
    let (sh, s) = (g.sh, g.sp.s);
    let und = &g.account.underlyings[g.underlying as usize];
    let h2 = (sh.h >> 1) + (sh.h & 1);
    let spot = [
        (false, sh.h),
        (false, h2),
        (false, 0),
        (true, h2),
        (true, sh.h),
    ];
    let dvs = [sh.vol_down.checked_neg()?, sh.vol_up];
    let mut scens = [scen(s, false, 0, 0)?; MAX_SCEN];
    for j in 0..VOL_SCENARIOS {
        for (i, &(up, h)) in spot.iter().enumerate() {
            scens[j * SPOT_SCENARIOS + i] = scen(s, up, h, j as u8)?;
        }
    }
    let mut fast_scens = [scens[0].fast; MAX_SCEN];
    for (f, sc) in fast_scens.iter_mut().zip(scens.iter()) {
        *f = sc.fast;
    }
    aggregate(
        &AggCtx {
            und,
            idx: g.underlying,
            sp: g.sp,
            scens: &scens,
            fast: &fast_scens,
            dvs: &dvs,
            dvs_bf: dvs_bf(&dvs),
        },
        g.account.positions,
        a,
        &mut TimeMemo::new(),
    )
}

/// Both grids of [`expansion_gap`] from the aggregate.
#[inline(never)]
#[allow(clippy::needless_range_loop)] // (i, j) index three grids at once
pub(super) fn gap_grid(a: &Agg, b: &BookGreeks, sh: &LevelShocks) -> RiskResult<ExpansionGap> {
    let grid = expansion_grid(b, sh)?;
    let mut out = ExpansionGap::default();
    let mut worst = i128::MIN;
    for i in 0..SPOT_SCENARIOS {
        for j in 0..VOL_SCENARIOS {
            let full = full_loss(a, b, j * SPOT_SCENARIOS + i)?;
            out.expansion_loss[i][j] = Fixed::from_raw(grid[i][j]);
            out.full_loss[i][j] = Fixed::from_raw(full);
            worst = worst.max(full - grid[i][j]);
        }
    }
    out.worst_understatement = Fixed::from_raw(worst);
    Ok(out)
}
