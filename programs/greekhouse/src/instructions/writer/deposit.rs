//! Deposit quote (into the signed quote balance) or a listed collateral asset. Never needs a
//! price and is never paused: it only reduces risk. Locks only the writer account, the vault
//! and the owner's token account, so deposits of different writers run in parallel; the
//! account credits what the vault actually received.

use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::engine::actions::withdraw::TokenLedger;
use crate::engine::{actions, ledger, tokens};
use crate::errors::GreekhouseError;
use crate::events::Deposited;
use crate::state::{Clearinghouse, CollateralAsset, WriterAccount};

#[event_cpi]
#[derive(Accounts)]
pub struct Deposit<'info> {
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
    /// The quote vault for quote deposits, else the collateral asset's vault.
    #[account(mut)]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(
        mut,
        constraint = owner_token_account.mint == mint.key() @ GreekhouseError::WrongTokenMint,
        constraint = owner_token_account.owner == owner.key() @ GreekhouseError::WrongTokenOwner,
    )]
    pub owner_token_account: Box<InterfaceAccount<'info, TokenAccount>>,
    /// Absent for quote deposits. Read-only: the cap is checked against the vault itself.
    #[account(has_one = clearinghouse @ GreekhouseError::WrongClearinghouse)]
    pub collateral_asset: Option<AccountLoader<'info, CollateralAsset>>,
    pub token_program: Interface<'info, TokenInterface>,
}

impl Deposit<'_> {
    /// The deposit's rules that need no price (run by `#[access_control]`).
    pub fn validate(&self, amount: u64) -> Result<()> {
        let asset = self
            .collateral_asset
            .as_ref()
            .map(|l| l.load())
            .transpose()?;
        actions::withdraw::check_deposit(amount, asset.as_deref())?;
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

pub fn deposit_handler(ctx: Context<Deposit>, amount: u64) -> Result<()> {
    let which = ctx.accounts.ledger()?;
    let before = ctx.accounts.vault.amount;
    {
        let a = &ctx.accounts;
        tokens::transfer_in(
            &a.token_program,
            &a.owner_token_account,
            &a.vault,
            &a.mint,
            &a.owner,
            amount,
        )?;
    }
    ctx.accounts.vault.reload()?;
    let after = ctx.accounts.vault.amount;
    // credit what arrived; the screened mints deliver exactly `amount`, and anything else is a
    // bug to stop on rather than a balance to guess
    ledger::require_vault_delta(before, after, amount, true)?;

    let asset = ctx
        .accounts
        .collateral_asset
        .as_ref()
        .map(|l| l.load().map(|a| *a))
        .transpose()?;
    let balance_after = actions::withdraw::deposit(
        &mut *ctx.accounts.writer_account.load_mut()?,
        which,
        asset.as_ref(),
        amount,
        after,
    )?;

    emit_cpi!(Deposited {
        writer_account: ctx.accounts.writer_account.key(),
        mint: ctx.accounts.mint.key(),
        amount,
        balance_after,
    });
    Ok(())
}
