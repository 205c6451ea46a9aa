//! `greekhouse margin --accounts SNAPSHOT.json --writer ADDRESS`: the margin of an on-chain
//! writer account from its saved accounts (the `solana account --output json` format, in an
//! array), computed by the program's own engine through the SDK: the numbers the program uses.
//! `greekhouse margin --url URL --writer ADDRESS` reads the same accounts from a node
//! ([`crate::node`]); both go through [`margin_report`], generic over the SDK's `Chain`.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::str::FromStr;

use anyhow::{anyhow, Context, Result};
use greekhouse::oracle::PriceUse;
use greekhouse_risk::{LevelRisk, MarginSummary};
use greekhouse_sdk::chain::Chain;
use greekhouse_sdk::margin::MarginInputs;
use greekhouse_sdk::snapshot::{self, SnapshotChain};
use greekhouse_sdk::{accounts, Pubkey};
use serde_json::{json, Value};

use crate::fmt;

/// Where the oracle account of an underlying comes from.
pub enum OracleSource<'a> {
    /// Known for every underlying (a snapshot's own accounts).
    Map(&'a HashMap<Pubkey, Pubkey>),
    /// The caller's `--oracle` pairs first; else a legacy feed's configured price account, or a
    /// pull feed's sponsored `PriceUpdateV2` account (shard 0, derived from the feed id).
    FromUnderlying(&'a HashMap<Pubkey, Pubkey>),
}

/// A writer account's margin, as the program computes it, with what the reports show.
pub struct MarginReport {
    pub writer: Pubkey,
    pub at: i64,
    pub symbols: Vec<String>,
    pub summary: MarginSummary,
    pub quote_decimals: u32,
}

impl MarginReport {
    pub fn json(&self) -> Value {
        report_json(
            &self.writer,
            self.at,
            &self.symbols,
            &self.summary,
            self.quote_decimals,
        )
    }

    pub fn text(&self) -> String {
        report_text(
            &self.writer,
            self.at,
            &self.symbols,
            &self.summary,
            self.quote_decimals,
        )
    }
}

/// The margin of `writer_key` at unix time `at`, from whatever `chain` reads (a snapshot or a
/// node), through the SDK's `MarginInputs` (the program's own engine). `place` says where the
/// accounts come from, for errors ("in the snapshot", "on URL").
pub fn margin_report<C: Chain + ?Sized>(
    chain: &mut C,
    place: &str,
    writer_key: &Pubkey,
    at: i64,
    oracles: OracleSource<'_>,
) -> Result<MarginReport> {
    let writer_data = chain
        .account(writer_key)?
        .with_context(|| format!("writer account {writer_key} is not {place}"))?;
    let state = accounts::writer_account(&writer_data.data)
        .map_err(|e| anyhow!("{writer_key} is not a writer account: {e}"))?;
    let mut inputs = match oracles {
        OracleSource::Map(map) => {
            MarginInputs::fetch(chain, &state.clearinghouse, state, &|k| map.get(k).copied())
        }
        // the oracle is filled in below, once the underlyings are read
        OracleSource::FromUnderlying(_) => {
            MarginInputs::fetch(chain, &state.clearinghouse, state, &|_| {
                Some(Pubkey::default())
            })
        }
    }
    .map_err(|e| anyhow!("{e}"))?;
    if let OracleSource::FromUnderlying(given) = oracles {
        for (key, u, oracle) in inputs.underlyings.iter_mut() {
            *oracle = match given.get(key) {
                Some(o) => *o,
                // a legacy feed's account, or a pull feed's sponsored account (shard 0)
                None => greekhouse_sdk::oracle::configured_account(u)
                    .with_context(|| format!("underlying {key} has an unknown oracle kind"))?,
            };
        }
    }
    let summary = inputs
        .compute(chain, at, PriceUse::RiskIncreasing)
        .map_err(|e| anyhow!("{e}"))?;
    let symbols = inputs
        .underlyings
        .iter()
        .map(|(_, u, _)| {
            String::from_utf8_lossy(&u.symbol)
                .trim_end_matches('\0')
                .to_string()
        })
        .collect();
    Ok(MarginReport {
        writer: *writer_key,
        at,
        symbols,
        summary,
        quote_decimals: u32::from(inputs.clearinghouse.quote_decimals),
    })
}

/// Print a report as one JSON object or as tables.
pub fn print(report: &MarginReport, as_json: bool) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    if as_json {
        writeln!(out, "{}", report.json())?;
    } else {
        write!(out, "{}", report.text())?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Parse `--writer`.
pub fn writer_key(writer: &str) -> Result<Pubkey> {
    Pubkey::from_str(writer).map_err(|e| anyhow!("--writer {writer}: {e}"))
}

/// Margin of `writer` from the accounts in `path`, at `at` (default: the newest oracle publish
/// time in the snapshot, the moment its prices stand for).
pub fn run(path: &Path, writer: &str, at: Option<i64>, as_json: bool) -> Result<ExitCode> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let writer_key = writer_key(writer)?;
    let probe =
        SnapshotChain::from_json(&text, 0).map_err(|e| anyhow!("{}: {e}", path.display()))?;
    let (oracles, newest) = snapshot::oracles(&probe);
    let at = at
        .or(newest)
        .context("no oracle price in the snapshot: pass --at UNIX_TIME")?;
    let mut chain =
        SnapshotChain::from_json(&text, at).map_err(|e| anyhow!("{}: {e}", path.display()))?;
    let report = margin_report(
        &mut chain,
        "in the snapshot",
        &writer_key,
        at,
        OracleSource::Map(&oracles),
    )?;
    print(&report, as_json)
}

fn level_json(l: &LevelRisk, qd: u32) -> Value {
    json!({
        "addon": fmt::money_f64(l.addon, qd),
        "requirement": fmt::money_f64(l.requirement, qd),
        "collateral_value": fmt::money_f64(l.collateral_value, qd),
        "equity": fmt::money_f64(l.equity, qd),
    })
}

fn report_json(writer: &Pubkey, at: i64, symbols: &[String], m: &MarginSummary, qd: u32) -> Value {
    let underlyings: Vec<Value> = m.underlyings[..m.underlying_count as usize]
        .iter()
        .map(|u| {
            json!({
                "symbol": symbols.get(u.underlying as usize),
                "liability": fmt::money_f64(u.liability, qd),
                "delta": fmt::f64_of(u.delta),
                "cash_gamma": fmt::money_f64(u.cash_gamma, qd),
                "vega": fmt::money_f64(u.vega, qd),
                "theta": fmt::money_f64(u.theta, qd),
                "addon_initial": fmt::money_f64(u.addon_initial, qd),
                "addon_maintenance": fmt::money_f64(u.addon_maintenance, qd),
            })
        })
        .collect();
    json!({
        "writer_account": writer.to_string(),
        "at": at,
        "liability": fmt::money_f64(m.liability, qd),
        "mark_to_market": fmt::money_f64(m.mark_to_market, qd),
        "initial": level_json(&m.initial, qd),
        "end": level_json(&m.end, qd),
        "maintenance": level_json(&m.maintenance, qd),
        "underlyings": underlyings,
    })
}

fn report_text(writer: &Pubkey, at: i64, symbols: &[String], m: &MarginSummary, qd: u32) -> String {
    let money = |v| fmt::money(v, qd);
    let mut out = format!("writer account {writer} at unix time {at}\n\n");
    let mut rows = vec![vec![
        "level".into(),
        "add-on".into(),
        "requirement".into(),
        "collateral".into(),
        "equity".into(),
    ]];
    for (name, l) in [
        ("initial (IM)", &m.initial),
        ("end", &m.end),
        ("maintenance (MM)", &m.maintenance),
    ] {
        rows.push(vec![
            name.into(),
            money(l.addon),
            money(l.requirement),
            money(l.collateral_value),
            money(l.equity),
        ]);
    }
    out.push_str(&fmt::table(&rows));
    out.push_str(&format!(
        "\nliability {}   mark-to-market {}\n\n",
        money(m.liability),
        money(m.mark_to_market)
    ));
    let mut rows = vec![vec![
        "underlying".into(),
        "liability".into(),
        "delta".into(),
        "cash gamma".into(),
        "vega/1.00".into(),
        "theta/yr".into(),
    ]];
    for u in &m.underlyings[..m.underlying_count as usize] {
        rows.push(vec![
            symbols
                .get(u.underlying as usize)
                .cloned()
                .unwrap_or_default(),
            money(u.liability),
            fmt::fixed(u.delta, 4),
            money(u.cash_gamma),
            money(u.vega),
            money(u.theta),
        ]);
    }
    out.push_str(&fmt::table(&rows));
    out
}
