//! Pay a matured withdrawal at the vault's value per share now (rounded down), out of the
//! vault's writer account into any quote token account, and close the request. Refused, with
//! the request left queued, while the payment would take an account with shorts below IM
//! (`VaultWithdrawalBelowMargin`), while it is liquidating or awaiting settlement, or while
//! withdrawals are paused. With shorts the value needs fresh prices: remaining accounts are the
//! margin layout of the vault's writer account (none once it holds only quote).

use anchor_lang::prelude::*;
use anchor_spl::token::Mint;
use anchor_spl::token_interface::{
    Mint as QuoteMint, TokenAccount as QuoteAccount, TokenInterface,
};

use crate::engine::{actions, margin, tokens};
use crate::errors::GreekhouseError;
use crate::events::VaultWithdrawn;
use crate::oracle::PriceUse;
use crate::state::{Clearinghouse, Vault, VaultWithdrawal, WriterAccount};

#[event_cpi]
#[derive(Accounts)]
pub struct VaultWithdraw<'info> {
    #[account(mut)]
    pub owner: Signer<'info>,
    #[account(has_one = quote_mint @ GreekhouseError::WrongQuoteMint)]
    pub clearinghouse: AccountLoader<'info, Clearinghouse>,
    #[account(
        mut,
        has_one = clearinghouse @ GreekhouseError::WrongClearinghouse,
        has_one = writer_account @ GreekhouseError::WrongVaultWriterAccount,
        has_one = share_mint @ GreekhouseError::WrongShareMint,
    )]
    pub vault: AccountLoader<'info, Vault>,
    #[account(mut)]
    pub writer_account: AccountLoader<'info, WriterAccount>,
    #[account(
        mut,
        has_one = owner @ GreekhouseError::NotWithdrawalOwner,
        has_one = vault @ GreekhouseError::WrongVaultWithdrawal,
        close = owner,
    )]
    pub withdrawal: AccountLoader<'info, VaultWithdrawal>,
    pub share_mint: Box<Account<'info, Mint>>,
    #[account(mut, address = clearinghouse.load()?.quote_vault @ GreekhouseError::WrongVault)]
    pub quote_vault: Box<InterfaceAccount<'info, QuoteAccount>>,
    /// Receives the payment; any quote token account.
    #[account(mut, constraint = recipient.mint == quote_mint.key() @ GreekhouseError::WrongTokenMint)]
    pub recipient: Box<InterfaceAccount<'info, QuoteAccount>>,
    pub quote_mint: Box<InterfaceAccount<'info, QuoteMint>>,
    #[account(address = clearinghouse.load()?.quote_token_program @ GreekhouseError::WrongTokenProgram)]
    pub quote_token_program: Interface<'info, TokenInterface>,
}

impl VaultWithdraw<'_> {
    pub fn validate(&self) -> Result<()> {
        actions::vault::check_vault_withdraw(
            &*self.clearinghouse.load()?,
            &*self.writer_account.load()?,
            &*self.withdrawal.load()?,
            Clock::get()?.unix_timestamp,
        )
    }
}

pub fn vault_withdraw_handler<'info>(ctx: Context<'info, VaultWithdraw<'info>>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let a = &ctx.accounts;
    let ch = *a.clearinghouse.load()?;
    let outcome = {
        let mut prices = margin::prices_from(
            a.clearinghouse.key(),
            ctx.remaining_accounts,
            now,
            PriceUse::RiskIncreasing,
        );
        actions::vault::withdraw(
            &ch,
            &mut *a.vault.load_mut()?,
            &mut *a.writer_account.load_mut()?,
            &*a.withdrawal.load()?,
            a.share_mint.supply,
            &mut prices,
            now,
        )?
    };
    if outcome.amount > 0 {
        tokens::pay_out_of_vault(
            &a.quote_token_program,
            &a.quote_vault,
            &a.recipient,
            &a.quote_mint,
            &a.clearinghouse.to_account_info(),
            &ch.signer(),
            outcome.amount,
        )?;
    }
    emit_cpi!(VaultWithdrawn {
        vault: ctx.accounts.vault.key(),
        owner: ctx.accounts.owner.key(),
        shares: outcome.shares,
        amount: outcome.amount,
        nav_before: outcome.nav_before,
        total_shares_after: outcome.total_shares_after,
    });
    Ok(())
}
