//! The SDK's flows build complete margin-checked instructions and project their outcome with
//! the program's own engine: the projection (fee included) equals what the program reports.
use crate::harness;
use harness::*;

use greekhouse_sdk::flows::{self, FlowContext};
use solana_signer::Signer;

fn cx_of(env: &Env) -> (greekhouse_sdk::ix::ClearinghouseRef, [UnderlyingFixture; 2]) {
    (env.ch, [env.sol, env.btc])
}

#[test]
fn a_write_flow_projects_the_fee_and_the_margin_the_program_reports() {
    let mut env = Env::new();
    let w = env.writer(20_000 * USDC, 0);
    env.deposit_quote(&w, 10_000 * USDC).unwrap();
    let sol = env.sol;
    let expiry = expiry_after(env.now(), 7);
    let series = env.create_series(sol, 0, 160 * USDC, expiry).unwrap();
    let option_mint = greekhouse_sdk::pda::option_mint(&series);
    let recipient = env
        .chain
        .token_account(&w.owner.pubkey(), &option_mint, &SPL_TOKEN)
        .unwrap();
    let (ch, unds) = cx_of(&env);
    let oracle_for =
        move |k: &anchor_lang::prelude::Pubkey| unds.iter().find(|u| u.key == *k).map(|u| u.oracle);
    let cx = FlowContext {
        ch: &ch,
        oracle_for: &oracle_for,
    };
    let owner = w.owner.pubkey();
    let projected =
        flows::write(&mut env.chain, &cx, w.account, owner, series, recipient, 10).unwrap();
    assert!(projected.fee > 0);
    assert!(projected.passes_initial_margin());
    let out = env
        .chain
        .send(std::slice::from_ref(&projected.instruction), &[&w.owner])
        .unwrap();
    let written = event::<OptionsWritten>(&out);
    assert_eq!(written.fee, projected.fee);
    assert_eq!(
        Some(written.initial_equity_after),
        projected.initial_equity_after()
    );
    assert_eq!(
        env.writer_state(&w.account).quote_balance,
        projected.account_after.quote_balance
    );

    // a withdrawal flow of the account with the short: margin-checked, projected exactly
    let ledger = env.quote_ledger();
    let projected = flows::withdraw(
        &mut env.chain,
        &cx,
        w.account,
        owner,
        &ledger,
        w.quote_ata,
        1_000 * USDC,
    )
    .unwrap();
    let out = env
        .chain
        .send(std::slice::from_ref(&projected.instruction), &[&w.owner])
        .unwrap();
    assert_eq!(
        event::<Withdrawn>(&out).initial_equity_after,
        projected.initial_equity_after()
    );
    // an over-ask fails in the flow, as the program's ledger step would
    let err = flows::withdraw(
        &mut env.chain,
        &cx,
        w.account,
        owner,
        &ledger,
        w.quote_ata,
        u64::MAX / 2,
    )
    .unwrap();
    assert!(err
        .refusal
        .unwrap()
        .is(greekhouse::errors::GreekhouseError::InsufficientQuote));
}

#[test]
fn a_withdraw_flow_of_an_account_without_liabilities_needs_no_margin_accounts() {
    let mut env = Env::new();
    let w = env.writer(1_000 * USDC, 0);
    env.deposit_quote(&w, 500 * USDC).unwrap();
    let (ch, unds) = cx_of(&env);
    let oracle_for =
        move |k: &anchor_lang::prelude::Pubkey| unds.iter().find(|u| u.key == *k).map(|u| u.oracle);
    let cx = FlowContext {
        ch: &ch,
        oracle_for: &oracle_for,
    };
    let ledger = env.quote_ledger();
    let owner = w.owner.pubkey();
    let projected = flows::withdraw(
        &mut env.chain,
        &cx,
        w.account,
        owner,
        &ledger,
        w.quote_ata,
        200 * USDC,
    )
    .unwrap();
    assert!(projected.margin_after.is_none());
    let out = env
        .chain
        .send(&[projected.instruction], &[&w.owner])
        .unwrap();
    assert_eq!(event::<Withdrawn>(&out).initial_equity_after, None);
    assert_eq!(
        env.writer_state(&w.account).quote_balance,
        300 * USDC as i64
    );
}

#[test]
fn one_layout_serves_two_writers_without_duplicates() {
    let mut env = Env::new();
    let a = env.writer(20_000 * USDC, 10 * LAMPORTS_PER_SOL);
    let b = env.writer(20_000 * USDC, 0);
    env.deposit_quote(&a, 10_000 * USDC).unwrap();
    env.deposit_sol(&a, 10 * LAMPORTS_PER_SOL).unwrap();
    env.deposit_quote(&b, 10_000 * USDC).unwrap();
    let (sol, btc) = (env.sol, env.btc);
    let expiry = expiry_after(env.now(), 7);
    let sol_call = env.create_series(sol, 0, 160 * USDC, expiry).unwrap();
    let btc_put = env.create_series(btc, 1, 88_000 * USDC, expiry).unwrap();
    env.write(&a, &sol_call, 2).unwrap();
    env.write(&b, &btc_put, 1).unwrap();
    env.write(&b, &sol_call, 1).unwrap();

    let (state_a, state_b) = (env.writer_state(&a.account), env.writer_state(&b.account));
    let (sol_key, btc_key) = (sol.key, btc.key);
    let oracle_for = move |k: &anchor_lang::prelude::Pubkey| {
        [sol, btc].iter().find(|u| u.key == *k).map(|u| u.oracle)
    };
    let both = greekhouse_sdk::margin::MarginInputs::fetch_many(
        &mut env.chain,
        &env.ch.clearinghouse,
        state_a,
        vec![state_b],
        &oracle_for,
    )
    .unwrap();
    // SOL asset, then SOL (asset's price underlying, and both books) and BTC once each
    let keys: Vec<_> = both.remaining_accounts().iter().map(|m| m.pubkey).collect();
    let sol_asset = greekhouse_sdk::pda::collateral_asset(&env.ch.clearinghouse, &env.sol_mint);
    assert_eq!(
        keys,
        vec![sol_asset, sol_key, sol.oracle, btc_key, btc.oracle]
    );
    // each writer's margin from the shared list equals its margin alone
    let now = env.now();
    let priced = both
        .priced(
            &mut env.chain,
            now,
            greekhouse::oracle::PriceUse::RiskIncreasing,
        )
        .unwrap();
    let from_shared_a = both.compute_with(&state_a, &priced, now).unwrap();
    let from_shared_b = both.compute_with(&state_b, &priced, now).unwrap();
    assert_eq!(from_shared_a, env.margin_of(&a.account));
    assert_eq!(from_shared_b, env.margin_of(&b.account));
}
