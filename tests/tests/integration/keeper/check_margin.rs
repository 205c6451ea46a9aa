//! `check_margin`: a writer hears of a falling margin before a liquidation. The status stored on
//! the account moves healthy -> warning -> below maintenance -> healthy as prices and deposits
//! move, each crossing reported once by `MarginWarning`; a check that crosses nothing emits
//! nothing. Anyone runs it, never paused; prices as a liquidation would use them.
use super::*;
use crate::liquidation::{call_series, fund_wallet, writer_at_im};
use greekhouse::engine::actions::margin_status;
use greekhouse::events::MarginWarning;
use greekhouse::state::MarginStatus;
use harness::ext_market::{usd, MarketOps};
use solana_signer::Signer;

/// The status the rulebook gives `account`'s margin now (the SDK's projection).
fn projected(env: &mut Env, account: &Pubkey) -> MarginStatus {
    let m = env.margin_of(account);
    let bps = env.clearinghouse().params.margin_warning_bps;
    margin_status::status_of(&m, bps).unwrap()
}

fn stored(env: &mut Env, account: &Pubkey) -> MarginStatus {
    MarginStatus::from_u8(env.writer_state(account).margin_status).unwrap()
}

/// Raise SOL in 1 % steps until `account`'s projected status is `want`.
fn rally_until(env: &mut Env, account: &Pubkey, want: MarginStatus) {
    for _ in 0..200 {
        if projected(env, account) == want {
            return;
        }
        let next = env.sol_price + env.sol_price / 100;
        env.move_sol(next);
    }
    panic!("never reached {want:?}");
}

#[test]
fn each_crossing_is_reported_once_and_stored() {
    let mut env = Env::new();
    assert_eq!(env.clearinghouse().params.margin_warning_bps, 5_000);
    let series = call_series(&mut env);
    let (w, _) = writer_at_im(&mut env, &series, 10_000);
    let account = w.account;

    // at IM: healthy, nothing to report
    let out = env.check_margin(&account).unwrap();
    assert!(event_names(&out).is_empty(), "{:?}", event_names(&out));
    assert_eq!(stored(&mut env, &account), MarginStatus::Healthy);

    // a rally takes it below the warning level, still above maintenance
    rally_until(&mut env, &account, MarginStatus::Warning);
    let m = env.margin_of(&account);
    assert!(!m.maintenance.equity.is_negative() && m.initial.equity.is_negative());
    let e: MarginWarning = event(&env.check_margin(&account).unwrap());
    assert_eq!(
        (e.writer_account, e.owner, e.status_before, e.status_after),
        (account, w.owner.pubkey(), 0, 1)
    );
    assert!(e.warning_equity < 0 && e.maintenance_equity >= 0 && e.initial_equity < 0);
    // the warning equity is the midpoint of MM and IM (within the rounding of each)
    let mid = (e.maintenance_equity + e.initial_equity) / 2;
    assert!((e.warning_equity - mid).abs() <= 2, "{e:?}");
    assert_eq!(stored(&mut env, &account), MarginStatus::Warning);
    // checked again at the same prices: nothing crossed, nothing emitted
    env.advance(1);
    env.publish_prices();
    let out = env.check_margin(&account).unwrap();
    assert!(event_names(&out).is_empty(), "{:?}", event_names(&out));

    // further: below maintenance
    rally_until(&mut env, &account, MarginStatus::BelowMaintenance);
    let e: MarginWarning = event(&env.check_margin(&account).unwrap());
    assert_eq!((e.status_before, e.status_after), (1, 2));
    assert!(e.maintenance_equity < 0);

    // the writer tops up: back to healthy in one step
    fund_wallet(&mut env, &w.quote_ata, usd(50_000));
    env.deposit_quote(&w, usd(50_000)).unwrap();
    let e: MarginWarning = event(&env.check_margin(&account).unwrap());
    assert_eq!((e.status_before, e.status_after), (2, 0));
    assert!(e.warning_equity >= 0);
    assert_eq!(stored(&mut env, &account), MarginStatus::Healthy);
}

#[test]
fn an_account_without_shorts_needs_no_price_and_is_healthy() {
    let mut env = Env::new();
    let w = env.writer(usd(1_000), 0);
    env.deposit_quote(&w, usd(1_000)).unwrap();
    // prices long stale: none is asked for
    env.advance(3_600);
    let out = env
        .send_ix(
            ix::check_margin(env.ch.clearinghouse, w.account, vec![]),
            &[],
        )
        .unwrap();
    assert!(event_names(&out).is_empty());
    assert_eq!(stored(&mut env, &w.account), MarginStatus::Healthy);
}

#[test]
fn check_margin_refuses_stale_prices_and_a_wrong_layout() {
    let mut env = Env::new();
    let series = call_series(&mut env);
    let (w, _) = writer_at_im(&mut env, &series, 10_000);
    // no layout at all
    expect_err(
        env.send_ix(
            ix::check_margin(env.ch.clearinghouse, w.account, vec![]),
            &[],
        ),
        E::MarginAccountsMismatch,
    );
    // a price older than the underlying's liquidation age
    let sol = env.sol.key;
    let liq_age = env.underlying(&sol).oracle.liq_max_age_secs;
    env.advance(i64::from(liq_age) + 1);
    expect_err(env.check_margin(&w.account), E::OracleStale);
    env.publish_prices();
    env.check_margin(&w.account).unwrap();
}

#[test]
fn check_margin_refuses_another_clearing_houses_account() {
    let mut env = Env::new();
    let w = env.writer(usd(1_000), 0);
    let foreign = env.foreign_clearinghouse();
    expect_err(
        env.send_ix(
            ix::check_margin(foreign.ch.clearinghouse, w.account, vec![]),
            &[],
        ),
        E::WrongClearinghouse,
    );
    // a writer-account address that is not a program account at all
    let r = env.send_ix(
        ix::check_margin(env.ch.clearinghouse, Pubkey::new_unique(), vec![]),
        &[],
    );
    assert!(r.is_err(), "a missing writer account is refused");
}

#[test]
fn check_margin_works_while_everything_is_paused() {
    let mut env = Env::new();
    let series = call_series(&mut env);
    let (w, _) = writer_at_im(&mut env, &series, 10_000);
    pause_flags(&mut env, pause::PAUSABLE);
    rally_until(&mut env, &w.account, MarginStatus::Warning);
    let e: MarginWarning = event(&env.check_margin(&w.account).unwrap());
    assert_eq!(e.status_after, 1);
}
