//! Portfolio margin by full Black-Scholes revaluation (PROTOCOL 4).
//!
//! Conventions:
//! - All money values are [`Fixed`] in quote native units (e.g. micro-USDC), rounded in the
//!   clearing house's favour: liabilities, add-ons and requirements `Up`, collateral values `Down`.
//! - Spot is quote native units per whole underlying unit; a position's quantity is
//!   `contracts * contract_size` underlying units.
//! - A position is short (the account wrote it) or long (the account holds the option token).
//!   Aggregated Greeks are those of the account, so a short call has negative delta. They are
//!   reported; no requirement depends on them.
//! - Add-on of an underlying at a level (IM or MM) = the worst loss of its book (the shorts
//!   plus the collateral linked to it) over that level's box: spot shocks in `[-h', +h']`
//!   (`h' = h + conf/S`) and each option's vol shocked upward (sticky strike, relative, larger
//!   near expiry). For such a book the worst case is at the two spot ends with every vol at its
//!   upward shock (proof in `docs/risk-model.md`, 6.3), so the add-on is two full
//!   revaluations; then at least the sum of per-contract floors, and capped so
//!   `liability + add-on` never exceeds what the book can cost (puts' strikes, plus the credit
//!   of the linked collateral when it covers every call).
//! - An underlying whose book holds a live long is margined by `longs.rs` (docs/risk-model.md,
//!   6.7): each leg at its adverse vol (shorts up, longs down), a five-point spot grid with a
//!   curvature allowance between points, the cap generalised to the maximum of each expiry's
//!   payoff, and a requirement never below zero (a long never credits another underlying).
//!   Underlyings without a live long are margined exactly as before.
//! - IM's add-on is also at least a weight times the book's loss at an extended (tail)
//!   scenario, spot -33 % / +33 % at IM's adverse vols by default (`tail.rs`, 6.9); MM never
//!   uses it.
//! - IM's add-on of an underlying grows with the account's live short units beyond the
//!   underlying's liquidation capacity (`size.rs`, 6.10), before the payoff cap; MM never
//!   uses it.
//! - A stale surface raises every vol (mark and shocks) by a penalty growing with its age.
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
use crate::{Fixed, OptionKind, RiskError, RiskResult, Rounding, VolSurface};

/// Most distinct underlyings one account's positions and linked collateral may span.
pub const MAX_UNDERLYINGS: usize = 8;
/// Spot shocks of the [`expansion_gap`] report as multiples of h: {-1, -1/2, 0, +1/2, +1}.
pub const SPOT_SCENARIOS: usize = 5;
/// Vol states of the [`expansion_gap`] report: {unshocked, the level's upward shock}.
pub const VOL_SCENARIOS: usize = 2;

/// The shocks and floor of one margin level (IM or MM).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct LevelParams {
    /// h: relative spot shock (0.20 = 20 %), in (0, 1).
    pub spot_shock: Fixed,
    /// v: relative upward vol shock at the reference tenor (0.25 = every vol times 1.25 at
    /// `T = T_ref`), scaled by the term factor `min(cap, (T_ref / T)^p)`, in [0, 2].
    pub vol_shock: Fixed,
    /// Per-contract floor of the add-on, a fraction of spot (puts: of min(S, K)), in [0, 1].
    pub floor_pct: Fixed,
    /// Predictive shock: the spot shock is at least `realized_multiple * sigma_rv *
    /// sqrt(realized_horizon_secs / year)` (`sigma_rv`: the underlying's realized-vol estimate,
    /// [`UnderlyingRisk::realized_vol`]), at most `max_spot_shock`; so margin rises as the market
    /// turns, before positions breach. In [0, 10]; 0 turns it off.
    pub realized_multiple: Fixed,
    /// The horizon the realized vol is scaled to, seconds, in [60, 7 days] (when on).
    pub realized_horizon_secs: u32,
    /// The most the predictive shock may reach, in [spot_shock, MAX_SPOT_SHOCK] (when on).
    pub max_spot_shock: Fixed,
}

/// Margin parameters of one underlying.
///
/// Shocked vol of an option with time to expiry `T` at a level:
/// `sigma' = sigma_mark * (1 + vol_shock * min(vol_term_cap, (T_ref / T)^vol_power))`,
/// `T_ref = vol_ref_secs`, with `sigma_mark = sigma_surface * (1 + stale penalty)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MarginParams {
    pub initial: LevelParams,
    pub maintenance: LevelParams,
    /// `T_ref` of the vol shock's term factor, seconds, in [1 hour, 365 days].
    pub vol_ref_secs: u32,
    /// `p` of the term factor, in [0, 1] (`0.5` has a fast path).
    pub vol_power: Fixed,
    /// Cap of the term factor, in [1, 10].
    pub vol_term_cap: Fixed,
    /// Stale-surface penalty: relative vol increase per hour of staleness, in [0, 1].
    pub stale_vol_per_hour: Fixed,
    /// Cap of the stale-surface penalty, in [0, 1].
    pub stale_vol_cap: Fixed,
    /// The extended (tail) scenario of IM (docs/risk-model.md 6.9): spot down by `tail_down`
    /// and up by `tail_up` (relative, each in [0, 0.95]), every leg at IM's adverse vol.
    pub tail_down: Fixed,
    pub tail_up: Fixed,
    /// IM's add-on is at least `tail_weight` times the worst loss at the two tail points, in
    /// [0, 1]; 0 turns the tail off. A direction that lies inside IM's box adds nothing (the
    /// box already bounds its loss).
    pub tail_weight: Fixed,
    /// IM's size charge (docs/risk-model.md 6.10): the liquidation capacity `C`, underlying
    /// units (>= 0; 0 turns the charge off), and the charge `k` in [0, 10]: IM's add-on of an
    /// account whose live short units `q` exceed `C` is multiplied by `1 + k (q - C) / C`
    /// (the excess at most 10).
    pub size_capacity: Fixed,
    pub size_charge: Fixed,
}

/// Hard bound: a spot shock is in (0, 1) (exclusive).
pub const MAX_SPOT_SHOCK: Fixed = Fixed::from_raw(FIXED_ONE - 1);
/// The widened spot shock `h + conf/spot` is capped here (the shocked spot stays positive).
pub const MAX_EFFECTIVE_SPOT_SHOCK: Fixed = Fixed::from_raw(FIXED_ONE / 100 * 99);
/// [`MAX_EFFECTIVE_SPOT_SHOCK`] at Q63 (scale 2^63), rounded down.
const MAX_EFFECTIVE_SPOT_SHOCK_Q63: u128 =
    (MAX_EFFECTIVE_SPOT_SHOCK.raw() as u128) * (1u128 << 63) / (FIXED_ONE as u128);

/// Hard bound on a level's relative vol shock `v`: 2.0 (+200 % at the reference tenor).
pub const MAX_VOL_SHOCK: Fixed = Fixed::from_raw(2 * FIXED_ONE);
/// Hard bound on the term factor's cap: 10.
pub const MAX_VOL_TERM_CAP: Fixed = Fixed::from_raw(10 * FIXED_ONE);
/// Bounds of `vol_ref_secs`: 1 hour to 365 days.
pub const MIN_VOL_REF_SECS: u32 = 3_600;
pub const MAX_VOL_REF_SECS: u32 = 365 * 86_400;
/// Hard bound on the stale penalty's rate (per hour) and cap: 1.0 (+100 %).
pub const MAX_STALE_VOL: Fixed = Fixed::ONE;
/// Hard bound on a tail shock (`tail_down`, `tail_up`): 0.95.
pub const MAX_TAIL_SHOCK: Fixed = Fixed::from_raw(FIXED_ONE / 100 * 95);
/// Hard bound on the tail's weight: 1 (a defined-risk book then stays at most its maximum
/// loss, and the weighted tail never exceeds the tail loss itself).
pub const MAX_TAIL_WEIGHT: Fixed = Fixed::ONE;
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
        let predictive = !self.predictive()
            || ((MIN_REALIZED_HORIZON_SECS..=MAX_REALIZED_HORIZON_SECS)
                .contains(&self.realized_horizon_secs)
                && self.max_spot_shock >= self.spot_shock
                && self.max_spot_shock <= MAX_SPOT_SHOCK);
        self.spot_shock.is_positive()
            && self.spot_shock <= MAX_SPOT_SHOCK
            && unit(self.vol_shock, MAX_VOL_SHOCK)
            && unit(self.floor_pct, Fixed::ONE)
            && unit(self.realized_multiple, MAX_REALIZED_MULTIPLE)
            && predictive
    }

    /// Whether the predictive shock is on.
    pub fn predictive(&self) -> bool {
        self.realized_multiple.is_positive()
    }

    /// `realized_multiple^2 * realized_horizon_secs` (seconds; zero when off): how far the
    /// predictive shock reaches per unit of realized variance, the order IM keeps over MM.
    fn predictive_reach(&self) -> u128 {
        if !self.predictive() {
            return 0;
        }
        let k = self.realized_multiple.raw() as u128;
        // k <= 10 * 10^12: k^2 < 2^77, times seconds < 2^20
        k * k * self.realized_horizon_secs as u128
    }
}

/// Hard bound on a level's realized-vol multiple: 10.
pub const MAX_REALIZED_MULTIPLE: Fixed = Fixed::from_raw(10 * FIXED_ONE);
/// Bounds of a level's realized-vol horizon: one minute to seven days.
pub const MIN_REALIZED_HORIZON_SECS: u32 = 60;
pub const MAX_REALIZED_HORIZON_SECS: u32 = 7 * 86_400;

/// Which margin level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Initial,
    Maintenance,
}

impl MarginParams {
    /// Defaults (reasoning in `docs/risk-model.md`, section 8): IM spot shock 20 %, vol shock
    /// +40 % at 30 days, floor 2 %; MM spot shock 12 %, vol shock +25 % at 30 days, floor
    /// 1.2 %; term factor `min(4, (30 days / T)^0.5)` (front-end vols up to x2.6 at IM, x2
    /// at MM); stale surface +5 % of vol per hour, at most +50 %; predictive shocks (6.8)
    /// IM `4 sigma_rv sqrt(4 h)` up to 50 %, MM `5.9 sigma_rv sqrt(1 h)` up to 35 %; IM's
    /// tail scenario at -33 % / +33 % weighted 0.5 (6.9); no size charge until the
    /// underlying states its liquidation capacity (6.10).
    pub const DEFAULT: MarginParams = MarginParams {
        initial: LevelParams {
            spot_shock: permille(200),
            vol_shock: permille(400),
            floor_pct: permille(20),
            realized_multiple: fx(4 * FIXED_ONE),
            realized_horizon_secs: 4 * 3_600,
            max_spot_shock: permille(500),
        },
        maintenance: LevelParams {
            spot_shock: permille(120),
            vol_shock: permille(250),
            floor_pct: permille(12),
            realized_multiple: permille(5_900),
            realized_horizon_secs: 3_600,
            max_spot_shock: permille(350),
        },
        vol_ref_secs: 30 * 86_400,
        vol_power: permille(500),
        vol_term_cap: fx(4 * FIXED_ONE),
        stale_vol_per_hour: permille(50),
        stale_vol_cap: permille(500),
        tail_down: permille(330),
        // symmetric in percent, not in log (+50 %): a short call's tail loss grows with the
        // move itself, and at +50 % half of it binds on an at-the-money 30-day call (IM 30.52
        // against the box's 26.21 and Opyn's 26.22): the tail is for the wings
        tail_up: permille(330),
        tail_weight: permille(500),
        // capacity is the underlying's own (the program sets it at listing); the engine's
        // default has none, so the charge is off
        size_capacity: Fixed::ZERO,
        size_charge: permille(500),
    };

    /// The parameters of one level.
    pub fn level(&self, level: Level) -> &LevelParams {
        match level {
            Level::Initial => &self.initial,
            Level::Maintenance => &self.maintenance,
        }
    }

    /// Every field within its hard bound, IM shocks and floor at least MM's.
    pub fn validate(&self) -> RiskResult<()> {
        let (i, m) = (&self.initial, &self.maintenance);
        let unit = |x: Fixed, max: Fixed| !x.is_negative() && x <= max;
        let ok = i.in_bounds()
            && m.in_bounds()
            && i.spot_shock >= m.spot_shock
            && i.vol_shock >= m.vol_shock
            && i.floor_pct >= m.floor_pct
            && i.predictive_reach() >= m.predictive_reach()
            && (!m.predictive() || i.max_spot_shock >= m.max_spot_shock)
            && (MIN_VOL_REF_SECS..=MAX_VOL_REF_SECS).contains(&self.vol_ref_secs)
            && unit(self.vol_power, Fixed::ONE)
            && self.vol_term_cap >= Fixed::ONE
            && self.vol_term_cap <= MAX_VOL_TERM_CAP
            && unit(self.stale_vol_per_hour, MAX_STALE_VOL)
            && unit(self.stale_vol_cap, MAX_STALE_VOL)
            && unit(self.tail_down, MAX_TAIL_SHOCK)
            && unit(self.tail_up, MAX_TAIL_SHOCK)
            && unit(self.tail_weight, MAX_TAIL_WEIGHT)
            && !self.size_capacity.is_negative()
            && unit(self.size_charge, MAX_SIZE_CHARGE);
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
    /// Compute the book's Greeks ([`UnderlyingSummary`]'s delta, cash gamma, vega, theta).
    /// No requirement depends on them, so the program turns them off (about 700 CU a leg on
    /// sBPF) and every other field is the same either way; the SDK and CLI report them.
    pub greeks: bool,
}

impl MarginConfig {
    /// Defaults: collateral at `price - 1 * conf`, end level half-way between MM and IM.
    pub const DEFAULT: MarginConfig = MarginConfig {
        conf_multiplier: Fixed::ONE,
        end_buffer: permille(500),
        greeks: true,
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
    /// Seconds by which the vol surface is older than its maximum age (0 = fresh). Raises
    /// every vol by `min(stale_vol_cap, stale_vol_per_hour * secs / 3600)` (relative).
    pub surface_stale_secs: u64,
    /// The underlying's realized-vol estimate (annualised, [`crate::realized`]), in
    /// [0, `bs::MAX_VOL`]; zero when there is none yet. Widens each level's spot shock
    /// ([`LevelParams::realized_multiple`]).
    pub realized_vol: Fixed,
    /// Continuously compounded rate.
    pub rate: Fixed,
    pub params: MarginParams,
}

/// Which side of a series an account holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Hash)]
pub enum Side {
    /// Written by the account: it owes the payoff.
    #[default]
    Short,
    /// Held by the account (option tokens in the program's custody): it is owed the payoff.
    Long,
}

/// One position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PositionRisk {
    /// Index into [`AccountRisk::underlyings`].
    pub underlying: u8,
    pub kind: OptionKind,
    /// Quote native units per underlying unit.
    pub strike: Fixed,
    /// Time to expiry in years. `> 0`: live (the caller applies the minimum-time floor of
    /// PROTOCOL 4 only here); `<= 0`: expired and not yet settled, valued at intrinsic value
    /// (shocked over the spot box, no vol, no time floor).
    pub time_years: Fixed,
    /// Contracts held on `side` (>= 0).
    pub contracts: u64,
    /// Underlying units per contract.
    pub contract_size: Fixed,
    /// Short or long. An expired long not yet settled counts for nothing (its payout is
    /// credited when it settles, and a haircut series may pay less than intrinsic).
    pub side: Side,
    /// An American option (exercisable before expiry). A live short American put is valued at
    /// its European price plus the early-exercise premium's bound `K (1 - e^-rT)` at its mark
    /// and in every scenario (at least the American price and the intrinsic value:
    /// docs/risk-model.md 6.8b); an American call equals the European one (no dividends,
    /// `r >= 0`), and a long is valued at its European price (a lower bound).
    pub american: bool,
}

/// One collateral balance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct CollateralRisk {
    /// Native token units.
    pub amount: u64,
    /// Oracle price, quote native units per collateral native unit. For linked collateral it
    /// must come from the linked underlying's feed (the same publish as its spot).
    pub price: Fixed,
    /// Oracle confidence, same unit.
    pub conf: Fixed,
    /// Weights in [0, 1]; init <= maint. See [`validate_collateral_weights`].
    pub init_weight: Fixed,
    pub maint_weight: Fixed,
    /// `Some(i)`: the asset is priced by underlying `i`'s feed ([`AccountRisk::underlyings`]
    /// index) and moves with its spot inside that underlying's scenarios; `None`: not
    /// shocked (pegged, or a volatile asset whose weight covers the shock).
    pub linked_underlying: Option<u8>,
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

/// Per-underlying aggregate of the account's book.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct UnderlyingSummary {
    /// Index into [`AccountRisk::underlyings`].
    pub underlying: u8,
    /// Mark value of the shorts less the longs' (a liability, rounded up; capped like the
    /// requirement; never below zero: see `long_value`).
    pub liability: Fixed,
    /// Mark value of the longs beyond the shorts' (rounded down, >= 0): counted in the
    /// account's mark-to-market, never in another underlying's requirement.
    pub long_value: Fixed,
    /// Underlying units.
    pub delta: Fixed,
    /// Cash gamma Gamma * S^2 (quote native units per unit of relative spot move squared).
    pub cash_gamma: Fixed,
    /// Quote native units per 1.00 of vol.
    pub vega: Fixed,
    /// Quote native units per year.
    pub theta: Fixed,
    /// Add-ons (worst loss over the level's box of the shorts plus the linked collateral).
    pub addon_initial: Fixed,
    pub addon_maintenance: Fixed,
    /// MM-weighted value of the collateral linked to this underlying (its shocked part).
    pub linked_collateral: Fixed,
    /// Every short call (net of the longs' calls of the same expiry, with longs) is covered by
    /// linked collateral (the requirement is then capped at the puts' strikes, or with longs
    /// the most each expiry's payoff can reach, plus the linked collateral's MM value).
    pub calls_covered: bool,
}

/// The whole margin state of an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct MarginSummary {
    /// Mark value of all shorts, net of the longs of the same underlying (>= 0 per underlying).
    pub liability: Fixed,
    /// Collateral at oracle (no haircut, no conf) + quote balance - liability + the longs'
    /// value beyond their underlying's shorts.
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
mod longs;
mod size;
mod tail;
mod vol;

use addon::*;
use aggregate::*;
use collateral::*;
use gap::*;
use longs::*;
use size::*;
use tail::*;
use vol::*;

pub use collateral::{validate_collateral_weights, CollateralClass};
pub use size::{size_factor_excess, MAX_SIZE_CHARGE, MAX_SIZE_FACTOR_EXCESS};

/// The margin of one account.
///
/// See the module documentation and `docs/risk-model.md`. Per underlying: liability = sum of
/// the Black-Scholes marks (per unit, rounded up) times quantity, rounded up once; add-on =
/// max(worst full-revaluation loss of the shorts plus linked collateral over the level's box,
/// floor), capped at what the book can cost; the IM add-on is at least the MM add-on. Every
/// sum over positions is exact and rounded once.
#[inline(always)]
pub fn account_margin(
    account: &AccountRisk<'_>,
    config: &MarginConfig,
) -> RiskResult<MarginSummary> {
    account_margin_ctx(&MarginCtx {
        account: *account,
        config: *config,
        defer_tail: true,
    })
}

/// [`account_margin`] with every tail revaluation run, none deferred behind its slope bound
/// (docs/risk-model.md 6.9): the reference the deferral is tested against (the results are
/// identical; only the cost differs).
#[doc(hidden)]
pub fn account_margin_revaluing_every_tail(
    account: &AccountRisk<'_>,
    config: &MarginConfig,
) -> RiskResult<MarginSummary> {
    account_margin_ctx(&MarginCtx {
        account: *account,
        config: *config,
        defer_tail: false,
    })
}

/// The inputs of [`account_margin`] in one place (sBPF passes at most five arguments in
/// registers and LLVM's argument promotion would turn `&MarginConfig` into two 128-bit values).
struct MarginCtx<'a> {
    account: AccountRisk<'a>,
    config: MarginConfig,
    /// [`AggCtx::defer_tail`]
    defer_tail: bool,
}

#[inline(never)]
fn account_margin_ctx(ctx: &MarginCtx<'_>) -> RiskResult<MarginSummary> {
    let (account, config) = (&ctx.account, &ctx.config);
    config.validate()?;
    let (idxs, n) = referenced(account)?;
    let coll = collateral_values(ctx, &idxs[..n])?;
    let mut summary = MarginSummary {
        underlying_count: n as u8,
        ..MarginSummary::default()
    };
    let (mut liab, mut addon_im, mut addon_mm) = (Fixed::ZERO, Fixed::ZERO, Fixed::ZERO);
    let mut long_value = Fixed::ZERO;
    let mut tm = TimeMemo::new();
    for (slot, &idx) in idxs[..n].iter().enumerate() {
        let r = if holds_live_long(account.positions, idx) {
            underlying_margin_with_longs(ctx, idx, &coll.linked[slot], &mut tm)?
        } else {
            underlying_margin(ctx, idx, &coll.linked[slot], &mut tm)?
        };
        liab = liab.checked_add(r.liability)?;
        long_value = long_value.checked_add(r.long_value)?;
        addon_im = addon_im.checked_add(r.addon_initial)?;
        addon_mm = addon_mm.checked_add(r.addon_maintenance)?;
        summary.underlyings[slot] = r;
    }
    let addon_end = addon_mm.checked_add(
        config
            .end_buffer
            .checked_mul(addon_im.checked_sub(addon_mm)?, Rounding::Up)?,
    )?;
    let quote = Fixed::from_raw(wide::signed(
        wide::mul_u128_u64(account.quote_balance.unsigned_abs(), FIXED_ONE as u64)
            .ok_or(RiskError::Overflow)?,
        account.quote_balance < 0,
    )?);
    let addons = [addon_im, addon_end, addon_mm];
    let mut levels = [LevelRisk::default(); 3];
    for i in 0..3 {
        let requirement = liab.checked_add(addons[i])?;
        let collateral_value = Fixed::from_raw(coll.total[i]).checked_add(quote)?;
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
    summary.mark_to_market = Fixed::from_raw(coll.total[3])
        .checked_add(quote)?
        .checked_sub(liab)?
        .checked_add(long_value)?;
    Ok(summary)
}

/// How well the delta-gamma-vega expansion tracks full revaluation for one underlying of the
/// account (its options only, no collateral), at every point of a report grid. A report: no
/// requirement depends on it.
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
/// Same shocks as the margin (spot shock widened by conf/spot; each option's vol at its
/// stale-adjusted mark or shocked upward by the level's relative, term-scaled shock). Grid
/// order: spot `{-h', -h'/2, 0, +h'/2, +h'}` x vol `{mark, shocked}`. The expansion is
/// `D S s + G S^2 s^2 / 2 + sum_i V_i dsigma_i` (the last term only at the shocked vol).
#[inline(never)]
pub fn expansion_gap(
    account: &AccountRisk<'_>,
    underlying: u8,
    level: Level,
) -> RiskResult<ExpansionGap> {
    let und = account
        .underlyings
        .get(underlying as usize)
        .ok_or(RiskError::UnknownUnderlying)?;
    validate_underlying(und)?;
    let s = und.spot.raw() as u128;
    let sp = SpotPrep::new(s, und.rate.raw() as u128);
    let h = widened_shock(und, sp.inv_s, und.params.level(level))?;
    let mut a = Agg::new();
    gap_aggregate(
        &GapCtx {
            account,
            underlying,
            sp: &sp,
            h,
            level,
        },
        &mut a,
    )?;
    let mut b = book_greeks(&a, s, sp.r_raw)?;
    b.ds = book_ds(&a, s)?;
    gap_grid(&a, &b, h)
}

/// The level's spot shock after the predictive widening and before the confidence widening
/// (docs/risk-model.md 6.8), for reports and tests.
pub fn predictive_shock_of(u: &UnderlyingRisk, level: &LevelParams) -> RiskResult<Fixed> {
    predictive_shock(u, level)
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
#[allow(clippy::float_arithmetic)]
#[path = "../tests/margin.rs"]
mod tests;
