//! Governance rules as pure functions: which way a change moves risk ([`classify`]), how far one
//! change may move each field ([`check_steps`]), and reading and writing a governed value in its
//! account. The table of every field is in `docs/governance.md`.
//!
//! A change is **tightening** when every field it changes moves in its tightening direction
//! (`Up`: a larger value is safer; `Down`: a smaller one). Anything else is **loosening**: a field
//! moved the other way, a `Neutral` field (fees, auction, insurance, series rules) moved at all,
//! or an identity (oracle program, feed, kind, price source) changed. Rotating the guardian is
//! loosening (a new guardian removes the current one's veto over queued changes); rotating a vol
//! updater is tightening (a compromised updater is removed at once); enabling a listing is
//! loosening, disabling it tightening.

use anchor_lang::prelude::*;

use crate::constants::governance::WEIGHT_STEP_BPS;
use crate::errors::GreekhouseError;
use crate::state::{
    Clearinghouse, CollateralAsset, CollateralWeights, GovValue, ListingState, OpenInterestLimits,
    PriceSourceConfig, SurfaceLimits, Underlying,
};

/// How a change moves risk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// Applies at once.
    Tightening,
    /// Queued behind the timelock.
    Loosening,
}

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

/// One numeric field of a value: old, new, direction, step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub old: i128,
    pub new: i128,
    pub dir: Dir,
    pub step: Step,
}

const fn f(min_abs: i128) -> Step {
    Step::Factor { min_abs }
}

/// The numeric fields of `old` -> `new` and whether a non-numeric part (an identity) changed.
/// Errors with `ChangeKindMismatch` when the two are different kinds of value.
pub fn fields(old: &GovValue, new: &GovValue) -> Result<(Vec<Field>, bool)> {
    let mut out: Vec<Field> = Vec::with_capacity(24);
    let mut push = |name, o: i128, n: i128, dir, step| {
        out.push(Field {
            name,
            old: o,
            new: n,
            dir,
            step,
        })
    };
    use Dir::*;
    let identity_changed = match (old, new) {
        (GovValue::GlobalParams(o), GovValue::GlobalParams(n)) => {
            push(
                "conf_multiplier_bps",
                o.conf_multiplier_bps as i128,
                n.conf_multiplier_bps as i128,
                Up,
                f(5_000),
            );
            push(
                "end_buffer_bps",
                o.end_buffer_bps as i128,
                n.end_buffer_bps as i128,
                Up,
                Step::Abs(2_500),
            );
            push(
                "min_time_to_expiry_secs",
                o.min_time_to_expiry_secs as i128,
                n.min_time_to_expiry_secs as i128,
                Neutral,
                f(60),
            );
            push(
                "write_fee_bps",
                o.write_fee_bps as i128,
                n.write_fee_bps as i128,
                Neutral,
                f(10),
            );
            push(
                "timelock_secs",
                o.timelock_secs as i128,
                n.timelock_secs as i128,
                Up,
                f(3_600),
            );
            let (ol, nl) = (&o.liquidation, &n.liquidation);
            push(
                "liquidation.start_discount_bps",
                ol.start_discount_bps as i128,
                nl.start_discount_bps as i128,
                Neutral,
                Step::Abs(500),
            );
            push(
                "liquidation.fast_discount_bps",
                ol.fast_discount_bps as i128,
                nl.fast_discount_bps as i128,
                Neutral,
                Step::Abs(1_000),
            );
            push(
                "liquidation.fast_secs",
                ol.fast_secs as i128,
                nl.fast_secs as i128,
                Neutral,
                f(60),
            );
            push(
                "liquidation.slow_secs",
                ol.slow_secs as i128,
                nl.slow_secs as i128,
                Neutral,
                f(600),
            );
            push(
                "liquidation.fee_bps",
                ol.fee_bps as i128,
                nl.fee_bps as i128,
                Neutral,
                f(100),
            );
            push(
                "liquidation.tip_bps",
                ol.tip_bps as i128,
                nl.tip_bps as i128,
                Neutral,
                f(10),
            );
            push(
                "liquidation.tip_max_quote",
                ol.tip_max_quote as i128,
                nl.tip_max_quote as i128,
                Neutral,
                f(10),
            );
            push(
                "liquidation.tip_dust_min_quote",
                ol.tip_dust_min_quote as i128,
                nl.tip_dust_min_quote as i128,
                Neutral,
                f(10),
            );
            push(
                "liquidation.fund_premium_bps",
                ol.fund_premium_bps as i128,
                nl.fund_premium_bps as i128,
                Down,
                f(100),
            );
            let (oi, ni) = (&o.insurance, &n.insurance);
            push(
                "insurance.cooldown_secs",
                oi.cooldown_secs as i128,
                ni.cooldown_secs as i128,
                Neutral,
                f(86_400),
            );
            push(
                "insurance.unstake_window_secs",
                oi.unstake_window_secs as i128,
                ni.unstake_window_secs as i128,
                Neutral,
                f(3_600),
            );
            let (os, ns) = (&o.settlement, &n.settlement);
            push(
                "settlement.max_conf_bps",
                os.max_conf_bps as i128,
                ns.max_conf_bps as i128,
                Down,
                f(10),
            );
            push(
                "settlement.debt_grace_secs",
                os.debt_grace_secs as i128,
                ns.debt_grace_secs as i128,
                Neutral,
                f(600),
            );
            push(
                "settlement.backstop_window_secs",
                os.backstop_window_secs as i128,
                ns.backstop_window_secs as i128,
                Neutral,
                f(3_600),
            );
            push(
                "settlement.backstop_min_price_bps",
                os.backstop_min_price_bps as i128,
                ns.backstop_min_price_bps as i128,
                Neutral,
                f(100),
            );
            o._padding != n._padding
                || ol._padding != nl._padding
                || os._reserved != ns._reserved
                || os._padding != ns._padding
        }
        (GovValue::MarginParams(o), GovValue::MarginParams(n)) => {
            for (level, ol, nl) in [
                ("initial", &o.initial, &n.initial),
                ("maintenance", &o.maintenance, &n.maintenance),
            ] {
                let name = |field: &'static str| -> &'static str {
                    match (level, field) {
                        ("initial", "spot") => "initial.spot_shock_bps",
                        ("initial", "vol") => "initial.vol_shock_bps",
                        ("initial", _) => "initial.floor_bps",
                        (_, "spot") => "maintenance.spot_shock_bps",
                        (_, "vol") => "maintenance.vol_shock_bps",
                        _ => "maintenance.floor_bps",
                    }
                };
                push(
                    name("spot"),
                    ol.spot_shock_bps as i128,
                    nl.spot_shock_bps as i128,
                    Up,
                    f(100),
                );
                push(
                    name("vol"),
                    ol.vol_shock_bps as i128,
                    nl.vol_shock_bps as i128,
                    Up,
                    f(500),
                );
                push(
                    name("floor"),
                    ol.floor_bps as i128,
                    nl.floor_bps as i128,
                    Up,
                    f(50),
                );
            }
            push(
                "vol_ref_secs",
                o.vol_ref_secs as i128,
                n.vol_ref_secs as i128,
                Neutral,
                f(3_600),
            );
            push(
                "vol_power_bps",
                o.vol_power_bps as i128,
                n.vol_power_bps as i128,
                Neutral,
                Step::Abs(2_500),
            );
            push(
                "vol_term_cap_bps",
                o.vol_term_cap_bps as i128,
                n.vol_term_cap_bps as i128,
                Up,
                f(10_000),
            );
            push(
                "stale_vol_per_hour_bps",
                o.stale_vol_per_hour_bps as i128,
                n.stale_vol_per_hour_bps as i128,
                Up,
                f(100),
            );
            push(
                "stale_vol_cap_bps",
                o.stale_vol_cap_bps as i128,
                n.stale_vol_cap_bps as i128,
                Up,
                f(100),
            );
            push(
                "rate_bps",
                o.rate_bps as i128,
                n.rate_bps as i128,
                Neutral,
                Step::Abs(500),
            );
            o.initial._reserved != n.initial._reserved
                || o.maintenance._reserved != n.maintenance._reserved
        }
        (GovValue::OracleConfig(o), GovValue::OracleConfig(n)) => {
            push(
                "max_age_secs",
                o.max_age_secs as i128,
                n.max_age_secs as i128,
                Down,
                f(5),
            );
            push(
                "liq_max_age_secs",
                o.liq_max_age_secs as i128,
                n.liq_max_age_secs as i128,
                Down,
                f(5),
            );
            push(
                "max_conf_bps",
                o.max_conf_bps as i128,
                n.max_conf_bps as i128,
                Down,
                f(10),
            );
            o.oracle_program != n.oracle_program
                || o.feed != n.feed
                || o.kind != n.kind
                || o._padding != n._padding
        }
        (GovValue::OpenInterest(o), GovValue::OpenInterest(n)) => {
            open_interest_fields(o, n, &mut push);
            o._padding != n._padding
        }
        (GovValue::SeriesRules(o), GovValue::SeriesRules(n)) => {
            push(
                "expiry_interval_secs",
                o.expiry_interval_secs as i128,
                n.expiry_interval_secs as i128,
                Neutral,
                f(3_600),
            );
            push(
                "expiry_offset_secs",
                o.expiry_offset_secs as i128,
                n.expiry_offset_secs as i128,
                Neutral,
                Step::Free,
            );
            push(
                "max_horizon_secs",
                o.max_horizon_secs as i128,
                n.max_horizon_secs as i128,
                Neutral,
                f(86_400),
            );
            push(
                "strike_band_bps",
                o.strike_band_bps as i128,
                n.strike_band_bps as i128,
                Neutral,
                f(100),
            );
            push(
                "strike_tick",
                o.strike_tick as i128,
                n.strike_tick as i128,
                Neutral,
                Step::Free,
            );
            push(
                "contract_size",
                o.contract_size as i128,
                n.contract_size as i128,
                Neutral,
                Step::Free,
            );
            false
        }
        (GovValue::SurfaceLimits(o), GovValue::SurfaceLimits(n)) => {
            surface_fields(o, n, &mut push);
            o._padding != n._padding
        }
        (GovValue::CollateralWeights(o), GovValue::CollateralWeights(n)) => {
            weight_fields(o, n, &mut push);
            false
        }
        (GovValue::DepositCap(o), GovValue::DepositCap(n)) => {
            push("deposit_cap", *o as i128, *n as i128, Down, f(1));
            false
        }
        (GovValue::PriceSource(o), GovValue::PriceSource(n)) => price_source_changed(o, n),
        // keys and listing flags: classified by `classify` itself
        (GovValue::Guardian(o), GovValue::Guardian(n))
        | (GovValue::VolUpdater(o), GovValue::VolUpdater(n)) => o != n,
        (GovValue::UnderlyingEnabled(o), GovValue::UnderlyingEnabled(n))
        | (GovValue::CollateralEnabled(o), GovValue::CollateralEnabled(n)) => o != n,
        _ => return err!(GreekhouseError::ChangeKindMismatch),
    };
    Ok((out, identity_changed))
}

fn open_interest_fields(
    o: &OpenInterestLimits,
    n: &OpenInterestLimits,
    push: &mut impl FnMut(&'static str, i128, i128, Dir, Step),
) {
    push(
        "open_interest_cap",
        o.open_interest_cap as i128,
        n.open_interest_cap as i128,
        Dir::Down,
        f(1),
    );
    push(
        "writer_share_bps",
        o.writer_share_bps as i128,
        n.writer_share_bps as i128,
        Dir::Down,
        Step::Abs(2_500),
    );
}

fn surface_fields(
    o: &SurfaceLimits,
    n: &SurfaceLimits,
    push: &mut impl FnMut(&'static str, i128, i128, Dir, Step),
) {
    push(
        "max_age_secs",
        o.max_age_secs as i128,
        n.max_age_secs as i128,
        Dir::Down,
        f(60),
    );
    push(
        "max_change_bps",
        o.max_change_bps as i128,
        n.max_change_bps as i128,
        Dir::Down,
        f(100),
    );
    push(
        "anchor_interval_secs",
        o.anchor_interval_secs as i128,
        n.anchor_interval_secs as i128,
        Dir::Up,
        f(600),
    );
}

fn weight_fields(
    o: &CollateralWeights,
    n: &CollateralWeights,
    push: &mut impl FnMut(&'static str, i128, i128, Dir, Step),
) {
    let step = Step::Abs(WEIGHT_STEP_BPS as i128);
    push(
        "init_weight_bps",
        o.init_weight_bps as i128,
        n.init_weight_bps as i128,
        Dir::Down,
        step,
    );
    push(
        "maint_weight_bps",
        o.maint_weight_bps as i128,
        n.maint_weight_bps as i128,
        Dir::Down,
        step,
    );
}

fn price_source_changed(o: &PriceSourceConfig, n: &PriceSourceConfig) -> bool {
    o != n
}

/// Classify `old` -> `new`. Refuses a change that changes nothing (`NoChange`) and two
/// different kinds of value (`ChangeKindMismatch`).
pub fn classify(old: &GovValue, new: &GovValue) -> Result<Class> {
    let (fields, identity_changed) = fields(old, new)?;
    let changed: Vec<&Field> = fields.iter().filter(|f| f.old != f.new).collect();
    require!(
        identity_changed || !changed.is_empty(),
        GreekhouseError::NoChange
    );
    Ok(match new {
        // a new guardian removes the current one's veto over queued changes: it waits out the
        // timelock like any loosening (and the current guardian can cancel it)
        GovValue::Guardian(_) => Class::Loosening,
        // a compromised vol updater is removed at once; its moves are bounded per window anyway
        GovValue::VolUpdater(_) => Class::Tightening,
        GovValue::UnderlyingEnabled(on) | GovValue::CollateralEnabled(on) => {
            if *on {
                Class::Loosening
            } else {
                Class::Tightening
            }
        }
        _ if identity_changed => Class::Loosening,
        _ => {
            let tighter = changed.iter().all(|f| match f.dir {
                Dir::Up => f.new > f.old,
                Dir::Down => f.new < f.old,
                Dir::Neutral => false,
            });
            if tighter {
                Class::Tightening
            } else {
                Class::Loosening
            }
        }
    })
}

/// True when `new` is at most one step from `old` under `step`.
pub fn within_step(old: i128, new: i128, step: Step) -> bool {
    let delta = (new - old).abs();
    match step {
        Step::Free => true,
        Step::Abs(max) => delta <= max,
        Step::Factor { min_abs } => {
            if delta <= min_abs {
                return true;
            }
            if new >= old {
                new <= old.saturating_mul(2)
            } else {
                new.saturating_mul(2) >= old
            }
        }
    }
}

/// Every changed field within its step of the value at queue time (`ChangeStepTooLarge`).
pub fn check_steps(old: &GovValue, new: &GovValue) -> Result<()> {
    let (fields, _) = fields(old, new)?;
    for f in &fields {
        if !within_step(f.old, f.new, f.step) {
            msg!(
                "governance: {} moves {} -> {}, beyond one step",
                f.name,
                f.old,
                f.new
            );
            return err!(GreekhouseError::ChangeStepTooLarge);
        }
    }
    Ok(())
}

/// True when tightenings of this kind of value must be at least the tighten interval apart:
/// risk parameters that can raise requirements of existing accounts or refuse their prices
/// (`max_conf`), and deposit caps (halving one per step would otherwise reach zero in one
/// transaction).
pub fn rate_limited(value: &GovValue) -> bool {
    matches!(
        value,
        GovValue::GlobalParams(_)
            | GovValue::MarginParams(_)
            | GovValue::OracleConfig(_)
            | GovValue::SurfaceLimits(_)
            | GovValue::CollateralWeights(_)
            | GovValue::DepositCap(_)
    )
}

// ---------------------------------------------------------------- reading and writing values

/// The value of the same kind as `like` currently held by the clearing house.
pub fn read_clearinghouse(ch: &Clearinghouse, like: &GovValue) -> Result<GovValue> {
    Ok(match like {
        GovValue::GlobalParams(_) => GovValue::GlobalParams(ch.params),
        GovValue::Guardian(_) => GovValue::Guardian(ch.guardian),
        _ => return err!(GreekhouseError::WrongChangeTarget),
    })
}

pub fn write_clearinghouse(ch: &mut Clearinghouse, value: &GovValue) -> Result<()> {
    match value {
        GovValue::GlobalParams(p) => ch.params = *p,
        GovValue::Guardian(k) => ch.guardian = *k,
        _ => return err!(GreekhouseError::WrongChangeTarget),
    }
    Ok(())
}

pub fn read_underlying(u: &Underlying, like: &GovValue) -> Result<GovValue> {
    Ok(match like {
        GovValue::MarginParams(_) => GovValue::MarginParams(u.margin),
        GovValue::OracleConfig(_) => GovValue::OracleConfig(u.oracle),
        GovValue::OpenInterest(_) => GovValue::OpenInterest(OpenInterestLimits {
            open_interest_cap: u.open_interest_cap,
            writer_share_bps: u.writer_open_interest_share_bps,
            _padding: 0,
        }),
        GovValue::SeriesRules(_) => GovValue::SeriesRules(u.series_rules),
        GovValue::SurfaceLimits(_) => GovValue::SurfaceLimits(SurfaceLimits {
            max_age_secs: u.surface_max_age_secs,
            max_change_bps: u.surface_max_change_bps,
            anchor_interval_secs: u.surface_anchor_interval_secs,
            _padding: 0,
        }),
        GovValue::VolUpdater(_) => GovValue::VolUpdater(u.vol_updater),
        GovValue::UnderlyingEnabled(_) => GovValue::UnderlyingEnabled(u.is_enabled()),
        _ => return err!(GreekhouseError::WrongChangeTarget),
    })
}

pub fn write_underlying(u: &mut Underlying, value: &GovValue) -> Result<()> {
    match value {
        GovValue::MarginParams(m) => u.margin = *m,
        GovValue::OracleConfig(o) => u.oracle = *o,
        GovValue::OpenInterest(l) => {
            u.open_interest_cap = l.open_interest_cap;
            u.writer_open_interest_share_bps = l.writer_share_bps;
        }
        GovValue::SeriesRules(r) => u.series_rules = *r,
        GovValue::SurfaceLimits(l) => {
            u.surface_max_age_secs = l.max_age_secs;
            u.surface_max_change_bps = l.max_change_bps;
            u.surface_anchor_interval_secs = l.anchor_interval_secs;
        }
        GovValue::VolUpdater(k) => u.vol_updater = *k,
        GovValue::UnderlyingEnabled(on) => {
            u.listing_state = if *on {
                ListingState::Enabled
            } else {
                ListingState::Pending
            } as u8
        }
        _ => return err!(GreekhouseError::WrongChangeTarget),
    }
    Ok(())
}

pub fn read_collateral(c: &CollateralAsset, like: &GovValue) -> Result<GovValue> {
    Ok(match like {
        GovValue::CollateralWeights(_) => GovValue::CollateralWeights(CollateralWeights {
            init_weight_bps: c.init_weight_bps,
            maint_weight_bps: c.maint_weight_bps,
        }),
        GovValue::DepositCap(_) => GovValue::DepositCap(c.deposit_cap),
        GovValue::PriceSource(_) => GovValue::PriceSource(PriceSourceConfig {
            price_underlying: c.price_underlying,
            price_source: c.price_source,
        }),
        GovValue::CollateralEnabled(_) => GovValue::CollateralEnabled(c.is_enabled()),
        _ => return err!(GreekhouseError::WrongChangeTarget),
    })
}

pub fn write_collateral(c: &mut CollateralAsset, value: &GovValue) -> Result<()> {
    match value {
        GovValue::CollateralWeights(w) => {
            c.init_weight_bps = w.init_weight_bps;
            c.maint_weight_bps = w.maint_weight_bps;
        }
        GovValue::DepositCap(cap) => c.deposit_cap = *cap,
        GovValue::PriceSource(p) => {
            c.price_source = p.price_source;
            c.price_underlying = p.price_underlying;
        }
        GovValue::CollateralEnabled(on) => {
            c.listing_state = if *on {
                ListingState::Enabled
            } else {
                ListingState::Pending
            } as u8
        }
        _ => return err!(GreekhouseError::WrongChangeTarget),
    }
    Ok(())
}
