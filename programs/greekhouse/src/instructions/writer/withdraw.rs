//! Withdraw quote or collateral. An account with shorts or debt must stand at IM >= 0
//! afterwards, checked read-only with fresh oracle prices (remaining accounts: the layout of
//! `engine::layout`). An account without shorts and without debt needs no price and is not
//! stopped by the guardian's WITHDRAW pause: its withdrawal cannot hurt the clearing house.
//! Refused while liquidating.

use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::engine::actions::withdraw::TokenLedger;
use crate::engine::{actions, ledger, margin, tokens};
use crate::errors::GreekhouseError;
use crate::events::Withdrawn;
use crate::oracle::PriceUse;
use crate::state::{Clearinghouse, CollateralAsset, WriterAccount};

#[event_cpi]
#[derive(Accounts)]
pub struct Withdraw<'info> {
    pub owner: Signer<'info>,
    pub clearinghouse: AccountLoader<'info, Clearinghouse>,
    #[account(
        mut,
        has_one = owner @ GreekhouseError::NotWriterOwner,
        has_one = clearinghouse @ GreekhouseError::WrongClearinghouse,
    )]
    pub writer_account: AccountLoader<'info, WriterAccount>,
    #[account(constraint = *mint.to_account_info().owner == token_program.key() @ GreekhouseError::WrongTokenProgram)]
    pub mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(mut)]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    /// Any token account of the mint; the owner chooses where the tokens go.
    #[account(mut, constraint = destination.mint == mint.key() @ GreekhouseError::WrongTokenMint)]
    pub destination: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(has_one = clearinghouse @ GreekhouseError::WrongClearinghouse)]
    pub collateral_asset: Option<AccountLoader<'info, CollateralAsset>>,
    pub token_program: Interface<'info, TokenInterface>,
}

impl Withdraw<'_> {
    /// The withdrawal's rules that need no price (run by `#[access_control]`).
    pub fn validate(&self, amount: u64) -> Result<()> {
        actions::withdraw::check_withdraw(
            &*self.clearinghouse.load()?,
            &*self.writer_account.load()?,
            amount,
            Clock::get()?.unix_timestamp,
        )?;
        self.ledger().map(|_| ())
    }

    /// The checked accounts' ledger.
    pub fn ledger(&self) -> Result<TokenLedger> {
        tokens::token_ledger(
            &self.clearinghouse,
            &self.mint.key(),
            &self.vault.key(),
            &self.token_program.key(),
            self.collateral_asset.as_ref(),
        )
    }
}

pub fn withdraw_handler<'info>(ctx: Context<'info, Withdraw<'info>>, amount: u64) -> Result<()> {
    let which = ctx.accounts.ledger()?;
    let now = Clock::get()?.unix_timestamp;
    let a = &ctx.accounts;
    let clearinghouse_key = a.clearinghouse.key();
    let ch = *a.clearinghouse.load()?;
    let mut prices = margin::prices_from(
        clearinghouse_key,
        ctx.remaining_accounts,
        now,
        PriceUse::RiskIncreasing,
    );
    let outcome = actions::withdraw::withdraw(
        &ch,
        &mut *a.writer_account.load_mut()?,
        which,
        amount,
        &mut prices,
        now,
    )?;

    let before = a.vault.amount;
    tokens::transfer_out(
        &a.token_program,
        &a.vault,
        &a.destination,
        &a.mint,
        &a.clearinghouse.to_account_info(),
        &ch.signer(),
        amount,
    )?;
    ctx.accounts.vault.reload()?;
    ledger::require_vault_delta(before, ctx.accounts.vault.amount, amount, false)?;

    emit_cpi!(Withdrawn {
        writer_account: ctx.accounts.writer_account.key(),
        mint: ctx.accounts.mint.key(),
        amount,
        balance_after: outcome.balance_after,
        initial_equity_after: outcome.initial_equity_after,
    });
    Ok(())
}
