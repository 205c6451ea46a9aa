//! Conversions from stored integer parameters (bps, exponent-6 sizes) to the risk engine's
//! fixed-point inputs. Pure functions; the SDK uses the same ones to recompute margin off chain.

use greekhouse_risk::{
    bs, Fixed, MarginConfig, MarginParams, OptionKind, Rounding, TenorPoint, VolSurface,
};

use crate::constants::CONTRACT_SIZE_EXP;
use crate::state::{GlobalParams, Position, StoredVolSurface, Underlying};

fn bps(v: i64) -> Fixed {
    Fixed::from_bps(v)
}

/// Stored surface to the risk engine's.
pub fn vol_surface(s: &StoredVolSurface) -> VolSurface {
    let mut tenors = [TenorPoint::default(); greekhouse_risk::surface::MAX_TENORS];
    for (i, t) in tenors.iter_mut().enumerate().take(s.tenor_count.into()) {
        *t = TenorPoint {
            seconds: s.tenor_secs[i],
            atm_vol: bps(i64::from(s.atm_vol_bps[i])),
        };
    }
    VolSurface {
        tenors,
        tenor_count: s.tenor_count,
        skew: bps(i64::from(s.skew_bps)),
        smile: bps(i64::from(s.smile_bps)),
        min_vol: bps(i64::from(s.min_vol_bps)),
    }
}

/// An underlying's margin parameters for the risk engine: its stored levels with their
/// predictive shocks.
pub fn margin_params(u: &Underlying) -> MarginParams {
    u.margin_params()
}

/// Global parameters to the risk engine's account-independent config; `greeks`: whether the
/// book's Greeks are computed (reports only: the program turns them off).
pub fn margin_config(p: &GlobalParams, greeks: bool) -> MarginConfig {
    MarginConfig {
        conf_multiplier: bps(i64::from(p.conf_multiplier_bps)),
        end_buffer: bps(i64::from(p.end_buffer_bps)),
        greeks,
    }
}

/// Option kind from its stored byte.
pub fn option_kind(kind: u8) -> Option<OptionKind> {
    match kind {
        0 => Some(OptionKind::Call),
        1 => Some(OptionKind::Put),
        _ => None,
    }
}

/// Contract size (exponent 6) as underlying units.
pub fn contract_size(size: u64) -> Result<Fixed, greekhouse_risk::RiskError> {
    Fixed::from_scaled(i128::from(size), CONTRACT_SIZE_EXP, Rounding::Down)
}

/// Time to expiry in years for the risk engine. Before expiry the pricing floor applies (at
/// least `min_secs`, which keeps Greeks bounded); at or past expiry, not yet settled, it is
/// zero: the engine values the position at intrinsic value, shocked over the spot box.
pub fn time_to_expiry(
    expiry: i64,
    now: i64,
    min_secs: u32,
) -> Result<Fixed, greekhouse_risk::RiskError> {
    if now >= expiry {
        return Ok(Fixed::ZERO);
    }
    let secs = expiry.saturating_sub(now).max(i64::from(min_secs));
    bs::years_from_seconds(secs)
}

/// A stored position to the risk engine's, given its underlying's index.
pub fn position(
    p: &Position,
    underlying_index: u8,
    now: i64,
    min_secs: u32,
) -> crate::prelude::Result<greekhouse_risk::PositionRisk> {
    let risk = |e: greekhouse_risk::RiskError| crate::errors::GreekhouseError::from(e);
    Ok(greekhouse_risk::PositionRisk {
        underlying: underlying_index,
        kind: option_kind(p.kind).ok_or(crate::errors::GreekhouseError::InvalidOptionKind)?,
        strike: Fixed::from_u64(p.strike),
        time_years: time_to_expiry(p.expiry, now, min_secs).map_err(risk)?,
        contracts: p.contracts,
        contract_size: contract_size(p.contract_size).map_err(risk)?,
        side: match p.side()? {
            crate::state::Side::Short => greekhouse_risk::Side::Short,
            crate::state::Side::Long => greekhouse_risk::Side::Long,
        },
        american: p.style == crate::state::ExerciseStyle::American as u8,
    })
}
