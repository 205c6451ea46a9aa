//! Assets, vaults and accounts of another clearing house are refused.
use super::*;

/// SOL listed (pegged, for simplicity) in a second clearing house; its ledger there.
pub(super) fn sol_in_other_clearinghouse(env: &mut Env) -> TokenLedger {
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
pub(super) const ANCHOR_DUPLICATE_MUTABLE_ACCOUNT: u32 = 2040;

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
