//! The client SDK compiles no Solana runtime: an application or the bot that depends on
//! `greekhouse-sdk` (default features, or with `rpc`) never builds a bank. The runtime lives in
//! `greekhouse-testkit`. Checked on the lock file with `cargo tree --offline --locked`.

use std::process::Command;

/// Crates that only a runtime (a bank, a validator, the SVM and its VM) pulls in. Not
/// `agave-feature-set` or `solana-svm-feature-set`: the RPC client's version type names the
/// cluster's feature set without running anything.
const RUNTIME: &[&str] = &[
    "solana-program-test",
    "solana-runtime",
    "solana-banks-server",
    "solana-bpf-loader-program",
    "solana-program-runtime",
    "solana-svm",
    "solana-sbpf",
    "solana-accounts-db",
    "solana-ledger",
    "agave-syscalls",
    "agave-validator",
];

/// The names of `greekhouse-sdk`'s normal (not dev, not build) dependencies, or `None` when
/// cargo cannot be run.
fn normal_dependencies(features: &[&str]) -> Option<Vec<String>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let workspace = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let mut cmd = Command::new(&cargo);
    cmd.current_dir(workspace).args([
        "tree",
        "--offline",
        "--locked",
        "-p",
        "greekhouse-sdk",
        "-e",
        "normal",
        "--prefix",
        "none",
        "--format",
        "{p}",
    ]);
    if !features.is_empty() {
        cmd.arg("--features").arg(features.join(","));
    }
    let out = match cmd.output() {
        Ok(out) => out,
        Err(e) => {
            eprintln!(
                "SKIPPED: cannot run `{cargo} tree` ({e}); the SDK's dependencies are unchecked"
            );
            return None;
        }
    };
    assert!(
        out.status.success(),
        "`cargo tree -p greekhouse-sdk` failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    Some(
        text.lines()
            .filter_map(|l| l.split_whitespace().next())
            .map(str::to_string)
            .collect(),
    )
}

/// `allowed`: runtime crates a feature's upstream dependencies pull in regardless (named in the
/// test that allows them).
fn assert_no_runtime(features: &[&str], allowed: &[&str]) {
    let Some(names) = normal_dependencies(features) else {
        return;
    };
    assert!(
        names.iter().any(|n| n == "greekhouse-sdk") && names.iter().any(|n| n == "anchor-lang"),
        "unexpected `cargo tree` output: {names:?}"
    );
    let mut runtime: Vec<&String> = names
        .iter()
        .filter(|n| RUNTIME.contains(&n.as_str()) && !allowed.contains(&n.as_str()))
        .collect();
    runtime.sort();
    runtime.dedup();
    assert!(
        runtime.is_empty(),
        "greekhouse-sdk (features {features:?}) depends on Solana runtime crates {runtime:?}: \
         the bank belongs in greekhouse-testkit"
    );
}

#[test]
fn the_sdk_default_build_has_no_solana_runtime() {
    assert_no_runtime(&[], &[]);
}

/// Agave's RPC client (3.1) reaches `solana-sbpf`, the VM crate, through
/// `solana-transaction-status-client-types` -> `solana-transaction-context`: an upstream edge
/// this crate cannot cut, and no bank. Every other runtime crate stays out.
#[test]
fn the_sdk_rpc_build_has_no_solana_runtime() {
    assert_no_runtime(&["rpc"], &["solana-sbpf"]);
}

/// The check itself: the test kit does depend on the runtime, so the names above are right.
#[test]
fn the_testkit_does_compile_the_runtime() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let workspace = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let Ok(out) = Command::new(&cargo)
        .current_dir(workspace)
        .args(["tree", "--offline", "--locked", "-p", "greekhouse-testkit"])
        .args(["-e", "normal", "--prefix", "none", "--format", "{p}"])
        .output()
    else {
        eprintln!("SKIPPED: cannot run `{cargo} tree`");
        return;
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines().any(|l| l.starts_with("solana-program-test ")),
        "greekhouse-testkit no longer depends on solana-program-test: update this test's list"
    );
}
