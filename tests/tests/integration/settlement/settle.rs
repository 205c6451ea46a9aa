//! `settle_series` and `settle_position`.
use super::*;

#[test]
fn settle_series_and_positions_move_obligations_into_the_ledger() {
    let mut env = Env::new();
    let expiry = expiry_after(env.now(), 2);
    let call = series(&mut env, 0, 140, expiry);
    let w = env.writer(usd(100_000), 0);
    env.deposit_quote(&w, usd(50_000)).unwrap();
    env.write(&w, &call, 10).unwrap();
    // before expiry no settlement price can exist: Anchor refuses the missing account
    expect_anchor_err(env.settle_series(&call), 3007);
    // between expiry and settlement: no withdrawal, no write
    let now = env.now();
    env.advance(expiry - now);
    env.publish_prices();
    expect_err(env.withdraw_quote(&w, 1), E::PositionAwaitingSettlement);
    expect_err(env.settle_position(&w.account, &call), E::SeriesNotSettled);
    env.advance(10);
    // the update at expiry is too uncertain (2 %): the price waits for the next update
    env.publish_sol_update_with_conf(px(163), px(163) as u64 / 50, expiry, expiry - 1);
    env.propose_settlement(expiry).unwrap();
    expect_err(env.settle_series(&call), E::SettlementPriceNotFinal);
    env.publish_sol_update(px(163), expiry + 10, expiry);
    env.propose_settlement(expiry).unwrap();
    let out = env.settle_series(&call).unwrap();
    let e: greekhouse::events::SeriesSettled = event(&out);
    assert_eq!(
        (e.payout_per_contract, e.obligation_per_contract),
        (usd(23), usd(23))
    );
    assert_eq!(e.shorts_to_settle, 10);
    expect_err(env.settle_series(&call), E::SeriesAlreadySettled);
    assert_eq!(env.underlying_ledger(&env.sol.key.clone()).open_interest, 0);
    let quote0 = env.writer_state(&w.account).quote_balance;
    let out = env.settle_position(&w.account, &call).unwrap();
    let p: greekhouse::events::PositionSettled = event(&out);
    assert_eq!((p.owed, p.debt), (usd(230), 0));
    assert_eq!(
        env.writer_state(&w.account).quote_balance,
        quote0 - usd(230) as i64
    );
    assert_eq!(env.series_state(&call).settlement_ledger, usd(230));
    expect_err(env.settle_position(&w.account, &call), E::NoShortInSeries);
    // settled: the account withdraws everything it has left
    let left = env.writer_state(&w.account).quote_balance as u64;
    env.withdraw_quote(&w, left).unwrap();
    assert_books_balance(&mut env);
}

#[test]
fn an_out_of_the_money_series_clears_writers_without_payment() {
    let mut env = Env::new();
    let expiry = expiry_after(env.now(), 2);
    let call = series(&mut env, 0, 200, expiry);
    let w = env.writer(usd(10_000), 0);
    env.deposit_quote(&w, usd(10_000)).unwrap();
    env.write(&w, &call, 5).unwrap();
    let quote0 = env.writer_state(&w.account).quote_balance;
    settle_price(&mut env, expiry, 150);
    env.settle_series(&call).unwrap();
    let p: greekhouse::events::PositionSettled =
        event(&env.settle_position(&w.account, &call).unwrap());
    assert_eq!(p.owed, 0);
    assert_eq!(env.writer_state(&w.account).quote_balance, quote0);
    env.withdraw_quote(&w, quote0 as u64).unwrap();
    let out = env.finalize_series(&call).unwrap();
    let f: greekhouse::events::SeriesFinalized = event(&out);
    assert_eq!((f.payout_final, f.haircut_bps), (0, 0));
    // holders redeem worthless tokens: burned, nothing paid
    let r: greekhouse::events::Redeemed =
        event(&env.redeem(&w.owner, &w.quote_ata, &call, 5).unwrap());
    assert_eq!(r.amount, 0);
    assert_eq!(env.option_balance(&w.owner.pubkey(), &call), 0);
    assert_books_balance(&mut env);
}
