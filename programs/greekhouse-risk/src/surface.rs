//! Vol surface of PROTOCOL 4:
//! `sigma(K,T) = atm(T) * (1 + skew * ln(K/S) + smile * ln(K/S)^2)`, floored at `min_vol`,
//! `atm(T)` interpolated linearly in total variance `atm^2 * T` between tenor points (flat
//! vol outside them).
//!
//! API CONTRACT (stubs).

use crate::{Fixed, RiskResult};

/// Most tenor points a surface holds.
pub const MAX_TENORS: usize = 4;

/// One point of the at-the-money term structure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct TenorPoint {
    /// Time to expiry of this point in seconds.
    pub seconds: u32,
    /// At-the-money vol at this tenor, a fraction.
    pub atm_vol: Fixed,
}

/// A vol surface: term structure of ATM vols plus a quadratic smile in log-moneyness.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct VolSurface {
    /// The first `tenor_count` entries are used, strictly increasing in `seconds`.
    pub tenors: [TenorPoint; MAX_TENORS],
    pub tenor_count: u8,
    /// Linear coefficient in ln(K/S).
    pub skew: Fixed,
    /// Quadratic coefficient in ln(K/S)^2.
    pub smile: Fixed,
    /// Floor on the resulting vol.
    pub min_vol: Fixed,
}

/// Hard bounds the surface must respect (also used by governance).
pub const MIN_VOL_FLOOR_BPS: i64 = 100; // 1 %
pub const MAX_VOL_BPS: i64 = 50_000; // 500 %

impl VolSurface {
    /// Check tenor order and count, vol ranges, skew/smile ranges.
    pub fn validate(&self) -> RiskResult<()> {
        todo!()
    }
    /// ATM vol at `time_years` (total-variance interpolation).
    pub fn atm_vol(&self, _time_years: Fixed) -> RiskResult<Fixed> {
        todo!()
    }
    /// sigma(K, T) at spot S.
    pub fn vol(&self, _strike: Fixed, _spot: Fixed, _time_years: Fixed) -> RiskResult<Fixed> {
        todo!()
    }
    /// True when every point of `new` is within `max_change` (relative, e.g. 0.5 = 50 %) of
    /// `self` (same tenor grid); the vol updater's per-update bound.
    pub fn within_relative_change(&self, _new: &VolSurface, _max_change: Fixed) -> RiskResult<bool> {
        todo!()
    }
}
