//! `bid`: its success and each way it must fail.
use super::*;

#[test]
fn a_solvent_account_is_sold_in_three_slices_as_the_discount_rises_then_ended() {
    let mut env = Env::new();
    let c = crashed(&mut env);
    env.start_liquidation(&c.bidder, &c.victim.account).unwrap();
    let fund0 = env.insurance_fund().balance;
    let mut discounts = Vec::new();
    let mut end_equities = Vec::new();
    for (wait, share) in [(120, 3u64), (240, 2), (300, 1)] {
        env.advance(wait);
        env.publish_prices();
        let q = env
            .quote_bid(&c.bidder, &c.victim.account, BidSize::Max)
            .unwrap();
        let fraction = q.projection.max_fraction / share;
        let (out, projected) = env
            .bid(&c.bidder, &c.victim.account, BidSize::Fraction(fraction))
            .unwrap();
        let e: SliceBought = event(&out);
        // the SDK's projection is the program's number, to the unit
        assert_eq!(e.fraction, projected.fraction);
        assert_eq!(e.payment as i128, projected.settlement.payment);
        assert_eq!(e.fee as i128, projected.settlement.fee);
        assert_eq!(e.to_account as i128, projected.settlement.to_account);
        assert_eq!(e.from_fund as i128, projected.settlement.from_fund);
        assert_eq!(e.fund_balance_after, projected.fund_balance_after);
        assert!(e.payment > 0, "a solvent account is paid for");
        assert_eq!(e.from_fund, 0);
        assert!(e.end_equity_after >= e.end_equity_before);
        assert_same(
            &env.writer_state(&c.victim.account),
            &projected.liquidated_after,
        );
        assert_same(
            &env.writer_state(&c.bidder.account),
            &projected.bidder_after,
        );
        discounts.push(e.discount);
        end_equities.push(e.end_equity_after);
        assert_books_balance(&mut env);
    }
    assert!(
        discounts.windows(2).all(|d| d[0] < d[1]),
        "discount rises: {discounts:?}"
    );
    assert!(
        end_equities.last().copied().unwrap() >= 0,
        "{end_equities:?}"
    );
    let fund = env.insurance_fund();
    assert!(fund.balance > fund0, "liquidation fees reach the fund");
    assert_eq!(fund.liquidation_fees_total, fund.balance - fund0);
    let out = env.end_liquidation(&c.victim.account).unwrap();
    let e: LiquidationEnded = event(&out);
    assert_eq!(e.slices, 3);
    assert!(e.end_equity.unwrap() >= 0);
    assert_eq!(
        env.writer_state(&c.victim.account).status,
        WriterStatus::Active as u8
    );
    assert_books_balance(&mut env);
}

/// A crash so deep the account is worth less than nothing.
pub(super) fn insolvent(env: &mut Env) -> Crashed {
    let c = crashed(env);
    let p = env.sol_price;
    env.move_sol(p * 2);
    let m = env.margin_of(&c.victim.account);
    assert!(m.mark_to_market.is_negative(), "MtM {:?}", m.mark_to_market);
    c
}

#[test]
fn an_insolvent_slice_is_paid_by_the_insurance_fund() {
    let mut env = Env::new();
    let c = insolvent(&mut env);
    let staker = env.staker(usd(100_000));
    env.stake(&staker, usd(100_000)).unwrap();
    env.start_liquidation(&c.bidder, &c.victim.account).unwrap();
    env.advance(60);
    env.publish_prices();
    let fund0 = env.insurance_fund().balance;
    let bidder_quote0 = env.writer_state(&c.bidder.account).quote_balance;
    let victim_quote0 = env.writer_state(&c.victim.account).quote_balance;
    let (out, projected) = env.bid(&c.bidder, &c.victim.account, BidSize::Max).unwrap();
    let e: SliceBought = event(&out);
    assert!(e.payment < 0);
    assert_eq!(e.from_fund as i64, -e.payment);
    assert_eq!((e.fee, e.to_account), (0, 0));
    assert_eq!(e.from_fund as i128, projected.settlement.from_fund);
    let fund = env.insurance_fund();
    assert_eq!(fund.balance, fund0 - e.from_fund);
    assert_eq!(fund.paid_to_bidders_total, e.from_fund);
    assert_eq!(env.insurance_vault_balance(), fund.balance);
    // the bidder receives the fund's payment and the account's share of its quote
    let bidder = env.writer_state(&c.bidder.account);
    assert_same(&bidder, &projected.bidder_after);
    let moved_quote = victim_quote0 - env.writer_state(&c.victim.account).quote_balance;
    assert_eq!(
        bidder.quote_balance,
        bidder_quote0 + e.from_fund as i64 + moved_quote
    );
    assert_books_balance(&mut env);
}

/// The fund pays from what it holds and no more; the bid does not fail for want of it, the
/// bidder's payment limit decides (an empty fund never freezes an auction).
#[test]
fn a_bid_the_fund_cannot_pay_in_full_gets_what_the_fund_holds() {
    let mut env = Env::new();
    let c = insolvent(&mut env);
    env.start_liquidation(&c.bidder, &c.victim.account).unwrap();
    let donor = env.staker(usd(5));
    env.donate(&donor, usd(5)).unwrap();
    let q = env
        .quote_bid(&c.bidder, &c.victim.account, BidSize::Max)
        .unwrap();
    assert_eq!(q.projection.settlement.from_fund, usd(5) as i128);
    assert_eq!(q.projection.settlement.payment, -(usd(5) as i128));
    // a bidder demanding more than the fund holds is refused by its own limit
    expect_err(
        env.bid_with(
            &c.bidder,
            &c.victim.account,
            BidArgs {
                fraction: q.projection.fraction,
                payment_limit: -(usd(6) as i64),
            },
        ),
        E::PaymentLimitExceeded,
    );
    let out = env
        .bid_with(
            &c.bidder,
            &c.victim.account,
            BidArgs {
                fraction: q.projection.fraction,
                payment_limit: -(usd(5) as i64),
            },
        )
        .unwrap();
    let e: SliceBought = event(&out);
    assert_eq!((e.from_fund, e.fund_balance_after), (usd(5), 0));
    assert_books_balance(&mut env);
}

#[test]
fn bid_refusals() {
    let mut env = Env::new();
    let c = crashed(&mut env);
    // not liquidating yet
    expect_err(
        env.bid_with(
            &c.bidder,
            &c.victim.account,
            BidArgs {
                fraction: 1,
                payment_limit: i64::MAX,
            },
        ),
        E::AccountNotLiquidating,
    );
    env.start_liquidation(&c.bidder, &c.victim.account).unwrap();
    let q = env
        .quote_bid(&c.bidder, &c.victim.account, BidSize::Max)
        .unwrap();
    let max = q.projection.max_fraction;
    let payment = q.projection.settlement.payment as i64;
    let args = |fraction, payment_limit| BidArgs {
        fraction,
        payment_limit,
    };
    // fraction outside (0, 1]
    for f in [0, FRACTION_ONE + 1] {
        expect_err(
            env.bid_with(&c.bidder, &c.victim.account, args(f, i64::MAX)),
            E::InvalidBidFraction,
        );
    }
    // above the maximum that restores the end level
    expect_err(
        env.bid_with(&c.bidder, &c.victim.account, args(max + 1, i64::MAX)),
        E::FractionAboveMaximum,
    );
    // payment above the bidder's limit
    expect_err(
        env.bid_with(&c.bidder, &c.victim.account, args(max, payment - 1)),
        E::PaymentLimitExceeded,
    );
    // a writer account bidding on itself
    let ix = {
        let state = env.writer_state(&c.victim.account);
        let inputs = env.margin_inputs(state);
        greekhouse_sdk::ix::bid(
            &env.ch,
            c.victim.owner.pubkey(),
            c.victim.account,
            c.victim.account,
            args(max, i64::MAX),
            inputs.remaining_accounts(),
        )
    };
    expect_err(env.send_ix(ix, &[&c.victim.owner]), E::SelfBid);
    // the wrong signer for the bidder account
    let other = env.writer(0, 0);
    let ix = {
        let liq = env.writer_state(&c.victim.account);
        let b = env.writer_state(&c.bidder.account);
        let inputs = env.with_flow(|chain, cx| {
            greekhouse_sdk::margin::MarginInputs::fetch_many(
                chain,
                &cx.ch.clearinghouse,
                liq,
                vec![b],
                cx.oracle_for,
            )
        });
        greekhouse_sdk::ix::bid(
            &env.ch,
            other.owner.pubkey(),
            c.victim.account,
            c.bidder.account,
            args(max, i64::MAX),
            inputs.unwrap().remaining_accounts(),
        )
    };
    expect_err(env.send_ix(ix, &[&other.owner]), E::NotWriterOwner);
    // a bidder too small to carry the slice at IM
    let poor = env.writer(usd(10), 0);
    env.deposit_quote(&poor, usd(10)).unwrap();
    // the SDK's quote runs the program's bid action: it refuses with the program's error
    let refused = env
        .quote_bid(&poor, &c.victim.account, BidSize::Max)
        .err()
        .expect("the quote refuses a bidder below IM");
    assert!(refused.is(E::BidderBelowInitialMargin), "{refused}");
    expect_err(
        env.bid_with(&poor, &c.victim.account, args(max, i64::MAX)),
        E::BidderBelowInitialMargin,
    );
    // stale prices
    let sol_key = env.sol.key;
    let liq_max_age = env.underlying(&sol_key).oracle.liq_max_age_secs as i64;
    env.advance(liq_max_age + 1);
    expect_err(
        env.bid_with(&c.bidder, &c.victim.account, args(1, i64::MAX)),
        E::OracleStale,
    );
}

#[test]
fn a_liquidating_account_cannot_bid() {
    let mut env = Env::new();
    let series = call_series(&mut env);
    let (a, _) = writer_at_im(&mut env, &series, 10_000);
    let (b, _) = writer_at_im(&mut env, &series, 10_000);
    rally_until_liquidatable(&mut env, &a.account);
    rally_until_liquidatable(&mut env, &b.account);
    let keeper = bidder(&mut env);
    env.start_liquidation(&keeper, &a.account).unwrap();
    env.start_liquidation(&keeper, &b.account).unwrap();
    expect_err(
        env.bid_with(
            &b,
            &a.account,
            BidArgs {
                fraction: 1,
                payment_limit: i64::MAX,
            },
        ),
        E::BidderNotActive,
    );
}

#[test]
fn two_bidders_race_and_the_later_one_is_protected() {
    let mut env = Env::new();
    let c = crashed(&mut env);
    let second = bidder(&mut env);
    env.start_liquidation(&c.bidder, &c.victim.account).unwrap();
    env.advance(300);
    env.publish_prices();
    // both quote the whole remaining fraction; the first lands
    let late = env
        .quote_bid(&second, &c.victim.account, BidSize::Max)
        .unwrap();
    env.bid(&c.bidder, &c.victim.account, BidSize::Max).unwrap();
    let result = env.chain.send(&late.instructions, &[&second.owner]);
    match result {
        Err(err) => assert!(
            err.custom_code() == Some(code(E::FractionAboveMaximum))
                || err.custom_code() == Some(code(E::AccountAboveEndLevel))
                || err.custom_code() == Some(code(E::PaymentLimitExceeded)),
            "{err}"
        ),
        Ok(out) => panic!("the stale bid landed: {:?}", out.event_names()),
    }
    assert_books_balance(&mut env);
}

#[test]
fn liquidation_runs_with_every_pause_flag_set() {
    let mut env = Env::new();
    let c = crashed(&mut env);
    env.pause(pause::PAUSABLE);
    env.start_liquidation(&c.bidder, &c.victim.account).unwrap();
    env.advance(600);
    env.publish_prices();
    env.bid(&c.bidder, &c.victim.account, BidSize::Max).unwrap();
    env.end_liquidation(&c.victim.account).unwrap();
    assert_books_balance(&mut env);
}
