//! `set_vol_surface`: its success and each way it must fail.
use super::*;

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
