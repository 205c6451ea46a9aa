//! `open_writer_account`: its success and each way it must fail.
use super::*;

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
