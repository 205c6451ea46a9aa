//! `greekhouse gov list --url URL --clearinghouse KEY [--watch]`: the queued changes of a
//! clearing house read from the node (`getProgramAccounts` of `ParamChange` narrowed to the
//! clearing house): each with its kind and target, the fields it changes (the value the target
//! holds now, the value queued against, the new one), whether it is stale already, when anyone
//! can execute it, and who can cancel it (the admin, and the guardian when one is set).
//!
//! `--watch` then polls the same accounts every `--interval` seconds and prints each change
//! queued since, as the `ChangeQueued` event reports it (one JSON line each with `--json`).
//! Polling the accounts rather than transaction logs keeps it one request per round and
//! misses nothing across reconnects; a change queued and executed within one interval is still
//! printed, with its status.

use std::collections::HashSet;
use std::io::Write;
use std::process::ExitCode;
use std::str::FromStr;
use std::time::Duration;

use anchor_lang::Discriminator;
use anyhow::{anyhow, Context, Result};
use clap::Args;
use greekhouse::engine::governance as rules;
use greekhouse::state::{ChangeStatus, Clearinghouse, GovValue, ParamChange, TargetKind};
use greekhouse_sdk::chain::{Chain, FieldFilter};
use greekhouse_sdk::{accounts, gov, Pubkey};
use serde_json::{json, Value};

use crate::node;

#[derive(Args, Debug)]
pub struct ListArgs {
    /// The node to read.
    #[arg(long, value_name = "URL")]
    pub url: String,
    #[arg(long)]
    pub clearinghouse: String,
    /// Executed and cancelled changes too (kept on chain as records).
    #[arg(long)]
    pub all: bool,
    /// After the list, print each change queued from now on, as it lands.
    #[arg(long)]
    pub watch: bool,
    /// Seconds between two reads with --watch.
    #[arg(long, default_value_t = 5, requires = "watch")]
    pub interval: u64,
    /// Stop watching after this many new changes (default: never).
    #[arg(long, requires = "watch")]
    pub max_new: Option<usize>,
    #[arg(long)]
    pub json: bool,
}

/// Offset of `ParamChange::clearinghouse` in the account (discriminator, version, bump,
/// status, kind, padding, change id).
const CLEARINGHOUSE_OFFSET: usize = 8 + 4 + 4 + 8;

fn status_text(s: u8) -> &'static str {
    match s {
        s if s == ChangeStatus::Queued as u8 => "queued",
        s if s == ChangeStatus::Executed as u8 => "executed",
        s if s == ChangeStatus::Cancelled as u8 => "cancelled",
        _ => "unknown",
    }
}

/// The value `target` holds now of `like`'s kind.
fn current<C: Chain + ?Sized>(
    chain: &mut C,
    ch: &Clearinghouse,
    target: &Pubkey,
    like: &GovValue,
) -> Result<GovValue> {
    let read = |data: &[u8]| -> Result<GovValue> {
        match like.target_kind() {
            TargetKind::Clearinghouse => rules::read_clearinghouse(ch, like),
            TargetKind::Underlying => {
                rules::read_underlying(&accounts::decode(data).map_err(|e| anyhow!("{e}"))?, like)
            }
            TargetKind::CollateralAsset => {
                rules::read_collateral(&accounts::decode(data).map_err(|e| anyhow!("{e}"))?, like)
            }
        }
        .map_err(|e| anyhow!("{e}"))
    };
    let a = chain
        .account(target)?
        .with_context(|| format!("target {target} does not exist"))?;
    read(&a.data)
}

/// Every change of the clearing house (queued ones only unless `all`), by change id.
fn changes<C: Chain + ?Sized>(
    chain: &mut C,
    clearinghouse: &Pubkey,
    all: bool,
) -> Result<Vec<(Pubkey, ParamChange)>> {
    let found = chain.program_accounts_where(
        ParamChange::DISCRIMINATOR,
        &[FieldFilter::pubkey_at(CLEARINGHOUSE_OFFSET, clearinghouse)],
    )?;
    let mut out = Vec::new();
    for (key, a) in found {
        let pc: ParamChange = accounts::decode(&a.data).map_err(|e| anyhow!("{key}: {e}"))?;
        if all || pc.is_queued() {
            out.push((key, pc));
        }
    }
    out.sort_by_key(|(_, pc)| pc.change_id);
    Ok(out)
}

/// One change as JSON, with the target's value now.
fn change_json<C: Chain + ?Sized>(
    chain: &mut C,
    ch: &Clearinghouse,
    key: &Pubkey,
    pc: &ParamChange,
    now: i64,
) -> Result<Value> {
    let (old, new) = (
        pc.old().map_err(|e| anyhow!("{e}"))?,
        pc.new_value().map_err(|e| anyhow!("{e}"))?,
    );
    let now_value = current(chain, ch, &pc.target, &new)?;
    let (fields, _) = rules::fields(&old, &new).map_err(|e| anyhow!("{e}"))?;
    let (now_fields, _) = rules::fields(&now_value, &new).map_err(|e| anyhow!("{e}"))?;
    let rows: Vec<Value> = fields
        .iter()
        .zip(&now_fields)
        .filter(|(f, _)| f.old != f.new)
        .map(|(f, n)| {
            json!({"name": f.name, "queued_against": f.old.to_string(),
                   "current": n.old.to_string(), "new": f.new.to_string()})
        })
        .collect();
    let identity: Vec<Value> = gov::identity_fields(&now_value)
        .into_iter()
        .zip(gov::identity_fields(&new))
        .filter(|((_, a), (_, b))| a != b)
        .map(|((name, a), (_, b))| json!({"name": name, "current": a, "new": b}))
        .collect();
    let mut cancel = vec![ch.admin.to_string()];
    if ch.guardian != Pubkey::default() {
        cancel.push(ch.guardian.to_string());
    }
    Ok(json!({
        "change_id": pc.change_id,
        "param_change": key.to_string(),
        "status": status_text(pc.status),
        "kind": gov::kind_name(&new),
        "target": pc.target.to_string(),
        "fields": rows,
        "identity": identity,
        "stale": now_value != old,
        "queued_at": pc.queued_at,
        "eta": pc.eta,
        "executable_now": pc.is_queued() && now >= pc.eta && now_value == old,
        "can_cancel": if pc.is_queued() { cancel } else { vec![] },
        "proposer": pc.proposer.to_string(),
    }))
}

fn change_text(v: &Value) -> String {
    let mut s = format!(
        "#{} {} {} of {} ({}){}\n  executable from {} ({}); cancel: {}\n",
        v["change_id"],
        v["status"].as_str().unwrap_or(""),
        v["kind"].as_str().unwrap_or(""),
        v["target"].as_str().unwrap_or(""),
        v["param_change"].as_str().unwrap_or(""),
        if v["stale"] == true {
            " STALE: the target no longer holds the value it was queued against"
        } else {
            ""
        },
        v["eta"],
        if v["executable_now"] == true {
            "due now"
        } else {
            "not yet"
        },
        v["can_cancel"]
            .as_array()
            .map(|a| a
                .iter()
                .filter_map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(" or "))
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| "-".into()),
    );
    for f in v["fields"].as_array().into_iter().flatten() {
        s += &format!(
            "  {:<34} current {:>20}  new {:>20}  (queued against {})\n",
            f["name"].as_str().unwrap_or(""),
            f["current"].as_str().unwrap_or(""),
            f["new"].as_str().unwrap_or(""),
            f["queued_against"].as_str().unwrap_or(""),
        );
    }
    for f in v["identity"].as_array().into_iter().flatten() {
        s += &format!(
            "  {:<34} current {}\n  {:<34} new     {}\n",
            f["name"].as_str().unwrap_or(""),
            f["current"].as_str().unwrap_or(""),
            "",
            f["new"].as_str().unwrap_or(""),
        );
    }
    s
}

pub fn run(args: ListArgs) -> Result<ExitCode> {
    let mut chain = node::read_only(&args.url)?;
    let clearinghouse =
        Pubkey::from_str(&args.clearinghouse).map_err(|e| anyhow!("--clearinghouse: {e}"))?;
    let read_ch = |chain: &mut dyn Chain| -> Result<Clearinghouse> {
        let a = chain
            .account(&clearinghouse)?
            .context("the clearing house does not exist on this node")?;
        accounts::decode(&a.data).map_err(|e| anyhow!("{e}"))
    };
    let ch = read_ch(&mut chain)?;
    let now = node::node_time(&mut chain, &args.url)?;
    let mut rows = Vec::new();
    let mut seen = HashSet::new();
    for (key, pc) in changes(&mut chain, &clearinghouse, true)? {
        seen.insert(key);
        if args.all || pc.is_queued() {
            rows.push(change_json(&mut chain, &ch, &key, &pc, now)?);
        }
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        let doc = json!({"clearinghouse": clearinghouse.to_string(), "now": now, "changes": rows});
        writeln!(out, "{}", serde_json::to_string(&doc)?)?;
    } else {
        writeln!(
            out,
            "{} change(s) of clearing house {clearinghouse} (node time {now})",
            rows.len()
        )?;
        for r in &rows {
            write!(out, "{}", change_text(r))?;
        }
    }
    out.flush()?;
    if !args.watch {
        return Ok(ExitCode::SUCCESS);
    }
    drop(out);
    let mut printed = 0usize;
    loop {
        if args.max_new.is_some_and(|n| printed >= n) {
            return Ok(ExitCode::SUCCESS);
        }
        std::thread::sleep(Duration::from_secs(args.interval));
        // a node that does not answer one round is asked again the next
        let Ok(found) = changes(&mut chain, &clearinghouse, true) else {
            continue;
        };
        let fresh: Vec<_> = found
            .into_iter()
            .filter(|(k, _)| !seen.contains(k))
            .collect();
        if fresh.is_empty() {
            continue;
        }
        let ch = read_ch(&mut chain)?;
        let now = node::node_time(&mut chain, &args.url)?;
        let mut out = std::io::stdout().lock();
        for (key, pc) in fresh {
            seen.insert(key);
            let mut v = change_json(&mut chain, &ch, &key, &pc, now)?;
            v["event"] = json!("ChangeQueued");
            if args.json {
                writeln!(out, "{}", serde_json::to_string(&v)?)?;
            } else {
                write!(out, "ChangeQueued {}", change_text(&v))?;
            }
            printed += 1;
        }
        out.flush()?;
    }
}
