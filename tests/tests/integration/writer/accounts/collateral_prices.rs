//! Collateral priced by an underlying's feed in the margin checks.
use super::*;

#[test]
fn withdraw_with_shorts_reads_the_collateral_price_oracle_too() {
    // SOL collateral, BTC short: a bad SOL price blocks the withdrawal although the short is BTC
    let mut env = Env::new();
    let w = mixed_writer(&mut env);
    let q = env.quote_ledger();
    let now = env.now();
    env.set_sol_oracle(
        greekhouse_testkit::pyth::PriceObservation {
            price: env.sol_price,
            conf: env.sol_price as u64 / 10, // 10 %
            expo: PYTH_EXPO,
            publish_time: now,
        },
        pyth_solana_receiver_sdk::price_update::VerificationLevel::Full,
    );
    expect_err(
        withdraw_to(&mut env, &w, &q, w.quote_ata, USDC),
        E::OracleConfidenceTooWide,
    );
    env.publish_prices();
    withdraw_to(&mut env, &w, &q, w.quote_ata, USDC).unwrap();
}

#[test]
fn withdraw_collateral_margin_equity_counts_the_collateral_weight() {
    // with shorts, the SOL collateral counts at price x init weight (80 %) minus conf, and is
    // linked to SOL (shocked with it): taking out one SOL lowers the initial equity by its
    // weighted value less what its shock added to the SOL add-on, never more than $150
    let mut env = Env::new();
    let w = mixed_writer(&mut env);
    let before = sdk_initial_equity(&mut env, &w.account);
    let s = env.sol_ledger();
    let out = withdraw_to(&mut env, &w, &s, w.sol_ata, LAMPORTS_PER_SOL).unwrap();
    let after = event::<Withdrawn>(&out).initial_equity_after.unwrap();
    assert_eq!(after, sdk_initial_equity(&mut env, &w.account));
    let drop = before - after;
    assert!(
        drop > 0 && drop <= 150_000_000,
        "equity dropped by {drop} native units"
    );
}

#[test]
fn withdraw_all_of_a_collateral_with_shorts_takes_the_layout_after_the_withdrawal() {
    // the freed slot's asset is no longer part of the margin accounts
    let mut env = Env::new();
    let w = mixed_writer(&mut env);
    let s = env.sol_ledger();
    let all = 10 * LAMPORTS_PER_SOL;
    // the layout of the account before the withdrawal (with the SOL asset) is refused
    let state = env.writer_state(&w.account);
    let before_layout = env.margin_accounts(state);
    let ix = withdraw_ix(&env, &w, &s, w.sol_ata, all, before_layout);
    expect_err(
        send_signed(&mut env, ix, &w.owner),
        E::MarginAccountsMismatch,
    );
    // the layout after: BTC only
    let after = margin_after_withdraw(&mut env, &w, &s, all);
    let keys: Vec<Pubkey> = after.iter().map(|m| m.pubkey).collect();
    assert_eq!(keys, vec![env.btc.key, env.btc.oracle]);
    let out = withdraw_to(&mut env, &w, &s, w.sol_ata, all).unwrap();
    let ev = event::<Withdrawn>(&out);
    assert_eq!(ev.balance_after, 0);
    assert_eq!(
        ev.initial_equity_after,
        Some(sdk_initial_equity(&mut env, &w.account))
    );
    assert_eq!(env.writer_state(&w.account).collateral_count(), 0);
    assert_vaults_match(&mut env);
}

#[test]
fn a_donation_to_the_vaults_does_not_block_deposits_or_withdrawals() {
    // docs/deviations.md: the program checks vault >= claims, so unclaimed tokens are harmless
    let mut env = Env::new();
    let w = env.writer(1_000 * USDC, LAMPORTS_PER_SOL);
    env.deposit_quote(&w, 500 * USDC).unwrap();
    env.deposit_sol(&w, LAMPORTS_PER_SOL / 2).unwrap();
    let auth = env.mint_authority.insecure_clone();
    let (quote_mint, sol_mint) = (env.ch.quote_mint, env.sol_mint);
    let (quote_vault, sol_vault) = (env.ch.quote_vault, env.sol_ledger().vault);
    env.chain
        .mint_to(&SPL_TOKEN, &quote_mint, &quote_vault, &auth, 7)
        .unwrap();
    env.chain
        .mint_to(&SPL_TOKEN, &sol_mint, &sol_vault, &auth, 9)
        .unwrap();

    env.deposit_quote(&w, 100 * USDC).unwrap();
    env.deposit_sol(&w, 1).unwrap();
    let (q, s) = (env.quote_ledger(), env.sol_ledger());
    withdraw_to(&mut env, &w, &q, w.quote_ata, 600 * USDC).unwrap();
    withdraw_to(&mut env, &w, &s, w.sol_ata, LAMPORTS_PER_SOL / 2 + 1).unwrap();
    assert!(env.writer_state(&w.account).is_empty());
    let (qv, sv, qt, st) = ledgers(&mut env);
    assert_eq!(
        (qv, qt),
        (7, 0),
        "the donation stays in the vault, unclaimed"
    );
    assert_eq!((sv, st), (9, 0));
}
