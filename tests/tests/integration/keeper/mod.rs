//! Permissionless upkeep: `sweep_fees` (accrued writing fees into the insurance fund) and
//! `record_price` (the no-rollback floor of an underlying). Both are never paused.
use crate::harness;
use harness::ext_writer::*;
use harness::*;

use anchor_lang::prelude::Pubkey;
use greekhouse::errors::GreekhouseError as E;
use greekhouse::state::pause;
use greekhouse_sdk::events::GreekhouseEvent;
use greekhouse_sdk::ix;
use greekhouse_sdk::pda;
use greekhouse_testkit::pyth::PriceObservation;
use pyth_solana_receiver_sdk::price_update::VerificationLevel;

/// A writer who wrote 10 SOL calls, so fees accrued on SOL.
fn with_fees(env: &mut Env) -> u64 {
    let w = env.writer(10_000 * USDC, 0);
    env.deposit_quote(&w, 5_000 * USDC).unwrap();
    let sol = env.sol;
    let expiry = expiry_after(env.now(), 7);
    let series = env.create_series(sol, 0, 160 * USDC, expiry).unwrap();
    env.write(&w, &series, 10).unwrap();
    let fees = env.underlying_ledger(&sol.key).fees_accrued;
    assert!(fees > 0);
    fees
}

// ================================================================ sweep_fees

#[test]
fn sweep_moves_accrued_fees_into_the_insurance_fund() {
    let mut env = Env::new();
    let fees = with_fees(&mut env);
    let sol = env.sol.key;
    let quote_vault0 = env.quote_vault_balance();
    let out = env.sweep_fees(&sol).unwrap();

    assert_eq!(event_names(&out), vec!["FeesSwept"]);
    match &out.events[0] {
        GreekhouseEvent::FeesSwept(e) => {
            assert_eq!(
                (e.underlying, e.amount, e.fund_balance_after),
                (sol, fees, fees)
            );
        }
        e => panic!("unexpected {e:?}"),
    }
    let ledger = env.underlying_ledger(&sol);
    assert_eq!((ledger.fees_accrued, ledger.fees_swept_total), (0, fees));
    let fund = env.insurance_fund();
    assert_eq!((fund.balance, fund.fees_received_total), (fees, fees));
    assert_eq!(env.insurance_vault_balance(), fees);
    assert_eq!(env.quote_vault_balance(), quote_vault0 - fees);
    assert_eq!(env.quote_vault_balance() as i128, env.quote_claims());
}

#[test]
fn sweep_with_nothing_accrued_fails() {
    let mut env = Env::new();
    let btc = env.btc.key;
    expect_err(env.sweep_fees(&btc), E::NothingToSweep);
    // and a second sweep after a first one
    with_fees(&mut env);
    let sol = env.sol.key;
    env.sweep_fees(&sol).unwrap();
    expect_err(env.sweep_fees(&sol), E::NothingToSweep);
}

#[test]
fn sweep_refuses_foreign_vaults() {
    let mut env = Env::new();
    with_fees(&mut env);
    let sol = env.sol.key;
    let insurance_vault = pda::insurance_vault(&env.ch.clearinghouse);
    // the insurance vault named as the quote vault (and the other way round)
    let mut ix = ix::sweep_fees(&env.ch, sol);
    for m in ix.accounts.iter_mut() {
        if m.pubkey == env.ch.quote_vault {
            m.pubkey = insurance_vault;
        } else if m.pubkey == insurance_vault {
            m.pubkey = env.ch.quote_vault;
        }
    }
    expect_err(env.chain.send(&[ix], &[]), E::WrongVault);
    // another underlying's ledger sweeps that ledger only: BTC has none
    let ix = ix::sweep_fees(&env.ch, env.btc.key);
    expect_err(env.chain.send(&[ix], &[]), E::NothingToSweep);
    assert!(env.underlying_ledger(&sol).fees_accrued > 0);
}

#[test]
fn sweep_refuses_another_clearing_houses_ledger_and_fund() {
    let mut env = Env::new();
    with_fees(&mut env);
    let sol = env.sol.key;
    let foreign = env.foreign_clearinghouse();
    // the other clearing house's ledger under this clearing house
    let mut ix = ix::sweep_fees(&env.ch, sol);
    let ours = pda::underlying_ledger(&sol);
    let theirs = pda::underlying_ledger(&foreign.underlying.key);
    for m in ix.accounts.iter_mut().filter(|m| m.pubkey == ours) {
        m.pubkey = theirs;
    }
    expect_err(env.chain.send(&[ix], &[]), E::WrongClearinghouse);
    // the other clearing house's insurance fund and vault
    let mut ix = ix::sweep_fees(&env.ch, sol);
    let (fund, vault) = (
        pda::insurance_fund(&env.ch.clearinghouse),
        pda::insurance_vault(&env.ch.clearinghouse),
    );
    for m in ix.accounts.iter_mut() {
        if m.pubkey == fund {
            m.pubkey = pda::insurance_fund(&foreign.ch.clearinghouse);
        } else if m.pubkey == vault {
            m.pubkey = pda::insurance_vault(&foreign.ch.clearinghouse);
        }
    }
    expect_err(env.chain.send(&[ix], &[]), E::WrongInsuranceFund);
    assert!(env.underlying_ledger(&sol).fees_accrued > 0);
    assert_eq!(env.insurance_fund().balance, 0);
}

#[test]
fn sweep_works_while_everything_is_paused() {
    let mut env = Env::new();
    let fees = with_fees(&mut env);
    pause_flags(&mut env, pause::PAUSABLE);
    let sol = env.sol.key;
    env.sweep_fees(&sol).unwrap();
    assert_eq!(env.insurance_fund().balance, fees);
}

// ================================================================ record_price

fn sol_obs(env: &mut Env, publish_time: i64) -> PriceObservation {
    PriceObservation {
        price: env.sol_price,
        conf: env.sol_price as u64 / 1_000,
        expo: PYTH_EXPO,
        publish_time,
    }
}

#[test]
fn record_price_moves_the_no_rollback_floor() {
    let mut env = Env::new();
    env.advance(10);
    env.publish_prices();
    let now = env.now();
    let sol = env.sol;
    let out = env
        .chain
        .send(&[ix::record_price(sol.key, sol.oracle)], &[])
        .unwrap();
    assert_eq!(event_names(&out), vec!["OraclePriceAccepted"]);
    let u = env.underlying(&sol.key);
    assert_eq!((u.last_publish_time, u.last_price), (now, env.sol_price));

    // an older (still fresh) price is now refused everywhere, e.g. by a margin check
    let w = env.writer(10_000 * USDC, 0);
    env.deposit_quote(&w, 5_000 * USDC).unwrap();
    let expiry = expiry_after(now, 7);
    let series = env.create_series(sol, 0, 160 * USDC, expiry).unwrap();
    let older = sol_obs(&mut env, now - 5);
    env.set_sol_oracle(older, VerificationLevel::Full);
    expect_err(env.write(&w, &series, 1), E::OracleRollback);
    env.publish_prices();
    env.write(&w, &series, 1).unwrap();
}

#[test]
fn record_price_twice_with_the_same_price_fails() {
    let mut env = Env::new();
    env.advance(10);
    env.publish_prices();
    let sol = env.sol;
    env.chain
        .send(&[ix::record_price(sol.key, sol.oracle)], &[])
        .unwrap();
    expect_err(
        env.chain
            .send(&[ix::record_price(sol.key, sol.oracle)], &[]),
        E::PriceAlreadyRecorded,
    );
}

#[test]
fn record_price_refuses_stale_and_foreign_oracles() {
    let mut env = Env::new();
    let (sol, btc) = (env.sol, env.btc);
    env.advance(120);
    expect_err(
        env.chain
            .send(&[ix::record_price(sol.key, sol.oracle)], &[]),
        E::OracleStale,
    );
    env.publish_prices();
    // BTC's legacy price account is owned by another program than SOL's Pyth receiver
    expect_err(
        env.chain
            .send(&[ix::record_price(sol.key, btc.oracle)], &[]),
        E::OracleWrongOwner,
    );
    let stranger = Pubkey::new_unique();
    let r = env.chain.send(&[ix::record_price(sol.key, stranger)], &[]);
    assert!(r.is_err(), "an empty oracle account is refused");
}

#[test]
fn record_price_works_while_everything_is_paused() {
    let mut env = Env::new();
    pause_flags(&mut env, pause::PAUSABLE);
    env.advance(10);
    env.publish_prices();
    let btc = env.btc;
    env.chain
        .send(&[ix::record_price(btc.key, btc.oracle)], &[])
        .unwrap();
}

mod check_margin;
