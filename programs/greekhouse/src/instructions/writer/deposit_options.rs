//! Deposit option tokens into a writer account: the owner's tokens of a live series are burned,
//! first against the account's own short in the series (closing it, as `burn_options` does),
//! the rest held as a long the margin counts with the shorts (spreads margin at their maximum
//! loss). Risk-reducing: never paused, needs no price (docs/protocol.md section 5).

use anchor_lang::prelude::*;
use anchor_spl::token::{self, Burn, Mint, Token, TokenAccount};

use crate::engine::actions;
use crate::errors::GreekhouseError;
use crate::state::{OptionSeries, UnderlyingLedger, WriterAccount};

#[event_cpi]
#[derive(Accounts)]
pub struct DepositOptions<'info> {
    pub owner: Signer<'info>,
    #[account(mut, has_one = owner @ GreekhouseError::NotWriterOwner)]
    pub writer_account: AccountLoader<'info, WriterAccount>,
    #[account(
        mut,
        constraint = underlying_ledger.load()?.clearinghouse == writer_account.load()?.clearinghouse @ GreekhouseError::WrongClearinghouse,
        constraint = underlying_ledger.load()?.underlying == series.load()?.underlying @ GreekhouseError::WrongUnderlyingLedger,
    )]
    pub underlying_ledger: AccountLoader<'info, UnderlyingLedger>,
    #[account(mut, has_one = option_mint @ GreekhouseError::WrongOptionMint)]
    pub series: AccountLoader<'info, OptionSeries>,
    #[account(mut)]
    pub option_mint: Box<Account<'info, Mint>>,
    /// Holds the tokens to deposit; the owner is its authority.
    #[account(
        mut,
        constraint = owner_token_account.mint == option_mint.key() @ GreekhouseError::WrongTokenMint,
        constraint = owner_token_account.owner == owner.key() @ GreekhouseError::WrongTokenOwner,
    )]
    pub owner_token_account: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

impl DepositOptions<'_> {
    pub fn validate(&self, contracts: u64) -> Result<()> {
        actions::long::check_deposit_options(
            &*self.writer_account.load()?,
            &*self.series.load()?,
            contracts,
            Clock::get()?.unix_timestamp,
        )
    }
}

pub fn deposit_options_handler(ctx: Context<DepositOptions>, contracts: u64) -> Result<()> {
    let a = &ctx.accounts;
    token::burn(
        CpiContext::new(
            a.token_program.key(),
            Burn {
                mint: a.option_mint.to_account_info(),
                from: a.owner_token_account.to_account_info(),
                authority: a.owner.to_account_info(),
            },
        ),
        contracts,
    )?;

    let event = actions::long::deposit_options(
        a.writer_account.key(),
        &mut *a.writer_account.load_mut()?,
        a.series.key(),
        &mut *a.series.load_mut()?,
        &mut *a.underlying_ledger.load_mut()?,
        contracts,
        Clock::get()?.unix_timestamp,
    )?;
    ctx.accounts.option_mint.reload()?;
    ctx.accounts
        .series
        .load()?
        .invariant_with_supply(ctx.accounts.option_mint.supply)?;
    emit_cpi!(event);
    Ok(())
}
