//! The largest account an instruction supports: a writer with every position slot used
//! (`MAX_POSITIONS` = 16, on both underlyings), SOL collateral besides quote, writing,
//! withdrawing, burning, then liquidated by a bidder who holds a book of its own. Natively this
//! checks that the largest account works at all; on the sBPF build (`scripts/test-sbf.sh`) it
//! also runs every step in the VM's 4 KiB stack frames and 32 KiB heap, and its compute units
//! enter the CU table of docs/performance.md.
use crate::harness;
use harness::ext_market::*;
use harness::*;

use anchor_lang::prelude::Pubkey;
use greekhouse::constants::MAX_POSITIONS;
use greekhouse_sdk::liquidation::BidSize;

/// 16 series: SOL calls and puts around 150 at two expiries (12) and BTC ones around 90,000 (4).
fn sixteen_series(env: &mut Env) -> Vec<Pubkey> {
    let (sol, btc) = (env.sol, env.btc);
    let now = env.now();
    let mut series = vec![];
    for days in [7, 14] {
        let expiry = expiry_after(now, days);
        for (kind, strike) in [(0, 145), (0, 150), (0, 160), (1, 140), (1, 150), (1, 155)] {
            series.push(env.create_series(sol, kind, usd(strike), expiry).unwrap());
        }
        for (kind, strike) in [(0, 92_000), (1, 88_000)] {
            series.push(env.create_series(btc, kind, usd(strike), expiry).unwrap());
        }
    }
    assert_eq!(series.len(), MAX_POSITIONS);
    // last: the 14-day SOL 155 put, which the writer writes up to initial margin
    series.swap(13, MAX_POSITIONS - 1);
    series
}

#[test]
fn the_largest_account_writes_withdraws_burns_and_is_liquidated_with_a_bidders_book() {
    let mut env = Env::new();
    let series = sixteen_series(&mut env);

    // the writer: quote and SOL collateral, short every series
    let w = env.writer(usd(40_000), 50_000_000_000);
    env.deposit_quote(&w, usd(40_000)).unwrap();
    env.deposit_sol(&w, 50_000_000_000).unwrap();
    for s in &series[..MAX_POSITIONS - 1] {
        env.write(&w, s, 1).unwrap();
    }
    let last = series[MAX_POSITIONS - 1];
    // a margin-checked withdrawal with fifteen shorts
    env.withdraw_quote(&w, usd(100)).unwrap();
    let n = env.write_to_initial_margin(&w, &last).unwrap();
    assert!(n > 0);
    let state = env.writer_state(&w.account);
    assert_eq!(state.position_count(), MAX_POSITIONS);
    // a burn, a write and a withdrawal refused over all sixteen
    env.burn(&w, &last, 1).unwrap();
    env.write(&w, &last, 1).unwrap();
    expect_err(
        env.withdraw_quote(&w, usd(1_000)),
        greekhouse::errors::GreekhouseError::InitialMarginBreach,
    );

    // the bidder: a book on both underlyings of its own
    let bidder = env.writer(usd(2_000_000), 0);
    env.deposit_quote(&bidder, usd(2_000_000)).unwrap();
    for s in [series[0], series[6], series[8], series[13]] {
        env.write(&bidder, &s, 1).unwrap();
    }

    // SOL falls (its short puts and SOL collateral lose) until the writer is below maintenance;
    // it is sold in slices
    env.move_sol_until_liquidatable(&w.account, -100);
    env.start_liquidation(&bidder, &w.account).unwrap();
    let (first, _) = env
        .bid(&bidder, &w.account, BidSize::Fraction(250_000_000_000))
        .unwrap();
    assert_eq!(event::<SliceBought>(&first).fraction, 250_000_000_000);
    let (rest, _) = env.bid(&bidder, &w.account, BidSize::Max).unwrap();
    assert!(event::<SliceBought>(&rest).fraction > 0);
    env.end_liquidation(&w.account).unwrap();
    let after = env.writer_state(&w.account);
    assert_eq!(
        after.status().unwrap(),
        greekhouse::state::WriterStatus::Active
    );
    assert!(!env.margin_of(&w.account).end.equity.is_negative());
}
