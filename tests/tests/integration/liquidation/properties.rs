//! Property tests of the invariants of docs/protocol.md §12.
use super::*;

use greekhouse::events::SliceBought;
use proptest::prelude::*;

#[derive(Clone, Debug)]
pub(super) struct Step {
    pub(super) wait_secs: i64,
    /// Share of the maximum fraction, bps.
    pub(super) share_bps: u64,
    /// SOL move before the bid, bps of the price.
    pub(super) move_bps: i64,
}

pub(super) fn step() -> impl Strategy<Value = Step> {
    (0i64..2_400, 1u64..=10_000, -300i64..300).prop_map(|(wait_secs, share_bps, move_bps)| Step {
        wait_secs,
        share_bps,
        move_bps,
    })
}

/// The exact payment of the formula for `fraction`, the fund paying at most what it holds
/// (f64; the test's independent reference).
pub(super) fn formula(p: &greekhouse_sdk::liquidation::BidProjection, fund: u64) -> f64 {
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

pub(super) fn pda_fund(env: &Env) -> Pubkey {
    greekhouse_sdk::pda::insurance_fund(&env.ch.clearinghouse)
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
