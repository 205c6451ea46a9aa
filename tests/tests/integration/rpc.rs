//! Over JSON-RPC on a real node (docs/rpc.md): agave's test validator hosting the program
//! (`greekhouse-localnet`, started on a free port per test and stopped when the test ends).
//! The writer flow with events decoded from the landed transactions; a liquidation driven by
//! the liquidator bot (both in the scenario kit's world, attached from the validator's manifest
//! with `Env::attach` and driven by the same `Env` methods as the bank tests); RPC failures (a stopped validator, an expired blockhash, a program error
//! refused in simulation); the stock `@coral-xyz/anchor` TypeScript client against the node.
//!
//! These tests run one at a time (`.config/nextest.toml`, group `localnet`): each starts a
//! validator, and two at once would only compete for the machine's two cores.
use std::path::PathBuf;
use std::time::Duration;

use anchor_lang::prelude::Pubkey;
use greekhouse::events::{Deposited, OptionsBurned, OptionsWritten, WriterAccountOpened};
use greekhouse::state::WriterStatus;
use greekhouse_liquidator::{config, Bot, Counters, MemoryLog};
use greekhouse_sdk::chain::{Chain, ChainError, RpcFailure};
use greekhouse_sdk::localnet::{read_keypair, Manifest};
use greekhouse_sdk::rpc::{RpcChain, RpcConfig};
use greekhouse_sdk::{ix, pda};
use greekhouse_testkit::localnet::LocalnetProcess;
use greekhouse_testkit::scenario::{Env, Writer};
use solana_keypair::Keypair;
use solana_signer::Signer;

const START_TIMEOUT: Duration = Duration::from_secs(180);

/// A local validator in a fresh directory under the target dir.
fn localnet(name: &str) -> LocalnetProcess {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("localnet-{name}"));
    LocalnetProcess::spawn(&dir, START_TIMEOUT).unwrap_or_else(|e| panic!("{e}"))
}

fn key(path: &std::path::Path) -> Keypair {
    read_keypair(path).unwrap_or_else(|e| panic!("{e}"))
}

fn chain_for(m: &Manifest, payer: Keypair) -> RpcChain {
    RpcChain::new(&m.rpc_url, payer, RpcConfig::default())
}

/// The scenario kit's world the validator was seeded with, over RPC (the faucet pays), and the
/// seeded writers.
fn attach(m: &Manifest) -> (Env<RpcChain>, Vec<Writer>) {
    let chain = chain_for(m, key(&m.faucet_keypair));
    Env::attach(chain, m).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_writer_flow_runs_over_rpc_with_events_from_the_landed_transactions() {
    let net = localnet("writer-flow");
    let m = net.manifest.clone();
    let (mut env, writers) = attach(&m);
    // the attached world is the seeded one, roles and creator included
    assert_eq!(
        env.creator.try_keypair().map(|k| k.pubkey()),
        Some(m.creator),
        "the manifest records the creator's key file"
    );
    let sol = env.sol;
    env.publish_price(&sol.key, env.sol_price)
        .expect("test oracle publish");

    // open a second margin account of the same owner
    let (w, out) = env
        .open_account(&writers[0], 1)
        .expect("open_writer_account over rpc");
    let opened = out
        .event::<WriterAccountOpened>()
        .expect("WriterAccountOpened event");
    assert_eq!(
        opened.writer_account,
        pda::writer_account(&m.clearinghouse, &w.owner.pubkey(), 1)
    );
    assert_eq!(opened.writer_account, w.account);
    let account = w.account;
    assert!(
        !out.logs.is_empty(),
        "the landed transaction's logs come back"
    );

    // deposit
    let amount = 20_000 * 1_000_000;
    let out = env.deposit_quote(&w, amount).expect("deposit over rpc");
    let dep = out.event::<Deposited>().expect("Deposited event");
    assert_eq!(dep.amount, amount);
    assert_eq!(env.writer_state(&account).quote_balance, amount as i64);

    // write half of what initial margin allows, into the owner's option token account
    let series = m.series[0].address;
    let max = env.max_writable(&w, &series);
    assert!(
        max > 10,
        "a 20k deposit writes more than 10 contracts, got {max}"
    );
    let contracts = max / 2;
    let (p, out) = env
        .write_projected(&w, &series, contracts)
        .expect("write over rpc");
    let written = out.event::<OptionsWritten>().expect("OptionsWritten event");
    assert_eq!(written.contracts, contracts);
    // the node's clock moved on between the projection and the landing, so the fee (a share of
    // the premium) may differ by the time value of those seconds; on the bank it is exact
    let drift = written.fee.abs_diff(p.fee);
    assert!(
        drift * 100 <= p.fee,
        "projected fee {} vs charged {}",
        p.fee,
        written.fee
    );

    // a withdrawal of everything is refused by margin in simulation: nothing is sent
    let sent_before = env.chain.transactions_sent();
    let balance = env.writer_state(&account).quote_balance as u64;
    let err = env
        .withdraw_quote(&w, balance)
        .expect_err("withdrawal below IM refused");
    assert!(matches!(err, ChainError::Transaction { .. }), "{err}");
    let name = err
        .program_error_name()
        .expect("a program error with a name");
    assert!(name.contains("Margin"), "refused by margin, got {name}");
    assert!(
        err.to_string().contains(name),
        "the message names the error: {err}"
    );
    assert_eq!(
        env.chain.transactions_sent(),
        sent_before,
        "a refused simulation sends nothing"
    );

    // burn some of the options back
    let out = env.burn(&w, &series, contracts / 2).expect("burn over rpc");
    assert_eq!(
        out.event::<OptionsBurned>()
            .expect("OptionsBurned")
            .contracts,
        contracts / 2
    );
    let state = env.writer_state(&account);
    assert_eq!(state.status, WriterStatus::Active as u8);

    // discovery: the node's getProgramAccounts finds the new account among this house's
    let found = env
        .chain
        .program_accounts_where(
            <greekhouse::state::WriterAccount as anchor_lang::Discriminator>::DISCRIMINATOR,
            &[greekhouse_sdk::chain::FieldFilter::pubkey_at(
                8 + 8,
                &m.clearinghouse,
            )],
        )
        .expect("getProgramAccounts");
    assert!(found.iter().any(|(k, _)| *k == account));
    assert_eq!(found.len(), m.writers.len() + 1);
    let batch = env
        .chain
        .accounts(&[account, series, Pubkey::new_unique()])
        .expect("getMultipleAccounts");
    assert!(batch[0].is_some() && batch[1].is_some() && batch[2].is_none());
}

#[test]
fn the_bot_liquidates_an_account_over_rpc() {
    let net = localnet("bot");
    let m = net.manifest.clone();
    let (mut env, writers) = attach(&m);
    let sol = env.sol;
    let seeded_price = env.sol_price;
    env.publish_price(&sol.key, seeded_price)
        .expect("test oracle publish");

    // the victim writes calls up to its initial margin
    let victim = &writers[0];
    let series = m.series[0].address;
    let n = env.max_writable(victim, &series);
    env.write_projected(victim, &series, n)
        .expect("victim writes");

    // the bot's account gets more capital
    let bidder = &writers[1];
    env.deposit_quote(bidder, 500_000 * 1_000_000).unwrap();

    // SOL rallies until the victim is below maintenance
    let mut price = seeded_price;
    loop {
        price += price / 20;
        env.publish_price(&sol.key, price)
            .expect("test oracle publish");
        let margin = env.margin_for(&victim.account, greekhouse::oracle::PriceUse::Liquidation);
        if margin.maintenance.equity.is_negative() {
            break;
        }
        assert!(
            price < seeded_price * 4,
            "the victim never fell below maintenance"
        );
    }

    // the bot runs on its own chain, paid by its owner, finding accounts by the node's
    // websocket between full scans (one an hour: none after the first in this test)
    let mut bot_chain = greekhouse_liquidator::discovery::writer_accounts(
        chain_for(&m, bidder.owner.insecure_clone()),
        &m.clearinghouse,
        Some(m.ws_url.clone()),
        RpcConfig::default().commitment,
        std::time::Duration::from_secs(3_600),
    );
    let mut bot = Bot {
        ch: env.ch,
        owner: bidder.owner.insecure_clone(),
        bidder_account: bidder.account,
        oracles: m.oracles(),
        limits: config::Limits::default(),
        // the discount starts small and the test cannot wait for it: bid at any gain
        strategy: config::Strategy {
            hurdle_bps: 0,
            ..config::Strategy::default()
        },
        run: config::Run {
            interval_secs: 1,
            max_retries: 2,
            backoff_ms: 200,
            max_in_flight: 16,
        },
        counters: Counters::default(),
    };
    let mut log = MemoryLog::default();
    let mut ended = false;
    for _ in 0..40 {
        env.publish_price(&sol.key, price)
            .expect("test oracle publish");
        bot.tick(&mut bot_chain, &mut log);
        let s = env.writer_state(&victim.account);
        if bot.counters.started == 1
            && s.status == WriterStatus::Active as u8
            && s.liquidation.start_time == 0
        {
            ended = true;
            break;
        }
    }
    let c = &bot.counters;
    assert!(
        ended,
        "the bot did not end the liquidation over rpc: {c:?} {:?}",
        log.0.last()
    );
    assert_eq!(c.started, 1, "{c:?}");
    assert!(c.bids_won >= 1, "{c:?}");
    assert!(c.ended >= 1, "{c:?}");
    assert!(
        c.errors.keys().all(|k| !k.starts_with("rpc:")),
        "no rpc errors: {:?}",
        c.errors
    );
    let mine = env.writer_state(&bidder.account);
    assert!(
        mine.positions.iter().any(|p| p.contracts > 0),
        "the bot took over shorts"
    );
    // one scan, then the websocket told of every change the bot acted on
    let d = &bot_chain.stats;
    assert_eq!(
        (d.full_scans, d.subscriptions, d.feed_failures),
        (1, 1, 0),
        "{d:?}"
    );
    assert!(d.pushed > 0, "{d:?}");
}

#[test]
fn rpc_failures_are_named_and_an_expired_blockhash_is_replaced() {
    let mut net = localnet("failures");
    let m = net.manifest.clone();
    let w = &m.writers[2];
    let owner = key(&w.keypair);
    let mut chain = chain_for(&m, owner.insecure_clone());
    let deposit = |n: u64| {
        ix::deposit(
            m.clearinghouse,
            w.writer_account,
            owner.pubkey(),
            &m.quote_ledger(),
            w.quote_token_account,
            n,
        )
    };

    // a blockhash the node never issued: the chain sees it cannot land, re-signs, and lands
    let height = chain.block_height().expect("block height");
    let bogus = solana_hash::Hash::new_from_array([7u8; 32]);
    let out = chain
        .send_with_blockhash(
            &[deposit(1_000)],
            &[&owner],
            bogus,
            height.saturating_sub(1),
        )
        .expect("lands on a fresh blockhash");
    assert_eq!(chain.last_send_attempts(), 2);
    assert_eq!(out.event::<Deposited>().expect("Deposited").amount, 1_000);

    // allowed one blockhash only, the same send fails with a named error
    chain.config_mut().max_send_attempts = 1;
    let err = chain
        .send_with_blockhash(
            &[deposit(1_000)],
            &[&owner],
            bogus,
            height.saturating_sub(1),
        )
        .expect_err("expired");
    assert!(
        matches!(
            err,
            ChainError::Rpc {
                kind: RpcFailure::BlockhashExpired,
                ..
            }
        ),
        "{err}"
    );
    assert!(
        err.is_transient(),
        "an expired blockhash never landed: safe to send again"
    );

    // a read-only chain refuses to send
    let mut ro = RpcChain::read_only(&m.rpc_url, RpcConfig::default());
    let err = ro.send(&[deposit(1)], &[&owner]).expect_err("read-only");
    assert!(
        matches!(
            err,
            ChainError::Rpc {
                kind: RpcFailure::ReadOnly,
                ..
            }
        ),
        "{err}"
    );
    assert!(
        ro.account(&w.writer_account).unwrap().is_some(),
        "but reads"
    );

    // a stopped validator: every call fails as unreachable, quickly
    net.kill();
    let cfg = RpcConfig {
        request_timeout: Duration::from_secs(3),
        ..RpcConfig::default()
    };
    let mut dead = RpcChain::new(&m.rpc_url, owner.insecure_clone(), cfg);
    for err in [
        dead.account(&w.writer_account)
            .expect_err("read from a stopped node"),
        dead.send(&[deposit(1)], &[&owner])
            .expect_err("send to a stopped node"),
        dead.unix_timestamp().expect_err("clock of a stopped node"),
    ] {
        assert!(
            matches!(
                err,
                ChainError::Rpc {
                    kind: RpcFailure::Unreachable,
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.is_transient());
    }
}

#[test]
fn the_stock_typescript_client_decodes_an_account_and_sends_a_deposit() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let ts = root.join("tests/ts");
    assert!(
        ts.join("node_modules/@coral-xyz/anchor").is_dir(),
        "tests/ts/node_modules is missing: run `npm ci --prefix tests/ts` (scripts/test.sh does)"
    );
    let net = localnet("typescript");
    let out = std::process::Command::new("node")
        .current_dir(&ts)
        .arg("roundtrip.mjs")
        .arg("--idl")
        .arg(root.join("idl/greekhouse.json"))
        .arg("--manifest")
        .arg(net.dir.join("localnet.json"))
        .output()
        .expect("node runs (Node.js 20 is on the machine)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap_or(""))
        .unwrap_or_else(|e| {
            panic!(
                "one JSON line from the script ({e}): {stdout} {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    assert!(out.status.success(), "{report:#}");
    assert_eq!(report["mode"], "live");
    assert_eq!(
        report["failures"].as_array().map(Vec::len),
        Some(0),
        "{report:#}"
    );
    // every instruction of the program's IDL round-trips through the stock client's coder
    let idl: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../idl/greekhouse.json"
        ))
        .expect("idl/greekhouse.json"),
    )
    .expect("the IDL parses");
    let in_idl = idl["instructions"].as_array().map(|v| v.len() as u64);
    assert_eq!(report["offline"]["instructions"].as_u64(), in_idl);
    let before: i64 = report["quote_before"].as_str().unwrap().parse().unwrap();
    let after: i64 = report["quote_after"].as_str().unwrap().parse().unwrap();
    assert_eq!(after - before, 1_000_000);
    assert_eq!(report["reencode_byte_exact"], true, "{report:#}");
}
