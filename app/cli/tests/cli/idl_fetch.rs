//! `greekhouse idl fetch` against a loopback JSON-RPC stand-in that holds one account: the
//! canonical Program Metadata IDL account of the compiled program id, its header written here
//! byte by byte (the layout of the program's `state/header.rs`) and its data the repository's
//! IDL compressed with zlib. The command finds it at the derived address, decompresses it and
//! prints the IDL unchanged; `--info` reads the header; another program id has none.

use std::process::Command;

use base64::Engine as _;
use serde_json::{json, Value};

const IDL: &str = include_str!("../../../../idl/greekhouse.json");
/// The canonical "idl" account of the compiled id (see the SDK's program_metadata tests).
const ADDRESS: &str = "Aq8EaKRvrsh9RGXr84hxJGG5pxY1TuSidAbfcpbJHQXv";

fn account_data() -> Vec<u8> {
    let packed = greekhouse_sdk::program_metadata::pack_idl(IDL);
    let mut b = vec![2u8]; // a metadata account
    b.extend(greekhouse::ID.to_bytes()); // program
    b.extend([0u8; 32]); // no explicit authority
    b.extend([1, 1]); // mutable, canonical
    b.extend(*b"idl\0\0\0\0\0\0\0\0\0\0\0\0\0"); // seed
    b.extend([1, 2, 1, 0]); // UTF-8, zlib, JSON, in the account
    b.extend((packed.len() as u32).to_le_bytes());
    b.extend([0u8; 5]);
    assert_eq!(b.len(), 96);
    b.extend(packed);
    b
}

/// Serve `getAccountInfo` / `getMultipleAccounts` on loopback (the SDK's JSON-RPC stand-in)
/// until the test ends.
fn serve() -> String {
    let data = base64::engine::general_purpose::STANDARD.encode(account_data());
    let account = json!({"data": [data, "base64"], "executable": false, "lamports": 1_000_000,
        "owner": "ProgM6JCCvbYkfKqJYHePx4xxSUSqJp7rh8Lyv7nk7S", "rentEpoch": 0, "space": 0});
    greekhouse_sdk::stand_in::serve(move |r| {
        let p = &r["params"];
        let one = |k: &Value| {
            if k == ADDRESS {
                account.clone()
            } else {
                Value::Null
            }
        };
        let value = match r["method"].as_str().unwrap() {
            "getAccountInfo" => one(&p[0]),
            "getMultipleAccounts" => {
                Value::Array(p[0].as_array().unwrap().iter().map(one).collect())
            }
            m => panic!("unexpected {m}"),
        };
        json!({"jsonrpc": "2.0", "id": r["id"], "result": {"context": {"slot": 1}, "value": value}})
    })
}

fn fetch(url: &str, extra: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_greekhouse"))
        .args(["idl", "fetch", "--url", url])
        .args(extra)
        .output()
        .expect("runs")
}

#[test]
fn the_published_idl_is_fetched_and_decompressed() {
    let url = serve();
    let out = fetch(&url, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.trim_end(), IDL.trim_end());

    let out = fetch(&url, &["--info"]);
    assert!(out.status.success());
    let info: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(info["address"], ADDRESS);
    assert_eq!(info["program"], greekhouse::ID.to_string());
    assert_eq!(info["authority"], Value::Null);
    assert_eq!(info["canonical"], true);
    assert_eq!(info["seed"], "idl");
    assert_eq!(info["compression"], "Zlib");
    assert_eq!(info["format"], "Json");
    assert_eq!(info["content_bytes"], IDL.len());

    let out = fetch(&url, &["--program-id", "11111111111111111111111111111111"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no IDL published"));
}
