//! Pyth oracle adapter (docs/protocol.md §4) for pull `PriceUpdateV2` accounts and legacy push price
//! accounts: owner, account and feed checks, full verification, trading status, staleness,
//! confidence, positive price, exponent range, and no rollback to an older publish time.
//!
//! Everything here but [`read_and_record_price`] (which borrows an `AccountInfo`) is in the
//! rulebook too: the bytes are read by [`pyth_accounts`], without Pyth's std crates, so the
//! program, the SDKs and the WebAssembly engine parse an oracle account with the same code.

use crate::prelude::*;
use greekhouse_risk::{Fixed, Rounding};

use crate::constants::{BPS_ONE, MAX_ORACLE_CLOCK_SKEW_SECS, MAX_ORACLE_EXPONENT};
use crate::errors::GreekhouseError;
use crate::state::realized_vol::scale_pow10;
use crate::state::{OracleKind, Underlying};

pub mod pyth_accounts;

/// What a price is for; each use has its own age limit (docs/protocol.md §4's action matrix).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PriceUse {
    /// Withdraw and write: `max_age`.
    RiskIncreasing,
    /// Liquidation and bids: the looser `liq_max_age`.
    Liquidation,
}

/// A price that passed every check, in Pyth's units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OraclePrice {
    pub price: i64,
    pub conf: u64,
    /// Decimal exponent: value = price * 10^expo.
    pub expo: i32,
    pub publish_time: i64,
    /// Publish time of the feed's previous update (`PriceFeedMessage.prev_publish_time`, a legacy
    /// account's `prev_timestamp`): settlement identifies the update at an expiry with it.
    pub prev_publish_time: i64,
}

impl OraclePrice {
    /// Spot in quote native units per whole underlying unit (e.g. micro-USDC per SOL), rounded
    /// down, and its confidence rounded up.
    pub fn spot_in_quote(&self, quote_decimals: u8) -> Result<(Fixed, Fixed)> {
        self.per_native_unit(quote_decimals, 0)
    }

    /// Price of one native unit of a token with `token_decimals` in quote native units.
    pub fn per_native_unit(
        &self,
        quote_decimals: u8,
        token_decimals: u8,
    ) -> Result<(Fixed, Fixed)> {
        // value per whole unit = price * 10^expo quote; per native unit in quote native:
        // price * 10^(expo + quote_decimals - token_decimals)
        let shift = self.expo + quote_decimals as i32 - token_decimals as i32;
        let price = scale_pow10(self.price as i128, shift, Rounding::Down)?;
        let conf = scale_pow10(self.conf as i128, shift, Rounding::Up)?;
        Ok((price, conf))
    }
}

#[cfg(feature = "anchor")]
/// Read and check the oracle of `underlying` from `oracle_account`, and record it as the newest
/// accepted price when it is newer. Only instructions that write-lock the underlying anyway
/// record (`record_price`, and later liquidation and settlement); margin checks call
/// [`check_price`] read-only. `now` is the cluster's unix time.
pub fn read_and_record_price(
    underlying: &mut Underlying,
    oracle_account: &AccountInfo,
    now: i64,
    price_use: PriceUse,
) -> Result<OraclePrice> {
    let data = oracle_account.try_borrow_data()?;
    let price = parse_oracle_account(underlying, oracle_account.key, oracle_account.owner, &data)?;
    drop(data);
    check_price(underlying, &price, now, price_use)?;
    record_price(underlying, &price)?;
    Ok(price)
}

/// Record `price` as the newest accepted one when it is newer than the last recorded, and
/// advance the realized-vol estimate with it (only newer prices ever enter it).
pub fn record_price(underlying: &mut Underlying, price: &OraclePrice) -> Result<bool> {
    if price.publish_time <= underlying.last_publish_time {
        return Ok(false);
    }
    // the estimate is advisory; recording the price (the no-rollback floor every liquidation
    // relies on) must never fail because of it, so an estimate that cannot advance stays
    if let Ok(next) =
        underlying.realized_estimate_after(price.price, price.expo, price.publish_time)
    {
        underlying.realized_estimate = next;
    }
    underlying.last_publish_time = price.publish_time;
    underlying.last_price = price.price;
    underlying.last_conf = price.conf;
    underlying.last_expo = price.expo;
    Ok(true)
}

/// Parse an oracle account of `underlying` (owner, account or feed id, verification, trading
/// status). Pure: the SDKs and the WebAssembly engine call it on fetched account data.
pub fn parse_oracle_account(
    underlying: &Underlying,
    key: &Pubkey,
    owner: &Pubkey,
    data: &[u8],
) -> Result<OraclePrice> {
    require_keys_eq!(
        *owner,
        underlying.oracle.oracle_program,
        GreekhouseError::OracleWrongOwner
    );
    match underlying.oracle_kind()? {
        OracleKind::PullV2 => pyth_accounts::parse_pull_v2(data, &underlying.oracle.feed),
        OracleKind::Legacy => {
            require!(
                key.to_bytes() == underlying.oracle.feed,
                GreekhouseError::OracleWrongAccount
            );
            pyth_accounts::parse_legacy(data)
        }
    }
}

/// Check a parsed price against the underlying's limits for `price_use`: positive, exponent,
/// not from the future, age, confidence, and no rollback behind the last recorded publish time.
/// Read-only; the SDK calls it on fetched accounts.
pub fn check_price(
    underlying: &Underlying,
    price: &OraclePrice,
    now: i64,
    price_use: PriceUse,
) -> Result<()> {
    require!(price.price > 0, GreekhouseError::OracleNonPositivePrice);
    require!(
        price.expo <= 0 && price.expo >= -MAX_ORACLE_EXPONENT,
        GreekhouseError::OracleBadExponent
    );
    let max_age = match price_use {
        PriceUse::RiskIncreasing => underlying.oracle.max_age_secs,
        PriceUse::Liquidation => underlying.oracle.liq_max_age_secs,
    } as i64;
    // a publish time slightly ahead of the cluster clock counts as age zero; far ahead is refused
    require!(
        price.publish_time <= now.saturating_add(MAX_ORACLE_CLOCK_SKEW_SECS),
        GreekhouseError::OracleFromFuture
    );
    require!(
        now.saturating_sub(price.publish_time) <= max_age,
        GreekhouseError::OracleStale
    );
    // conf / price <= max_conf  <=>  conf * 10^4 <= price * max_conf_bps (exact)
    let conf_scaled = (price.conf as u128) * BPS_ONE as u128;
    let limit = (price.price as u128) * underlying.oracle.max_conf_bps as u128;
    require!(
        conf_scaled <= limit,
        GreekhouseError::OracleConfidenceTooWide
    );
    require!(
        price.publish_time >= underlying.last_publish_time,
        GreekhouseError::OracleRollback
    );
    Ok(())
}

/// Checks of an update posted for settlement, those of [`check_price`] that do not depend on
/// when it is read: positive, exponent in range. Age and rollback do not apply (the price is for
/// a past moment, the expiry); the confidence decides whether the update settles or is passed
/// over ([`settlement_conf_within`]).
pub fn check_settlement_price(price: &OraclePrice) -> Result<()> {
    require!(price.price > 0, GreekhouseError::OracleNonPositivePrice);
    require!(
        price.expo <= 0 && price.expo >= -MAX_ORACLE_EXPONENT,
        GreekhouseError::OracleBadExponent
    );
    Ok(())
}

/// `conf / price <= max_conf_bps / 10^4`, exactly (`conf * 10^4 <= price * max_conf_bps`).
pub fn settlement_conf_within(price: &OraclePrice, max_conf_bps: u32) -> bool {
    let conf_scaled = (price.conf as u128) * BPS_ONE as u128;
    let limit = (price.price.max(0) as u128) * max_conf_bps as u128;
    conf_scaled <= limit
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{RealizedVolEstimate, StoredRealizedVol};
    use bytemuck::Zeroable;

    /// An underlying whose estimate cannot advance (an anchor no price conversion accepts).
    fn broken() -> Underlying {
        let mut u = Underlying::zeroed();
        u.realized = StoredRealizedVol::default_params();
        u.realized_estimate = RealizedVolEstimate {
            variance: 640_000_000_000,
            anchor_time: 100,
            anchor_price: i64::MAX,
            anchor_expo: 60,
            samples: 3,
        };
        u.last_publish_time = 100;
        u
    }

    #[test]
    fn an_estimate_that_cannot_advance_never_blocks_recording_or_margin() {
        let mut u = broken();
        let price = OraclePrice {
            price: 150_00000000,
            conf: 1_000_000,
            expo: -8,
            publish_time: 200,
            prev_publish_time: 100,
        };
        // the price is recorded, the estimate stays as it was
        assert!(record_price(&mut u, &price).unwrap());
        assert_eq!(u.last_publish_time, 200);
        assert_eq!(u.realized_estimate, broken().realized_estimate);
        // a margin check falls back to the largest vol: its predictive shock sits at its cap
        let v = u.realized_vol_for_margin(price.price, price.expo, 300);
        assert_eq!(v, greekhouse_risk::bs::MAX_VOL);
    }
}
