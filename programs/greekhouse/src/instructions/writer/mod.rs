pub mod burn_options;
pub mod close_writer_account;
pub mod deposit;
pub mod deposit_options;
pub mod open_writer_account;
pub mod withdraw;
pub mod withdraw_options;
pub mod write_options;

pub use burn_options::*;
pub use close_writer_account::*;
pub use deposit::*;
pub use deposit_options::*;
pub use open_writer_account::*;
pub use withdraw::*;
pub use withdraw_options::*;
pub use write_options::*;
