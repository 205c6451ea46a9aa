//! Create an option series (permissionless, for a listed underlying). The rules keep the set
//! of series sane: expiries on the underlying's grid and within its horizon, strikes on its
//! tick and within a band around the current spot, one contract size per underlying. The
//! PDA seeds make duplicates impossible.

use anchor_lang::prelude::*;

pub use crate::args::CreateSeriesArgs;
use anchor_spl::token::Token;

use crate::constants::{ACCOUNT_VERSION, BPS_ONE, OPTION_MINT_SEED, SERIES_SEED};
use crate::engine::create::{load_new, Creator};
use crate::engine::safe_math::SafeMath;
use crate::errors::GreekhouseError;
use crate::events::SeriesCreated;
use crate::oracle::{check_price, parse_oracle_account, PriceUse};
use crate::state::{
    pause, Clearinghouse, OptionSeries, SeriesStatus, Underlying, UnderlyingLedger,
};

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
            &[args.kind],
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
        let now = Clock::get()?.unix_timestamp;
        let ch = self.clearinghouse.load()?;
        require!(!ch.is_paused(pause::CREATE_SERIES), GreekhouseError::Paused);
        let u = self.underlying.load()?;
        let rules = u.series_rules;
        require!(u.is_enabled(), GreekhouseError::ListingNotEnabled);
        require!(args.kind <= 1, GreekhouseError::InvalidOptionKind);
        require!(args.strike > 0, GreekhouseError::ZeroStrike);
        require!(
            args.strike.is_multiple_of(rules.strike_tick),
            GreekhouseError::StrikeOffTick
        );
        require!(args.expiry > now, GreekhouseError::ExpiryInPast);
        require!(
            args.expiry - now <= i64::from(rules.max_horizon_secs),
            GreekhouseError::ExpiryBeyondHorizon
        );
        require!(
            (args.expiry - i64::from(rules.expiry_offset_secs))
                .rem_euclid(i64::from(rules.expiry_interval_secs))
                == 0,
            GreekhouseError::ExpiryOffGrid
        );
        Ok(())
    }
}

/// `true` when `strike` is within `spot * (1 +- band)`; exact integer comparison.
pub fn strike_in_band(strike: u64, spot: u64, band_bps: u32) -> bool {
    let diff = u128::from(strike).abs_diff(u128::from(spot));
    diff * u128::from(BPS_ONE) <= u128::from(spot) * u128::from(band_bps)
}

pub fn create_series_handler(ctx: Context<CreateSeries>, args: CreateSeriesArgs) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let a = &ctx.accounts;
    let quote_decimals = a.clearinghouse.load()?.quote_decimals;
    let clearinghouse_key = a.clearinghouse.key();
    let underlying_key = a.underlying.key();

    // the strike band is measured against a fresh price (checked, not recorded)
    let u = *a.underlying.load()?;
    let price = {
        let data = a.oracle.try_borrow_data()?;
        parse_oracle_account(&u, a.oracle.key, a.oracle.owner, &data)?
    };
    check_price(&u, &price, now, PriceUse::RiskIncreasing)?;
    let (spot, _) = price.spot_in_quote(quote_decimals)?;
    let spot_native = spot
        .to_int(greekhouse_risk::Rounding::Down)
        .map_err(|e| error!(GreekhouseError::from(e)))?;
    let spot_native = u64::try_from(spot_native).map_err(|_| GreekhouseError::MathOverflow)?;
    require!(
        strike_in_band(args.strike, spot_native, u.series_rules.strike_band_bps),
        GreekhouseError::StrikeOutsideBand
    );
    let contract_size = u.series_rules.contract_size;

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
            &[args.kind],
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

    let mut s = load_new::<OptionSeries>(&a.series)?;
    s.version = ACCOUNT_VERSION;
    s.bump = ctx.bumps.series;
    s.mint_bump = ctx.bumps.option_mint;
    s.kind = args.kind;
    s.status = SeriesStatus::Active as u8;
    s.clearinghouse = clearinghouse_key;
    s.underlying = underlying_key;
    s.option_mint = a.option_mint.key();
    s.strike = args.strike;
    s.expiry = args.expiry;
    s.contract_size = contract_size;
    s.invariant_with_supply(0)?;
    drop(s);

    {
        let mut ledger = a.underlying_ledger.load_mut()?;
        ledger.series_count = ledger.series_count.safe_add(1)?;
        ledger.invariant()?;
    }

    emit_cpi!(SeriesCreated {
        series: series_key,
        underlying: underlying_key,
        option_mint: ctx.accounts.option_mint.key(),
        kind: args.kind,
        strike: args.strike,
        expiry: args.expiry,
        contract_size,
    });
    Ok(())
}
