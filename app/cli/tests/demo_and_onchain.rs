//! The demo runs on the embedded bank, refuses the IM-breaking withdrawal, and its saved
//! accounts give `greekhouse margin --accounts` the same margin the bank run computed.

#![cfg(feature = "demo")]

use std::process::Command;

use serde_json::Value;

fn greekhouse(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_greekhouse"))
        .args(args)
        .output()
        .expect("runs")
}

fn json(out: &std::process::Output) -> Value {
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is one JSON document")
}

#[test]
fn demo_refuses_the_im_breaking_withdrawal_and_margin_from_saved_accounts_agrees() {
    let dir = std::env::temp_dir().join(format!("greekhouse-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let snapshot = dir.join("accounts.json");
    let demo = json(&greekhouse(&[
        "demo",
        "--json",
        "--snapshot",
        snapshot.to_str().unwrap(),
    ]));

    assert_eq!(demo["withdrawal"]["refused"], true);
    assert_eq!(demo["withdrawal"]["reason"], "InitialMarginBreach");
    let steps = demo["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 7);
    for s in steps {
        // requirements are ordered and the account stays healthy along the path
        let (im, end, mm) = (
            s["im_requirement"].as_f64().unwrap(),
            s["end_requirement"].as_f64().unwrap(),
            s["mm_requirement"].as_f64().unwrap(),
        );
        assert!(im >= end && end >= mm && mm >= s["liability"].as_f64().unwrap());
        assert_eq!(s["status"], "healthy");
    }
    // short calls and puts: delta turns negative as SOL rallies
    assert!(steps.last().unwrap()["delta"].as_f64().unwrap() < 0.0);

    let writer = demo["writer_account"].as_str().unwrap();
    let margin = json(&greekhouse(&[
        "margin",
        "--accounts",
        snapshot.to_str().unwrap(),
        "--writer",
        writer,
        "--json",
    ]));
    let last = steps.last().unwrap();
    assert_eq!(margin["initial"]["equity"], last["equity_im"]);
    assert_eq!(margin["maintenance"]["equity"], last["equity_mm"]);
    assert_eq!(margin["liability"], last["liability"]);
    assert_eq!(margin["underlyings"][0]["symbol"], "SOL");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn margin_from_accounts_names_a_missing_writer() {
    let dir = std::env::temp_dir().join(format!("greekhouse-empty-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("empty.json");
    std::fs::write(&path, "[]").unwrap();
    let out = greekhouse(&[
        "margin",
        "--accounts",
        path.to_str().unwrap(),
        "--writer",
        "11111111111111111111111111111111",
        "--at",
        "0",
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not in the snapshot"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn margin_from_accounts_rejects_bad_json() {
    let dir = std::env::temp_dir().join(format!("greekhouse-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad.json");
    std::fs::write(&path, "{not json").unwrap();
    let out = greekhouse(&[
        "margin",
        "--accounts",
        path.to_str().unwrap(),
        "--writer",
        "11111111111111111111111111111111",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not valid JSON"));
    std::fs::remove_dir_all(&dir).ok();
}
