//! Market parameters for local markets (the test kit's scenarios: demo, tests, simulator) and the
//! defaults `greekhouse deploy` starts from before its config file's values: a crypto underlying
//! with a daily 08:00-UTC expiry grid, a four-tenor surface around 70-80 % vol, and the margin
//! defaults of docs/protocol.md (IM 20 % / MM 12 % spot shocks). Not advice for mainnet listings;
//! governance chooses those.

use anchor_lang::prelude::Pubkey;
use greekhouse::args::ListUnderlyingArgs;
use greekhouse::state::{
    OracleConfig, OracleKind, SeriesRules, StoredLevel, StoredMarginParams, StoredVolSurface,
};

/// Seconds in a day.
pub const DAY: i64 = 86_400;
/// Expiries fall on a daily grid at 08:00 UTC.
pub const EXPIRY_OFFSET_SECS: i64 = 8 * 3_600;

/// Four tenors (7, 30, 90, 180 days) at 80/75/70/68 % ATM vol, put skew, mild smile, 20 % floor.
pub fn surface() -> StoredVolSurface {
    StoredVolSurface {
        tenor_secs: [
            7 * DAY as u32,
            30 * DAY as u32,
            90 * DAY as u32,
            180 * DAY as u32,
        ],
        atm_vol_bps: [8_000, 7_500, 7_000, 6_800],
        skew_bps: -1_000,
        smile_bps: 2_000,
        min_vol_bps: 2_000,
        tenor_count: 4,
        _padding: [0; 3],
    }
}

/// The risk engine's default margin parameters (`greekhouse_risk::MarginParams::DEFAULT`) as
/// stored: IM 20 % spot shock, vol +40 % at 30 days, 2 % floor; MM 12 %, +25 %, 1.2 %; term
/// factor `min(4, (30 days / T)^0.5)`; stale surface +5 % of vol per hour, at most +50 %.
pub fn margin() -> StoredMarginParams {
    StoredMarginParams {
        initial: StoredLevel {
            spot_shock_bps: 2_000,
            vol_shock_bps: 4_000,
            floor_bps: 200,
            _reserved: 0,
        },
        maintenance: StoredLevel {
            spot_shock_bps: 1_200,
            vol_shock_bps: 2_500,
            floor_bps: 120,
            _reserved: 0,
        },
        vol_ref_secs: 30 * DAY as u32,
        vol_power_bps: 5_000,
        vol_term_cap_bps: 40_000,
        stale_vol_per_hour_bps: 500,
        stale_vol_cap_bps: 5_000,
        rate_bps: 0,
    }
}

/// Daily expiries up to 180 days, strikes within +-50 % of spot on `strike_tick`.
pub fn series_rules(strike_tick: u64, contract_size: u64) -> SeriesRules {
    SeriesRules {
        expiry_interval_secs: DAY as u32,
        expiry_offset_secs: EXPIRY_OFFSET_SECS as u32,
        max_horizon_secs: 180 * DAY as u32,
        strike_band_bps: 5_000,
        strike_tick,
        contract_size,
    }
}

/// A Pyth pull feed: 30 s for writes, 120 s for liquidations, 2 % max confidence.
pub fn pull_oracle(feed_id: [u8; 32]) -> OracleConfig {
    OracleConfig {
        oracle_program: pyth_solana_receiver_sdk::ID,
        feed: feed_id,
        max_age_secs: 30,
        liq_max_age_secs: 120,
        max_conf_bps: 200,
        kind: OracleKind::PullV2 as u8,
        _padding: [0; 3],
    }
}

/// A legacy Pyth price account owned by `program`, with the pull feed's limits.
pub fn legacy_oracle(program: Pubkey, account: Pubkey) -> OracleConfig {
    OracleConfig {
        oracle_program: program,
        feed: account.to_bytes(),
        kind: OracleKind::Legacy as u8,
        ..pull_oracle([0; 32])
    }
}

/// `list_underlying` arguments with the defaults above, an hour's surface max age, 50 % max
/// surface step and an open-interest cap of one million underlying units.
pub fn underlying_args(
    id: u16,
    symbol: &str,
    oracle: OracleConfig,
    vol_updater: Pubkey,
    strike_tick: u64,
    contract_size: u64,
) -> ListUnderlyingArgs {
    let mut sym = [0u8; 16];
    let len = symbol.len().min(16);
    sym[..len].copy_from_slice(&symbol.as_bytes()[..len]);
    ListUnderlyingArgs {
        id,
        symbol: sym,
        oracle,
        vol_updater,
        surface: surface(),
        surface_max_age_secs: 3_600,
        surface_max_change_bps: 5_000,
        margin: margin(),
        series_rules: series_rules(strike_tick, contract_size),
        open_interest_cap: 1_000_000 * 1_000_000,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_stored_margin_defaults_are_the_risk_engines() {
        let stored = super::margin();
        stored.validate().unwrap();
        // the levels, with the predictive shock's defaults applied
        let realized = greekhouse::state::StoredRealizedVol::default_params();
        realized.validate().unwrap();
        let mut params = stored.to_risk();
        realized.apply(&mut params.initial, true);
        realized.apply(&mut params.maintenance, false);
        // IM's tail and size charge as listed: the engine's, over a capacity of a tenth of the
        // open-interest cap (the engine's default has no capacity)
        let tail = greekhouse::state::StoredTailAndSize::default_params(1_000_000);
        tail.validate().unwrap();
        tail.apply(&mut params);
        // a tenth of one unit: 100,000 at exponent 6, 10^11 at the engine's 12
        assert_eq!(
            params.size_capacity,
            greekhouse_risk::Fixed::from_raw(100_000_000_000)
        );
        assert_eq!(
            params,
            greekhouse_risk::MarginParams {
                size_capacity: params.size_capacity,
                ..greekhouse_risk::MarginParams::DEFAULT
            }
        );
    }
}
