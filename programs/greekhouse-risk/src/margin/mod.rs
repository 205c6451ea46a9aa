//! Greek-based portfolio margin (PROTOCOL 4).
//!
//! Conventions:
//! - All money values are [`Fixed`] in quote native units (e.g. micro-USDC), rounded in the
//!   clearing house's favour: liabilities, add-ons and requirements `Up`, collateral values `Down`.
//! - Spot is quote native units per whole underlying unit; a position's quantity is
//!   `contracts * contract_size` underlying units.
//! - The account is short every position. Aggregated Greeks are those of the account (short),
//!   so a short call has negative delta.
//! - Add-on per underlying = worst loss over the grid spot x vol of the delta-gamma-vega
//!   expansion (at IM also at least the full Black-Scholes revaluation loss at the extreme spot
//!   shocks with vol up: see [`MM_FULL_REVALUATION`] and `docs/risk-model.md`), never below the sum of per-contract floors, and capped so
//!   `liability + add-on <= maximum payoff` where the maximum payoff is finite (all puts).
//! - Spot shocks are widened by `conf / spot`. A stale vol surface adds `stale_vol_penalty`
//!   to the upward vol shock.
//! - `requirement(level) = liability + add-on(level)`; end level = MM + buffer * (IM - MM),
//!   applied to requirements and to collateral weights alike, so the whole computation is
//!   homogeneous of degree one in (positions, collateral amounts, quote balance).

use crate::bin::Bf;
use crate::bs::{self, Eval, EvalIn, SpotPrep, SpotShock};
use crate::fast::{self, FastScen, LegShocks};
use crate::fixed::FIXED_ONE;
use crate::math::ONE_Q63;
use crate::surface::SmilePrep;
use crate::wide::{self, U256};
use crate::{BsInput, Fixed, OptionKind, RiskError, RiskResult, Rounding, VolSurface};

/// Most distinct underlyings one account's positions may span.
pub const MAX_UNDERLYINGS: usize = 8;
/// Spot shocks of the grid as multiples of h: {-1, -1/2, 0, +1/2, +1}.
pub const SPOT_SCENARIOS: usize = 5;
/// Vol shocks of the grid: {-v_dn, +v_up}.
pub const VOL_SCENARIOS: usize = 2;

/// The shocks and floor of one margin level (IM or MM).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct LevelParams {
    /// h: relative spot shock (0.20 = 20 %).
    pub spot_shock: Fixed,
    /// Absolute upward vol shock (0.10 = +10 vol points).
    pub vol_up: Fixed,
    /// Absolute downward vol shock.
    pub vol_down: Fixed,
    /// Per-contract floor of the add-on, a fraction of spot (puts: of min(S, K)).
    pub floor_pct: Fixed,
}

/// Margin parameters of one underlying.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MarginParams {
    pub initial: LevelParams,
    pub maintenance: LevelParams,
    /// Added to `vol_up` at every level while the surface is stale.
    pub stale_vol_penalty: Fixed,
}

/// Hard bound: a spot shock is in (0, 1) (exclusive).
pub const MAX_SPOT_SHOCK: Fixed = Fixed::from_raw(FIXED_ONE - 1);
/// The widened spot shock `h + conf/spot` is capped here (the shocked spot stays positive).
pub const MAX_EFFECTIVE_SPOT_SHOCK: Fixed = Fixed::from_raw(FIXED_ONE / 100 * 99);
/// [`MAX_EFFECTIVE_SPOT_SHOCK`] at Q63 (scale 2^63), rounded down.
const MAX_EFFECTIVE_SPOT_SHOCK_Q63: u128 =
    (MAX_EFFECTIVE_SPOT_SHOCK.raw() as u128) * (1u128 << 63) / (FIXED_ONE as u128);

/// Hard bound on vol shocks and the stale penalty: 5.0 (500 vol points).
pub const MAX_VOL_SHOCK: Fixed = Fixed::from_raw(5 * FIXED_ONE);
/// Hard bound on the collateral confidence multiplier.
pub const MAX_CONF_MULTIPLIER: Fixed = Fixed::from_raw(10 * FIXED_ONE);

const fn fx(raw: i128) -> Fixed {
    Fixed::from_raw(raw)
}
/// `value / 1000` as a `Fixed` (permille helper for the defaults).
const fn permille(value: i128) -> Fixed {
    fx(value * (FIXED_ONE / 1000))
}

impl LevelParams {
    fn in_bounds(&self) -> bool {
        let unit = |x: Fixed, max: Fixed| !x.is_negative() && x <= max;
        self.spot_shock.is_positive()
            && self.spot_shock <= MAX_SPOT_SHOCK
            && unit(self.vol_up, MAX_VOL_SHOCK)
            && unit(self.vol_down, MAX_VOL_SHOCK)
            && unit(self.floor_pct, Fixed::ONE)
    }
}

impl MarginParams {
    /// Protocol defaults (PROTOCOL 4): IM spot shock 20 %, vol shocks +-10 points, floor 2 %;
    /// MM spot shock 12 %, vol shocks +-6 points, floor 1.2 %; stale penalty +5 vol points.
    /// Reasoning in `docs/risk-model.md`.
    pub const DEFAULT: MarginParams = MarginParams {
        initial: LevelParams {
            spot_shock: permille(200),
            vol_up: permille(100),
            vol_down: permille(100),
            floor_pct: permille(20),
        },
        maintenance: LevelParams {
            spot_shock: permille(120),
            vol_up: permille(60),
            vol_down: permille(60),
            floor_pct: permille(12),
        },
        stale_vol_penalty: permille(50),
    };

    /// IM shocks and floors at least MM's, all within hard bounds.
    pub fn validate(&self) -> RiskResult<()> {
        let (i, m) = (&self.initial, &self.maintenance);
        let ok = i.in_bounds()
            && m.in_bounds()
            && i.spot_shock >= m.spot_shock
            && i.vol_up >= m.vol_up
            && i.vol_down >= m.vol_down
            && i.floor_pct >= m.floor_pct
            && !self.stale_vol_penalty.is_negative()
            && self.stale_vol_penalty <= MAX_VOL_SHOCK;
        if ok {
            Ok(())
        } else {
            Err(RiskError::InvalidMarginParams)
        }
    }
}

/// Account-independent settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MarginConfig {
    /// Collateral is valued at `price - conf_multiplier * conf`.
    pub conf_multiplier: Fixed,
    /// End level = MM + end_buffer * (IM - MM), in [0, 1].
    pub end_buffer: Fixed,
}

impl MarginConfig {
    /// Defaults: collateral at `price - 1 * conf`, end level half-way between MM and IM.
    pub const DEFAULT: MarginConfig = MarginConfig {
        conf_multiplier: Fixed::ONE,
        end_buffer: permille(500),
    };

    /// `conf_multiplier` in [0, 10], `end_buffer` in [0, 1].
    pub fn validate(&self) -> RiskResult<()> {
        if self.conf_multiplier.is_negative()
            || self.conf_multiplier > MAX_CONF_MULTIPLIER
            || self.end_buffer.is_negative()
            || self.end_buffer > Fixed::ONE
        {
            return Err(RiskError::InvalidMarginParams);
        }
        Ok(())
    }
}

/// Market state of one underlying, as the account sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct UnderlyingRisk {
    /// Oracle spot, quote native units per underlying unit.
    pub spot: Fixed,
    /// Oracle confidence, same unit.
    pub conf: Fixed,
    pub surface: VolSurface,
    pub vol_stale: bool,
    /// Continuously compounded rate.
    pub rate: Fixed,
    pub params: MarginParams,
}

/// One short position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PositionRisk {
    /// Index into [`AccountRisk::underlyings`].
    pub underlying: u8,
    pub kind: OptionKind,
    /// Quote native units per underlying unit.
    pub strike: Fixed,
    /// Time to expiry in years (the caller applies the minimum-time floor).
    pub time_years: Fixed,
    /// Short contracts (>= 0).
    pub contracts: u64,
    /// Underlying units per contract.
    pub contract_size: Fixed,
}

/// One collateral balance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct CollateralRisk {
    /// Native token units.
    pub amount: u64,
    /// Oracle price, quote native units per collateral native unit.
    pub price: Fixed,
    /// Oracle confidence, same unit.
    pub conf: Fixed,
    /// Weights in [0, 1]; init <= maint.
    pub init_weight: Fixed,
    pub maint_weight: Fixed,
}

/// Everything the margin of one account depends on.
#[derive(Clone, Copy, Debug)]
pub struct AccountRisk<'a> {
    /// Signed quote balance in quote native units (negative = debt).
    pub quote_balance: i128,
    pub collaterals: &'a [CollateralRisk],
    pub positions: &'a [PositionRisk],
    pub underlyings: &'a [UnderlyingRisk],
}

/// Requirement, collateral value and equity at one level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct LevelRisk {
    pub addon: Fixed,
    pub requirement: Fixed,
    /// Weighted, conf-adjusted collateral value plus the quote balance.
    pub collateral_value: Fixed,
    /// `collateral_value - requirement`.
    pub equity: Fixed,
}

/// Per-underlying aggregate of the account's (short) book.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct UnderlyingSummary {
    /// Index into [`AccountRisk::underlyings`].
    pub underlying: u8,
    /// Mark value of the shorts (a liability, rounded up).
    pub liability: Fixed,
    /// Underlying units.
    pub delta: Fixed,
    /// Cash gamma Gamma * S^2 (quote native units per unit of relative spot move squared).
    pub cash_gamma: Fixed,
    /// Quote native units per 1.00 of vol.
    pub vega: Fixed,
    /// Quote native units per year.
    pub theta: Fixed,
    pub addon_initial: Fixed,
    pub addon_maintenance: Fixed,
}

/// The whole margin state of an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct MarginSummary {
    /// Mark value of all shorts.
    pub liability: Fixed,
    /// Collateral at oracle (no haircut, no conf) + quote balance - liability.
    pub mark_to_market: Fixed,
    pub initial: LevelRisk,
    pub end: LevelRisk,
    pub maintenance: LevelRisk,
    pub underlyings: [UnderlyingSummary; MAX_UNDERLYINGS],
    pub underlying_count: u8,
}

mod addon;
mod aggregate;
mod collateral;
mod gap;

use addon::*;
use aggregate::*;
use collateral::*;
use gap::*;

pub use aggregate::MM_FULL_REVALUATION;

/// The margin of one account.
///
/// See the module documentation and `docs/risk-model.md`. Per underlying: liability = sum of
/// the Black-Scholes prices (per unit, rounded up) times quantity, rounded up once; add-on =
/// max(worst loss of the delta-gamma-vega expansion over the grid, at IM the full
/// Black-Scholes loss at the extreme spot shocks with vol up, 0), then at least the floor, then
/// capped at the maximum payoff minus the liability when every position is a put; the IM
/// add-on is at least the MM add-on. Every sum over positions is exact and rounded once.
#[inline(always)]
pub fn account_margin(
    account: &AccountRisk<'_>,
    config: &MarginConfig,
) -> RiskResult<MarginSummary> {
    account_margin_ctx(&MarginCtx {
        account: *account,
        config: *config,
    })
}

/// The inputs of [`account_margin`] in one place (sBPF passes at most five arguments in
/// registers and LLVM's argument promotion would turn `&MarginConfig` into two 128-bit values).
struct MarginCtx<'a> {
    account: AccountRisk<'a>,
    config: MarginConfig,
}

#[inline(never)]
fn account_margin_ctx(ctx: &MarginCtx<'_>) -> RiskResult<MarginSummary> {
    let (account, config) = (&ctx.account, &ctx.config);
    config.validate()?;
    let (idxs, n) = referenced(account)?;
    let mut summary = MarginSummary {
        underlying_count: n as u8,
        ..MarginSummary::default()
    };
    let (mut liab, mut addon_im, mut addon_mm) = (Fixed::ZERO, Fixed::ZERO, Fixed::ZERO);
    let mut tm = TimeMemo::new();
    for (slot, &idx) in idxs[..n].iter().enumerate() {
        let r = underlying_margin(ctx, idx, &mut tm)?;
        liab = liab.checked_add(r.summary.liability)?;
        addon_im = addon_im.checked_add(r.summary.addon_initial)?;
        addon_mm = addon_mm.checked_add(r.summary.addon_maintenance)?;
        summary.underlyings[slot] = r.summary;
    }
    let addon_end = addon_mm.checked_add(
        config
            .end_buffer
            .checked_mul(addon_im.checked_sub(addon_mm)?, Rounding::Up)?,
    )?;
    let coll = collateral_values(ctx)?;
    let quote = Fixed::from_raw(wide::signed(
        wide::mul_u128_u64(account.quote_balance.unsigned_abs(), FIXED_ONE as u64)
            .ok_or(RiskError::Overflow)?,
        account.quote_balance < 0,
    )?);
    let addons = [addon_im, addon_end, addon_mm];
    let mut levels = [LevelRisk::default(); 3];
    for i in 0..3 {
        let requirement = liab.checked_add(addons[i])?;
        let collateral_value = Fixed::from_raw(coll[i]).checked_add(quote)?;
        levels[i] = LevelRisk {
            addon: addons[i],
            requirement,
            collateral_value,
            equity: collateral_value.checked_sub(requirement)?,
        };
    }
    summary.liability = liab;
    summary.initial = levels[0];
    summary.end = levels[1];
    summary.maintenance = levels[2];
    summary.mark_to_market = Fixed::from_raw(coll[3])
        .checked_add(quote)?
        .checked_sub(liab)?;
    Ok(summary)
}

/// How well the delta-gamma-vega expansion tracks full revaluation for one underlying of the
/// account, at every grid point of one level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ExpansionGap {
    /// Loss predicted by the expansion at `[spot][vol]` (positive = loss).
    pub expansion_loss: [[Fixed; VOL_SCENARIOS]; SPOT_SCENARIOS],
    /// Loss by full Black-Scholes revaluation at the same shocks.
    pub full_loss: [[Fixed; VOL_SCENARIOS]; SPOT_SCENARIOS],
    /// max over the grid of (full_loss - expansion_loss), i.e. how much the expansion understates.
    pub worst_understatement: Fixed,
}

/// Measure the expansion against full revaluation for `underlying` at `level`.
///
/// Uses the same shocks as the margin (spot shock widened by conf/spot, stale penalty added to
/// the upward vol shock) and full Black-Scholes revaluation at all ten grid points (sticky
/// strike; a downward-shocked vol is floored at the surface's `min_vol`). Grid order: spot
/// `{-h, -h/2, 0, +h/2, +h}` x vol `{-v_dn, +v_up}`.
#[inline(never)]
pub fn expansion_gap(
    account: &AccountRisk<'_>,
    underlying: u8,
    level: &LevelParams,
) -> RiskResult<ExpansionGap> {
    let und = account
        .underlyings
        .get(underlying as usize)
        .ok_or(RiskError::UnknownUnderlying)?;
    validate_underlying(und)?;
    if !level.in_bounds() {
        return Err(RiskError::InvalidMarginParams);
    }
    let s = und.spot.raw() as u128;
    let sp = SpotPrep::new(s, und.rate.raw() as u128);
    let sh = level_shocks(und, sp.inv_s, level)?;
    let mut a = Agg::new();
    gap_aggregate(
        &GapCtx {
            account,
            underlying,
            sp: &sp,
            sh: &sh,
        },
        &mut a,
    )?;
    let b = book_greeks(&a, s)?;
    gap_grid(&a, &b, &sh)
}

/// The default is [`MarginParams::DEFAULT`], never an all-zero configuration (which would validate and
/// silently mean no haircut or no shock).
impl Default for MarginParams {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// The default is [`MarginConfig::DEFAULT`], never an all-zero configuration (which would validate and
/// silently mean no haircut or no shock).
impl Default for MarginConfig {
    fn default() -> Self {
        Self::DEFAULT
    }
}

#[cfg(test)]
#[path = "../tests/margin.rs"]
mod tests;
