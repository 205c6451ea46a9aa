//! `record_price` (permissionless crank): record an underlying's newest oracle price. Margin
//! checks only read underlyings, refusing prices older than the last recorded one; recording
//! moves that floor forward, so after a crank nobody can use an older price for that
//! underlying.

use crate::prelude::*;

use crate::errors::GreekhouseError;
use crate::events::OraclePriceAccepted;
use crate::oracle::{check_price, record_price as record, OraclePrice, PriceUse};
use crate::state::Underlying;

/// Record `price` (parsed from the underlying's oracle account) on `u` (address `underlying`)
/// at `now`: checked for a risk-increasing use, and newer than the last recorded one.
pub fn record_price(
    u: &mut Underlying,
    underlying: Pubkey,
    price: &OraclePrice,
    now: i64,
) -> Result<OraclePriceAccepted> {
    let before = u.last_publish_time;
    check_price(u, price, now, PriceUse::RiskIncreasing)?;
    record(u, price)?;
    require!(
        price.publish_time > before,
        GreekhouseError::PriceAlreadyRecorded
    );
    u.invariant()?;
    Ok(OraclePriceAccepted {
        underlying,
        price: price.price,
        conf: price.conf,
        expo: price.expo,
        publish_time: price.publish_time,
    })
}
