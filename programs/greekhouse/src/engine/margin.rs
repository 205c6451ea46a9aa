//! Margin of a writer account: gathers the accounts it depends on, checks their oracles, and
//! feeds the risk engine. The assembly from decoded accounts ([`compute_margin`]) is pure, so
//! the SDK, bot and simulator call it with the accounts they fetched and get the program's
//! numbers exactly.
//!
//! Remaining-accounts layout of every margin-checked instruction ([`load_margin_accounts`]):
//! 1. one `CollateralAsset` per non-empty collateral slot, in slot order;
//! 2. for each underlying in [`required_underlyings`] order: the `Underlying` (writable, so the
//!    newest accepted price is recorded) followed by its oracle account.

use anchor_lang::prelude::*;
use greekhouse_risk::{
    margin, AccountRisk, CollateralRisk, Fixed, MarginSummary, Rounding, UnderlyingRisk,
};

use crate::engine::convert;
use crate::errors::GreekhouseError;
use crate::oracle::{read_price, OraclePrice, PriceUse};
use crate::state::{CollateralAsset, GlobalParams, PriceSource, Underlying, WriterAccount};

/// An underlying with the oracle price the margin check uses.
#[derive(Clone, Copy)]
pub struct PricedUnderlying {
    pub key: Pubkey,
    pub underlying: Underlying,
    pub price: OraclePrice,
}

/// Underlyings the account's margin depends on, in canonical order: price underlyings of the
/// collateral slots (slot order), then underlyings of the positions (slot order), deduplicated.
pub fn required_underlyings(writer: &WriterAccount, assets: &[CollateralAsset]) -> Vec<Pubkey> {
    let mut keys: Vec<Pubkey> = Vec::with_capacity(assets.len() + writer.positions.len());
    let collateral_keys = assets
        .iter()
        .filter(|a| a.price_source == PriceSource::Underlying as u8)
        .map(|a| a.price_underlying);
    let position_keys = writer
        .positions
        .iter()
        .filter(|p| p.contracts > 0)
        .map(|p| p.underlying);
    for key in collateral_keys.chain(position_keys) {
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys
}

/// Whether the account's margin can be negative at all: without shorts and without debt every
/// level's equity is a sum of non-negative terms, so no price is needed (PROTOCOL 3: no oracle
/// failure may block a harmless withdrawal).
pub fn needs_margin_check(writer: &WriterAccount) -> bool {
    writer.position_count() > 0 || writer.quote_balance < 0
}

/// The account's margin from decoded accounts. `assets` has one entry per non-empty collateral
/// slot in slot order; `underlyings` every key of [`required_underlyings`] in that order.
pub fn compute_margin(
    params: &GlobalParams,
    quote_decimals: u8,
    writer: &WriterAccount,
    assets: &[CollateralAsset],
    underlyings: &[PricedUnderlying],
    now: i64,
) -> Result<MarginSummary> {
    let risk = |e: greekhouse_risk::RiskError| error!(GreekhouseError::from(e));
    let index_of = |key: &Pubkey| -> Result<u8> {
        underlyings
            .iter()
            .position(|u| u.key == *key)
            .map(|i| i as u8)
            .ok_or_else(|| error!(GreekhouseError::MarginAccountsMismatch))
    };

    let mut underlying_risks: Vec<UnderlyingRisk> = Vec::with_capacity(underlyings.len());
    for u in underlyings {
        let (spot, conf) = u.price.spot_in_quote(quote_decimals)?;
        underlying_risks.push(UnderlyingRisk {
            spot,
            conf,
            surface: convert::vol_surface(&u.underlying.surface),
            vol_stale: u.underlying.surface_is_stale(now),
            rate: Fixed::from_bps(u.underlying.margin.rate_bps as i64),
            params: convert::margin_params(&u.underlying.margin),
        });
    }

    let mut collaterals: Vec<CollateralRisk> = Vec::with_capacity(assets.len());
    let mut slots = writer
        .collaterals
        .iter()
        .filter(|c| c.asset != Pubkey::default());
    for asset in assets {
        let slot = slots
            .next()
            .ok_or_else(|| error!(GreekhouseError::MarginAccountsMismatch))?;
        let (price, conf) = match asset.source()? {
            PriceSource::Pegged => {
                let p = pegged_price(quote_decimals, asset.decimals).map_err(risk)?;
                (p, Fixed::ZERO)
            }
            PriceSource::Underlying => {
                let i = index_of(&asset.price_underlying)? as usize;
                underlyings[i]
                    .price
                    .per_native_unit(quote_decimals, asset.decimals)?
            }
        };
        collaterals.push(CollateralRisk {
            amount: slot.amount,
            price,
            conf,
            init_weight: Fixed::from_bps(asset.init_weight_bps as i64),
            maint_weight: Fixed::from_bps(asset.maint_weight_bps as i64),
        });
    }
    require!(
        slots.next().is_none(),
        GreekhouseError::MarginAccountsMismatch
    );

    let mut positions = Vec::with_capacity(writer.position_count());
    for p in writer.positions.iter().filter(|p| p.contracts > 0) {
        let i = index_of(&p.underlying)?;
        positions.push(convert::position(
            p,
            i,
            now,
            params.min_time_to_expiry_secs,
        )?);
    }

    let account = AccountRisk {
        quote_balance: writer.quote_balance as i128,
        collaterals: &collaterals,
        positions: &positions,
        underlyings: &underlying_risks,
    };
    margin::account_margin(&account, &convert::margin_config(params)).map_err(risk)
}

/// Quote native units per native unit of a token pegged 1:1 to the quote (whole for whole).
pub fn pegged_price(
    quote_decimals: u8,
    token_decimals: u8,
) -> core::result::Result<Fixed, greekhouse_risk::RiskError> {
    let shift = quote_decimals as i32 - token_decimals as i32;
    if shift >= 0 {
        let factor = 10i128
            .checked_pow(shift as u32)
            .ok_or(greekhouse_risk::RiskError::Overflow)?;
        Fixed::from_int(1).checked_mul_int(factor)
    } else {
        Fixed::from_scaled(1, shift.unsigned_abs(), Rounding::Down)
    }
}

/// Accounts loaded for a margin check, plus the prices that were newer than the last accepted
/// ones (for events).
pub struct LoadedMargin {
    pub assets: Vec<CollateralAsset>,
    pub underlyings: Vec<PricedUnderlying>,
    pub new_prices: Vec<(Pubkey, OraclePrice)>,
}

/// Load and check the margin accounts of `writer` from `remaining` (layout in the module doc).
pub fn load_margin_accounts<'info>(
    clearinghouse: &Pubkey,
    writer: &WriterAccount,
    remaining: &'info [AccountInfo<'info>],
    now: i64,
    price_use: PriceUse,
) -> Result<LoadedMargin> {
    let mut next = remaining.iter();
    let mut take = || {
        next.next()
            .ok_or_else(|| error!(GreekhouseError::MarginAccountsMismatch))
    };

    let mut assets = Vec::with_capacity(writer.collateral_count());
    for slot in writer
        .collaterals
        .iter()
        .filter(|c| c.asset != Pubkey::default())
    {
        let info = take()?;
        require_keys_eq!(
            *info.key,
            slot.asset,
            GreekhouseError::MarginAccountsMismatch
        );
        let loader = AccountLoader::<CollateralAsset>::try_from(info)?;
        let asset = *loader.load()?;
        require_keys_eq!(
            asset.clearinghouse,
            *clearinghouse,
            GreekhouseError::WrongClearinghouse
        );
        assets.push(asset);
    }

    let keys = required_underlyings(writer, &assets);
    let mut underlyings = Vec::with_capacity(keys.len());
    let mut new_prices = Vec::new();
    for key in keys {
        let info = take()?;
        require_keys_eq!(*info.key, key, GreekhouseError::MarginAccountsMismatch);
        require!(info.is_writable, GreekhouseError::MarginAccountsMismatch);
        let oracle = take()?;
        let loader = AccountLoader::<Underlying>::try_from(info)?;
        let mut underlying = loader.load_mut()?;
        require_keys_eq!(
            underlying.clearinghouse,
            *clearinghouse,
            GreekhouseError::WrongClearinghouse
        );
        let before = underlying.last_publish_time;
        let price = read_price(&mut underlying, oracle, now, price_use)?;
        if price.publish_time > before {
            new_prices.push((key, price));
        }
        underlying.invariant()?;
        underlyings.push(PricedUnderlying {
            key,
            underlying: *underlying,
            price,
        });
    }
    Ok(LoadedMargin {
        assets,
        underlyings,
        new_prices,
    })
}

/// Equity at a level as whole quote native units, rounded down (in the house's favour).
pub fn equity_native(equity: Fixed) -> Result<i64> {
    let whole = equity
        .to_int(Rounding::Down)
        .map_err(|e| error!(GreekhouseError::from(e)))?;
    i64::try_from(whole).map_err(|_| error!(GreekhouseError::MathOverflow))
}

/// `Ok(initial equity)` when the account stands at IM >= 0, else `InitialMarginBreach`.
pub fn require_initial_margin(summary: &MarginSummary) -> Result<i64> {
    require!(
        !summary.initial.equity.is_negative(),
        GreekhouseError::InitialMarginBreach
    );
    equity_native(summary.initial.equity)
}
