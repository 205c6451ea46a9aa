//! The fixture comes up: clearing house, underlyings, collateral, a writer deposits.
use crate::harness;
use harness::*;

#[test]
fn fixture_comes_up_and_a_writer_deposits() {
    let mut env = Env::new();
    let w = env.writer(10_000 * USDC, 10 * LAMPORTS_PER_SOL);
    let out = env.deposit_quote(&w, 5_000 * USDC).unwrap();
    assert_eq!(event_names(&out), vec!["Deposited"]);
    assert_eq!(
        env.writer_state(&w.account).quote_balance,
        5_000 * USDC as i64
    );
    assert_eq!(env.quote_vault_balance(), 5_000 * USDC);
}
