//! One file per instruction, grouped by the role that calls it.

pub mod admin;
pub mod guardian;
pub mod keeper;
pub mod market;
pub mod vol_updater;
pub mod writer;

pub use admin::*;
pub use guardian::*;
pub use keeper::*;
pub use market::*;
pub use vol_updater::*;
pub use writer::*;
