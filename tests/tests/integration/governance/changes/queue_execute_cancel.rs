//! `queue_change`, `execute_change` and `cancel_change`: timelock, staleness, roles, refusals.
use super::*;

#[test]
fn a_tightening_applies_at_once_without_a_queued_change() {
    let mut env = Env::new();
    let target = sol_target(&env);
    let before = sol_margin(&mut env);
    let change = tighter_margin(&mut env);
    let out = env.queue_change(target, change).unwrap();
    let e = event::<ChangeApplied>(&out);
    assert_eq!(e.target, env.sol.key);
    assert_eq!(e.old, GovValue::MarginParams(before));
    assert_eq!(e.new, change);
    assert_eq!(GovValue::MarginParams(sol_margin(&mut env)), change);
    // nothing queued
    let id = env.next_change_id();
    let pc = pda::param_change(&env.ch.clearinghouse, id);
    assert!(env.chain.account(&pc).unwrap().is_none());
    let now = env.now();
    assert_eq!(env.underlying(&env.sol.key.clone()).last_tightened_at, now);
}

#[test]
fn a_loosening_is_queued_refused_before_the_timelock_and_executed_after() {
    let mut env = Env::new();
    let target = sol_target(&env);
    let before = sol_margin(&mut env);
    let change = looser_margin(&mut env);
    let id = env.next_change_id();
    let now = env.now();
    let out = env.queue_change(target, change).unwrap();
    let e = event::<ChangeQueued>(&out);
    assert_eq!((e.change_id, e.target), (id, env.sol.key));
    assert_eq!((e.old, e.new), (GovValue::MarginParams(before), change));
    assert_eq!((e.queued_at, e.eta), (now, now + TIMELOCK));
    assert_eq!(env.next_change_id(), id + 1);
    // not applied yet
    assert_eq!(sol_margin(&mut env), before);
    let pc = env.param_change(id);
    assert_eq!(pc.status, ChangeStatus::Queued as u8);
    assert_eq!(pc.old().unwrap(), GovValue::MarginParams(before));
    assert_eq!(pc.new_value().unwrap(), change);
    assert_eq!(pc.proposer, env.admin.pubkey());

    expect_err(env.execute_change(id, target), E::TimelockNotOver);
    env.advance(TIMELOCK - 1);
    expect_err(env.execute_change(id, target), E::TimelockNotOver);
    env.advance(1);
    let out = env.execute_change(id, target).unwrap();
    let e = event::<ChangeExecuted>(&out);
    assert_eq!(
        (e.change_id, e.old, e.new),
        (id, GovValue::MarginParams(before), change)
    );
    assert_eq!(e.by, env.chain.payer());
    assert_eq!(GovValue::MarginParams(sol_margin(&mut env)), change);
    assert_eq!(env.param_change(id).status, ChangeStatus::Executed as u8);
    // once only
    expect_err(env.execute_change(id, target), E::ChangeNotQueued);
}

#[test]
fn the_admin_and_the_guardian_cancel_a_queued_change_others_cannot() {
    let mut env = Env::new();
    let target = sol_target(&env);
    let change = looser_margin(&mut env);
    let first = env.next_change_id();
    env.queue_change(target, change).unwrap();
    env.queue_change(target, change).unwrap();
    let stranger = env.chain.funded_keypair(LAMPORTS_PER_SOL).unwrap();
    expect_err(env.cancel_change(&stranger, first), E::NotAdminOrGuardian);
    let admin = env.admin.insecure_clone();
    let guardian = env.guardian.insecure_clone();
    let out = env.cancel_change(&admin, first).unwrap();
    let e = event::<ChangeCancelled>(&out);
    assert_eq!((e.change_id, e.new, e.by), (first, change, admin.pubkey()));
    env.cancel_change(&guardian, first + 1).unwrap();
    expect_err(env.cancel_change(&admin, first), E::ChangeNotQueued);
    env.advance(TIMELOCK);
    for id in [first, first + 1] {
        assert_eq!(env.param_change(id).status, ChangeStatus::Cancelled as u8);
        expect_err(env.execute_change(id, target), E::ChangeNotQueued);
    }
    let m = sol_margin(&mut env);
    assert_ne!(GovValue::MarginParams(m), change);
}

#[test]
fn a_change_queued_against_a_value_that_changed_since_is_stale() {
    let mut env = Env::new();
    let target = sol_target(&env);
    let loose = looser_margin(&mut env);
    let id = env.next_change_id();
    env.queue_change(target, loose).unwrap();
    // a tightening meanwhile
    let tight = tighter_margin(&mut env);
    env.queue_change(target, tight).unwrap();
    env.advance(TIMELOCK);
    expect_err(env.execute_change(id, target), E::ChangeStale);
    // two loosenings of the same value: the second to execute is stale
    let mut a = sol_margin(&mut env);
    a.maintenance.vol_shock_bps -= 100;
    let mut b = sol_margin(&mut env);
    b.maintenance.floor_bps -= 10;
    let (ia, ib) = (env.next_change_id(), env.next_change_id() + 1);
    env.queue_change(target, GovValue::MarginParams(a)).unwrap();
    env.queue_change(target, GovValue::MarginParams(b)).unwrap();
    env.advance(TIMELOCK);
    env.execute_change(ib, target).unwrap();
    expect_err(env.execute_change(ia, target), E::ChangeStale);
}

#[test]
fn queue_change_refusals() {
    let mut env = Env::new();
    let target = sol_target(&env);
    let change = tighter_margin(&mut env);
    // wrong signer
    let stranger = env.chain.funded_keypair(LAMPORTS_PER_SOL).unwrap();
    expect_err(env.queue_change_as(&stranger, target, change), E::NotAdmin);
    let guardian = env.guardian.insecure_clone();
    expect_err(env.queue_change_as(&guardian, target, change), E::NotAdmin);
    // nothing changes
    let same = GovValue::MarginParams(sol_margin(&mut env));
    expect_err(env.queue_change(target, same), E::NoChange);
    // wrong target: a clearing-house value with an underlying, an underlying value without one,
    // an underlying value on a collateral asset
    let params = GovValue::GlobalParams(env.clearinghouse().params);
    expect_err(env.queue_change(target, params), E::WrongChangeTarget);
    expect_err(
        env.queue_change(ChangeTarget::clearinghouse(), change),
        E::WrongChangeTarget,
    );
    let collateral = sol_collateral(&env);
    expect_err(env.queue_change(collateral, change), E::WrongChangeTarget);
    // an underlying of another clearing house
    let foreign = env.foreign_clearinghouse();
    expect_err(
        env.queue_change(ChangeTarget::underlying(foreign.underlying.key), change),
        E::WrongClearinghouse,
    );
    // a loosening queued at another address than its change id's (more in change_ids.rs)
    let loose = looser_margin(&mut env);
    let id = env.next_change_id();
    let mut ix = ix::queue_change(
        env.ch.clearinghouse,
        env.chain.payer(),
        env.admin.pubkey(),
        id,
        target,
        loose,
    );
    ix.accounts[6].pubkey = pda::param_change(&env.ch.clearinghouse, id + 1);
    expect_err(env.send_admin(ix), E::WrongParamChange);
    // steps: doubling passes, more does not; halving passes, less does not
    let mut m = sol_margin(&mut env);
    m.initial.spot_shock_bps = 4_001;
    expect_err(
        env.queue_change(target, GovValue::MarginParams(m)),
        E::ChangeStepTooLarge,
    );
    let mut m = sol_margin(&mut env);
    m.maintenance.spot_shock_bps = 599;
    expect_err(
        env.queue_change(target, GovValue::MarginParams(m)),
        E::ChangeStepTooLarge,
    );
    // hard bounds and validity (IM must dominate MM)
    let mut m = sol_margin(&mut env);
    m.maintenance.spot_shock_bps = 2_100;
    expect_err(
        env.queue_change(target, GovValue::MarginParams(m)),
        E::MarginLevelsOutOfOrder,
    );
    let w = |i, m| {
        GovValue::CollateralWeights(CollateralWeights {
            init_weight_bps: i,
            maint_weight_bps: m,
        })
    };
    expect_err(
        env.queue_change(collateral, w(8_000, 10_001)),
        E::ParameterOutOfBounds,
    );
    expect_err(
        env.queue_change(collateral, w(9_500, 9_000)),
        E::WeightsOutOfOrder,
    );
    expect_err(
        env.queue_change(collateral, w(5_999, 9_000)),
        E::ChangeStepTooLarge,
    );
    let mut p = env.clearinghouse().params;
    p.write_fee_bps = 61; // 0.3 % -> 0.61 %: more than doubled
    expect_err(
        env.queue_change(ChangeTarget::clearinghouse(), GovValue::GlobalParams(p)),
        E::ChangeStepTooLarge,
    );
    // nothing was applied or queued by the refusals
    assert_eq!(env.next_change_id(), id);
}

/// Lowering an oracle's `max_conf` refuses prices an account may need (a liquidation's, a
/// withdrawal's), and halving a deposit cap twice in a row takes it to a quarter at once: both
/// are tightenings an interval apart.
#[test]
fn lowering_max_conf_twice_within_the_tighten_interval_is_refused() {
    let mut env = Env::new();
    let target = sol_target(&env);
    let mut o = env.underlying(&env.sol.key.clone()).oracle;
    o.max_conf_bps /= 2;
    env.queue_change(target, GovValue::OracleConfig(o)).unwrap();
    o.max_conf_bps /= 2;
    expect_err(
        env.queue_change(target, GovValue::OracleConfig(o)),
        E::TightenTooSoon,
    );
    env.advance(TIGHTEN_INTERVAL_SECS);
    env.queue_change(target, GovValue::OracleConfig(o)).unwrap();
    assert_eq!(env.underlying(&env.sol.key.clone()).oracle.max_conf_bps, 50);
}

#[test]
fn halving_a_deposit_cap_twice_within_the_tighten_interval_is_refused() {
    let mut env = Env::new();
    let target = sol_collateral(&env);
    let cap = env.collateral_state(&env.sol_mint.clone()).deposit_cap;
    let half = |c: u64| c - c / 2;
    env.queue_change(target, GovValue::DepositCap(half(cap)))
        .unwrap();
    expect_err(
        env.queue_change(target, GovValue::DepositCap(half(half(cap)))),
        E::TightenTooSoon,
    );
    env.advance(TIGHTEN_INTERVAL_SECS);
    env.queue_change(target, GovValue::DepositCap(half(half(cap))))
        .unwrap();
    assert_eq!(
        env.collateral_state(&env.sol_mint.clone()).deposit_cap,
        half(half(cap))
    );
    // raising it is a loosening, never rate limited
    let id = env.next_change_id();
    env.queue_change(target, GovValue::DepositCap(half(cap)))
        .unwrap();
    env.advance(TIMELOCK);
    env.execute_change(id, target).unwrap();
}

#[test]
fn tightenings_of_one_target_are_an_interval_apart() {
    let mut env = Env::new();
    let target = sol_target(&env);
    let first = tighter_margin(&mut env);
    env.queue_change(target, first).unwrap();
    let second = tighter_margin(&mut env);
    expect_err(env.queue_change(target, second), E::TightenTooSoon);
    // other targets are not affected
    let mut weights = env.collateral_state(&env.sol_mint.clone());
    weights.init_weight_bps -= 1_000;
    env.queue_change(
        sol_collateral(&env),
        GovValue::CollateralWeights(CollateralWeights {
            init_weight_bps: weights.init_weight_bps,
            maint_weight_bps: weights.maint_weight_bps,
        }),
    )
    .unwrap();
    env.advance(TIGHTEN_INTERVAL_SECS - 1);
    expect_err(env.queue_change(target, second), E::TightenTooSoon);
    env.advance(1);
    env.queue_change(target, second).unwrap();
    // loosenings are never rate limited
    let loose = looser_margin(&mut env);
    env.queue_change(target, loose).unwrap();
}

#[test]
fn execute_and_cancel_refuse_foreign_and_wrong_accounts() {
    let mut env = Env::new();
    let target = sol_target(&env);
    let loose = looser_margin(&mut env);
    let id = env.next_change_id();
    env.queue_change(target, loose).unwrap();
    env.advance(TIMELOCK);
    // the wrong underlying, or none
    expect_err(
        env.execute_change(id, ChangeTarget::underlying(env.btc.key)),
        E::WrongChangeTarget,
    );
    expect_err(
        env.execute_change(id, ChangeTarget::clearinghouse()),
        E::WrongChangeTarget,
    );
    // a change of another clearing house under this one
    let foreign = env.foreign_clearinghouse();
    let foreign_id = 1; // its change 0 enabled its underlying
    let mut m = sol_margin(&mut env);
    m.initial.vol_shock_bps -= 500;
    let ix = ix::queue_change(
        foreign.ch.clearinghouse,
        env.chain.payer(),
        foreign.admin.pubkey(),
        foreign_id,
        ChangeTarget::underlying(foreign.underlying.key),
        GovValue::MarginParams(m),
    );
    env.send_ix(ix, &[&foreign.admin]).unwrap();
    let mut metas = ix::execute_change(
        env.ch.clearinghouse,
        env.chain.payer(),
        0,
        ChangeTarget::underlying(foreign.underlying.key),
    );
    metas.accounts[2].pubkey = pda::param_change(&foreign.ch.clearinghouse, foreign_id);
    expect_err(env.send_ix(metas, &[]), E::WrongClearinghouse);
    let mut cancel = ix::cancel_change(env.ch.clearinghouse, env.admin.pubkey(), 0);
    cancel.accounts[2].pubkey = pda::param_change(&foreign.ch.clearinghouse, foreign_id);
    expect_err(env.send_admin(cancel), E::WrongClearinghouse);
    // the right accounts still work
    env.execute_change(id, target).unwrap();
}
