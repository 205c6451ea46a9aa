//! List an underlying: its Pyth oracle, vol surface, margin parameters, series rules, OI cap.

use anchor_lang::prelude::*;

pub use crate::args::ListUnderlyingArgs;

use crate::constants::{bounds, ACCOUNT_VERSION, UNDERLYING_LEDGER_SEED, UNDERLYING_SEED};
use crate::engine::convert;
use crate::engine::create::{load_new, Creator};
use crate::engine::governance_verdict::validate_series_rules;
use crate::errors::GreekhouseError;
use crate::events::UnderlyingListed;
use crate::state::{in_bounds, Clearinghouse, Underlying, UnderlyingLedger};

#[event_cpi]
#[derive(Accounts)]
#[instruction(args: ListUnderlyingArgs)]
pub struct ListUnderlying<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub admin: Signer<'info>,
    #[account(mut, has_one = admin @ GreekhouseError::NotAdmin)]
    pub clearinghouse: AccountLoader<'info, Clearinghouse>,
    /// CHECK: created here (empty or pre-funded system account at the PDA address).
    #[account(mut, seeds = [UNDERLYING_SEED, clearinghouse.key().as_ref(), &args.id.to_le_bytes()], bump)]
    pub underlying: UncheckedAccount<'info>,
    /// CHECK: created here; the underlying's hot counters (open interest, fees).
    #[account(mut, seeds = [UNDERLYING_LEDGER_SEED, underlying.key().as_ref()], bump)]
    pub underlying_ledger: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

impl ListUnderlying<'_> {
    pub fn validate(&self, args: &ListUnderlyingArgs) -> Result<()> {
        let ch = self.clearinghouse.load()?;
        require!(
            args.id == ch.underlying_count,
            GreekhouseError::ParameterOutOfBounds
        );
        args.oracle.validate()?;
        require!(
            args.oracle.oracle_program != Pubkey::default(),
            GreekhouseError::OracleWrongOwner
        );
        require!(
            args.oracle.feed != [0u8; 32],
            GreekhouseError::OracleFeedNotSet
        );
        require!(
            args.open_interest_cap > 0,
            GreekhouseError::ParameterOutOfBounds
        );
        args.margin.validate()?;
        convert::vol_surface(&args.surface)
            .validate()
            .map_err(|_| error!(GreekhouseError::InvalidVolSurface))?;
        in_bounds(args.surface_max_age_secs, bounds::SURFACE_MAX_AGE_SECS)?;
        in_bounds(args.surface_max_change_bps, bounds::SURFACE_MAX_CHANGE_BPS)?;
        validate_series_rules(&args.series_rules)?;
        require!(
            args.vol_updater != Pubkey::default(),
            GreekhouseError::NotVolUpdater
        );
        Ok(())
    }
}

pub fn list_underlying_handler(
    ctx: Context<ListUnderlying>,
    args: ListUnderlyingArgs,
) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let clearinghouse_key = ctx.accounts.clearinghouse.key();
    let mut ch = ctx.accounts.clearinghouse.load_mut()?;
    ch.underlying_count = ch
        .underlying_count
        .checked_add(1)
        .ok_or(GreekhouseError::MathOverflow)?;
    ch.invariant()?;
    drop(ch);

    let a = &ctx.accounts;
    let creator = Creator {
        payer: &a.payer.to_account_info(),
        system_program: &a.system_program.to_account_info(),
    };
    let id_bytes = args.id.to_le_bytes();
    let underlying_key = a.underlying.key();
    creator.create_zero_copy::<Underlying>(
        &a.underlying,
        &[
            UNDERLYING_SEED,
            clearinghouse_key.as_ref(),
            &id_bytes,
            &[ctx.bumps.underlying],
        ],
    )?;
    creator.create_zero_copy::<UnderlyingLedger>(
        &a.underlying_ledger,
        &[
            UNDERLYING_LEDGER_SEED,
            underlying_key.as_ref(),
            &[ctx.bumps.underlying_ledger],
        ],
    )?;
    let mut ledger = load_new::<UnderlyingLedger>(&a.underlying_ledger)?;
    ledger.version = ACCOUNT_VERSION;
    ledger.bump = ctx.bumps.underlying_ledger;
    ledger.clearinghouse = clearinghouse_key;
    ledger.underlying = underlying_key;
    ledger.invariant()?;
    drop(ledger);

    let mut u = load_new::<Underlying>(&a.underlying)?;
    u.version = ACCOUNT_VERSION;
    u.bump = ctx.bumps.underlying;
    u.id = args.id;
    u.clearinghouse = clearinghouse_key;
    u.vol_updater = args.vol_updater;
    u.symbol = args.symbol;
    u.oracle = args.oracle;
    u.surface = args.surface;
    u.surface_updated_at = now;
    u.surface_max_age_secs = args.surface_max_age_secs;
    u.surface_max_change_bps = args.surface_max_change_bps;
    u.margin = args.margin;
    u.series_rules = args.series_rules;
    u.open_interest_cap = args.open_interest_cap;
    // governance (docs/governance.md): the listing waits for its timelocked enabling; the
    // surface's first anchor window starts now; one writer may hold the whole cap until
    // governance lowers its share
    u.listing_state = crate::state::ListingState::Pending as u8;
    u.surface_anchor = args.surface;
    u.surface_anchor_at = now;
    u.surface_anchor_interval_secs =
        crate::constants::governance::DEFAULT_SURFACE_ANCHOR_INTERVAL_SECS;
    u.writer_open_interest_share_bps =
        crate::constants::governance::DEFAULT_WRITER_OPEN_INTEREST_SHARE_BPS;
    u.invariant()?;
    drop(u);

    emit_cpi!(UnderlyingListed {
        clearinghouse: clearinghouse_key,
        underlying: underlying_key,
        underlying_ledger: ctx.accounts.underlying_ledger.key(),
        id: args.id,
        symbol: args.symbol,
        oracle: args.oracle,
        margin: args.margin,
        series_rules: args.series_rules,
        open_interest_cap: args.open_interest_cap,
        vol_updater: args.vol_updater,
        surface: args.surface,
        surface_max_age_secs: args.surface_max_age_secs,
        surface_max_change_bps: args.surface_max_change_bps,
    });
    Ok(())
}
