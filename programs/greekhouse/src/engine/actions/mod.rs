//! The rulebook: one pure function per margin-checked or value-moving instruction, over the
//! accounts' state and the priced margin inputs, returning the outcome (what moved, the fee, the
//! margins after, the event's values) or the program's error.
//!
//! A handler loads its accounts, calls its action, moves tokens and emits; the SDK's flows call
//! the same action on copies of the accounts they fetched. A projection and the program
//! therefore cannot disagree, refusals included: both run this code.
//!
//! Each action has two halves: `check_*` holds the rules that need no price (a handler's
//! `validate()` under `#[access_control]`), and the action itself re-runs them, then prices,
//! moves ledgers and checks margin. Running the checks twice on chain costs a few hundred CU
//! and keeps each half usable on its own.
//!
//! Prices enter through [`MarginPrices`]: on chain the remaining accounts checked against the
//! layout (`engine::margin::load_margin_accounts`), off chain the fetched accounts priced by the
//! same parser and checks. Actions never read a clock, a sysvar or an `AccountInfo`.

pub mod bid;
pub mod buy_backstop;
pub mod create_series;
pub mod end_liquidation;
pub mod exercise;
pub mod finalize;
pub mod governance;
pub mod initialize;
pub mod insurance;
pub mod listing;
pub mod long;
pub mod margin_status;
pub mod pause;
pub mod record_price;
pub mod resolve_bankruptcy;
pub mod resolve_debt;
pub mod settle;
pub mod settle_series;
pub mod settlement_price;
pub mod start_liquidation;
pub mod vault;
#[cfg(test)]
mod vault_tests;
pub mod vault_trade;
pub mod vol_surface;
pub mod withdraw;
pub mod write;
pub mod writer_account;

use crate::prelude::*;

use crate::engine::margin::LoadedMargin;
use crate::state::WriterAccount;

/// The priced margin accounts of the writer accounts an action checks, asked for once the
/// action knows the accounts as they will be (a write's layout includes its new short).
pub trait MarginPrices {
    /// The collateral assets and priced underlyings of `writers`' margin layout.
    fn load(&mut self, writers: &[&WriterAccount]) -> Result<LoadedMargin>;
}

impl<F> MarginPrices for F
where
    F: FnMut(&[&WriterAccount]) -> Result<LoadedMargin>,
{
    fn load(&mut self, writers: &[&WriterAccount]) -> Result<LoadedMargin> {
        self(writers)
    }
}
