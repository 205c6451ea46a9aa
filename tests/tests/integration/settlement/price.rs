//! `propose_settlement_price`: the update straddling the expiry, finality, refusals.
use super::*;

#[test]
fn the_update_straddling_expiry_is_the_settlement_price_final_at_once() {
    let mut env = Env::new();
    let expiry = expiry_after(env.now(), 2);
    let call = series(&mut env, 0, 140, expiry);
    expect_err(env.propose_settlement(expiry), E::NotExpired);
    advance_to(&mut env, expiry + 250);
    // published exactly at expiry, its previous update a second before: the one
    env.publish_sol_update(px(160), expiry, expiry - 1);
    let out = env.propose_settlement(expiry).unwrap();
    let p: greekhouse::events::SettlementPricePosted = event(&out);
    assert_eq!(
        (
            p.price,
            p.publish_time,
            p.prev_publish_time,
            p.is_final,
            p.passed_over
        ),
        (px(160), expiry, expiry - 1, true, 0)
    );
    let sp = env.settlement_price(expiry);
    assert!(sp.is_final());
    assert_eq!((sp.price, sp.publish_time), (px(160), expiry));
    // nothing replaces it, a later update or the same one again
    env.publish_sol_update(px(170), expiry + 240, expiry);
    expect_err(
        env.propose_settlement(expiry),
        E::SettlementPriceAlreadyFinal,
    );
    env.publish_sol_update(px(160), expiry, expiry - 1);
    expect_err(
        env.propose_settlement(expiry),
        E::SettlementPriceAlreadyFinal,
    );
    // and the series settles at once
    let e: greekhouse::events::SeriesSettled = event(&env.settle_series(&call).unwrap());
    assert_eq!(e.payout_per_contract, usd(20));
}

#[test]
fn an_update_whose_previous_one_is_at_or_after_expiry_is_refused() {
    let mut env = Env::new();
    let expiry = expiry_after(env.now(), 2);
    advance_to(&mut env, expiry + 250);
    // a later update, favourable to someone: its previous update is after expiry too
    env.publish_sol_update(px(170), expiry + 240, expiry + 200);
    expect_err(
        env.propose_settlement(expiry),
        E::SettlementPriceNotFirstAfterExpiry,
    );
    // the boundary: a previous update published at expiry itself is not before it
    env.publish_sol_update(px(170), expiry + 5, expiry);
    expect_err(
        env.propose_settlement(expiry),
        E::SettlementPriceNotFirstAfterExpiry,
    );
    assert!(env
        .chain
        .account(&greekhouse_sdk::pda::settlement_price(&env.sol.key, expiry))
        .unwrap()
        .is_none());
    env.publish_sol_update(px(160), expiry + 3, expiry - 7);
    env.propose_settlement(expiry).unwrap();
    assert_eq!(env.settlement_price(expiry).price, px(160));
}

#[test]
fn an_update_published_before_expiry_is_refused() {
    let mut env = Env::new();
    let expiry = expiry_after(env.now(), 2);
    advance_to(&mut env, expiry + 10);
    env.publish_sol_update(px(150), expiry - 1, expiry - 3);
    expect_err(
        env.propose_settlement(expiry),
        E::SettlementPriceBeforeExpiry,
    );
}

#[test]
fn after_a_feed_gap_the_first_update_after_expiry_is_accepted_at_once() {
    let mut env = Env::new();
    let expiry = expiry_after(env.now(), 2);
    // the feed stops 100 s before expiry and comes back 10 minutes after it
    advance_to(&mut env, expiry + 600);
    env.publish_sol_update(px(155), expiry + 600, expiry - 100);
    let out = env.propose_settlement(expiry).unwrap();
    let p: greekhouse::events::SettlementPricePosted = event(&out);
    assert!(p.is_final);
    assert_eq!(env.settlement_price(expiry).publish_time, expiry + 600);
}

#[test]
fn a_confidence_above_the_bound_never_settles_and_the_next_update_does() {
    let mut env = Env::new();
    let expiry = expiry_after(env.now(), 2);
    let call = series(&mut env, 0, 140, expiry);
    let bound = env.clearinghouse().params.settlement.max_conf_bps;
    assert_eq!(bound, 50, "0.5 %, tighter than the oracle's 2 %");
    advance_to(&mut env, expiry + 30);
    // the update at expiry: 1 % confidence, within the oracle's max_conf but not the bound
    env.publish_sol_update_with_conf(px(150), px(150) as u64 / 100, expiry + 2, expiry - 1);
    let p: greekhouse::events::SettlementPricePosted =
        event(&env.propose_settlement(expiry).unwrap());
    assert_eq!((p.is_final, p.passed_over), (false, 1));
    assert!(!env.settlement_price(expiry).is_final());
    // however long one waits (the old rule made any proposal final after its dispute period)
    env.advance(3_600);
    expect_err(env.settle_series(&call), E::SettlementPriceNotFinal);
    // only the update right after it is accepted next: not one after another, not a same-second one
    env.publish_sol_update(px(158), expiry + 9, expiry + 5);
    expect_err(
        env.propose_settlement(expiry),
        E::SettlementPriceNotNextUpdate,
    );
    env.publish_sol_update(px(158), expiry + 2, expiry + 2);
    expect_err(
        env.propose_settlement(expiry),
        E::SettlementPriceNotNextUpdate,
    );
    // exactly at the bound: final
    env.publish_sol_update_with_conf(px(152), px(152) as u64 / 200, expiry + 5, expiry + 2);
    let p: greekhouse::events::SettlementPricePosted =
        event(&env.propose_settlement(expiry).unwrap());
    assert_eq!((p.is_final, p.passed_over, p.price), (true, 1, px(152)));
    let e: greekhouse::events::SeriesSettled = event(&env.settle_series(&call).unwrap());
    assert_eq!(e.payout_per_contract, usd(12));
}

#[test]
fn a_settlement_price_must_pass_the_oracle_checks() {
    let mut env = Env::new();
    let expiry = expiry_after(env.now(), 2);
    let now = env.now();
    env.advance(expiry - now + 10);
    // the BTC oracle offered for SOL
    let payer = env.chain.payer();
    let ix = greekhouse_sdk::ix::propose_settlement_price(
        env.ch.clearinghouse,
        payer,
        env.sol.key,
        env.btc.oracle,
        expiry,
    );
    let err = env.send_ix(ix, &[]).unwrap_err();
    assert_eq!(err.custom_code(), Some(code(E::OracleWrongOwner)), "{err}");
    // another feed in the SOL oracle account, and a partially verified update
    let obs = greekhouse_testkit::pyth::PriceObservation {
        price: px(150),
        conf: px(150) as u64 / 1_000,
        expo: PYTH_EXPO,
        publish_time: expiry + 5,
    };
    let account = greekhouse_testkit::pyth::price_update_v2(
        [9u8; 32],
        obs,
        pyth_solana_receiver_sdk::price_update::VerificationLevel::Full,
    );
    let oracle = env.sol.oracle;
    env.chain.set_account(&oracle, account);
    expect_err(env.propose_settlement(expiry), E::OracleWrongFeedId);
    let partial = greekhouse_testkit::pyth::price_update_v2_after(
        greekhouse_testkit::scenario::SOL_FEED_ID,
        obs,
        expiry - 1,
        pyth_solana_receiver_sdk::price_update::VerificationLevel::Partial { num_signatures: 3 },
    );
    env.chain.set_account(&oracle, partial);
    expect_err(env.propose_settlement(expiry), E::OraclePartialVerification);
    // a non-positive price
    env.publish_sol_update(0, expiry + 5, expiry - 1);
    expect_err(env.propose_settlement(expiry), E::OracleNonPositivePrice);
    // a valid one is accepted
    env.publish_sol_update(px(150), expiry + 5, expiry - 1);
    env.propose_settlement(expiry).unwrap();
}
