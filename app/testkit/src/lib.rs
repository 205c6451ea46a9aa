//! Greekhouse test kit: the world the integration tests, the demo, the simulator and the local
//! validator's seeding run in. It compiles the Solana runtime (`solana-program-test`); the client
//! SDK (`greekhouse-sdk`) does not, so an application or the bot built without the test kit
//! never compiles a bank.
//!
//! - [`bank`]: [`bank::BankChain`], the SDK's [`greekhouse_sdk::chain::Chain`] over an
//!   in-process bank with the program registered natively and a clock the caller controls.
//! - [`bank_accounts`]: what the bank remembers of the program's accounts between the
//!   transactions that name them, so scans read only what changed.
//! - [`chain_ops`]: [`chain_ops::ChainOps`], the setup and reads the scenario kit needs
//!   (funded keys, mints, token accounts, balances) over any SDK `Chain`.
//! - [`scenario`]: the scenario kit, one world on the bank shared by the integration tests, the
//!   demo, the bot's tests and the simulator; its market parameters are the SDK's
//!   [`greekhouse_sdk::fixtures`] (which `greekhouse deploy` also lists from).
//! - [`more_underlyings`]: underlyings and collateral assets a test lists besides the world's
//!   SOL and BTC (up to a writer account's eight underlyings and four collaterals).
//! - [`vault_ops`]: the scenario kit's writer-vault actions (LPs, buyers, a vault on SOL).
//! - [`pyth`]: Pyth pull and legacy price accounts written straight into the bank.
//! - [`test_oracle`]: the test-only oracle program that prices a local validator (and, on
//!   request, the bank): its instruction builders and its native processor.
//! - [`localnet`]: [`localnet::LocalnetProcess`], a `greekhouse-localnet` process the RPC tests
//!   start and stop (the manifest it writes is the SDK's `localnet` module).

pub mod bank;
pub mod bank_accounts;
pub mod chain_ops;
pub mod localnet;
pub mod more_underlyings;
pub mod pyth;
pub mod scenario;
pub mod test_oracle;
pub mod vault_ops;
