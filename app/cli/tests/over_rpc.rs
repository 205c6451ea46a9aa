//! The `greekhouse` binary against a real local validator (`greekhouse-localnet`, started by
//! the test kit's `LocalnetProcess`): the writer demo over JSON-RPC, `margin --url` agreeing with the
//! demo's own last margin and reading a seeded writer, governance sent with a plain admin key,
//! a writer's `account` commands from open to close (`over_rpc/account.rs`), an American
//! exercise and the write after it (`over_rpc/american.rs`), a vault's LP and
//! buyer through `vault` (`over_rpc/vault.rs`), `vol publish`
//! within and beyond the updater's bounds (`over_rpc/vol.rs`), a clearing house deployed with
//! `deploy --send` and resumed (`over_rpc/deploy.rs`), `bench liquidations` at a small size on
//! a validator of its own (`over_rpc/bench.rs`), and `localnet`'s message when its binary is
//! missing.
//!
//! The validator is a separate build (`./scripts/localnet.sh build`); when it is missing the
//! test fails with `LocalnetProcess::spawn`'s message, never skips. One validator serves every
//! check, in order: starting one costs far more than the checks.

#![cfg(feature = "demo")]

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::Duration;

use greekhouse_testkit::localnet::LocalnetProcess;
use serde_json::{json, Value};

#[path = "over_rpc/account.rs"]
mod account;
#[path = "over_rpc/american.rs"]
mod american;
#[path = "over_rpc/bench.rs"]
mod bench;
#[path = "over_rpc/deploy.rs"]
mod deploy;
#[path = "over_rpc/vault.rs"]
mod vault;
#[path = "over_rpc/vol.rs"]
mod vol;

fn greekhouse(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_greekhouse"))
        .args(args)
        .output()
        .expect("runs")
}

fn json_of(args: &[&str]) -> Value {
    let out = greekhouse(args);
    assert!(
        out.status.success(),
        "greekhouse {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "greekhouse {args:?}: stdout is not one JSON document ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// `greekhouse COMMAND ARGS --clearinghouse CH --output json EXTRA` as a user whose Solana CLI
/// config lives under `home` (the writer and vault commands' tests).
fn cli_as(
    home: &std::path::Path,
    command: &str,
    args: &[&str],
    ch: &str,
    extra: &[&str],
) -> Output {
    Command::new(env!("CARGO_BIN_EXE_greekhouse"))
        .arg(command)
        .args(args)
        .args(["--clearinghouse", ch, "--output", "json"])
        .args(extra)
        .env("HOME", home)
        .env_remove("GREEKHOUSE_CLEARINGHOUSE")
        .output()
        .expect("runs")
}

/// The one JSON document a command printed.
fn doc_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not one JSON document ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// A command that succeeded: its document and the names of the events it landed.
fn landed_doc(out: &Output, what: &str) -> (Value, Vec<String>) {
    assert!(
        out.status.success(),
        "{what}: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    let d = doc_of(out);
    let names = d["events"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["name"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default();
    (d, names)
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("greekhouse-over-rpc-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn event_names(step: &Value) -> Vec<String> {
    step["events"]
        .as_array()
        .unwrap_or_else(|| panic!("no events in {step}"))
        .iter()
        .map(|e| e["name"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn the_writer_flow_margin_and_governance_run_over_rpc_on_a_local_validator() {
    let dir = temp_dir("validator");
    let node = LocalnetProcess::spawn(&dir.join("net"), Duration::from_secs(120))
        .unwrap_or_else(|e| panic!("cannot start the local validator: {e}"));
    let m = &node.manifest;
    let url = m.rpc_url.as_str();
    let manifest = node.dir.join("localnet.json");
    let manifest = manifest.to_str().unwrap();

    // the writer flow, every step a landed transaction with its events
    let demo = json_of(&["demo", "--url", url, "--manifest", manifest, "--json"]);
    let steps = demo["steps"].as_array().unwrap();
    let names: Vec<&str> = steps.iter().map(|s| s["step"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "fund",
            "open_writer_account",
            "deposit",
            "write_options",
            "withdraw",
            "burn_options"
        ]
    );
    assert_eq!(event_names(&steps[1]), ["WriterAccountOpened"]);
    assert_eq!(event_names(&steps[2]), ["Deposited"]);
    assert!(
        event_names(&steps[3]).contains(&"OptionsWritten".to_string()),
        "{}",
        steps[3]
    );
    assert!(
        event_names(&steps[5]).contains(&"OptionsBurned".to_string()),
        "{}",
        steps[5]
    );
    assert!(steps[0]["margin"].is_null());
    assert_eq!(steps[2]["margin"]["initial"]["equity"], json!(20_000.0));
    assert_eq!(demo["withdrawal"]["refused"], true);
    assert_eq!(demo["withdrawal"]["error"], "InitialMarginBreach");
    assert_eq!(steps[4]["error"], "InitialMarginBreach");
    let written = demo["contracts_written"].as_u64().unwrap();
    assert!(written >= 1 && written <= demo["max_writable"].as_u64().unwrap());
    let (after_write, last) = (&steps[3]["margin"], &steps[5]["margin"]);
    assert_eq!(after_write["status"], "healthy", "{after_write}");
    // burning buys back risk: less liability after than before
    assert!(
        last["liability"].as_f64().unwrap() < after_write["liability"].as_f64().unwrap(),
        "{after_write} -> {last}"
    );

    // `margin --url` at the demo's last margin time gives the demo's numbers
    let writer = demo["writer_account"].as_str().unwrap();
    let at = last["at"].as_i64().unwrap().to_string();
    let margin = json_of(&[
        "margin", "--url", url, "--writer", writer, "--at", &at, "--json",
    ]);
    assert_eq!(
        &margin,
        last.as_object()
            .map(|o| {
                let mut o = o.clone();
                o.remove("status");
                Value::Object(o)
            })
            .as_ref()
            .unwrap()
    );
    assert_eq!(margin["underlyings"][0]["symbol"], "SOL");

    // a seeded writer at the node's clock: its deposit and no shorts
    let seeded = m.writers[0].writer_account.to_string();
    let margin = json_of(&["margin", "--url", url, "--writer", &seeded, "--json"]);
    assert_eq!(margin["writer_account"], seeded.as_str());
    assert_eq!(margin["liability"], json!(0.0));
    assert_eq!(margin["initial"]["equity"], json!(100_000.0));
    assert!(margin["at"].as_i64().unwrap() > 1_600_000_000);

    // governance with the local validator's plain admin key: queued, then cancelled by the
    // guardian
    let change = dir.join("change.json");
    let sol = m.underlying("SOL").unwrap().address.to_string();
    let file = json!({"clearinghouse": m.clearinghouse.to_string(), "kind": "MarginParams",
                      "target": sol, "set": {"initial.vol_shock_bps": 3_500}});
    std::fs::write(&change, file.to_string()).unwrap();
    let admin = m.admin_keypair.to_str().unwrap();
    let ch = m.clearinghouse.to_string();
    // `gov list --watch` prints the change as it is queued (it polls every second, and stops
    // after one)
    let mut watcher = Command::new(env!("CARGO_BIN_EXE_greekhouse"))
        .args([
            "gov",
            "list",
            "--url",
            url,
            "--clearinghouse",
            &ch,
            "--watch",
            "--interval",
            "1",
            "--max-new",
            "1",
            "--json",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // (its first line, the list before, is printed before anything is queued)
    let mut lines =
        std::io::BufRead::lines(std::io::BufReader::new(watcher.stdout.take().unwrap()));
    let before: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    assert_eq!(before["changes"], json!([]), "{before}");
    let proposed = json_of(&[
        "gov",
        "propose",
        "--url",
        url,
        "--change",
        change.to_str().unwrap(),
        "--send",
        "--keypair",
        admin,
        "--json",
    ]);
    assert_eq!(proposed["class"], "loosening");
    assert_eq!(
        proposed["sent"]["events"][0]["name"], "ChangeQueued",
        "{proposed}"
    );
    let id = proposed["applies"]["change_id"]
        .as_u64()
        .unwrap()
        .to_string();
    let landed: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    assert_eq!(landed["event"], "ChangeQueued");
    assert_eq!(landed["change_id"].to_string(), id);
    drop(lines);
    assert!(watcher.wait().unwrap().success());
    // `gov list`: the change with its fields, due time and who may cancel it
    let listed = json_of(&[
        "gov",
        "list",
        "--url",
        url,
        "--clearinghouse",
        &ch,
        "--json",
    ]);
    let c = &listed["changes"][0];
    assert_eq!(
        (c["kind"].as_str(), c["status"].as_str()),
        (Some("MarginParams"), Some("queued"))
    );
    assert_eq!(c["fields"][0]["name"], "initial.vol_shock_bps", "{c}");
    assert_eq!(c["fields"][0]["new"], "3500");
    assert_eq!(c["fields"][0]["current"], c["fields"][0]["queued_against"]);
    // (the preview's earliest execution is from the node's clock before sending)
    assert_eq!(c["eta"], landed["eta"]);
    assert!(c["eta"].as_i64() >= proposed["applies"]["earliest_execution"].as_i64());
    assert_eq!(c["executable_now"], false);
    let key = |path: &std::path::Path| {
        use solana_signer::Signer;
        greekhouse_sdk::localnet::read_keypair(path)
            .unwrap()
            .pubkey()
            .to_string()
    };
    let cancel = vec![key(&m.admin_keypair), key(&m.guardian_keypair)];
    assert_eq!(c["can_cancel"], json!(cancel));
    let guardian = m.guardian_keypair.to_str().unwrap();
    let cancelled = json_of(&[
        "gov",
        "cancel",
        "--url",
        url,
        "--clearinghouse",
        &ch,
        "--change-id",
        &id,
        "--send",
        "--keypair",
        guardian,
        "--json",
    ]);
    assert_eq!(
        cancelled["sent"]["events"][0]["name"], "ChangeCancelled",
        "{cancelled}"
    );
    // a key that is not the admin is refused before anything is sent
    let writer_key = m.writers[0].keypair.to_str().unwrap();
    let out = greekhouse(&[
        "gov",
        "propose",
        "--url",
        url,
        "--change",
        change.to_str().unwrap(),
        "--send",
        "--keypair",
        writer_key,
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not the clearing house's admin"));

    // a writer's own commands, from open to close
    account::writer_walks_through_the_account_commands(m, &dir);
    // an American series: an exercise, then a write with the accrual sent first
    american::a_writer_exercises_and_writes_again_with_its_accrual_first(m, &dir.join("home"));
    // a liquidity provider and a buyer of a writer vault, with the same key and config
    vault::an_lp_and_a_buyer_use_a_vault(m, &dir.join("home"));
    // the vol updater's publisher, clipping included
    vol::the_vol_updater_publishes_within_its_bounds(m, &dir);
    // a second clearing house deployed with `deploy --send`, resumed after an interruption
    deploy::a_clearing_house_is_deployed_step_by_step_and_resumed(m, &dir);

    drop(node);
    std::fs::remove_dir_all(&dir).ok();
}

/// The liquidator bot's RPC path (the library the `greekhouse-liquidator` binary runs): a
/// writer from the demo, SOL doubled through the test oracle, and one tick over `RpcChain`
/// starts its liquidation.
#[test]
fn the_bot_starts_a_liquidation_over_rpc() {
    use greekhouse_liquidator::{Bot, Config, MemoryLog};
    use greekhouse_sdk::localnet::read_keypair;
    use greekhouse_sdk::rpc::{RpcChain, RpcConfig};
    use greekhouse_testkit::scenario::Env;

    let dir = temp_dir("bot");
    let node = LocalnetProcess::spawn(&dir.join("net"), Duration::from_secs(120))
        .unwrap_or_else(|e| panic!("cannot start the local validator: {e}"));
    let m = &node.manifest;
    let manifest = node.dir.join("localnet.json");
    let demo = json_of(&[
        "demo",
        "--url",
        &m.rpc_url,
        "--manifest",
        manifest.to_str().unwrap(),
        "--json",
    ]);
    let target = demo["writer_account"].as_str().unwrap().to_string();

    // SOL doubles: the demo's short calls put the account below maintenance (published through
    // the test oracle in the scenario world attached to the node, the faucet paying)
    let faucet = read_keypair(&m.faucet_keypair).unwrap();
    let chain = RpcChain::new(&m.rpc_url, faucet, RpcConfig::default());
    let (mut env, _) = Env::attach(chain, m).unwrap_or_else(|e| panic!("{e}"));
    let (sol, price) = (env.sol.key, env.sol_price * 2);
    env.publish_price(&sol, price).unwrap();

    let bidder = &m.writers[0];
    let config = format!(
        "clearinghouse = \"{}\"\nquote_mint = \"{}\"\ncreator = \"{}\"\nkeypair = {:?}\n\
         bidder_account = \"{}\"\n[backend]\nkind = \"rpc\"\nurl = \"{}\"\n",
        m.clearinghouse,
        m.quote.mint,
        m.creator,
        bidder.keypair.to_str().unwrap(),
        bidder.writer_account,
        m.rpc_url
    );
    let cfg = Config::parse(&config).unwrap();
    let owner = cfg.owner_keypair().unwrap();
    let mut bot = Bot::new(&cfg, owner.insecure_clone(), m.quote.token_program);
    let mut node_chain = RpcChain::new(&m.rpc_url, owner, RpcConfig::default());
    let mut log = MemoryLog::default();
    bot.tick(&mut node_chain, &mut log);
    assert_eq!(bot.counters.errors.len(), 0, "{:?}", log.0);
    assert_eq!(bot.counters.started, 1, "{:?}", log.0);
    let started = log
        .0
        .iter()
        .find(|(e, _)| e == "liquidation_started")
        .unwrap();
    assert_eq!(started.1["account"], target.as_str(), "{:?}", started.1);

    // `greekhouse-liquidator fund`: a new bidding account (index 5 of the same key) opened and
    // funded from the key's quote token account, then only checked
    let fresh = greekhouse_sdk::pda::writer_account(&m.clearinghouse, &bidder.owner, 5);
    let config = config.replace(&bidder.writer_account.to_string(), &fresh.to_string());
    let cfg = Config::parse(&config).unwrap();
    let mut chain = RpcChain::new(
        &m.rpc_url,
        cfg.owner_keypair().unwrap(),
        RpcConfig::default(),
    );
    let funded = greekhouse_liquidator::fund::fund(&mut chain, &cfg, 2_000_000).unwrap();
    assert_eq!(
        (
            &funded["index"],
            &funded["opened"],
            &funded["quote_balance_after"]
        ),
        (&json!(5), &json!(true), &json!(2_000_000)),
        "{funded}"
    );
    let again = greekhouse_liquidator::fund::fund(&mut chain, &cfg, 0).unwrap();
    assert_eq!(again["opened"], false, "{again}");
    // a bidding account of another key is refused before anything is sent
    let foreign = config.replace(&fresh.to_string(), &m.writers[1].writer_account.to_string());
    let e = greekhouse_liquidator::fund::fund(&mut chain, &Config::parse(&foreign).unwrap(), 1)
        .unwrap_err();
    assert!(e.to_string().contains("is not a writer account of"), "{e}");

    drop(node);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn localnet_without_its_binary_says_how_to_build_it() {
    let out = Command::new(env!("CARGO_BIN_EXE_greekhouse"))
        .args(["localnet", "--rpc-port", "0"])
        .env(
            "GREEKHOUSE_LOCALNET_BIN",
            "/nonexistent/greekhouse-localnet",
        )
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("./scripts/localnet.sh build"), "{err}");
}

#[test]
fn rpc_flags_are_checked_before_any_request() {
    let out = greekhouse(&[
        "margin",
        "--url",
        "localhost:8899",
        "--writer",
        "11111111111111111111111111111111",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--url"));
    // nothing listens on port 9: the error says the node is unreachable, naming the URL
    let out = greekhouse(&[
        "margin",
        "--url",
        "http://127.0.0.1:9",
        "--writer",
        "11111111111111111111111111111111",
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("http://127.0.0.1:9"), "{err}");
}
