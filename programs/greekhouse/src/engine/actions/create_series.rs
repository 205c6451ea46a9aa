//! `create_series` (permissionless, for a listed underlying): the rules that keep the set of
//! series sane (expiries on the underlying's grid and within its horizon, strikes on its tick
//! and within a band around the current spot, one contract size per underlying) and the new
//! series' state. The PDA seeds make duplicates impossible.

use crate::prelude::*;

use crate::constants::{ACCOUNT_VERSION, BPS_ONE};
use crate::engine::safe_math::SafeMath;
use crate::errors::GreekhouseError;
use crate::events::SeriesCreated;
use crate::oracle::{check_price, OraclePrice, PriceUse};
use crate::state::{
    pause, Clearinghouse, OptionSeries, SeriesStatus, Underlying, UnderlyingLedger,
};

/// The rules of a new series that need no price: not paused, the listing enabled, a call (0) or
/// a put (1), a positive strike on the tick, an expiry in the future, within the horizon and on
/// the grid.
pub fn check_create_series(
    ch: &Clearinghouse,
    u: &Underlying,
    kind: u8,
    strike: u64,
    expiry: i64,
    now: i64,
) -> Result<()> {
    require!(!ch.is_paused(pause::CREATE_SERIES), GreekhouseError::Paused);
    let rules = u.series_rules;
    require!(u.is_enabled(), GreekhouseError::ListingNotEnabled);
    require!(kind <= 1, GreekhouseError::InvalidOptionKind);
    require!(strike > 0, GreekhouseError::ZeroStrike);
    require!(
        strike.is_multiple_of(rules.strike_tick),
        GreekhouseError::StrikeOffTick
    );
    require!(expiry > now, GreekhouseError::ExpiryInPast);
    let horizon = expiry
        .checked_sub(now)
        .ok_or(GreekhouseError::MathOverflow)?;
    require!(
        horizon <= i64::from(rules.max_horizon_secs),
        GreekhouseError::ExpiryBeyondHorizon
    );
    let on_grid = expiry
        .checked_sub(i64::from(rules.expiry_offset_secs))
        .and_then(|t| t.checked_rem_euclid(i64::from(rules.expiry_interval_secs)))
        .ok_or(GreekhouseError::MathOverflow)?
        == 0;
    require!(on_grid, GreekhouseError::ExpiryOffGrid);
    Ok(())
}

/// `true` when `strike` is within `spot * (1 +- band)`; exact integer comparison.
pub fn strike_in_band(strike: u64, spot: u64, band_bps: u32) -> bool {
    let diff = u128::from(strike).abs_diff(u128::from(spot));
    diff * u128::from(BPS_ONE) <= u128::from(spot) * u128::from(band_bps)
}

/// The spot a new series' strike band is measured against: `price` checked for a
/// risk-increasing use at `now` (checked, not recorded), in quote native units per whole
/// underlying unit, rounded down.
pub fn band_spot(u: &Underlying, price: &OraclePrice, quote_decimals: u8, now: i64) -> Result<u64> {
    check_price(u, price, now, PriceUse::RiskIncreasing)?;
    let (spot, _) = price.spot_in_quote(quote_decimals)?;
    let spot_native = spot
        .to_int(greekhouse_risk::Rounding::Down)
        .map_err(|e| error!(GreekhouseError::from(e)))?;
    u64::try_from(spot_native).map_err(|_| error!(GreekhouseError::MathOverflow))
}

/// The strike within the underlying's band around `spot` (from [`band_spot`]).
pub fn check_strike_band(u: &Underlying, strike: u64, spot: u64) -> Result<()> {
    require!(
        strike_in_band(strike, spot, u.series_rules.strike_band_bps),
        GreekhouseError::StrikeOutsideBand
    );
    Ok(())
}

/// The new series' identity: its accounts and terms.
#[derive(Clone, Copy, Debug)]
pub struct NewSeries {
    pub series: Pubkey,
    pub bump: u8,
    pub option_mint: Pubkey,
    pub mint_bump: u8,
    pub kind: u8,
    pub strike: u64,
    pub expiry: i64,
    /// [`ExerciseStyle`](crate::state::ExerciseStyle) as u8 (0 European, 1 American).
    pub style: u8,
}

/// A series' exercise style is 0 (European) or 1 (American).
pub fn check_style(style: u8) -> Result<()> {
    require!(style <= 1, GreekhouseError::InvalidExerciseStyle);
    Ok(())
}

/// Fill the just created (zeroed) `series` of `underlying` with `new`'s terms and the
/// underlying's contract size, and count it on `ledger`. `spot` is the checked spot of
/// [`band_spot`].
pub fn create_series(
    ch: &Clearinghouse,
    clearinghouse: Pubkey,
    u: &Underlying,
    underlying: Pubkey,
    ledger: &mut UnderlyingLedger,
    series: &mut OptionSeries,
    new: &NewSeries,
    spot: u64,
    now: i64,
) -> Result<SeriesCreated> {
    check_create_series(ch, u, new.kind, new.strike, new.expiry, now)?;
    check_strike_band(u, new.strike, spot)?;
    check_style(new.style)?;
    let contract_size = u.series_rules.contract_size;
    series.version = ACCOUNT_VERSION;
    series.bump = new.bump;
    series.mint_bump = new.mint_bump;
    series.kind = new.kind;
    series.status = SeriesStatus::Active as u8;
    series.clearinghouse = clearinghouse;
    series.underlying = underlying;
    series.option_mint = new.option_mint;
    series.strike = new.strike;
    series.expiry = new.expiry;
    series.contract_size = contract_size;
    series.style = new.style;
    if series.is_american() {
        series.exercise_scale = crate::state::EXERCISE_SCALE_ONE;
    }
    series.invariant_with_supply(0)?;
    ledger.series_count = ledger.series_count.safe_add(1)?;
    ledger.invariant()?;
    Ok(SeriesCreated {
        series: new.series,
        underlying,
        option_mint: new.option_mint,
        kind: new.kind,
        strike: new.strike,
        expiry: new.expiry,
        contract_size,
        style: new.style,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::ListingState;

    const DAY: i64 = 86_400;

    fn listed() -> (Clearinghouse, Underlying) {
        let ch: Clearinghouse = bytemuck::Zeroable::zeroed();
        let mut u: Underlying = bytemuck::Zeroable::zeroed();
        u.listing_state = ListingState::Enabled as u8;
        u.series_rules.strike_tick = 1_000;
        u.series_rules.expiry_interval_secs = 86_400;
        u.series_rules.expiry_offset_secs = 28_800;
        u.series_rules.max_horizon_secs = 30 * 86_400;
        u.series_rules.strike_band_bps = 5_000;
        (ch, u)
    }

    #[test]
    fn refuses_kind_strike_and_expiry_off_the_rules() {
        let (ch, u) = listed();
        let now = 10 * DAY;
        let expiry = 12 * DAY + 28_800;
        let check = |kind, strike, expiry| check_create_series(&ch, &u, kind, strike, expiry, now);
        assert_eq!(check(0, 5_000, expiry), Ok(()));
        assert_eq!(check(1, 5_000, expiry), Ok(()));
        assert_eq!(
            check(2, 5_000, expiry),
            Err(GreekhouseError::InvalidOptionKind.into())
        );
        assert_eq!(check(0, 0, expiry), Err(GreekhouseError::ZeroStrike.into()));
        assert_eq!(
            check(0, 5_500, expiry),
            Err(GreekhouseError::StrikeOffTick.into())
        );
        assert_eq!(
            check(0, 5_000, now),
            Err(GreekhouseError::ExpiryInPast.into())
        );
        assert_eq!(
            check(0, 5_000, now + 31 * DAY),
            Err(GreekhouseError::ExpiryBeyondHorizon.into())
        );
        assert_eq!(
            check(0, 5_000, expiry + 1),
            Err(GreekhouseError::ExpiryOffGrid.into())
        );
    }

    #[test]
    fn strike_band_is_inclusive_around_spot() {
        assert!(strike_in_band(150, 100, 5_000));
        assert!(strike_in_band(50, 100, 5_000));
        assert!(!strike_in_band(151, 100, 5_000));
        assert!(!strike_in_band(49, 100, 5_000));
        let (_, u) = listed();
        assert_eq!(
            check_strike_band(&u, 16_000, 10_000),
            Err(GreekhouseError::StrikeOutsideBand.into())
        );
        assert_eq!(check_strike_band(&u, 15_000, 10_000), Ok(()));
    }
}
