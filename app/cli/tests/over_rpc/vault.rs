//! `greekhouse vault ...` on the local validator: governance lists a vault (the test kit, as
//! the admin), then a liquidity provider and a buyer use it through the commands alone (the
//! cluster and key from a Solana CLI config file): list, a first deposit too small to pass the
//! inflation guard refused before sending, a deposit, show, a buy and a sell-back at the
//! projected prices, a withdrawal request and its completion.

use std::path::Path;
use std::process::Output;

use greekhouse_sdk::localnet::{read_keypair, Manifest};
use greekhouse_sdk::rpc::{RpcChain, RpcConfig};
use greekhouse_testkit::scenario::Env;
use greekhouse_testkit::vault_ops::default_vault_policy;
use serde_json::Value;

const INDEX: &str = "7";

fn vault(home: &Path, ch: &str, args: &[&str]) -> Output {
    super::cli_as(home, "vault", args, ch, &[])
}

fn doc(out: &Output) -> Value {
    super::doc_of(out)
}

fn ok(home: &Path, ch: &str, args: &[&str]) -> (Value, Vec<String>) {
    super::landed_doc(&vault(home, ch, args), &format!("vault {args:?}"))
}

/// `home` holds the Solana CLI config of writer 1 (written by the account commands' test).
pub fn an_lp_and_a_buyer_use_a_vault(m: &Manifest, home: &Path) {
    let ch = m.clearinghouse.to_string();
    let ch = ch.as_str();
    let series = m.series[0].address.to_string();
    let series = series.as_str();
    let faucet = read_keypair(&m.faucet_keypair).unwrap();
    let (mut env, _) =
        Env::attach(RpcChain::new(&m.rpc_url, faucet, RpcConfig::default()), m).unwrap();
    let mut policy = default_vault_policy();
    // no cooldown, so the request below matures at once; series from an hour out
    policy.withdraw_cooldown_secs = 0;
    policy.min_tenor_secs = 3_600;
    env.create_vault(INDEX.parse().unwrap(), policy).unwrap();

    let (listed, _) = ok(home, ch, &["list"]);
    let row = listed["vaults"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["index"] == 7)
        .unwrap_or_else(|| panic!("vault 7 not listed: {listed}"));
    assert_eq!(row["nav"], 0);

    // the first deposit must exceed the locked shares (one quote unit): refused, nothing sent
    let out = vault(home, ch, &["deposit", "--vault", INDEX, "0.5"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(doc(&out)["refused"]["error"], "VaultFirstDepositTooSmall");

    let (d, events) = ok(home, ch, &["deposit", "--vault", INDEX, "1000"]);
    assert_eq!(events, ["VaultDeposited"], "{d}");
    // the first depositor's shares: the amount less the locked ones
    assert_eq!(d["projected"]["shares"], 1_000_000_000u64 - 1_000_000);

    // a buy at the projected price (fresh prices first), then the token sold back
    let (sol, price) = (env.sol.key, env.sol_price);
    env.publish_price(&sol, price).unwrap();
    let (d, events) = ok(
        home,
        ch,
        &[
            "buy",
            "--vault",
            INDEX,
            "--series",
            series,
            "--contracts",
            "1",
        ],
    );
    assert!(events.contains(&"VaultSold".to_string()), "{d}");
    let paid = d["projected"]["price"].as_u64().unwrap();
    assert!(paid > 0, "{d}");
    let (shown, _) = ok(home, ch, &["show", "--vault", INDEX]);
    assert!(shown["nav"].as_i64().unwrap() > 0, "{shown}");
    assert_eq!(shown["your_shares"], 1_000_000_000u64 - 1_000_000);
    let (d, events) = ok(
        home,
        ch,
        &[
            "sell-back",
            "--vault",
            INDEX,
            "--series",
            series,
            "--contracts",
            "1",
        ],
    );
    assert!(events.contains(&"VaultBoughtBack".to_string()), "{d}");
    assert!(
        d["projected"]["price"].as_u64().unwrap() < paid,
        "the spread: {d}"
    );

    let (_, events) = ok(home, ch, &["request-withdraw", "--vault", INDEX, "all"]);
    assert_eq!(events, ["VaultWithdrawRequested"]);
    let (d, events) = ok(home, ch, &["withdraw", "--vault", INDEX]);
    assert_eq!(events, ["VaultWithdrawn"], "{d}");
    // the LP gets back about its deposit: the round trip's spread in, the write fee out, the
    // locked shares' part left in the vault
    let back = d["projected"]["amount"].as_u64().unwrap();
    assert!(back > 990_000_000 && back < 1_010_000_000, "{d}");
}
