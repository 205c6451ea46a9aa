//! `greekhouse gov`: a proposal read from saved accounts, printed as a Squads v4 vault-transaction
//! message and as JSON, decoded here and executed on the embedded bank with the multisig vault's
//! key as the clearing house's admin.

#![cfg(feature = "demo")]

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine;
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

/// A Squads v4 `Multisig` account's data as its IDL lays it out (create_key, config_authority,
/// threshold u16, time_lock u32, transaction_index u64, stale_transaction_index u64,
/// rent_collector None, bump, no members), after the `account:Multisig` discriminator.
fn squads_multisig_data(transaction_index: u64) -> Vec<u8> {
    let mut d = greekhouse_sdk::squads_proposal::MULTISIG_ACCOUNT.to_vec();
    d.extend_from_slice(&[7; 64]);
    d.extend_from_slice(&2u16.to_le_bytes());
    d.extend_from_slice(&0u32.to_le_bytes());
    d.extend_from_slice(&transaction_index.to_le_bytes());
    d.extend_from_slice(&0u64.to_le_bytes());
    d.extend_from_slice(&[0, 255, 0, 0, 0, 0]);
    d
}

#[test]
fn a_squads_proposal_has_both_instructions_at_the_multisigs_next_index() {
    use greekhouse_sdk::snapshot::SavedAccount;
    use greekhouse_sdk::squads_proposal as sq;
    let mut env = Env::new();
    let d = dir("squads");
    let (saved, change) = (d.join("accounts.json"), d.join("change.json"));
    let (ch, sol) = (env.ch.clearinghouse, env.sol.key);
    save(&mut env, &[ch, sol], &saved);
    // the saved clearing house's admin is vault 1 of a Squads multisig at transaction 3
    let multisig = Pubkey::new_unique();
    let vault = sq::vault(&multisig, 1);
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut accounts: Vec<SavedAccount> =
        serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    let mut data = b64.decode(&accounts[0].account.data.0).unwrap();
    let admin = 8 + std::mem::offset_of!(greekhouse::state::Clearinghouse, admin);
    data[admin..admin + 32].copy_from_slice(vault.as_ref());
    accounts[0].account.data.0 = b64.encode(&data);
    let mut ms = accounts[0].clone();
    ms.pubkey = multisig.to_string();
    ms.account.owner = sq::PROGRAM_ID.to_string();
    ms.account.data.0 = b64.encode(squads_multisig_data(3));
    accounts.push(ms);
    std::fs::write(&saved, serde_json::to_string(&accounts).unwrap()).unwrap();
    std::fs::write(
        &change,
        json!({"clearinghouse": ch.to_string(), "kind": "MarginParams",
               "target": sol.to_string(), "set": {"initial.vol_shock_bps": 3_500}})
        .to_string(),
    )
    .unwrap();
    let creator = Pubkey::new_unique().to_string();
    let (ms, saved, change) = (
        multisig.to_string(),
        saved.to_str().unwrap().to_string(),
        change.to_str().unwrap().to_string(),
    );
    let args = |vault_index: &str| {
        vec![
            "gov",
            "propose",
            "--accounts",
            &saved,
            "--change",
            &change,
            "--squads",
            &ms,
            "--vault-index",
            vault_index,
            "--creator",
            &creator,
            "--change-id",
            "9",
            "--json",
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>()
    };
    let a = args("1");
    let (report, code) = run_json(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["applies"]["change_id"], 9);
    let p = &report["squads_proposal"];
    assert_eq!(p["transaction_index"], 4);
    assert_eq!(p["vault"], vault.to_string());
    assert_eq!(p["transaction"], sq::transaction(&multisig, 4).to_string());
    assert_eq!(p["proposal"], sq::proposal(&multisig, 4).to_string());
    // vault_transaction_create: discriminator, vault index 1, no ephemeral signers, the
    // message (u32 length), no memo; proposal_create: discriminator, index 4, not a draft
    let data = |i: usize| {
        bs58::decode(p["instructions"][i]["data_base58"].as_str().unwrap())
            .into_vec()
            .unwrap()
    };
    let create = data(0);
    assert_eq!(create[..8], sq::VAULT_TRANSACTION_CREATE);
    assert_eq!(create[8..10], [1, 0]);
    let len = u32::from_le_bytes(create[10..14].try_into().unwrap()) as usize;
    let message = TransactionMessage::deserialize(&create[14..14 + len]).unwrap();
    assert_eq!(create[14 + len..], [0]);
    assert_eq!(
        message.to_base58(),
        report["squads"]["transaction_message_base58"]
            .as_str()
            .unwrap()
    );
    let queued = &message.instructions().unwrap()[0];
    assert_eq!(queued.accounts[6].pubkey, pda::param_change(&ch, 9));
    assert_eq!(queued.data[queued.data.len() - 8..], 9u64.to_le_bytes());
    let open = data(1);
    assert_eq!(open[..8], sq::PROPOSAL_CREATE);
    assert_eq!(open[8..], [4, 0, 0, 0, 0, 0, 0, 0, 0]);
    for (i, signer) in [(0, true), (1, false)] {
        assert_eq!(p["instructions"][i]["accounts"][0]["is_writable"], signer);
        assert_eq!(
            p["instructions"][i]["accounts"][2]["pubkey"],
            creator.as_str()
        );
    }

    // another vault index is not the admin: refused, nothing printed to sign
    let a = args("0");
    let out = greekhouse(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not the clearing house's admin"));
    std::fs::remove_dir_all(&d).ok();
}
