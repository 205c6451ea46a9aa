//! An LP cancels its pending withdrawal: the shares are minted back to any token account of the
//! share mint and the request closes (rent to the owner). Never paused, no price.

use anchor_lang::prelude::*;
use anchor_spl::token::{self, Mint, MintTo, Token, TokenAccount};

use crate::engine::actions;
use crate::errors::GreekhouseError;
use crate::state::{Vault, VaultWithdrawal};

#[event_cpi]
#[derive(Accounts)]
pub struct CancelVaultWithdraw<'info> {
    #[account(mut)]
    pub owner: Signer<'info>,
    #[account(mut, has_one = share_mint @ GreekhouseError::WrongShareMint)]
    pub vault: AccountLoader<'info, Vault>,
    #[account(
        mut,
        has_one = owner @ GreekhouseError::NotWithdrawalOwner,
        has_one = vault @ GreekhouseError::WrongVaultWithdrawal,
        close = owner,
    )]
    pub withdrawal: AccountLoader<'info, VaultWithdrawal>,
    #[account(mut)]
    pub share_mint: Box<Account<'info, Mint>>,
    /// Receives the shares back; any token account of the share mint.
    #[account(mut, constraint = share_recipient.mint == share_mint.key() @ GreekhouseError::WrongTokenMint)]
    pub share_recipient: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

pub fn cancel_vault_withdraw_handler(ctx: Context<CancelVaultWithdraw>) -> Result<()> {
    let a = &ctx.accounts;
    let event = actions::vault::cancel_withdraw(
        &mut *a.vault.load_mut()?,
        a.vault.key(),
        &*a.withdrawal.load()?,
    )?;
    let signer = a.vault.load()?.signer();
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
        event.shares,
    )?;
    emit_cpi!(event);
    Ok(())
}
