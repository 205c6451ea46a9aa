//! `deposit`: its success and each way it must fail.
use super::*;

#[test]
fn deposit_quote_credits_the_balance_and_the_ledger() {
    let mut env = Env::new();
    let w = env.writer(10_000 * USDC, 0);

    let out = env.deposit_quote(&w, 2_500 * USDC).unwrap();
    assert_eq!(event_names(&out), vec!["Deposited"]);
    let ev = event::<Deposited>(&out);
    assert_eq!(ev.writer_account, w.account);
    assert_eq!(ev.mint, env.ch.quote_mint);
    assert_eq!(ev.amount, 2_500 * USDC);
    assert_eq!(ev.balance_after, 2_500 * USDC as i64);

    let out = env.deposit_quote(&w, 500 * USDC).unwrap();
    assert_eq!(event::<Deposited>(&out).balance_after, 3_000 * USDC as i64);

    let state = env.writer_state(&w.account);
    assert_eq!(state.quote_balance, 3_000 * USDC as i64);
    assert_eq!(state.collateral_count(), 0);
    assert_eq!(balance_of(&mut env, &w.quote_ata), 7_000 * USDC);
    let (quote_vault, sol_vault, quote_total, sol_total) = ledgers(&mut env);
    assert_eq!(quote_vault, 3_000 * USDC);
    assert_eq!(quote_total, 3_000 * USDC as i64);
    assert_eq!((sol_vault, sol_total), (0, 0));
    assert_vaults_match(&mut env);
}

#[test]
fn deposit_quote_from_two_writers_adds_up() {
    let mut env = Env::new();
    let a = env.writer(1_000 * USDC, 0);
    let b = env.writer(1_000 * USDC, 0);
    env.deposit_quote(&a, 300 * USDC).unwrap();
    env.deposit_quote(&b, 450 * USDC).unwrap();
    assert_eq!(env.quote_claims(), 750 * USDC as i128);
    assert_eq!(
        env.writer_state(&a.account).quote_balance,
        300 * USDC as i64
    );
    assert_eq!(
        env.writer_state(&b.account).quote_balance,
        450 * USDC as i64
    );
    assert_vaults_match(&mut env);
}

#[test]
fn deposit_sol_collateral_takes_a_slot_and_credits_the_asset() {
    let mut env = Env::new();
    let w = env.writer(0, 10 * LAMPORTS_PER_SOL);
    let asset = sol_asset(&env);

    let out = env.deposit_sol(&w, 3 * LAMPORTS_PER_SOL).unwrap();
    assert_eq!(event_names(&out), vec!["Deposited"]);
    let ev = event::<Deposited>(&out);
    assert_eq!(ev.writer_account, w.account);
    assert_eq!(ev.mint, env.sol_mint);
    assert_eq!(ev.amount, 3 * LAMPORTS_PER_SOL);
    assert_eq!(ev.balance_after, 3 * LAMPORTS_PER_SOL as i64);

    let out = env.deposit_sol(&w, LAMPORTS_PER_SOL / 2).unwrap();
    assert_eq!(
        event::<Deposited>(&out).balance_after,
        (3 * LAMPORTS_PER_SOL + LAMPORTS_PER_SOL / 2) as i64
    );

    let state = env.writer_state(&w.account);
    assert_eq!(state.quote_balance, 0);
    assert_eq!(state.collateral_count(), 1, "one slot per asset");
    assert_eq!(state.collaterals[0].asset, asset);
    assert_eq!(state.collaterals[0].amount, 3_500_000_000);
    assert_eq!(balance_of(&mut env, &w.sol_ata), 6_500_000_000);
    let (quote_vault, sol_vault, quote_total, sol_total) = ledgers(&mut env);
    assert_eq!((quote_vault, quote_total), (0, 0));
    assert_eq!(sol_vault, 3_500_000_000);
    assert_eq!(sol_total, 3_500_000_000);
    assert_vaults_match(&mut env);
}

#[test]
fn deposit_zero_fails() {
    let mut env = Env::new();
    let w = env.writer(USDC, LAMPORTS_PER_SOL);
    expect_err(env.deposit_quote(&w, 0), E::ZeroAmount);
    expect_err(env.deposit_sol(&w, 0), E::ZeroAmount);
}

#[test]
fn deposit_into_another_owners_account_fails() {
    let mut env = Env::new();
    let victim = env.writer(0, 0);
    let other = env.writer(1_000 * USDC, 0);
    // `other` signs and pays from its own wallet, into `victim`'s account
    let ix = ix::deposit(
        env.ch.clearinghouse,
        victim.account,
        other.owner.pubkey(),
        &env.quote_ledger(),
        other.quote_ata,
        100 * USDC,
    );
    expect_err(send_signed(&mut env, ix, &other.owner), E::NotWriterOwner);
    assert_eq!(env.writer_state(&victim.account).quote_balance, 0);
}

#[test]
fn deposit_quote_into_a_fake_vault_fails() {
    let mut env = Env::new();
    let w = env.writer(1_000 * USDC, 0);
    let quote_mint = env.ch.quote_mint;
    let mut ledger = env.quote_ledger();
    ledger.vault = stray_token_account(&mut env, &quote_mint);
    let ix = deposit_ix(&env, &w, &ledger, w.quote_ata, 100 * USDC);
    expect_err(send_signed(&mut env, ix, &w.owner), E::WrongVault);
}

#[test]
fn deposit_collateral_into_a_fake_vault_fails() {
    let mut env = Env::new();
    let w = env.writer(0, LAMPORTS_PER_SOL);
    let sol_mint = env.sol_mint;
    let mut ledger = env.sol_ledger();
    ledger.vault = stray_token_account(&mut env, &sol_mint);
    let ix = deposit_ix(&env, &w, &ledger, w.sol_ata, LAMPORTS_PER_SOL);
    expect_err(send_signed(&mut env, ix, &w.owner), E::WrongVault);
}

#[test]
fn deposit_collateral_into_the_quote_vault_fails() {
    // the vault account may hold any mint; the program's own vault check refuses it
    let mut env = Env::new();
    let w = env.writer(0, LAMPORTS_PER_SOL);
    let mut ledger = env.sol_ledger();
    ledger.vault = env.ch.quote_vault;
    let ix = deposit_ix(&env, &w, &ledger, w.sol_ata, LAMPORTS_PER_SOL);
    expect_err(send_signed(&mut env, ix, &w.owner), E::WrongVault);
}

#[test]
fn deposit_quote_with_a_collateral_asset_fails() {
    let mut env = Env::new();
    let w = env.writer(1_000 * USDC, 0);
    let mut ledger = env.quote_ledger();
    ledger.collateral_asset = Some(sol_asset(&env));
    let ix = deposit_ix(&env, &w, &ledger, w.quote_ata, 100 * USDC);
    expect_err(
        send_signed(&mut env, ix, &w.owner),
        E::UnexpectedCollateralAsset,
    );
}

#[test]
fn deposit_collateral_without_its_asset_fails() {
    let mut env = Env::new();
    let w = env.writer(0, LAMPORTS_PER_SOL);
    let mut ledger = env.sol_ledger();
    ledger.collateral_asset = None;
    let ix = deposit_ix(&env, &w, &ledger, w.sol_ata, LAMPORTS_PER_SOL);
    expect_err(
        send_signed(&mut env, ix, &w.owner),
        E::MissingCollateralAsset,
    );
}

#[test]
fn deposit_collateral_with_the_asset_of_another_mint_fails() {
    let mut env = Env::new();
    let w = env.writer(0, LAMPORTS_PER_SOL);
    let other_mint = new_mint(&mut env, 6);
    let other = list_pegged(&mut env, other_mint, u64::MAX / 4);
    let mut ledger = env.sol_ledger();
    ledger.collateral_asset = other.collateral_asset;
    let ix = deposit_ix(&env, &w, &ledger, w.sol_ata, LAMPORTS_PER_SOL);
    expect_err(send_signed(&mut env, ix, &w.owner), E::WrongCollateralAsset);
}

#[test]
fn deposit_with_the_token_2022_program_for_an_spl_mint_fails() {
    let mut env = Env::new();
    let w = env.writer(1_000 * USDC, LAMPORTS_PER_SOL);
    let mut quote = env.quote_ledger();
    quote.token_program = TOKEN_2022;
    let ix = deposit_ix(&env, &w, &quote, w.quote_ata, 100 * USDC);
    expect_err(send_signed(&mut env, ix, &w.owner), E::WrongTokenProgram);

    let mut sol = env.sol_ledger();
    sol.token_program = TOKEN_2022;
    let ix = deposit_ix(&env, &w, &sol, w.sol_ata, LAMPORTS_PER_SOL);
    expect_err(send_signed(&mut env, ix, &w.owner), E::WrongTokenProgram);
}

#[test]
fn deposit_from_a_token_account_of_another_mint_fails() {
    let mut env = Env::new();
    let w = env.writer(1_000 * USDC, LAMPORTS_PER_SOL);
    // quote deposit paying from the SOL account
    let ix = deposit_ix(&env, &w, &env.quote_ledger(), w.sol_ata, 100);
    expect_err(send_signed(&mut env, ix, &w.owner), E::WrongTokenMint);
    // SOL deposit paying from the quote account
    let ix = deposit_ix(&env, &w, &env.sol_ledger(), w.quote_ata, 100);
    expect_err(send_signed(&mut env, ix, &w.owner), E::WrongTokenMint);
}

#[test]
fn deposit_from_a_token_account_of_another_owner_fails() {
    let mut env = Env::new();
    let w = env.writer(0, 0);
    let rich = env.writer(1_000 * USDC, LAMPORTS_PER_SOL);
    let ix = deposit_ix(&env, &w, &env.quote_ledger(), rich.quote_ata, 100 * USDC);
    expect_err(send_signed(&mut env, ix, &w.owner), E::WrongTokenOwner);
    let ix = deposit_ix(&env, &w, &env.sol_ledger(), rich.sol_ata, LAMPORTS_PER_SOL);
    expect_err(send_signed(&mut env, ix, &w.owner), E::WrongTokenOwner);
    assert_eq!(balance_of(&mut env, &rich.quote_ata), 1_000 * USDC);
}

#[test]
fn deposit_into_a_writer_account_of_another_clearinghouse_fails() {
    let mut env = Env::new();
    let w = env.writer(1_000 * USDC, 0);
    let other = other_clearinghouse(&mut env);
    let ix = ix::deposit(
        other.clearinghouse,
        w.account,
        w.owner.pubkey(),
        &TokenLedger::quote(&other),
        w.quote_ata,
        100 * USDC,
    );
    expect_err(send_signed(&mut env, ix, &w.owner), E::WrongClearinghouse);
}

#[test]
fn deposit_beyond_the_cap_fails() {
    let mut env = Env::new();
    let mint = new_mint(&mut env, 6);
    let ledger = list_pegged(&mut env, mint, 1_000);
    let a = env.writer(0, 0);
    let b = env.writer(0, 0);
    let a_src = fund(&mut env, &a.owner.pubkey(), &mint, 5_000);
    let b_src = fund(&mut env, &b.owner.pubkey(), &mint, 5_000);

    let ix = deposit_ix(&env, &a, &ledger, a_src, 600);
    send_signed(&mut env, ix, &a.owner).unwrap();
    let ix = deposit_ix(&env, &b, &ledger, b_src, 401);
    expect_err(send_signed(&mut env, ix, &b.owner), E::DepositCapExceeded);
    let ix = deposit_ix(&env, &a, &ledger, a_src, 401);
    expect_err(send_signed(&mut env, ix, &a.owner), E::DepositCapExceeded);
    // exactly the cap is allowed
    let ix = deposit_ix(&env, &b, &ledger, b_src, 400);
    send_signed(&mut env, ix, &b.owner).unwrap();
    let ix = deposit_ix(&env, &a, &ledger, a_src, 1);
    expect_err(send_signed(&mut env, ix, &a.owner), E::DepositCapExceeded);

    assert_eq!(balance_of(&mut env, &ledger.vault), 1_000);
    assert_eq!(balance_of(&mut env, &a_src), 4_400);
    assert_eq!(balance_of(&mut env, &b_src), 4_600);
}

#[test]
fn deposit_of_a_fifth_collateral_fails_until_a_slot_frees() {
    let mut env = Env::new();
    let w = env.writer(0, LAMPORTS_PER_SOL);
    env.deposit_sol(&w, LAMPORTS_PER_SOL).unwrap();
    let mut extra = Vec::new();
    for _ in 0..MAX_COLLATERALS {
        let mint = new_mint(&mut env, 6);
        let ledger = list_pegged(&mut env, mint, u64::MAX / 4);
        let src = fund(&mut env, &w.owner.pubkey(), &mint, 1_000);
        extra.push((ledger, src));
    }
    // SOL plus three more fill the four slots
    for (ledger, src) in &extra[..MAX_COLLATERALS - 1] {
        let ix = deposit_ix(&env, &w, ledger, *src, 10);
        send_signed(&mut env, ix, &w.owner).unwrap();
    }
    assert_eq!(
        env.writer_state(&w.account).collateral_count(),
        MAX_COLLATERALS
    );
    let (fifth, fifth_src) = extra[MAX_COLLATERALS - 1];
    let ix = deposit_ix(&env, &w, &fifth, fifth_src, 10);
    expect_err(send_signed(&mut env, ix, &w.owner), E::CollateralSlotsFull);
    // a held asset still takes more
    let ix = deposit_ix(&env, &w, &extra[0].0, extra[0].1, 5);
    send_signed(&mut env, ix, &w.owner).unwrap();

    // withdrawing SOL completely frees its slot for the fifth asset
    let sol = env.sol_ledger();
    withdraw_to(&mut env, &w, &sol, w.sol_ata, LAMPORTS_PER_SOL).unwrap();
    assert_eq!(
        env.writer_state(&w.account).collateral_count(),
        MAX_COLLATERALS - 1
    );
    let ix = deposit_ix(&env, &w, &fifth, fifth_src, 10);
    send_signed(&mut env, ix, &w.owner).unwrap();
    let state = env.writer_state(&w.account);
    assert_eq!(state.collateral_count(), MAX_COLLATERALS);
    assert_eq!(state.collaterals[0].asset, fifth.collateral_asset.unwrap());
    state.invariant().unwrap();
}

#[test]
fn deposit_more_than_the_wallet_holds_fails_in_the_token_program() {
    let mut env = Env::new();
    let w = env.writer(1_000 * USDC, LAMPORTS_PER_SOL);
    let before = ledgers(&mut env);
    let err = expect_failure(env.deposit_quote(&w, 1_000 * USDC + 1));
    assert_eq!(err.custom_code(), Some(TOKEN_INSUFFICIENT_FUNDS), "{err}");
    let err = expect_failure(env.deposit_quote(&w, u64::MAX));
    assert_eq!(err.custom_code(), Some(TOKEN_INSUFFICIENT_FUNDS), "{err}");
    let err = expect_failure(env.deposit_sol(&w, u64::MAX));
    assert_eq!(err.custom_code(), Some(TOKEN_INSUFFICIENT_FUNDS), "{err}");
    assert_eq!(ledgers(&mut env), before);
    let state = env.writer_state(&w.account);
    assert!(state.is_empty());
    assert_eq!(balance_of(&mut env, &w.quote_ata), 1_000 * USDC);
}

#[test]
fn deposit_works_while_everything_is_paused_and_the_oracle_is_stale() {
    let mut env = Env::new();
    let (w, _) = sol_short(&mut env, 1_000 * USDC, 1);
    let auth = env.mint_authority.insecure_clone();
    let (quote_mint, sol_mint) = (env.ch.quote_mint, env.sol_mint);
    env.chain
        .mint_to(&SPL_TOKEN, &quote_mint, &w.quote_ata, &auth, 500 * USDC)
        .unwrap();
    env.chain
        .mint_to(&SPL_TOKEN, &sol_mint, &w.sol_ata, &auth, LAMPORTS_PER_SOL)
        .unwrap();
    pause_flags(&mut env, pause::PAUSABLE);
    assert_eq!(env.clearinghouse().paused, pause::PAUSABLE);
    // no price published for an hour: every oracle is far beyond max_age
    env.advance(3_600);
    let quote_before = env.writer_state(&w.account).quote_balance;

    let out = env.deposit_quote(&w, 500 * USDC).unwrap();
    assert_eq!(
        event::<Deposited>(&out).balance_after,
        quote_before + 500 * USDC as i64
    );
    let out = env.deposit_sol(&w, LAMPORTS_PER_SOL).unwrap();
    assert_eq!(
        event::<Deposited>(&out).balance_after,
        LAMPORTS_PER_SOL as i64
    );
    assert_vaults_match(&mut env);
}

#[test]
fn deposit_works_while_the_account_is_liquidating() {
    // deposits only reduce risk: a frozen account may still receive them
    let mut env = Env::new();
    let w = env.writer(1_000 * USDC, 0);
    set_writer_status(&mut env, &w.account, WriterStatus::Liquidating);
    env.deposit_quote(&w, 100 * USDC).unwrap();
    assert_eq!(
        env.writer_state(&w.account).quote_balance,
        100 * USDC as i64
    );
}

/// Overwrite a writer account's status (and auction start): a frozen account without a crash;
/// the real path, `start_liquidation`, is tested in `liquidation.rs`.
pub(super) fn set_writer_status(env: &mut Env, key: &Pubkey, status: WriterStatus) {
    let mut raw = env.chain.account(key).unwrap().unwrap();
    let offset = 8 + core::mem::offset_of!(WriterAccount, status);
    raw.data[offset] = status as u8;
    // a liquidating account carries its auction record (the account invariant)
    let start = 8
        + core::mem::offset_of!(WriterAccount, liquidation)
        + core::mem::offset_of!(greekhouse::state::LiquidationState, start_time);
    let start_time: i64 = if status == WriterStatus::Liquidating {
        env.now()
    } else {
        0
    };
    raw.data[start..start + 8].copy_from_slice(&start_time.to_le_bytes());
    env.chain.set_account(key, raw);
    assert_eq!(env.writer_state(key).status, status as u8);
}
