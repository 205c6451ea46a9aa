//! Liquidation of an account holding longs: a slice moves them with the shorts (rounded down,
//! in the liquidated account's favour), and a bankruptcy forfeits them to the insurance fund.
use super::*;
use greekhouse::events::{BankruptcyResolved, SliceBought};

/// A writer short calls at 150 as far as IM allows, holding half as many 200 calls as a long
/// (written by a dealer into its wallet and deposited), pushed below maintenance.
fn liquidatable_with_longs(env: &mut Env) -> (Crashed, Pubkey, u64) {
    let short_leg = call_series(env);
    let sol = env.sol;
    let expiry = env.series_state(&short_leg).expiry;
    let long_leg = env.create_series(sol, 0, usd(200), expiry).unwrap();
    let victim = env.writer(usd(10_000), 0);
    env.deposit_quote(&victim, usd(10_000)).unwrap();
    let dealer = bidder(env);
    let wallet = env.option_ata(&victim.owner.pubkey(), &long_leg);
    env.write_to(&dealer, &long_leg, 40, wallet).unwrap();
    env.deposit_options(&victim, &long_leg, 40).unwrap();
    let contracts = env.write_to_initial_margin(&victim, &short_leg).unwrap();
    assert!(
        contracts > 80,
        "the long lets it write more than twice the long"
    );
    rally_until_liquidatable(env, &victim.account);
    let bidder = bidder(env);
    let c = Crashed {
        series: short_leg,
        victim,
        contracts,
        bidder,
    };
    (c, long_leg, 40)
}

#[test]
fn a_slice_moves_the_longs_with_the_shorts() {
    let mut env = Env::new();
    let (c, long_leg, longs) = liquidatable_with_longs(&mut env);
    env.start_liquidation(&c.bidder, &c.victim.account).unwrap();
    // a liquidating account keeps its longs for the auction; it may still deposit more
    expect_err(
        env.withdraw_options(&c.victim, &long_leg, 1),
        E::AccountNotActive,
    );
    env.advance(60);
    env.publish_prices();
    let (out, projected) = env
        .bid(
            &c.bidder,
            &c.victim.account,
            BidSize::Fraction(FRACTION_ONE / 3),
        )
        .unwrap();
    let e: SliceBought = event(&out);
    let fraction = e.fraction as u128;
    let victim = env.writer_state(&c.victim.account);
    let bidder = env.writer_state(&c.bidder.account);
    assert_same(&bidder, &projected.bidder_after);
    // the long moved rounded down, the short rounded up
    let moved_long = (longs as u128 * fraction / FRACTION_ONE as u128) as u64;
    assert_eq!(bidder.long_contracts(&long_leg), moved_long);
    assert_eq!(victim.long_contracts(&long_leg), longs - moved_long);
    let moved_short = (c.contracts as u128 * fraction).div_ceil(FRACTION_ONE as u128) as u64;
    assert_eq!(bidder.short_contracts(&c.series), moved_short);
    // custody is unchanged by a slice: the accounts' longs still sum to the series' count
    let s = env.series_state(&long_leg);
    assert_eq!(s.long_contracts, longs);
    assert_eq!(
        victim.long_contracts(&long_leg) + bidder.long_contracts(&long_leg),
        longs
    );
    assert_books_balance(&mut env);
}

#[test]
fn a_bankruptcy_forfeits_the_longs_to_the_insurance_fund() {
    let mut env = Env::new();
    let (c, long_leg, longs) = liquidatable_with_longs(&mut env);
    // far beyond: insolvent at mark, and the fund is empty
    let p = env.sol_price;
    env.move_sol(p * 2);
    assert!(env
        .margin_of(&c.victim.account)
        .mark_to_market
        .is_negative());
    env.start_liquidation(&c.bidder, &c.victim.account).unwrap();
    let out = env.resolve_bankruptcy(&c.victim.account).unwrap();
    let e: BankruptcyResolved = event(&out);
    assert_eq!(e.unbacked.len(), 1);
    assert_eq!(e.unbacked[0].series, c.series);
    assert_eq!(e.forfeited.len(), 1);
    assert_eq!(
        (e.forfeited[0].series, e.forfeited[0].contracts),
        (long_leg, longs)
    );
    let victim = env.writer_state(&c.victim.account);
    assert_eq!(victim.status, WriterStatus::Bankrupt as u8);
    assert_eq!(victim.position_count(), 0);
    // a bankrupt account takes no long
    expect_err(
        env.deposit_options(&c.victim, &c.series, 1),
        E::AccountNotActive,
    );
    // the claim left custody: nobody holds it, so its payout goes to the fund with the dust
    let s = env.series_state(&long_leg);
    assert_eq!(s.long_contracts, 0);
    assert_eq!(s.outstanding(), longs);
    assert_eq!(env.series_supply(&long_leg), 0);
    assert_books_balance(&mut env);
}
