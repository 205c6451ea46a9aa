//! The scenario kit's actions run on any `Chain`: a world built on the bank, handed to a chain
//! that only forwards (and counts) what the SDK's `Chain` trait offers, writes, deposits,
//! withdraws and reads margin exactly as on the bank itself.

use greekhouse_sdk::chain::{Chain, ChainError, TxOutcome};
use greekhouse_sdk::{Instruction, Pubkey};
use greekhouse_testkit::bank::BankChain;
use greekhouse_testkit::chain_ops::ChainOps;
use greekhouse_testkit::scenario::{expiry_after, Env, LAMPORTS_PER_SOL, USDC};
use solana_account::Account;
use solana_keypair::Keypair;

/// A chain seen only through the `Chain` trait (as an RPC node is), counting transactions.
struct Forwarding {
    inner: BankChain,
    sent: u64,
}

impl Chain for Forwarding {
    fn payer(&self) -> Pubkey {
        self.inner.payer()
    }
    fn account(&mut self, key: &Pubkey) -> Result<Option<Account>, ChainError> {
        self.inner.account(key)
    }
    fn send(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<TxOutcome, ChainError> {
        self.sent += 1;
        self.inner.send(instructions, signers)
    }
    fn unix_timestamp(&mut self) -> Result<i64, ChainError> {
        self.inner.unix_timestamp()
    }
    fn program_accounts(
        &mut self,
        discriminator: &[u8],
    ) -> Result<Vec<(Pubkey, Account)>, ChainError> {
        self.inner.program_accounts(discriminator)
    }
}

/// Every default: random keys, mints and token accounts by instructions, balances by reads.
impl ChainOps for Forwarding {}

/// The same steps on the bank and on the forwarding chain, with the same results.
fn steps<C: ChainOps>(env: &mut Env<C>) -> (u64, i128, u64) {
    let w = env.writer(10_000 * USDC, 10 * LAMPORTS_PER_SOL);
    env.deposit_quote(&w, 5_000 * USDC).unwrap();
    let expiry = expiry_after(env.now(), 7);
    let sol = env.sol;
    let series = env.create_series(sol, 0, 200 * USDC, expiry).unwrap();
    let n = env.max_writable(&w, &series);
    assert!(n > 0, "the writer can write some contracts");
    env.write(&w, &series, n / 2).unwrap();
    let margin = env.margin_of(&w.account);
    env.withdraw_quote(&w, 100 * USDC).unwrap();
    (n, margin.initial.equity.raw(), env.quote_vault_balance())
}

#[test]
fn the_scenario_kits_actions_run_on_any_chain() {
    let mut on_bank = Env::new();
    let on_bank_result = steps(&mut on_bank);

    let mut forwarded = Env::new().map_chain(|inner| Forwarding { inner, sent: 0 });
    let forwarded_result = steps(&mut forwarded);

    assert_eq!(forwarded_result, on_bank_result);
    assert!(
        forwarded.chain.sent > 0,
        "the forwarding chain sent the transactions"
    );
}
