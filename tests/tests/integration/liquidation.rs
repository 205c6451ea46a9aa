//! Liquidation (docs/liquidation.md): `start_liquidation`, `bid`, `end_liquidation` and
//! `resolve_bankruptcy`, each with its success and every way it must fail, and the scenarios of
//! the protocol: a solvent account sold in slices as the discount rises, an insolvent one paid
//! by the insurance fund, a bankruptcy, two bidders racing, a liquidation under every pause.
use crate::harness;
use harness::ext_market::*;
use harness::*;

use anchor_lang::prelude::Pubkey;
use greekhouse::engine::liquidation::FRACTION_ONE;
use greekhouse::errors::GreekhouseError as E;
use greekhouse::instructions::BidArgs;
use greekhouse::state::{pause, WriterStatus};
use greekhouse_sdk::liquidation::BidSize;
use solana_signer::Signer;

/// A SOL call series at 150, a week out.
pub fn call_series(env: &mut Env) -> Pubkey {
    let sol = env.sol;
    let expiry = expiry_after(env.now(), 7);
    env.create_series(sol, 0, usd(150), expiry).unwrap()
}

/// A writer holding `dollars` of quote, short as many `series` calls as IM allows.
pub fn writer_at_im(env: &mut Env, series: &Pubkey, dollars: u64) -> (Writer, u64) {
    let w = env.writer(usd(dollars), 0);
    env.deposit_quote(&w, usd(dollars)).unwrap();
    let n = env.write_to_initial_margin(&w, series).unwrap();
    assert!(n > 0, "the writer cannot write a single contract");
    (w, n)
}

/// Raise SOL in 1 % steps until `account` is below maintenance; returns the price (Pyth units).
pub fn rally_until_liquidatable(env: &mut Env, account: &Pubkey) -> i64 {
    env.move_sol_until_liquidatable(account, 100)
}

/// Mint `amount` of quote into a wallet token account.
pub fn fund_wallet(env: &mut Env, ata: &Pubkey, amount: u64) {
    let auth = env.mint_authority.insecure_clone();
    let mint = env.ch.quote_mint;
    env.chain
        .mint_to(&SPL_TOKEN, &mint, ata, &auth, amount)
        .unwrap();
}

/// A rich bidder with 1,000,000 USDC deposited.
pub fn bidder(env: &mut Env) -> Writer {
    let b = env.writer(usd(1_000_000), 0);
    env.deposit_quote(&b, usd(1_000_000)).unwrap();
    b
}

/// The world of most tests: a writer at IM on SOL calls, pushed below maintenance, a bidder.
pub struct Crashed {
    pub series: Pubkey,
    pub victim: Writer,
    pub contracts: u64,
    pub bidder: Writer,
}

pub fn crashed(env: &mut Env) -> Crashed {
    let series = call_series(env);
    let (victim, contracts) = writer_at_im(env, &series, 10_000);
    rally_until_liquidatable(env, &victim.account);
    let bidder = bidder(env);
    Crashed {
        series,
        victim,
        contracts,
        bidder,
    }
}

/// Two writer accounts are byte-for-byte equal (the SDK's projection is the program's state).
#[track_caller]
pub fn assert_same(
    actual: &greekhouse::state::WriterAccount,
    expected: &greekhouse::state::WriterAccount,
) {
    assert!(
        bytemuck::bytes_of(actual) == bytemuck::bytes_of(expected),
        "account differs from the projection:\n{actual:?}\n{expected:?}"
    );
}

/// Ledgers equal vaults (docs/protocol.md §12 invariant 1), series OI equals supply and shorts
/// plus unbacked contracts.
#[track_caller]
pub fn assert_books_balance(env: &mut Env) {
    assert_eq!(env.quote_vault_balance() as i128, env.quote_claims());
    assert_eq!(env.insurance_vault_balance(), env.insurance_fund().balance);
    assert_eq!(env.sol_vault_balance() as u128, env.sol_claims());
    let writers = env.writer_accounts.clone();
    for s in env.series.clone() {
        let state = env.series_state(&s);
        let shorts: u64 = writers.iter().map(|w| env.short_of(w, &s)).sum();
        if state.is_settled() {
            // settled shorts have left the accounts; the rest are still to settle
            assert_eq!(shorts, state.shorts_to_settle, "series {s}");
        } else {
            assert_eq!(
                state.open_interest,
                shorts + state.unbacked_contracts,
                "series {s}"
            );
        }
        // tokens burned outside the program are forfeited claims: supply may fall below
        assert!(state.outstanding() >= env.series_supply(&s), "series {s}");
        if state.status == greekhouse::state::SeriesStatus::Finalized as u8 {
            // every token that still exists is fully backed by the series' ledger
            assert!(env.series_supply(&s) * state.payout_final <= state.settlement_ledger);
        }
    }
}

// ======================================================================= start_liquidation

#[test]
fn start_freezes_the_account_and_tips_the_caller() {
    let mut env = Env::new();
    let c = crashed(&mut env);
    let m = env.margin_of(&c.victim.account);
    let quote_before = env.writer_state(&c.victim.account).quote_balance;
    let bidder_quote = env.writer_state(&c.bidder.account).quote_balance;
    let plan = env
        .with_flow(|chain, cx| {
            greekhouse_sdk::liquidation::start_liquidation(
                chain,
                cx,
                c.bidder.owner.pubkey(),
                c.victim.account,
                c.bidder.account,
            )
        })
        .unwrap();
    assert!(plan.liquidatable);
    let out = env.start_liquidation(&c.bidder, &c.victim.account).unwrap();
    let e: LiquidationStarted = event(&out);
    // tip: 10 bps of the MM add-on (above the 100 USDC dust size), below the 50 USDC cap
    let addon = m
        .maintenance
        .addon
        .to_int(greekhouse_risk::Rounding::Up)
        .unwrap() as u64;
    assert!(addon >= usd(100), "add-on {addon}");
    assert_eq!(e.tip, plan.tip);
    assert_eq!(e.tip, (addon * 10).div_ceil(10_000).min(usd(50)));
    assert!(e.tip > 0);
    assert!(e.maintenance_equity < 0);
    assert_eq!(e.addon_maintenance, addon);
    assert_eq!(e.earliest_expiry, env.series_state(&c.series).expiry);
    let state = env.writer_state(&c.victim.account);
    assert_eq!(state.status, WriterStatus::Liquidating as u8);
    assert_eq!(state.liquidation.start_time, env.now());
    assert_eq!(state.liquidation.tip_paid, e.tip);
    assert_eq!(state.quote_balance, quote_before - e.tip as i64);
    assert_eq!(
        env.writer_state(&c.bidder.account).quote_balance,
        bidder_quote + e.tip as i64
    );
    assert_books_balance(&mut env);

    // frozen: no write, no withdraw; deposits and burns still work
    expect_err(env.write(&c.victim, &c.series, 1), E::AccountNotActive);
    expect_err(env.withdraw_quote(&c.victim, 1), E::AccountNotActive);
    fund_wallet(&mut env, &c.victim.quote_ata, usd(5));
    env.deposit_quote(&c.victim, usd(5)).unwrap();
    env.burn(&c.victim, &c.series, 1).unwrap();
    // started once only
    expect_err(
        env.start_liquidation(&c.bidder, &c.victim.account),
        E::AccountNotActive,
    );
}

#[test]
fn start_refuses_a_healthy_account_and_one_without_liabilities() {
    let mut env = Env::new();
    let series = call_series(&mut env);
    let (w, _) = writer_at_im(&mut env, &series, 10_000);
    let b = bidder(&mut env);
    expect_err(env.start_liquidation(&b, &w.account), E::NotLiquidatable);
    // quote only, no shorts: never liquidatable, no price needed
    let q = env.writer(usd(100), 0);
    env.deposit_quote(&q, usd(100)).unwrap();
    expect_err(env.start_liquidation(&b, &q.account), E::NotLiquidatable);
}

#[test]
fn start_refuses_a_tip_to_the_liquidated_account_itself() {
    let mut env = Env::new();
    let c = crashed(&mut env);
    let remaining = {
        let state = env.writer_state(&c.victim.account);
        env.margin_accounts(state)
    };
    let ix = greekhouse_sdk::ix::start_liquidation(
        env.ch.clearinghouse,
        c.victim.owner.pubkey(),
        c.victim.account,
        c.victim.account,
        remaining,
    );
    expect_err(
        env.send_ix(ix, &[&c.victim.owner]),
        E::TipToLiquidatedAccount,
    );
}

#[test]
fn start_refuses_prices_older_than_liq_max_age() {
    let mut env = Env::new();
    let c = crashed(&mut env);
    let sol_key = env.sol.key;
    let liq_max_age = env.underlying(&sol_key).oracle.liq_max_age_secs as i64;
    env.advance(liq_max_age + 1);
    expect_err(
        env.start_liquidation(&c.bidder, &c.victim.account),
        E::OracleStale,
    );
    // a price older than max_age but within liq_max_age is enough
    env.publish_prices();
    let max_age = env.underlying(&sol_key).oracle.max_age_secs as i64;
    assert!(liq_max_age > max_age);
    env.advance(max_age + 1);
    env.start_liquidation(&c.bidder, &c.victim.account).unwrap();
}

#[test]
fn start_refuses_wrong_margin_accounts_and_foreign_accounts() {
    let mut env = Env::new();
    let c = crashed(&mut env);
    // no margin accounts at all
    let ix = greekhouse_sdk::ix::start_liquidation(
        env.ch.clearinghouse,
        c.bidder.owner.pubkey(),
        c.victim.account,
        c.bidder.account,
        vec![],
    );
    expect_err(
        env.send_ix(ix, &[&c.bidder.owner]),
        E::MarginAccountsMismatch,
    );
    // a tip account of another clearing house
    let foreign = env.foreign_clearinghouse();
    let fw = pda_writer(&mut env, &foreign);
    let remaining = {
        let state = env.writer_state(&c.victim.account);
        env.margin_accounts(state)
    };
    let ix = greekhouse_sdk::ix::start_liquidation(
        env.ch.clearinghouse,
        c.bidder.owner.pubkey(),
        c.victim.account,
        fw,
        remaining,
    );
    expect_err(env.send_ix(ix, &[&c.bidder.owner]), E::WrongClearinghouse);
}

/// A writer account opened in a foreign clearing house.
pub fn pda_writer(env: &mut Env, foreign: &ForeignClearinghouse) -> Pubkey {
    let owner = env.chain.funded_keypair(LAMPORTS_PER_SOL).unwrap();
    let payer = env.chain.payer();
    env.send_ix(
        greekhouse_sdk::ix::open_writer_account(foreign.ch.clearinghouse, payer, owner.pubkey(), 0),
        &[&owner],
    )
    .unwrap();
    greekhouse_sdk::pda::writer_account(&foreign.ch.clearinghouse, &owner.pubkey(), 0)
}

// ==================================================================================== bid

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
fn insolvent(env: &mut Env) -> Crashed {
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

// ========================================================================= end_liquidation

#[test]
fn end_refusals() {
    let mut env = Env::new();
    let c = crashed(&mut env);
    expect_err(
        env.end_liquidation(&c.victim.account),
        E::AccountNotLiquidating,
    );
    env.start_liquidation(&c.bidder, &c.victim.account).unwrap();
    expect_err(
        env.end_liquidation(&c.victim.account),
        E::StillBelowEndLevel,
    );
    // a deposit restores the account as well as a bid does
    fund_wallet(&mut env, &c.victim.quote_ata, usd(100_000));
    env.deposit_quote(&c.victim, usd(100_000)).unwrap();
    let out = env.end_liquidation(&c.victim.account).unwrap();
    assert_eq!(event::<LiquidationEnded>(&out).slices, 0);
    expect_err(
        env.end_liquidation(&c.victim.account),
        E::AccountNotLiquidating,
    );
}

#[test]
fn an_emptied_account_ends_without_a_price() {
    let mut env = Env::new();
    let c = crashed(&mut env);
    env.start_liquidation(&c.bidder, &c.victim.account).unwrap();
    // the owner buys back every option and burns it: no shorts left
    env.burn(&c.victim, &c.series, c.contracts).unwrap();
    env.advance(3_600 * 24);
    let out = env.end_liquidation(&c.victim.account).unwrap();
    assert_eq!(event::<LiquidationEnded>(&out).end_equity, None);
}

// ====================================================================== resolve_bankruptcy

#[test]
fn a_bankruptcy_turns_shorts_into_unbacked_contracts() {
    let mut env = Env::new();
    let c = insolvent(&mut env);
    env.start_liquidation(&c.bidder, &c.victim.account).unwrap();
    let state = env.writer_state(&c.victim.account);
    assert_eq!(state.collateral_count(), 0);
    let quote = state.quote_balance as u64;
    let contracts = env.short_of(&c.victim.account, &c.series);
    let out = env.resolve_bankruptcy(&c.victim.account).unwrap();
    let e: BankruptcyResolved = event(&out);
    assert_eq!(e.fund_balance, 0);
    assert!(e.fund_needed > 0);
    assert_eq!(e.unbacked.len(), 1);
    assert_eq!(e.unbacked[0].series, c.series);
    assert_eq!(e.unbacked[0].contracts, contracts);
    assert_eq!(e.unbacked[0].cover, quote);
    let series = env.series_state(&c.series);
    assert_eq!(series.unbacked_contracts, contracts);
    assert_eq!(series.unbacked_cover, quote);
    let state = env.writer_state(&c.victim.account);
    assert_eq!(state.status, WriterStatus::Bankrupt as u8);
    assert_eq!((state.position_count(), state.quote_balance), (0, 0));
    assert_books_balance(&mut env);
    // nothing more can happen to it in the auction
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
}

#[test]
fn bankruptcy_refusals() {
    let mut env = Env::new();
    let c = insolvent(&mut env);
    expect_err(
        env.resolve_bankruptcy(&c.victim.account),
        E::AccountNotLiquidating,
    );
    env.start_liquidation(&c.bidder, &c.victim.account).unwrap();
    // series accounts that are not the account's
    let sol = env.sol;
    let expiry = env.series_state(&c.series).expiry;
    let spot_dollars = (env.sol_price / 100_000_000) as u64;
    let other = env
        .create_series(sol, 1, usd(spot_dollars), expiry)
        .unwrap();
    let payer = env.chain.payer();
    let remaining = {
        let state = env.writer_state(&c.victim.account);
        env.margin_accounts(state)
    };
    let ix = greekhouse_sdk::ix::resolve_bankruptcy(
        env.ch.clearinghouse,
        payer,
        c.victim.account,
        &[other],
        remaining,
    );
    expect_err(env.send_ix(ix, &[]), E::SeriesAccountsMismatch);
    // a fund that can pay for the whole account
    let staker = env.staker(usd(10_000_000));
    env.stake(&staker, usd(10_000_000)).unwrap();
    expect_err(
        env.resolve_bankruptcy(&c.victim.account),
        E::InsuranceFundCanPay,
    );
    // an account with collateral: the auction sells it first
    let auth = env.mint_authority.insecure_clone();
    let sol_mint = env.sol_mint;
    env.chain
        .mint_to(
            &SPL_TOKEN,
            &sol_mint,
            &c.victim.sol_ata,
            &auth,
            LAMPORTS_PER_SOL,
        )
        .unwrap();
    env.deposit_sol(&c.victim, LAMPORTS_PER_SOL).unwrap();
    expect_err(
        env.resolve_bankruptcy(&c.victim.account),
        E::BankruptWithCollateral,
    );
}

// ============================================================== properties (docs/protocol.md §12)

mod properties {
    use super::*;
    use greekhouse::events::SliceBought;
    use proptest::prelude::*;

    #[derive(Clone, Debug)]
    struct Step {
        wait_secs: i64,
        /// Share of the maximum fraction, bps.
        share_bps: u64,
        /// SOL move before the bid, bps of the price.
        move_bps: i64,
    }

    fn step() -> impl Strategy<Value = Step> {
        (0i64..2_400, 1u64..=10_000, -300i64..300).prop_map(|(wait_secs, share_bps, move_bps)| {
            Step {
                wait_secs,
                share_bps,
                move_bps,
            }
        })
    }

    /// The exact payment of the formula for `fraction`, the fund paying at most what it holds
    /// (f64; the test's independent reference).
    fn formula(p: &greekhouse_sdk::liquidation::BidProjection, fund: u64) -> f64 {
        let f = p.fraction as f64 / 1e12;
        let x = |v: greekhouse_risk::Fixed| v.raw() as f64 / 1e12;
        let (mtm, addon) = (x(p.inputs.mark_to_market), x(p.inputs.addon_maintenance));
        let off = (x(p.inputs.discount) * (mtm.max(0.0) + addon))
            .min(mtm.max(0.0) + x(p.inputs.fund_premium) * addon);
        (f * (mtm - off)).max(-(fund as f64))
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 12,
            max_shrink_iters: 32,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        /// Random books, crashes, stakes and bid sequences: a bid never lowers the liquidated
        /// account's equity at the end level; the fund never pays more than the formula nor
        /// more than it holds; every vault equals its ledger after every step; stakers' share
        /// value moves only with fees (up) and fund payments (down).
        #[test]
        fn bids_keep_the_books_and_the_bounds(
            dollars in 2_000u64..40_000,
            put in any::<bool>(),
            gap_bps in 0i64..8_000,
            stake_dollars in 0u64..60_000,
            steps in proptest::collection::vec(step(), 1..5),
        ) {
            let mut env = Env::new();
            let sol = env.sol;
            let expiry = expiry_after(env.now(), 7);
            let series = env.create_series(sol, put as u8, usd(150), expiry).unwrap();
            let (victim, _) = writer_at_im(&mut env, &series, dollars);
            let staker = env.staker(usd(stake_dollars) + 1);
            if stake_dollars > 0 {
                env.stake(&staker, usd(stake_dollars)).unwrap();
            }
            let held = env.insurance_stake(&staker).shares;
            // calls lose on a rally, puts on a crash; then a gap of up to 80 % more
            let dir = if put { -100 } else { 100 };
            env.move_sol_until_liquidatable(&victim.account, dir);
            let gap = env.sol_price * gap_bps / 10_000;
            let next = if put { (env.sol_price - gap).max(env.sol_price / 5) } else { env.sol_price + gap };
            env.move_sol(next);
            let b = bidder(&mut env);
            env.start_liquidation(&b, &victim.account).unwrap();
            assert_books_balance(&mut env);

            for s in steps {
                env.advance(s.wait_secs);
                let price = env.sol_price + env.sol_price * s.move_bps / 10_000;
                env.move_sol(price.max(1));
                let Ok(q) = env.quote_bid(&b, &victim.account, BidSize::Max) else {
                    break; // at or above the end level: nothing to bid for
                };
                let fraction = (q.projection.max_fraction as u128 * s.share_bps as u128 / 10_000) as u64;
                let Ok(q) = env.quote_bid(&b, &victim.account, BidSize::Fraction(fraction.max(1))) else {
                    break;
                };
                let p = q.projection.clone();
                let fund_before = env.insurance_fund().balance;
                let value_before = env.insurance_fund().shares().value_of(held).unwrap();
                let keys = [victim.account, b.account, pda_fund(&env)];
                let snap = env.snapshot(&keys);
                match env.chain.send(&q.instructions, &[&b.owner]) {
                    Ok(out) => {
                        let e: SliceBought = event(&out);
                        prop_assert!(e.end_equity_after >= e.end_equity_before);
                        // the fund pays the formula's magnitude rounded down, never more
                        let exact = formula(&p, fund_before);
                        prop_assert!(e.from_fund as f64 <= (-exact).max(0.0) * (1.0 + 1e-9) + 1e-6,
                            "fund paid {} for {}", e.from_fund, exact);
                        prop_assert!(e.from_fund <= fund_before);
                        prop_assert!(e.payment as f64 >= exact - 1e-6, "payment {} below {}", e.payment, exact);
                        prop_assert!((e.payment as f64) < exact + 1.0 + 1e-6);
                        prop_assert_eq!(e.payment as i128, p.settlement.payment);
                        let fund = env.insurance_fund();
                        prop_assert_eq!(fund.balance, fund_before + e.fee - e.from_fund);
                        let value = fund.shares().value_of(held).unwrap();
                        if e.from_fund == 0 {
                            prop_assert!(value >= value_before);
                        } else {
                            prop_assert!(value <= value_before);
                        }
                    }
                    Err(err) => {
                        // the fund pays what it holds: nothing may stop a bid the SDK projected
                        prop_assert_eq!(env.snapshot(&keys), snap);
                        prop_assert!(false, "a projected bid failed: {}", err);
                    }
                }
                assert_books_balance(&mut env);
            }
        }
    }

    fn pda_fund(env: &Env) -> Pubkey {
        greekhouse_sdk::pda::insurance_fund(&env.ch.clearinghouse)
    }
}

#[test]
fn bid_refuses_another_clearing_houses_fund_and_vaults() {
    let mut env = Env::new();
    let c = crashed(&mut env);
    env.start_liquidation(&c.bidder, &c.victim.account).unwrap();
    let foreign = env.foreign_clearinghouse();
    let q = env
        .quote_bid(&c.bidder, &c.victim.account, BidSize::Max)
        .unwrap();
    let swap = |mut ix: anchor_lang::solana_program::instruction::Instruction,
                from: Pubkey,
                to: Pubkey| {
        for m in ix.accounts.iter_mut() {
            if m.pubkey == from {
                m.pubkey = to;
            }
        }
        ix
    };
    let bid = q.instructions[1].clone();
    let ours = env.ch.clearinghouse;
    let theirs = foreign.ch.clearinghouse;
    let cases = [
        (
            greekhouse_sdk::pda::insurance_fund(&ours),
            greekhouse_sdk::pda::insurance_fund(&theirs),
            E::WrongInsuranceFund,
        ),
        (
            greekhouse_sdk::pda::insurance_vault(&ours),
            greekhouse_sdk::pda::insurance_vault(&theirs),
            E::WrongVault,
        ),
        (env.ch.quote_vault, foreign.ch.quote_vault, E::WrongVault),
    ];
    for (from, to, err) in cases {
        let ix = swap(bid.clone(), from, to);
        expect_err(
            env.chain
                .send(&[q.instructions[0].clone(), ix], &[&c.bidder.owner]),
            err,
        );
    }
    // a liquidated account of another clearing house
    let fw = pda_writer(&mut env, &foreign);
    let ix = swap(bid, c.victim.account, fw);
    let err = env
        .chain
        .send(&[q.instructions[0].clone(), ix], &[&c.bidder.owner])
        .unwrap_err();
    assert!(
        err.custom_code() == Some(code(E::WrongClearinghouse))
            || err.custom_code() == Some(code(E::AccountNotLiquidating)),
        "{err}"
    );
}
