//! A series' whole life: write, expire, settle, backstop, finalize, redeem.
use super::*;

/// One expiry with an ITM call, an ITM put and an OTM call; a bankrupt writer on the call; the
/// fund covers part of its shortfall, a backstop purchase part of the rest, the rest is an exact
/// haircut on the call series only; every holder redeems; totals reconcile to the unit.
#[test]
fn the_whole_life_cycle_reconciles_to_the_unit() {
    let mut env = Env::new();
    let expiry = expiry_after(env.now(), 2);
    let call = series(&mut env, 0, 140, expiry);
    let big = env.writer(usd(400_000), 0);
    env.deposit_quote(&big, usd(300_000)).unwrap();
    env.write(&big, &call, 20).unwrap();
    // a writer at IM on the call goes bankrupt in a rally, with an empty fund
    let (weak, n) = writer_at_im(&mut env, &call, 2_000);
    let price = env.move_sol_until_liquidatable(&weak.account, 100);
    env.move_sol(price * 3 / 2);
    let keeper = bidder(&mut env);
    env.start_liquidation(&keeper, &weak.account).unwrap();
    env.resolve_bankruptcy(&weak.account).unwrap();
    assert_eq!(
        env.writer_state(&weak.account).status,
        WriterStatus::Bankrupt as u8
    );
    let cover = env.series_state(&call).unbacked_cover;
    assert_eq!(env.series_state(&call).unbacked_contracts, n);
    // an ITM put and an OTM call around the settlement price
    let spot = (env.sol_price / 100_000_000) as u64;
    let settle_at = spot + 30;
    let put = series(&mut env, 1, settle_at + 10, expiry);
    let otm = series(&mut env, 0, settle_at + 20, expiry);
    env.write(&big, &put, 20).unwrap();
    env.write(&big, &otm, 20).unwrap();
    assert_books_balance(&mut env);

    let payout = contract_amounts(0, usd(140), 1_000_000, px(settle_at as i64), PYTH_EXPO, 6)
        .unwrap()
        .payout;
    assert_eq!(payout, usd(settle_at - 140));
    let need = n * payout - cover;
    assert!(need > 3, "cover {cover} already pays {n} x {payout}");
    // the fund holds a third of the need by settlement
    let staker = env.staker(need / 3);
    env.stake(&staker, need / 3).unwrap();
    settle_price(&mut env, expiry, settle_at as i64);
    let fund0 = env.insurance_fund().balance;
    let s: greekhouse::events::SeriesSettled = event(&env.settle_series(&call).unwrap());
    assert_eq!(s.fund_cover, fund0);
    assert_eq!(s.unbacked_cover, cover);
    env.settle_series(&put).unwrap();
    env.settle_series(&otm).unwrap();
    assert_eq!(env.insurance_fund().balance, 0);
    for s in [call, put, otm] {
        env.settle_position(&big.account, &s).unwrap();
    }
    assert_books_balance(&mut env);

    // the backstop sells new fund shares for part of what is left
    let gap = (20 + n) * payout - env.series_state(&call).settlement_ledger;
    assert!(gap > 0);
    expect_err(env.finalize_series(&call), E::BackstopNotOpen);
    let o: greekhouse::events::BackstopOpened = event(&env.open_backstop(&call).unwrap());
    assert_eq!(o.shortfall, gap);
    expect_err(env.open_backstop(&call), E::BackstopAlreadyOpen);
    expect_err(env.open_backstop(&put), E::NoShortfall);
    let buyer = env.staker(gap);
    env.advance(3_600);
    expect_err(
        env.buy_backstop(&buyer, &call, gap / 2, 1),
        E::BackstopPriceAboveLimit,
    );
    env.pause(pause::BACKSTOP);
    expect_err(
        env.buy_backstop(&buyer, &call, gap / 2, u64::MAX),
        E::Paused,
    );
    env.unpause(pause::BACKSTOP);
    let shares0 = env.insurance_fund().total_shares;
    let b: greekhouse::events::BackstopBought =
        event(&env.buy_backstop(&buyer, &call, gap / 2, u64::MAX).unwrap());
    assert_eq!(b.amount, gap / 2);
    // the settlement wiped the fund: the purchase first rebased the staker's worthless shares
    // to nothing (docs/insurance.md), so the buyer's are all there are
    assert!(shares0 > 0);
    assert_eq!(env.insurance_fund().total_shares, b.shares);
    assert_eq!(env.insurance_stake(&buyer).shares, b.shares);
    assert_eq!(b.shortfall_after, gap - gap / 2);
    env.advance(86_400);
    expect_err(
        env.buy_backstop(&buyer, &call, 1, u64::MAX),
        E::BackstopClosed,
    );

    // finalize: the call's holders bear what is left, exactly; the others are whole
    let ledger = env.series_state(&call).settlement_ledger;
    let outstanding = 20 + n;
    let fc: greekhouse::events::SeriesFinalized = event(&env.finalize_series(&call).unwrap());
    assert_eq!(fc.payout_final, ledger / outstanding);
    assert!(fc.payout_final < payout);
    let fp: greekhouse::events::SeriesFinalized = event(&env.finalize_series(&put).unwrap());
    assert_eq!((fp.payout_final, fp.haircut_bps), (usd(10), 0));
    assert!(fc.haircut_bps > 0);
    let fo: greekhouse::events::SeriesFinalized = event(&env.finalize_series(&otm).unwrap());
    assert_eq!((fo.payout_final, fo.haircut_bps), (0, 0));
    expect_err(env.finalize_series(&call), E::SeriesAlreadyFinalized);

    // every holder redeems
    let mut paid = 0u64;
    for (holder, wallet, s, k) in [
        (&big.owner, big.quote_ata, call, 20),
        (&weak.owner, weak.quote_ata, call, n),
        (&big.owner, big.quote_ata, put, 20),
        (&big.owner, big.quote_ata, otm, 20),
    ] {
        let before = env.wallet_quote(&wallet);
        let r: greekhouse::events::Redeemed = event(&env.redeem(holder, &wallet, &s, k).unwrap());
        assert_eq!(env.wallet_quote(&wallet), before + r.amount);
        paid += r.amount;
    }
    assert_eq!(paid, outstanding * fc.payout_final + 20 * usd(10));
    expect_err(
        env.redeem(&big.owner, &big.quote_ata, &call, 1),
        E::InsufficientOptionTokens,
    );
    // the rounding dust goes to the fund; every series ledger is then empty
    let fund_before = env.insurance_fund().balance;
    let mut dust = 0;
    for s in [call, put, otm] {
        dust += sweep_dust_if_any(&mut env, &s);
        assert_eq!(env.series_state(&s).settlement_ledger, 0);
        expect_err(env.sweep_series_dust(&s), E::NoSeriesDust);
    }
    assert_eq!(env.insurance_fund().balance, fund_before + dust);
    assert_eq!(dust, ledger - outstanding * fc.payout_final);
    for s in [call, put, otm] {
        assert_eq!(env.series_state(&s).status, SeriesStatus::Finalized as u8);
    }
    assert_books_balance(&mut env);
}

#[test]
fn redeem_needs_a_finalized_series() {
    let mut env = Env::new();
    let expiry = expiry_after(env.now(), 2);
    let call = series(&mut env, 0, 140, expiry);
    let w = env.writer(usd(10_000), 0);
    env.deposit_quote(&w, usd(10_000)).unwrap();
    env.write(&w, &call, 2).unwrap();
    expect_err(
        env.redeem(&w.owner, &w.quote_ata, &call, 1),
        E::SeriesNotFinalized,
    );
    settle_price(&mut env, expiry, 150);
    env.settle_series(&call).unwrap();
    expect_err(
        env.redeem(&w.owner, &w.quote_ata, &call, 1),
        E::SeriesNotFinalized,
    );
    expect_err(env.finalize_series(&call), E::SeriesHasUnsettledShorts);
    env.settle_position(&w.account, &call).unwrap();
    env.finalize_series(&call).unwrap();
    expect_err(env.redeem(&w.owner, &w.quote_ata, &call, 0), E::ZeroAmount);
    expect_err(
        env.redeem(&w.owner, &w.quote_ata, &call, 3),
        E::InsufficientOptionTokens,
    );
    env.redeem(&w.owner, &w.quote_ata, &call, 2).unwrap();
}

#[test]
fn an_unpaid_debt_past_its_grace_sells_the_collateral() {
    let mut env = Env::new();
    let expiry = expiry_after(env.now(), 2);
    let put = series(&mut env, 1, 150, expiry);
    let w = env.writer(usd(100), 20 * LAMPORTS_PER_SOL);
    env.deposit_quote(&w, usd(100)).unwrap();
    env.deposit_sol(&w, 20 * LAMPORTS_PER_SOL).unwrap();
    env.write(&w, &put, 10).unwrap();
    settle_price(&mut env, expiry, 140);
    env.settle_series(&put).unwrap();
    env.settle_position(&w.account, &put).unwrap();
    assert!(env.writer_state(&w.account).has_settlement_debt());
    // healthy margin (20 SOL against a 100 USDC debt): no sale during the grace period
    env.move_sol(px(140));
    let b = bidder(&mut env);
    expect_err(env.start_liquidation(&b, &w.account), E::DebtGraceNotOver);
    env.advance(3_600);
    env.publish_prices();
    env.start_liquidation(&b, &w.account).unwrap();
    // the sale is not over while the debt is there, however healthy the margin
    expect_err(env.end_liquidation(&w.account), E::DebtStillOutstanding);
    env.advance(120);
    env.publish_prices();
    let (out, p) = env.bid(&b, &w.account, BidSize::Max).unwrap();
    assert!(p.debt_sale);
    let e: greekhouse::events::SliceBought = event(&out);
    // only the fraction that clears the debt (waterfall::a_debt_sale_bid_takes_only_what_clears_the_debt)
    assert!(e.fraction < greekhouse::engine::liquidation::FRACTION_ONE);
    assert!(e.payment > 0);
    let state = env.writer_state(&w.account);
    assert!(state.quote_balance >= 0 && state.collateral_count() == 1);
    env.end_liquidation(&w.account).unwrap();
    // the debt is gone: the markers close without a loss and the series pays in full
    let r: greekhouse::events::DebtResolved = event(&env.resolve_debt(&w.account).unwrap());
    assert_eq!(r.debt, 0);
    let f: greekhouse::events::SeriesFinalized = event(&env.finalize_series(&put).unwrap());
    assert_eq!((f.payout_final, f.haircut_bps), (usd(10), 0));
    assert_books_balance(&mut env);
}
