//! `end_liquidation`: its success and each way it must fail.
use super::*;

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
