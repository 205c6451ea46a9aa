//! Writer accounts: open_writer_account, deposit, withdraw, close_writer_account.
//!
//! Success tests check the decoded state, token balances, that every vault equals the ledger
//! claims on it (summed over the writer accounts and underlying ledgers) and the event; each
//! refusal has its own test with the exact error.
use crate::harness;
use harness::ext_writer::*;
use harness::*;

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::AccountMeta;
use greekhouse::constants::{ACCOUNT_VERSION, MAX_COLLATERALS};
use greekhouse::errors::GreekhouseError as E;
use greekhouse::instructions::ListCollateralArgs;
use greekhouse::state::{pause, PriceSource, WriterAccount, WriterStatus};
use greekhouse_sdk::chain::{Chain, ChainError, TxOutcome};
use greekhouse_sdk::ix::{self, TokenLedger};
use greekhouse_sdk::pda;
use solana_signer::Signer;

/// Anchor's `AccountNotSigner`.
pub(super) const ANCHOR_ACCOUNT_NOT_SIGNER: u32 = 3010;
/// SPL Token's `InsufficientFunds`.
pub(super) const TOKEN_INSUFFICIENT_FUNDS: u32 = 1;

/// Quote vault, SOL vault, the quote claims (writers' balances and accrued fees), the writers'
/// SOL balances.
pub(super) fn ledgers(env: &mut Env) -> (u64, u64, i64, u64) {
    (
        env.quote_vault_balance(),
        env.sol_vault_balance(),
        env.quote_claims() as i64,
        env.sol_claims() as u64,
    )
}

/// docs/protocol.md §12 as the tests check it: each vault holds exactly its ledger claims.
#[track_caller]
pub(super) fn assert_vaults_match(env: &mut Env) {
    let (quote_vault, sol_vault, quote_claims, sol_claims) = ledgers(env);
    assert_eq!(
        quote_vault as i64, quote_claims,
        "quote vault == quote claims"
    );
    assert_eq!(sol_vault, sol_claims, "SOL vault == writers' SOL");
}

pub(super) fn sol_asset(env: &Env) -> Pubkey {
    env.sol_ledger().collateral_asset.unwrap()
}

mod anchor_checks;
mod close;
mod collateral_prices;
mod deposit;
mod foreign_assets;
mod open;
mod withdraw;
mod withdraw_with_shorts;

#[allow(unused_imports)]
use self::{
    anchor_checks::*, close::*, collateral_prices::*, deposit::*, foreign_assets::*, open::*,
    withdraw::*, withdraw_with_shorts::*,
};
