//! The realized-vol estimate on chain (docs/risk-model.md 6.8): seeded at listing, advanced by
//! every newer price the program records and by no older one, and, once governance turns the
//! predictive shock on (a tightening, applied at once), a turbulent hour raises an account's
//! margin at an unchanged spot so that a writer at IM can write no more.
use crate::harness;
use harness::ext_market::*;
use harness::*;

use greekhouse::errors::GreekhouseError as E;
use greekhouse::state::{GovValue, StoredRealizedVol};
use greekhouse_sdk::ix::{self, ChangeTarget};

fn record(env: &mut Env) -> Result<TxOutcome, ChainError> {
    let ix = ix::record_price(env.sol.key, env.sol.oracle);
    env.chain.send(&[ix], &[])
}

#[test]
fn recorded_prices_advance_the_estimate_and_only_newer_ones() {
    let mut env = Env::new();
    let sol = env.sol.key;
    let listed = env.underlying(&sol);
    // seeded with the first tenor's ATM vol, the shock off, the estimate's parameters set
    let atm = listed.surface.atm_vol_bps[0] as u64;
    assert_eq!(listed.realized_estimate.variance, atm * atm * 10_000);
    assert_eq!(listed.realized_estimate.anchor_time, 0);
    assert_eq!(listed.realized.initial_multiple_bps, 0);
    assert_eq!(listed.realized.maintenance_multiple_bps, 0);
    assert_eq!(
        listed.realized.half_life_secs,
        StoredRealizedVol::default_params().half_life_secs
    );

    // the first recorded price anchors the estimate
    env.advance(10);
    env.publish_prices();
    record(&mut env).unwrap();
    let anchored = env.underlying(&sol).realized_estimate;
    assert_eq!(anchored.samples, 0);
    assert_eq!(anchored.anchor_price, env.sol_price);
    assert_eq!(anchored.variance, listed.realized_estimate.variance);

    // a newer price inside the sample interval is recorded, the estimate stays
    env.advance(30);
    env.move_sol(env.sol_price * 102 / 100);
    record(&mut env).unwrap();
    assert_eq!(env.underlying(&sol).realized_estimate, anchored);

    // a minute after the anchor: one sample, the 2 % move annualised over 40 s raises it
    env.advance(30);
    env.move_sol(env.sol_price * 102 / 100);
    record(&mut env).unwrap();
    let sampled = env.underlying(&sol).realized_estimate;
    assert_eq!(sampled.samples, 1);
    assert!(sampled.variance > anchored.variance);
    assert_eq!(sampled.anchor_price, env.sol_price);

    // the same price again is refused and moves nothing
    expect_err(record(&mut env), E::PriceAlreadyRecorded);
    assert_eq!(env.underlying(&sol).realized_estimate, sampled);
}

/// Governance turns the shock on: raising the multiples tightens, so each change applies at
/// once, but one step at a time (at most doubling, or 0.5 from zero) and at most one
/// tightening of an underlying's risk parameters per interval.
fn turn_on_the_predictive_shock(env: &mut Env) {
    let sol = env.sol.key;
    let target = StoredRealizedVol::default_params();
    let mut steps = 0;
    loop {
        let mut r = env.underlying(&sol).realized;
        if r == target {
            break;
        }
        let next = |cur: u32, goal: u32| goal.min((cur * 2).max(cur + 5_000));
        r.initial_multiple_bps = next(r.initial_multiple_bps, target.initial_multiple_bps);
        r.maintenance_multiple_bps =
            next(r.maintenance_multiple_bps, target.maintenance_multiple_bps);
        env.queue_change(ChangeTarget::underlying(sol), GovValue::RealizedVol(r))
            .unwrap();
        assert_eq!(
            env.underlying(&sol).realized,
            r,
            "a tightening applies at once"
        );
        // a second tightening within the interval is refused
        let mut again = r;
        again.max_return_bps += 1;
        if r != target {
            assert!(env
                .queue_change(ChangeTarget::underlying(sol), GovValue::RealizedVol(again))
                .is_err());
        }
        env.advance(greekhouse::constants::governance::TIGHTEN_INTERVAL_SECS);
        env.publish_prices();
        env.refresh_surface(&sol);
        steps += 1;
    }
    assert!(steps >= 4, "{steps} steps");
}

#[test]
fn with_the_predictive_shock_on_a_turbulent_hour_raises_margin_at_the_same_spot() {
    let mut env = Env::new();
    let sol = env.sol;
    turn_on_the_predictive_shock(&mut env);

    let now = env.now();
    let series = env
        .create_series(sol, 1, usd(150), expiry_after(now, 7))
        .unwrap();
    let w = env.writer(20_000 * USDC, 0);
    env.deposit_quote(&w, 20_000 * USDC).unwrap();
    let written = env.write_to_initial_margin(&w, &series).unwrap();
    assert!(written > 0);
    let calm = env.margin_of(&w.account);

    // an hour of 10 % swings each minute, ending where it started
    let start = env.sol_price;
    for i in 0..60 {
        env.advance(61);
        env.move_sol(if i % 2 == 0 { start * 110 / 100 } else { start });
        record(&mut env).unwrap();
    }
    assert_eq!(env.sol_price, start);
    env.refresh_surface(&sol.key);
    let estimate = env.underlying(&sol.key).realized_estimate;
    assert!(estimate.samples >= 59, "{estimate:?}");

    let turbulent = env.margin_of(&w.account);
    assert!(
        turbulent.maintenance.requirement > calm.maintenance.requirement,
        "MM {:?} -> {:?}",
        calm.maintenance.requirement,
        turbulent.maintenance.requirement
    );
    assert!(turbulent.initial.requirement > calm.initial.requirement);
    // the writer, at IM in calm markets, can write no more at the same spot
    assert!(turbulent.initial.equity.is_negative());
    expect_err(env.write(&w, &series, 1), E::InitialMarginBreach);
}
