//! Burn option tokens the writer holds to reduce its own short. Risk-reducing: needs no price
//! and works while paused or while the oracle is stale.

use anchor_lang::prelude::*;
use anchor_spl::token::{self, Burn, Mint, Token, TokenAccount};

use crate::engine::actions;
use crate::errors::GreekhouseError;
use crate::events::OptionsBurned;
use crate::state::{OptionSeries, UnderlyingLedger, WriterAccount};

#[event_cpi]
#[derive(Accounts)]
pub struct BurnOptions<'info> {
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
    /// Holds the tokens to burn; the owner is its authority.
    #[account(
        mut,
        constraint = owner_token_account.mint == option_mint.key() @ GreekhouseError::WrongTokenMint,
        constraint = owner_token_account.owner == owner.key() @ GreekhouseError::WrongTokenOwner,
    )]
    pub owner_token_account: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

impl BurnOptions<'_> {
    pub fn validate(&self, contracts: u64) -> Result<()> {
        actions::write::check_burn(
            &*self.writer_account.load()?,
            &self.series.key(),
            &*self.series.load()?,
            contracts,
        )
    }
}

pub fn burn_options_handler(ctx: Context<BurnOptions>, contracts: u64) -> Result<()> {
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

    let series_key = a.series.key();
    let short_after = actions::write::burn(
        &mut *a.writer_account.load_mut()?,
        series_key,
        &mut *a.series.load_mut()?,
        &mut *a.underlying_ledger.load_mut()?,
        contracts,
    )?;
    ctx.accounts.option_mint.reload()?;
    ctx.accounts
        .series
        .load()?
        .invariant_with_supply(ctx.accounts.option_mint.supply)?;

    emit_cpi!(OptionsBurned {
        writer_account: ctx.accounts.writer_account.key(),
        series: series_key,
        contracts,
        short_after,
    });
    Ok(())
}
