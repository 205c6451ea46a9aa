//! Withdraw a long as option tokens: minted by the series to any token account of its mint,
//! out of the account's long; an account with shorts or debt must stand at IM >= 0 afterwards
//! with fresh prices (a long may be what backs its shorts). Paused with withdrawals.
//!
//! Remaining accounts: the margin layout (`engine::layout`) of the account after the
//! withdrawal (none when it has no shorts and no debt).

use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

use crate::engine::{actions, margin, tokens};
use crate::errors::GreekhouseError;
use crate::events::OptionsWithdrawn;
use crate::oracle::PriceUse;
use crate::state::{Clearinghouse, OptionSeries, WriterAccount};

#[event_cpi]
#[derive(Accounts)]
pub struct WithdrawOptions<'info> {
    pub owner: Signer<'info>,
    pub clearinghouse: AccountLoader<'info, Clearinghouse>,
    #[account(
        mut,
        has_one = owner @ GreekhouseError::NotWriterOwner,
        has_one = clearinghouse @ GreekhouseError::WrongClearinghouse,
    )]
    pub writer_account: AccountLoader<'info, WriterAccount>,
    #[account(
        mut,
        has_one = clearinghouse @ GreekhouseError::WrongClearinghouse,
        has_one = option_mint @ GreekhouseError::WrongOptionMint,
    )]
    pub series: AccountLoader<'info, OptionSeries>,
    #[account(mut)]
    pub option_mint: Box<Account<'info, Mint>>,
    /// Receives the option tokens; any token account of the option mint.
    #[account(mut, constraint = recipient.mint == option_mint.key() @ GreekhouseError::WrongTokenMint)]
    pub recipient: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

impl WithdrawOptions<'_> {
    pub fn validate(&self, contracts: u64) -> Result<()> {
        actions::long::check_withdraw_options(
            &*self.clearinghouse.load()?,
            &*self.writer_account.load()?,
            &self.series.key(),
            &*self.series.load()?,
            contracts,
            Clock::get()?.unix_timestamp,
        )
    }
}

pub fn withdraw_options_handler<'info>(
    ctx: Context<'info, WithdrawOptions<'info>>,
    contracts: u64,
) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let a = &ctx.accounts;
    let clearinghouse_key = a.clearinghouse.key();
    let series_key = a.series.key();
    let ch = *a.clearinghouse.load()?;
    let mut w = a.writer_account.load_mut()?;
    let mut series = a.series.load_mut()?;
    let mut prices = margin::prices_from(
        clearinghouse_key,
        ctx.remaining_accounts,
        now,
        PriceUse::RiskIncreasing,
    );
    let outcome = actions::long::withdraw_options(
        &ch,
        &mut w,
        series_key,
        &mut series,
        &mut prices,
        contracts,
        now,
    )?;
    let signer = series.signer();
    drop((w, series));

    tokens::mint_options(
        a.token_program.key(),
        a.option_mint.to_account_info(),
        a.recipient.to_account_info(),
        a.series.to_account_info(),
        &signer,
        contracts,
    )?;
    ctx.accounts.option_mint.reload()?;
    ctx.accounts
        .series
        .load()?
        .invariant_with_supply(ctx.accounts.option_mint.supply)?;

    emit_cpi!(OptionsWithdrawn {
        writer_account: ctx.accounts.writer_account.key(),
        series: series_key,
        contracts,
        recipient: ctx.accounts.recipient.key(),
        long_after: outcome.long_after,
        initial_equity_after: outcome.initial_equity_after,
    });
    Ok(())
}
