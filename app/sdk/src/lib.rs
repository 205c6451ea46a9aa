//! Greekhouse client SDK.
//!
//! - [`pda`]: every program-derived address.
//! - [`ix`]: one builder per instruction.
//! - [`flows`]: complete margin-checked instructions (write, withdraw) with the program's
//!   projection of their outcome, fee included; remaining accounts from the program's layout.
//! - [`liquidation`]: liquidation and bid flows with the program's exact projection of a
//!   slice (payment, fee, fund payout, both accounts' margins); [`budget`]: compute-unit
//!   limits sized from measured costs.
//! - [`accounts`]: decoding of the program's zero-copy accounts.
//! - [`margin`]: a writer account's margin from fetched accounts, through the program's own
//!   engine and the `greekhouse-risk` crate (the numbers the program computes).
//! - [`events`]: decoding of the events the program emits through self-CPI.
//! - [`snapshot`]: a read-only [`chain::Chain`] over saved accounts (the `solana account
//!   --output json` format), for offline margin of any on-chain account.
//! - [`scenario`] (feature `bank`): the scenario kit, one world on the in-process bank shared
//!   by the integration tests, the demo, the bot and the simulator.
//! - [`chain`]: the [`chain::Chain`] interface the bot, CLI and simulator use; with the
//!   `bank` feature, [`bank::BankChain`] runs the real program in an in-process bank.

pub mod accounts;
pub mod budget;
pub mod chain;
pub mod errors;
pub mod events;
pub mod flows;
pub mod gov;
pub mod gov_doc;
pub mod ix;
pub mod liquidation;
pub mod localnet;
pub mod margin;
pub mod pda;
#[cfg(feature = "rpc")]
pub mod rpc;
pub mod snapshot;
pub mod squads;
pub mod test_oracle;

#[cfg(feature = "bank")]
pub mod bank;
#[cfg(feature = "bank")]
pub mod fixtures;
#[cfg(feature = "bank")]
pub mod pyth;
#[cfg(feature = "bank")]
pub mod scenario;

pub use anchor_lang::prelude::Pubkey;
pub use anchor_lang::solana_program::instruction::Instruction;
pub use greekhouse::ID as PROGRAM_ID;
