//! An LP asks to withdraw `shares`: they are burned from its token account now and counted as
//! pending in the vault, so they keep their part of every gain and loss until the request
//! matures (`now + withdraw_cooldown`) and is paid at the value per share of that moment; an LP
//! cannot leave ahead of a loss it sees coming. One request per LP and vault at a time. Needs no
//! price and is never paused.

use anchor_lang::prelude::*;
use anchor_spl::token::{self, Burn, Mint, Token, TokenAccount};

use crate::constants::VAULT_WITHDRAWAL_SEED;
use crate::engine::actions;
use crate::engine::create::{load_new, Creator};
use crate::errors::GreekhouseError;
use crate::state::{Vault, VaultWithdrawal};

#[event_cpi]
#[derive(Accounts)]
pub struct RequestVaultWithdraw<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub owner: Signer<'info>,
    #[account(mut, has_one = share_mint @ GreekhouseError::WrongShareMint)]
    pub vault: AccountLoader<'info, Vault>,
    #[account(mut)]
    pub share_mint: Box<Account<'info, Mint>>,
    /// Holds the shares to burn; the owner is its authority.
    #[account(
        mut,
        constraint = owner_shares.mint == share_mint.key() @ GreekhouseError::WrongTokenMint,
        constraint = owner_shares.owner == owner.key() @ GreekhouseError::WrongTokenOwner,
    )]
    pub owner_shares: Box<Account<'info, TokenAccount>>,
    /// CHECK: created here (empty or pre-funded system account at the PDA address).
    #[account(
        mut,
        seeds = [VAULT_WITHDRAWAL_SEED, vault.key().as_ref(), owner.key().as_ref()],
        bump,
    )]
    pub withdrawal: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

impl RequestVaultWithdraw<'_> {
    pub fn validate(&self, shares: u64) -> Result<()> {
        require!(shares > 0, GreekhouseError::ZeroAmount);
        Ok(())
    }
}

pub fn request_vault_withdraw_handler(
    ctx: Context<RequestVaultWithdraw>,
    shares: u64,
) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let a = &ctx.accounts;
    let vault_key = a.vault.key();
    let owner_key = a.owner.key();
    // a pending request holds this address: refused (`AccountAddressInUse`) before any share moves
    Creator {
        payer: &a.payer.to_account_info(),
        system_program: &a.system_program.to_account_info(),
    }
    .create_zero_copy::<VaultWithdrawal>(
        &a.withdrawal,
        &[
            VAULT_WITHDRAWAL_SEED,
            vault_key.as_ref(),
            owner_key.as_ref(),
            &[ctx.bumps.withdrawal],
        ],
    )?;
    token::burn(
        CpiContext::new(
            a.token_program.key(),
            Burn {
                mint: a.share_mint.to_account_info(),
                from: a.owner_shares.to_account_info(),
                authority: a.owner.to_account_info(),
            },
        ),
        shares,
    )?;
    let event = actions::vault::request_withdraw(
        &mut *a.vault.load_mut()?,
        vault_key,
        &mut *load_new::<VaultWithdrawal>(&a.withdrawal)?,
        a.withdrawal.key(),
        ctx.bumps.withdrawal,
        owner_key,
        shares,
        now,
    )?;
    emit_cpi!(event);
    Ok(())
}
