//! The engine layer. Handlers call it; it calls the pure risk math in `greekhouse-risk`.
//!
//! - [`actions`]: the rulebook, one pure function per instruction that moves value or checks margin.
//! - [`ledger`]: every money or risk movement between two ledgers, as one checked function.
//! - [`layout`]: which accounts a margin check of one or several writer accounts takes.
//! - [`margin`]: loading those accounts read-only and computing the margin.
//! - [`liquidation`]: what a slice moves, the auction inputs, the bankruptcy split (pure).
//! - [`governance`], [`governance_fields`], [`governance_verdict`]: governed fields declared once, their rules and the queue verdict.
//! - [`exercise`]: an American exercise's index step and a short's accrual (pure).
//! - [`settlement`]: payout and obligation per contract, fund cover, backstop price, final payout (pure).
//! - [`convert`], [`pricing`]: stored parameters to the risk engine's inputs; premiums, fees.
//! - [`fees`], [`insurance`]: the fee sweep before shares are priced; the fund's rebase and a
//!   stake's sync, with their events.
//! - [`tokens`], [`create`]: token transfers and mint screening; pre-funding-proof creation.
//! - [`safe_math`]: checked arithmetic and integer conversion (`Cast`) that log where they failed.
//! - [`series_accounts`]: the series lists some instructions take ahead of a margin layout.
//!
//! `tokens`, `create`, `fees`, `series_accounts` and the account loading in `margin` handle
//! `AccountInfo`s and CPIs: they exist in the program build (feature `anchor`) only. The rest
//! is the rulebook and compiles as `no_std + alloc`.

pub mod actions;
pub mod convert;
#[cfg(feature = "anchor")]
pub mod create;
pub mod exercise;
#[cfg(feature = "anchor")]
pub mod fees;
pub mod governance;
pub mod governance_fields;
#[cfg(test)]
mod governance_tests;
pub mod governance_verdict;
pub mod insurance;
pub mod layout;
pub mod ledger;
#[cfg(test)]
mod ledger_tests;
pub mod liquidation;
pub mod margin;
pub mod pricing;
pub mod safe_math;
#[cfg(feature = "anchor")]
pub mod series_accounts;
pub mod settlement;
#[cfg(feature = "anchor")]
pub mod tokens;
