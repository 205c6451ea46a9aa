//! An underlying: its Pyth oracle, vol surface, margin parameters and series rules.
//!
//! Configuration read by every margin check that touches the underlying, so hot-path
//! instructions only read it; the counters writes change live in its
//! [`UnderlyingLedger`](super::UnderlyingLedger).

use crate::prelude::*;

use crate::constants::{bounds, ACCOUNT_VERSION};
use crate::errors::GreekhouseError;
use crate::state::params::in_bounds;
use crate::state::{RealizedVolEstimate, StoredRealizedVol, StoredTailAndSize};

/// Which kind of Pyth account prices the underlying.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum OracleKind {
    /// Pyth pull oracle: a `PriceUpdateV2` account (any account of the receiver program
    /// carrying the configured feed id).
    PullV2 = 0,
    /// Legacy Pyth push price account (one fixed account).
    Legacy = 1,
}

impl OracleKind {
    pub fn from_u8(v: u8) -> Result<Self> {
        match v {
            0 => Ok(OracleKind::PullV2),
            1 => Ok(OracleKind::Legacy),
            _ => err!(GreekhouseError::InvalidOracleKind),
        }
    }
}

/// Oracle configuration of an underlying.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    bytemuck::Pod,
    bytemuck::Zeroable,
    AnchorSerialize,
    AnchorDeserialize,
)]
#[repr(C)]
pub struct OracleConfig {
    /// Program that must own the oracle account (Pyth receiver or legacy Pyth oracle program).
    pub oracle_program: Pubkey,
    /// `PullV2`: the feed id. `Legacy`: the price account's address.
    pub feed: [u8; 32],
    /// Max age of a price for withdraw and write (seconds).
    pub max_age_secs: u32,
    /// Max age of a price for liquidation and bids (seconds).
    pub liq_max_age_secs: u32,
    /// Max `conf / price` (bps).
    pub max_conf_bps: u32,
    /// [`OracleKind`] as u8.
    pub kind: u8,
    pub _padding: [u8; 3],
}

impl OracleConfig {
    pub fn validate(&self) -> Result<()> {
        OracleKind::from_u8(self.kind)?;
        in_bounds(self.max_age_secs, bounds::MAX_AGE_SECS)?;
        in_bounds(self.liq_max_age_secs, bounds::LIQ_MAX_AGE_SECS)?;
        require!(
            self.liq_max_age_secs >= self.max_age_secs,
            GreekhouseError::ParameterOutOfBounds
        );
        in_bounds(self.max_conf_bps, bounds::MAX_CONF_BPS)?;
        Ok(())
    }
}

/// Vol surface as stored: vols, skew and smile in bps (exponent 4).
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    bytemuck::Pod,
    bytemuck::Zeroable,
    AnchorSerialize,
    AnchorDeserialize,
)]
#[repr(C)]
pub struct StoredVolSurface {
    /// Tenor points' times to expiry (seconds), strictly increasing; first `tenor_count` used.
    pub tenor_secs: [u32; 4],
    /// ATM vol at each tenor (bps; 10_000 = 100 %).
    pub atm_vol_bps: [u32; 4],
    /// Coefficient of ln(K/S) (bps).
    pub skew_bps: i32,
    /// Coefficient of ln(K/S)^2 (bps).
    pub smile_bps: i32,
    /// Vol floor (bps).
    pub min_vol_bps: u32,
    pub tenor_count: u8,
    pub _padding: [u8; 3],
}

/// One margin level's shocks as stored (bps).
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    bytemuck::Pod,
    bytemuck::Zeroable,
    AnchorSerialize,
    AnchorDeserialize,
)]
#[repr(C)]
pub struct StoredLevel {
    /// Relative spot shock h.
    pub spot_shock_bps: u32,
    /// Relative upward vol shock v at the reference tenor (scaled by the term factor).
    pub vol_shock_bps: u32,
    /// Per-contract floor of the add-on, a fraction of spot (puts: of min(S, K)).
    pub floor_bps: u32,
    pub _reserved: u32,
}

impl StoredLevel {
    pub fn validate(&self) -> Result<()> {
        in_bounds(self.spot_shock_bps, bounds::SPOT_SHOCK_BPS)?;
        in_bounds(self.vol_shock_bps, bounds::VOL_SHOCK_BPS)?;
        in_bounds(self.floor_bps, bounds::FLOOR_BPS)?;
        require!(self._reserved == 0, GreekhouseError::ParameterOutOfBounds);
        Ok(())
    }
    /// True when every shock and the floor are at least `other`'s.
    pub fn dominates(&self, other: &StoredLevel) -> bool {
        self.spot_shock_bps >= other.spot_shock_bps
            && self.vol_shock_bps >= other.vol_shock_bps
            && self.floor_bps >= other.floor_bps
    }
}

/// Margin parameters of an underlying as stored. The shocked vol of an option with time to
/// expiry `T` at a level is `sigma * (1 + v * min(cap, (T_ref / T)^p))`; a stale surface
/// raises every vol by `min(stale_cap, stale_per_hour * hours stale)` (`docs/risk-model.md`).
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    bytemuck::Pod,
    bytemuck::Zeroable,
    AnchorSerialize,
    AnchorDeserialize,
)]
#[repr(C)]
pub struct StoredMarginParams {
    pub initial: StoredLevel,
    pub maintenance: StoredLevel,
    /// `T_ref` of the vol shock's term factor (seconds).
    pub vol_ref_secs: u32,
    /// `p` of the term factor (bps; 5_000 = 0.5).
    pub vol_power_bps: u32,
    /// Cap of the term factor (bps; 40_000 = 4).
    pub vol_term_cap_bps: u32,
    /// Stale-surface penalty per hour of staleness (bps, relative to vol).
    pub stale_vol_per_hour_bps: u32,
    /// Cap of the stale-surface penalty (bps, relative to vol).
    pub stale_vol_cap_bps: u32,
    /// Risk-free rate used in pricing (bps).
    pub rate_bps: i32,
}

impl StoredMarginParams {
    pub fn validate(&self) -> Result<()> {
        self.initial.validate()?;
        self.maintenance.validate()?;
        require!(
            self.initial.dominates(&self.maintenance),
            GreekhouseError::MarginLevelsOutOfOrder
        );
        in_bounds(self.vol_ref_secs, bounds::VOL_REF_SECS)?;
        in_bounds(self.vol_power_bps, bounds::VOL_POWER_BPS)?;
        in_bounds(self.vol_term_cap_bps, bounds::VOL_TERM_CAP_BPS)?;
        in_bounds(self.stale_vol_per_hour_bps, bounds::STALE_VOL_PER_HOUR_BPS)?;
        in_bounds(self.stale_vol_cap_bps, bounds::STALE_VOL_CAP_BPS)?;
        in_bounds(self.rate_bps, bounds::RATE_BPS)?;
        // the risk engine's own check of the converted parameters (defence in depth)
        self.to_risk()
            .validate()
            .map_err(|_| error!(GreekhouseError::MarginLevelsOutOfOrder))
    }

    /// The risk engine's margin parameters (bps to fixed point). Lives with the stored type
    /// so its own validation can use it; `engine::convert::margin_params` is this.
    pub fn to_risk(&self) -> greekhouse_risk::MarginParams {
        let bps = |v: i64| greekhouse_risk::Fixed::from_bps(v);
        let level = |l: &StoredLevel| greekhouse_risk::LevelParams {
            spot_shock: bps(i64::from(l.spot_shock_bps)),
            vol_shock: bps(i64::from(l.vol_shock_bps)),
            floor_pct: bps(i64::from(l.floor_bps)),
            ..Default::default()
        };
        greekhouse_risk::MarginParams {
            initial: level(&self.initial),
            maintenance: level(&self.maintenance),
            vol_ref_secs: self.vol_ref_secs,
            vol_power: bps(i64::from(self.vol_power_bps)),
            vol_term_cap: bps(i64::from(self.vol_term_cap_bps)),
            stale_vol_per_hour: bps(i64::from(self.stale_vol_per_hour_bps)),
            stale_vol_cap: bps(i64::from(self.stale_vol_cap_bps)),
            // IM's tail and size charge are governed apart ([`StoredTailAndSize`], applied by
            // `Underlying::margin_params`): off here
            tail_down: greekhouse_risk::Fixed::ZERO,
            tail_up: greekhouse_risk::Fixed::ZERO,
            tail_weight: greekhouse_risk::Fixed::ZERO,
            size_capacity: greekhouse_risk::Fixed::ZERO,
            size_charge: greekhouse_risk::Fixed::ZERO,
        }
    }
}

/// Rules that keep the set of series sane.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    bytemuck::Pod,
    bytemuck::Zeroable,
    AnchorSerialize,
    AnchorDeserialize,
)]
#[repr(C)]
pub struct SeriesRules {
    /// Expiries must satisfy `(expiry - expiry_offset_secs) % expiry_interval_secs == 0`.
    pub expiry_interval_secs: u32,
    pub expiry_offset_secs: u32,
    /// Latest expiry allowed, from now (seconds).
    pub max_horizon_secs: u32,
    /// Strikes within `spot * (1 +- band)` at creation (bps).
    pub strike_band_bps: u32,
    /// Strikes must be multiples of this (quote native units).
    pub strike_tick: u64,
    /// The only contract size allowed (underlying units, exponent 6).
    pub contract_size: u64,
}

/// PDA [`UNDERLYING_SEED`](crate::constants::UNDERLYING_SEED), clearinghouse, id (u16 LE).
#[cfg_attr(feature = "anchor", account(zero_copy))]
#[cfg_attr(
    not(feature = "anchor"),
    derive(Copy, Clone, bytemuck::Pod, bytemuck::Zeroable),
    repr(C)
)]
#[derive(Debug)]
pub struct Underlying {
    pub version: u8,
    pub bump: u8,
    pub id: u16,
    pub _padding0: [u8; 4],
    pub clearinghouse: Pubkey,
    /// Key allowed to update the vol surface.
    pub vol_updater: Pubkey,
    /// Human-readable symbol, zero padded (e.g. "SOL").
    pub symbol: [u8; 16],
    pub oracle: OracleConfig,
    /// Publish time of the newest price accepted; older prices are refused (no rollback).
    pub last_publish_time: i64,
    /// Newest accepted price, conf and exponent (Pyth units).
    pub last_price: i64,
    pub last_conf: u64,
    pub last_expo: i32,
    /// Largest relative change of one surface update (bps).
    pub surface_max_change_bps: u32,
    pub surface: StoredVolSurface,
    /// When the vol updater last set the surface.
    pub surface_updated_at: i64,
    /// A surface older than this is stale: writing is blocked and margin adds a penalty that
    /// grows with the time beyond this age.
    pub surface_max_age_secs: u32,
    pub _padding1: u32,
    pub margin: StoredMarginParams,
    pub series_rules: SeriesRules,
    /// Cap on open interest, in underlying units at exponent 6 (the open interest itself is in
    /// the [`UnderlyingLedger`](super::UnderlyingLedger), so writes never lock this account).
    pub open_interest_cap: u64,
    pub _reserved_open_interest: u64,
    /// The surface at the start of the current anchor window: every update must also stay within
    /// `2 * surface_max_change_bps` of it (docs/governance.md).
    pub surface_anchor: StoredVolSurface,
    /// When the anchor was taken.
    pub surface_anchor_at: i64,
    /// Length of an anchor window (seconds).
    pub surface_anchor_interval_secs: u32,
    /// Largest open interest one writer account may hold on this underlying, as a share of
    /// `open_interest_cap` (bps).
    pub writer_open_interest_share_bps: u32,
    /// When a margin parameter, the oracle or the surface limits were last tightened.
    pub last_tightened_at: i64,
    /// [`ListingState`](super::ListingState) as u8: series and writes need `Enabled`.
    pub listing_state: u8,
    pub _padding2: [u8; 7],
    /// Governed: the predictive spot shock and how its estimate is taken (docs/risk-model.md
    /// 6.8); all zero for an underlying listed before it existed.
    pub realized: StoredRealizedVol,
    /// The realized-vol estimate, advanced by every newer price the program records.
    pub realized_estimate: RealizedVolEstimate,
    /// Governed: IM's tail scenario and size charge (docs/risk-model.md 6.9, 6.10); all zero
    /// for an underlying listed before it existed, which then has the listing defaults
    /// ([`Underlying::tail_and_size`]).
    pub tail_and_size: StoredTailAndSize,
    /// Exercises of this underlying's American series so far (each `exercise` adds one). An
    /// American short whose `exercise_epoch` is behind it may have an exercise to accrue, and
    /// margin checks refuse its account until `accrue_exercise` ran (docs/protocol.md 5b).
    pub exercise_epoch: u32,
    pub reserved: [u8; 60],
}

const _: () = assert!(core::mem::size_of::<Underlying>() == 608);

/// The largest variance an estimate holds: `MAX_VOL^2` (`bs::MAX_VOL` = 20), `Fixed` raw.
const MAX_REALIZED_VARIANCE_RAW: u64 = 400 * 1_000_000_000_000;

impl Underlying {
    pub const SPACE: usize = 8 + core::mem::size_of::<Underlying>();

    /// The risk engine's margin parameters: the stored levels with their predictive shocks,
    /// IM's tail and size charge.
    pub fn margin_params(&self) -> greekhouse_risk::MarginParams {
        let mut p = self.margin.to_risk();
        self.realized.apply(&mut p.initial, true);
        self.realized.apply(&mut p.maintenance, false);
        self.tail_and_size().apply(&mut p);
        p
    }

    /// IM's tail and size charge in force (the stored value, or the listing defaults for an
    /// underlying listed before it existed: [`StoredTailAndSize::effective`]).
    pub fn tail_and_size(&self) -> StoredTailAndSize {
        self.tail_and_size.effective(self.open_interest_cap)
    }

    /// The realized-vol estimate after `price` (newer than the last recorded, else the stored
    /// estimate): what a margin check with that price uses, and what recording it stores.
    pub fn realized_estimate_after(
        &self,
        price: i64,
        expo: i32,
        publish_time: i64,
    ) -> Result<RealizedVolEstimate> {
        match self.realized.estimate_params() {
            Some(params) if publish_time > self.last_publish_time => {
                self.realized_estimate
                    .after(&params, price, expo, publish_time)
            }
            _ => Ok(self.realized_estimate),
        }
    }

    /// The realized vol a margin check with `price` (mantissa, exponent, publish time) uses: the estimate after that price; if it
    /// cannot be computed, the stored estimate's; if neither, the largest vol (the predictive
    /// shock then sits at its cap). Never an error: a margin check, and so a liquidation, must
    /// not fail because of an advisory estimate, and every fallback errs on the safe side.
    pub fn realized_vol_for_margin(
        &self,
        price: i64,
        expo: i32,
        publish_time: i64,
    ) -> greekhouse_risk::Fixed {
        self.realized_estimate_after(price, expo, publish_time)
            .and_then(|e| e.vol())
            .or_else(|_| self.realized_estimate.vol())
            .unwrap_or(greekhouse_risk::bs::MAX_VOL)
    }

    /// True when governance enabled the listing (after its timelock).
    pub fn is_enabled(&self) -> bool {
        self.listing_state == super::ListingState::Enabled as u8
    }

    /// Largest open interest one writer account may hold on this underlying (units, exp. 6).
    pub fn writer_open_interest_cap(&self) -> u64 {
        (self.open_interest_cap as u128 * self.writer_open_interest_share_bps as u128
            / crate::constants::BPS_ONE as u128) as u64
    }

    pub fn oracle_kind(&self) -> Result<OracleKind> {
        OracleKind::from_u8(self.oracle.kind)
    }

    /// True when the vol surface is older than its max age at `now`.
    pub fn surface_is_stale(&self, now: i64) -> bool {
        self.surface_stale_secs(now) > 0
    }

    /// Seconds by which the vol surface is older than its max age at `now` (0 when fresh).
    pub fn surface_stale_secs(&self, now: i64) -> u64 {
        let age = now.saturating_sub(self.surface_updated_at);
        age.saturating_sub(self.surface_max_age_secs as i64).max(0) as u64
    }

    pub fn invariant(&self) -> Result<()> {
        require!(
            self.version == ACCOUNT_VERSION,
            GreekhouseError::UnsupportedVersion
        );
        self.oracle.validate()?;
        self.margin.validate()?;
        self.realized.validate()?;
        self.tail_and_size.validate()?;
        require!(
            self.realized_estimate.variance <= MAX_REALIZED_VARIANCE_RAW,
            GreekhouseError::InvariantViolated
        );
        in_bounds(self.surface_max_age_secs, bounds::SURFACE_MAX_AGE_SECS)?;
        in_bounds(self.surface_max_change_bps, bounds::SURFACE_MAX_CHANGE_BPS)?;
        in_bounds(
            self.surface_anchor_interval_secs,
            bounds::SURFACE_ANCHOR_INTERVAL_SECS,
        )?;
        in_bounds(
            self.writer_open_interest_share_bps,
            bounds::WRITER_OPEN_INTEREST_SHARE_BPS,
        )?;
        super::ListingState::from_u8(self.listing_state)?;
        // open_interest may exceed a cap that governance lowered later; the cap binds writes only.
        Ok(())
    }
}
