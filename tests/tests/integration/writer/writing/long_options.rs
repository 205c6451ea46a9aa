//! Long positions: `deposit_options`, `withdraw_options` and `settle_long`, each success and
//! each way it must fail; a put spread margined at its maximum loss; a write netting the
//! writer's own long.
use super::*;
use greekhouse::events::{LongSettled, OptionsDeposited, OptionsWithdrawn, OptionsWritten};
use greekhouse_risk::Fixed;

/// `w` short `short` of `series` (tokens held), and `long` more tokens of it from another
/// writer in `w`'s option account.
fn holder_of(env: &mut Env, series: &Pubkey, short: u64, long: u64) -> (Writer, Writer) {
    let w = funded_writer(env, 10_000);
    let other = funded_writer(env, 10_000);
    if short > 0 {
        env.write(&w, series, short).unwrap();
    }
    let ata = env.option_ata(&w.owner.pubkey(), series);
    env.write_to(&other, series, long, ata).unwrap();
    (w, other)
}

#[test]
fn deposit_nets_the_own_short_then_holds_a_long() {
    let mut env = Env::new();
    let series = sol_call(&mut env, 160, 7);
    let (w, _other) = holder_of(&mut env, &series, 5, 3);
    let quote0 = env.writer_state(&w.account).quote_balance;

    let out = env.deposit_options(&w, &series, 8).unwrap();
    assert_eq!(event_names(&out), vec!["OptionsDeposited"]);
    let ev = event::<OptionsDeposited>(&out);
    assert_eq!(
        (ev.writer_account, ev.series, ev.contracts, ev.netted),
        (w.account, series, 8, 5)
    );
    assert_eq!((ev.short_after, ev.long_after), (0, 3));
    let ws = env.writer_state(&w.account);
    assert_eq!(
        (ws.short_contracts(&series), ws.long_contracts(&series)),
        (0, 3)
    );
    // the tokens are burned; the series holds the long in custody; only the other writer's
    // short stays open
    let s = env.series_state(&series);
    assert_eq!((s.open_interest, s.long_contracts), (3, 3));
    assert_eq!(env.series_supply(&series), 0);
    assert_eq!(env.option_balance(&w.owner.pubkey(), &series), 0);
    assert_eq!(
        env.underlying_ledger(&{ env.sol.key }).open_interest,
        3_000_000
    );
    // no fee either way
    assert_eq!(env.writer_state(&w.account).quote_balance, quote0);
    // a long alone is no liability: all the quote can leave without a price
    assert!(!env.writer_state(&w.account).has_liabilities());
}

#[test]
fn a_put_spread_margins_at_most_its_maximum_loss() {
    let mut env = Env::new();
    let short_leg = sol_put(&mut env, 140, 7);
    let long_leg = sol_put(&mut env, 130, 7);
    let w = funded_writer(&mut env, 10_000);
    let market = funded_writer(&mut env, 10_000);
    env.write(&w, &short_leg, 10).unwrap();
    let naked = env.margin_of(&w.account).initial.requirement;
    let ata = env.option_ata(&w.owner.pubkey(), &long_leg);
    env.write_to(&market, &long_leg, 10, ata).unwrap();
    env.deposit_options(&w, &long_leg, 10).unwrap();

    let spread = env.margin_of(&w.account).initial.requirement;
    // ten 140/130 put spreads of one SOL: the most they can lose is 10 x 10 dollars
    let max_loss = Fixed::from_int((10 * usd(10)) as i64);
    assert!(
        spread <= max_loss,
        "spread IM {spread:?} > max loss {max_loss:?}"
    );
    assert!(spread < naked, "the long must lower the requirement");
    // so the same deposit writes more of the short leg than the naked book could
    assert!(env.max_writable(&w, &short_leg) > 0);
}

#[test]
fn a_write_releases_the_own_long_first() {
    let mut env = Env::new();
    let series = sol_call(&mut env, 160, 7);
    let (w, _) = holder_of(&mut env, &series, 0, 4);
    env.deposit_options(&w, &series, 4).unwrap();
    let fees0 = env.fees_accrued_total();

    let out = env.write(&w, &series, 6).unwrap();
    let ev = event::<OptionsWritten>(&out);
    assert_eq!((ev.contracts, ev.from_long, ev.short_after), (6, 4, 2));
    let ws = env.writer_state(&w.account);
    assert_eq!(
        (ws.short_contracts(&series), ws.long_contracts(&series)),
        (2, 0)
    );
    let s = env.series_state(&series);
    assert_eq!((s.open_interest, s.long_contracts), (4 + 2, 0));
    assert_eq!(env.option_balance(&w.owner.pubkey(), &series), 6);
    // the fee is charged on the two contracts written, not on the released long
    assert!(env.fees_accrued_total() > fees0);
}

#[test]
fn withdraw_options_mints_the_long_back() {
    let mut env = Env::new();
    let series = sol_call(&mut env, 160, 7);
    let (w, _) = holder_of(&mut env, &series, 0, 5);
    env.deposit_options(&w, &series, 5).unwrap();

    let out = env.withdraw_options(&w, &series, 2).unwrap();
    let ev = event::<OptionsWithdrawn>(&out);
    assert_eq!((ev.contracts, ev.long_after), (2, 3));
    // no shorts, no debt: no margin check
    assert_eq!(ev.initial_equity_after, None);
    assert_eq!(env.option_balance(&w.owner.pubkey(), &series), 2);
    let s = env.series_state(&series);
    assert_eq!((s.long_contracts, env.series_supply(&series)), (3, 2));
    env.withdraw_options(&w, &series, 3).unwrap();
    assert_eq!(env.writer_state(&w.account).position_count(), 0);
}

#[test]
fn withdraw_options_of_a_spreads_long_leg_is_margin_checked() {
    let mut env = Env::new();
    let short_leg = sol_put(&mut env, 140, 7);
    let long_leg = sol_put(&mut env, 130, 7);
    let w = env.writer(usd(200_000), LAMPORTS_PER_SOL);
    let market = funded_writer(&mut env, 10_000);
    let ata = env.option_ata(&w.owner.pubkey(), &long_leg);
    env.write_to(&market, &long_leg, 10, ata).unwrap();
    env.deposit_options(&w, &long_leg, 10).unwrap();
    // just enough quote for the spread: the naked short would need far more
    env.deposit_quote(&w, usd(150)).unwrap();
    env.write(&w, &short_leg, 10).unwrap();

    let keys = touched(&mut env, &long_leg, &[&w]);
    let before = env.snapshot(&keys);
    expect_err(
        env.withdraw_options(&w, &long_leg, 10),
        E::InitialMarginBreach,
    );
    assert!(
        env.snapshot(&keys) == before,
        "a refusal changed an account"
    );
    // with a stale price the check cannot run
    env.advance(31);
    expect_err(env.withdraw_options(&w, &long_leg, 1), E::OracleStale);
}

#[test]
fn withdraw_options_refusals() {
    let mut env = Env::new();
    let series = sol_call(&mut env, 160, 7);
    let (w, other) = holder_of(&mut env, &series, 0, 5);
    env.deposit_options(&w, &series, 5).unwrap();

    expect_err(env.withdraw_options(&w, &series, 0), E::ZeroAmount);
    expect_err(env.withdraw_options(&w, &series, 6), E::InsufficientLong);
    // no long at all in the other writer's account
    expect_err(
        env.withdraw_options(&other, &series, 1),
        E::InsufficientLong,
    );
    // the owner's signature is needed
    let forged = Writer {
        owner: other.owner.insecure_clone(),
        account: w.account,
        quote_ata: other.quote_ata,
        sol_ata: other.sol_ata,
    };
    expect_err(env.withdraw_options(&forged, &series, 1), E::NotWriterOwner);
    // the pause stops it only for an account with liabilities
    let series2 = sol_call(&mut env, 180, 7);
    env.pause(pause::WITHDRAW);
    env.withdraw_options(&w, &series, 1).unwrap();
    env.deposit_quote(&w, usd(1_000)).unwrap();
    env.write(&w, &series2, 1).unwrap();
    expect_err(env.withdraw_options(&w, &series, 1), E::Paused);
    env.unpause(pause::WITHDRAW);
    // after expiry the long waits for settlement
    let expiry = env.series_state(&series).expiry;
    let now = env.now();
    env.advance(expiry - now + 1);
    env.publish_prices();
    expect_err(env.withdraw_options(&w, &series, 1), E::SeriesExpired);
}

#[test]
fn deposit_options_refusals() {
    let mut env = Env::new();
    let series = sol_call(&mut env, 160, 7);
    let (w, other) = holder_of(&mut env, &series, 0, 5);
    let series2 = sol_call(&mut env, 170, 7);
    let ata2 = env.option_ata(&w.owner.pubkey(), &series2);
    // the other owner's (empty) token account exists before the snapshot
    env.option_ata(&other.owner.pubkey(), &series);
    let keys = touched(&mut env, &series, &[&w, &other]);
    let before = env.snapshot(&keys);
    expect_err(env.deposit_options(&w, &series, 0), E::ZeroAmount);
    // into another owner's account
    let forged = Writer {
        owner: other.owner.insecure_clone(),
        account: w.account,
        quote_ata: other.quote_ata,
        sol_ata: other.sol_ata,
    };
    expect_err(env.deposit_options(&forged, &series, 1), E::NotWriterOwner);
    // tokens of another owner
    let ata = env.option_ata(&w.owner.pubkey(), &series);
    let ix = ix::deposit_options(
        other.account,
        other.owner.pubkey(),
        env.sol.key,
        series,
        ata,
        1,
    );
    expect_err(env.send_ix(ix, &[&other.owner]), E::WrongTokenOwner);
    // a token account of another series
    let ix = ix::deposit_options(w.account, w.owner.pubkey(), env.sol.key, series, ata2, 1);
    expect_err(env.send_ix(ix, &[&w.owner]), E::WrongTokenMint);
    // the underlying ledger of another underlying
    let ix = ix::deposit_options(w.account, w.owner.pubkey(), env.btc.key, series, ata, 1);
    expect_err(env.send_ix(ix, &[&w.owner]), E::WrongUnderlyingLedger);
    // more tokens than held: the token program refuses the burn
    expect_anchor_err(
        env.deposit_options(&w, &series, 6),
        TOKEN_INSUFFICIENT_FUNDS,
    );
    assert!(
        env.snapshot(&keys) == before,
        "a refusal changed an account"
    );
    // at expiry the tokens are redeemed instead
    let expiry = env.series_state(&series).expiry;
    let now = env.now();
    env.advance(expiry - now);
    expect_err(env.deposit_options(&w, &series, 1), E::SeriesExpired);
}

#[test]
fn a_long_is_paid_at_the_final_payout_once_its_series_finalizes() {
    let mut env = Env::new();
    let series = sol_call(&mut env, 140, 2);
    let (w, other) = holder_of(&mut env, &series, 0, 4);
    env.deposit_options(&w, &series, 4).unwrap();
    expect_err(env.settle_long(&w.account, &series), E::SeriesNotFinalized);

    // SOL at 150 at expiry: the call pays 10 dollars a contract
    let expiry = env.series_state(&series).expiry;
    let now = env.now();
    env.advance(expiry + 10 - now);
    env.publish_sol_update(150 * 100_000_000, expiry + 10, expiry - 1);
    env.propose_settlement(expiry).unwrap();
    env.settle_series(&series).unwrap();
    expect_err(env.settle_long(&w.account, &series), E::SeriesNotFinalized);
    env.settle_position(&other.account, &series).unwrap();
    env.finalize_series(&series).unwrap();

    let quote0 = env.writer_state(&w.account).quote_balance;
    let out = env.settle_long(&w.account, &series).unwrap();
    let ev = event::<LongSettled>(&out);
    assert_eq!((ev.contracts, ev.amount), (4, 4 * usd(10)));
    assert_eq!(ev.quote_balance_after, quote0 + 4 * usd(10) as i64);
    let s = env.series_state(&series);
    assert_eq!((s.long_contracts, s.redeemed_contracts), (0, 4));
    assert_eq!(s.settlement_ledger, 0, "everything owed is paid");
    // once only; and an account without a long has nothing to settle
    expect_err(env.settle_long(&w.account, &series), E::NoLongInSeries);
    expect_err(env.settle_long(&other.account, &series), E::NoLongInSeries);
    // the writer, its long paid, withdraws everything and closes
    let q = env.writer_state(&w.account).quote_balance as u64;
    env.withdraw_quote(&w, q).unwrap();
}

#[test]
fn long_instructions_refuse_an_unsettled_expired_short_and_an_open_debt() {
    let mut env = Env::new();
    let put = sol_put(&mut env, 150, 2);
    let later = sol_call(&mut env, 200, 9);
    let (w, _) = holder_of(&mut env, &later, 0, 3);
    env.deposit_options(&w, &later, 2).unwrap();
    assert!(env.write_to_initial_margin(&w, &put).unwrap() > 0);
    // past the put's expiry, before its settlement: the expired short waits for it
    let expiry = env.series_state(&put).expiry;
    let now = env.now();
    env.advance(expiry + 10 - now);
    env.publish_prices();
    expect_err(
        env.withdraw_options(&w, &later, 1),
        E::PositionAwaitingSettlement,
    );
    // SOL at 100 at expiry: the puts cost more than the account holds
    env.publish_sol_update(100 * 100_000_000, expiry + 10, expiry - 1);
    env.propose_settlement(expiry).unwrap();
    env.publish_prices();
    env.settle_series(&put).unwrap();
    env.settle_position(&w.account, &put).unwrap();
    assert!(env.writer_state(&w.account).quote_balance < 0);
    // an open debt: no long in, none out
    expect_err(env.deposit_options(&w, &later, 1), E::SettlementDebtOpen);
    expect_err(env.withdraw_options(&w, &later, 1), E::SettlementDebtOpen);
}

#[test]
fn settle_long_refuses_another_clearing_houses_account() {
    let mut env = Env::new();
    let series = sol_call(&mut env, 140, 2);
    let foreign = env.foreign_clearinghouse();
    let owner = env.chain.funded_keypair(LAMPORTS_PER_SOL).unwrap();
    let open = ix::open_writer_account(foreign.ch.clearinghouse, owner.pubkey(), owner.pubkey(), 0);
    env.send_ix(open, &[&owner]).unwrap();
    let theirs = greekhouse_sdk::pda::writer_account(&foreign.ch.clearinghouse, &owner.pubkey(), 0);
    expect_err(env.settle_long(&theirs, &series), E::WrongClearinghouse);
}
