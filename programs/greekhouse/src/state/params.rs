//! Global parameters of the clearing house, stored in integer units with named precisions,
//! and their hard bounds.

use anchor_lang::prelude::*;

use crate::constants::bounds;
use crate::errors::GreekhouseError;

/// Actions the guardian can pause. Only risk-increasing actions have a flag: deposits, burns,
/// repayments and liquidations have none, so nothing can pause them.
pub mod pause {
    /// `write_options`.
    pub const WRITE: u32 = 1 << 0;
    /// `withdraw`.
    pub const WITHDRAW: u32 = 1 << 1;
    /// `create_series`.
    pub const CREATE_SERIES: u32 = 1 << 2;
    /// Every flag that may be set.
    pub const PAUSABLE: u32 = WRITE | WITHDRAW | CREATE_SERIES;
}

/// Clearing-house-wide parameters. Amounts in bps are at exponent 4 (10_000 = 1).
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    AnchorSerialize,
    AnchorDeserialize,
    bytemuck::Pod,
    bytemuck::Zeroable,
)]
#[repr(C)]
pub struct GlobalParams {
    /// k in `collateral price - k * conf` (bps).
    pub conf_multiplier_bps: u32,
    /// End level = MM + buffer * (IM - MM) (bps).
    pub end_buffer_bps: u32,
    /// Floor on time to expiry in pricing, so near-expiry Greeks stay bounded (seconds).
    pub min_time_to_expiry_secs: u32,
    /// Writing fee as a share of the premium, paid into the insurance fund (bps).
    pub write_fee_bps: u32,
    /// Governance timelock applied to loosening changes (seconds).
    pub timelock_secs: u32,
    pub _padding: u32,
}

impl GlobalParams {
    /// Defaults of docs/protocol.md, each inside its bounds.
    pub const DEFAULT: GlobalParams = GlobalParams {
        conf_multiplier_bps: 10_000, // 1 conf below the price
        end_buffer_bps: 5_000,       // halfway between MM and IM
        min_time_to_expiry_secs: 300,
        write_fee_bps: 30,      // 0.3 % of premium
        timelock_secs: 172_800, // 48 h
        _padding: 0,
    };

    /// Reject any value outside the hard bounds.
    pub fn validate(&self) -> Result<()> {
        in_bounds(self.conf_multiplier_bps, bounds::CONF_MULTIPLIER_BPS)?;
        in_bounds(self.end_buffer_bps, bounds::END_BUFFER_BPS)?;
        in_bounds(
            self.min_time_to_expiry_secs,
            bounds::MIN_TIME_TO_EXPIRY_SECS,
        )?;
        in_bounds(self.write_fee_bps, bounds::WRITE_FEE_BPS)?;
        in_bounds(self.timelock_secs, bounds::TIMELOCK_SECS)?;
        Ok(())
    }
}

/// `Ok` when `lo <= value <= hi`, else `ParameterOutOfBounds`.
pub fn in_bounds<T: PartialOrd>(value: T, (lo, hi): (T, T)) -> Result<()> {
    require!(
        value >= lo && value <= hi,
        GreekhouseError::ParameterOutOfBounds
    );
    Ok(())
}
