//! Every numeric governed field, declared once: its `GovValue` kind, name, tightening direction,
//! step limit, hard bounds, validity rule and how to read and write it. The classifier
//! ([`super::governance::fields`]), the SDK's `field_bounds`/`set_field` (what
//! `greekhouse gov propose` accepts) and the generated tables of `docs/governance.md` all read
//! this table, so a field cannot be governed on chain and missing off chain.
//!
//! The hard bounds here name the same `constants::bounds` the accounts' `validate`/`invariant`
//! enforce; the table says which bound belongs to which field, the accounts check them (a test
//! checks that both agree). Identities (keys, oracle program and feed, price source, listing
//! flags) are not numbers and are not in the table.

use crate::constants::bounds as b;
use crate::constants::governance::WEIGHT_STEP_BPS;
use crate::state::GovValue;

/// Which direction of a field tightens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    /// Larger is safer (shocks, floors, weights' opposite...).
    Up,
    /// Smaller is safer (ages, caps, weights).
    Down,
    /// Either direction loosens (fees, auction, series rules).
    Neutral,
}

/// How far one change may move a field, measured from the value at queue time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// At most doubled or halved; moves of up to `min_abs` are always allowed (so a zero or
    /// tiny value can move at all).
    Factor { min_abs: i128 },
    /// At most this far in either direction.
    Abs(i128),
    /// No step limit (hard bounds and validity still apply).
    Free,
}

/// One numeric field of a governed value.
#[derive(Clone, Copy)]
pub struct GovernedField {
    /// The `GovValue` variant holding the field ([`kind_name`]).
    pub kind: &'static str,
    /// The field's name in change files and events (`liquidation.fee_bps`).
    pub name: &'static str,
    pub dir: Dir,
    pub step: Step,
    /// Hard bounds (`None`: only validity rules apply). A function because the bounds'
    /// constants have several integer types and `i128::from` is not `const`.
    bounds: fn() -> Option<(i128, i128)>,
    /// What else the account's validity rules require of the field (documentation).
    pub rule: &'static str,
    get: fn(&GovValue) -> Option<i128>,
    set: fn(&mut GovValue, i128) -> bool,
}

impl GovernedField {
    /// Hard bounds, inclusive.
    pub fn bounds(&self) -> Option<(i128, i128)> {
        (self.bounds)()
    }

    /// The field's value in `value` (`None` when `value` is another kind).
    pub fn get(&self, value: &GovValue) -> Option<i128> {
        (self.get)(value)
    }

    /// Write `n` into the field of `value`; false when `value` is another kind or `n` does not
    /// fit the field's integer type (nothing is written then).
    pub fn set(&self, value: &mut GovValue, n: i128) -> bool {
        (self.set)(value, n)
    }
}

impl core::fmt::Debug for GovernedField {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}.{}", self.kind, self.name)
    }
}

/// The variant's name, as change files and the CLI spell it.
pub fn kind_name(v: &GovValue) -> &'static str {
    match v {
        GovValue::GlobalParams(_) => "GlobalParams",
        GovValue::Guardian(_) => "Guardian",
        GovValue::MarginParams(_) => "MarginParams",
        GovValue::OracleConfig(_) => "OracleConfig",
        GovValue::OpenInterest(_) => "OpenInterest",
        GovValue::SeriesRules(_) => "SeriesRules",
        GovValue::SurfaceLimits(_) => "SurfaceLimits",
        GovValue::VolUpdater(_) => "VolUpdater",
        GovValue::UnderlyingEnabled(_) => "UnderlyingEnabled",
        GovValue::CollateralWeights(_) => "CollateralWeights",
        GovValue::DepositCap(_) => "DepositCap",
        GovValue::PriceSource(_) => "PriceSource",
        GovValue::CollateralEnabled(_) => "CollateralEnabled",
        GovValue::RealizedVol(_) => "RealizedVol",
        GovValue::TailAndSize(_) => "TailAndSize",
    }
}

/// The fields of `value`'s kind, in table order.
pub fn fields_of(value: &GovValue) -> impl Iterator<Item = &'static GovernedField> {
    let kind = kind_name(value);
    GOVERNED_FIELDS.iter().filter(move |g| g.kind == kind)
}

/// The field `name` of `value`'s kind. The kind matters: `max_age_secs` is the oracle's in
/// `OracleConfig` and the surface's in `SurfaceLimits`.
pub fn field(value: &GovValue, name: &str) -> Option<&'static GovernedField> {
    fields_of(value).find(|g| g.name == name)
}

/// Widen a bound pair (the field types are all narrower than `i128`).
fn wide<T: Into<i128>>(bounds: Option<(T, T)>) -> Option<(i128, i128)> {
    bounds.map(|(lo, hi)| (lo.into(), hi.into()))
}

/// A field with no hard bounds of its own.
const UNBOUNDED: Option<(u8, u8)> = None;

const fn f(min_abs: i128) -> Step {
    Step::Factor { min_abs }
}

/// `kind(binding) { "name" => (.path), dir, step, bounds, "rule"; ... }`: one entry per field,
/// its getter and setter generated from the path into the variant's payload.
macro_rules! governed_fields {
    ($( $kind:ident { $( $name:literal => ($($path:tt)*), $dir:ident, $step:expr,
        $bounds:expr, $rule:literal; )* } )*) => {
        /// Every numeric governed field, grouped by kind in the order of `GovValue`.
        pub const GOVERNED_FIELDS: &[GovernedField] = &[$($(
            GovernedField {
                kind: stringify!($kind),
                name: $name,
                dir: Dir::$dir,
                step: $step,
                bounds: || wide($bounds),
                rule: $rule,
                get: |value| match value {
                    GovValue::$kind(x) => Some(i128::from((*x)$($path)*)),
                    _ => None,
                },
                set: |value, n| match value {
                    GovValue::$kind(x) => match n.try_into() {
                        Ok(n) => {
                            (*x)$($path)* = n;
                            true
                        }
                        Err(_) => false,
                    },
                    _ => false,
                },
            },
        )*)*];
    };
}

governed_fields! {
    GlobalParams {
        "conf_multiplier_bps" => (.conf_multiplier_bps), Up, f(5_000),
            Some(b::CONF_MULTIPLIER_BPS), "";
        "end_buffer_bps" => (.end_buffer_bps), Up, Step::Abs(2_500), Some(b::END_BUFFER_BPS), "";
        "min_time_to_expiry_secs" => (.min_time_to_expiry_secs), Neutral, f(60),
            Some(b::MIN_TIME_TO_EXPIRY_SECS), "";
        "write_fee_bps" => (.write_fee_bps), Neutral, f(10), Some(b::WRITE_FEE_BPS), "";
        "timelock_secs" => (.timelock_secs), Up, f(3_600), Some(b::TIMELOCK_SECS), "";
        "margin_warning_bps" => (.margin_warning_bps), Neutral, Step::Free,
            Some(b::MARGIN_WARNING_BPS), "informational: only `MarginWarning` reads it";
        "liquidation.start_discount_bps" => (.liquidation.start_discount_bps), Neutral,
            Step::Abs(500), Some(b::START_DISCOUNT_BPS), "`<=` fast discount";
        "liquidation.fast_discount_bps" => (.liquidation.fast_discount_bps), Neutral,
            Step::Abs(1_000), Some(b::FAST_DISCOUNT_BPS), "";
        "liquidation.fast_secs" => (.liquidation.fast_secs), Neutral, f(60),
            Some(b::AUCTION_FAST_SECS), "";
        "liquidation.slow_secs" => (.liquidation.slow_secs), Neutral, f(600),
            Some(b::AUCTION_SLOW_SECS), "";
        "liquidation.fee_bps" => (.liquidation.fee_bps), Neutral, f(100),
            Some(b::LIQUIDATION_FEE_BPS), "";
        "liquidation.tip_bps" => (.liquidation.tip_bps), Neutral, f(10),
            Some(b::KEEPER_TIP_BPS), "";
        "liquidation.tip_max_quote" => (.liquidation.tip_max_quote), Neutral, f(10),
            Some(b::KEEPER_TIP_MAX_QUOTE), "";
        "liquidation.tip_dust_min_quote" => (.liquidation.tip_dust_min_quote), Neutral, f(10),
            Some(b::KEEPER_TIP_DUST_MIN_QUOTE), "";
        "liquidation.fund_premium_bps" => (.liquidation.fund_premium_bps), Down, f(100),
            Some(b::FUND_PREMIUM_BPS), "";
        "insurance.cooldown_secs" => (.insurance.cooldown_secs), Neutral, f(86_400),
            Some(b::UNSTAKE_COOLDOWN_SECS), "";
        "insurance.unstake_window_secs" => (.insurance.unstake_window_secs), Neutral, f(3_600),
            Some(b::UNSTAKE_WINDOW_SECS), "";
        "settlement.max_conf_bps" => (.settlement.max_conf_bps), Down, f(10),
            Some(b::SETTLEMENT_MAX_CONF_BPS), "";
        "settlement.debt_grace_secs" => (.settlement.debt_grace_secs), Neutral, f(600),
            Some(b::DEBT_GRACE_SECS), "";
        "settlement.backstop_window_secs" => (.settlement.backstop_window_secs), Neutral,
            f(3_600), Some(b::BACKSTOP_WINDOW_SECS), "";
        "settlement.backstop_min_price_bps" => (.settlement.backstop_min_price_bps), Neutral,
            f(100), Some(b::BACKSTOP_MIN_PRICE_BPS), "";
        "settlement.exercise_cutoff_secs" => (.settlement.exercise_cutoff_secs), Neutral,
            f(600), Some(b::EXERCISE_CUTOFF_SECS), "";
    }
    MarginParams {
        "initial.spot_shock_bps" => (.initial.spot_shock_bps), Up, f(100),
            Some(b::SPOT_SHOCK_BPS), "IM `>=` MM";
        "initial.vol_shock_bps" => (.initial.vol_shock_bps), Up, f(500),
            Some(b::VOL_SHOCK_BPS), "IM `>=` MM";
        "initial.floor_bps" => (.initial.floor_bps), Up, f(50), Some(b::FLOOR_BPS), "IM `>=` MM";
        "maintenance.spot_shock_bps" => (.maintenance.spot_shock_bps), Up, f(100),
            Some(b::SPOT_SHOCK_BPS), "";
        "maintenance.vol_shock_bps" => (.maintenance.vol_shock_bps), Up, f(500),
            Some(b::VOL_SHOCK_BPS), "";
        "maintenance.floor_bps" => (.maintenance.floor_bps), Up, f(50), Some(b::FLOOR_BPS), "";
        "vol_ref_secs" => (.vol_ref_secs), Neutral, f(3_600), Some(b::VOL_REF_SECS), "";
        "vol_power_bps" => (.vol_power_bps), Neutral, Step::Abs(2_500),
            Some(b::VOL_POWER_BPS), "";
        "vol_term_cap_bps" => (.vol_term_cap_bps), Up, f(10_000), Some(b::VOL_TERM_CAP_BPS), "";
        "stale_vol_per_hour_bps" => (.stale_vol_per_hour_bps), Up, f(100),
            Some(b::STALE_VOL_PER_HOUR_BPS), "";
        "stale_vol_cap_bps" => (.stale_vol_cap_bps), Up, f(100), Some(b::STALE_VOL_CAP_BPS), "";
        "rate_bps" => (.rate_bps), Neutral, Step::Abs(500), Some(b::RATE_BPS), "";
    }
    RealizedVol {
        "initial_multiple_bps" => (.initial_multiple_bps), Up, f(5_000),
            Some(b::REALIZED_MULTIPLE_BPS), "IM reaches `>=` MM (`k^2 H`); 0 = off";
        "initial_horizon_secs" => (.initial_horizon_secs), Up, f(600),
            Some(b::REALIZED_HORIZON_SECS), "";
        "initial_max_shock_bps" => (.initial_max_shock_bps), Up, f(500),
            Some(b::REALIZED_MAX_SHOCK_BPS), "IM `>=` MM";
        "maintenance_multiple_bps" => (.maintenance_multiple_bps), Up, f(5_000),
            Some(b::REALIZED_MULTIPLE_BPS), "0 = off";
        "maintenance_horizon_secs" => (.maintenance_horizon_secs), Up, f(600),
            Some(b::REALIZED_HORIZON_SECS), "";
        "maintenance_max_shock_bps" => (.maintenance_max_shock_bps), Up, f(500),
            Some(b::REALIZED_MAX_SHOCK_BPS), "";
        "half_life_secs" => (.half_life_secs), Neutral, f(900),
            Some(b::REALIZED_HALF_LIFE_SECS), "";
        "sample_secs" => (.sample_secs), Neutral, f(10), Some(b::REALIZED_SAMPLE_SECS), "";
        "max_return_bps" => (.max_return_bps), Up, f(500), Some(b::REALIZED_MAX_RETURN_BPS), "";
    }
    TailAndSize {
        "tail_down_bps" => (.tail_down_bps), Neutral, f(500), Some(b::TAIL_SHOCK_BPS),
            "one point, not a range: moving it can lower some books' IM";
        "tail_up_bps" => (.tail_up_bps), Neutral, f(500), Some(b::TAIL_SHOCK_BPS),
            "one point, not a range: moving it can lower some books' IM";
        "tail_weight_bps" => (.tail_weight_bps), Up, Step::Abs(2_500), Some(b::TAIL_WEIGHT_BPS),
            "0 = no tail";
        "size_charge_bps" => (.size_charge_bps), Up, f(2_500), Some(b::SIZE_CHARGE_BPS),
            "0 = no charge";
        "size_capacity" => (.size_capacity), Down, f(1), UNBOUNDED, "> 0";
    }
    OracleConfig {
        "max_age_secs" => (.max_age_secs), Down, f(5), Some(b::MAX_AGE_SECS),
            "`<=` `liq_max_age_secs`";
        "liq_max_age_secs" => (.liq_max_age_secs), Down, f(5), Some(b::LIQ_MAX_AGE_SECS), "";
        "max_conf_bps" => (.max_conf_bps), Down, f(10), Some(b::MAX_CONF_BPS), "";
    }
    OpenInterest {
        "open_interest_cap" => (.open_interest_cap), Down, f(1), UNBOUNDED, "> 0";
        "writer_share_bps" => (.writer_share_bps), Down, Step::Abs(2_500),
            Some(b::WRITER_OPEN_INTEREST_SHARE_BPS), "";
    }
    SeriesRules {
        "expiry_interval_secs" => (.expiry_interval_secs), Neutral, f(3_600), UNBOUNDED,
            "`>=` 3,600";
        "expiry_offset_secs" => (.expiry_offset_secs), Neutral, Step::Free, UNBOUNDED,
            "`<` interval";
        "max_horizon_secs" => (.max_horizon_secs), Neutral, f(86_400), UNBOUNDED,
            "interval to 63,072,000";
        "strike_band_bps" => (.strike_band_bps), Neutral, f(100), UNBOUNDED, "1 to 99,999";
        "strike_tick" => (.strike_tick), Neutral, Step::Free, UNBOUNDED, "> 0";
        "contract_size" => (.contract_size), Neutral, Step::Free, UNBOUNDED, "> 0";
    }
    SurfaceLimits {
        "max_age_secs" => (.max_age_secs), Down, f(60), Some(b::SURFACE_MAX_AGE_SECS), "";
        "max_change_bps" => (.max_change_bps), Down, f(100), Some(b::SURFACE_MAX_CHANGE_BPS), "";
        "anchor_interval_secs" => (.anchor_interval_secs), Up, f(600),
            Some(b::SURFACE_ANCHOR_INTERVAL_SECS), "";
    }
    CollateralWeights {
        "init_weight_bps" => (.init_weight_bps), Down, Step::Abs(WEIGHT_STEP_BPS),
            Some(b::WEIGHT_BPS), "init `<=` maint; haircut vs. the price source (risk engine)";
        "maint_weight_bps" => (.maint_weight_bps), Down, Step::Abs(WEIGHT_STEP_BPS),
            Some(b::WEIGHT_BPS), "";
    }
    DepositCap {
        "deposit_cap" => (), Down, f(1), UNBOUNDED, "";
    }
}
