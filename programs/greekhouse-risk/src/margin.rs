//! Greek-based portfolio margin (PROTOCOL 4).
//!
//! API CONTRACT (stubs). Conventions:
//! - All money values are [`Fixed`] in quote native units (e.g. micro-USDC), rounded in the
//!   clearing house's favour: liabilities, add-ons and requirements `Up`, collateral values `Down`.
//! - Spot is quote native units per whole underlying unit; a position's quantity is
//!   `contracts * contract_size` underlying units.
//! - The account is short every position. Aggregated Greeks are those of the account (short),
//!   so a short call has negative delta.
//! - Add-on per underlying = worst loss over the grid spot x vol of the delta-gamma-vega
//!   expansion (with the full-revaluation safeguard at the extreme shocks, see
//!   `docs/risk-model.md`), never below the sum of per-contract floors, and capped so
//!   `liability + add-on <= maximum payoff` where the maximum payoff is finite (all puts).
//! - Spot shocks are widened by `conf / spot`. A stale vol surface adds `stale_vol_penalty`
//!   to the upward vol shock.
//! - `requirement(level) = liability + add-on(level)`; end level = MM + buffer * (IM - MM),
//!   applied to requirements and to collateral weights alike, so the whole computation is
//!   homogeneous of degree one in (positions, collateral amounts, quote balance).

use crate::{Fixed, OptionKind, RiskResult, VolSurface};

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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct MarginParams {
    pub initial: LevelParams,
    pub maintenance: LevelParams,
    /// Added to `vol_up` at every level while the surface is stale.
    pub stale_vol_penalty: Fixed,
}

impl MarginParams {
    /// IM shocks and floors at least MM's, all within hard bounds.
    pub fn validate(&self) -> RiskResult<()> {
        todo!()
    }
}

/// Account-independent settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct MarginConfig {
    /// Collateral is valued at `price - conf_multiplier * conf`.
    pub conf_multiplier: Fixed,
    /// End level = MM + end_buffer * (IM - MM), in [0, 1].
    pub end_buffer: Fixed,
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

/// The margin of one account.
pub fn account_margin(_account: &AccountRisk<'_>, _config: &MarginConfig) -> RiskResult<MarginSummary> {
    todo!()
}

/// How well the delta-gamma-vega expansion tracks full revaluation for one underlying of the
/// account, at every grid point of one level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ExpansionGap {
    /// Loss predicted by the expansion at [spot][vol] (positive = loss).
    pub expansion_loss: [[Fixed; VOL_SCENARIOS]; SPOT_SCENARIOS],
    /// Loss by full Black-Scholes revaluation at the same shocks.
    pub full_loss: [[Fixed; VOL_SCENARIOS]; SPOT_SCENARIOS],
    /// max over the grid of (full_loss - expansion_loss), i.e. how much the expansion understates.
    pub worst_understatement: Fixed,
}

/// Measure the expansion against full revaluation for `underlying` at `level`.
pub fn expansion_gap(
    _account: &AccountRisk<'_>,
    _underlying: u8,
    _level: &LevelParams,
) -> RiskResult<ExpansionGap> {
    todo!()
}
