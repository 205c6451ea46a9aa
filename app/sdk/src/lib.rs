//! Greekhouse client SDK.
//!
//! - [`pda`]: every program-derived address.
//! - [`ix`]: one builder per instruction; [`ix_program`]: the deployment and governance
//!   builders for any program id (`greekhouse deploy --program-id`).
//! - [`flows`]: complete margin-checked instructions (write, withdraw) with the program's
//!   projection of their outcome, fee included; remaining accounts from the program's layout.
//! - [`writer_flows`]: the price-free writer actions (deposit, burn, redeem, open, close)
//!   checked by the program's own rules on the fetched accounts.
//! - [`oracle`]: the oracle account of each underlying; [`pyth_pull`]: Pyth pull feeds (the
//!   sponsored account of a feed, Hermes updates, posting one with full verification);
//!   `hermes` (feature `rpc`): fetching an update.
//! - [`liquidation`]: liquidation and bid flows with the program's exact projection of a
//!   slice (payment, fee, fund payout, both accounts' margins); [`budget`]: compute-unit
//!   limits sized from measured costs.
//! - [`accounts`]: decoding of the program's zero-copy accounts.
//! - [`margin`]: a writer account's margin from fetched accounts, through the program's own
//!   engine and the `greekhouse-risk` crate (the numbers the program computes).
//! - [`events`]: decoding of the events the program emits through self-CPI.
//! - [`snapshot`]: a read-only [`chain::Chain`] over saved accounts (the `solana account
//!   --output json` format), for offline margin of any on-chain account.
//! - [`chain`]: the [`chain::Chain`] interface the bot, CLI and simulator use; `rpc` (feature
//!   `rpc`) implements it over JSON-RPC.
//! - [`localnet`]: the manifest a local validator writes (addresses, key files) and Solana CLI
//!   keypair files.
//! - [`vault`]: writer vaults' addresses and instruction builders (docs/vaults.md);
//!   [`vault_flows`]: a vault sale or sell-back with the program's projection of its price.
//! - [`vol_surface`]: a wanted vol surface clipped to what `set_vol_surface` accepts now.
//! - [`gov`], [`squads`], [`squads_proposal`]: governance proposals, their Squads v4 message,
//!   and the whole Squads proposal (`vault_transaction_create` + `proposal_create`).
//! - [`program_metadata`]: the program's IDL on chain (the Program Metadata program's canonical
//!   `"idl"` account that Anchor 1.x and explorers read): its address, the instructions
//!   that publish and update it, the account decoded and decompressed.
//! - [`fixtures`]: default market parameters (surface, margin, series rules, oracle configs)
//!   that `greekhouse deploy` lists from and the test kit's scenarios use.
//!
//! No Solana runtime is compiled with this crate (checked by the `no_solana_runtime` test): the
//! in-process bank, the scenario kit, the Pyth account writers, the test oracle program and the
//! local validator process handle live in `greekhouse-testkit`.

#[cfg(feature = "rpc")]
pub mod account_feed;
pub mod accounts;
pub mod accrual;
pub mod budget;
pub mod chain;
pub mod errors;
pub mod events;
pub mod fixtures;
pub mod flows;
pub mod gov;
pub mod gov_doc;
#[cfg(feature = "rpc")]
pub mod hermes;
pub mod ix;
pub mod ix_program;
pub mod liquidation;
pub mod localnet;
pub mod margin;
pub mod oracle;
pub mod pda;
pub mod program_metadata;
pub mod projection;
pub mod pyth_pull;
#[cfg(feature = "rpc")]
pub mod rpc;
pub mod snapshot;
pub mod squads;
pub mod squads_proposal;
#[cfg(feature = "rpc")]
pub mod stand_in;
pub mod vault;
pub mod vault_flows;
pub mod vol_surface;
pub mod writer_flows;

pub use anchor_lang::prelude::Pubkey;
pub use anchor_lang::solana_program::instruction::Instruction;
pub use greekhouse::ID as PROGRAM_ID;

// golden instructions for the TypeScript SDK's builders (sdk/ts/test/fixtures/instructions.json)
#[cfg(test)]
mod ix_golden;
// a unit test of the crate's own dependency tree: part of the library's test binary, not one more
#[cfg(test)]
mod no_solana_runtime;
