//! Settlement debts: markers, repayment, the debt sale after the grace period, write-offs.
use super::*;

#[test]
fn a_debt_with_collateral_is_repaid_then_resolved() {
    let mut env = Env::new();
    let expiry = expiry_after(env.now(), 2);
    let put = series(&mut env, 1, 150, expiry);
    let w = env.writer(usd(1_000), 20 * LAMPORTS_PER_SOL);
    env.deposit_quote(&w, usd(100)).unwrap();
    env.deposit_sol(&w, 20 * LAMPORTS_PER_SOL).unwrap();
    env.write(&w, &put, 10).unwrap();
    settle_price(&mut env, expiry, 140);
    env.settle_series(&put).unwrap();
    let p: greekhouse::events::PositionSettled =
        event(&env.settle_position(&w.account, &put).unwrap());
    assert_eq!(p.owed, usd(100));
    assert!(p.debt > 0 && p.quote_balance_after < 0);
    let state = env.writer_state(&w.account);
    assert_eq!(state.debt_marker_count(), 1);
    assert_eq!(env.series_state(&put).open_debts, 1);
    // the series cannot finalize while the debt is open; the debt cannot be written off while
    // the account holds collateral
    expect_err(env.finalize_series(&put), E::SeriesHasOpenDebts);
    expect_err(env.resolve_debt(&w.account), E::DebtWithCollateral);
    // the writer repays with a deposit; the markers close with no loss
    env.deposit_quote(&w, usd(900)).unwrap();
    let out = env.resolve_debt(&w.account).unwrap();
    let r: greekhouse::events::DebtResolved = event(&out);
    assert_eq!((r.debt, r.from_fund), (0, 0));
    assert_eq!(env.series_state(&put).open_debts, 0);
    expect_err(env.resolve_debt(&w.account), E::NoDebt);
    let f: greekhouse::events::SeriesFinalized = event(&env.finalize_series(&put).unwrap());
    assert_eq!((f.payout_final, f.haircut_bps), (usd(10), 0));
    assert_books_balance(&mut env);
}

#[test]
fn an_unpaid_debt_is_paid_by_the_fund_then_charged_to_its_series_alone() {
    let mut env = Env::new();
    let expiry = expiry_after(env.now(), 2);
    let put = series(&mut env, 1, 150, expiry);
    let other = series(&mut env, 0, 140, expiry);
    let (w, n) = writer_at_im(&mut env, &put, 2_000);
    // a healthy writer in another series
    let h = env.writer(usd(50_000), 0);
    env.deposit_quote(&h, usd(50_000)).unwrap();
    env.write(&h, &other, 10).unwrap();
    let staker = env.staker(usd(100));
    env.stake(&staker, usd(100)).unwrap();
    // a gap down at expiry: the put writer cannot pay
    settle_price(&mut env, expiry, 60);
    env.settle_series(&put).unwrap();
    env.settle_series(&other).unwrap();
    let p: greekhouse::events::PositionSettled =
        event(&env.settle_position(&w.account, &put).unwrap());
    assert_eq!(p.owed, n * usd(90));
    env.settle_position(&h.account, &other).unwrap();
    let debt = env.writer_state(&w.account).quote_balance.unsigned_abs();
    let fund0 = env.insurance_fund().balance;
    let out = env.resolve_debt(&w.account).unwrap();
    let r: greekhouse::events::DebtResolved = event(&out);
    assert_eq!(r.debt, debt);
    assert_eq!(r.from_fund, fund0);
    assert_eq!(r.charges.len(), 1);
    assert_eq!(r.charges[0].charged, debt - fund0);
    assert_eq!(env.writer_state(&w.account).quote_balance, 0);
    let s = env.series_state(&put);
    assert_eq!(s.shortfall, debt - fund0);
    assert_books_balance(&mut env);
    // the other series is untouched and pays in full
    let f: greekhouse::events::SeriesFinalized = event(&env.finalize_series(&other).unwrap());
    assert_eq!((f.payout_final, f.haircut_bps), (0, 0));
    // the put series needs its backstop window before its holders bear the loss
    expect_err(env.finalize_series(&put), E::BackstopNotOpen);
    env.open_backstop(&put).unwrap();
    expect_err(env.finalize_series(&put), E::BackstopStillOpen);
    env.advance(86_401);
    let f: greekhouse::events::SeriesFinalized = event(&env.finalize_series(&put).unwrap());
    let outstanding = n;
    assert_eq!(f.payout_final, s.settlement_ledger / outstanding);
    assert!(f.haircut_bps > 0);
    assert_books_balance(&mut env);
}
