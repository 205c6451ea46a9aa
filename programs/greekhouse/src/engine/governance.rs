//! Governance rules as pure functions: which way a change moves risk ([`classify`]), how far one
//! change may move each field ([`check_steps`]), and reading and writing a governed value in its
//! account. Every numeric field's direction, step and bounds are declared once in
//! [`super::governance_fields`] (rendered into `docs/governance.md`).
//!
//! A change is **tightening** when every field it changes moves in its tightening direction
//! (`Up`: a larger value is safer; `Down`: a smaller one). Anything else is **loosening**: a field
//! moved the other way, a `Neutral` field (fees, auction, insurance, series rules) moved at all,
//! or an identity (oracle program, feed, kind, price source) changed. Rotating the guardian is
//! loosening (a new guardian removes the current one's veto over queued changes); rotating a vol
//! updater is tightening (a compromised updater is removed at once); enabling a listing is
//! loosening, disabling it tightening.

use crate::prelude::*;

use super::governance_fields;
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

// the table's vocabulary lives with the table; re-exported here for the classifier's users
pub use super::governance_fields::{Dir, Step};

/// One numeric field of a value: old, new, direction, step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub old: i128,
    pub new: i128,
    pub dir: Dir,
    pub step: Step,
}

/// The numeric fields of `old` -> `new` (from the table of every governed field,
/// [`GOVERNED_FIELDS`](super::governance_fields::GOVERNED_FIELDS), in its order) and whether a
/// non-numeric part (an identity, or padding) changed. Errors with `ChangeKindMismatch` when the
/// two are different kinds of value.
pub fn fields(old: &GovValue, new: &GovValue) -> Result<(Vec<Field>, bool)> {
    let identity_changed = match (old, new) {
        (GovValue::GlobalParams(o), GovValue::GlobalParams(n)) => {
            o.liquidation._padding != n.liquidation._padding
                || o.settlement._reserved != n.settlement._reserved
        }
        (GovValue::MarginParams(o), GovValue::MarginParams(n)) => {
            o.initial._reserved != n.initial._reserved
                || o.maintenance._reserved != n.maintenance._reserved
        }
        (GovValue::OracleConfig(o), GovValue::OracleConfig(n)) => {
            o.oracle_program != n.oracle_program
                || o.feed != n.feed
                || o.kind != n.kind
                || o._padding != n._padding
        }
        (GovValue::OpenInterest(o), GovValue::OpenInterest(n)) => o._padding != n._padding,
        (GovValue::RealizedVol(o), GovValue::RealizedVol(n)) => o._padding != n._padding,
        (GovValue::TailAndSize(_), GovValue::TailAndSize(_)) => false,
        (GovValue::SurfaceLimits(o), GovValue::SurfaceLimits(n)) => o._padding != n._padding,
        (GovValue::SeriesRules(_), GovValue::SeriesRules(_))
        | (GovValue::CollateralWeights(_), GovValue::CollateralWeights(_))
        | (GovValue::DepositCap(_), GovValue::DepositCap(_)) => false,
        (GovValue::PriceSource(o), GovValue::PriceSource(n)) => o != n,
        // keys and listing flags: classified by `classify` itself
        (GovValue::Guardian(o), GovValue::Guardian(n))
        | (GovValue::VolUpdater(o), GovValue::VolUpdater(n)) => o != n,
        (GovValue::UnderlyingEnabled(o), GovValue::UnderlyingEnabled(n))
        | (GovValue::CollateralEnabled(o), GovValue::CollateralEnabled(n)) => o != n,
        _ => return err!(GreekhouseError::ChangeKindMismatch),
    };
    let mut out: Vec<Field> = Vec::with_capacity(24);
    for g in governance_fields::fields_of(old) {
        // both are of the table entry's kind (checked above), so both reads succeed
        let (Some(o), Some(n)) = (g.get(old), g.get(new)) else {
            return err!(GreekhouseError::ChangeKindMismatch);
        };
        out.push(Field {
            name: g.name,
            old: o,
            new: n,
            dir: g.dir,
            step: g.step,
        });
    }
    Ok((out, identity_changed))
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
/// Pure, no log: the SDK calls it off chain, where a program log would go to stdout; the
/// handler logs the field with [`log_step_violation`].
pub fn check_steps(old: &GovValue, new: &GovValue) -> Result<()> {
    let (fields, _) = fields(old, new)?;
    require!(
        fields.iter().all(|f| within_step(f.old, f.new, f.step)),
        GreekhouseError::ChangeStepTooLarge
    );
    Ok(())
}

/// Log the first field of `old` -> `new` moving beyond one step, if any.
pub fn log_step_violation(old: &GovValue, new: &GovValue) {
    let Ok((fields, _)) = fields(old, new) else {
        return;
    };
    if let Some(f) = fields.iter().find(|f| !within_step(f.old, f.new, f.step)) {
        msg!(
            "governance: {} moves {} -> {}, beyond one step",
            f.name,
            f.old,
            f.new
        );
    }
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
            | GovValue::RealizedVol(_)
            | GovValue::TailAndSize(_)
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
        GovValue::RealizedVol(_) => GovValue::RealizedVol(u.realized),
        GovValue::TailAndSize(_) => GovValue::TailAndSize(u.tail_and_size()),
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
        GovValue::RealizedVol(r) => u.realized = *r,
        GovValue::TailAndSize(t) => u.tail_and_size = *t,
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
