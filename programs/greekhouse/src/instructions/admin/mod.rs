pub mod accept_admin;
pub mod initialize_clearinghouse;
pub mod list_collateral;
pub mod list_underlying;
pub mod propose_admin;
pub mod unpause;

pub use accept_admin::*;
pub use initialize_clearinghouse::*;
pub use list_collateral::*;
pub use list_underlying::*;
pub use propose_admin::*;
pub use unpause::*;
