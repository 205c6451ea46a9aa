//! `start_liquidation`: its success and each way it must fail.
use super::*;

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
