//! `list_underlying`: its success and each way it must fail.
use super::*;

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
