//! `migrations/deploy.json` through `greekhouse deploy`: the plan, and the same plan run on the
//! embedded bank (clearing house, listings enabled after the timelock, the per-writer share at
//! the listing's 25 %, admin handed to the vault).

#![cfg(feature = "demo")]

use std::process::Command;

use greekhouse_sdk::squads::TransactionMessage;
use serde_json::Value;

fn config() -> String {
    format!(
        "{}/../../migrations/deploy.json",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn deploy(mode: &str) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_greekhouse"))
        .args(["deploy", "--config", &config(), mode])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON document")
}

#[test]
fn the_config_deploys_on_the_bank_and_hands_admin_to_the_vault() {
    let r = deploy("--bank");
    assert_eq!(r["admin"], r["vault"]);
    assert_eq!(r["pending_admin"], "11111111111111111111111111111111");
    assert_eq!(
        r["guardian"],
        "4S67qyC5KQa2b8KNGpkKyHXGy1pT1aVkn2bjhVYChSfd"
    );
    assert_eq!(r["timelock_secs"], 172_800);
    assert_eq!(r["change_count"], 2);
    let sol = &r["underlyings"][0];
    assert_eq!(sol["symbol"], "SOL");
    assert_eq!(sol["enabled"], true);
    assert_eq!(sol["writer_open_interest_share_bps"], 2_500);
    assert_eq!(sol["open_interest_cap"], 100_000_000_000u64);
    assert_eq!(
        sol["vol_updater"],
        "BUUmq3BrnG5Vn1d3VNzDcHA11JV4wYj5Av9V4yppwuRR"
    );
    let wsol = &r["collaterals"][0];
    assert_eq!(wsol["enabled"], true);
    assert_eq!(wsol["price_underlying"], sol["address"]);
    assert_eq!(
        (
            wsol["init_weight_bps"].as_u64(),
            wsol["maint_weight_bps"].as_u64()
        ),
        (Some(8_000), Some(9_000))
    );
}

#[test]
fn the_plan_lists_every_step_and_the_vault_steps_as_squads_messages() {
    let r = deploy("--plan");
    let steps = r["steps"].as_array().unwrap();
    let signers: Vec<&str> = steps
        .iter()
        .map(|s| s["signer"].as_str().unwrap())
        .collect();
    // init, list SOL (listed at the 25 % share the file asks for: no share step), list wSOL,
    // 2 enablings, propose admin, accept (vault), 2 executions
    assert_eq!(steps.len(), 9);
    assert_eq!(&signers[..6], &["creator"; 6]);
    assert_eq!(signers[6], "vault");
    assert_eq!(&signers[7..], &["anyone after the timelock"; 2]);
    let accept = &steps[6];
    let m = TransactionMessage::from_base58(
        accept["squads_transaction_message_base58"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        m.account_keys[0].to_string(),
        "BMLp5UD5vKiuCMiaSGt3tWDHLtBNPGYFwrNa2V1F5WxF"
    );
    let ixs = m.instructions().unwrap();
    assert_eq!(ixs.len(), 1);
    assert_eq!(
        bs58::encode(&ixs[0].data).into_string(),
        accept["instruction"]["data_base58"].as_str().unwrap()
    );
    // the clearing house address follows from the quote mint and the creator
    let ch = greekhouse_sdk::pda::clearinghouse(
        &"EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"
            .parse()
            .unwrap(),
        &"9qB8kkPYgqehZVuqyn4NYkYgswT8ZhKGFyt2973hCyqY"
            .parse()
            .unwrap(),
    );
    assert_eq!(r["clearinghouse"], ch.to_string());
    // the IDL's publication: the canonical Program Metadata account, signed by the upgrade
    // authority, a buffer allocated, written in chunks and initialized
    let idl = &r["idl"];
    assert_eq!(
        idl["address"], "Aq8EaKRvrsh9RGXr84hxJGG5pxY1TuSidAbfcpbJHQXv",
        "{idl}"
    );
    assert_eq!(
        idl["metadata_program"],
        "ProgM6JCCvbYkfKqJYHePx4xxSUSqJp7rh8Lyv7nk7S"
    );
    assert_eq!(idl["signer"], "the program's upgrade authority");
    let txs = idl["transactions"].as_array().unwrap();
    let compressed = idl["compressed_bytes"].as_u64().unwrap() as usize;
    assert!(compressed * 4 < idl["idl_bytes"].as_u64().unwrap() as usize);
    assert_eq!(
        txs.len(),
        2 + compressed.div_ceil(greekhouse_sdk::program_metadata::WRITE_CHUNK)
    );
    assert!(txs[0].as_str().unwrap().contains("allocate"));
    assert!(txs.last().unwrap().as_str().unwrap().contains("initialize"));
}

#[test]
fn an_idl_file_for_another_program_id_is_refused() {
    let dir = std::env::temp_dir().join(format!("gh-idl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("idl.json");
    std::fs::write(
        &file,
        r#"{"address": "11111111111111111111111111111111", "instructions": []}"#,
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_greekhouse"))
        .args(["deploy", "--config", &config(), "--plan", "--idl"])
        .arg(&file)
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is not the program id"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

fn deploy_with(args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_greekhouse"))
        .arg("deploy")
        .args(args)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON document")
}

#[test]
fn the_devnet_config_deploys_two_pull_oracle_underlyings_with_a_short_timelock() {
    let devnet = format!(
        "{}/../../migrations/devnet.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let r = deploy_with(&["--config", &devnet, "--bank"]);
    assert_eq!(r["admin"], r["vault"]);
    assert_eq!(r["timelock_secs"], 3_600);
    let symbols: Vec<_> = r["underlyings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["symbol"].as_str().unwrap(),
                u["enabled"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(symbols, [("SOL", true), ("BTC", true)]);
    assert_eq!(r["collaterals"][0]["enabled"], true);
}

#[test]
fn a_plan_under_another_program_id_derives_everything_under_it() {
    // any key that is not the compiled id
    let other = greekhouse_sdk::Pubkey::new_from_array([7; 32]);
    let r = deploy_with(&[
        "--config",
        &config(),
        "--plan",
        "--program-id",
        &other.to_string(),
    ]);
    assert_eq!(r["program_id"], other.to_string());
    let ch = greekhouse_sdk::pda::At(other).clearinghouse(
        &"EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"
            .parse()
            .unwrap(),
        &"9qB8kkPYgqehZVuqyn4NYkYgswT8ZhKGFyt2973hCyqY"
            .parse()
            .unwrap(),
    );
    assert_eq!(r["clearinghouse"], ch.to_string());
    assert_eq!(
        r["idl"]["address"],
        greekhouse_sdk::program_metadata::idl_address(&other).to_string()
    );
    let compiled = greekhouse::ID.to_string();
    for s in r["steps"].as_array().unwrap() {
        let ix = &s["instruction"];
        assert_eq!(ix["program_id"], other.to_string());
        assert!(ix["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["pubkey"] != compiled.as_str()));
    }
}
