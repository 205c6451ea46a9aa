//! Create an option series (permissionless, for a listed underlying). The rules keep the set
//! of series sane: expiries on the underlying's grid and within its horizon, strikes on its
//! tick and within a band around the current spot, one contract size per underlying. The
//! PDA seeds make duplicates impossible.

use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token};

use crate::constants::{ACCOUNT_VERSION, BPS_ONE, OPTION_MINT_SEED, SERIES_SEED};
use crate::errors::GreekhouseError;
use crate::events::{OraclePriceAccepted, SeriesCreated};
use crate::oracle::{read_price, PriceUse};
use crate::state::{pause, Clearinghouse, OptionSeries, SeriesStatus, Underlying};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct CreateSeriesArgs {
    /// 0 call, 1 put.
    pub kind: u8,
    /// Quote native units per whole underlying unit.
    pub strike: u64,
    pub expiry: i64,
}

#[event_cpi]
#[derive(Accounts)]
#[instruction(args: CreateSeriesArgs)]
pub struct CreateSeries<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    #[account(mut)]
    pub clearinghouse: AccountLoader<'info, Clearinghouse>,
    #[account(mut, has_one = clearinghouse @ GreekhouseError::WrongClearinghouse)]
    pub underlying: AccountLoader<'info, Underlying>,
    /// CHECK: checked by the oracle adapter against the underlying's configuration.
    pub oracle: UncheckedAccount<'info>,
    #[account(
        init,
        payer = payer,
        space = OptionSeries::SPACE,
        seeds = [
            SERIES_SEED,
            underlying.key().as_ref(),
            &args.expiry.to_le_bytes(),
            &args.strike.to_le_bytes(),
            &[args.kind],
        ],
        bump,
    )]
    pub series: AccountLoader<'info, OptionSeries>,
    #[account(
        init,
        payer = payer,
        seeds = [OPTION_MINT_SEED, series.key().as_ref()],
        bump,
        mint::decimals = 0,
        mint::authority = series,
        mint::token_program = token_program,
    )]
    pub option_mint: Box<Account<'info, Mint>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

impl CreateSeries<'_> {
    pub fn validate(&self, args: &CreateSeriesArgs, now: i64) -> Result<()> {
        let ch = self.clearinghouse.load()?;
        require!(!ch.is_paused(pause::CREATE_SERIES), GreekhouseError::Paused);
        let u = self.underlying.load()?;
        let rules = u.series_rules;
        require!(args.kind <= 1, GreekhouseError::InvalidOptionKind);
        require!(args.strike > 0, GreekhouseError::ZeroStrike);
        require!(
            args.strike.is_multiple_of(rules.strike_tick),
            GreekhouseError::StrikeOffTick
        );
        require!(args.expiry > now, GreekhouseError::ExpiryInPast);
        require!(
            args.expiry - now <= rules.max_horizon_secs as i64,
            GreekhouseError::ExpiryBeyondHorizon
        );
        require!(
            (args.expiry - rules.expiry_offset_secs as i64)
                .rem_euclid(rules.expiry_interval_secs as i64)
                == 0,
            GreekhouseError::ExpiryOffGrid
        );
        Ok(())
    }
}

/// `true` when `strike` is within `spot * (1 +- band)`; exact integer comparison.
pub fn strike_in_band(strike: u64, spot: u64, band_bps: u32) -> bool {
    let diff = (strike as u128).abs_diff(spot as u128);
    diff * BPS_ONE as u128 <= spot as u128 * band_bps as u128
}

pub fn create_series_handler(ctx: Context<CreateSeries>, args: CreateSeriesArgs) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    ctx.accounts.validate(&args, now)?;
    let (quote_decimals, clearinghouse_key) = {
        let mut ch = ctx.accounts.clearinghouse.load_mut()?;
        ch.series_created = ch
            .series_created
            .checked_add(1)
            .ok_or(GreekhouseError::MathOverflow)?;
        ch.invariant()?;
        (ch.quote_decimals, ctx.accounts.clearinghouse.key())
    };

    let mut u = ctx.accounts.underlying.load_mut()?;
    let before = u.last_publish_time;
    let price = read_price(&mut u, &ctx.accounts.oracle, now, PriceUse::RiskIncreasing)?;
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
    let underlying_key = ctx.accounts.underlying.key();
    u.invariant()?;
    drop(u);

    let mut s = ctx.accounts.series.load_init()?;
    s.version = ACCOUNT_VERSION;
    s.bump = ctx.bumps.series;
    s.mint_bump = ctx.bumps.option_mint;
    s.kind = args.kind;
    s.status = SeriesStatus::Active as u8;
    s.clearinghouse = clearinghouse_key;
    s.underlying = underlying_key;
    s.option_mint = ctx.accounts.option_mint.key();
    s.strike = args.strike;
    s.expiry = args.expiry;
    s.contract_size = contract_size;
    s.invariant_with_supply(ctx.accounts.option_mint.supply)?;
    drop(s);

    if price.publish_time > before {
        emit_cpi!(OraclePriceAccepted {
            underlying: underlying_key,
            price: price.price,
            conf: price.conf,
            expo: price.expo,
            publish_time: price.publish_time,
        });
    }
    emit_cpi!(SeriesCreated {
        series: ctx.accounts.series.key(),
        underlying: underlying_key,
        option_mint: ctx.accounts.option_mint.key(),
        kind: args.kind,
        strike: args.strike,
        expiry: args.expiry,
        contract_size,
    });
    Ok(())
}
