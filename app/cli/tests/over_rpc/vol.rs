//! `greekhouse vol publish` on the local validator: a smile within the updater's bounds lands as
//! given; one that asks too much is clipped, says so, and lands clipped; another key is refused.

use std::path::Path;
use std::process::{Command, Output};

use greekhouse_sdk::accounts;
use greekhouse_sdk::chain::Chain;
use greekhouse_sdk::localnet::Manifest;
use greekhouse_sdk::rpc::{RpcChain, RpcConfig};
use serde_json::{json, Value};

fn publish(m: &Manifest, key: &Path, smile: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_greekhouse"))
        .args(["vol", "publish", "--underlying", "SOL", "--output", "json"])
        .args([
            "-u",
            &m.rpc_url,
            "--clearinghouse",
            &m.clearinghouse.to_string(),
        ])
        .arg("-k")
        .arg(key)
        .arg("--smile")
        .arg(smile)
        .output()
        .expect("runs")
}

fn landed(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    let d: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(d["events"][0]["name"], "VolSurfaceSet", "{d}");
    d
}

pub fn the_vol_updater_publishes_within_its_bounds(m: &Manifest, work: &Path) {
    let sol = m.underlying("SOL").unwrap().address;
    let mut chain = RpcChain::read_only(&m.rpc_url, RpcConfig::default());
    let u = accounts::underlying(&chain.account(&sol).unwrap().unwrap().data).unwrap();
    let s = u.surface;
    let n = usize::from(s.tenor_count);
    let smile = |atm: &dyn Fn(usize) -> f64| {
        json!({
            "tenors": (0..n).map(|i| json!({"seconds": s.tenor_secs[i], "atm": atm(i)}))
                .collect::<Vec<_>>(),
            "skew": f64::from(s.skew_bps) / 1e4,
            "curvature": f64::from(s.smile_bps) / 1e4,
        })
    };
    let file = work.join("smile.json");

    // two points up on every tenor: within a step, published as given
    let within = |i: usize| f64::from(s.atm_vol_bps[i] + 200) / 1e4;
    std::fs::write(&file, smile(&within).to_string()).unwrap();
    let d = landed(&publish(m, &m.vol_updater_keypair, &file));
    assert_eq!(d["clipped"], json!([]));
    assert_eq!(
        d["published"]["tenors"][0]["atm_bps"],
        s.atm_vol_bps[0] + 200
    );

    // the first tenor's ATM doubled: clipped to one step from the surface now on chain
    let now_atm = s.atm_vol_bps[0] + 200;
    let doubled = |i: usize| {
        let base = s.atm_vol_bps[i] + 200;
        f64::from(if i == 0 { 2 * base } else { base }) / 1e4
    };
    std::fs::write(&file, smile(&doubled).to_string()).unwrap();
    let d = landed(&publish(m, &m.vol_updater_keypair, &file));
    let clip = &d["clipped"][0];
    assert_eq!(clip["field"], "atm[0]", "{d}");
    assert_eq!(clip["wanted_bps"], 2 * now_atm);
    let step = u64::from(u.surface_max_change_bps) * u64::from(now_atm) / 10_000;
    assert_eq!(clip["published_bps"], u64::from(now_atm) + step, "{d}");
    assert_eq!(d["clipped"].as_array().unwrap().len(), 1, "{d}");
    let after = accounts::underlying(&chain.account(&sol).unwrap().unwrap().data).unwrap();
    assert_eq!(
        u64::from(after.surface.atm_vol_bps[0]),
        u64::from(now_atm) + step
    );

    // a key that is not the vol updater: refused before sending, by the program's name
    let out = publish(m, &m.writers[0].keypair, &file);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("NotVolUpdater"));
}
