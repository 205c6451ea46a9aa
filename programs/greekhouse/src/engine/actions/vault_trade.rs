//! Writer vaults, the buyers' side (docs/vaults.md): `vault_buy` writes options from the vault's
//! account through the ordinary write ([`super::write::write`]: pause, account and series
//! state, fresh surface, open-interest caps, fee, IM) and sells them at the surface's mark plus
//! the vault's spread; `vault_sell_back` burns a holder's tokens against the vault's short
//! ([`super::write::burn`]) and pays the mark less the spread out of the vault's quote.

use crate::prelude::*;
use greekhouse_risk::{Fixed, MarginSummary, Rounding};

use super::{write, MarginPrices};
use crate::constants::BPS_ONE;
use crate::engine::margin::{self, PricedUnderlying};
use crate::engine::safe_math::{Cast, SafeMath};
use crate::engine::{ledger, pricing};
use crate::errors::GreekhouseError;
use crate::state::{
    pause, Clearinghouse, OptionSeries, Underlying, UnderlyingLedger, Vault, WriterAccount,
};

fn risk(e: greekhouse_risk::RiskError) -> Error {
    error!(GreekhouseError::from(e))
}

/// The rules of a sale that need no price: the write's own ([`write::check_write`]) and the
/// vault's policy on the series' underlying, kind and time to expiry.
pub fn check_vault_buy(
    ch: &Clearinghouse,
    vault: &Vault,
    writer: &WriterAccount,
    series: &OptionSeries,
    underlying: &Underlying,
    contracts: u64,
    now: i64,
) -> Result<()> {
    write::check_write(ch, writer, series, underlying, contracts, now)?;
    require_keys_eq!(
        series.underlying,
        vault.underlying,
        GreekhouseError::VaultUnderlyingMismatch
    );
    require!(
        vault.policy.allows_kind(series.kind),
        GreekhouseError::VaultKindNotAllowed
    );
    let tenor = series.expiry.safe_sub(now)?;
    require!(
        tenor >= i64::from(vault.policy.min_tenor_secs)
            && tenor <= i64::from(vault.policy.max_tenor_secs),
        GreekhouseError::VaultTenorOutOfPolicy
    );
    Ok(())
}

/// `mark * (10^4 ± spread) / 10^4` in whole quote native units, rounded as asked.
fn with_spread(mark: Fixed, factor_bps: u64, rounding: Rounding) -> Result<u64> {
    let factor = Fixed::from_bps(factor_bps.cast::<i64>()?);
    let value = mark.checked_mul(factor, rounding).map_err(risk)?;
    value.to_int(rounding).map_err(risk)?.cast::<u64>()
}

/// The strike within the policy's band around the oracle spot: `min <= K / S <= max` (bps),
/// each side measured strictly (the band never widens by rounding).
fn check_strike_band(
    vault: &Vault,
    priced: &PricedUnderlying,
    strike: u64,
    quote_decimals: u8,
) -> Result<()> {
    let (spot, _) = priced.price.spot_in_quote(quote_decimals)?;
    let k = Fixed::from_u64(strike);
    let lo = spot
        .checked_mul(
            Fixed::from_bps(i64::from(vault.policy.min_strike_bps)),
            Rounding::Up,
        )
        .map_err(risk)?;
    let hi = spot
        .checked_mul(
            Fixed::from_bps(i64::from(vault.policy.max_strike_bps)),
            Rounding::Down,
        )
        .map_err(risk)?;
    require!(k >= lo && k <= hi, GreekhouseError::VaultStrikeOutOfPolicy);
    Ok(())
}

/// IM requirement over IM collateral value, in bps rounded up (`u64::MAX` when there is no
/// positive value to use).
pub fn utilisation_bps(summary: &MarginSummary) -> Result<u64> {
    let value = summary.initial.collateral_value;
    if !value.is_positive() {
        return Ok(u64::MAX);
    }
    let ratio = summary
        .initial
        .requirement
        .checked_div(value, Rounding::Up)
        .map_err(risk)?
        .checked_mul_int(i128::from(BPS_ONE))
        .map_err(risk)?;
    ratio
        .to_int(Rounding::Up)
        .map_err(risk)?
        .max(0)
        .cast::<u64>()
}

/// What a sale did.
#[derive(Clone, Debug)]
pub struct VaultBuyOutcome {
    /// Paid by the buyer into the vault's quote balance.
    pub price: u64,
    /// The surface's mark of the contracts, rounded up.
    pub mark: u64,
    pub fee: u64,
    pub short_after: u64,
    pub utilisation_bps: u64,
}

/// Sell `contracts` of `series` from the vault's account (the handler mints them to the buyer
/// and collects the price): the ordinary write, then the policy's strike band at the price the
/// write used, the price `ceil(mark * (1 + spread))` within `max_price`, and the utilisation
/// limit. IM and utilisation are measured before the premium is credited: a sale never
/// finances its own margin.
#[allow(clippy::too_many_arguments)]
pub fn buy(
    ch: &Clearinghouse,
    vault: &mut Vault,
    underlying: &Underlying,
    writer: &mut WriterAccount,
    series_key: Pubkey,
    series: &mut OptionSeries,
    book: &mut UnderlyingLedger,
    prices: &mut impl MarginPrices,
    contracts: u64,
    max_price: u64,
    now: i64,
) -> Result<VaultBuyOutcome> {
    check_vault_buy(ch, vault, writer, series, underlying, contracts, now)?;
    let underlying_key = series.underlying;
    let mut priced: Option<PricedUnderlying> = None;
    let written = write::write(
        ch,
        underlying,
        writer,
        series_key,
        series,
        book,
        &mut |ws: &[&WriterAccount]| {
            let loaded = prices.load(ws)?;
            priced = Some(*loaded.underlying(&underlying_key)?);
            Ok(loaded)
        },
        contracts,
        now,
    )?;
    let priced = priced.ok_or(GreekhouseError::MarginAccountsMismatch)?;
    check_strike_band(vault, &priced, series.strike, ch.quote_decimals)?;
    let mark = pricing::premium(
        &priced,
        &series.short_template(series_key),
        contracts,
        now,
        ch.params.min_time_to_expiry_secs,
        ch.quote_decimals,
    )?;
    let spread = u64::from(vault.policy.spread_bps);
    let price = with_spread(mark, BPS_ONE.safe_add(spread)?, Rounding::Up)?;
    require!(price <= max_price, GreekhouseError::VaultPriceAboveLimit);
    let utilisation = utilisation_bps(&written.margin_after)?;
    require!(
        utilisation <= u64::from(vault.policy.max_utilisation_bps),
        GreekhouseError::VaultUtilisationExceeded
    );
    ledger::credit_quote(writer, price)?;
    vault.premiums_total = vault.premiums_total.safe_add(price)?;
    vault.invariant()?;
    Ok(VaultBuyOutcome {
        price,
        mark: mark.to_int(Rounding::Up).map_err(risk)?.cast::<u64>()?,
        fee: written.fee,
        short_after: written.short_after,
        utilisation_bps: utilisation,
    })
}

/// The rules of a sell-back that need no price: the burn's ([`write::check_burn`]: at most the
/// vault's short, series not settled), before expiry, an active account without settlement
/// business pending, and not while withdrawals are paused (quote leaves an account with
/// shorts).
pub fn check_vault_sell_back(
    ch: &Clearinghouse,
    writer: &WriterAccount,
    series_key: &Pubkey,
    series: &OptionSeries,
    contracts: u64,
    now: i64,
) -> Result<()> {
    write::check_burn(writer, series_key, series, contracts)?;
    require!(now < series.expiry, GreekhouseError::SeriesExpired);
    writer.require_active()?;
    require!(!ch.is_paused(pause::WITHDRAW), GreekhouseError::Paused);
    require!(
        !writer.has_expired_short(now),
        GreekhouseError::PositionAwaitingSettlement
    );
    require!(
        !writer.has_settlement_debt(),
        GreekhouseError::SettlementDebtOpen
    );
    Ok(())
}

/// What a sell-back did.
#[derive(Clone, Debug)]
pub struct VaultSellBackOutcome {
    /// Paid to the holder out of the vault's quote balance.
    pub price: u64,
    pub short_after: u64,
}

/// Buy back `contracts` of `series` (the handler burned the holder's tokens) at
/// `floor(mark * (1 - spread))`, at least `min_price`: the vault's short shrinks, the price
/// leaves its quote balance, and an account still short must stand at IM afterwards. The
/// prices are the layout of the account before the burn (it includes the series' underlying).
#[allow(clippy::too_many_arguments)]
pub fn sell_back(
    ch: &Clearinghouse,
    vault: &mut Vault,
    writer: &mut WriterAccount,
    series_key: Pubkey,
    series: &mut OptionSeries,
    book: &mut UnderlyingLedger,
    prices: &mut impl MarginPrices,
    contracts: u64,
    min_price: u64,
    now: i64,
) -> Result<VaultSellBackOutcome> {
    check_vault_sell_back(ch, writer, &series_key, series, contracts, now)?;
    let loaded = prices.load(&[writer])?;
    let priced = *loaded.underlying(&series.underlying)?;
    let mark = pricing::premium(
        &priced,
        &series.short_template(series_key),
        contracts,
        now,
        ch.params.min_time_to_expiry_secs,
        ch.quote_decimals,
    )?;
    let spread = u64::from(vault.policy.spread_bps);
    let price = with_spread(mark, BPS_ONE.safe_sub(spread)?, Rounding::Down)?;
    require!(price >= min_price, GreekhouseError::VaultPriceBelowLimit);
    let short_after = write::burn(writer, series_key, series, book, contracts)?;
    if price > 0 {
        ledger::debit_quote(writer, price)?;
    }
    if margin::needs_margin_check(writer) {
        // the layout after the burn is within the one loaded before it
        let after = loaded.margin_of(ch, writer, now)?;
        margin::require_initial_margin(&after)?;
    }
    vault.sell_backs_total = vault.sell_backs_total.safe_add(price)?;
    vault.invariant()?;
    Ok(VaultSellBackOutcome { price, short_after })
}
