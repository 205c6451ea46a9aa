//! Writer accounts: open_writer_account, deposit, withdraw, close_writer_account.
//!
//! Success tests check the decoded state, token balances, that every vault equals the ledger
//! claims on it (summed over the writer accounts and underlying ledgers) and the event; each
//! refusal has its own test with the exact error.
use crate::harness;
use harness::ext_writer::*;
use harness::*;

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::AccountMeta;
use greekhouse::constants::{ACCOUNT_VERSION, MAX_COLLATERALS};
use greekhouse::errors::GreekhouseError as E;
use greekhouse::instructions::ListCollateralArgs;
use greekhouse::state::{pause, PriceSource, WriterAccount, WriterStatus};
use greekhouse_sdk::chain::{Chain, ChainError, TxOutcome};
use greekhouse_sdk::ix::{self, TokenLedger};
use greekhouse_sdk::pda;
use solana_signer::Signer;

/// Anchor's `AccountNotSigner`.
const ANCHOR_ACCOUNT_NOT_SIGNER: u32 = 3010;
/// SPL Token's `InsufficientFunds`.
const TOKEN_INSUFFICIENT_FUNDS: u32 = 1;

/// Quote vault, SOL vault, the quote claims (writers' balances and accrued fees), the writers'
/// SOL balances.
fn ledgers(env: &mut Env) -> (u64, u64, i64, u64) {
    (
        env.quote_vault_balance(),
        env.sol_vault_balance(),
        env.quote_claims() as i64,
        env.sol_claims() as u64,
    )
}

/// docs/protocol.md §12 as the tests check it: each vault holds exactly its ledger claims.
#[track_caller]
fn assert_vaults_match(env: &mut Env) {
    let (quote_vault, sol_vault, quote_claims, sol_claims) = ledgers(env);
    assert_eq!(
        quote_vault as i64, quote_claims,
        "quote vault == quote claims"
    );
    assert_eq!(sol_vault, sol_claims, "SOL vault == writers' SOL");
}

fn sol_asset(env: &Env) -> Pubkey {
    env.sol_ledger().collateral_asset.unwrap()
}

// ================================================================ open_writer_account

#[test]
fn open_records_the_account_and_emits_the_event() {
    let mut env = Env::new();
    let owner = new_owner(&mut env);
    let owner_lamports = lamports_of(&mut env, &owner.pubkey());

    let out = open_account(&mut env, &owner, 0).unwrap();

    let key = writer_key(&env, &owner.pubkey(), 0);
    assert_eq!(event_names(&out), vec!["WriterAccountOpened"]);
    let ev = event::<WriterAccountOpened>(&out);
    assert_eq!(ev.clearinghouse, env.ch.clearinghouse);
    assert_eq!(ev.writer_account, key);
    assert_eq!(ev.owner, owner.pubkey());
    assert_eq!(ev.index, 0);

    let raw = env.chain.account(&key).unwrap().unwrap();
    assert_eq!(raw.owner, greekhouse::ID);
    assert_eq!(raw.data.len(), WriterAccount::SPACE);
    let w = env.writer_state(&key);
    let (_, bump) = Pubkey::find_program_address(
        &[
            greekhouse::constants::WRITER_SEED,
            env.ch.clearinghouse.as_ref(),
            owner.pubkey().as_ref(),
            &0u32.to_le_bytes(),
        ],
        &greekhouse::ID,
    );
    assert_eq!(w.version, ACCOUNT_VERSION);
    assert_eq!(w.bump, bump);
    assert_eq!(w.status, WriterStatus::Active as u8);
    assert_eq!(w.index, 0);
    assert_eq!(w.clearinghouse, env.ch.clearinghouse);
    assert_eq!(w.owner, owner.pubkey());
    assert_eq!(w.quote_balance, 0);
    assert_eq!(w.collateral_count(), 0);
    assert_eq!(w.position_count(), 0);
    assert!(w.is_empty());
    w.invariant().unwrap();

    // the payer (not the owner) paid the rent
    assert_eq!(lamports_of(&mut env, &owner.pubkey()), owner_lamports);
}

#[test]
fn open_a_second_index_for_the_same_owner() {
    let mut env = Env::new();
    let owner = new_owner(&mut env);
    open_account(&mut env, &owner, 0).unwrap();
    let out = open_account(&mut env, &owner, 7).unwrap();

    let k0 = writer_key(&env, &owner.pubkey(), 0);
    let k7 = writer_key(&env, &owner.pubkey(), 7);
    assert_ne!(k0, k7);
    let ev = event::<WriterAccountOpened>(&out);
    assert_eq!(ev.writer_account, k7);
    assert_eq!(ev.index, 7);
    assert_eq!(env.writer_state(&k0).index, 0);
    let w7 = env.writer_state(&k7);
    assert_eq!(w7.index, 7);
    assert_eq!(w7.owner, owner.pubkey());

    // the two accounts are separate ledgers
    let quote_mint = env.ch.quote_mint;
    let quote_ata = fund(&mut env, &owner.pubkey(), &quote_mint, 100 * USDC);
    let w = Writer {
        owner: owner.insecure_clone(),
        account: k7,
        quote_ata,
        sol_ata: Pubkey::default(),
    };
    env.deposit_quote(&w, 40 * USDC).unwrap();
    assert_eq!(env.writer_state(&k7).quote_balance, 40 * USDC as i64);
    assert_eq!(env.writer_state(&k0).quote_balance, 0);
}

#[test]
fn open_the_same_index_twice_fails() {
    let mut env = Env::new();
    let owner = new_owner(&mut env);
    open_account(&mut env, &owner, 3).unwrap();
    let key = writer_key(&env, &owner.pubkey(), 3);
    let before = env.chain.account(&key).unwrap().unwrap();

    // the address holds lamports, so creation takes the pre-funded path, which refuses an
    // address that already holds data; nothing changes
    expect_err(open_account(&mut env, &owner, 3), E::AccountAddressInUse);

    assert_eq!(env.chain.account(&key).unwrap().unwrap().data, before.data);
}

#[test]
fn open_works_when_someone_prefunded_the_address() {
    // Anyone can send lamports to the (predictable) writer PDA before it is opened. Anchor 1.2
    // then initialises through the system program's CreateAccountAllowPrefund; where the
    // cluster lacks that instruction, a 1-lamport transfer blocks the owner's account forever.
    let mut env = Env::new();
    let owner = new_owner(&mut env);
    let key = writer_key(&env, &owner.pubkey(), 0);
    env.chain.transfer_lamports(&key, 1_000_000).unwrap();
    open_account(&mut env, &owner, 0).unwrap();
    let w = env.writer_state(&key);
    assert_eq!(w.owner, owner.pubkey());
    assert!(w.is_empty());
}

#[test]
fn open_requires_the_owner_signature() {
    let mut env = Env::new();
    let owner = new_owner(&mut env);
    let mut ix =
        ix::open_writer_account(env.ch.clearinghouse, env.chain.payer(), owner.pubkey(), 0);
    let meta = ix
        .accounts
        .iter_mut()
        .find(|m| m.pubkey == owner.pubkey())
        .unwrap();
    meta.is_signer = false;
    // only the payer signs
    expect_anchor_err(env.chain.send(&[ix], &[]), ANCHOR_ACCOUNT_NOT_SIGNER);
    let key = writer_key(&env, &owner.pubkey(), 0);
    assert!(!account_exists(&mut env, &key));
}

// ================================================================ deposit

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
fn set_writer_status(env: &mut Env, key: &Pubkey, status: WriterStatus) {
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

// ================================================================ withdraw

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

// ---------------------------------------------------------------- withdraw with shorts

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
fn mixed_writer(env: &mut Env) -> Writer {
    let w = env.writer(50_000 * USDC, 10 * LAMPORTS_PER_SOL);
    env.deposit_quote(&w, 50_000 * USDC).unwrap();
    env.deposit_sol(&w, 10 * LAMPORTS_PER_SOL).unwrap();
    let btc = env.btc;
    let series = new_call(env, btc, BTC_STRIKE);
    env.write(&w, &series, 1).unwrap();
    w
}

fn try_withdraw_quote_with(
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

// ================================================================ close_writer_account

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
fn sol_short(env: &mut Env, quote: u64, contracts: u64) -> (Writer, Pubkey) {
    let sol = env.sol;
    short_writer(env, sol, quote, contracts)
}

// ================================================================ another clearing house's asset

/// SOL listed (pegged, for simplicity) in a second clearing house; its ledger there.
fn sol_in_other_clearinghouse(env: &mut Env) -> TokenLedger {
    let other = other_clearinghouse(env);
    let args = ListCollateralArgs {
        price_source: PriceSource::Pegged as u8,
        init_weight_bps: 8_000,
        maint_weight_bps: 9_000,
        deposit_cap: u64::MAX / 4,
    };
    let ix = ix::list_collateral(
        other.clearinghouse,
        env.chain.payer(),
        env.admin.pubkey(),
        env.sol_mint,
        SPL_TOKEN,
        None,
        args,
    );
    env.send_admin(ix).unwrap();
    TokenLedger::collateral(&other.clearinghouse, env.sol_mint, SPL_TOKEN)
}

#[test]
fn deposit_with_the_collateral_asset_of_another_clearinghouse_fails() {
    let mut env = Env::new();
    let w = env.writer(0, LAMPORTS_PER_SOL);
    let foreign = sol_in_other_clearinghouse(&mut env);
    let ix = deposit_ix(&env, &w, &foreign, w.sol_ata, LAMPORTS_PER_SOL);
    expect_err(send_signed(&mut env, ix, &w.owner), E::WrongClearinghouse);
    // with this clearing house's vault but the foreign asset account
    let mut mixed = env.sol_ledger();
    mixed.collateral_asset = foreign.collateral_asset;
    let ix = deposit_ix(&env, &w, &mixed, w.sol_ata, LAMPORTS_PER_SOL);
    expect_err(send_signed(&mut env, ix, &w.owner), E::WrongClearinghouse);
}

#[test]
fn withdraw_with_the_collateral_asset_of_another_clearinghouse_fails() {
    let mut env = Env::new();
    let w = env.writer(0, LAMPORTS_PER_SOL);
    env.deposit_sol(&w, LAMPORTS_PER_SOL).unwrap();
    let foreign = sol_in_other_clearinghouse(&mut env);
    let ix = withdraw_ix(&env, &w, &foreign, w.sol_ata, 1, vec![]);
    expect_err(send_signed(&mut env, ix, &w.owner), E::WrongClearinghouse);
}

/// Anchor's `ConstraintDuplicateMutableAccount`.
const ANCHOR_DUPLICATE_MUTABLE_ACCOUNT: u32 = 2040;

#[test]
fn withdraw_into_the_vault_itself_fails() {
    // Anchor refuses the same account as two mutable accounts (vault and destination)
    let mut env = Env::new();
    let w = env.writer(1_000 * USDC, 0);
    env.deposit_quote(&w, 1_000 * USDC).unwrap();
    let q = env.quote_ledger();
    let vault = q.vault;
    expect_anchor_err(
        withdraw_to(&mut env, &w, &q, vault, 100 * USDC),
        ANCHOR_DUPLICATE_MUTABLE_ACCOUNT,
    );
    assert_eq!(
        env.writer_state(&w.account).quote_balance,
        1_000 * USDC as i64
    );
}

// ================================================================ Anchor's own account checks

/// Anchor's `ConstraintSeeds`.
const ANCHOR_CONSTRAINT_SEEDS: u32 = 2006;
/// Anchor's `AccountDiscriminatorMismatch`.
const ANCHOR_DISCRIMINATOR_MISMATCH: u32 = 3002;
/// Anchor's `AccountOwnedByWrongProgram`.
const ANCHOR_OWNED_BY_WRONG_PROGRAM: u32 = 3007;

#[test]
fn open_at_an_address_of_another_index_fails() {
    let mut env = Env::new();
    let owner = new_owner(&mut env);
    let mut ix =
        ix::open_writer_account(env.ch.clearinghouse, env.chain.payer(), owner.pubkey(), 0);
    let index_1 = writer_key(&env, &owner.pubkey(), 1);
    let slot = ix
        .accounts
        .iter()
        .position(|m| m.pubkey == writer_key(&env, &owner.pubkey(), 0))
        .unwrap();
    ix.accounts[slot].pubkey = index_1;
    expect_anchor_err(send_signed(&mut env, ix, &owner), ANCHOR_CONSTRAINT_SEEDS);
    assert!(!account_exists(&mut env, &index_1));
}

#[test]
fn deposit_into_an_unopened_account_fails() {
    let mut env = Env::new();
    let w = env.writer(1_000 * USDC, 0);
    let unopened = Writer {
        owner: w.owner.insecure_clone(),
        account: writer_key(&env, &w.owner.pubkey(), 5),
        quote_ata: w.quote_ata,
        sol_ata: w.sol_ata,
    };
    // `AccountLoader` checks the owner first: an address without an account belongs to the
    // system program (Anchor answers AccountOwnedByWrongProgram, not AccountNotInitialized)
    expect_anchor_err(
        env.deposit_quote(&unopened, 100 * USDC),
        ANCHOR_OWNED_BY_WRONG_PROGRAM,
    );
}

#[test]
fn deposit_into_an_account_of_another_program_fails() {
    let mut env = Env::new();
    let w = env.writer(1_000 * USDC, 0);
    // a token account in the writer account's place
    let fake = Writer {
        owner: w.owner.insecure_clone(),
        account: w.sol_ata,
        quote_ata: w.quote_ata,
        sol_ata: w.sol_ata,
    };
    expect_anchor_err(
        env.deposit_quote(&fake, 100 * USDC),
        ANCHOR_OWNED_BY_WRONG_PROGRAM,
    );
}

#[test]
fn deposit_into_another_kind_of_program_account_fails() {
    let mut env = Env::new();
    let w = env.writer(1_000 * USDC, 0);
    // the clearing house account in the writer account's place
    let fake = Writer {
        owner: w.owner.insecure_clone(),
        account: env.ch.clearinghouse,
        quote_ata: w.quote_ata,
        sol_ata: w.sol_ata,
    };
    expect_anchor_err(
        env.deposit_quote(&fake, 100 * USDC),
        ANCHOR_DISCRIMINATOR_MISMATCH,
    );
}

#[test]
fn close_twice_fails() {
    let mut env = Env::new();
    let w = env.writer(0, 0);
    let ix = ix::close_writer_account(w.account, w.owner.pubkey());
    send_signed(&mut env, ix.clone(), &w.owner).unwrap();
    // the closed address is the system program's again
    expect_anchor_err(
        send_signed(&mut env, ix, &w.owner),
        ANCHOR_OWNED_BY_WRONG_PROGRAM,
    );
}

// ================================================================ collateral prices in margin

#[test]
fn withdraw_with_shorts_reads_the_collateral_price_oracle_too() {
    // SOL collateral, BTC short: a bad SOL price blocks the withdrawal although the short is BTC
    let mut env = Env::new();
    let w = mixed_writer(&mut env);
    let q = env.quote_ledger();
    let now = env.now();
    env.set_sol_oracle(
        greekhouse_sdk::pyth::PriceObservation {
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
