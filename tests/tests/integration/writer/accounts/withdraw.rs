//! `withdraw`: its success and each way it must fail.
use super::*;

#[test]
fn withdraw_quote_without_shorts_needs_no_price() {
    let mut env = Env::new();
    let w = env.writer(1_000 * USDC, 0);
    env.deposit_quote(&w, 800 * USDC).unwrap();
    // the oracle is stale, and no margin accounts are passed at all
    env.advance(3_600);
    let ix = withdraw_ix(
        &env,
        &w,
        &env.quote_ledger(),
        w.quote_ata,
        300 * USDC,
        vec![],
    );
    let out = send_signed(&mut env, ix, &w.owner).unwrap();

    assert_eq!(event_names(&out), vec!["Withdrawn"]);
    let ev = event::<Withdrawn>(&out);
    assert_eq!(ev.writer_account, w.account);
    assert_eq!(ev.mint, env.ch.quote_mint);
    assert_eq!(ev.amount, 300 * USDC);
    assert_eq!(ev.balance_after, 500 * USDC as i64);
    assert_eq!(ev.initial_equity_after, None);

    assert_eq!(
        env.writer_state(&w.account).quote_balance,
        500 * USDC as i64
    );
    assert_eq!(balance_of(&mut env, &w.quote_ata), 500 * USDC);
    let (quote_vault, _, quote_total, _) = ledgers(&mut env);
    assert_eq!(quote_vault, 500 * USDC);
    assert_eq!(quote_total, 500 * USDC as i64);
    assert_vaults_match(&mut env);
}

#[test]
fn withdraw_quote_to_any_token_account_of_the_mint() {
    let mut env = Env::new();
    let w = env.writer(1_000 * USDC, 0);
    env.deposit_quote(&w, 1_000 * USDC).unwrap();
    let quote_mint = env.ch.quote_mint;
    let elsewhere = stray_token_account(&mut env, &quote_mint);
    let q = env.quote_ledger();
    let out = withdraw_to(&mut env, &w, &q, elsewhere, 1_000 * USDC).unwrap();
    assert_eq!(event::<Withdrawn>(&out).balance_after, 0);
    assert_eq!(balance_of(&mut env, &elsewhere), 1_000 * USDC);
    assert_eq!(balance_of(&mut env, &w.quote_ata), 0);
    assert_eq!(env.quote_claims(), 0);
    assert_vaults_match(&mut env);
}

#[test]
fn withdraw_collateral_partly_then_fully_frees_the_slot() {
    let mut env = Env::new();
    let w = env.writer(0, 10 * LAMPORTS_PER_SOL);
    env.deposit_sol(&w, 10 * LAMPORTS_PER_SOL).unwrap();
    env.advance(3_600); // stale oracle: no price needed without shorts
    let sol = env.sol_ledger();

    let out = withdraw_to(&mut env, &w, &sol, w.sol_ata, 4 * LAMPORTS_PER_SOL).unwrap();
    assert_eq!(event_names(&out), vec!["Withdrawn"]);
    let ev = event::<Withdrawn>(&out);
    assert_eq!(ev.writer_account, w.account);
    assert_eq!(ev.mint, env.sol_mint);
    assert_eq!(ev.amount, 4 * LAMPORTS_PER_SOL);
    assert_eq!(ev.balance_after, 6 * LAMPORTS_PER_SOL as i64);
    assert_eq!(ev.initial_equity_after, None);
    let state = env.writer_state(&w.account);
    assert_eq!(state.collaterals[0].amount, 6 * LAMPORTS_PER_SOL);
    let (_, sol_vault, _, sol_total) = ledgers(&mut env);
    assert_eq!(
        (sol_vault, sol_total),
        (6 * LAMPORTS_PER_SOL, 6 * LAMPORTS_PER_SOL)
    );
    assert_eq!(balance_of(&mut env, &w.sol_ata), 4 * LAMPORTS_PER_SOL);

    let out = withdraw_to(&mut env, &w, &sol, w.sol_ata, 6 * LAMPORTS_PER_SOL).unwrap();
    let ev = event::<Withdrawn>(&out);
    assert_eq!(ev.balance_after, 0);
    assert_eq!(ev.initial_equity_after, None);
    let state = env.writer_state(&w.account);
    assert_eq!(state.collateral_count(), 0);
    assert_eq!(state.collaterals[0].asset, Pubkey::default());
    assert!(state.is_empty());
    let (_, sol_vault, _, sol_total) = ledgers(&mut env);
    assert_eq!((sol_vault, sol_total), (0, 0));
    assert_eq!(balance_of(&mut env, &w.sol_ata), 10 * LAMPORTS_PER_SOL);
}

#[test]
fn withdraw_more_quote_than_the_balance_fails() {
    let mut env = Env::new();
    let w = env.writer(1_000 * USDC, 0);
    let other = env.writer(1_000 * USDC, 0);
    env.deposit_quote(&w, 100 * USDC).unwrap();
    env.deposit_quote(&other, 1_000 * USDC).unwrap();
    let q = env.quote_ledger();
    expect_err(
        withdraw_to(&mut env, &w, &q, w.quote_ata, 100 * USDC + 1),
        E::InsufficientQuote,
    );
    // no balance exceeds i64::MAX: a larger request is simply more than there is
    expect_err(
        withdraw_to(&mut env, &w, &q, w.quote_ata, u64::MAX),
        E::InsufficientQuote,
    );
    assert_eq!(
        env.writer_state(&w.account).quote_balance,
        100 * USDC as i64
    );
}

#[test]
fn withdraw_more_collateral_than_the_balance_fails() {
    // another writer's deposit keeps the asset's total above the amount asked for
    let mut env = Env::new();
    let w = env.writer(0, 10 * LAMPORTS_PER_SOL);
    let other = env.writer(0, 10 * LAMPORTS_PER_SOL);
    env.deposit_sol(&w, LAMPORTS_PER_SOL).unwrap();
    env.deposit_sol(&other, 10 * LAMPORTS_PER_SOL).unwrap();
    let sol = env.sol_ledger();
    expect_err(
        withdraw_to(&mut env, &w, &sol, w.sol_ata, LAMPORTS_PER_SOL + 1),
        E::InsufficientCollateral,
    );
    assert_eq!(
        env.writer_state(&w.account).collaterals[0].amount,
        LAMPORTS_PER_SOL
    );
}

#[test]
fn withdraw_collateral_never_deposited_fails() {
    let mut env = Env::new();
    let w = env.writer(0, 0);
    let other = env.writer(0, 10 * LAMPORTS_PER_SOL);
    env.deposit_sol(&other, 10 * LAMPORTS_PER_SOL).unwrap();
    let sol = env.sol_ledger();
    expect_err(
        withdraw_to(&mut env, &w, &sol, w.sol_ata, 1),
        E::InsufficientCollateral,
    );
}

#[test]
fn withdraw_more_collateral_than_the_balance_fails_for_the_only_depositor() {
    // regression (fixed in 7f445e9): withdraw debited `asset.total_deposits` first, so asking
    // for more than every writer's deposits together surfaced as InvariantViolated
    let mut env = Env::new();
    let w = env.writer(0, 10 * LAMPORTS_PER_SOL);
    env.deposit_sol(&w, LAMPORTS_PER_SOL).unwrap();
    let sol = env.sol_ledger();
    expect_err(
        withdraw_to(&mut env, &w, &sol, w.sol_ata, LAMPORTS_PER_SOL + 1),
        E::InsufficientCollateral,
    );
}

#[test]
fn withdraw_zero_fails() {
    let mut env = Env::new();
    let w = env.writer(USDC, LAMPORTS_PER_SOL);
    env.deposit_quote(&w, USDC).unwrap();
    env.deposit_sol(&w, LAMPORTS_PER_SOL).unwrap();
    let (q, s) = (env.quote_ledger(), env.sol_ledger());
    expect_err(withdraw_to(&mut env, &w, &q, w.quote_ata, 0), E::ZeroAmount);
    expect_err(withdraw_to(&mut env, &w, &s, w.sol_ata, 0), E::ZeroAmount);
}

#[test]
fn withdraw_from_another_owners_account_fails() {
    let mut env = Env::new();
    let victim = env.writer(1_000 * USDC, 0);
    env.deposit_quote(&victim, 1_000 * USDC).unwrap();
    let thief = env.writer(0, 0);
    let ix = ix::withdraw(
        env.ch.clearinghouse,
        victim.account,
        thief.owner.pubkey(),
        &env.quote_ledger(),
        thief.quote_ata,
        1_000 * USDC,
        vec![],
    );
    expect_err(send_signed(&mut env, ix, &thief.owner), E::NotWriterOwner);
    assert_eq!(balance_of(&mut env, &thief.quote_ata), 0);
    assert_eq!(
        env.writer_state(&victim.account).quote_balance,
        1_000 * USDC as i64
    );
}

#[test]
fn a_paused_withdraw_stops_accounts_with_shorts_only() {
    let mut env = Env::new();
    // no shorts, no debt: the withdrawal cannot hurt the clearing house, so the pause (for
    // risk-increasing actions only) does not stop it, and no price is needed
    let free = env.writer(1_000 * USDC, LAMPORTS_PER_SOL);
    env.deposit_quote(&free, 500 * USDC).unwrap();
    env.deposit_sol(&free, LAMPORTS_PER_SOL / 2).unwrap();
    // a writer with one short call
    let short = env.writer(10_000 * USDC, 0);
    env.deposit_quote(&short, 5_000 * USDC).unwrap();
    let sol = env.sol;
    let expiry = expiry_after(env.now(), 7);
    let series = env.create_series(sol, 0, 160 * USDC, expiry).unwrap();
    env.write(&short, &series, 1).unwrap();

    pause_flags(&mut env, pause::WITHDRAW);
    let (q, s) = (env.quote_ledger(), env.sol_ledger());
    withdraw_to(&mut env, &free, &q, free.quote_ata, USDC).unwrap();
    let out = withdraw_to(&mut env, &free, &s, free.sol_ata, 1).unwrap();
    assert_eq!(event::<Withdrawn>(&out).initial_equity_after, None);
    expect_err(
        withdraw_to(&mut env, &short, &q, short.quote_ata, USDC),
        E::Paused,
    );
    // deposits are never paused
    env.deposit_quote(&free, 500 * USDC).unwrap();
    env.deposit_quote(&short, 500 * USDC).unwrap();
    assert_vaults_match(&mut env);
}

#[test]
fn withdraw_while_other_actions_are_paused_works() {
    let mut env = Env::new();
    let w = env.writer(1_000 * USDC, 0);
    env.deposit_quote(&w, 500 * USDC).unwrap();
    pause_flags(&mut env, pause::WRITE | pause::CREATE_SERIES);
    let q = env.quote_ledger();
    withdraw_to(&mut env, &w, &q, w.quote_ata, 500 * USDC).unwrap();
}

#[test]
fn withdraw_while_liquidating_fails() {
    let mut env = Env::new();
    let w = env.writer(1_000 * USDC, 0);
    env.deposit_quote(&w, 500 * USDC).unwrap();
    set_writer_status(&mut env, &w.account, WriterStatus::Liquidating);
    let q = env.quote_ledger();
    expect_err(
        withdraw_to(&mut env, &w, &q, w.quote_ata, USDC),
        E::AccountNotActive,
    );
}

#[test]
fn withdraw_with_another_creators_clearinghouse_fails() {
    let mut env = Env::new();
    let w = env.writer(1_000 * USDC, 0);
    env.deposit_quote(&w, 500 * USDC).unwrap();
    let other = other_clearinghouse(&mut env);
    let ix = ix::withdraw(
        other.clearinghouse,
        w.account,
        w.owner.pubkey(),
        &TokenLedger::quote(&other),
        w.quote_ata,
        USDC,
        vec![],
    );
    expect_err(send_signed(&mut env, ix, &w.owner), E::WrongClearinghouse);
}

#[test]
fn withdraw_from_a_fake_vault_fails() {
    let mut env = Env::new();
    let w = env.writer(1_000 * USDC, LAMPORTS_PER_SOL);
    env.deposit_quote(&w, 500 * USDC).unwrap();
    env.deposit_sol(&w, LAMPORTS_PER_SOL).unwrap();
    let (quote_mint, sol_mint) = (env.ch.quote_mint, env.sol_mint);
    let mut q = env.quote_ledger();
    q.vault = stray_token_account(&mut env, &quote_mint);
    expect_err(
        withdraw_to(&mut env, &w, &q, w.quote_ata, USDC),
        E::WrongVault,
    );
    let mut s = env.sol_ledger();
    s.vault = stray_token_account(&mut env, &sol_mint);
    expect_err(withdraw_to(&mut env, &w, &s, w.sol_ata, 1), E::WrongVault);
}

#[test]
fn withdraw_to_a_token_account_of_another_mint_fails() {
    let mut env = Env::new();
    let w = env.writer(1_000 * USDC, LAMPORTS_PER_SOL);
    env.deposit_quote(&w, 500 * USDC).unwrap();
    let q = env.quote_ledger();
    expect_err(
        withdraw_to(&mut env, &w, &q, w.sol_ata, USDC),
        E::WrongTokenMint,
    );
}
