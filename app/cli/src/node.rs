//! Talking to a node from the CLI (`--url`): the SDK's JSON-RPC backend (`RpcChain`), the
//! checks of the flags that name a node or a key file, the rendering of a landed transaction's
//! events, and `greekhouse margin --url`.

use std::collections::HashMap;
use std::path::Path;
use std::process::ExitCode;
use std::str::FromStr;

use anyhow::{anyhow, bail, Context, Result};
use greekhouse_sdk::chain::{Chain, ChainError, TxOutcome};
use greekhouse_sdk::localnet::read_keypair;
use greekhouse_sdk::rpc::{RpcChain, RpcConfig};
use greekhouse_sdk::Pubkey;
use serde_json::{json, Value};
use solana_keypair::Keypair;

use crate::onchain::{self, OracleSource};

/// Refuse anything but an http(s) URL before a client is built on it (the RPC client would
/// otherwise fail later with a less helpful message).
pub fn check_url(flag: &str, url: &str) -> Result<()> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => Ok(()),
        _ => bail!("{flag} {url:?}: must be an http(s) URL such as http://127.0.0.1:8899"),
    }
}

/// A chain that only reads (margin, governance previews).
pub fn read_only(url: &str) -> Result<RpcChain> {
    check_url("--url", url)?;
    Ok(RpcChain::read_only(url, RpcConfig::default()))
}

/// A key file named by `flag`.
pub fn keypair(flag: &str, path: &Path) -> Result<Keypair> {
    read_keypair(path).map_err(|e| anyhow!("{flag}: {e}"))
}

/// A chain that pays and signs with the key in `path` (named by `flag`).
pub fn signing(url: &str, flag: &str, path: &Path) -> Result<RpcChain> {
    check_url("--url", url)?;
    Ok(RpcChain::new(
        url,
        keypair(flag, path)?,
        RpcConfig::default(),
    ))
}

/// The node's clock (its `Clock` sysvar), the default time of every computation over `--url`.
pub fn node_time<C: Chain + ?Sized>(chain: &mut C, url: &str) -> Result<i64> {
    chain
        .unix_timestamp()
        .map_err(|e| anyhow!("reading the clock of {url}: {e}"))
}

/// A failed send, with the program's error name when the program refused it.
pub fn send_error(what: &str, e: &ChainError) -> anyhow::Error {
    match e.program_error_name() {
        Some(name) => anyhow!("{what}: the program refused it with {name} ({e})"),
        None => anyhow!("{what}: {e}"),
    }
}

/// One event as `Name { field: value, .. }` (its Rust form; the SDK decodes events with the
/// program's own types, which have no other text form).
fn event_detail(e: &greekhouse_sdk::events::GreekhouseEvent) -> String {
    let full = format!("{e:?}");
    // `Name(Name { .. })` -> `Name { .. }`
    full.strip_prefix(e.name())
        .and_then(|s| s.strip_prefix('('))
        .and_then(|s| s.strip_suffix(')'))
        .map(str::to_string)
        .unwrap_or(full)
}

/// The events of a landed transaction, in order.
pub fn events_json(out: &TxOutcome) -> Value {
    Value::Array(
        out.events
            .iter()
            .map(|e| json!({ "name": e.name(), "detail": event_detail(e) }))
            .collect(),
    )
}

/// The events of a landed transaction, one indented line each.
pub fn events_text(out: &TxOutcome) -> String {
    if out.events.is_empty() {
        return "    (no Greekhouse events)\n".into();
    }
    out.events
        .iter()
        .map(|e| format!("    {}\n", event_detail(e)))
        .collect()
}

/// `--oracle UNDERLYING=ACCOUNT` pairs.
pub fn parse_oracles(pairs: &[String]) -> Result<HashMap<Pubkey, Pubkey>> {
    let mut map = HashMap::new();
    for pair in pairs {
        let (u, o) = pair
            .split_once('=')
            .with_context(|| format!("--oracle {pair:?}: expected UNDERLYING=ACCOUNT"))?;
        let u = Pubkey::from_str(u.trim()).map_err(|e| anyhow!("--oracle {pair:?}: {e}"))?;
        let o = Pubkey::from_str(o.trim()).map_err(|e| anyhow!("--oracle {pair:?}: {e}"))?;
        map.insert(u, o);
    }
    Ok(map)
}

/// `greekhouse margin --url URL --writer ADDRESS [--at T]`: the margin report of an account
/// read from a node, at the node's clock unless `at` is given.
pub fn margin(
    url: &str,
    writer: &str,
    at: Option<i64>,
    oracles: &[String],
    as_json: bool,
) -> Result<ExitCode> {
    let writer_key = onchain::writer_key(writer)?;
    let given = parse_oracles(oracles)?;
    let mut chain = read_only(url)?;
    let at = match at {
        Some(t) => t,
        None => node_time(&mut chain, url)?,
    };
    let report = onchain::margin_report(
        &mut chain,
        &format!("on {url}"),
        &writer_key,
        at,
        OracleSource::FromUnderlying(&given),
    )?;
    onchain::print(&report, as_json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_oracle_pairs_are_checked() {
        assert!(check_url("--url", "http://127.0.0.1:8899").is_ok());
        assert!(check_url("--url", "https://api.devnet.solana.com").is_ok());
        for bad in ["127.0.0.1:8899", "ftp://x", "http://", "http://a b"] {
            let e = check_url("--url", bad).unwrap_err().to_string();
            assert!(e.starts_with("--url"), "{e}");
        }
        let key = Pubkey::new_unique();
        let map = parse_oracles(&[format!("{key}={key}")]).unwrap();
        assert_eq!(map.get(&key), Some(&key));
        let e = parse_oracles(&["nope".into()]).unwrap_err().to_string();
        assert!(e.starts_with("--oracle"), "{e}");
    }
}
