//! Burn option tokens the writer holds to reduce its own short. Risk-reducing: needs no price
//! and works while paused or while the oracle is stale.

use anchor_lang::prelude::*;
use anchor_spl::token::{self, Burn, Mint, Token, TokenAccount};

use crate::engine::ledger;
use crate::errors::GreekhouseError;
use crate::events::OptionsBurned;
use crate::state::{OptionSeries, SeriesStatus, UnderlyingLedger, WriterAccount, WriterStatus};

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
        require!(contracts > 0, GreekhouseError::ZeroAmount);
        let w = self.writer_account.load()?;
        require!(
            w.status()? != WriterStatus::Bankrupt,
            GreekhouseError::AccountNotActive
        );
        require!(
            w.short_contracts(&self.series.key()) >= contracts,
            GreekhouseError::InsufficientShort
        );
        // after settlement the short is an obligation in the series ledger, not a token to burn
        require!(
            self.series.load()?.status == SeriesStatus::Active as u8,
            GreekhouseError::SeriesExpired
        );
        Ok(())
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
    let change = {
        let mut w = a.writer_account.load_mut()?;
        let mut series = a.series.load_mut()?;
        let mut book = a.underlying_ledger.load_mut()?;
        ledger::close_short(&mut w, series_key, &mut series, &mut book, contracts)?
    };
    ctx.accounts.option_mint.reload()?;
    ctx.accounts
        .series
        .load()?
        .invariant_with_supply(ctx.accounts.option_mint.supply)?;

    emit_cpi!(OptionsBurned {
        writer_account: ctx.accounts.writer_account.key(),
        series: series_key,
        contracts,
        short_after: change.short_after,
    });
    Ok(())
}
