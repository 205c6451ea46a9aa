//! An LP deposits quote into a vault for shares at the vault's value at mark before the deposit
//! (rounded against the depositor). The quote is credited to the vault's writer account; the
//! shares go to any token account of the share mint. With open shorts the value needs fresh
//! prices: remaining accounts are the margin layout of the vault's writer account (none while
//! it holds only quote).

use anchor_lang::prelude::*;
use anchor_spl::token::{self, Mint, MintTo, Token, TokenAccount};
use anchor_spl::token_interface::{
    Mint as QuoteMint, TokenAccount as QuoteAccount, TokenInterface,
};

use crate::engine::{actions, ledger, margin, tokens};
use crate::errors::GreekhouseError;
use crate::events::VaultDeposited;
use crate::oracle::PriceUse;
use crate::state::{Clearinghouse, Vault, WriterAccount};

#[event_cpi]
#[derive(Accounts)]
pub struct VaultDeposit<'info> {
    pub depositor: Signer<'info>,
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
    #[account(mut)]
    pub share_mint: Box<Account<'info, Mint>>,
    /// Receives the shares; any token account of the share mint.
    #[account(mut, constraint = share_recipient.mint == share_mint.key() @ GreekhouseError::WrongTokenMint)]
    pub share_recipient: Box<Account<'info, TokenAccount>>,
    #[account(mut, address = clearinghouse.load()?.quote_vault @ GreekhouseError::WrongVault)]
    pub quote_vault: Box<InterfaceAccount<'info, QuoteAccount>>,
    #[account(
        mut,
        constraint = depositor_quote.mint == quote_mint.key() @ GreekhouseError::WrongTokenMint,
        constraint = depositor_quote.owner == depositor.key() @ GreekhouseError::WrongTokenOwner,
    )]
    pub depositor_quote: Box<InterfaceAccount<'info, QuoteAccount>>,
    pub quote_mint: Box<InterfaceAccount<'info, QuoteMint>>,
    #[account(address = clearinghouse.load()?.quote_token_program @ GreekhouseError::WrongTokenProgram)]
    pub quote_token_program: Interface<'info, TokenInterface>,
    pub token_program: Program<'info, Token>,
}

impl VaultDeposit<'_> {
    pub fn validate(&self, amount: u64) -> Result<()> {
        actions::vault::check_vault_deposit(
            &*self.writer_account.load()?,
            amount,
            Clock::get()?.unix_timestamp,
        )
    }
}

pub fn vault_deposit_handler<'info>(
    ctx: Context<'info, VaultDeposit<'info>>,
    amount: u64,
) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let a = &ctx.accounts;
    let ch = *a.clearinghouse.load()?;
    let outcome = {
        let mut vault = a.vault.load_mut()?;
        let mut prices = margin::prices_from(
            a.clearinghouse.key(),
            ctx.remaining_accounts,
            now,
            PriceUse::RiskIncreasing,
        );
        actions::vault::deposit(
            &ch,
            &mut vault,
            &mut *a.writer_account.load_mut()?,
            a.share_mint.supply,
            amount,
            &mut prices,
            now,
        )?
    };
    let signer = a.vault.load()?.signer();

    let before = a.quote_vault.amount;
    tokens::transfer_in(
        &a.quote_token_program,
        &a.depositor_quote,
        &a.quote_vault,
        &a.quote_mint,
        &a.depositor,
        amount,
    )?;
    ctx.accounts.quote_vault.reload()?;
    ledger::require_vault_delta(before, ctx.accounts.quote_vault.amount, amount, true)?;

    let a = &ctx.accounts;
    let seeds = signer.seeds();
    token::mint_to(
        CpiContext::new_with_signer(
            a.token_program.key(),
            MintTo {
                mint: a.share_mint.to_account_info(),
                to: a.share_recipient.to_account_info(),
                authority: a.vault.to_account_info(),
            },
            &[&seeds],
        ),
        outcome.shares,
    )?;

    emit_cpi!(VaultDeposited {
        vault: ctx.accounts.vault.key(),
        depositor: ctx.accounts.depositor.key(),
        amount,
        shares: outcome.shares,
        nav_before: outcome.nav_before,
        total_shares_after: outcome.total_shares_after,
    });
    Ok(())
}
