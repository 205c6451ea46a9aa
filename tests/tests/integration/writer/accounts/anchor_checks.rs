//! Anchor's own account checks on the writer instructions (owner, discriminator, signer).
use super::*;

/// Anchor's `ConstraintSeeds`.
pub(super) const ANCHOR_CONSTRAINT_SEEDS: u32 = 2006;
/// Anchor's `AccountDiscriminatorMismatch`.
pub(super) const ANCHOR_DISCRIMINATOR_MISMATCH: u32 = 3002;
/// Anchor's `AccountOwnedByWrongProgram`.
pub(super) const ANCHOR_OWNED_BY_WRONG_PROGRAM: u32 = 3007;

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
