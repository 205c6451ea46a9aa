//! `greekhouse bench liquidations` at a small size (6 accounts, 4 in flight), so the
//! benchmark of docs/performance.md ("Liquidation throughput on the local validator") keeps
//! working: the command starts its own local validator, and every account pushed below
//! maintenance by the one update is started, bid on and ended by the bot.

use serde_json::Value;

#[test]
fn the_liquidation_benchmark_runs_on_a_local_validator() {
    let out = super::greekhouse(&[
        "bench",
        "liquidations",
        "--accounts",
        "6",
        "--max-in-flight",
        "4",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    let rounds = doc["rounds"].as_array().expect("rounds");
    assert_eq!(rounds.len(), 1, "{doc}");
    let r = &rounds[0];
    assert_eq!(r["accounts"], 6);
    assert_eq!(r["max_in_flight"], 4);
    let c = &r["counters"];
    assert_eq!(c["started"], 6, "{r}");
    assert_eq!(c["ended"], 6, "{r}");
    assert_eq!(c["bids_lost"], 0, "{r}");
    assert!(c["bids_won"].as_u64().unwrap() >= 6, "{r}");
    assert_eq!(r["errors"], 0, "{r}");
    let (started, ended) = (
        r["all_started_secs"].as_f64().unwrap(),
        r["all_ended_secs"].as_f64().unwrap(),
    );
    assert!(0.0 < started && started <= ended, "{r}");
    // a start, a bid and an end per account at least
    assert!(r["transactions_sent"].as_u64().unwrap() >= 18, "{r}");
    assert!(r["sol_after"].as_f64() > r["sol_before"].as_f64(), "{r}");
}
