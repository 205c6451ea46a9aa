//! One file per instruction, grouped by the role that calls it.

pub mod admin;
pub mod governance;
pub mod guardian;
pub mod insurance;
pub mod keeper;
pub mod liquidation;
pub mod market;
pub mod settlement;
pub mod vault;
pub mod vol_updater;
pub mod writer;

pub use admin::*;
pub use governance::*;
pub use guardian::*;
pub use insurance::*;
pub use keeper::*;
pub use liquidation::*;
pub use market::*;
pub use settlement::*;
pub use vault::*;
pub use vol_updater::*;
pub use writer::*;
