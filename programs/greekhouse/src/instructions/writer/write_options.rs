//! Write options: mint option tokens to any token account the writer names, out of the
//! writer's own long in the series first (the two net), and record the rest as a short,
//! charge the writing fee (into the underlying's accrued fees, swept to the insurance fund by
//! `sweep_fees`), respect the open-interest cap, and require equity at IM >= 0 afterwards with
//! fresh oracle prices and a fresh vol surface.
//!
//! Write locks: the writer account, the series, its option mint, the recipient and the
//! underlying's ledger. The clearing house, the underlying's configuration and every margin
//! account are read-only, so writes on different underlyings never contend.
//! Remaining accounts: the margin layout (`engine::layout`) of the account *after* the write,
//! which therefore includes the series' underlying and its oracle.

use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

use crate::engine::{actions, margin, tokens};
use crate::errors::GreekhouseError;
use crate::events::OptionsWritten;
use crate::oracle::PriceUse;
use crate::state::{Clearinghouse, OptionSeries, Underlying, UnderlyingLedger, WriterAccount};

#[event_cpi]
#[derive(Accounts)]
pub struct WriteOptions<'info> {
    pub owner: Signer<'info>,
    pub clearinghouse: AccountLoader<'info, Clearinghouse>,
    #[account(
        mut,
        has_one = owner @ GreekhouseError::NotWriterOwner,
        has_one = clearinghouse @ GreekhouseError::WrongClearinghouse,
    )]
    pub writer_account: AccountLoader<'info, WriterAccount>,
    #[account(has_one = clearinghouse @ GreekhouseError::WrongClearinghouse)]
    pub underlying: AccountLoader<'info, Underlying>,
    #[account(mut, has_one = underlying @ GreekhouseError::WrongUnderlyingLedger)]
    pub underlying_ledger: AccountLoader<'info, UnderlyingLedger>,
    #[account(
        mut,
        has_one = underlying @ GreekhouseError::WrongUnderlying,
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

impl WriteOptions<'_> {
    /// The write's rules that need no price.
    pub fn validate(&self, contracts: u64) -> Result<()> {
        actions::write::check_write(
            &*self.clearinghouse.load()?,
            &*self.writer_account.load()?,
            &*self.series.load()?,
            &*self.underlying.load()?,
            contracts,
            Clock::get()?.unix_timestamp,
        )
    }
}

pub fn write_options_handler<'info>(
    ctx: Context<'info, WriteOptions<'info>>,
    contracts: u64,
) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let a = &ctx.accounts;
    let clearinghouse_key = a.clearinghouse.key();
    let series_key = a.series.key();
    let ch = *a.clearinghouse.load()?;
    let underlying = *a.underlying.load()?;
    let mut w = a.writer_account.load_mut()?;
    let mut series = a.series.load_mut()?;
    let mut book = a.underlying_ledger.load_mut()?;
    let mut prices = margin::prices_from(
        clearinghouse_key,
        ctx.remaining_accounts,
        now,
        PriceUse::RiskIncreasing,
    );
    let outcome = actions::write::write(
        &ch,
        &underlying,
        &mut w,
        series_key,
        &mut series,
        &mut book,
        &mut prices,
        contracts,
        now,
    )?;
    let signer = series.signer();
    drop((w, series, book));

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

    emit_cpi!(OptionsWritten {
        writer_account: ctx.accounts.writer_account.key(),
        series: series_key,
        contracts,
        recipient: ctx.accounts.recipient.key(),
        fee: outcome.fee,
        from_long: outcome.from_long,
        short_after: outcome.short_after,
        initial_equity_after: outcome.initial_equity_after,
    });
    Ok(())
}
