//! `greekhouse deploy --send` on the local validator: a second clearing house deployed by a
//! fresh creator, interrupted after two steps and continued by the same command, up to the
//! timelock of the enablings; `--program-id` derives under the given id, and an id with no
//! program on the node is refused (the validator hosts the program at its compiled id only).

use std::path::Path;

use greekhouse_sdk::chain::Chain;
use greekhouse_sdk::localnet::{read_keypair, write_keypair, Manifest};
use greekhouse_sdk::rpc::{RpcChain, RpcConfig};
use serde_json::{json, Value};
use solana_keypair::Keypair;
use solana_signer::Signer;

use super::greekhouse;

fn deploy(args: &[&str]) -> Value {
    let out = greekhouse(&[&["deploy"], args].concat());
    assert!(
        out.status.success(),
        "deploy {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON document")
}

fn statuses(r: &Value) -> Vec<String> {
    r["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap().to_string())
        .collect()
}

pub fn a_clearing_house_is_deployed_step_by_step_and_resumed(m: &Manifest, dir: &Path) {
    let url = m.rpc_url.as_str();
    let (creator, vault) = (Keypair::new(), Keypair::new());
    let mut faucet = RpcChain::new(
        url,
        read_keypair(&m.faucet_keypair).unwrap(),
        RpcConfig::default(),
    );
    let fund = [&creator, &vault].map(|k| {
        anchor_lang::solana_program::system_instruction::transfer(
            &faucet.payer(),
            &k.pubkey(),
            10_000_000_000,
        )
    });
    faucet.send(&fund, &[]).unwrap();
    let (creator_file, vault_file) = (dir.join("creator.json"), dir.join("vault.json"));
    write_keypair(&creator, &creator_file).unwrap();
    write_keypair(&vault, &vault_file).unwrap();
    let sol = m.underlying("SOL").unwrap();
    let config = json!({
        "quote": {"mint": m.quote.mint.to_string(), "decimals": 6},
        "creator": creator.pubkey().to_string(),
        "guardian": Keypair::new().pubkey().to_string(),
        "multisig_vault": vault.pubkey().to_string(),
        "params": {"timelock_secs": 3600},
        "underlyings": [{"symbol": "SOL",
            "oracle": {"kind": "legacy", "program": m.oracle_program_id.to_string(),
                       "feed": sol.oracle.to_string(), "max_age_secs": 30,
                       "liq_max_age_secs": 120, "max_conf_bps": 200},
            "vol_updater": Keypair::new().pubkey().to_string(),
            "strike_tick": 1_000_000, "contract_size": 1_000_000,
            "open_interest_cap": 100_000_000_000u64}],
        "collaterals": [{"mint": m.sol_collateral.mint.to_string(), "decimals": 9,
            "price_source": "SOL", "init_weight_bps": 8000, "maint_weight_bps": 9000,
            "deposit_cap": 100_000_000_000_000u64}]
    });
    let config_file = dir.join("deploy.json");
    std::fs::write(&config_file, config.to_string()).unwrap();
    let (config_file, creator_file, vault_file) = (
        config_file.to_str().unwrap(),
        creator_file.to_str().unwrap(),
        vault_file.to_str().unwrap(),
    );
    let base = [
        "--config",
        config_file,
        "--url",
        url,
        "--send",
        "--keypair",
        creator_file,
    ];

    // interrupted after two steps: the clearing house and the underlying
    let first = deploy(&[&base[..], &["--stop-after", "2"]].concat());
    assert_eq!(first["sent"], 2, "{first}");
    assert_eq!(first["stopped_at"], "--stop-after 2");
    let s = statuses(&first);
    assert_eq!(&s[..3], ["sent", "sent", "to do"], "{first}");
    // the same command continues where it stopped; the vault accepts; the enablings wait
    let second = deploy(&[&base[..], &["--vault-keypair", vault_file]].concat());
    let s = statuses(&second);
    assert_eq!(&s[..2], ["done", "done"], "{second}");
    // collateral, two enablings queued, admin proposed and accepted
    assert!(s[2..7].iter().all(|x| x == "sent"), "{second}");
    assert_eq!(&s[7..], ["waiting", "to do"], "{second}");
    assert_eq!(second["stopped_at"], "the timelock");
    assert_eq!(second["complete"], false);
    assert!(second["steps"][7]["executable_from"].as_i64().unwrap() > 0);
    assert_eq!(second["clearinghouse"], first["clearinghouse"]);
    // the node holds the deployment: the vault is admin
    let mut reader = RpcChain::read_only(url, RpcConfig::default());
    let ch: greekhouse_sdk::Pubkey = second["clearinghouse"].as_str().unwrap().parse().unwrap();
    let ch = greekhouse_sdk::accounts::clearinghouse(&reader.account(&ch).unwrap().unwrap().data)
        .unwrap();
    assert_eq!(ch.admin, vault.pubkey());
    // nothing left to send before the timelock; the compiled id given explicitly is the same
    let id = greekhouse::ID.to_string();
    let third = deploy(&[&base[..], &["--program-id", &id]].concat());
    assert_eq!(third["sent"], 0);
    assert_eq!(third["program_id"], id);
    assert_eq!(third["clearinghouse"], first["clearinghouse"]);
    // the IDL step is skipped on the validator, which does not load the Program Metadata
    // program (nor has an upgrade authority for the program it hosts natively)
    for run in [&first, &second, &third] {
        assert_eq!(run["idl"]["status"], "skipped", "{run}");
        assert_eq!(run["idl"]["published"], false);
        assert!(run["idl"]["reason"]
            .as_str()
            .unwrap()
            .contains("Program Metadata program"));
    }
    assert_eq!(
        third["idl"]["address"],
        greekhouse_sdk::program_metadata::idl_address(&greekhouse::ID).to_string()
    );
    // an id the node holds no program at is refused before anything is sent
    let other = Keypair::new().pubkey().to_string();
    let out = greekhouse(&[&["deploy"], &base[..], &["--program-id", &other]].concat());
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no program at"));
}
