//! Withdraw quote or collateral. An account with shorts or debt must stand at IM >= 0
//! afterwards, checked read-only with fresh oracle prices (remaining accounts: the layout of
//! `engine::layout`). An account without shorts and without debt needs no price and is not
//! stopped by the guardian's WITHDRAW pause: its withdrawal cannot hurt the clearing house.
//! Refused while liquidating.

use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::engine::{ledger, margin, tokens};
use crate::errors::GreekhouseError;
use crate::events::Withdrawn;
use crate::instructions::writer::deposit::{resolve_ledger, Ledger};
use crate::oracle::PriceUse;
use crate::state::{pause, Clearinghouse, CollateralAsset, WriterAccount, WriterStatus};

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
    /// Every check that needs no price (run by `#[access_control]`).
    pub fn validate(&self, amount: u64) -> Result<()> {
        self.ledger(amount).map(|_| ())
    }

    /// The checked accounts' ledger.
    pub fn ledger(&self, amount: u64) -> Result<Ledger> {
        require!(amount > 0, GreekhouseError::ZeroAmount);
        let ch = self.clearinghouse.load()?;
        let w = self.writer_account.load()?;
        // a bankrupt account has no shorts left; what a write-off passed over as dust is its own
        require!(
            w.status()? == WriterStatus::Active
                || (w.status()? == WriterStatus::Bankrupt && !w.has_liabilities()),
            GreekhouseError::AccountNotActive
        );
        // an expired short's obligation is not fixed until it is settled
        require!(
            !w.has_expired_position(Clock::get()?.unix_timestamp),
            GreekhouseError::PositionAwaitingSettlement
        );
        // an unpaid settlement debt is owed to holders: the collateral stays until it is repaid
        require!(
            !w.has_settlement_debt(),
            GreekhouseError::SettlementDebtOpen
        );
        // the pause is for risk-increasing withdrawals only
        require!(
            !(ch.is_paused(pause::WITHDRAW) && w.has_liabilities()),
            GreekhouseError::Paused
        );
        resolve_ledger(
            &ch,
            &self.mint.key(),
            &self.vault.key(),
            &self.token_program.key(),
            self.collateral_asset.as_ref(),
        )
    }
}

pub fn withdraw_handler<'info>(ctx: Context<'info, Withdraw<'info>>, amount: u64) -> Result<()> {
    let which = ctx.accounts.ledger(amount)?;
    let now = Clock::get()?.unix_timestamp;
    let a = &ctx.accounts;
    let clearinghouse_key = a.clearinghouse.key();
    let ch = *a.clearinghouse.load()?;

    // ledger first, then the margin check on the account as it will be
    let mut w = a.writer_account.load_mut()?;
    let balance_after = match which {
        Ledger::Quote => ledger::debit_quote(&mut w, amount)?,
        Ledger::Collateral { asset, .. } => {
            let left = ledger::debit_collateral(&mut w, &asset, amount)?;
            i64::try_from(left).map_err(|_| GreekhouseError::MathOverflow)?
        }
    };
    let initial_equity_after = if margin::needs_margin_check(&w) {
        let (_, summary) = margin::load_and_compute(
            &clearinghouse_key,
            &ch,
            &w,
            ctx.remaining_accounts,
            now,
            PriceUse::RiskIncreasing,
        )?;
        Some(margin::require_initial_margin(&summary)?)
    } else {
        // no shorts, no debt: every level's equity is the (non-negative) collateral value
        None
    };
    drop(w);

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
        balance_after,
        initial_equity_after,
    });
    Ok(())
}
