//! The test oracle program (`greekhouse_testkit::test_oracle`), which prices a local validator, on
//! the embedded bank: the program reads its feeds as legacy Pyth accounts with every check a
//! real legacy account gets, and only a feed's own authority can publish to it.
use crate::harness;
use harness::*;

use greekhouse::errors::GreekhouseError as E;
use greekhouse_testkit::test_oracle;
use solana_signer::Signer;

fn test_oracle_env() -> Env {
    Env::with_options(EnvOptions {
        oracle: OracleSetup::TestOracle,
        ..EnvOptions::default()
    })
}

#[test]
fn a_world_priced_by_the_test_oracle_writes_and_margins_move_with_its_prices() {
    let mut env = test_oracle_env();
    assert_eq!(env.sol.oracle_program, test_oracle::ID);
    let feed = env
        .chain
        .account(&env.sol.oracle)
        .unwrap()
        .expect("feed exists");
    assert_eq!(
        feed.owner,
        test_oracle::ID,
        "the feed is the test oracle's account"
    );

    let expiry = expiry_after(env.now(), 7);
    let sol = env.sol;
    let series = env
        .create_series(sol, 0, 160 * USDC, expiry)
        .expect("series");
    let w = env.writer(100_000 * USDC, 0);
    env.deposit_quote(&w, 20_000 * USDC).unwrap();
    let out = env
        .write(&w, &series, 50)
        .expect("write priced by the test oracle");
    assert_eq!(event::<OptionsWritten>(&out).contracts, 50);

    let before = env.margin_of(&w.account).maintenance.equity;
    env.move_sol(200 * 100_000_000);
    let after = env.margin_of(&w.account).maintenance.equity;
    assert!(
        after < before,
        "a rally lowers a short call's equity: {before:?} -> {after:?}"
    );
}

#[test]
fn the_programs_oracle_checks_apply_to_test_oracle_feeds() {
    let mut env = test_oracle_env();
    let expiry = expiry_after(env.now(), 7);
    // a price published an hour ago is stale for a risk-increasing action
    let now = env.now();
    let authority = env.oracle_authority.insecure_clone();
    let old = test_oracle::publish(
        authority.pubkey(),
        test_oracle::label("SOL"),
        env.sol_price,
        1_000,
        now - 3_600,
    );
    env.chain.send(&[old], &[&authority]).expect("publish");
    let sol = env.sol;
    expect_err(
        env.create_series(sol, 0, 160 * USDC, expiry),
        E::OracleStale,
    );
}

#[test]
fn only_the_feeds_authority_can_publish_to_it() {
    let mut env = test_oracle_env();
    let intruder = env.chain.funded_keypair(LAMPORTS_PER_SOL).unwrap();
    // the intruder's instruction names the SOL feed but signs with its own key
    let mut ix = test_oracle::publish(intruder.pubkey(), test_oracle::label("SOL"), 1, 1, 0);
    ix.accounts[1].pubkey = env.sol.oracle;
    let err = env
        .chain
        .send(&[ix], &[&intruder])
        .expect_err("not its feed");
    assert!(err.to_string().contains("InvalidSeeds"), "{err}");

    // creating a feed twice fails (the address already holds an account)
    let authority = env.oracle_authority.insecure_clone();
    let again = test_oracle::create_feed(
        env.chain.payer(),
        authority.pubkey(),
        test_oracle::label("SOL"),
        PYTH_EXPO,
    );
    assert!(env.chain.send(&[again], &[&authority]).is_err());
}

/// The test oracle records the previous aggregate's publish time as Pyth's publisher does, so a
/// local cluster settles by the same rule: the update straddling the expiry, and no later one.
#[test]
fn a_test_oracle_feed_records_the_previous_publish_time_and_settles_by_it() {
    let mut env = test_oracle_env();
    let expiry = expiry_after(env.now(), 2);
    let now = env.now();
    env.advance(expiry - now + 20);
    let px = 150 * 100_000_000;
    env.publish_sol_at(px, expiry - 5);
    env.publish_sol_at(px + 1, expiry + 3);
    let feed = env.chain.account(&env.sol.oracle).unwrap().unwrap();
    let legacy = pyth_sdk_solana::state::load_price_account::<32, ()>(&feed.data).unwrap();
    assert_eq!(
        (legacy.timestamp, legacy.prev_timestamp),
        (expiry + 3, expiry - 5)
    );
    let p: greekhouse::events::SettlementPricePosted =
        event(&env.propose_settlement(expiry).unwrap());
    assert_eq!(
        (p.price, p.prev_publish_time, p.is_final),
        (px + 1, expiry - 5, true)
    );
}

#[test]
fn a_test_oracle_update_after_the_one_at_expiry_does_not_settle() {
    let mut env = test_oracle_env();
    let expiry = expiry_after(env.now(), 2);
    let now = env.now();
    env.advance(expiry - now + 20);
    let px = 150 * 100_000_000;
    env.publish_sol_at(px, expiry - 5);
    env.publish_sol_at(px, expiry + 3);
    env.publish_sol_at(px * 2, expiry + 10);
    expect_err(
        env.propose_settlement(expiry),
        E::SettlementPriceNotFirstAfterExpiry,
    );
}
