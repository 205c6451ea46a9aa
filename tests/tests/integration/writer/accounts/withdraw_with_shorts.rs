//! `withdraw` from an account with shorts: the margin check and its accounts.
use super::*;

#[test]
fn withdraw_with_shorts_breaking_initial_margin_fails() {
    let mut env = Env::new();
    let (w, _) = sol_short(&mut env, 10_000 * USDC, 10);
    let before = env.writer_state(&w.account);
    assert!(sdk_initial_equity(&mut env, &w.account) > 0);
    let q = env.quote_ledger();
    let all = before.quote_balance as u64;
    expect_err(
        withdraw_to(&mut env, &w, &q, w.quote_ata, all),
        E::InitialMarginBreach,
    );
    // nothing moved
    assert_eq!(
        env.writer_state(&w.account).quote_balance,
        before.quote_balance
    );
    assert_vaults_match(&mut env);
}

#[test]
fn withdraw_with_shorts_up_to_the_initial_equity() {
    let mut env = Env::new();
    let (w, _) = sol_short(&mut env, 10_000 * USDC, 10);
    let equity = sdk_initial_equity(&mut env, &w.account);
    assert!(equity > 1_000 * USDC as i64, "equity {equity}");
    let q = env.quote_ledger();
    let balance = env.writer_state(&w.account).quote_balance;

    // a small withdrawal: the event carries the equity the SDK computes afterwards
    let out = withdraw_to(&mut env, &w, &q, w.quote_ata, 1_000 * USDC).unwrap();
    let ev = event::<Withdrawn>(&out);
    assert_eq!(ev.balance_after, balance - 1_000 * USDC as i64);
    let sdk_after = sdk_initial_equity(&mut env, &w.account);
    assert_eq!(ev.initial_equity_after, Some(sdk_after));
    // quote counts one for one at every level
    assert!(
        (equity - 1_000 * USDC as i64 - sdk_after).abs() <= 1,
        "{equity} {sdk_after}"
    );
    assert_vaults_match(&mut env);

    // one unit more than the remaining equity breaks IM; the equity itself is fine
    let left = sdk_after as u64;
    expect_err(
        withdraw_to(&mut env, &w, &q, w.quote_ata, left + 1),
        E::InitialMarginBreach,
    );
    let out = withdraw_to(&mut env, &w, &q, w.quote_ata, left).unwrap();
    let ev = event::<Withdrawn>(&out);
    let after = ev.initial_equity_after.unwrap();
    assert!((0..=1).contains(&after), "equity after {after}");
    assert_eq!(after, sdk_initial_equity(&mut env, &w.account));
}

#[test]
fn withdraw_collateral_with_shorts_is_margin_checked() {
    let mut env = Env::new();
    let w = env.writer(0, 10 * LAMPORTS_PER_SOL);
    env.deposit_sol(&w, 10 * LAMPORTS_PER_SOL).unwrap();
    let sol = env.sol;
    let series = new_call(&mut env, sol, SOL_STRIKE);
    env.write(&w, &series, 2).unwrap();
    let s = env.sol_ledger();
    expect_err(
        withdraw_to(&mut env, &w, &s, w.sol_ata, 10 * LAMPORTS_PER_SOL),
        E::InitialMarginBreach,
    );
    let out = withdraw_to(&mut env, &w, &s, w.sol_ata, LAMPORTS_PER_SOL).unwrap();
    let ev = event::<Withdrawn>(&out);
    assert_eq!(ev.balance_after, 9 * LAMPORTS_PER_SOL as i64);
    assert_eq!(
        ev.initial_equity_after,
        Some(sdk_initial_equity(&mut env, &w.account))
    );
    let (_, sol_vault, _, sol_total) = ledgers(&mut env);
    assert_eq!(
        (sol_vault, sol_total),
        (9 * LAMPORTS_PER_SOL, 9 * LAMPORTS_PER_SOL)
    );
}

#[test]
fn withdraw_with_shorts_and_a_stale_oracle_fails() {
    let mut env = Env::new();
    let (w, _) = sol_short(&mut env, 10_000 * USDC, 1);
    env.advance(31);
    let q = env.quote_ledger();
    expect_err(
        withdraw_to(&mut env, &w, &q, w.quote_ata, USDC),
        E::OracleStale,
    );
    // a fresh price lets it through
    env.publish_prices();
    withdraw_to(&mut env, &w, &q, w.quote_ata, USDC).unwrap();
}

/// A writer with SOL collateral (priced by SOL) and a BTC short: margin accounts are
/// [SOL asset, SOL underlying, SOL oracle, BTC underlying, BTC oracle].
pub(super) fn mixed_writer(env: &mut Env) -> Writer {
    let w = env.writer(50_000 * USDC, 10 * LAMPORTS_PER_SOL);
    env.deposit_quote(&w, 50_000 * USDC).unwrap();
    env.deposit_sol(&w, 10 * LAMPORTS_PER_SOL).unwrap();
    let btc = env.btc;
    let series = new_call(env, btc, BTC_STRIKE);
    env.write(&w, &series, 1).unwrap();
    w
}

pub(super) fn try_withdraw_quote_with(
    env: &mut Env,
    w: &Writer,
    remaining: Vec<AccountMeta>,
) -> Result<TxOutcome, ChainError> {
    let ix = withdraw_ix(env, w, &env.quote_ledger(), w.quote_ata, USDC, remaining);
    send_signed(env, ix, &w.owner)
}

#[test]
fn withdraw_margin_accounts_in_the_sdk_layout_pass() {
    let mut env = Env::new();
    let w = mixed_writer(&mut env);
    let q = env.quote_ledger();
    let remaining = margin_after_withdraw(&mut env, &w, &q, USDC);
    let keys: Vec<Pubkey> = remaining.iter().map(|m| m.pubkey).collect();
    assert_eq!(
        keys,
        vec![
            sol_asset(&env),
            env.sol.key,
            env.sol.oracle,
            env.btc.key,
            env.btc.oracle
        ]
    );
    let out = try_withdraw_quote_with(&mut env, &w, remaining).unwrap();
    assert!(event::<Withdrawn>(&out).initial_equity_after.is_some());
}

#[test]
fn withdraw_with_missing_margin_accounts_fails() {
    let mut env = Env::new();
    let w = mixed_writer(&mut env);
    let q = env.quote_ledger();
    let full = margin_after_withdraw(&mut env, &w, &q, USDC);
    // none at all
    expect_err(
        try_withdraw_quote_with(&mut env, &w, vec![]),
        E::MarginAccountsMismatch,
    );
    // the last oracle missing
    expect_err(
        try_withdraw_quote_with(&mut env, &w, full[..4].to_vec()),
        E::MarginAccountsMismatch,
    );
    // the collateral asset missing
    expect_err(
        try_withdraw_quote_with(&mut env, &w, full[1..].to_vec()),
        E::MarginAccountsMismatch,
    );
}

#[test]
fn withdraw_with_margin_accounts_out_of_order_fails() {
    let mut env = Env::new();
    let w = mixed_writer(&mut env);
    let q = env.quote_ledger();
    let full = margin_after_withdraw(&mut env, &w, &q, USDC);
    // BTC's pair before SOL's
    let swapped = vec![
        full[0].clone(),
        full[3].clone(),
        full[4].clone(),
        full[1].clone(),
        full[2].clone(),
    ];
    expect_err(
        try_withdraw_quote_with(&mut env, &w, swapped),
        E::MarginAccountsMismatch,
    );
    // oracle before its underlying
    let mut flipped = full.clone();
    flipped.swap(1, 2);
    expect_err(
        try_withdraw_quote_with(&mut env, &w, flipped),
        E::MarginAccountsMismatch,
    );
}

#[test]
fn withdraw_with_a_foreign_underlying_fails() {
    let mut env = Env::new();
    let (w, _) = sol_short(&mut env, 10_000 * USDC, 1);
    // the account is short SOL only; BTC's pair instead of SOL's
    let foreign = vec![
        AccountMeta::new(env.btc.key, false),
        AccountMeta::new_readonly(env.btc.oracle, false),
    ];
    expect_err(
        try_withdraw_quote_with(&mut env, &w, foreign),
        E::MarginAccountsMismatch,
    );
    // the program takes exactly the required list: a trailing extra pair is refused too
    let state = env.writer_state(&w.account);
    let mut extra = env.margin_accounts(state);
    extra.push(AccountMeta::new_readonly(env.btc.key, false));
    extra.push(AccountMeta::new_readonly(env.btc.oracle, false));
    expect_err(
        try_withdraw_quote_with(&mut env, &w, extra),
        E::MarginAccountsMismatch,
    );
    let state = env.writer_state(&w.account);
    let exact = env.margin_accounts(state);
    try_withdraw_quote_with(&mut env, &w, exact).unwrap();
}

#[test]
fn withdraw_reads_its_margin_accounts_without_locking_them() {
    let mut env = Env::new();
    let (w, _) = sol_short(&mut env, 10_000 * USDC, 1);
    let state = env.writer_state(&w.account);
    let remaining = env.margin_accounts(state);
    assert_eq!(remaining[0].pubkey, env.sol.key);
    assert!(remaining.iter().all(|m| !m.is_writable));
    let recorded = env.underlying(&{ env.sol.key }).last_publish_time;
    try_withdraw_quote_with(&mut env, &w, remaining).unwrap();
    // the margin check recorded nothing on the underlying
    assert_eq!(env.underlying(&{ env.sol.key }).last_publish_time, recorded);
}

#[test]
fn withdraw_with_a_margin_underlying_of_another_clearinghouse_fails() {
    // an Underlying account of another clearing house at the expected address cannot exist (the
    // address is a PDA of this clearing house); a look-alike elsewhere fails the key check
    let mut env = Env::new();
    let (w, _) = sol_short(&mut env, 10_000 * USDC, 1);
    let other = other_clearinghouse(&mut env);
    let args = env.sol_underlying_args(0);
    env.send_admin(ix::list_underlying(
        other.clearinghouse,
        env.chain.payer(),
        env.admin.pubkey(),
        args,
    ))
    .unwrap();
    let look_alike = pda::underlying(&other.clearinghouse, 0);
    let remaining = vec![
        AccountMeta::new(look_alike, false),
        AccountMeta::new_readonly(env.sol.oracle, false),
    ];
    expect_err(
        try_withdraw_quote_with(&mut env, &w, remaining),
        E::MarginAccountsMismatch,
    );
}
