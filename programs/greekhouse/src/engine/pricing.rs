//! Mark price of options from the risk engine, for fees and reporting.

use crate::prelude::*;
use greekhouse_risk::{bs, BsInput, Fixed, Rounding};

use crate::engine::{convert, margin::PricedUnderlying};
use crate::errors::GreekhouseError;
use crate::state::Position;

/// Black-Scholes value of `contracts` of the position's series (quote native, rounded up), at
/// the underlying's oracle spot and surface vol, with the pricing time floor.
pub fn premium(
    priced: &PricedUnderlying,
    position: &Position,
    contracts: u64,
    now: i64,
    min_secs: u32,
    quote_decimals: u8,
) -> Result<Fixed> {
    let risk = |e: greekhouse_risk::RiskError| error!(GreekhouseError::from(e));
    let (spot, _) = priced.price.spot_in_quote(quote_decimals)?;
    let strike = Fixed::from_u64(position.strike);
    let time_years = convert::time_to_expiry(position.expiry, now, min_secs).map_err(risk)?;
    let surface = convert::vol_surface(&priced.underlying.surface);
    let vol = surface.vol(strike, spot, time_years).map_err(risk)?;
    let input = BsInput {
        kind: convert::option_kind(position.kind).ok_or(GreekhouseError::InvalidOptionKind)?,
        spot,
        strike,
        vol,
        time_years,
        rate: Fixed::from_bps(i64::from(priced.underlying.margin.rate_bps)),
    };
    let unit_price = bs::price(&input).map_err(risk)?;
    let quantity = convert::contract_size(position.contract_size)
        .and_then(|size| size.checked_mul_int(i128::from(contracts)))
        .map_err(risk)?;
    unit_price.checked_mul(quantity, Rounding::Up).map_err(risk)
}

/// `amount * bps / 10^4` in whole quote native units, rounded up (a fee owed to the house).
pub fn fee_native(amount: Fixed, fee_bps: u32) -> Result<u64> {
    let risk = |e: greekhouse_risk::RiskError| error!(GreekhouseError::from(e));
    let fee = amount
        .checked_mul(Fixed::from_bps(i64::from(fee_bps)), Rounding::Up)
        .map_err(risk)?;
    let whole = fee.to_int(Rounding::Up).map_err(risk)?;
    u64::try_from(whole).map_err(|_| error!(GreekhouseError::MathOverflow))
}
