//! Settlement (docs/settlement.md): the one update that is the settlement price, settling series
//! and positions, writer debt, the fund's cover of unbacked contracts, the backstop auction,
//! finalization with a haircut confined to its series, redemption and the dust sweep; each
//! instruction's success and refusals, and the whole life cycle on the embedded bank.
use crate::harness;
use crate::liquidation::{assert_books_balance, bidder, writer_at_im};
use harness::ext_market::*;
use harness::*;

use anchor_lang::prelude::Pubkey;
use greekhouse::engine::settlement::contract_amounts;
use greekhouse::errors::GreekhouseError as E;
use greekhouse::state::{pause, SeriesStatus, WriterStatus};
use greekhouse_sdk::liquidation::BidSize;
use solana_signer::Signer;

/// A price in whole dollars as Pyth units.
fn px(dollars: i64) -> i64 {
    dollars * 100_000_000
}

/// Series at `strike` of `kind` on SOL, expiring two days out on the grid.
fn series(env: &mut Env, kind: u8, strike: u64, expiry: i64) -> Pubkey {
    let sol = env.sol;
    env.create_series(sol, kind, usd(strike), expiry).unwrap()
}

/// Advance to `expiry + 10` and post the update at expiry: SOL at `dollars`, published 10 s after
/// expiry, its previous update a second before expiry. Final at once.
fn settle_price(env: &mut Env, expiry: i64, dollars: i64) {
    let now = env.now();
    if now < expiry + 10 {
        env.advance(expiry + 10 - now);
    }
    env.publish_sol_update(px(dollars), expiry + 10, expiry - 1);
    env.propose_settlement(expiry).unwrap();
}

/// Advance to `expiry + secs` (when still before it).
fn advance_to(env: &mut Env, at: i64) {
    let now = env.now();
    if now < at {
        env.advance(at - now);
    }
}

/// Sweep `series`' dust when it holds some (a sweep of nothing is refused); returns the amount.
pub fn sweep_dust_if_any(env: &mut Env, series: &Pubkey) -> u64 {
    if env.series_dust(series) == 0 {
        expect_err(env.sweep_series_dust(series), E::NoSeriesDust);
        return 0;
    }
    let d: greekhouse::events::SeriesDustSwept = event(&env.sweep_series_dust(series).unwrap());
    d.amount
}

// ========================================================================= settlement price

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
    let obs = greekhouse_sdk::pyth::PriceObservation {
        price: px(150),
        conf: px(150) as u64 / 1_000,
        expo: PYTH_EXPO,
        publish_time: expiry + 5,
    };
    let account = greekhouse_sdk::pyth::price_update_v2(
        [9u8; 32],
        obs,
        pyth_solana_receiver_sdk::price_update::VerificationLevel::Full,
    );
    let oracle = env.sol.oracle;
    env.chain.set_account(&oracle, account);
    expect_err(env.propose_settlement(expiry), E::OracleWrongFeedId);
    let partial = greekhouse_sdk::pyth::price_update_v2_after(
        greekhouse_sdk::scenario::SOL_FEED_ID,
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

// ================================================================ settle series / position

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

// ============================================================================ debt

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

// ========================================================================= the life cycle

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

// ============================================================== properties (docs/protocol.md §12)

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 10,
            max_shrink_iters: 16,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        /// Random writers, books, a possible bankruptcy, stakes, settlement prices and backstop
        /// purchases through one expiry: every vault equals its ledger and open interest equals
        /// supply and shorts (plus unbacked contracts) after every step; after finalization the
        /// outstanding tokens are backed and the redemptions never exceed the ledger; a series
        /// without its own loss pays in full whatever happens to the others.
        #[test]
        fn an_expiry_keeps_every_series_whole_or_haircut_alone(
            dollars in proptest::collection::vec(300u64..20_000, 3),
            books in proptest::collection::vec(proptest::collection::vec(0u64..25, 3), 3),
            bankrupt in any::<bool>(),
            stake in 0u64..5_000,
            settle_at in 60i64..260,
            backstop_bps in 0u64..=10_000,
        ) {
            let mut env = Env::new();
            let expiry = expiry_after(env.now(), 2);
            let all = [
                series(&mut env, 0, 140, expiry),
                series(&mut env, 1, 170, expiry),
                series(&mut env, 0, 200, expiry),
            ];
            let mut writers = Vec::new();
            for (i, d) in dollars.iter().enumerate() {
                let w = env.writer(usd(*d), 0);
                env.deposit_quote(&w, usd(*d)).unwrap();
                for (s, n) in all.iter().zip(&books[i]) {
                    if *n > 0 {
                        // a write above initial margin is refused and changes nothing
                        let _ = env.write(&w, s, *n);
                    }
                }
                writers.push(w);
            }
            if bankrupt {
                let (weak, _) = writer_at_im(&mut env, &all[0], 1_000);
                let p = env.move_sol_until_liquidatable(&weak.account, 100);
                env.move_sol(p * 3 / 2);
                let keeper = bidder(&mut env);
                env.start_liquidation(&keeper, &weak.account).unwrap();
                if env.resolve_bankruptcy(&weak.account).is_err() {
                    // solvent enough for a bid: the keeper buys it instead
                    let _ = env.bid(&keeper, &weak.account, BidSize::Max);
                }
                env.move_sol(px(150));
                writers.push(weak);
            }
            assert_books_balance(&mut env);
            if stake > 0 {
                let staker = env.staker(usd(stake));
                env.stake(&staker, usd(stake)).unwrap();
            }

            settle_price(&mut env, expiry, settle_at);
            for s in &all {
                env.settle_series(s).unwrap();
                assert_books_balance(&mut env);
            }
            let accounts: Vec<Pubkey> = env.writer_accounts.clone();
            for a in &accounts {
                for s in &all {
                    if env.writer_state(a).short_contracts(s) > 0 {
                        env.settle_position(a, s).unwrap();
                        assert_books_balance(&mut env);
                    }
                }
                if env.writer_state(a).debt_marker_count() > 0 {
                    env.resolve_debt(a).unwrap();
                    assert_books_balance(&mut env);
                }
            }
            // backstops where a series is short; the rest finalize at once
            let buyer = env.staker(usd(1_000_000));
            let mut opened = false;
            for s in &all {
                if env.open_backstop(s).is_ok() {
                    opened = true;
                    let st = env.series_state(s);
                    let gap = (st.outstanding() * st.payout_per_contract)
                        .saturating_sub(st.settlement_ledger);
                    let amount = (gap as u128 * backstop_bps as u128 / 10_000) as u64;
                    if amount > 0 {
                        let _ = env.buy_backstop(&buyer, s, amount, u64::MAX);
                    }
                    assert_books_balance(&mut env);
                }
            }
            if opened {
                env.advance(86_401);
            }
            for s in &all {
                env.finalize_series(s).unwrap();
                let st = env.series_state(s);
                // a series with no loss of its own is paid in full
                if st.unbacked_contracts == 0 && st.shortfall == 0 {
                    prop_assert_eq!(st.payout_final, st.payout_per_contract, "series {}", s);
                }
                prop_assert!(st.outstanding() * st.payout_final <= st.settlement_ledger);
                assert_books_balance(&mut env);
            }
            // every holder redeems; the sum never exceeds what the ledger held
            for s in &all {
                let ledger = env.series_state(s).settlement_ledger;
                let mut paid = 0;
                for w in &writers {
                    let held = env.option_balance(&w.owner.pubkey(), s);
                    if held > 0 {
                        let r: greekhouse::events::Redeemed =
                            event(&env.redeem(&w.owner, &w.quote_ata, s, held).unwrap());
                        paid += r.amount;
                    }
                }
                prop_assert!(paid <= ledger);
                sweep_dust_if_any(&mut env, s);
                prop_assert_eq!(env.series_state(s).settlement_ledger, 0);
                assert_books_balance(&mut env);
            }
        }
    }
}

#[test]
fn a_guardian_pausing_everything_cannot_stop_settlement_or_redemption() {
    let mut env = Env::new();
    let expiry = expiry_after(env.now(), 2);
    let call = series(&mut env, 0, 140, expiry);
    let w = env.writer(usd(10_000), 0);
    env.deposit_quote(&w, usd(10_000)).unwrap();
    env.write(&w, &call, 3).unwrap();
    env.pause(pause::PAUSABLE);
    settle_price(&mut env, expiry, 150);
    env.settle_series(&call).unwrap();
    env.settle_position(&w.account, &call).unwrap();
    env.finalize_series(&call).unwrap();
    let r: greekhouse::events::Redeemed =
        event(&env.redeem(&w.owner, &w.quote_ata, &call, 3).unwrap());
    assert_eq!(r.amount, 3 * usd(10));
    sweep_dust_if_any(&mut env, &call);
    // and the account, with no shorts and no debt left, withdraws under a full pause
    let left = env.writer_state(&w.account).quote_balance as u64;
    env.withdraw_quote(&w, left).unwrap();
    assert_books_balance(&mut env);
}

/// Replace `from` by `to` among an instruction's accounts.
fn swap(
    mut ix: anchor_lang::solana_program::instruction::Instruction,
    from: Pubkey,
    to: Pubkey,
) -> anchor_lang::solana_program::instruction::Instruction {
    for m in ix.accounts.iter_mut() {
        if m.pubkey == from {
            m.pubkey = to;
        }
    }
    ix
}

#[test]
fn settlement_refuses_foreign_accounts_and_wrong_signers() {
    use greekhouse_sdk::{ix, pda};
    let mut env = Env::new();
    let expiry = expiry_after(env.now(), 2);
    let call = series(&mut env, 0, 140, expiry);
    let w = env.writer(usd(10_000), 0);
    env.deposit_quote(&w, usd(10_000)).unwrap();
    env.write(&w, &call, 3).unwrap();
    let foreign = env.foreign_clearinghouse();
    let (ours, theirs) = (env.ch.clearinghouse, foreign.ch.clearinghouse);
    settle_price(&mut env, expiry, 150);
    // settle_series with another clearing house's fund or vaults
    let settle = ix::settle_series(&env.ch, call, env.sol.key, expiry);
    for (from, to, err) in [
        (
            pda::insurance_fund(&ours),
            pda::insurance_fund(&theirs),
            E::WrongInsuranceFund,
        ),
        (
            pda::insurance_vault(&ours),
            pda::insurance_vault(&theirs),
            E::WrongVault,
        ),
        (env.ch.quote_vault, foreign.ch.quote_vault, E::WrongVault),
    ] {
        expect_err(env.send_ix(swap(settle.clone(), from, to), &[]), err);
    }
    env.settle_series(&call).unwrap();
    // a writer account of another clearing house
    let fw = crate::liquidation::pda_writer(&mut env, &foreign);
    expect_err(
        env.send_ix(ix::settle_position(fw, call), &[]),
        E::WrongClearinghouse,
    );
    // resolve_debt with another clearing house's fund
    let resolve = ix::resolve_debt(&env.ch, w.account, &[], vec![]);
    expect_err(
        env.send_ix(
            swap(
                resolve,
                pda::insurance_fund(&ours),
                pda::insurance_fund(&theirs),
            ),
            &[],
        ),
        E::WrongInsuranceFund,
    );
    env.settle_position(&w.account, &call).unwrap();
    env.finalize_series(&call).unwrap();
    // a holder cannot redeem tokens of another owner's token account
    let thief = env.writer(0, 0);
    let victim_tokens = env.option_ata(&w.owner.pubkey(), &call);
    let steal = ix::redeem(
        &env.ch,
        thief.owner.pubkey(),
        call,
        victim_tokens,
        thief.quote_ata,
        1,
    );
    expect_err(env.send_ix(steal, &[&thief.owner]), E::WrongTokenOwner);
    // redeem from another clearing house's quote vault
    let redeem = ix::redeem(
        &env.ch,
        w.owner.pubkey(),
        call,
        victim_tokens,
        w.quote_ata,
        1,
    );
    expect_err(
        env.send_ix(
            swap(redeem, env.ch.quote_vault, foreign.ch.quote_vault),
            &[&w.owner],
        ),
        E::WrongVault,
    );
}

#[test]
fn buying_a_backstop_needs_the_buyers_own_stake_and_an_open_auction() {
    let mut env = Env::new();
    let expiry = expiry_after(env.now(), 2);
    let put = series(&mut env, 1, 150, expiry);
    let (w, _) = writer_at_im(&mut env, &put, 2_000);
    settle_price(&mut env, expiry, 60);
    env.settle_series(&put).unwrap();
    env.settle_position(&w.account, &put).unwrap();
    env.resolve_debt(&w.account).unwrap();
    let buyer = env.staker(usd(1_000));
    expect_err(
        env.buy_backstop(&buyer, &put, usd(1), u64::MAX),
        E::BackstopNotOpen,
    );
    env.open_backstop(&put).unwrap();
    // signing for another staker's stake account
    let other = env.staker(usd(1_000));
    let n = env.clearinghouse().underlying_count;
    let ix = swap(
        greekhouse_sdk::ix::buy_backstop(
            &env.ch,
            other.owner.pubkey(),
            other.quote_ata,
            put,
            greekhouse::instructions::BuyBackstopArgs {
                amount: usd(1),
                max_price: u64::MAX,
            },
            n,
        ),
        other.stake,
        buyer.stake,
    );
    expect_err(env.send_ix(ix, &[&other.owner]), E::NotStakeOwner);
    expect_err(env.buy_backstop(&buyer, &put, 0, u64::MAX), E::ZeroAmount);
    env.buy_backstop(&buyer, &put, usd(1), u64::MAX).unwrap();
    assert_books_balance(&mut env);
}
