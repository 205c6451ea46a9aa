//! Benchmark (docs/performance.md): a local validator's start-up, and the latency of the SDK's
//! `RpcChain` against it: a deposit sent and confirmed (simulation, send, confirmation at
//! `confirmed`, read-back of the landed transaction), a batched read and a filtered
//! `getProgramAccounts`. Prints figures; asserts nothing.
//!
//! Run (from `localnet/`, so its target dir applies): `cargo run --example rpc_latency [N]`

use std::time::{Duration, Instant};

use greekhouse_localnet::{Localnet, LocalnetOptions, SeedOptions};
use greekhouse_sdk::chain::Chain;
use greekhouse_sdk::localnet::read_keypair;
use greekhouse_sdk::rpc::{RpcChain, RpcConfig};
use solana_signer::Signer;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    std::env::set_var("RUST_LOG", "warn");
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20);
    let dir = std::env::temp_dir().join("greekhouse-rpc-latency");
    let started = Instant::now();
    let net = Localnet::start(&LocalnetOptions {
        dir,
        rpc_port: 0,
        seed: SeedOptions::default(),
        program_so: None,
    })
    .expect("localnet starts");
    let startup = started.elapsed();
    let m = &net.manifest;
    let w = &m.writers[0];
    let owner = read_keypair(&w.keypair).expect("writer key");
    let mut chain = RpcChain::new(&m.rpc_url, owner.insecure_clone(), RpcConfig::default());

    let mut sends = Vec::with_capacity(n);
    for _ in 0..n {
        let ix = greekhouse_sdk::ix::deposit(
            m.clearinghouse,
            w.writer_account,
            owner.pubkey(),
            &m.quote_ledger(),
            w.quote_token_account,
            1_000,
        );
        let t = Instant::now();
        chain.send(&[ix], &[]).expect("deposit lands");
        sends.push(t.elapsed());
    }
    sends.sort();
    let mean = sends.iter().sum::<Duration>() / n as u32;

    let keys: Vec<_> = m.writers.iter().map(|w| w.writer_account).collect();
    let t = Instant::now();
    chain.accounts(&keys).expect("getMultipleAccounts");
    let batch = t.elapsed();
    let t = Instant::now();
    let found = chain
        .program_accounts_where(
            <greekhouse::state::WriterAccount as anchor_lang::Discriminator>::DISCRIMINATOR,
            &[greekhouse_sdk::accounts::of_clearinghouse::writer_accounts(
                &m.clearinghouse,
            )],
        )
        .expect("getProgramAccounts");
    let scan = t.elapsed();

    println!(
        "local validator start-up (seed on the bank, genesis, first slots, prices): {:.0} ms",
        ms(startup)
    );
    println!(
        "deposit over RPC, {n} sends: mean {:.0} ms, p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms",
        ms(mean),
        ms(sends[n / 2]),
        ms(sends[(n * 95 / 100).min(n - 1)]),
        ms(sends[n - 1])
    );
    println!(
        "getMultipleAccounts of {} writer accounts: {:.1} ms",
        keys.len(),
        ms(batch)
    );
    println!(
        "getProgramAccounts (writer accounts of the house, {} found): {:.1} ms",
        found.len(),
        ms(scan)
    );
}
