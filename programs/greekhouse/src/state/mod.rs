//! Zero-copy accounts. Each has a `version` byte, explicit padding, `reserved` space for
//! future fields, a compile-time size assert and an `invariant()` every mutating instruction
//! calls before it returns.

pub mod clearinghouse;
pub mod collateral_asset;
pub mod insurance_fund;
pub mod option_series;
pub mod param_change;
pub mod params;
pub mod realized_vol;
pub mod settlement_price;
pub mod tail_and_size;
pub mod underlying;
pub mod underlying_ledger;
pub mod writer_account;

pub use clearinghouse::*;
pub use collateral_asset::*;
pub use insurance_fund::*;
pub use option_series::*;
pub use param_change::*;
pub use params::*;
pub use realized_vol::{RealizedVolEstimate, StoredRealizedVol};
pub use settlement_price::*;
pub use tail_and_size::StoredTailAndSize;
pub use underlying::*;
pub use underlying_ledger::*;
pub use writer_account::*;

pub mod vault;
pub use vault::*;
