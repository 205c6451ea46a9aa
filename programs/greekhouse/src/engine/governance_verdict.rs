//! The verdict on a governance change, written once: the accounts a governed value lives in,
//! the checks of a new value in its context (hard bounds, validity, linked collateral weights)
//! and [`queue_verdict`], the rule `queue_change` applies (refused, applied at once, or queued
//! behind the timelock). The handlers of `queue_change` and `execute_change` and the SDK's
//! proposals (`greekhouse gov propose`) all call these, so a projection cannot disagree with
//! the program.

use crate::prelude::*;
use greekhouse_risk::margin::{validate_collateral_weights, CollateralClass};
use greekhouse_risk::{Fixed, MarginParams};

use crate::constants::governance::TIGHTEN_INTERVAL_SECS;
use crate::engine::convert;
use crate::engine::governance::{self, Class};
use crate::errors::GreekhouseError;
use crate::state::{
    Clearinghouse, CollateralAsset, GovValue, PriceSource, SeriesRules, TargetKind, Underlying,
};

/// What `queue_change` does with a change the program accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// Tightening (applied at once) or loosening (queued behind the timelock).
    pub class: Class,
    /// The target account.
    pub target: Pubkey,
    /// The value the target holds now.
    pub old: GovValue,
}

/// The verdict of `queue_change` on `change` at `now`, or the program's refusal, in the
/// program's order: the target accounts (`WrongChangeTarget`, `WrongClearinghouse`), the class
/// (`NoChange`, `ChangeKindMismatch`), every field's step (`ChangeStepTooLarge`), the target
/// with the new value (hard bounds and validity rules), and for a rate-limited tightening the
/// tighten interval since the target's last one (`TightenTooSoon`). The `ParamChange` address
/// of a loosening is an account check of the handler's.
pub fn queue_verdict(targets: &Targets, change: &GovValue, now: i64) -> Result<Verdict> {
    let target = targets.target_key(change)?;
    let old = targets.current(change)?;
    let class = governance::classify(&old, change)?;
    governance::check_steps(&old, change)?;
    targets.validate_new(change)?;
    if class == Class::Tightening && governance::rate_limited(change) {
        let last = targets.last_tightened_at(change);
        require!(
            last == 0 || now >= last.saturating_add(TIGHTEN_INTERVAL_SECS),
            GreekhouseError::TightenTooSoon
        );
    }
    Ok(Verdict { class, target, old })
}

/// Series rules must describe a usable grid (at listing and on every change).
pub fn validate_series_rules(r: &SeriesRules) -> Result<()> {
    require!(
        r.expiry_interval_secs >= 3_600,
        GreekhouseError::ParameterOutOfBounds
    );
    require!(
        r.expiry_offset_secs < r.expiry_interval_secs,
        GreekhouseError::ParameterOutOfBounds
    );
    require!(
        r.max_horizon_secs >= r.expiry_interval_secs && r.max_horizon_secs <= 2 * 31_536_000,
        GreekhouseError::ParameterOutOfBounds
    );
    require!(
        r.strike_band_bps > 0 && r.strike_band_bps < 100_000,
        GreekhouseError::ParameterOutOfBounds
    );
    require!(
        r.strike_tick > 0 && r.contract_size > 0,
        GreekhouseError::ParameterOutOfBounds
    );
    Ok(())
}

/// Loaded copies of the target accounts of one change.
pub struct Targets<'a> {
    pub clearinghouse_key: Pubkey,
    pub clearinghouse: &'a Clearinghouse,
    pub underlying: Option<(Pubkey, &'a Underlying)>,
    pub collateral: Option<(Pubkey, &'a CollateralAsset)>,
    /// The underlying pricing a collateral asset (weights and price-source changes).
    pub price_underlying: Option<(Pubkey, &'a Underlying)>,
}

impl Targets<'_> {
    /// The target account's key for `value`, checking that exactly the accounts its kind needs
    /// were passed (`WrongChangeTarget`).
    pub fn target_key(&self, value: &GovValue) -> Result<Pubkey> {
        match value.target_kind() {
            TargetKind::Clearinghouse => {
                require!(
                    self.underlying.is_none() && self.collateral.is_none(),
                    GreekhouseError::WrongChangeTarget
                );
                Ok(self.clearinghouse_key)
            }
            TargetKind::Underlying => {
                require!(
                    self.collateral.is_none(),
                    GreekhouseError::WrongChangeTarget
                );
                let (key, u) = self.underlying.ok_or(GreekhouseError::WrongChangeTarget)?;
                require_keys_eq!(
                    u.clearinghouse,
                    self.clearinghouse_key,
                    GreekhouseError::WrongClearinghouse
                );
                Ok(key)
            }
            TargetKind::CollateralAsset => {
                require!(
                    self.underlying.is_none(),
                    GreekhouseError::WrongChangeTarget
                );
                let (key, c) = self.collateral.ok_or(GreekhouseError::WrongChangeTarget)?;
                require_keys_eq!(
                    c.clearinghouse,
                    self.clearinghouse_key,
                    GreekhouseError::WrongClearinghouse
                );
                Ok(key)
            }
        }
    }

    /// The value of `like`'s kind the target holds now.
    pub fn current(&self, like: &GovValue) -> Result<GovValue> {
        match like.target_kind() {
            TargetKind::Clearinghouse => governance::read_clearinghouse(self.clearinghouse, like),
            TargetKind::Underlying => {
                let (_, u) = self.underlying.ok_or(GreekhouseError::WrongChangeTarget)?;
                governance::read_underlying(u, like)
            }
            TargetKind::CollateralAsset => {
                let (_, c) = self.collateral.ok_or(GreekhouseError::WrongChangeTarget)?;
                governance::read_collateral(c, like)
            }
        }
    }

    /// When the target was last tightened.
    pub fn last_tightened_at(&self, value: &GovValue) -> i64 {
        match value.target_kind() {
            TargetKind::Clearinghouse => self.clearinghouse.last_tightened_at,
            TargetKind::Underlying => self
                .underlying
                .map(|(_, u)| u.last_tightened_at)
                .unwrap_or(0),
            TargetKind::CollateralAsset => self
                .collateral
                .map(|(_, c)| c.last_tightened_at)
                .unwrap_or(0),
        }
    }

    /// The target with `value` written stays valid: hard bounds (the account's invariant) and
    /// the checks listing applies to the same value.
    pub fn validate_new(&self, value: &GovValue) -> Result<()> {
        match value.target_kind() {
            TargetKind::Clearinghouse => {
                let mut ch = *self.clearinghouse;
                governance::write_clearinghouse(&mut ch, value)?;
                ch.invariant()
            }
            TargetKind::Underlying => {
                let (_, u) = self.underlying.ok_or(GreekhouseError::WrongChangeTarget)?;
                let mut u = *u;
                governance::write_underlying(&mut u, value)?;
                u.invariant()?;
                match value {
                    GovValue::OracleConfig(o) => {
                        require!(
                            o.oracle_program != Pubkey::default(),
                            GreekhouseError::OracleWrongOwner
                        );
                        require!(o.feed != [0u8; 32], GreekhouseError::OracleFeedNotSet);
                    }
                    GovValue::OpenInterest(l) => require!(
                        l.open_interest_cap > 0 && l._padding == 0,
                        GreekhouseError::ParameterOutOfBounds
                    ),
                    GovValue::SeriesRules(r) => validate_series_rules(r)?,
                    GovValue::SurfaceLimits(l) => {
                        require!(l._padding == 0, GreekhouseError::ParameterOutOfBounds)
                    }
                    _ => {}
                }
                Ok(())
            }
            TargetKind::CollateralAsset => {
                let (_, c) = self.collateral.ok_or(GreekhouseError::WrongChangeTarget)?;
                let mut c = *c;
                governance::write_collateral(&mut c, value)?;
                c.invariant()?;
                if matches!(
                    value,
                    GovValue::CollateralWeights(_) | GovValue::PriceSource(_)
                ) {
                    self.check_weights(&c)?;
                }
                Ok(())
            }
        }
    }

    /// The asset's weights against its price source, as `list_collateral` checks them.
    fn check_weights(&self, c: &CollateralAsset) -> Result<()> {
        let (class, params, max_conf) = match c.source()? {
            PriceSource::Pegged => {
                require!(
                    c.price_underlying == Pubkey::default(),
                    GreekhouseError::InvalidPriceSource
                );
                (CollateralClass::Pegged, MarginParams::DEFAULT, Fixed::ZERO)
            }
            PriceSource::Underlying => {
                let (key, u) = self
                    .price_underlying
                    .ok_or(GreekhouseError::InvalidPriceSource)?;
                require_keys_eq!(key, c.price_underlying, GreekhouseError::InvalidPriceSource);
                require_keys_eq!(
                    u.clearinghouse,
                    self.clearinghouse_key,
                    GreekhouseError::WrongClearinghouse
                );
                (
                    CollateralClass::Linked,
                    convert::margin_params(u),
                    Fixed::from_bps(i64::from(u.oracle.max_conf_bps)),
                )
            }
        };
        validate_collateral_weights(
            Fixed::from_bps(i64::from(c.init_weight_bps)),
            Fixed::from_bps(i64::from(c.maint_weight_bps)),
            class,
            &params,
            max_conf,
        )
        .map_err(|e| error!(GreekhouseError::from(e)))
    }
}
