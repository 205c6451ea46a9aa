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

/// `Chain::send_many` on the bank (its default: one by one): outcomes in input order, a
/// refused transaction in the middle reported as its program error while the ones around it
/// land, and a read cache in front forgets what it read before the batch.
#[test]
fn send_many_on_the_bank_keeps_the_order_and_reports_a_refusal_in_the_middle() {
    use greekhouse::events::Deposited;
    use greekhouse_sdk::chain::{ReadCache, TxRequest};
    use greekhouse_sdk::{accounts, ix};
    use solana_signer::Signer;

    let mut env = Env::new();
    let ws: Vec<_> = (0..3).map(|_| env.writer(1_000 * USDC, 0)).collect();
    let ledger = env.quote_ledger();
    let ch = env.ch.clearinghouse;
    let deposit = |i: usize, amount: u64| {
        let w = &ws[i];
        ix::deposit(
            ch,
            w.account,
            w.owner.pubkey(),
            &ledger,
            w.quote_ata,
            amount,
        )
    };
    // the middle writer withdraws what it never deposited: the program refuses it
    let w = &ws[1];
    let refused = ix::withdraw(
        ch,
        w.account,
        w.owner.pubkey(),
        &ledger,
        w.quote_ata,
        USDC,
        vec![],
    );
    let batch = vec![
        TxRequest::new(vec![deposit(0, 100 * USDC)], vec![&ws[0].owner]),
        TxRequest::new(vec![refused], vec![&ws[1].owner]),
        TxRequest::new(vec![deposit(2, 300 * USDC)], vec![&ws[2].owner]),
    ];
    let mut cache = ReadCache::new(&mut env.chain);
    let balance = |cache: &mut ReadCache<'_, _>, i: usize| {
        let a = cache.account(&ws[i].account).unwrap().unwrap();
        accounts::writer_account(&a.data).unwrap().quote_balance
    };
    assert_eq!(balance(&mut cache, 2), 0);
    let results = cache.send_many(&batch, 8);
    assert_eq!(results.len(), 3);
    let amount = |r: &Result<TxOutcome, ChainError>| {
        r.as_ref()
            .expect("landed")
            .event::<Deposited>()
            .expect("Deposited")
            .amount
    };
    assert_eq!(amount(&results[0]), 100 * USDC);
    assert_eq!(amount(&results[2]), 300 * USDC);
    let err = results[1].as_ref().expect_err("refused");
    assert!(
        err.program_error_name().is_some(),
        "the program's error, by name: {err}"
    );
    // the cache read writer 2 before the batch: it reads it again after
    assert_eq!(balance(&mut cache, 2), (300 * USDC) as i64);
    assert_eq!(balance(&mut cache, 0), (100 * USDC) as i64);
    assert_eq!(balance(&mut cache, 1), 0);
}
