//! A tightening and a loosening of every governed value.
use super::*;

/// Tighten at once, then queue a loosening that waits out the timelock.
pub(super) fn tighten_then_loosen(
    env: &mut Env,
    target: ChangeTarget,
    tight: GovValue,
    loose: GovValue,
) {
    let read = |env: &mut Env| current(env, &target, &tight);
    let before = read(env);
    env.queue_change(target, tight).unwrap();
    assert_eq!(read(env), tight, "tightening applies at once");
    assert_ne!(before, tight);
    let id = env.next_change_id();
    let out = env.queue_change(target, loose).unwrap();
    assert_eq!(event::<ChangeQueued>(&out).new, loose);
    assert_eq!(read(env), tight, "loosening waits");
    expect_err(env.execute_change(id, target), E::TimelockNotOver);
    env.advance(TIMELOCK);
    env.execute_change(id, target).unwrap();
    assert_eq!(read(env), loose);
}

/// The value of `like`'s kind the target holds (decoded off chain).
pub(super) fn current(env: &mut Env, target: &ChangeTarget, like: &GovValue) -> GovValue {
    use greekhouse::engine::governance as g;
    if let Some(u) = target.underlying {
        let u = env.underlying(&u);
        g::read_underlying(&u, like).unwrap()
    } else if let Some(c) = target.collateral_asset {
        let c: CollateralAsset = env.state(&c);
        g::read_collateral(&c, like).unwrap()
    } else {
        let ch = env.clearinghouse();
        g::read_clearinghouse(&ch, like).unwrap()
    }
}

#[test]
fn global_parameters() {
    let mut env = Env::new();
    let p = env.clearinghouse().params;
    let mut tight = p;
    tight.end_buffer_bps += 1_000;
    tight.conf_multiplier_bps += 5_000;
    let mut loose = tight;
    loose.write_fee_bps = 50;
    loose.liquidation.tip_bps = 15;
    tighten_then_loosen(
        &mut env,
        ChangeTarget::clearinghouse(),
        GovValue::GlobalParams(tight),
        GovValue::GlobalParams(loose),
    );
}

#[test]
fn a_shorter_timelock_waits_out_the_current_one() {
    let mut env = Env::new();
    let mut p = env.clearinghouse().params;
    p.timelock_secs /= 2;
    let id = env.next_change_id();
    let out = env
        .queue_change(ChangeTarget::clearinghouse(), GovValue::GlobalParams(p))
        .unwrap();
    assert_eq!(event::<ChangeQueued>(&out).eta - env.now(), TIMELOCK);
    env.advance(TIMELOCK);
    env.execute_change(id, ChangeTarget::clearinghouse())
        .unwrap();
    assert_eq!(
        env.clearinghouse().params.timelock_secs,
        TIMELOCK as u32 / 2
    );
}

#[test]
fn tail_and_size() {
    let mut env = Env::new();
    let sol = env.underlying(&env.sol.key.clone());
    let listed = sol.tail_and_size;
    // listed at the risk engine's defaults, the capacity a tenth of the open-interest cap
    assert_eq!(
        listed,
        StoredTailAndSize::default_params(sol.open_interest_cap)
    );
    let mut tight = listed;
    tight.tail_weight_bps += 2_500;
    tight.size_capacity /= 2;
    let mut loose = tight;
    loose.tail_down_bps += 500;
    loose.size_charge_bps /= 2;
    let target = sol_target(&env);
    tighten_then_loosen(
        &mut env,
        target,
        GovValue::TailAndSize(tight),
        GovValue::TailAndSize(loose),
    );
}

#[test]
fn margin_parameters() {
    let mut env = Env::new();
    let target = sol_target(&env);
    let tight = tighter_margin(&mut env);
    let GovValue::MarginParams(mut loose) = tight else {
        unreachable!()
    };
    loose.initial.spot_shock_bps -= 800;
    tighten_then_loosen(&mut env, target, tight, GovValue::MarginParams(loose));
}

#[test]
fn oracle_configuration() {
    let mut env = Env::new();
    let target = sol_target(&env);
    let o = env.underlying(&env.sol.key.clone()).oracle;
    let mut tight = o;
    tight.max_age_secs = 20;
    tight.max_conf_bps /= 2;
    // a new feed is loosening even with tighter ages
    let mut loose = tight;
    loose.feed = [42u8; 32];
    loose.max_age_secs = 15;
    tighten_then_loosen(
        &mut env,
        target,
        GovValue::OracleConfig(tight),
        GovValue::OracleConfig(loose),
    );
    // an oracle without a feed or program is refused
    let mut bad = loose;
    bad.feed = [0u8; 32];
    expect_err(
        env.queue_change(target, GovValue::OracleConfig(bad)),
        E::OracleFeedNotSet,
    );
}

#[test]
fn open_interest_limits() {
    let mut env = Env::new();
    let target = sol_target(&env);
    let u = env.underlying(&env.sol.key.clone());
    let tight = OpenInterestLimits {
        open_interest_cap: u.open_interest_cap / 2,
        writer_share_bps: 1_500,
        _padding: 0,
    };
    let loose = OpenInterestLimits {
        open_interest_cap: u.open_interest_cap,
        ..tight
    };
    tighten_then_loosen(
        &mut env,
        target,
        GovValue::OpenInterest(tight),
        GovValue::OpenInterest(loose),
    );
    let zero = OpenInterestLimits {
        open_interest_cap: 0,
        ..loose
    };
    expect_err(
        env.queue_change(target, GovValue::OpenInterest(zero)),
        E::ChangeStepTooLarge,
    );
    // within one step of 15 %, below the 1 % bound
    let low_share = OpenInterestLimits {
        writer_share_bps: 99,
        ..loose
    };
    expect_err(
        env.queue_change(target, GovValue::OpenInterest(low_share)),
        E::ParameterOutOfBounds,
    );
}

#[test]
fn series_rules_are_always_queued() {
    let mut env = Env::new();
    let target = sol_target(&env);
    let mut r = env.underlying(&env.sol.key.clone()).series_rules;
    r.strike_band_bps /= 2; // narrower, still a loosening (rules are never tightening)
    let id = env.next_change_id();
    let out = env.queue_change(target, GovValue::SeriesRules(r)).unwrap();
    event::<ChangeQueued>(&out);
    env.advance(TIMELOCK);
    env.execute_change(id, target).unwrap();
    assert_eq!(env.underlying(&env.sol.key.clone()).series_rules, r);
    let mut bad = r;
    bad.strike_tick = 0;
    expect_err(
        env.queue_change(target, GovValue::SeriesRules(bad)),
        E::ParameterOutOfBounds,
    );
}

#[test]
fn surface_limits() {
    let mut env = Env::new();
    let target = sol_target(&env);
    let u = env.underlying(&env.sol.key.clone());
    let base = SurfaceLimits {
        max_age_secs: u.surface_max_age_secs,
        max_change_bps: u.surface_max_change_bps,
        anchor_interval_secs: u.surface_anchor_interval_secs,
        _padding: 0,
    };
    let tight = SurfaceLimits {
        max_change_bps: base.max_change_bps / 2,
        anchor_interval_secs: base.anchor_interval_secs * 2,
        ..base
    };
    let loose = SurfaceLimits {
        max_age_secs: base.max_age_secs * 2,
        ..tight
    };
    tighten_then_loosen(
        &mut env,
        target,
        GovValue::SurfaceLimits(tight),
        GovValue::SurfaceLimits(loose),
    );
}

#[test]
fn collateral_weights_deposit_cap_and_price_source() {
    let mut env = Env::new();
    let target = sol_collateral(&env);
    let c = env.collateral_state(&env.sol_mint.clone());
    let tight = CollateralWeights {
        init_weight_bps: c.init_weight_bps - 1_000,
        maint_weight_bps: c.maint_weight_bps - 500,
    };
    let loose = CollateralWeights {
        init_weight_bps: c.init_weight_bps,
        ..tight
    };
    tighten_then_loosen(
        &mut env,
        target,
        GovValue::CollateralWeights(tight),
        GovValue::CollateralWeights(loose),
    );
    tighten_then_loosen(
        &mut env,
        target,
        GovValue::DepositCap(c.deposit_cap - c.deposit_cap / 2),
        GovValue::DepositCap(c.deposit_cap),
    );
    // a price source change is loosening; pegging a volatile asset is refused by its weights
    let pegged = PriceSourceConfig {
        price_underlying: Pubkey::default(),
        price_source: PriceSource::Pegged as u8,
    };
    let id = env.next_change_id();
    env.queue_change(target, GovValue::PriceSource(pegged))
        .unwrap();
    env.advance(TIMELOCK);
    env.execute_change(id, target).unwrap();
    assert_eq!(
        env.collateral_state(&env.sol_mint.clone()).price_source,
        PriceSource::Pegged as u8
    );
    // back to the SOL feed: the price underlying must be passed
    let linked = PriceSourceConfig {
        price_underlying: env.sol.key,
        price_source: PriceSource::Underlying as u8,
    };
    let no_price = ChangeTarget::collateral(target.collateral_asset.unwrap(), None);
    expect_err(
        env.queue_change(no_price, GovValue::PriceSource(linked)),
        E::InvalidPriceSource,
    );
    let wrong = ChangeTarget::collateral(target.collateral_asset.unwrap(), Some(env.btc.key));
    expect_err(
        env.queue_change(wrong, GovValue::PriceSource(linked)),
        E::InvalidPriceSource,
    );
    env.queue_change(target, GovValue::PriceSource(linked))
        .unwrap();
}
