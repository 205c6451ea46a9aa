//! Greekhouse risk engine.
//!
//! One crate holds every number the clearing house decides with: fixed-point arithmetic,
//! Black-Scholes prices and Greeks, American prices, the vol surface, Greek-based portfolio margin and the
//! Dutch-auction math. The on-chain program, the SDK, the liquidator bot and the simulator all
//! call these functions, so they agree to the last unit.
//!
//! `#![no_std]`, no `alloc`, no floating point, no Solana dependencies. Every fallible step
//! returns [`RiskError`]; every lossy step names its [`Rounding`].
#![no_std]
#![forbid(unsafe_code)]
#![deny(clippy::float_arithmetic)]

pub mod american;
pub mod auction;
mod bin;
pub mod bs;
pub mod error;
mod fast;
pub mod fixed;
pub mod insurance;
pub mod margin;
pub mod math;
pub mod realized;
pub mod surface;
mod tables;
mod wide;

#[cfg(test)]
extern crate std;

pub use american::price as american_price;
pub use auction::{AuctionParams, AuctionPhase, BidInputs, SliceSettlement, TipLimits};
pub use bs::{BsInput, Greeks, OptionKind};
pub use error::RiskError;
pub use fixed::{Fixed, Fixed18, Rounding};
pub use insurance::FundShares;
pub use margin::{
    validate_collateral_weights, AccountRisk, CollateralClass, CollateralRisk, Level, LevelParams,
    LevelRisk, MarginConfig, MarginParams, MarginSummary, PositionRisk, Side, UnderlyingRisk,
    UnderlyingSummary,
};
pub use surface::{TenorPoint, VolSurface};

/// Result type of every fallible risk-engine function.
pub type RiskResult<T> = core::result::Result<T, RiskError>;
