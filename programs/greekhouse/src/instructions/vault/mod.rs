//! Writer vaults (docs/vaults.md): listed by the admin, funded by LPs for shares, selling the
//! options their policy allows to buyers and buying them back. Each instruction calls the
//! engine's actions on the vault's own writer account directly (the vault PDA owns it; no
//! self-CPI).

pub mod cancel_vault_withdraw;
pub mod create_vault;
pub mod request_vault_withdraw;
pub mod vault_buy;
pub mod vault_deposit;
pub mod vault_sell_back;
pub mod vault_withdraw;

pub use cancel_vault_withdraw::*;
pub use create_vault::*;
pub use request_vault_withdraw::*;
pub use vault_buy::*;
pub use vault_deposit::*;
pub use vault_sell_back::*;
pub use vault_withdraw::*;
