//! Every governed value: cancellation, one step at a time, hard bounds.
use super::*;

/// For each governed value with a loosening: the guardian cancels it (the value stays), and a
/// move of more than one step is refused.
#[test]
fn every_value_can_be_cancelled_and_refuses_more_than_one_step() {
    let mut env = Env::new();
    let sol = sol_target(&env);
    let collateral = sol_collateral(&env);
    let clearinghouse = ChangeTarget::clearinghouse();
    let p = env.clearinghouse().params;
    let u = env.underlying(&env.sol.key.clone());
    let c = env.collateral_state(&env.sol_mint.clone());
    let oi = OpenInterestLimits {
        open_interest_cap: u.open_interest_cap,
        writer_share_bps: u.writer_open_interest_share_bps,
        _padding: 0,
    };
    let limits = SurfaceLimits {
        max_age_secs: u.surface_max_age_secs,
        max_change_bps: u.surface_max_change_bps,
        anchor_interval_secs: u.surface_anchor_interval_secs,
        _padding: 0,
    };
    let weights = CollateralWeights {
        init_weight_bps: c.init_weight_bps,
        maint_weight_bps: c.maint_weight_bps,
    };
    let with = |f: &dyn Fn(&mut GlobalParams)| {
        let mut q = p;
        f(&mut q);
        GovValue::GlobalParams(q)
    };
    let margin = |f: &dyn Fn(&mut StoredMarginParams)| {
        let mut m = u.margin;
        f(&mut m);
        GovValue::MarginParams(m)
    };
    let oracle = |f: &dyn Fn(&mut OracleConfig)| {
        let mut o = u.oracle;
        f(&mut o);
        GovValue::OracleConfig(o)
    };
    let rules = |f: &dyn Fn(&mut SeriesRules)| {
        let mut r = u.series_rules;
        f(&mut r);
        GovValue::SeriesRules(r)
    };
    let cases: Vec<(ChangeTarget, GovValue, GovValue)> = vec![
        (
            clearinghouse,
            with(&|q| q.liquidation.fee_bps = 600),
            with(&|q| q.liquidation.fee_bps = 1_001),
        ),
        (
            sol,
            margin(&|m| m.maintenance.floor_bps = 100),
            margin(&|m| m.maintenance.floor_bps = 59),
        ),
        (
            sol,
            oracle(&|o| o.max_age_secs = 60),
            oracle(&|o| o.max_age_secs = 61),
        ),
        (
            sol,
            GovValue::OpenInterest(OpenInterestLimits {
                open_interest_cap: oi.open_interest_cap * 2,
                ..oi
            }),
            GovValue::OpenInterest(OpenInterestLimits {
                open_interest_cap: oi.open_interest_cap * 2 + 2,
                ..oi
            }),
        ),
        (
            sol,
            rules(&|r| r.strike_band_bps = 6_000),
            rules(&|r| r.strike_band_bps = 10_001),
        ),
        (
            sol,
            GovValue::SurfaceLimits(SurfaceLimits {
                max_age_secs: limits.max_age_secs * 2,
                ..limits
            }),
            GovValue::SurfaceLimits(SurfaceLimits {
                max_age_secs: limits.max_age_secs * 2 + 1,
                ..limits
            }),
        ),
        (
            collateral,
            GovValue::CollateralWeights(CollateralWeights {
                maint_weight_bps: weights.maint_weight_bps + 500,
                ..weights
            }),
            GovValue::CollateralWeights(CollateralWeights {
                init_weight_bps: weights.init_weight_bps - 2_001,
                ..weights
            }),
        ),
        (
            collateral,
            GovValue::DepositCap(c.deposit_cap * 2),
            GovValue::DepositCap(c.deposit_cap * 3),
        ),
    ];
    let guardian = env.guardian.insecure_clone();
    for (target, loose, too_far) in cases {
        let before = current(&mut env, &target, &loose);
        let id = env.next_change_id();
        let out = env.queue_change(target, loose).unwrap();
        assert_eq!(event::<ChangeQueued>(&out).new, loose);
        env.cancel_change(&guardian, id).unwrap();
        expect_err(env.queue_change(target, too_far), E::ChangeStepTooLarge);
        assert_eq!(current(&mut env, &target, &loose), before, "{loose:?}");
    }
    // nothing was applied after the timelock either: every queued change was cancelled
    env.advance(TIMELOCK);
    let last = env.next_change_id();
    for id in last - 8..last {
        assert_eq!(env.param_change(id).status, ChangeStatus::Cancelled as u8);
    }
    // a price source outside the known ones is refused by validity, not by a step
    let bad = PriceSourceConfig {
        price_underlying: Pubkey::default(),
        price_source: 2,
    };
    expect_err(
        env.queue_change(collateral, GovValue::PriceSource(bad)),
        E::InvalidPriceSource,
    );
}

#[test]
fn hard_bounds_hold_however_many_steps_are_taken() {
    let mut env = Env::new();
    let sol = sol_target(&env);
    // the surface step: 50 % -> 100 % (a loosening, executed), then beyond 100 %: out of bounds
    let u = env.underlying(&env.sol.key.clone());
    let limits = SurfaceLimits {
        max_age_secs: u.surface_max_age_secs,
        max_change_bps: 10_000,
        anchor_interval_secs: u.surface_anchor_interval_secs,
        _padding: 0,
    };
    env.loosen(sol, GovValue::SurfaceLimits(limits));
    let beyond = SurfaceLimits {
        max_change_bps: 10_001,
        ..limits
    };
    expect_err(
        env.queue_change(sol, GovValue::SurfaceLimits(beyond)),
        E::ParameterOutOfBounds,
    );
    // the conf multiplier: tightened step by step an interval apart, never past k = 5
    let target = ChangeTarget::clearinghouse();
    for k in [20_000, 40_000] {
        let mut p = env.clearinghouse().params;
        p.conf_multiplier_bps = k;
        env.queue_change(target, GovValue::GlobalParams(p)).unwrap();
        env.advance(TIGHTEN_INTERVAL_SECS);
    }
    let mut p = env.clearinghouse().params;
    p.conf_multiplier_bps = 50_001;
    expect_err(
        env.queue_change(target, GovValue::GlobalParams(p)),
        E::ParameterOutOfBounds,
    );
    p.conf_multiplier_bps = 50_000;
    env.queue_change(target, GovValue::GlobalParams(p)).unwrap();
}

#[test]
fn queue_execute_and_cancel_work_while_everything_is_paused() {
    let mut env = Env::new();
    pause_flags(&mut env, pause::PAUSABLE);
    let target = sol_target(&env);
    let loose = looser_margin(&mut env);
    let id = env.next_change_id();
    env.queue_change(target, loose).unwrap();
    env.queue_change(target, loose).unwrap();
    let guardian = env.guardian.insecure_clone();
    env.cancel_change(&guardian, id + 1).unwrap();
    env.advance(TIMELOCK);
    env.execute_change(id, target).unwrap();
    assert_eq!(GovValue::MarginParams(sol_margin(&mut env)), loose);
}

#[test]
fn a_prefunded_change_address_does_not_block_the_queue() {
    let mut env = Env::new();
    let id = env.next_change_id();
    let address = pda::param_change(&env.ch.clearinghouse, id);
    harness::ext_admin::prefund(&mut env.chain, &address);
    let loose = looser_margin(&mut env);
    env.queue_change(sol_target(&env), loose).unwrap();
    let pc = env.param_change(id);
    assert_eq!((pc.change_id, pc.status), (id, ChangeStatus::Queued as u8));
    let account = env.chain.account(&address).unwrap().unwrap();
    assert_eq!(account.owner, greekhouse::ID);
    assert_eq!(account.data.len(), ParamChange::SPACE);
}
