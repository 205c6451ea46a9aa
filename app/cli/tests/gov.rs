//! `greekhouse gov`: a proposal read from saved accounts, printed as a Squads v4 vault-transaction
//! message and as JSON, decoded here and executed on the embedded bank with the multisig vault's
//! key as the clearing house's admin.

#![cfg(feature = "demo")]

use std::path::{Path, PathBuf};
use std::process::Command;

use greekhouse::events::{ChangeApplied, ChangeExecuted, ChangeQueued};
use greekhouse::state::GovValue;
use greekhouse_sdk::chain::Chain;
use greekhouse_sdk::ix;
use greekhouse_sdk::snapshot::SnapshotChain;
use greekhouse_sdk::squads::TransactionMessage;
use greekhouse_sdk::{pda, Instruction, Pubkey};
use greekhouse_testkit::scenario::*;
use serde_json::{json, Value};
use solana_keypair::Keypair;
use solana_signer::Signer;

fn greekhouse(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_greekhouse"))
        .args(args)
        .output()
        .expect("runs")
}

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("greekhouse-gov-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn save(env: &mut Env, keys: &[Pubkey], path: &Path) {
    let saved = SnapshotChain::capture(&mut env.chain, keys).unwrap();
    std::fs::write(path, serde_json::to_string_pretty(&saved).unwrap()).unwrap();
}

/// The scenario with its admin handed to a multisig vault (two-step).
fn with_vault() -> (Env, Keypair) {
    let mut env = Env::new();
    let vault = env.chain.funded_keypair(10 * LAMPORTS_PER_SOL).unwrap();
    let ch = env.ch.clearinghouse;
    env.send_admin(ix::propose_admin(ch, env.admin.pubkey(), vault.pubkey()))
        .unwrap();
    env.chain
        .send(&[ix::accept_admin(ch, vault.pubkey())], &[&vault])
        .unwrap();
    assert_eq!(env.clearinghouse().admin, vault.pubkey());
    (env, vault)
}

fn run_json(args: &[&str]) -> (Value, i32) {
    let out = greekhouse(args);
    let code = out.status.code().unwrap_or(-1);
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (v, code)
}

/// The instructions of the printed Squads message; they equal the printed JSON instructions.
fn decode(report: &Value, vault: &Pubkey) -> Vec<Instruction> {
    assert_eq!(report["squads"]["vault"], vault.to_string());
    let message = TransactionMessage::from_base58(
        report["squads"]["transaction_message_base58"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(message.account_keys[0], *vault);
    let ixs = message.instructions().unwrap();
    let printed = &report["instructions"].as_array().unwrap();
    assert_eq!(ixs.len(), printed.len());
    for (ix, p) in ixs.iter().zip(printed.iter()) {
        assert_eq!(p["program_id"], ix.program_id.to_string());
        assert_eq!(p["data_base58"], bs58::encode(&ix.data).into_string());
        let accounts = p["accounts"].as_array().unwrap();
        assert_eq!(accounts.len(), ix.accounts.len());
        for (a, m) in accounts.iter().zip(ix.accounts.iter()) {
            assert_eq!(a["pubkey"], m.pubkey.to_string());
            assert_eq!(a["is_signer"], m.is_signer);
            // the message may only widen writability (an account writable elsewhere in it)
            assert!(m.is_writable || !a["is_writable"].as_bool().unwrap());
        }
    }
    ixs
}

#[test]
fn a_loosening_proposal_is_queued_by_the_vault_and_executed_after_the_timelock() {
    let (mut env, vault) = with_vault();
    let d = dir("loosen");
    let (saved, change) = (d.join("accounts.json"), d.join("change.json"));
    let (ch, sol) = (env.ch.clearinghouse, env.sol.key);
    save(&mut env, &[ch, sol], &saved);
    std::fs::write(
        &change,
        json!({
            "clearinghouse": ch.to_string(),
            "kind": "MarginParams",
            "target": sol.to_string(),
            "set": {"initial.vol_shock_bps": 3_500},
        })
        .to_string(),
    )
    .unwrap();
    let now = env.now();
    let at = now.to_string();
    let args = [
        "gov",
        "propose",
        "--accounts",
        saved.to_str().unwrap(),
        "--change",
        change.to_str().unwrap(),
        "--at",
        &at,
    ];
    let mut json_args = args.to_vec();
    json_args.push("--json");
    let (report, code) = run_json(&json_args);
    assert_eq!(code, 0);
    assert_eq!(report["class"], "loosening");
    assert_eq!(report["kind"], "MarginParams");
    assert_eq!(report["admin"], vault.pubkey().to_string());
    let row = report["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "initial.vol_shock_bps")
        .unwrap()
        .clone();
    assert_eq!(
        (row["current"].as_str(), row["new"].as_str()),
        (Some("4000"), Some("3500"))
    );
    assert_eq!(row["bounds"], json!(["0", "20000"]));
    assert_eq!(row["within_step"], true);
    let id = report["applies"]["change_id"].as_u64().unwrap();
    assert_eq!(report["applies"]["earliest_execution"], now + 172_800);
    assert_eq!(
        report["applies"]["param_change"],
        pda::param_change(&ch, id).to_string()
    );

    // the text form shows the same, side by side
    let text = String::from_utf8(greekhouse(&args).stdout).unwrap();
    assert!(text.contains("LOOSENING"), "{text}");
    assert!(text.contains("initial.vol_shock_bps"), "{text}");
    assert!(text.contains(
        report["squads"]["transaction_message_base58"]
            .as_str()
            .unwrap()
    ));

    // the multisig executes the vault transaction: the change is queued
    let ixs = decode(&report, &vault.pubkey());
    let out = env.chain.send(&ixs, &[&vault]).unwrap();
    let e = out.event::<ChangeQueued>().unwrap();
    assert_eq!(e.change_id, id);
    let GovValue::MarginParams(m) = e.new else {
        panic!("{e:?}")
    };
    assert_eq!(m.initial.vol_shock_bps, 3_500);

    // after the timelock, `gov execute` from freshly saved accounts
    env.advance(172_800);
    save(&mut env, &[ch, sol, pda::param_change(&ch, id)], &saved);
    let (report, code) = run_json(&[
        "gov",
        "execute",
        "--accounts",
        saved.to_str().unwrap(),
        "--clearinghouse",
        &ch.to_string(),
        "--change-id",
        &id.to_string(),
        "--json",
    ]);
    assert_eq!(code, 0);
    assert_eq!(report["earliest_execution"], now + 172_800);
    let ixs = decode(&report, &vault.pubkey());
    let out = env.chain.send(&ixs, &[&vault]).unwrap();
    assert_eq!(out.event::<ChangeExecuted>().unwrap().change_id, id);
    assert_eq!(env.underlying(&sol).margin.initial.vol_shock_bps, 3_500);
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn a_tightening_applies_at_once_and_a_refused_change_says_why() {
    let (mut env, vault) = with_vault();
    let d = dir("tighten");
    let (saved, change) = (d.join("accounts.json"), d.join("change.json"));
    let ch = env.ch.clearinghouse;
    let asset = pda::collateral_asset(&ch, &env.sol_mint);
    let sol = env.sol.key;
    save(&mut env, &[ch, asset, sol], &saved);
    let propose = |set: Value| {
        std::fs::write(
            &change,
            json!({
                "clearinghouse": ch.to_string(),
                "kind": "CollateralWeights",
                "target": asset.to_string(),
                "set": set,
            })
            .to_string(),
        )
        .unwrap();
        run_json(&[
            "gov",
            "propose",
            "--accounts",
            saved.to_str().unwrap(),
            "--change",
            change.to_str().unwrap(),
            "--json",
        ])
    };
    let (report, code) = propose(json!({"init_weight_bps": 7_000}));
    assert_eq!((code, &report["class"]), (0, &json!("tightening")));
    assert_eq!(report["applies"]["at_once"], true);
    let ixs = decode(&report, &vault.pubkey());
    let out = env.chain.send(&ixs, &[&vault]).unwrap();
    out.event::<ChangeApplied>().unwrap();
    assert_eq!(
        env.collateral_state(&env.sol_mint.clone()).init_weight_bps,
        7_000
    );

    // more than one step: the tool says the program would refuse it, and so does the program
    save(&mut env, &[ch, asset, sol], &saved);
    let (report, code) = propose(json!({"init_weight_bps": 4_999}));
    assert_eq!(code, 2);
    assert!(report["refused"]
        .as_str()
        .unwrap()
        .starts_with("ChangeStepTooLarge"));
    let ixs = decode(&report, &vault.pubkey());
    let err = env.chain.send(&ixs, &[&vault]).unwrap_err();
    assert_eq!(
        err.custom_code(),
        Some(6000 + greekhouse::errors::GreekhouseError::ChangeStepTooLarge as u32)
    );
    // an unknown field is an error of the change file
    let out = {
        std::fs::write(
            &change,
            json!({"clearinghouse": ch.to_string(), "kind": "CollateralWeights",
                   "target": asset.to_string(), "set": {"weight": 1}})
            .to_string(),
        )
        .unwrap();
        greekhouse(&[
            "gov",
            "propose",
            "--accounts",
            saved.to_str().unwrap(),
            "--change",
            change.to_str().unwrap(),
        ])
    };
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no field weight"));
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn a_guardian_rotation_shows_both_keys_and_waits_for_the_timelock() {
    let (mut env, vault) = with_vault();
    let d = dir("guardian");
    let (saved, change) = (d.join("accounts.json"), d.join("change.json"));
    let ch = env.ch.clearinghouse;
    save(&mut env, &[ch], &saved);
    let new = Keypair::new();
    std::fs::write(
        &change,
        json!({"clearinghouse": ch.to_string(), "kind": "Guardian",
               "set": {"key": new.pubkey().to_string()}})
        .to_string(),
    )
    .unwrap();
    let (report, code) = run_json(&[
        "gov",
        "propose",
        "--accounts",
        saved.to_str().unwrap(),
        "--change",
        change.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!((code, &report["class"]), (0, &json!("loosening")));
    assert_eq!(
        report["identity"],
        json!([{"name": "key", "current": env.guardian.pubkey().to_string(),
                "new": new.pubkey().to_string()}])
    );
    let ixs = decode(&report, &vault.pubkey());
    let id = env.next_change_id();
    env.chain.send(&ixs, &[&vault]).unwrap();
    // queued: the current guardian keeps its veto until the timelock is over
    assert_eq!(env.clearinghouse().guardian, env.guardian.pubkey());
    assert_eq!(env.next_change_id(), id + 1);
    std::fs::remove_dir_all(&d).ok();
}
