//! An underlying's realized-volatility estimate and the predictive spot shock it drives
//! (docs/risk-model.md 6.8): the governed parameters and the estimate's state, both stored in
//! the [`Underlying`](super::Underlying). The arithmetic is the risk engine's
//! (`greekhouse_risk::realized`).

use crate::prelude::*;
use greekhouse_risk::realized::{RealizedVolParams, RealizedVolState};
use greekhouse_risk::{Fixed, LevelParams, Rounding};

use crate::constants::bounds;
use crate::errors::GreekhouseError;
use crate::state::params::in_bounds;

/// Governed: how far realized volatility widens each level's spot shock, and how the estimate
/// is taken.
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
pub struct StoredRealizedVol {
    /// IM: the shock is at least `multiple * sigma_rv * sqrt(horizon / year)` (bps; 0 = off).
    pub initial_multiple_bps: u32,
    pub initial_horizon_secs: u32,
    /// IM: the most the predictive shock reaches (bps; a configured shock above it still
    /// applies).
    pub initial_max_shock_bps: u32,
    pub maintenance_multiple_bps: u32,
    pub maintenance_horizon_secs: u32,
    pub maintenance_max_shock_bps: u32,
    /// The estimate forgets half of its past per half-life of wall time.
    pub half_life_secs: u32,
    /// Least time between two samples.
    pub sample_secs: u32,
    /// Cap of one sample's absolute log return (bps).
    pub max_return_bps: u32,
    pub _padding: u32,
}

const _: () = assert!(core::mem::size_of::<StoredRealizedVol>() == 40);

impl StoredRealizedVol {
    /// The risk engine's defaults: IM `4 sigma_rv sqrt(4 h)` up to 50 %, MM
    /// `5.9 sigma_rv sqrt(1 h)` up to 35 %, half-life 1 h, samples a minute apart, returns
    /// capped at 50 %.
    pub fn default_params() -> StoredRealizedVol {
        let m = greekhouse_risk::MarginParams::DEFAULT;
        let r = RealizedVolParams::DEFAULT;
        let bps = |f: Fixed| (f.raw() / 100_000_000) as u32;
        StoredRealizedVol {
            initial_multiple_bps: bps(m.initial.realized_multiple),
            initial_horizon_secs: m.initial.realized_horizon_secs,
            initial_max_shock_bps: bps(m.initial.max_spot_shock),
            maintenance_multiple_bps: bps(m.maintenance.realized_multiple),
            maintenance_horizon_secs: m.maintenance.realized_horizon_secs,
            maintenance_max_shock_bps: bps(m.maintenance.max_spot_shock),
            half_life_secs: r.half_life_secs,
            sample_secs: r.sample_secs,
            max_return_bps: bps(r.max_return),
            _padding: 0,
        }
    }

    /// True for an underlying listed before the estimate existed (every field zero): no
    /// estimate is taken and no shock widens.
    pub fn is_unset(&self) -> bool {
        *self == StoredRealizedVol::default()
    }

    pub fn validate(&self) -> Result<()> {
        if self.is_unset() {
            return Ok(());
        }
        require!(self._padding == 0, GreekhouseError::ParameterOutOfBounds);
        in_bounds(self.initial_multiple_bps, bounds::REALIZED_MULTIPLE_BPS)?;
        in_bounds(self.maintenance_multiple_bps, bounds::REALIZED_MULTIPLE_BPS)?;
        in_bounds(self.initial_horizon_secs, bounds::REALIZED_HORIZON_SECS)?;
        in_bounds(self.maintenance_horizon_secs, bounds::REALIZED_HORIZON_SECS)?;
        in_bounds(self.initial_max_shock_bps, bounds::REALIZED_MAX_SHOCK_BPS)?;
        in_bounds(
            self.maintenance_max_shock_bps,
            bounds::REALIZED_MAX_SHOCK_BPS,
        )?;
        in_bounds(self.half_life_secs, bounds::REALIZED_HALF_LIFE_SECS)?;
        in_bounds(self.sample_secs, bounds::REALIZED_SAMPLE_SECS)?;
        in_bounds(self.max_return_bps, bounds::REALIZED_MAX_RETURN_BPS)?;
        // IM reaches at least as far as MM and is capped no lower
        let reach = |k: u32, h: u32| u128::from(k) * u128::from(k) * u128::from(h);
        require!(
            reach(self.initial_multiple_bps, self.initial_horizon_secs)
                >= reach(self.maintenance_multiple_bps, self.maintenance_horizon_secs)
                && self.initial_max_shock_bps >= self.maintenance_max_shock_bps,
            GreekhouseError::MarginLevelsOutOfOrder
        );
        Ok(())
    }

    /// Whether the predictive shock is on at either level (a margin check then needs the
    /// estimate).
    pub fn predictive(&self) -> bool {
        self.initial_multiple_bps > 0 || self.maintenance_multiple_bps > 0
    }

    /// The estimate's parameters (`None` when unset).
    pub fn estimate_params(&self) -> Option<RealizedVolParams> {
        (!self.is_unset()).then(|| RealizedVolParams {
            half_life_secs: self.half_life_secs,
            sample_secs: self.sample_secs,
            max_return: Fixed::from_bps(i64::from(self.max_return_bps)),
        })
    }

    /// `level` (the stored margin level converted) with its predictive shock; the cap is at
    /// least the level's own shock, so a margin change never conflicts with this one.
    pub fn apply(&self, level: &mut LevelParams, initial: bool) {
        if self.is_unset() {
            return;
        }
        let (k, h, cap) = if initial {
            (
                self.initial_multiple_bps,
                self.initial_horizon_secs,
                self.initial_max_shock_bps,
            )
        } else {
            (
                self.maintenance_multiple_bps,
                self.maintenance_horizon_secs,
                self.maintenance_max_shock_bps,
            )
        };
        level.realized_multiple = Fixed::from_bps(i64::from(k));
        level.realized_horizon_secs = h;
        level.max_spot_shock = Fixed::from_bps(i64::from(cap)).max_of(level.spot_shock);
    }
}

/// The estimate's state (never governed): updated with every newer price the program records.
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
pub struct RealizedVolEstimate {
    /// Annualised variance, `Fixed` raw (10^-12).
    pub variance: u64,
    /// The last sample's publish time (zero: none yet) and price (oracle mantissa, exponent).
    pub anchor_time: i64,
    pub anchor_price: i64,
    pub anchor_expo: i32,
    /// Samples taken.
    pub samples: u32,
}

const _: () = assert!(core::mem::size_of::<RealizedVolEstimate>() == 32);

impl RealizedVolEstimate {
    /// Seeded with `vol` (annualised), the surface's first ATM vol at listing.
    pub fn seeded(vol: Fixed) -> Result<RealizedVolEstimate> {
        let state = RealizedVolState::seeded(vol).map_err(|e| error!(GreekhouseError::from(e)))?;
        Ok(RealizedVolEstimate {
            variance: u64::try_from(state.variance.raw())
                .map_err(|_| error!(GreekhouseError::MathOverflow))?,
            ..RealizedVolEstimate::default()
        })
    }

    /// The risk engine's state (prices as `Fixed` from the oracle's mantissa and exponent).
    pub fn to_state(&self) -> Result<RealizedVolState> {
        let anchor_price = if self.anchor_time == 0 {
            Fixed::ZERO
        } else {
            price_fixed(self.anchor_price, self.anchor_expo)?
        };
        Ok(RealizedVolState {
            variance: Fixed::from_raw(i128::from(self.variance)),
            anchor_price,
            anchor_time: self.anchor_time,
            samples: self.samples,
        })
    }

    /// The estimate after a price (oracle mantissa and exponent) published at `time`, newer than
    /// every price recorded before.
    pub fn after(
        &self,
        params: &RealizedVolParams,
        price: i64,
        expo: i32,
        time: i64,
    ) -> Result<RealizedVolEstimate> {
        let p = price_fixed(price, expo)?;
        let next = greekhouse_risk::realized::record(&self.to_state()?, params, p, time)
            .map_err(|e| error!(GreekhouseError::from(e)))?;
        if next.anchor_time == self.anchor_time {
            return Ok(*self); // inside a sample interval: nothing moves
        }
        Ok(RealizedVolEstimate {
            variance: u64::try_from(next.variance.raw())
                .map_err(|_| error!(GreekhouseError::MathOverflow))?,
            anchor_time: next.anchor_time,
            anchor_price: price,
            anchor_expo: expo,
            samples: next.samples,
        })
    }

    /// The annualised vol, rounded up.
    pub fn vol(&self) -> Result<Fixed> {
        self.to_state()?
            .vol()
            .map_err(|e| error!(GreekhouseError::from(e)))
    }
}

/// `value * 10^shift` as a [`Fixed`], rounded as asked (the oracle's price conversion too).
pub fn scale_pow10(value: i128, shift: i32, rounding: Rounding) -> Result<Fixed> {
    let fixed = if shift >= 0 {
        let factor = greekhouse_risk::fixed::pow10(shift as u32)
            .ok_or(GreekhouseError::OracleBadExponent)?;
        let whole = value
            .checked_mul(factor)
            .ok_or(GreekhouseError::MathOverflow)?;
        Fixed::from_scaled(whole, 0, rounding)
    } else {
        Fixed::from_scaled(value, shift.unsigned_abs(), rounding)
    };
    fixed.map_err(|e| error!(GreekhouseError::from(e)))
}

/// An oracle price (mantissa, exponent) as a [`Fixed`], rounded down.
pub fn price_fixed(price: i64, expo: i32) -> Result<Fixed> {
    scale_pow10(i128::from(price), expo, Rounding::Down)
}
