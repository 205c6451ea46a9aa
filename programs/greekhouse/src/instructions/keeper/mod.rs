//! Permissionless upkeep anyone may run (bots, the CLI): never paused, never risk-increasing.

pub mod check_margin;
pub mod record_price;
pub mod sweep_fees;

pub use check_margin::*;
pub use record_price::*;
pub use sweep_fees::*;
