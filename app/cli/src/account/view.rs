//! The read-only commands: `show` (an account's balances, shorts and margin) and `series`
//! (the clearing house's series, to pick one to write).

use std::process::ExitCode;

use anyhow::Result;
use greekhouse::state::{OptionSeries, WriterStatus};
use greekhouse_sdk::accounts::{self, of_clearinghouse};
use greekhouse_sdk::chain::Chain;
use serde_json::{json, Value};

use super::commands::{fetch_writer, sdk};
use super::session::{address, Session};
use crate::onchain::{self, OracleSource};

pub fn show(s: &mut Session, account: Option<String>) -> Result<ExitCode> {
    let key = match account {
        Some(a) => address("--account", &a)?,
        None => s.writer_account,
    };
    let state = sdk("reading the account", fetch_writer(s, &key))?;
    let qd = s.quote_decimals();
    let money = |v: i64| crate::fmt::decimal(i128::from(v), qd, qd);
    let status = match state.status {
        x if x == WriterStatus::Active as u8 => "active",
        x if x == WriterStatus::Liquidating as u8 => "liquidating",
        _ => "bankrupt",
    };
    let collaterals: Vec<Value> = state
        .collaterals
        .iter()
        .filter(|c| c.amount > 0)
        .map(|c| json!({ "asset": c.asset.to_string(), "amount": c.amount }))
        .collect();
    let positions: Vec<Value> = state
        .positions
        .iter()
        .filter(|p| p.contracts > 0)
        .map(|p| {
            let kind = if p.kind == 0 { "call" } else { "put" };
            let side = if p.is_long() { "long" } else { "short" };
            json!({
                "series": p.series.to_string(),
                "side": side,
                "kind": kind,
                "strike": money(i64::try_from(p.strike).unwrap_or(i64::MAX)),
                "expiry": p.expiry,
                "contracts": p.contracts,
            })
        })
        .collect();
    let now = s.now()?;
    let oracles = s.oracles.clone();
    let report = onchain::margin_report(
        &mut s.chain,
        &format!("on {}", s.url),
        &key,
        now,
        OracleSource::Map(&oracles),
    );
    // balances and positions are shown even when a price the margin needs is refused (stale)
    let margin = match &report {
        Ok(r) => r.json(),
        Err(e) => json!({ "error": format!("{e:#}") }),
    };
    let margin_status = greekhouse::state::MarginStatus::from_u8(state.margin_status)
        .map(super::longs::status_text)
        .unwrap_or("unknown");
    let doc = json!({
        "writer_account": key.to_string(),
        "owner": state.owner.to_string(),
        "index": state.index,
        "status": status,
        "margin_status": margin_status,
        "quote_balance": money(state.quote_balance),
        "collaterals": collaterals,
        "positions": positions,
        "margin": margin,
    });
    if s.json() {
        s.print(&doc)?;
    } else {
        println!(
            "writer account {key} (owner {}, index {}): {status}, margin {margin_status} at the last check_margin\nquote balance {}",
            state.owner,
            state.index,
            money(state.quote_balance)
        );
        for c in &collaterals {
            println!("collateral {} {}", c["asset"], c["amount"]);
        }
        for p in &positions {
            println!(
                "{} {} {} {} strike {} expiry {}",
                p["side"].as_str().unwrap_or("short"),
                p["contracts"],
                p["kind"],
                p["series"],
                p["strike"],
                p["expiry"]
            );
        }
        println!();
        match &report {
            Ok(r) => print!("{}", r.text()),
            Err(e) => println!("margin: not available now: {e:#}"),
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Every series of the clearing house, soonest expiry first.
pub fn series(s: &mut Session) -> Result<ExitCode> {
    let found = s.chain.program_accounts_where(
        <OptionSeries as anchor_lang::Discriminator>::DISCRIMINATOR,
        &[of_clearinghouse::series(&s.ch.clearinghouse)],
    )?;
    let symbols: std::collections::HashMap<_, _> = sdk(
        "reading the underlyings",
        greekhouse_sdk::oracle::underlyings(&mut s.chain, &s.ch.clearinghouse),
    )?
    .into_iter()
    .map(|(k, u)| {
        (
            k,
            String::from_utf8_lossy(&u.symbol)
                .trim_end_matches('\0')
                .to_string(),
        )
    })
    .collect();
    let qd = s.quote_decimals();
    let mut rows: Vec<(i64, Value)> = found
        .iter()
        .filter_map(|(key, a)| {
            let t = accounts::option_series(&a.data).ok()?;
            let status = ["active", "settled", "finalized"]
                .get(usize::from(t.status))
                .copied()
                .unwrap_or("other");
            Some((
                t.expiry,
                json!({
                    "series": key.to_string(),
                    "underlying": symbols.get(&t.underlying).cloned().unwrap_or_else(|| t.underlying.to_string()),
                    "kind": if t.kind == 0 { "call" } else { "put" },
                    "strike": crate::fmt::decimal(i128::from(t.strike), qd, qd),
                    "expiry": t.expiry,
                    "status": status,
                    "open_interest": t.open_interest,
                }),
            ))
        })
        .collect();
    rows.sort_by_key(|(e, _)| *e);
    let list: Vec<Value> = rows.into_iter().map(|(_, v)| v).collect();
    if s.json() {
        s.print(&json!({ "clearinghouse": s.ch.clearinghouse.to_string(), "series": list }))?;
    } else {
        let mut table = vec![[
            "series",
            "underlying",
            "kind",
            "strike",
            "expiry",
            "status",
            "open interest",
        ]
        .map(String::from)
        .to_vec()];
        for v in &list {
            table.push(
                [
                    "series",
                    "underlying",
                    "kind",
                    "strike",
                    "expiry",
                    "status",
                    "open_interest",
                ]
                .iter()
                .map(|k| match &v[*k] {
                    Value::String(t) => t.clone(),
                    other => other.to_string(),
                })
                .collect(),
            );
        }
        print!("{}", crate::fmt::table(&table));
    }
    Ok(ExitCode::SUCCESS)
}
