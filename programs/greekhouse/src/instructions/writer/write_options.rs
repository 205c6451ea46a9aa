//! Write options: mint option tokens to any token account the writer names, record the short,
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
use anchor_spl::token::{self, Mint, MintTo, Token, TokenAccount};

use crate::engine::{ledger, margin, pricing};
use crate::errors::GreekhouseError;
use crate::events::OptionsWritten;
use crate::oracle::PriceUse;
use crate::state::{
    pause, Clearinghouse, OptionSeries, SeriesStatus, Underlying, UnderlyingLedger, WriterAccount,
};

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
    /// Checks that need no price.
    pub fn validate(&self, contracts: u64) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        require!(contracts > 0, GreekhouseError::ZeroAmount);
        let ch = self.clearinghouse.load()?;
        require!(!ch.is_paused(pause::WRITE), GreekhouseError::Paused);
        let w = self.writer_account.load()?;
        w.require_active()?;
        let s = self.series.load()?;
        require!(
            s.status == SeriesStatus::Active as u8,
            GreekhouseError::SeriesExpired
        );
        require!(now < s.expiry, GreekhouseError::SeriesExpired);
        // another expired short's obligation is not fixed until it is settled
        require!(
            !w.has_expired_position(now),
            GreekhouseError::PositionAwaitingSettlement
        );
        // a settlement debt is repaid before new risk; and an account with open debt markers
        // gains no position, which keeps positions plus markers within the marker capacity
        require!(
            !w.has_open_debt_markers(),
            GreekhouseError::SettlementDebtOpen
        );
        let u = self.underlying.load()?;
        require!(!u.surface_is_stale(now), GreekhouseError::VolSurfaceStale);
        require!(u.is_enabled(), GreekhouseError::ListingNotEnabled);
        Ok(())
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
    let open_interest_cap = a.underlying.load()?.open_interest_cap;
    let writer_open_interest_cap = a.underlying.load()?.writer_open_interest_cap();

    // the account as it will be: short added, fee charged; then the margin check
    let mut w = a.writer_account.load_mut()?;
    let mut series = a.series.load_mut()?;
    let mut book = a.underlying_ledger.load_mut()?;
    let change = ledger::open_short(
        &mut w,
        series_key,
        &mut series,
        &mut book,
        open_interest_cap,
        contracts,
        writer_open_interest_cap,
    )?;
    let loaded = margin::load_margin_accounts(
        &clearinghouse_key,
        &[&w],
        ctx.remaining_accounts,
        now,
        PriceUse::RiskIncreasing,
    )?;
    let template = series.short_template(series_key);
    let premium = pricing::premium(
        loaded.underlying(&template.underlying)?,
        &template,
        contracts,
        now,
        ch.params.min_time_to_expiry_secs,
        ch.quote_decimals,
    )?;
    let fee = pricing::fee_native(premium, ch.params.write_fee_bps)?;
    ledger::charge_fee(&mut w, &mut book, fee)?;
    let summary = margin::compute_margin(
        &ch.params,
        ch.quote_decimals,
        &w,
        &loaded.assets,
        &loaded.underlyings,
        now,
    )?;
    let initial_equity_after = margin::require_initial_margin(&summary)?;
    let signer = series.signer();
    drop((w, series, book));

    let seeds = signer.seeds();
    token::mint_to(
        CpiContext::new_with_signer(
            a.token_program.key(),
            MintTo {
                mint: a.option_mint.to_account_info(),
                to: a.recipient.to_account_info(),
                authority: a.series.to_account_info(),
            },
            &[&seeds],
        ),
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
        fee,
        short_after: change.short_after,
        initial_equity_after,
    });
    Ok(())
}
