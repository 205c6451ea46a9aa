pub mod bid;
pub mod end_liquidation;
pub mod resolve_bankruptcy;
pub mod start_liquidation;

pub use bid::*;
pub use end_liquidation::*;
pub use resolve_bankruptcy::*;
pub use start_liquidation::*;
