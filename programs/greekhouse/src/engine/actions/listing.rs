//! `list_underlying` and `list_collateral` (the admin): the arguments a listing must satisfy
//! and the new accounts' first state. Both listings wait for their timelocked enabling
//! (docs/governance.md). A collateral mint's Token-2022 extensions are screened by the handler
//! (`engine::tokens::check_mint_extensions`, which reads the mint account).

use crate::prelude::*;
use greekhouse_risk::margin::{validate_collateral_weights, CollateralClass};
use greekhouse_risk::{Fixed, MarginParams};

use crate::args::{ListCollateralArgs, ListUnderlyingArgs};
use crate::constants::governance::{
    DEFAULT_SURFACE_ANCHOR_INTERVAL_SECS, DEFAULT_WRITER_OPEN_INTEREST_SHARE_BPS,
};
use crate::constants::{bounds, ACCOUNT_VERSION, MAX_DECIMALS_GAP};
use crate::engine::convert;
use crate::engine::governance_verdict::validate_series_rules;
use crate::errors::GreekhouseError;
use crate::events::{CollateralListed, UnderlyingListed};
use crate::state::{
    in_bounds, Clearinghouse, CollateralAsset, ListingState, RealizedVolEstimate,
    StoredRealizedVol, StoredTailAndSize, Underlying, UnderlyingLedger,
};

/// The rules of listing an underlying: the next id, a usable oracle configuration, a cap, valid
/// margin parameters, surface, surface limits and series rules, and a vol updater.
pub fn check_list_underlying(ch: &Clearinghouse, args: &ListUnderlyingArgs) -> Result<()> {
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

/// Count the new underlying on the clearing house (before its accounts are created at the
/// address of its id).
pub fn count_underlying(ch: &mut Clearinghouse, args: &ListUnderlyingArgs) -> Result<()> {
    check_list_underlying(ch, args)?;
    ch.underlying_count = ch
        .underlying_count
        .checked_add(1)
        .ok_or(GreekhouseError::MathOverflow)?;
    ch.invariant()
}

/// The listed underlying's accounts: addresses and PDA bumps.
#[derive(Clone, Copy, Debug)]
pub struct ListedUnderlying {
    pub clearinghouse: Pubkey,
    pub underlying: Pubkey,
    pub bump: u8,
    pub underlying_ledger: Pubkey,
    pub ledger_bump: u8,
}

/// Fill the just created (zeroed) underlying `u` and its ledger at `now`: pending its enabling,
/// the surface's first anchor window starting now, one writer allowed the whole cap until
/// governance lowers its share.
pub fn list_underlying(
    u: &mut Underlying,
    ledger: &mut UnderlyingLedger,
    keys: &ListedUnderlying,
    args: &ListUnderlyingArgs,
    now: i64,
) -> Result<UnderlyingListed> {
    ledger.version = ACCOUNT_VERSION;
    ledger.bump = keys.ledger_bump;
    ledger.clearinghouse = keys.clearinghouse;
    ledger.underlying = keys.underlying;
    ledger.invariant()?;

    u.version = ACCOUNT_VERSION;
    u.bump = keys.bump;
    u.id = args.id;
    u.clearinghouse = keys.clearinghouse;
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
    u.listing_state = ListingState::Pending as u8;
    u.surface_anchor = args.surface;
    u.surface_anchor_at = now;
    u.surface_anchor_interval_secs = DEFAULT_SURFACE_ANCHOR_INTERVAL_SECS;
    u.writer_open_interest_share_bps = DEFAULT_WRITER_OPEN_INTEREST_SHARE_BPS;
    // the realized-vol estimate runs from listing, seeded with the first tenor's ATM vol; the
    // predictive shock starts off (multiples 0) and governance turns it on (a tightening)
    u.realized = StoredRealizedVol {
        initial_multiple_bps: 0,
        maintenance_multiple_bps: 0,
        ..StoredRealizedVol::default_params()
    };
    // IM's tail at the engine's defaults and the size charge on, the liquidation capacity a
    // tenth of the open-interest cap (governance states the market's own)
    u.tail_and_size = StoredTailAndSize::default_params(args.open_interest_cap);
    u.realized_estimate =
        RealizedVolEstimate::seeded(Fixed::from_bps(i64::from(args.surface.atm_vol_bps[0])))?;
    u.invariant()?;

    Ok(UnderlyingListed {
        clearinghouse: keys.clearinghouse,
        underlying: keys.underlying,
        underlying_ledger: keys.underlying_ledger,
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
    })
}

/// The rules of listing `mint` (with `mint_decimals`) as collateral of `ch` (address
/// `clearinghouse`): not the quote mint, weights in bounds, decimals near the quote's, and
/// weights the margin accepts for the asset's class. A pegged asset (`price_source` 0) names no
/// underlying; a volatile one (1) is priced by `price_underlying`, a listed underlying of this
/// clearing house whose shocks the margin applies to it (linked), so its weights cover
/// liquidity and confidence only.
pub fn check_list_collateral(
    ch: &Clearinghouse,
    clearinghouse: &Pubkey,
    mint: &Pubkey,
    mint_decimals: u8,
    args: &ListCollateralArgs,
    price_underlying: Option<&Underlying>,
) -> Result<()> {
    require!(
        *mint != ch.quote_mint,
        GreekhouseError::QuoteMintIsNotCollateral
    );
    CollateralAsset::validate_weights(args.init_weight_bps, args.maint_weight_bps)?;
    require!(
        mint_decimals.abs_diff(ch.quote_decimals) <= MAX_DECIMALS_GAP,
        GreekhouseError::DecimalsGapTooLarge
    );
    let (class, params, max_conf) = match args.price_source {
        0 => {
            require!(
                price_underlying.is_none(),
                GreekhouseError::InvalidPriceSource
            );
            (CollateralClass::Pegged, MarginParams::DEFAULT, Fixed::ZERO)
        }
        1 => {
            let u = price_underlying.ok_or(GreekhouseError::InvalidPriceSource)?;
            require_keys_eq!(
                u.clearinghouse,
                *clearinghouse,
                GreekhouseError::WrongClearinghouse
            );
            let conf = Fixed::from_bps(i64::from(u.oracle.max_conf_bps));
            (CollateralClass::Linked, convert::margin_params(u), conf)
        }
        _ => return err!(GreekhouseError::InvalidPriceSource),
    };
    validate_collateral_weights(
        Fixed::from_bps(i64::from(args.init_weight_bps)),
        Fixed::from_bps(i64::from(args.maint_weight_bps)),
        class,
        &params,
        max_conf,
    )
    .map_err(|e| error!(GreekhouseError::from(e)))?;
    Ok(())
}

/// Count the new collateral asset on the clearing house.
pub fn count_collateral(ch: &mut Clearinghouse) -> Result<()> {
    ch.collateral_count = ch
        .collateral_count
        .checked_add(1)
        .ok_or(GreekhouseError::MathOverflow)?;
    ch.invariant()
}

/// The listed collateral asset's accounts and mint.
#[derive(Clone, Copy, Debug)]
pub struct ListedCollateral {
    pub clearinghouse: Pubkey,
    pub collateral_asset: Pubkey,
    pub bump: u8,
    pub vault: Pubkey,
    pub vault_bump: u8,
    pub mint: Pubkey,
    pub decimals: u8,
    pub token_program: Pubkey,
    pub is_token_2022: bool,
    /// The underlying pricing it (`Pubkey::default()` for a pegged asset).
    pub price_underlying: Pubkey,
}

/// Fill the just created (zeroed) collateral asset `asset`; deposits wait for the timelocked
/// enabling of the listing.
pub fn list_collateral(
    asset: &mut CollateralAsset,
    keys: &ListedCollateral,
    args: &ListCollateralArgs,
) -> Result<CollateralListed> {
    asset.version = ACCOUNT_VERSION;
    asset.bump = keys.bump;
    asset.vault_bump = keys.vault_bump;
    asset.decimals = keys.decimals;
    asset.price_source = args.price_source;
    asset.is_token_2022 = u8::from(keys.is_token_2022);
    asset.init_weight_bps = args.init_weight_bps;
    asset.maint_weight_bps = args.maint_weight_bps;
    asset.clearinghouse = keys.clearinghouse;
    asset.mint = keys.mint;
    asset.token_program = keys.token_program;
    asset.vault = keys.vault;
    asset.price_underlying = keys.price_underlying;
    asset.deposit_cap = args.deposit_cap;
    asset.listing_state = ListingState::Pending as u8;
    asset.invariant()?;
    Ok(CollateralListed {
        clearinghouse: keys.clearinghouse,
        collateral_asset: keys.collateral_asset,
        mint: keys.mint,
        token_program: keys.token_program,
        vault: keys.vault,
        price_source: args.price_source,
        price_underlying: keys.price_underlying,
        init_weight_bps: args.init_weight_bps,
        maint_weight_bps: args.maint_weight_bps,
        deposit_cap: args.deposit_cap,
    })
}
