//! Permissionless upkeep anyone may run (bots, the CLI): never paused, never risk-increasing.

pub mod record_price;
pub mod sweep_fees;

pub use record_price::*;
pub use sweep_fees::*;
