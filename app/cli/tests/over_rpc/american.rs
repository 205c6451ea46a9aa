//! An American series on the local validator through `greekhouse account`: a writer writes
//! American puts in the money and exercises one of its own tokens (`account exercise`); its
//! next write sends the pending accrual first in the same transaction and is projected on the
//! accrued account (`"accrued_first"`); `account accrue` then has nothing to send.

use std::path::Path;
use std::process::Output;

use greekhouse::args::CreateSeriesArgs;
use greekhouse_sdk::chain::Chain;
use greekhouse_sdk::localnet::{read_keypair, Manifest};
use greekhouse_sdk::rpc::{RpcChain, RpcConfig};
use greekhouse_sdk::{ix, pda};
use greekhouse_testkit::scenario::Env;
use solana_signer::Signer;

fn account(home: &Path, ch: &str, args: &[&str]) -> Output {
    super::cli_as(home, "account", args, ch, &["--index", "2"])
}

fn landed(home: &Path, ch: &str, args: &[&str]) -> (serde_json::Value, Vec<String>) {
    super::landed_doc(&account(home, ch, args), &format!("account {args:?}"))
}

/// `home` holds the Solana CLI config of `m.writers[1]` (written by the account walk).
pub fn a_writer_exercises_and_writes_again_with_its_accrual_first(m: &Manifest, home: &Path) {
    let ch = m.clearinghouse.to_string();
    let ch = ch.as_str();
    // an American twin of the seeded 7-day 160 call's terms, as a put: in the money at 150
    let sol = m.underlying("SOL").unwrap();
    let expiry = m.series[0].expiry;
    let strike = m.series[0].strike;
    let writer_key = read_keypair(&m.writers[1].keypair).unwrap();
    let mut chain = RpcChain::new(
        &m.rpc_url,
        writer_key.insecure_clone(),
        RpcConfig::default(),
    );
    let create = ix::create_series(
        m.clearinghouse,
        writer_key.pubkey(),
        sol.address,
        sol.oracle,
        CreateSeriesArgs {
            kind: 1,
            strike,
            expiry,
            style: 1,
        },
    );
    chain.send(&[create], &[]).unwrap();
    let series = pda::american_series(&sol.address, expiry, strike, 1).to_string();
    let series = series.as_str();

    // fresh prices (the test oracle's) for the margin checks and the exercise
    let faucet = read_keypair(&m.faucet_keypair).unwrap();
    let (mut env, _) =
        Env::attach(RpcChain::new(&m.rpc_url, faucet, RpcConfig::default()), m).unwrap();
    let (sol_key, price) = (env.sol.key, env.sol_price);
    env.publish_price(&sol_key, price).unwrap();

    let (_, events) = landed(home, ch, &["open"]);
    assert_eq!(events, ["WriterAccountOpened"]);
    let (_, events) = landed(home, ch, &["deposit", "20000"]);
    assert_eq!(events, ["Deposited"]);
    let (d, events) = landed(home, ch, &["write", "--series", series, "--contracts", "4"]);
    assert!(events.contains(&"OptionsWritten".to_string()), "{events:?}");
    assert_eq!(d["accrued_first"], 0);

    // one of its own tokens exercised: paid the intrinsic value
    let (_, events) = landed(
        home,
        ch,
        &["exercise", "--series", series, "--contracts", "1"],
    );
    assert!(
        events.contains(&"OptionsExercised".to_string()),
        "{events:?}"
    );

    // the next write carries the accrual ahead of it, and lands as projected
    env.publish_price(&sol_key, price).unwrap();
    let (d, events) = landed(home, ch, &["write", "--series", series, "--contracts", "1"]);
    assert_eq!(d["accrued_first"], 1, "{d}");
    assert_eq!(events[0], "ExerciseAccrued", "{events:?}");
    assert!(events.contains(&"OptionsWritten".to_string()), "{events:?}");
    let (shown, _) = landed(home, ch, &["show"]);
    // 4 written, 1 exercised (the only short: 3 left), 1 more written
    assert_eq!(shown["positions"][0]["contracts"], 4, "{shown}");

    // nothing left to accrue
    let (d, events) = landed(home, ch, &["accrue"]);
    assert_eq!(d["pending"], 0);
    assert!(events.is_empty(), "{events:?}");
}
