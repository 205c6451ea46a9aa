//! Listing: underlyings (oracle, vol surface, margin parameters, series rules), collateral
//! assets (SPL Token and Token-2022 with the extension screen), and the vol updater's bounded
//! surface updates (docs/protocol.md §3, 3, 4 and 8).
use crate::harness;
use harness::ext_admin::*;
use harness::*;

use anchor_lang::prelude::Pubkey;
use greekhouse::constants::{bounds, COLLATERAL_SEED, COLLATERAL_VAULT_SEED, UNDERLYING_SEED};
use greekhouse::errors::GreekhouseError;
use greekhouse::instructions::{ListCollateralArgs, ListUnderlyingArgs};
use greekhouse::state::{
    OracleKind, PriceSource, SeriesRules, StoredLevel, StoredMarginParams, StoredVolSurface,
};
use greekhouse_sdk::chain::Chain;
use greekhouse_sdk::ix::{self, ClearinghouseRef};
use greekhouse_sdk::pda;
use solana_keypair::Keypair;
use solana_signer::Signer;

/// A named change to a parameter struct, for tables of refused values.
type Mutation<T> = (&'static str, Box<dyn Fn(&mut T)>);

// ================================================================ helpers

/// List `args` and expect `e`; the underlying count is unchanged afterwards.
#[track_caller]
fn expect_listing_refused(env: &mut Env, args: ListUnderlyingArgs, e: GreekhouseError) {
    let before = env.clearinghouse().underlying_count;
    expect_err(env.list_underlying(args), e);
    assert_eq!(env.clearinghouse().underlying_count, before);
}

/// Next underlying's arguments changed by `f`.
fn args_with(env: &mut Env, f: impl FnOnce(&mut ListUnderlyingArgs)) -> ListUnderlyingArgs {
    let mut a = env.next_underlying_args("ETH");
    f(&mut a);
    a
}

fn level(spot: u32, vol: u32, floor: u32) -> StoredLevel {
    StoredLevel {
        spot_shock_bps: spot,
        vol_shock_bps: vol,
        floor_bps: floor,
        _reserved: 0,
    }
}

/// A list_collateral instruction, sent by the admin.
fn list_collateral(
    env: &mut Env,
    mint: Pubkey,
    token_program: Pubkey,
    price_underlying: Option<Pubkey>,
    args: ListCollateralArgs,
) -> Result<greekhouse_sdk::chain::TxOutcome, greekhouse_sdk::chain::ChainError> {
    env.list_collateral(mint, token_program, price_underlying, args)
}

fn t22_mint(env: &mut Env, exts: &[MintExt]) -> Pubkey {
    let authority = env.mint_authority.pubkey();
    token_2022_mint(&mut env.chain, &authority, 6, exts).expect("token-2022 mint")
}

fn surface_scaled(s: StoredVolSurface, num: u32, den: u32) -> StoredVolSurface {
    let mut n = s;
    for v in n.atm_vol_bps.iter_mut() {
        *v = *v * num / den;
    }
    n
}

// ================================================================ list_underlying

#[test]
fn list_underlying_with_a_pull_oracle_stores_everything_and_emits_the_event() {
    let mut env = Env::new();
    env.advance(1_000);
    let now = env.now();
    let updater = Pubkey::new_unique();
    let mut args = env.next_underlying_args("ETH");
    assert_eq!(args.id, 2);
    args.oracle.feed = [42; 32];
    args.oracle.max_age_secs = 20;
    args.oracle.liq_max_age_secs = 300;
    args.oracle.max_conf_bps = 150;
    args.vol_updater = updater;
    args.surface_max_age_secs = 7_200;
    args.surface_max_change_bps = 2_500;
    args.margin.rate_bps = 425;
    args.series_rules.strike_tick = 5 * USDC;
    args.series_rules.contract_size = 100_000;
    args.open_interest_cap = 12_345 * 1_000_000;

    let out = env.list_underlying(args.clone()).unwrap();

    let key = pda::underlying(&env.ch.clearinghouse, 2);
    let (_, bump) = Pubkey::find_program_address(
        &[
            UNDERLYING_SEED,
            env.ch.clearinghouse.as_ref(),
            &2u16.to_le_bytes(),
        ],
        &greekhouse::ID,
    );
    assert_eq!(
        env.chain.account(&key).unwrap().unwrap().owner,
        greekhouse::ID
    );
    let u = env.underlying(&key);
    assert_eq!(u.version, 1);
    assert_eq!(u.bump, bump);
    assert_eq!(u.id, 2);
    assert_eq!(u.clearinghouse, env.ch.clearinghouse);
    assert_eq!(u.vol_updater, updater);
    assert_eq!(u.symbol, symbol16("ETH"));
    assert_eq!(u.oracle, args.oracle);
    assert_eq!(u.oracle_kind().unwrap(), OracleKind::PullV2);
    assert_eq!(u.last_publish_time, 0);
    assert_eq!(u.last_price, 0);
    assert_eq!(u.surface, args.surface);
    assert_eq!(u.surface_updated_at, now);
    assert_eq!(u.surface_max_age_secs, 7_200);
    assert_eq!(u.surface_max_change_bps, 2_500);
    assert_eq!(u.margin, args.margin);
    assert_eq!(u.series_rules, args.series_rules);
    assert_eq!(u.open_interest_cap, 12_345 * 1_000_000);
    let key = pda::underlying(&env.ch.clearinghouse, 2);
    let ledger = env.underlying_ledger(&key);
    assert_eq!(
        (
            ledger.open_interest,
            ledger.fees_accrued,
            ledger.series_count
        ),
        (0, 0, 0)
    );
    assert_eq!(ledger.underlying, key);
    assert_eq!(env.clearinghouse().underlying_count, 3);

    assert_eq!(event_names(&out), vec!["UnderlyingListed"]);
    let e = event::<UnderlyingListed>(&out);
    assert_eq!(e.clearinghouse, env.ch.clearinghouse);
    assert_eq!(e.underlying, key);
    assert_eq!(e.id, 2);
    assert_eq!(e.symbol, symbol16("ETH"));
    assert_eq!(e.oracle, args.oracle);
    assert_eq!(e.margin, args.margin);
    assert_eq!(e.series_rules, args.series_rules);
    assert_eq!(e.open_interest_cap, args.open_interest_cap);
    assert_eq!(e.vol_updater, updater);
}

#[test]
fn list_underlying_with_a_legacy_oracle() {
    let mut env = Env::new();
    let price_account = Pubkey::new_unique();
    let program = env.legacy_oracle_program;
    let mut args = env.next_underlying_args("JUP");
    args.oracle = legacy_oracle(program, price_account);
    let out = env.list_underlying(args.clone()).unwrap();

    let key = pda::underlying(&env.ch.clearinghouse, args.id);
    let u = env.underlying(&key);
    assert_eq!(u.oracle_kind().unwrap(), OracleKind::Legacy);
    assert_eq!(u.oracle.oracle_program, program);
    assert_eq!(u.oracle.feed, price_account.to_bytes());
    assert_eq!(u.oracle, args.oracle);
    let e = event::<UnderlyingListed>(&out);
    assert_eq!(e.underlying, key);
    assert_eq!(e.oracle.kind, OracleKind::Legacy as u8);
    assert_eq!(e.oracle.feed, price_account.to_bytes());
}

#[test]
fn list_underlying_ids_follow_the_count() {
    let mut env = Env::new();
    for (i, symbol) in ["ETH", "JUP", "BONK"].iter().enumerate() {
        let args = env.next_underlying_args(symbol);
        let out = env.list_underlying(args).unwrap();
        assert_eq!(event::<UnderlyingListed>(&out).id, 2 + i as u16);
    }
    assert_eq!(env.clearinghouse().underlying_count, 5);
}

#[test]
fn list_underlying_by_a_non_admin_fails() {
    let mut env = Env::new();
    let guardian = env.guardian_kp();
    let vol_updater = env.vol_updater_kp();
    let stranger = env.stranger();
    let creator = env.creator.insecure_clone();
    for signer in [&guardian, &vol_updater, &stranger, &creator] {
        let args = env.next_underlying_args("ETH");
        expect_err(
            env.list_underlying_as(signer, args),
            GreekhouseError::NotAdmin,
        );
    }
    assert_eq!(env.clearinghouse().underlying_count, 2);
}

#[test]
fn list_underlying_refuses_an_id_other_than_the_count() {
    let mut env = Env::new();
    for id in [3, 100, u16::MAX] {
        let args = args_with(&mut env, |a| a.id = id);
        expect_listing_refused(&mut env, args, GreekhouseError::ParameterOutOfBounds);
    }
    // an id already taken: its account exists, so the init itself fails
    let args = args_with(&mut env, |a| a.id = 1);
    expect_tx_failure(env.list_underlying(args));
    let btc = env.btc.key;
    assert_eq!(env.underlying(&btc).symbol, symbol16("BTC"));
}

#[test]
fn list_underlying_refuses_oracle_max_age_out_of_bounds() {
    let mut env = Env::new();
    let (lo, hi) = bounds::MAX_AGE_SECS;
    for v in [0, lo - 1, hi + 1] {
        let args = args_with(&mut env, |a| a.oracle.max_age_secs = v);
        expect_listing_refused(&mut env, args, GreekhouseError::ParameterOutOfBounds);
    }
}

#[test]
fn list_underlying_refuses_liquidation_max_age_out_of_bounds_or_below_max_age() {
    let mut env = Env::new();
    let (_, hi) = bounds::LIQ_MAX_AGE_SECS;
    let args = args_with(&mut env, |a| a.oracle.liq_max_age_secs = hi + 1);
    expect_listing_refused(&mut env, args, GreekhouseError::ParameterOutOfBounds);
    // liquidation may use older prices than writes, never fresher ones only
    let args = args_with(&mut env, |a| {
        a.oracle.max_age_secs = 60;
        a.oracle.liq_max_age_secs = 59;
    });
    expect_listing_refused(&mut env, args, GreekhouseError::ParameterOutOfBounds);
}

#[test]
fn list_underlying_refuses_max_confidence_out_of_bounds() {
    let mut env = Env::new();
    let (lo, hi) = bounds::MAX_CONF_BPS;
    for v in [0, lo - 1, hi + 1] {
        let args = args_with(&mut env, |a| a.oracle.max_conf_bps = v);
        expect_listing_refused(&mut env, args, GreekhouseError::ParameterOutOfBounds);
    }
}

#[test]
fn list_underlying_accepts_oracle_bounds_inclusive() {
    let mut env = Env::new();
    let cases: [(u32, u32, u32); 3] = [
        (
            bounds::MAX_AGE_SECS.0,
            bounds::MAX_AGE_SECS.0,
            bounds::MAX_CONF_BPS.0,
        ),
        (
            bounds::MAX_AGE_SECS.1,
            bounds::LIQ_MAX_AGE_SECS.1,
            bounds::MAX_CONF_BPS.1,
        ),
        (60, 60, 500), // liquidation age equal to the write age
    ];
    for (age, liq, conf) in cases {
        let args = args_with(&mut env, |a| {
            a.oracle.max_age_secs = age;
            a.oracle.liq_max_age_secs = liq;
            a.oracle.max_conf_bps = conf;
        });
        let id = args.id;
        env.list_underlying(args).unwrap();
        let key = pda::underlying(&env.ch.clearinghouse, id);
        let u = env.underlying(&key);
        assert_eq!(
            (
                u.oracle.max_age_secs,
                u.oracle.liq_max_age_secs,
                u.oracle.max_conf_bps
            ),
            (age, liq, conf)
        );
    }
}

#[test]
fn list_underlying_refuses_an_unknown_oracle_kind() {
    let mut env = Env::new();
    for kind in [2u8, 7, u8::MAX] {
        let args = args_with(&mut env, |a| a.oracle.kind = kind);
        expect_listing_refused(&mut env, args, GreekhouseError::InvalidOracleKind);
    }
}

#[test]
fn list_underlying_refuses_the_default_oracle_program() {
    let mut env = Env::new();
    let args = args_with(&mut env, |a| a.oracle.oracle_program = Pubkey::default());
    expect_listing_refused(&mut env, args, GreekhouseError::OracleWrongOwner);
}

#[test]
fn list_underlying_refuses_initial_margin_below_maintenance() {
    let mut env = Env::new();
    let mm = level(1_200, 2_500, 120);
    // IM below MM in any one component
    let ims = [
        level(1_199, 4_000, 200),
        level(2_000, 2_499, 200),
        level(2_000, 4_000, 119),
    ];
    for im in ims {
        let args = args_with(&mut env, |a| {
            a.margin.initial = im;
            a.margin.maintenance = mm;
        });
        expect_listing_refused(&mut env, args, GreekhouseError::MarginLevelsOutOfOrder);
    }
    // IM equal to MM is allowed
    let args = args_with(&mut env, |a| {
        a.margin.initial = mm;
        a.margin.maintenance = mm;
    });
    env.list_underlying(args).unwrap();
}

#[test]
fn list_underlying_refuses_shocks_and_floors_out_of_bounds() {
    let mut env = Env::new();
    let (spot_lo, spot_hi) = bounds::SPOT_SHOCK_BPS;
    let vol_hi = bounds::VOL_SHOCK_BPS.1;
    let floor_hi = bounds::FLOOR_BPS.1;
    let cases: Vec<Mutation<StoredMarginParams>> = vec![
        (
            "IM spot above",
            Box::new(move |m| m.initial.spot_shock_bps = spot_hi + 1),
        ),
        (
            "MM spot below",
            Box::new(move |m| m.maintenance.spot_shock_bps = spot_lo - 1),
        ),
        (
            "MM spot zero",
            Box::new(|m| m.maintenance.spot_shock_bps = 0),
        ),
        (
            "IM vol shock",
            Box::new(move |m| m.initial.vol_shock_bps = vol_hi + 1),
        ),
        (
            "IM floor",
            Box::new(move |m| m.initial.floor_bps = floor_hi + 1),
        ),
        (
            "reserved level field",
            Box::new(|m| m.maintenance._reserved = 1),
        ),
        (
            "vol reference tenor below",
            Box::new(|m| m.vol_ref_secs = bounds::VOL_REF_SECS.0 - 1),
        ),
        (
            "vol reference tenor above",
            Box::new(|m| m.vol_ref_secs = bounds::VOL_REF_SECS.1 + 1),
        ),
        (
            "vol power",
            Box::new(|m| m.vol_power_bps = bounds::VOL_POWER_BPS.1 + 1),
        ),
        (
            "term cap below one",
            Box::new(|m| m.vol_term_cap_bps = bounds::VOL_TERM_CAP_BPS.0 - 1),
        ),
        (
            "term cap above",
            Box::new(|m| m.vol_term_cap_bps = bounds::VOL_TERM_CAP_BPS.1 + 1),
        ),
        (
            "stale penalty per hour",
            Box::new(|m| m.stale_vol_per_hour_bps = bounds::STALE_VOL_PER_HOUR_BPS.1 + 1),
        ),
        (
            "stale penalty cap",
            Box::new(|m| m.stale_vol_cap_bps = bounds::STALE_VOL_CAP_BPS.1 + 1),
        ),
    ];
    for (name, set) in cases {
        let args = args_with(&mut env, |a| set(&mut a.margin));
        let before = env.clearinghouse().underlying_count;
        let r = env.list_underlying(args);
        assert_eq!(
            r.as_ref().err().and_then(|e| e.custom_code()),
            Some(code(GreekhouseError::ParameterOutOfBounds)),
            "{name}: {r:?}"
        );
        assert_eq!(env.clearinghouse().underlying_count, before);
    }
}

#[test]
fn list_underlying_refuses_a_rate_out_of_bounds() {
    let mut env = Env::new();
    let (lo, hi) = bounds::RATE_BPS;
    for v in [lo - 1, hi + 1, i32::MIN, i32::MAX] {
        let args = args_with(&mut env, |a| a.margin.rate_bps = v);
        expect_listing_refused(&mut env, args, GreekhouseError::ParameterOutOfBounds);
    }
    for v in [lo, hi] {
        let args = args_with(&mut env, |a| a.margin.rate_bps = v);
        env.list_underlying(args).unwrap();
    }
}

#[test]
fn list_underlying_refuses_an_invalid_vol_surface() {
    let mut env = Env::new();
    let base = default_surface();
    let mut cases: Vec<(&str, StoredVolSurface)> = Vec::new();
    let mut s = base;
    s.tenor_secs.swap(1, 2);
    cases.push(("unsorted tenors", s));
    let mut s = base;
    s.tenor_secs[2] = s.tenor_secs[1];
    cases.push(("repeated tenor", s));
    let mut s = base;
    s.tenor_secs[0] = 0;
    cases.push(("zero tenor", s));
    let mut s = base;
    s.tenor_count = 0;
    cases.push(("no tenor", s));
    let mut s = base;
    s.tenor_count = 5;
    cases.push(("five tenors", s));
    let mut s = base;
    s.atm_vol_bps[3] = 50_001;
    cases.push(("vol above 500 %", s));
    let mut s = base;
    s.atm_vol_bps[0] = 99;
    cases.push(("vol below 1 %", s));
    let mut s = base;
    s.min_vol_bps = 99;
    cases.push(("floor below 1 %", s));
    let mut s = base;
    s.skew_bps = -50_001;
    cases.push(("skew beyond 5", s));
    let mut s = base;
    s.smile_bps = 100_001;
    cases.push(("smile beyond 10", s));
    for (name, surface) in cases {
        let args = args_with(&mut env, |a| a.surface = surface);
        let r = env.list_underlying(args);
        assert_eq!(
            r.as_ref().err().and_then(|e| e.custom_code()),
            Some(code(GreekhouseError::InvalidVolSurface)),
            "{name}: {r:?}"
        );
    }
    assert_eq!(env.clearinghouse().underlying_count, 2);
    // a single tenor point with the extreme vols is valid
    let mut s = StoredVolSurface {
        tenor_count: 1,
        ..StoredVolSurface::default()
    };
    s.tenor_secs[0] = 1;
    s.atm_vol_bps[0] = 50_000;
    s.min_vol_bps = 100;
    s.skew_bps = 50_000;
    s.smile_bps = -100_000;
    let args = args_with(&mut env, |a| a.surface = s);
    env.list_underlying(args).unwrap();
}

#[test]
fn list_underlying_refuses_surface_max_age_out_of_bounds() {
    let mut env = Env::new();
    let (lo, hi) = bounds::SURFACE_MAX_AGE_SECS;
    for v in [0, lo - 1, hi + 1] {
        let args = args_with(&mut env, |a| a.surface_max_age_secs = v);
        expect_listing_refused(&mut env, args, GreekhouseError::ParameterOutOfBounds);
    }
}

#[test]
fn list_underlying_refuses_surface_max_change_out_of_bounds() {
    let mut env = Env::new();
    let (lo, hi) = bounds::SURFACE_MAX_CHANGE_BPS;
    for v in [0, lo - 1, hi + 1] {
        let args = args_with(&mut env, |a| a.surface_max_change_bps = v);
        expect_listing_refused(&mut env, args, GreekhouseError::ParameterOutOfBounds);
    }
}

#[test]
fn list_underlying_refuses_unusable_series_rules() {
    let mut env = Env::new();
    const HOUR: u32 = 3_600;
    let cases: Vec<Mutation<SeriesRules>> = vec![
        (
            "interval under an hour",
            Box::new(|r| r.expiry_interval_secs = HOUR - 1),
        ),
        (
            "offset equal to interval",
            Box::new(|r| r.expiry_offset_secs = r.expiry_interval_secs),
        ),
        (
            "offset beyond interval",
            Box::new(|r| r.expiry_offset_secs = r.expiry_interval_secs + 1),
        ),
        (
            "horizon under interval",
            Box::new(|r| r.max_horizon_secs = r.expiry_interval_secs - 1),
        ),
        (
            "horizon beyond two years",
            Box::new(|r| r.max_horizon_secs = 2 * 31_536_000 + 1),
        ),
        ("zero strike band", Box::new(|r| r.strike_band_bps = 0)),
        (
            "strike band of 1000 %",
            Box::new(|r| r.strike_band_bps = 100_000),
        ),
        ("zero tick", Box::new(|r| r.strike_tick = 0)),
        ("zero contract size", Box::new(|r| r.contract_size = 0)),
    ];
    for (name, set) in cases {
        let args = args_with(&mut env, |a| set(&mut a.series_rules));
        let r = env.list_underlying(args);
        assert_eq!(
            r.as_ref().err().and_then(|e| e.custom_code()),
            Some(code(GreekhouseError::ParameterOutOfBounds)),
            "{name}: {r:?}"
        );
    }
    assert_eq!(env.clearinghouse().underlying_count, 2);
    // the tightest grid that is allowed: hourly, offset just under the interval
    let args = args_with(&mut env, |a| {
        a.series_rules.expiry_interval_secs = HOUR;
        a.series_rules.expiry_offset_secs = HOUR - 1;
        a.series_rules.max_horizon_secs = HOUR;
    });
    env.list_underlying(args).unwrap();
}

#[test]
fn list_underlying_refuses_the_default_vol_updater() {
    let mut env = Env::new();
    let args = args_with(&mut env, |a| a.vol_updater = Pubkey::default());
    expect_listing_refused(&mut env, args, GreekhouseError::NotVolUpdater);
}

/// `list_underlying` requires `id == underlying_count` and the underlying's address is a PDA of
/// that id, so the next address is always known. Sending it the rent minimum before the admin
/// lists makes Anchor 1.2's `init` go through `CreateAccountAllowPrefund`, which this runtime
/// refuses: the admin can then never list another underlying (the id cannot be skipped).
#[test]
fn a_prefunded_underlying_address_does_not_block_listing() {
    let mut env = Env::new();
    // a griefer pre-funds the next underlying id and its ledger
    let next = pda::underlying(&env.ch.clearinghouse, 2);
    prefund(&mut env.chain, &next);
    prefund(&mut env.chain, &pda::underlying_ledger(&next));
    let args = env.next_underlying_args("ETH");
    env.list_underlying(args).unwrap();
    assert_eq!(env.clearinghouse().underlying_count, 3);
    assert_eq!(env.underlying(&next).id, 2);
    assert_eq!(env.underlying_ledger(&next).underlying, next);
}

// ================================================================ list_collateral

#[test]
fn list_collateral_spl_token_priced_by_an_underlying() {
    let mut env = Env::new();
    let mint = env.fresh_mint(SPL_TOKEN, 8); // a wrapped-BTC-like mint
    let btc = env.btc.key;
    let args = ListCollateralArgs {
        price_source: PriceSource::Underlying as u8,
        init_weight_bps: 7_000,
        maint_weight_bps: 8_500,
        deposit_cap: 21 * 100_000_000,
    };
    let out = list_collateral(&mut env, mint, SPL_TOKEN, Some(btc), args).unwrap();

    let asset_key = pda::collateral_asset(&env.ch.clearinghouse, &mint);
    let vault_key = pda::collateral_vault(&asset_key);
    let (_, bump) = Pubkey::find_program_address(
        &[
            COLLATERAL_SEED,
            env.ch.clearinghouse.as_ref(),
            mint.as_ref(),
        ],
        &greekhouse::ID,
    );
    let (_, vault_bump) = Pubkey::find_program_address(
        &[COLLATERAL_VAULT_SEED, asset_key.as_ref()],
        &greekhouse::ID,
    );
    let a = env.collateral_state(&mint);
    assert_eq!(a.version, 1);
    assert_eq!(a.bump, bump);
    assert_eq!(a.vault_bump, vault_bump);
    assert_eq!(a.decimals, 8);
    assert_eq!(a.price_source, PriceSource::Underlying as u8);
    assert_eq!(a.is_token_2022, 0);
    assert_eq!(a.init_weight_bps, 7_000);
    assert_eq!(a.maint_weight_bps, 8_500);
    assert_eq!(a.clearinghouse, env.ch.clearinghouse);
    assert_eq!(a.mint, mint);
    assert_eq!(a.token_program, SPL_TOKEN);
    assert_eq!(a.vault, vault_key);
    assert_eq!(a.price_underlying, btc);
    assert_eq!(a.deposit_cap, 21 * 100_000_000);
    assert_eq!(env.clearinghouse().collateral_count, 2);

    let vault = token_account_info(&mut env.chain, &vault_key);
    assert_eq!(
        vault,
        TokenAccountInfo {
            mint,
            owner: env.ch.clearinghouse,
            amount: 0,
            program: SPL_TOKEN,
        }
    );

    assert_eq!(event_names(&out), vec!["CollateralListed"]);
    let e = event::<CollateralListed>(&out);
    assert_eq!(e.clearinghouse, env.ch.clearinghouse);
    assert_eq!(e.collateral_asset, asset_key);
    assert_eq!(e.mint, mint);
    assert_eq!(e.token_program, SPL_TOKEN);
    assert_eq!(e.vault, vault_key);
    assert_eq!(e.price_source, PriceSource::Underlying as u8);
    assert_eq!(e.price_underlying, btc);
    assert_eq!(e.init_weight_bps, 7_000);
    assert_eq!(e.maint_weight_bps, 8_500);
    assert_eq!(e.deposit_cap, 21 * 100_000_000);
}

#[test]
fn list_collateral_token_2022_pegged() {
    let mut env = Env::new();
    let mint = env.fresh_mint(TOKEN_2022, 6); // a USDT-like stablecoin
    let args = ListCollateralArgs {
        price_source: PriceSource::Pegged as u8,
        init_weight_bps: 9_500,
        maint_weight_bps: 9_800,
        deposit_cap: 5_000_000 * USDC,
    };
    let out = list_collateral(&mut env, mint, TOKEN_2022, None, args).unwrap();

    let asset_key = pda::collateral_asset(&env.ch.clearinghouse, &mint);
    let vault_key = pda::collateral_vault(&asset_key);
    let a = env.collateral_state(&mint);
    assert_eq!(a.price_source, PriceSource::Pegged as u8);
    assert_eq!(a.is_token_2022, 1);
    assert_eq!(a.token_program, TOKEN_2022);
    assert_eq!(a.price_underlying, Pubkey::default());
    assert_eq!(a.decimals, 6);
    assert_eq!((a.init_weight_bps, a.maint_weight_bps), (9_500, 9_800));
    assert_eq!(a.vault, vault_key);
    let vault = token_account_info(&mut env.chain, &vault_key);
    assert_eq!(vault.program, TOKEN_2022);
    assert_eq!(vault.owner, env.ch.clearinghouse);
    assert_eq!(vault.mint, mint);

    let e = event::<CollateralListed>(&out);
    assert_eq!(e.collateral_asset, asset_key);
    assert_eq!(e.token_program, TOKEN_2022);
    assert_eq!(e.price_source, PriceSource::Pegged as u8);
    assert_eq!(e.price_underlying, Pubkey::default());
    assert_eq!(e.deposit_cap, 5_000_000 * USDC);
}

#[test]
fn list_collateral_accepts_weight_bounds_inclusive() {
    let mut env = Env::new();
    for (init, maint) in [(0, 0), (0, 10_000), (10_000, 10_000)] {
        let mint = env.fresh_mint(SPL_TOKEN, 6);
        let mut args = collateral_args(0);
        args.init_weight_bps = init;
        args.maint_weight_bps = maint;
        list_collateral(&mut env, mint, SPL_TOKEN, None, args).unwrap();
        let a = env.collateral_state(&mint);
        assert_eq!((a.init_weight_bps, a.maint_weight_bps), (init, maint));
    }
}

#[test]
fn list_collateral_refuses_the_quote_mint() {
    let mut env = Env::new();
    let quote = env.ch.quote_mint;
    expect_err(
        list_collateral(&mut env, quote, SPL_TOKEN, None, collateral_args(0)),
        GreekhouseError::QuoteMintIsNotCollateral,
    );
    let sol = env.sol.key;
    expect_err(
        list_collateral(&mut env, quote, SPL_TOKEN, Some(sol), collateral_args(1)),
        GreekhouseError::QuoteMintIsNotCollateral,
    );
    let asset = pda::collateral_asset(&env.ch.clearinghouse, &quote);
    assert!(env.chain.account(&asset).unwrap().is_none());
}

#[test]
fn list_collateral_by_a_non_admin_fails() {
    let mut env = Env::new();
    let mint = env.fresh_mint(SPL_TOKEN, 6);
    let guardian = env.guardian_kp();
    let stranger = env.stranger();
    for signer in [&guardian, &stranger] {
        expect_err(
            env.list_collateral_as(signer, mint, SPL_TOKEN, None, collateral_args(0)),
            GreekhouseError::NotAdmin,
        );
    }
    assert_eq!(env.clearinghouse().collateral_count, 1);
}

#[test]
fn list_collateral_refuses_an_initial_weight_above_the_maintenance_weight() {
    let mut env = Env::new();
    let mint = env.fresh_mint(SPL_TOKEN, 6);
    let mut args = collateral_args(0);
    args.init_weight_bps = 9_001;
    args.maint_weight_bps = 9_000;
    expect_err(
        list_collateral(&mut env, mint, SPL_TOKEN, None, args),
        GreekhouseError::WeightsOutOfOrder,
    );
}

#[test]
fn list_collateral_refuses_a_weight_above_100_percent() {
    let mut env = Env::new();
    let mint = env.fresh_mint(SPL_TOKEN, 6);
    for (init, maint) in [(9_000, 10_001), (10_001, 10_001), (10_001, u16::MAX)] {
        let mut args = collateral_args(0);
        args.init_weight_bps = init;
        args.maint_weight_bps = maint;
        expect_err(
            list_collateral(&mut env, mint, SPL_TOKEN, None, args),
            GreekhouseError::ParameterOutOfBounds,
        );
    }
}

#[test]
fn list_collateral_refuses_a_price_source_inconsistent_with_the_underlying() {
    let mut env = Env::new();
    let mint = env.fresh_mint(SPL_TOKEN, 6);
    let sol = env.sol.key;
    // priced by an underlying, but none given
    expect_err(
        list_collateral(&mut env, mint, SPL_TOKEN, None, collateral_args(1)),
        GreekhouseError::InvalidPriceSource,
    );
    // pegged, but an underlying given
    expect_err(
        list_collateral(&mut env, mint, SPL_TOKEN, Some(sol), collateral_args(0)),
        GreekhouseError::InvalidPriceSource,
    );
    // no such source
    for source in [2, 7, u8::MAX] {
        expect_err(
            list_collateral(&mut env, mint, SPL_TOKEN, None, collateral_args(source)),
            GreekhouseError::InvalidPriceSource,
        );
        expect_err(
            list_collateral(
                &mut env,
                mint,
                SPL_TOKEN,
                Some(sol),
                collateral_args(source),
            ),
            GreekhouseError::InvalidPriceSource,
        );
    }
    assert_eq!(env.clearinghouse().collateral_count, 1);
}

#[test]
fn list_collateral_refuses_an_underlying_of_another_clearinghouse() {
    let mut env = Env::new();
    // a second clearing house (same quote mint, another creator) with its own underlying 0
    let creator = env.stranger();
    let other_admin = env.stranger();
    let other = ClearinghouseRef::new(env.ch.quote_mint, creator.pubkey(), SPL_TOKEN);
    let ix = ix::initialize_clearinghouse(
        &other,
        creator.pubkey(),
        greekhouse::instructions::InitializeClearinghouseArgs {
            admin: other_admin.pubkey(),
            guardian: other_admin.pubkey(),
            params: default_params(),
        },
    );
    env.send_as(ix, &creator).unwrap();
    let args = underlying_args(
        0,
        "SOL",
        pull_oracle(SOL_FEED_ID),
        other_admin.pubkey(),
        USDC,
        1_000_000,
    );
    let payer = env.chain.payer();
    let ix = ix::list_underlying(other.clearinghouse, payer, other_admin.pubkey(), args);
    env.send_as(ix, &other_admin).unwrap();
    let foreign = pda::underlying(&other.clearinghouse, 0);

    let mint = env.fresh_mint(SPL_TOKEN, 9);
    expect_err(
        list_collateral(&mut env, mint, SPL_TOKEN, Some(foreign), collateral_args(1)),
        GreekhouseError::WrongClearinghouse,
    );
}

#[test]
fn list_collateral_refuses_a_price_underlying_that_is_not_an_underlying() {
    let mut env = Env::new();
    let mint = env.fresh_mint(SPL_TOKEN, 9);
    let ch = env.ch.clearinghouse;
    expect_anchor_err(
        list_collateral(&mut env, mint, SPL_TOKEN, Some(ch), collateral_args(1)),
        ANCHOR_DISCRIMINATOR_MISMATCH,
    );
    let quote = env.ch.quote_mint;
    expect_anchor_err(
        list_collateral(&mut env, mint, SPL_TOKEN, Some(quote), collateral_args(1)),
        ANCHOR_OWNED_BY_WRONG_PROGRAM,
    );
}

#[test]
fn list_collateral_refuses_a_mint_that_does_not_exist() {
    let mut env = Env::new();
    expect_anchor_err(
        list_collateral(
            &mut env,
            Pubkey::new_unique(),
            SPL_TOKEN,
            None,
            collateral_args(0),
        ),
        ANCHOR_NOT_INITIALIZED,
    );
}

#[test]
fn list_collateral_twice_fails_and_keeps_the_first_listing() {
    let mut env = Env::new();
    let sol_mint = env.sol_mint;
    let mut args = collateral_args(0);
    args.init_weight_bps = 10_000;
    args.maint_weight_bps = 10_000;
    expect_tx_failure(list_collateral(&mut env, sol_mint, SPL_TOKEN, None, args));
    let a = env.collateral_state(&sol_mint);
    assert_eq!((a.init_weight_bps, a.maint_weight_bps), (8_000, 9_000));
    assert_eq!(a.price_underlying, env.sol.key);
    assert_eq!(env.clearinghouse().collateral_count, 1);
}

#[test]
fn list_collateral_fails_when_the_token_program_does_not_own_the_mint() {
    let mut env = Env::new();
    let spl = env.fresh_mint(SPL_TOKEN, 6);
    let t22 = env.fresh_mint(TOKEN_2022, 6);
    for (mint, program) in [(spl, TOKEN_2022), (t22, SPL_TOKEN)] {
        expect_err(
            list_collateral(&mut env, mint, program, None, collateral_args(0)),
            GreekhouseError::WrongTokenProgram,
        );
        let asset = pda::collateral_asset(&env.ch.clearinghouse, &mint);
        assert!(env.chain.account(&asset).unwrap().is_none());
    }
    assert_eq!(env.clearinghouse().collateral_count, 1);
}

#[test]
fn list_collateral_refuses_token_2022_mints_with_extensions_the_ledger_cannot_handle() {
    let mut env = Env::new();
    let cases = [
        (
            MintExt::TransferFee,
            GreekhouseError::UnsupportedMintExtension,
        ),
        (
            MintExt::PermanentDelegate,
            GreekhouseError::UnsupportedMintExtension,
        ),
        (
            MintExt::NonTransferable,
            GreekhouseError::UnsupportedMintExtension,
        ),
        (
            MintExt::CloseAuthority,
            GreekhouseError::UnsupportedMintExtension,
        ),
        (
            MintExt::TransferHook,
            GreekhouseError::UnsupportedMintExtension,
        ),
        (MintExt::Pausable, GreekhouseError::UnsupportedMintExtension),
        (
            MintExt::ConfidentialTransfer,
            GreekhouseError::UnsupportedMintExtension,
        ),
        (MintExt::DefaultFrozen, GreekhouseError::DefaultFrozenMint),
        // the UI amount drifts from the raw amount the ledger counts (a reverse split to a
        // 0.5 multiplier would otherwise be valued at the raw amount, twice its worth)
        (
            MintExt::ScaledUiAmount,
            GreekhouseError::DriftingUiAmountMint,
        ),
        (
            MintExt::InterestBearing,
            GreekhouseError::DriftingUiAmountMint,
        ),
    ];
    for (ext, want) in cases {
        let mint = t22_mint(&mut env, &[ext]);
        let r = list_collateral(&mut env, mint, TOKEN_2022, None, collateral_args(0));
        assert_eq!(
            r.as_ref().err().and_then(|e| e.custom_code()),
            Some(code(want)),
            "{ext:?}: {r:?}"
        );
        let asset = pda::collateral_asset(&env.ch.clearinghouse, &mint);
        assert!(env.chain.account(&asset).unwrap().is_none(), "{ext:?}");
    }
    // one bad extension among harmless ones is enough
    let mint = t22_mint(
        &mut env,
        &[MintExt::MetadataPointer, MintExt::PermanentDelegate],
    );
    expect_err(
        list_collateral(&mut env, mint, TOKEN_2022, None, collateral_args(0)),
        GreekhouseError::UnsupportedMintExtension,
    );
    assert_eq!(env.clearinghouse().collateral_count, 1);
}

#[test]
fn list_collateral_accepts_token_2022_mints_with_display_only_extensions() {
    let mut env = Env::new();
    let cases: [&[MintExt]; 2] = [&[MintExt::MetadataPointer], &[MintExt::MetadataPointer]];
    for exts in cases {
        let mint = t22_mint(&mut env, exts);
        let out = list_collateral(&mut env, mint, TOKEN_2022, None, collateral_args(0))
            .unwrap_or_else(|e| panic!("{exts:?} refused: {e}"));
        assert_eq!(event::<CollateralListed>(&out).mint, mint);
        let a = env.collateral_state(&mint);
        assert_eq!(a.is_token_2022, 1);
        let vault = token_account_info(&mut env.chain, &a.vault);
        assert_eq!(
            (vault.program, vault.owner),
            (TOKEN_2022, env.ch.clearinghouse)
        );
    }
    assert_eq!(env.clearinghouse().collateral_count, 3);
}

/// The collateral asset's address is a PDA of (clearing house, mint): anyone can pre-fund it
/// (the rent minimum) and Anchor 1.2's `init` then fails through `CreateAccountAllowPrefund`,
/// so a griefer can stop any mint from ever being listed.
#[test]
fn a_prefunded_collateral_asset_address_does_not_block_listing() {
    let mut env = Env::new();
    let mint = env.fresh_mint(SPL_TOKEN, 6);
    let asset = pda::collateral_asset(&env.ch.clearinghouse, &mint);
    prefund(&mut env.chain, &asset);
    prefund(&mut env.chain, &pda::collateral_vault(&asset));
    list_collateral(&mut env, mint, SPL_TOKEN, None, collateral_args(0)).unwrap();
    let vault = pda::collateral_vault(&asset);
    assert_eq!(env.chain.account(&vault).unwrap().unwrap().owner, SPL_TOKEN);
    assert_eq!(env.collateral_state(&mint).mint, mint);
}

// ================================================================ set_vol_surface

#[test]
fn set_vol_surface_stores_the_surface_and_its_time() {
    let mut env = Env::new();
    env.advance(600);
    let now = env.now();
    let sol = env.sol.key;
    let mut surface = surface_scaled(default_surface(), 11, 10); // +10 % everywhere
    surface.skew_bps = -1_500;
    surface.smile_bps = 2_500;
    surface.min_vol_bps = 2_200;
    let updater = env.vol_updater_kp();
    let out = env.set_vol_surface_as(&updater, sol, surface).unwrap();

    let u = env.underlying(&sol);
    assert_eq!(u.surface, surface);
    assert_eq!(u.surface_updated_at, now);
    assert!(!u.surface_is_stale(now));
    assert_eq!(event_names(&out), vec!["VolSurfaceSet"]);
    let e = event::<VolSurfaceSet>(&out);
    assert_eq!(e.underlying, sol);
    assert_eq!(e.surface, surface);
    assert_eq!(e.updated_at, now);
    // other underlyings keep theirs
    let btc = env.btc.key;
    assert_eq!(env.underlying(&btc).surface, default_surface());
}

#[test]
fn set_vol_surface_refreshes_a_stale_surface() {
    let mut env = Env::new();
    let sol = env.sol.key;
    env.advance(3_601); // the fixture's surface max age is one hour
    let now = env.now();
    assert!(env.underlying(&sol).surface_is_stale(now));
    let updater = env.vol_updater_kp();
    env.set_vol_surface_as(&updater, sol, default_surface())
        .unwrap();
    let u = env.underlying(&sol);
    assert_eq!(u.surface_updated_at, now);
    assert!(!u.surface_is_stale(now));
}

#[test]
fn set_vol_surface_by_another_key_than_the_vol_updater_fails() {
    let mut env = Env::new();
    let sol = env.sol.key;
    let admin = env.admin_kp();
    let guardian = env.guardian_kp();
    let stranger = env.stranger();
    let surface = surface_scaled(default_surface(), 11, 10);
    for signer in [&admin, &guardian, &stranger] {
        expect_err(
            env.set_vol_surface_as(signer, sol, surface),
            GreekhouseError::NotVolUpdater,
        );
    }
    assert_eq!(env.underlying(&sol).surface, default_surface());
}

#[test]
fn the_vol_updater_of_one_underlying_cannot_set_another() {
    let mut env = Env::new();
    let own_updater = Keypair::new();
    let mut args = env.next_underlying_args("ETH");
    args.vol_updater = own_updater.pubkey();
    let id = args.id;
    env.list_underlying(args).unwrap();
    let eth = pda::underlying(&env.ch.clearinghouse, id);

    let fixture_updater = env.vol_updater_kp();
    let surface = surface_scaled(default_surface(), 11, 10);
    expect_err(
        env.set_vol_surface_as(&fixture_updater, eth, surface),
        GreekhouseError::NotVolUpdater,
    );
    let sol = env.sol.key;
    env.chain
        .transfer_lamports(&own_updater.pubkey(), LAMPORTS_PER_SOL)
        .unwrap();
    expect_err(
        env.set_vol_surface_as(&own_updater, sol, surface),
        GreekhouseError::NotVolUpdater,
    );
    env.set_vol_surface_as(&own_updater, eth, surface).unwrap();
    assert_eq!(env.underlying(&eth).surface, surface);
}

#[test]
fn set_vol_surface_accepts_a_step_of_exactly_the_max_change() {
    let mut env = Env::new();
    let sol = env.sol.key;
    let updater = env.vol_updater_kp();
    // the fixture allows 50 % per update
    assert_eq!(env.underlying(&sol).surface_max_change_bps, 5_000);
    let mut up = surface_scaled(default_surface(), 3, 2);
    up.min_vol_bps = 3_000; // 2_000 + 50 %
    up.skew_bps = -1_000 + 5_000; // skew moves by 0.5 * max(|skew|, 1)
    up.smile_bps = 2_000 - 5_000;
    env.set_vol_surface_as(&updater, sol, up).unwrap();
    assert_eq!(env.underlying(&sol).surface, up);
    // and down by half again
    let mut down = surface_scaled(up, 1, 2);
    down.min_vol_bps = 1_500;
    env.set_vol_surface_as(&updater, sol, down).unwrap();
    assert_eq!(env.underlying(&sol).surface, down);
}

#[test]
fn set_vol_surface_refuses_a_step_beyond_the_max_change() {
    let mut env = Env::new();
    let sol = env.sol.key;
    let updater = env.vol_updater_kp();
    let base = default_surface();
    let mut cases: Vec<(&str, StoredVolSurface)> = Vec::new();
    let mut s = base;
    s.atm_vol_bps[0] = 8_000 * 3 / 2 + 1;
    cases.push(("ATM vol up", s));
    let mut s = base;
    s.atm_vol_bps[3] = 6_800 / 2 - 1;
    cases.push(("ATM vol down", s));
    let mut s = base;
    s.min_vol_bps = 3_001;
    cases.push(("floor", s));
    let mut s = base;
    s.skew_bps = -1_000 + 5_001;
    cases.push(("skew", s));
    let mut s = base;
    s.smile_bps = 2_000 - 5_001;
    cases.push(("smile", s));
    // a different tenor grid is never a vol update
    let mut s = base;
    s.tenor_secs[3] += 1;
    cases.push(("moved tenor", s));
    let mut s = base;
    s.tenor_count = 3;
    cases.push(("dropped tenor", s));
    for (name, surface) in cases {
        let r = env.set_vol_surface_as(&updater, sol, surface);
        assert_eq!(
            r.as_ref().err().and_then(|e| e.custom_code()),
            Some(code(GreekhouseError::VolSurfaceStepTooLarge)),
            "{name}: {r:?}"
        );
    }
    assert_eq!(env.underlying(&sol).surface, base);
}

#[test]
fn set_vol_surface_refuses_an_invalid_surface() {
    let mut env = Env::new();
    let sol = env.sol.key;
    let updater = env.vol_updater_kp();
    let base = default_surface();
    let mut cases: Vec<(&str, StoredVolSurface)> = Vec::new();
    let mut s = base;
    s.tenor_count = 0;
    cases.push(("no tenor", s));
    let mut s = base;
    s.tenor_secs.swap(0, 1);
    cases.push(("unsorted tenors", s));
    let mut s = base;
    s.min_vol_bps = 99;
    cases.push(("floor below 1 %", s));
    let mut s = base;
    s.tenor_count = 5;
    cases.push(("five tenors", s));
    for (name, surface) in cases {
        let r = env.set_vol_surface_as(&updater, sol, surface);
        assert_eq!(
            r.as_ref().err().and_then(|e| e.custom_code()),
            Some(code(GreekhouseError::InvalidVolSurface)),
            "{name}: {r:?}"
        );
    }
    assert_eq!(env.underlying(&sol).surface, base);
}

#[test]
fn set_vol_surface_refuses_an_account_that_is_not_an_underlying() {
    let mut env = Env::new();
    let updater = env.vol_updater_kp();
    let ch = env.ch.clearinghouse;
    expect_anchor_err(
        env.set_vol_surface_as(&updater, ch, default_surface()),
        ANCHOR_DISCRIMINATOR_MISMATCH,
    );
    expect_anchor_err(
        env.set_vol_surface_as(&updater, Pubkey::new_unique(), default_surface()),
        ANCHOR_OWNED_BY_WRONG_PROGRAM,
    );
}
