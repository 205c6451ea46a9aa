//! Create an option series (permissionless, for a listed underlying). The rules
//! (`engine::actions::create_series`) keep the set of series sane: expiries on the underlying's
//! grid and within its horizon, strikes on its tick and within a band around the current spot,
//! one contract size per underlying. The PDA seeds make duplicates impossible.

use anchor_lang::prelude::*;

pub use crate::args::CreateSeriesArgs;
use anchor_spl::token::Token;

use crate::constants::{OPTION_MINT_SEED, SERIES_SEED};
use crate::engine::actions::create_series::{
    band_spot, check_create_series, check_strike_band, check_style, create_series, NewSeries,
};
use crate::engine::create::{load_new, Creator};
use crate::errors::GreekhouseError;
use crate::oracle::parse_oracle_account;
use crate::state::{Clearinghouse, OptionSeries, Underlying, UnderlyingLedger};

#[event_cpi]
#[derive(Accounts)]
#[instruction(args: CreateSeriesArgs)]
pub struct CreateSeries<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub clearinghouse: AccountLoader<'info, Clearinghouse>,
    #[account(has_one = clearinghouse @ GreekhouseError::WrongClearinghouse)]
    pub underlying: AccountLoader<'info, Underlying>,
    #[account(mut, has_one = underlying @ GreekhouseError::WrongUnderlyingLedger)]
    pub underlying_ledger: AccountLoader<'info, UnderlyingLedger>,
    /// CHECK: checked by the oracle adapter against the underlying's configuration.
    pub oracle: UncheckedAccount<'info>,
    /// CHECK: created here (empty or pre-funded system account at the PDA address).
    #[account(
        mut,
        seeds = [
            SERIES_SEED,
            underlying.key().as_ref(),
            &args.expiry.to_le_bytes(),
            &args.strike.to_le_bytes(),
            &[OptionSeries::seed_kind(args.kind, args.style)],
        ],
        bump,
    )]
    pub series: UncheckedAccount<'info>,
    /// CHECK: created here as the series' SPL Token mint (0 decimals, the series mints).
    #[account(mut, seeds = [OPTION_MINT_SEED, series.key().as_ref()], bump)]
    pub option_mint: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

impl CreateSeries<'_> {
    pub fn validate(&self, args: &CreateSeriesArgs) -> Result<()> {
        check_create_series(
            &*self.clearinghouse.load()?,
            &*self.underlying.load()?,
            args.kind,
            args.strike,
            args.expiry,
            Clock::get()?.unix_timestamp,
        )?;
        check_style(args.style)
    }
}

pub fn create_series_handler(ctx: Context<CreateSeries>, args: CreateSeriesArgs) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let a = &ctx.accounts;
    let ch = a.clearinghouse.load()?;
    let clearinghouse_key = a.clearinghouse.key();
    let underlying_key = a.underlying.key();

    // the strike band is measured against a fresh price (checked, not recorded), before the
    // accounts are paid for
    let u = *a.underlying.load()?;
    let price = {
        let data = a.oracle.try_borrow_data()?;
        parse_oracle_account(&u, a.oracle.key, a.oracle.owner, &data)?
    };
    let spot = band_spot(&u, &price, ch.quote_decimals, now)?;
    check_strike_band(&u, args.strike, spot)?;

    let expiry_bytes = args.expiry.to_le_bytes();
    let strike_bytes = args.strike.to_le_bytes();
    let series_key = a.series.key();
    let creator = Creator {
        payer: &a.payer.to_account_info(),
        system_program: &a.system_program.to_account_info(),
    };
    creator.create_zero_copy::<OptionSeries>(
        &a.series,
        &[
            SERIES_SEED,
            underlying_key.as_ref(),
            &expiry_bytes,
            &strike_bytes,
            &[OptionSeries::seed_kind(args.kind, args.style)],
            &[ctx.bumps.series],
        ],
    )?;
    creator.create_mint(
        &a.option_mint,
        &series_key,
        0,
        &a.token_program.to_account_info(),
        &[
            OPTION_MINT_SEED,
            series_key.as_ref(),
            &[ctx.bumps.option_mint],
        ],
    )?;

    let mut series = load_new::<OptionSeries>(&a.series)?;
    let event = create_series(
        &ch,
        clearinghouse_key,
        &u,
        underlying_key,
        &mut *a.underlying_ledger.load_mut()?,
        &mut series,
        &NewSeries {
            series: series_key,
            bump: ctx.bumps.series,
            option_mint: a.option_mint.key(),
            mint_bump: ctx.bumps.option_mint,
            kind: args.kind,
            strike: args.strike,
            expiry: args.expiry,
            style: args.style,
        },
        spot,
        now,
    )?;
    drop(series);
    emit_cpi!(event);
    Ok(())
}
