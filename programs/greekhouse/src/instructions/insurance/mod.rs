pub mod cancel_unstake;
pub mod donate;
pub mod open_insurance_stake;
pub mod request_unstake;
pub mod stake;
pub mod unstake;

pub use cancel_unstake::*;
pub use donate::*;
pub use open_insurance_stake::*;
pub use request_unstake::*;
pub use stake::*;
pub use unstake::*;
