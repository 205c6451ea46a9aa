//! `greekhouse account ...` on the local validator: a writer's day through the commands alone,
//! with the cluster and the key taken from a Solana CLI config file (a `HOME` of its own), and
//! the refusals the program would make stopped before sending (exit code 2, the error's name).

use std::path::Path;
use std::process::Output;

use greekhouse_sdk::localnet::{read_keypair, Manifest};
use greekhouse_sdk::rpc::{RpcChain, RpcConfig};
use greekhouse_testkit::scenario::Env;
use serde_json::Value;

fn account(home: &Path, ch: &str, args: &[&str]) -> Output {
    super::cli_as(home, "account", args, ch, &["--index", "1"])
}

fn doc(out: &Output) -> Value {
    super::doc_of(out)
}

fn landed(home: &Path, ch: &str, args: &[&str]) -> (Value, Vec<String>) {
    super::landed_doc(&account(home, ch, args), &format!("account {args:?}"))
}

/// Refused before sending: exit code 2, the error's name on stderr and in the document.
fn refused(home: &Path, ch: &str, args: &[&str], error: &str) {
    let out = account(home, ch, args);
    assert_eq!(out.status.code(), Some(2), "account {args:?}: {out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(error),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(doc(&out)["refused"]["error"], error);
}

pub fn writer_walks_through_the_account_commands(m: &Manifest, work: &Path) {
    // the Solana CLI's config file names the cluster and the key (a seeded writer's)
    let home = work.join("home");
    let config_dir = home.join(".config/solana/cli");
    std::fs::create_dir_all(&config_dir).unwrap();
    std::fs::write(
        config_dir.join("config.yml"),
        format!(
            "---\njson_rpc_url: \"{}\"\nwebsocket_url: \"\"\nkeypair_path: {}\ncommitment: confirmed\n",
            m.rpc_url,
            m.writers[1].keypair.display()
        ),
    )
    .unwrap();
    let ch = m.clearinghouse.to_string();
    let ch = ch.as_str();
    let series = m.series[0].address.to_string();
    let series = series.as_str();

    // the series to write, as a writer finds it
    let (listed, _) = landed(&home, ch, &["series"]);
    let found = listed["series"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["series"] == series)
        .unwrap_or_else(|| panic!("{series} not listed: {listed}"));
    assert_eq!(found["underlying"], "SOL");
    assert_eq!(found["status"], "active");

    let (d, events) = landed(&home, ch, &["open"]);
    assert_eq!(events, ["WriterAccountOpened"]);
    assert_eq!(d["owner"], m.writers[1].owner.to_string());
    let (d, events) = landed(&home, ch, &["deposit", "5000"]);
    assert_eq!(events, ["Deposited"]);
    assert_eq!(d["projected"]["balance_after"], 5_000_000_000u64);

    // a fresh price (the test oracle's) for the write's margin check
    let faucet = read_keypair(&m.faucet_keypair).unwrap();
    let (mut env, _) =
        Env::attach(RpcChain::new(&m.rpc_url, faucet, RpcConfig::default()), m).unwrap();
    let (sol, price) = (env.sol.key, env.sol_price);
    env.publish_price(&sol, price).unwrap();
    let (d, events) = landed(
        &home,
        ch,
        &["write", "--series", series, "--contracts", "2"],
    );
    assert!(events.contains(&"OptionsWritten".to_string()), "{events:?}");
    let projected = &d["projected"]["margin"];
    assert!(projected["initial_equity"].as_f64().unwrap() > 0.0, "{d}");

    let (shown, _) = landed(&home, ch, &["show"]);
    assert_eq!(shown["positions"][0]["contracts"], 2, "{shown}");
    assert_eq!(shown["positions"][0]["series"], series);
    assert_eq!(shown["margin"]["underlyings"][0]["symbol"], "SOL");

    // what the program would refuse is refused here, by its name, and nothing is sent
    refused(&home, ch, &["withdraw", "all"], "InitialMarginBreach");
    refused(&home, ch, &["close"], "AccountNotEmpty");

    // a token back into the account closes its own short first (no long is left to withdraw)
    let (d, events) = landed(
        &home,
        ch,
        &["deposit-options", "--series", series, "--contracts", "1"],
    );
    assert_eq!(events, ["OptionsDeposited"]);
    assert_eq!(d["projected"]["long_after"], 0);
    refused(
        &home,
        ch,
        &["withdraw-options", "--series", series, "--contracts", "1"],
        "InsufficientLong",
    );
    refused(
        &home,
        ch,
        &["settle-long", "--series", series],
        "SeriesNotFinalized",
    );
    // a margin check at IM crosses nothing: sent, no event
    let (d, events) = landed(&home, ch, &["check-margin"]);
    assert!(events.is_empty(), "{events:?}");
    assert_eq!(d["projected"]["status_after"], "healthy");
    let (shown, _) = landed(&home, ch, &["show"]);
    assert_eq!(shown["margin_status"], "healthy");

    let (d, events) = landed(&home, ch, &["burn", "--series", series, "--contracts", "1"]);
    assert_eq!(events, ["OptionsBurned"]);
    assert_eq!(d["projected"]["short_after"], 0);
    let (_, events) = landed(&home, ch, &["withdraw", "all"]);
    assert_eq!(events, ["Withdrawn"]);
    let (_, events) = landed(&home, ch, &["close"]);
    assert_eq!(events, ["WriterAccountClosed"]);
}
