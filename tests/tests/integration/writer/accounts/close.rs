//! `close_writer_account`: its success and each way it must fail.
use super::*;

#[test]
fn close_returns_the_rent_to_the_owner() {
    let mut env = Env::new();
    let w = env.writer(0, 0);
    let rent = lamports_of(&mut env, &w.account);
    assert!(rent > 0);
    let owner_before = lamports_of(&mut env, &w.owner.pubkey());

    let ix = ix::close_writer_account(w.account, w.owner.pubkey());
    let out = send_signed(&mut env, ix, &w.owner).unwrap();

    assert_eq!(event_names(&out), vec!["WriterAccountClosed"]);
    let ev = event::<WriterAccountClosed>(&out);
    assert_eq!(ev.writer_account, w.account);
    assert_eq!(ev.owner, w.owner.pubkey());
    assert!(!account_exists(&mut env, &w.account));
    assert_eq!(
        lamports_of(&mut env, &w.owner.pubkey()),
        owner_before + rent
    );
}

#[test]
fn close_after_everything_is_withdrawn_and_reopen() {
    let mut env = Env::new();
    let w = env.writer(100 * USDC, LAMPORTS_PER_SOL);
    env.deposit_quote(&w, 100 * USDC).unwrap();
    env.deposit_sol(&w, LAMPORTS_PER_SOL).unwrap();
    let (q, s) = (env.quote_ledger(), env.sol_ledger());
    withdraw_to(&mut env, &w, &q, w.quote_ata, 100 * USDC).unwrap();
    withdraw_to(&mut env, &w, &s, w.sol_ata, LAMPORTS_PER_SOL).unwrap();
    let ix = ix::close_writer_account(w.account, w.owner.pubkey());
    send_signed(&mut env, ix, &w.owner).unwrap();
    assert!(!account_exists(&mut env, &w.account));

    // the same index can be opened again, fresh
    open_account(&mut env, &w.owner, 0).unwrap();
    let state = env.writer_state(&w.account);
    assert!(state.is_empty());
    assert_eq!(state.owner, w.owner.pubkey());
}

#[test]
fn close_with_a_quote_balance_fails() {
    let mut env = Env::new();
    let w = env.writer(USDC, 0);
    env.deposit_quote(&w, 1).unwrap();
    let ix = ix::close_writer_account(w.account, w.owner.pubkey());
    expect_err(send_signed(&mut env, ix, &w.owner), E::AccountNotEmpty);
    assert!(account_exists(&mut env, &w.account));
}

#[test]
fn close_with_collateral_fails() {
    let mut env = Env::new();
    let w = env.writer(0, LAMPORTS_PER_SOL);
    env.deposit_sol(&w, 1).unwrap();
    let ix = ix::close_writer_account(w.account, w.owner.pubkey());
    expect_err(send_signed(&mut env, ix, &w.owner), E::AccountNotEmpty);
}

#[test]
fn close_with_a_short_fails() {
    let mut env = Env::new();
    let (w, _) = sol_short(&mut env, 10_000 * USDC, 1);
    // quote and a short
    let ix = ix::close_writer_account(w.account, w.owner.pubkey());
    expect_err(send_signed(&mut env, ix, &w.owner), E::AccountNotEmpty);

    // a short alone (quote balance zeroed by hand: margin would never allow withdrawing it all)
    let mut raw = env.chain.account(&w.account).unwrap().unwrap();
    let offset = 8 + core::mem::offset_of!(WriterAccount, quote_balance);
    raw.data[offset..offset + 8].copy_from_slice(&0i64.to_le_bytes());
    env.chain.set_account(&w.account, raw);
    let state = env.writer_state(&w.account);
    assert_eq!(state.quote_balance, 0);
    assert_eq!(state.position_count(), 1);
    let ix = ix::close_writer_account(w.account, w.owner.pubkey());
    expect_err(send_signed(&mut env, ix, &w.owner), E::AccountNotEmpty);
}

#[test]
fn close_by_another_owner_fails() {
    let mut env = Env::new();
    let w = env.writer(0, 0);
    let other = new_owner(&mut env);
    let ix = ix::close_writer_account(w.account, other.pubkey());
    expect_err(send_signed(&mut env, ix, &other), E::NotWriterOwner);
    assert!(account_exists(&mut env, &w.account));
}

#[test]
fn close_while_liquidating_fails() {
    let mut env = Env::new();
    let w = env.writer(0, 0);
    set_writer_status(&mut env, &w.account, WriterStatus::Liquidating);
    let ix = ix::close_writer_account(w.account, w.owner.pubkey());
    expect_err(send_signed(&mut env, ix, &w.owner), E::AccountNotActive);
}

/// A writer with `quote` deposited and `contracts` short SOL calls.
pub(super) fn sol_short(env: &mut Env, quote: u64, contracts: u64) -> (Writer, Pubkey) {
    let sol = env.sol;
    short_writer(env, sol, quote, contracts)
}
