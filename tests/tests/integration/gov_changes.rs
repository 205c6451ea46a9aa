//! Governance changes (docs/governance.md, docs/protocol.md §10): `queue_change`,
//! `execute_change`, `cancel_change` for every governed value; key rotation; listings as
//! loosening; the vol surface's window limit; the per-writer open-interest cap; and the
//! compromised admin, vol updater and guardian scenarios.
use crate::harness;
use crate::liquidation::{bidder, call_series, rally_until_liquidatable, writer_at_im};
use harness::ext_market::*;
use harness::ext_writer::*;
use harness::*;

use anchor_lang::prelude::Pubkey;
use greekhouse::constants::governance::TIGHTEN_INTERVAL_SECS;
use greekhouse::errors::GreekhouseError as E;
use greekhouse::state::*;
use greekhouse_sdk::chain::Chain;
use greekhouse_sdk::ix::{self, ChangeTarget, TokenLedger};
use greekhouse_sdk::pda;
use solana_keypair::Keypair;
use solana_signer::Signer;

const TIMELOCK: i64 = 172_800;

fn sol_target(env: &Env) -> ChangeTarget {
    ChangeTarget::underlying(env.sol.key)
}

fn sol_collateral(env: &Env) -> ChangeTarget {
    ChangeTarget::collateral(
        pda::collateral_asset(&env.ch.clearinghouse, &env.sol_mint),
        Some(env.sol.key),
    )
}

fn sol_margin(env: &mut Env) -> StoredMarginParams {
    let key = env.sol.key;
    env.underlying(&key).margin
}

/// A margin change lowering IM's vol shock (a loosening).
fn looser_margin(env: &mut Env) -> GovValue {
    let mut m = sol_margin(env);
    m.initial.vol_shock_bps -= 500;
    GovValue::MarginParams(m)
}

/// A margin change raising IM's spot shock (a tightening).
fn tighter_margin(env: &mut Env) -> GovValue {
    let mut m = sol_margin(env);
    m.initial.spot_shock_bps += 500;
    GovValue::MarginParams(m)
}

// ================================================================ queue / execute / cancel

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
    // a loosening queued at another address than the next change id
    let loose = looser_margin(&mut env);
    let id = env.next_change_id();
    let ix = ix::queue_change(
        env.ch.clearinghouse,
        env.chain.payer(),
        env.admin.pubkey(),
        id + 1,
        target,
        loose,
    );
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

// ================================================================ every governed value

/// Tighten at once, then queue a loosening that waits out the timelock.
fn tighten_then_loosen(env: &mut Env, target: ChangeTarget, tight: GovValue, loose: GovValue) {
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
fn current(env: &mut Env, target: &ChangeTarget, like: &GovValue) -> GovValue {
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
        writer_share_bps: 7_500,
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
    let low_share = OpenInterestLimits {
        writer_share_bps: 99,
        ..loose
    };
    expect_err(
        env.queue_change(target, GovValue::OpenInterest(low_share)),
        E::ChangeStepTooLarge,
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

// ================================================================ key rotation

/// Queue a guardian rotation, wait out the timelock and execute it.
fn rotate_guardian(env: &mut Env, key: Pubkey) {
    let id = env.next_change_id();
    let out = env
        .queue_change(ChangeTarget::clearinghouse(), GovValue::Guardian(key))
        .unwrap();
    assert_eq!(event::<ChangeQueued>(&out).new, GovValue::Guardian(key));
    env.advance(TIMELOCK);
    env.execute_change(id, ChangeTarget::clearinghouse())
        .unwrap();
}

#[test]
fn the_admin_replaces_and_removes_the_guardian_after_the_timelock() {
    let mut env = Env::new();
    let old = env.guardian.insecure_clone();
    let new = env.chain.funded_keypair(LAMPORTS_PER_SOL).unwrap();
    rotate_guardian(&mut env, new.pubkey());
    assert_eq!(env.clearinghouse().guardian, new.pubkey());
    let pause = |env: &mut Env, k: &Keypair| {
        env.send_ix(
            ix::pause(env.ch.clearinghouse, k.pubkey(), pause::WRITE),
            &[k],
        )
    };
    expect_err(pause(&mut env, &old), E::NotGuardian);
    pause(&mut env, &new).unwrap();
    // removed: nobody but the admin pauses, and the old key cannot cancel
    rotate_guardian(&mut env, Pubkey::default());
    expect_err(pause(&mut env, &new), E::NotGuardian);
    let loose = looser_margin(&mut env);
    let id = env.next_change_id();
    env.queue_change(sol_target(&env), loose).unwrap();
    expect_err(env.cancel_change(&new, id), E::NotAdminOrGuardian);
}

/// A new guardian removes the current one's veto over queued changes, so a rotation is a
/// loosening: it waits out the timelock, during which the current guardian still pauses and
/// cancels, the rotation included.
#[test]
fn a_guardian_rotation_waits_for_the_timelock_and_can_be_cancelled() {
    let mut env = Env::new();
    let guardian = env.guardian.insecure_clone();
    let accomplice = Keypair::new();
    let target = ChangeTarget::clearinghouse();
    let rotation = env.next_change_id();
    let out = env
        .queue_change(target, GovValue::Guardian(accomplice.pubkey()))
        .unwrap();
    let q = event::<ChangeQueued>(&out);
    assert_eq!(
        (q.old, q.new),
        (
            GovValue::Guardian(guardian.pubkey()),
            GovValue::Guardian(accomplice.pubkey())
        )
    );
    assert_eq!(env.clearinghouse().guardian, guardian.pubkey());
    // a loosening queued alongside: the current guardian still cancels it
    let loose = looser_margin(&mut env);
    let id = env.next_change_id();
    env.queue_change(sol_target(&env), loose).unwrap();
    env.cancel_change(&guardian, id).unwrap();
    expect_err(env.execute_change(rotation, target), E::TimelockNotOver);
    env.advance(TIMELOCK - 1);
    expect_err(env.execute_change(rotation, target), E::TimelockNotOver);
    // and the rotation itself
    env.cancel_change(&guardian, rotation).unwrap();
    env.advance(1);
    expect_err(env.execute_change(rotation, target), E::ChangeNotQueued);
    assert_eq!(env.clearinghouse().guardian, guardian.pubkey());
}

#[test]
fn the_admin_replaces_and_removes_a_vol_updater_at_once() {
    let mut env = Env::new();
    let target = sol_target(&env);
    let new = env.chain.funded_keypair(LAMPORTS_PER_SOL).unwrap();
    env.queue_change(target, GovValue::VolUpdater(new.pubkey()))
        .unwrap();
    let sol = env.sol.key;
    let surface = env.underlying(&sol).surface;
    let old = env.vol_updater.insecure_clone();
    expect_err(
        env.send_ix(ix::set_vol_surface(sol, old.pubkey(), surface), &[&old]),
        E::NotVolUpdater,
    );
    env.send_ix(ix::set_vol_surface(sol, new.pubkey(), surface), &[&new])
        .unwrap();
    env.queue_change(target, GovValue::VolUpdater(Pubkey::default()))
        .unwrap();
    expect_err(
        env.send_ix(ix::set_vol_surface(sol, new.pubkey(), surface), &[&new]),
        E::NotVolUpdater,
    );
}

// ================================================================ listing as loosening

#[test]
fn a_new_underlying_is_usable_only_after_its_timelocked_enabling() {
    let mut env = Env::new();
    let id = env.clearinghouse().underlying_count;
    let args = env.sol_underlying_args(id);
    env.send_admin(ix::list_underlying(
        env.ch.clearinghouse,
        env.chain.payer(),
        env.admin.pubkey(),
        args,
    ))
    .unwrap();
    let key = pda::underlying(&env.ch.clearinghouse, id);
    assert!(!env.underlying(&key).is_enabled());
    // priced by the fixture's SOL oracle account (same feed)
    let fixture = UnderlyingFixture {
        key,
        id,
        oracle: env.sol.oracle,
        kind: OracleKind::PullV2,
        oracle_program: pyth_solana_receiver_sdk::ID,
    };
    let expiry = expiry_after(env.now(), 7);
    expect_err(
        env.create_series(fixture, 0, usd(150), expiry),
        E::ListingNotEnabled,
    );
    let target = ChangeTarget::underlying(key);
    let change_id = env.next_change_id();
    env.queue_change(target, GovValue::UnderlyingEnabled(true))
        .unwrap();
    expect_err(env.execute_change(change_id, target), E::TimelockNotOver);
    expect_err(
        env.create_series(fixture, 0, usd(150), expiry),
        E::ListingNotEnabled,
    );
    env.advance(TIMELOCK);
    env.publish_prices();
    env.execute_change(change_id, target).unwrap();
    env.refresh_surface(&key);
    let expiry = expiry_after(env.now(), 7);
    let series = env.create_series(fixture, 0, usd(150), expiry).unwrap();
    // disabling is a tightening: at once; writes stop, burns continue
    let w = env.writer(usd(20_000), 0);
    env.deposit_quote(&w, usd(20_000)).unwrap();
    let recipient = env.option_ata(&w.owner.pubkey(), &series);
    let remaining = quote_only_margin_accounts(&[(key, env.sol.oracle)]);
    let write = |env: &mut Env| {
        let ix = ix::write_options(
            env.ch.clearinghouse,
            w.account,
            w.owner.pubkey(),
            key,
            series,
            recipient,
            1,
            remaining.clone(),
        );
        env.send_ix(ix, &[&w.owner])
    };
    write(&mut env).unwrap();
    env.queue_change(target, GovValue::UnderlyingEnabled(false))
        .unwrap();
    expect_err(write(&mut env), E::ListingNotEnabled);
    env.burn(&w, &series, 1).unwrap();
}

#[test]
fn a_new_collateral_takes_deposits_only_after_its_timelocked_enabling() {
    let mut env = Env::new();
    let mint = new_mint(&mut env, 6);
    let ix = ix::list_collateral(
        env.ch.clearinghouse,
        env.chain.payer(),
        env.admin.pubkey(),
        mint,
        SPL_TOKEN,
        None,
        harness::ext_admin::collateral_args(PriceSource::Pegged as u8),
    );
    env.send_admin(ix).unwrap();
    let asset = pda::collateral_asset(&env.ch.clearinghouse, &mint);
    let w = env.writer(0, 0);
    let ata = fund(&mut env, &w.owner.pubkey(), &mint, 1_000);
    let ledger = TokenLedger::collateral(&env.ch.clearinghouse, mint, SPL_TOKEN);
    let deposit = |env: &mut Env| {
        env.send_ix(
            ix::deposit(
                env.ch.clearinghouse,
                w.account,
                w.owner.pubkey(),
                &ledger,
                ata,
                100,
            ),
            &[&w.owner],
        )
    };
    expect_err(deposit(&mut env), E::ListingNotEnabled);
    let target = ChangeTarget::collateral(asset, None);
    let id = env.next_change_id();
    env.queue_change(target, GovValue::CollateralEnabled(true))
        .unwrap();
    // the guardian cancels; the listing stays disabled
    let guardian = env.guardian.insecure_clone();
    env.cancel_change(&guardian, id).unwrap();
    env.advance(TIMELOCK);
    expect_err(env.execute_change(id, target), E::ChangeNotQueued);
    expect_err(deposit(&mut env), E::ListingNotEnabled);
    env.loosen(target, GovValue::CollateralEnabled(true));
    deposit(&mut env).unwrap();
}

// ================================================================ vol surface window

fn scaled(s: StoredVolSurface, num: u32, den: u32) -> StoredVolSurface {
    let mut s = s;
    for v in s.atm_vol_bps.iter_mut().take(s.tenor_count as usize) {
        *v = *v * num / den;
    }
    s
}

#[test]
fn vol_updates_in_one_window_cannot_compound_past_twice_the_step() {
    let mut env = Env::new();
    let sol = env.sol.key;
    let base = env.underlying(&sol).surface;
    let updater = env.vol_updater.insecure_clone();
    let set = |s| ix::set_vol_surface(sol, updater.pubkey(), s);
    // max change 50 %: x1.5 then x1.33 (= x2.0 of the anchor) pass; one more step fails, even
    // inside one transaction
    let (a, b, c) = (scaled(base, 3, 2), scaled(base, 2, 1), scaled(base, 5, 2));
    expect_err(
        env.chain.send(&[set(a), set(b), set(c)], &[&updater]),
        E::VolSurfaceWindowExceeded,
    );
    env.chain.send(&[set(a), set(b)], &[&updater]).unwrap();
    expect_err(
        env.send_ix(set(c), &[&updater]),
        E::VolSurfaceWindowExceeded,
    );
    // after the window, the current surface becomes the anchor
    env.advance(3_600);
    env.send_ix(set(c), &[&updater]).unwrap();
    let u = env.underlying(&sol);
    assert_eq!(u.surface_anchor, b);
    assert_eq!(u.surface_anchor_at, env.now());
    assert_eq!(u.surface, c);
}

/// With `c = 50 %`, `|new - anchor| <= 2c * anchor` had no lower bound: x1/2, x1/4, x1/8 each
/// stayed within `c` of the previous surface and within 100 % of the anchor. The window is a
/// ratio both ways: within `[anchor / (1 + 2c), anchor * (1 + 2c)]`.
#[test]
fn vol_updates_in_one_window_cannot_halve_the_surface_three_times() {
    let mut env = Env::new();
    let sol = env.sol.key;
    assert_eq!(env.underlying(&sol).surface_max_change_bps, 5_000);
    let base = env.underlying(&sol).surface;
    let updater = env.vol_updater.insecure_clone();
    let set = |s| ix::set_vol_surface(sol, updater.pubkey(), s);
    let (half, quarter, eighth) = (scaled(base, 1, 2), scaled(base, 1, 4), scaled(base, 1, 8));
    expect_err(
        env.chain
            .send(&[set(half), set(quarter), set(eighth)], &[&updater]),
        E::VolSurfaceWindowExceeded,
    );
    assert_eq!(env.underlying(&sol).surface, base);
    // x1/2 then x1/4 alone (each within c of the one before): a quarter is beyond the floor
    expect_err(
        env.chain.send(&[set(half), set(quarter)], &[&updater]),
        E::VolSurfaceWindowExceeded,
    );
    // half is the window's floor (anchor / (1 + 2c)); a quarter is beyond it
    env.send_ix(set(half), &[&updater]).unwrap();
    expect_err(
        env.send_ix(set(quarter), &[&updater]),
        E::VolSurfaceWindowExceeded,
    );
    // upwards, as before: twice the anchor at most
    env.chain
        .send(&[set(scaled(base, 3, 4)), set(base)], &[&updater])
        .unwrap();
    // the next window starts from the surface then
    env.advance(3_600);
    env.send_ix(set(half), &[&updater]).unwrap();
    assert_eq!(env.underlying(&sol).surface, half);
}

// ================================================================ per-writer open interest

#[test]
fn one_writer_cannot_fill_the_underlyings_whole_cap() {
    let mut env = Env::new();
    let eth = env.list_pull_underlying("ETH", [9u8; 32], pyth_usd(3_000), 10_000_000);
    let target = ChangeTarget::underlying(eth.fixture.key);
    for share in [7_500, 5_000] {
        env.queue_change(
            target,
            GovValue::OpenInterest(OpenInterestLimits {
                open_interest_cap: 10_000_000,
                writer_share_bps: share,
                _padding: 0,
            }),
        )
        .unwrap();
    }
    assert_eq!(
        env.underlying(&eth.fixture.key).writer_open_interest_cap(),
        5_000_000
    );
    let expiry = expiry_after(env.now(), 7);
    let series = env
        .create_series(eth.fixture, 0, usd(3_000), expiry)
        .unwrap();
    let remaining = quote_only_margin_accounts(&[(eth.fixture.key, eth.fixture.oracle)]);
    let write = |env: &mut Env, w: &Writer, n: u64| {
        let recipient = env.option_ata(&w.owner.pubkey(), &series);
        let ix = ix::write_options(
            env.ch.clearinghouse,
            w.account,
            w.owner.pubkey(),
            eth.fixture.key,
            series,
            recipient,
            n,
            remaining.clone(),
        );
        env.send_ix(ix, &[&w.owner])
    };
    let a = env.writer(usd(200_000), 0);
    env.deposit_quote(&a, usd(200_000)).unwrap();
    let b = env.writer(usd(200_000), 0);
    env.deposit_quote(&b, usd(200_000)).unwrap();
    write(&mut env, &a, 5).unwrap();
    expect_err(write(&mut env, &a, 1), E::WriterOpenInterestCapExceeded);
    write(&mut env, &b, 5).unwrap();
    expect_err(write(&mut env, &b, 1), E::OpenInterestCapExceeded);
}

// ================================================================ compromised keys

#[test]
fn a_compromised_admin_cannot_loosen_list_or_move_funds_within_the_timelock() {
    let mut env = Env::new();
    // a writer with a short and a staker: their funds must not move
    let series = call_series(&mut env);
    let (w, _) = writer_at_im(&mut env, &series, 20_000);
    let writer_before = env.writer_state(&w.account);
    let vault_before = env.quote_vault_balance();
    let sol = env.sol.key;
    let margin_before = sol_margin(&mut env);
    let oracle_before = env.underlying(&sol).oracle;
    // the attacker holds the admin key
    let attacker = env.admin.insecure_clone();
    let first = env.next_change_id();
    // loosen margin, change the oracle, change series rules, raise weights and caps, point the
    // collateral at another price, shorten the timelock
    let loose = looser_margin(&mut env);
    env.queue_change(sol_target(&env), loose).unwrap();
    let mut o = oracle_before;
    o.feed = [66u8; 32];
    o.oracle_program = attacker.pubkey();
    env.queue_change(sol_target(&env), GovValue::OracleConfig(o))
        .unwrap();
    let mut c = env.collateral_state(&env.sol_mint.clone());
    c.init_weight_bps += 1_000;
    env.queue_change(
        sol_collateral(&env),
        GovValue::CollateralWeights(CollateralWeights {
            init_weight_bps: c.init_weight_bps,
            maint_weight_bps: c.maint_weight_bps.max(c.init_weight_bps),
        }),
    )
    .unwrap();
    let mut p = env.clearinghouse().params;
    p.timelock_secs = 3_600 * 24;
    env.queue_change(ChangeTarget::clearinghouse(), GovValue::GlobalParams(p))
        .unwrap();
    // a new underlying of the attacker's own oracle: listed, but disabled; its enabling queued
    let id = env.clearinghouse().underlying_count;
    let mut args = env.sol_underlying_args(id);
    args.oracle.feed = [66u8; 32];
    env.send_admin(ix::list_underlying(
        env.ch.clearinghouse,
        env.chain.payer(),
        attacker.pubkey(),
        args,
    ))
    .unwrap();
    let fake = pda::underlying(&env.ch.clearinghouse, id);
    env.queue_change(
        ChangeTarget::underlying(fake),
        GovValue::UnderlyingEnabled(true),
    )
    .unwrap();
    let fake_fixture = UnderlyingFixture {
        key: fake,
        id,
        oracle: env.sol.oracle,
        kind: OracleKind::PullV2,
        oracle_program: pyth_solana_receiver_sdk::ID,
    };
    let expiry = expiry_after(env.now(), 7);
    expect_err(
        env.create_series(fake_fixture, 0, usd(150), expiry),
        E::ListingNotEnabled,
    );
    // a collateral of its own: listed disabled, no deposits; its enabling queued
    let fake_mint = new_mint(&mut env, 6);
    env.send_admin(ix::list_collateral(
        env.ch.clearinghouse,
        env.chain.payer(),
        attacker.pubkey(),
        fake_mint,
        SPL_TOKEN,
        None,
        harness::ext_admin::collateral_args(PriceSource::Pegged as u8),
    ))
    .unwrap();
    let fake_asset = pda::collateral_asset(&env.ch.clearinghouse, &fake_mint);
    env.queue_change(
        ChangeTarget::collateral(fake_asset, None),
        GovValue::CollateralEnabled(true),
    )
    .unwrap();
    let fake_ata = fund(&mut env, &w.owner.pubkey(), &fake_mint, 1_000);
    let ledger = TokenLedger::collateral(&env.ch.clearinghouse, fake_mint, SPL_TOKEN);
    expect_err(
        env.send_ix(
            ix::deposit(
                env.ch.clearinghouse,
                w.account,
                w.owner.pubkey(),
                &ledger,
                fake_ata,
                1_000,
            ),
            &[&w.owner],
        ),
        E::ListingNotEnabled,
    );
    // unpause (nothing is paused), propose a new admin: none of it touches users' funds
    env.send_admin(ix::unpause(
        env.ch.clearinghouse,
        attacker.pubkey(),
        pause::WRITE,
    ))
    .unwrap();
    let thief = Keypair::new();
    env.send_admin(ix::propose_admin(
        env.ch.clearinghouse,
        attacker.pubkey(),
        thief.pubkey(),
    ))
    .unwrap();
    // nothing loosened within the timelock
    env.advance(TIMELOCK - 1);
    env.publish_prices();
    assert_eq!(sol_margin(&mut env), margin_before);
    assert_eq!(env.underlying(&sol).oracle, oracle_before);
    assert_eq!(
        bytemuck::bytes_of(&env.writer_state(&w.account)),
        bytemuck::bytes_of(&writer_before)
    );
    assert_eq!(env.quote_vault_balance(), vault_before);
    // the guardian (the team's multisig) cancels every queued change
    let last = env.next_change_id();
    let guardian = env.guardian.insecure_clone();
    for id in first..last {
        env.cancel_change(&guardian, id).unwrap();
    }
    env.advance(1);
    for id in first..last {
        assert_eq!(env.param_change(id).status, ChangeStatus::Cancelled as u8);
    }
    assert!(!env.underlying(&fake).is_enabled());
    assert_eq!(sol_margin(&mut env), margin_before);
    // the writer still withdraws freely what margin allows, and burns
    env.burn(&w, &series, 1).unwrap();
}

#[test]
fn a_compromised_vol_updater_is_bounded_then_removed() {
    let mut env = Env::new();
    let sol = env.sol.key;
    let base = env.underlying(&sol).surface;
    let attacker = env.vol_updater.insecure_clone();
    // many maximal steps in one transaction: refused past twice the step of the anchor
    let steps: Vec<_> = (1..=4u32)
        .map(|k| {
            ix::set_vol_surface(
                sol,
                attacker.pubkey(),
                scaled(base, 3u32.pow(k), 2u32.pow(k)),
            )
        })
        .collect();
    expect_err(
        env.chain.send(&steps, &[&attacker]),
        E::VolSurfaceWindowExceeded,
    );
    // one slot, several transactions: the same
    env.send_ix(steps[0].clone(), &[&attacker]).unwrap();
    expect_err(
        env.send_ix(steps[1].clone(), &[&attacker]),
        E::VolSurfaceWindowExceeded,
    );
    for (i, v) in env.underlying(&sol).surface.atm_vol_bps.iter().enumerate() {
        assert!(*v <= base.atm_vol_bps[i] * 2);
    }
    // the admin removes it at once
    env.queue_change(sol_target(&env), GovValue::VolUpdater(Pubkey::default()))
        .unwrap();
    expect_err(
        env.send_ix(
            ix::set_vol_surface(sol, attacker.pubkey(), base),
            &[&attacker],
        ),
        E::NotVolUpdater,
    );
}

#[test]
fn a_compromised_guardian_cannot_block_risk_reducing_actions_and_is_replaced() {
    let mut env = Env::new();
    let series = call_series(&mut env);
    let (w, _) = writer_at_im(&mut env, &series, 20_000);
    let free = env.writer(usd(1_000), 0);
    env.deposit_quote(&free, usd(500)).unwrap();
    let attacker = env.guardian.insecure_clone();
    env.send_ix(
        ix::pause(env.ch.clearinghouse, attacker.pubkey(), pause::PAUSABLE),
        &[&attacker],
    )
    .unwrap();
    // deposits, burns, a withdrawal without liabilities still work
    env.deposit_quote(&free, usd(100)).unwrap();
    env.withdraw_quote(&free, usd(600)).unwrap();
    env.burn(&w, &series, 1).unwrap();
    // liquidations too
    rally_until_liquidatable(&mut env, &w.account);
    let keeper = bidder(&mut env);
    env.start_liquidation(&keeper, &w.account).unwrap();
    // the guardian cannot cancel what is not queued, nor unpause, nor change anything
    expect_err(
        env.send_ix(
            ix::unpause(env.ch.clearinghouse, attacker.pubkey(), pause::WRITE),
            &[&attacker],
        ),
        E::NotAdmin,
    );
    expect_err(
        env.queue_change_as(
            &attacker,
            ChangeTarget::clearinghouse(),
            GovValue::Guardian(attacker.pubkey()),
        ),
        E::NotAdmin,
    );
    // the admin replaces it after the timelock (a rotation removes a veto, so it waits) and
    // unpauses
    let new = Keypair::new();
    rotate_guardian(&mut env, new.pubkey());
    expect_err(
        env.send_ix(
            ix::pause(env.ch.clearinghouse, attacker.pubkey(), pause::WRITE),
            &[&attacker],
        ),
        E::NotGuardian,
    );
    env.send_admin(ix::unpause(
        env.ch.clearinghouse,
        env.admin.pubkey(),
        pause::PAUSABLE,
    ))
    .unwrap();
    assert_eq!(env.clearinghouse().paused, 0);
}

// ================================================================ every value: cancel, steps, bounds

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
