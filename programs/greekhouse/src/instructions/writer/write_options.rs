//! Write options: mint option tokens to any token account the writer names, record the short,
//! charge the writing fee into the insurance fund, respect the open-interest cap, and require
//! equity at IM >= 0 afterwards with fresh oracle prices and a fresh vol surface.
//! Remaining accounts: the margin accounts of the account *after* the write (see
//! `engine::margin`), which therefore include the series' underlying and its oracle.

use anchor_lang::prelude::*;
use anchor_spl::token::{self, Mint, MintTo, Token, TokenAccount};

use crate::constants::SERIES_SEED;
use crate::engine::{margin, pricing};
use crate::errors::GreekhouseError;
use crate::events::{OptionsWritten, OraclePriceAccepted};
use crate::oracle::PriceUse;
use crate::state::{
    pause, Clearinghouse, OptionSeries, SeriesStatus, ShortPosition, Underlying, WriterAccount,
};

#[event_cpi]
#[derive(Accounts)]
pub struct WriteOptions<'info> {
    pub owner: Signer<'info>,
    #[account(mut)]
    pub clearinghouse: AccountLoader<'info, Clearinghouse>,
    #[account(
        mut,
        has_one = owner @ GreekhouseError::NotWriterOwner,
        has_one = clearinghouse @ GreekhouseError::WrongClearinghouse,
    )]
    pub writer_account: AccountLoader<'info, WriterAccount>,
    #[account(mut, has_one = clearinghouse @ GreekhouseError::WrongClearinghouse)]
    pub underlying: AccountLoader<'info, Underlying>,
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
    /// Checks that need no price; returns the short's template and its size in underlying units.
    pub fn validate(&self, contracts: u64, now: i64) -> Result<(ShortPosition, u64)> {
        require!(contracts > 0, GreekhouseError::ZeroAmount);
        let ch = self.clearinghouse.load()?;
        require!(!ch.is_paused(pause::WRITE), GreekhouseError::Paused);
        self.writer_account.load()?.require_active()?;
        let s = self.series.load()?;
        require!(
            s.status == SeriesStatus::Active as u8,
            GreekhouseError::SeriesExpired
        );
        require!(now < s.expiry, GreekhouseError::SeriesExpired);
        let u = self.underlying.load()?;
        require!(!u.surface_is_stale(now), GreekhouseError::VolSurfaceStale);
        let units = contracts
            .checked_mul(s.contract_size)
            .ok_or(GreekhouseError::MathOverflow)?;
        let oi = u
            .open_interest
            .checked_add(units)
            .ok_or(GreekhouseError::MathOverflow)?;
        require!(
            oi <= u.open_interest_cap,
            GreekhouseError::OpenInterestCapExceeded
        );
        let template = ShortPosition {
            series: self.series.key(),
            underlying: s.underlying,
            strike: s.strike,
            expiry: s.expiry,
            contract_size: s.contract_size,
            contracts: 0,
            kind: s.kind,
            _padding: [0; 7],
        };
        Ok((template, units))
    }
}

pub fn write_options_handler<'info>(
    ctx: Context<'info, WriteOptions<'info>>,
    contracts: u64,
) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let (template, units) = ctx.accounts.validate(contracts, now)?;
    let a = &ctx.accounts;
    let clearinghouse_key = a.clearinghouse.key();
    let ch = *a.clearinghouse.load()?;

    // the account as it will be: short added, fee charged; then the margin check
    let mut w = a.writer_account.load_mut()?;
    w.add_short(&template, contracts)?;
    let loaded = margin::load_margin_accounts(
        &clearinghouse_key,
        &w,
        ctx.remaining_accounts,
        now,
        PriceUse::RiskIncreasing,
    )?;
    let priced = loaded
        .underlyings
        .iter()
        .find(|u| u.key == template.underlying)
        .ok_or(GreekhouseError::MarginAccountsMismatch)?;
    let premium = pricing::premium(
        priced,
        &template,
        contracts,
        now,
        ch.params.min_time_to_expiry_secs,
        ch.quote_decimals,
    )?;
    let fee = pricing::fee_native(premium, ch.params.write_fee_bps)?;
    let fee_signed = i64::try_from(fee).map_err(|_| GreekhouseError::MathOverflow)?;
    w.add_quote(-fee_signed)?;
    let summary = margin::compute_margin(
        &ch.params,
        ch.quote_decimals,
        &w,
        &loaded.assets,
        &loaded.underlyings,
        now,
    )?;
    let initial_equity_after = margin::require_initial_margin(&summary)?;
    w.invariant()?;
    let short_after = w.positions[w
        .position_slot(&template.series)
        .ok_or(GreekhouseError::InvariantViolated)?]
    .contracts;
    drop(w);

    {
        let mut chm = a.clearinghouse.load_mut()?;
        chm.writer_quote_total = chm
            .writer_quote_total
            .checked_sub(fee_signed)
            .ok_or(GreekhouseError::MathOverflow)?;
        chm.insurance_fund = chm
            .insurance_fund
            .checked_add(fee)
            .ok_or(GreekhouseError::MathOverflow)?;
        chm.invariant()?;
    }
    {
        let mut u = a.underlying.load_mut()?;
        u.open_interest = u
            .open_interest
            .checked_add(units)
            .ok_or(GreekhouseError::MathOverflow)?;
        u.invariant()?;
    }
    let (underlying_key, expiry, strike, kind, bump) = {
        let mut s = a.series.load_mut()?;
        s.open_interest = s
            .open_interest
            .checked_add(contracts)
            .ok_or(GreekhouseError::MathOverflow)?;
        (s.underlying, s.expiry, s.strike, s.kind, s.bump)
    };

    let expiry_bytes = expiry.to_le_bytes();
    let strike_bytes = strike.to_le_bytes();
    let kind_bytes = [kind];
    let bump_bytes = [bump];
    let seeds: &[&[u8]] = &[
        SERIES_SEED,
        underlying_key.as_ref(),
        &expiry_bytes,
        &strike_bytes,
        &kind_bytes,
        &bump_bytes,
    ];
    let signer: &[&[&[u8]]] = &[seeds];
    token::mint_to(
        CpiContext::new_with_signer(
            a.token_program.key(),
            MintTo {
                mint: a.option_mint.to_account_info(),
                to: a.recipient.to_account_info(),
                authority: a.series.to_account_info(),
            },
            signer,
        ),
        contracts,
    )?;
    ctx.accounts.option_mint.reload()?;
    ctx.accounts
        .series
        .load()?
        .invariant_with_supply(ctx.accounts.option_mint.supply)?;

    for (underlying, p) in loaded.new_prices {
        emit_cpi!(OraclePriceAccepted {
            underlying,
            price: p.price,
            conf: p.conf,
            expo: p.expo,
            publish_time: p.publish_time,
        });
    }
    emit_cpi!(OptionsWritten {
        writer_account: ctx.accounts.writer_account.key(),
        series: ctx.accounts.series.key(),
        contracts,
        recipient: ctx.accounts.recipient.key(),
        fee,
        short_after,
        initial_equity_after,
    });
    Ok(())
}
