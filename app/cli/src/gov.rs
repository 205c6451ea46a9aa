//! `greekhouse gov`: governance proposals for a multisig (`docs/governance.md`).
//!
//! `gov propose --accounts SAVED.json --change CHANGE.json` reads the clearing house and the
//! target account from saved accounts (the `solana account --output json` format, as
//! `margin --accounts`), applies the change file's fields to the current value, and prints the
//! current and new values side by side with their hard bounds and step limits, whether the
//! change tightens (applies at once) or loosens (queued; when it can execute), and the
//! `queue_change` instruction as a Squads v4 vault-transaction message (base58) and as JSON.
//! `gov execute` and `gov cancel` print the instructions for a queued change the same way.
//!
//! `--squads MULTISIG` adds the whole Squads v4 proposal (`gov_squads`); the change id of a
//! loosening is the first one neither used on chain nor by the multisig's pending transactions
//! (or `--change-id`), so proposals made from the same state all execute. `gov list` prints the
//! queued changes (`gov_list`).
//!
//! `--url URL` reads the same accounts from a node instead of a file. With `--send --keypair
//! PATH` the instruction is signed by that key and sent at once, for a clearing house whose
//! admin (or guardian) is a plain key, as on a local validator; the landed transaction's
//! events are printed instead of the Squads message.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::str::FromStr;

use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, Subcommand};
use greekhouse::engine::actions::governance::check_cancel_change;
use greekhouse::engine::governance::Class;
use greekhouse::state::{ChangeStatus, ParamChange, TargetKind};
use greekhouse_sdk::chain::{Chain, TxOutcome};
use greekhouse_sdk::gov::{self, ChangeFile, ChangeId, Proposal};
use greekhouse_sdk::ix::{self, ChangeTarget};
use greekhouse_sdk::snapshot::SnapshotChain;
use greekhouse_sdk::squads::TransactionMessage;
use greekhouse_sdk::{accounts, pda, Instruction, Pubkey};
use serde_json::{json, Value};

use crate::node;

#[derive(Args, Debug)]
pub struct GovArgs {
    #[command(subcommand)]
    pub command: GovCommand,
}

#[derive(Subcommand, Debug)]
pub enum GovCommand {
    /// Describe a change and write its `queue_change` instruction for the admin multisig.
    Propose(ProposeArgs),
    /// Write the `execute_change` instruction of a queued change (anyone may send it).
    Execute(QueuedArgs),
    /// Write the `cancel_change` instruction of a queued change (admin or guardian).
    Cancel(QueuedArgs),
    /// The queued changes of a clearing house: current and new values, when executable, who
    /// can cancel; `--watch` prints each new one as it is queued.
    List(crate::gov_list::ListArgs),
}

/// Where the accounts come from, and whether to send.
#[derive(Args, Debug)]
pub struct Source {
    /// Saved accounts (a JSON array as `solana account --output json` prints each).
    #[arg(long, required_unless_present = "url", conflicts_with = "url")]
    pub accounts: Option<PathBuf>,
    /// Read the accounts from this JSON-RPC node instead.
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Sign the instruction with --keypair and send it to --url (when the admin or guardian
    /// is a plain key, as on a local validator); prints the landed transaction's events.
    #[arg(long, requires_all = ["url", "keypair"])]
    pub send: bool,
    /// The signer's key file (Solana CLI JSON), with --send; it also pays the fee.
    #[arg(long, value_name = "PATH", requires = "send")]
    pub keypair: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct ProposeArgs {
    /// The accounts (--accounts FILE or --url URL): the clearing house, the target account,
    /// and for collateral weights the underlying pricing the asset.
    #[command(flatten)]
    pub source: Source,
    /// The change file: `{"clearinghouse", "kind", "target", "set": {field: value}}`.
    #[arg(long)]
    pub change: PathBuf,
    /// Unix time the proposal is queued at, for its earliest execution time (default: now;
    /// with --url, the node's clock).
    #[arg(long)]
    pub at: Option<i64>,
    /// The change id a loosening is queued at (default: the first free one, pending Squads
    /// proposals of --squads included).
    #[arg(long)]
    pub change_id: Option<u64>,
    #[command(flatten)]
    pub squads: crate::gov_squads::SquadsArgs,
    /// One JSON document instead of the table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct QueuedArgs {
    /// The accounts (--accounts FILE or --url URL): the clearing house and the `ParamChange`.
    #[command(flatten)]
    pub source: Source,
    #[arg(long)]
    pub clearinghouse: String,
    #[arg(long)]
    pub change_id: u64,
    /// Signer of the instruction (default: the clearing house's admin, the multisig vault;
    /// with --send, the --keypair's key).
    #[arg(long, conflicts_with = "send")]
    pub signer: Option<String>,
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: GovArgs) -> Result<ExitCode> {
    match args.command {
        GovCommand::Propose(a) => propose(a),
        GovCommand::Execute(a) => queued(a, true),
        GovCommand::Cancel(a) => queued(a, false),
        GovCommand::List(a) => crate::gov_list::run(a),
    }
}

/// The accounts to read, and the key that sends (with `--send`).
struct Opened {
    chain: Box<dyn Chain>,
    sender: Option<Pubkey>,
    url: Option<String>,
}

fn open(source: &Source) -> Result<Opened> {
    match (&source.accounts, &source.url, &source.keypair) {
        (Some(path), _, _) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let chain = SnapshotChain::from_json(&text, 0)
                .map_err(|e| anyhow!("{}: {e}", path.display()))?;
            Ok(Opened {
                chain: Box::new(chain),
                sender: None,
                url: None,
            })
        }
        (None, Some(url), Some(keypair)) if source.send => {
            let chain = node::signing(url, "--keypair", keypair)?;
            Ok(Opened {
                sender: Some(chain.payer()),
                chain: Box::new(chain),
                url: Some(url.clone()),
            })
        }
        (None, Some(url), _) => Ok(Opened {
            chain: Box::new(node::read_only(url)?),
            sender: None,
            url: Some(url.clone()),
        }),
        (None, None, _) => bail!("--accounts FILE or --url URL is required"),
    }
}

/// Send `ix` signed by the --keypair (the chain's payer); its events as JSON, or the refusal.
fn send(opened: &mut Opened, ix: &Instruction, what: &str) -> Result<(TxOutcome, Value)> {
    let out = opened
        .chain
        .send(std::slice::from_ref(ix), &[])
        .map_err(|e| node::send_error(what, &e))?;
    let report = json!({
        "url": opened.url,
        "signer": opened.sender.map(|k| k.to_string()),
        "compute_units": out.compute_units,
        "events": node::events_json(&out),
    });
    Ok((out, report))
}

/// The instruction as JSON (program id, accounts with flags, data in base58).
pub fn instruction_json(ix: &Instruction) -> Value {
    json!({
        "program_id": ix.program_id.to_string(),
        "accounts": ix.accounts.iter().map(|a| json!({
            "pubkey": a.pubkey.to_string(),
            "is_signer": a.is_signer,
            "is_writable": a.is_writable,
        })).collect::<Vec<_>>(),
        "data_base58": bs58::encode(&ix.data).into_string(),
    })
}

fn squads_json(vault: &Pubkey, ixs: &[Instruction]) -> Result<Value> {
    let message = TransactionMessage::compile(vault, ixs).map_err(|e| anyhow!("{e}"))?;
    Ok(json!({
        "vault": vault.to_string(),
        "transaction_message_base58": message.to_base58(),
    }))
}

fn class_text(c: Class) -> &'static str {
    match c {
        Class::Tightening => "tightening",
        Class::Loosening => "loosening",
    }
}

fn propose(args: ProposeArgs) -> Result<ExitCode> {
    let mut opened = open(&args.source)?;
    let text = std::fs::read_to_string(&args.change)
        .with_context(|| format!("cannot read {}", args.change.display()))?;
    let file: ChangeFile = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a change file", args.change.display()))?;
    let at = match (args.at, &opened.url) {
        (Some(t), _) => t,
        (None, Some(url)) => node::node_time(opened.chain.as_mut(), url)?,
        (None, None) => i64::try_from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)?
                .as_secs(),
        )?,
    };
    let clearinghouse =
        Pubkey::from_str(&file.clearinghouse).map_err(|e| anyhow!("clearinghouse: {e}"))?;
    let multisig =
        crate::gov_squads::read_multisig(&args.squads, opened.chain.as_mut(), &clearinghouse)?;
    let taken = multisig
        .as_ref()
        .map(|m| m.taken.clone())
        .unwrap_or_default();
    let id = match args.change_id {
        Some(n) => ChangeId::Given(n),
        None => ChangeId::Free { taken: &taken },
    };
    // the verdict at the queue time (the tighten interval depends on it)
    let p = gov::propose_with_id(opened.chain.as_mut(), &file, at, id).map_err(|e| anyhow!(e))?;
    let mut report = report_json(&p, at)?;
    if let (Some(m), Ok(_)) = (&multisig, &p.verdict) {
        report["squads_proposal"] = crate::gov_squads::proposal_json(
            &args.squads,
            m,
            &p.admin,
            std::slice::from_ref(&p.instruction),
        )?;
    }
    // a change the program would refuse is reported, never sent
    let sent = match opened.sender {
        Some(sender) if p.verdict.is_ok() => {
            if sender != p.admin {
                bail!(
                    "--keypair {sender} is not the clearing house's admin {}: a multisig admin \
                     proposes through its Squads vault transaction (leave out --send)",
                    p.admin
                );
            }
            let (out, sent) = send(&mut opened, &p.instruction, "queue_change")?;
            report["sent"] = sent;
            Some(out)
        }
        _ => None,
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        write!(out, "{}", report_text(&p, &report, sent.as_ref()))?;
        if !report["squads_proposal"].is_null() {
            write!(
                out,
                "{}",
                crate::gov_squads::proposal_text(&report["squads_proposal"])
            )?;
        }
    }
    out.flush()?;
    Ok(if p.verdict.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

fn report_json(p: &Proposal, at: i64) -> Result<Value> {
    let rows: Vec<Value> = p
        .rows
        .iter()
        .map(|r| {
            json!({
                "name": r.name,
                "current": r.current.to_string(),
                "new": r.new.to_string(),
                "changed": r.current != r.new,
                "bounds": r.bounds.map(|(lo, hi)| json!([lo.to_string(), hi.to_string()])),
                "step": gov::step_text(r.step),
                "direction": gov::dir_text(r.dir),
                "within_step": r.within_step,
            })
        })
        .collect();
    let (class, refused) = match &p.verdict {
        Ok(c) => (Some(class_text(*c)), None),
        Err(e) => (None, Some(e.clone())),
    };
    let applies = match p.verdict {
        Ok(Class::Tightening) => json!({"at_once": true}),
        Ok(Class::Loosening) => json!({
            "at_once": false,
            "change_id": p.change_id,
            "param_change": p.param_change.to_string(),
            "timelock_secs": p.timelock_secs,
            "queued_at": at,
            "earliest_execution": at + p.timelock_secs as i64,
        }),
        Err(_) => Value::Null,
    };
    Ok(json!({
        "clearinghouse": p.clearinghouse.to_string(),
        "admin": p.admin.to_string(),
        "kind": gov::kind_name(&p.new),
        "target": p.target_key.to_string(),
        "class": class,
        "refused": refused,
        "applies": applies,
        "identity_changed": p.identity_changed,
        "identity": gov::identity_fields(&p.current)
            .into_iter()
            .zip(gov::identity_fields(&p.new))
            .map(|((name, current), (_, new))| json!({"name": name, "current": current, "new": new}))
            .collect::<Vec<_>>(),
        "current": format!("{:?}", p.current),
        "new": format!("{:?}", p.new),
        "fields": rows,
        "instructions": [instruction_json(&p.instruction)],
        "squads": squads_json(&p.admin, std::slice::from_ref(&p.instruction))?,
    }))
}

fn report_text(p: &Proposal, report: &Value, sent: Option<&TxOutcome>) -> String {
    let mut s = String::new();
    s += &format!(
        "{} of {} (clearing house {})\n\n",
        gov::kind_name(&p.new),
        p.target_key,
        p.clearinghouse
    );
    s += &format!(
        "{:<34} {:>22} {:>22}  {:<24} {:<18} {}\n",
        "field", "current", "new", "bounds", "step", "direction"
    );
    for r in &p.rows {
        let mark = if r.current != r.new { "*" } else { " " };
        let bounds = r
            .bounds
            .map(|(lo, hi)| format!("{lo}..{hi}"))
            .unwrap_or_else(|| "-".into());
        let step = if r.within_step {
            gov::step_text(r.step)
        } else {
            format!("{} EXCEEDED", gov::step_text(r.step))
        };
        s += &format!(
            "{mark}{:<33} {:>22} {:>22}  {:<24} {:<18} {}\n",
            r.name,
            r.current,
            r.new,
            bounds,
            step,
            gov::dir_text(r.dir)
        );
    }
    for ((name, current), (_, new)) in gov::identity_fields(&p.current)
        .into_iter()
        .zip(gov::identity_fields(&p.new))
    {
        let mark = if current != new { "*" } else { " " };
        s += &format!(
            "{mark}{name:<33} current {current}\n{:<34} new     {new}\n",
            ""
        );
    }
    s += "\n";
    match &p.verdict {
        Ok(Class::Tightening) => s += "class: TIGHTENING, applies at once when the multisig executes it\n",
        Ok(Class::Loosening) => {
            s += &format!(
                "class: LOOSENING, queued as change #{} ({}); executable by anyone from {} (queue time + {} s); the admin or the guardian can cancel it before\n",
                p.change_id,
                p.param_change,
                report["applies"]["earliest_execution"],
                p.timelock_secs
            )
        }
        Err(e) => s += &format!("REFUSED: the program would reject this change ({e})\n"),
    }
    if let Some(out) = sent {
        s += &format!(
            "\nsent queue_change signed by the admin {}; events:\n{}",
            p.admin,
            node::events_text(out)
        );
        return s;
    }
    s += &format!(
        "\nSquads v4 vault transaction (vault {}), message in base58:\n{}\n",
        p.admin,
        report["squads"]["transaction_message_base58"]
            .as_str()
            .unwrap_or("")
    );
    s += &format!(
        "\ninstruction (JSON):\n{}\n",
        serde_json::to_string_pretty(&report["instructions"][0]).unwrap_or_default()
    );
    s
}

fn queued(args: QueuedArgs, execute: bool) -> Result<ExitCode> {
    let mut opened = open(&args.source)?;
    let chain = opened.chain.as_mut();
    let clearinghouse =
        Pubkey::from_str(&args.clearinghouse).map_err(|e| anyhow!("--clearinghouse: {e}"))?;
    let ch = chain
        .account(&clearinghouse)?
        .context("the clearing house is not in the accounts")?;
    let ch = accounts::clearinghouse(&ch.data).map_err(|e| anyhow!("{e}"))?;
    let key = pda::param_change(&clearinghouse, args.change_id);
    let pc = chain
        .account(&key)?
        .with_context(|| format!("change #{} ({key}) is not in the accounts", args.change_id))?;
    let pc: ParamChange = accounts::decode(&pc.data).map_err(|e| anyhow!("{e}"))?;
    if pc.status != ChangeStatus::Queued as u8 {
        bail!(
            "change #{} is not queued (status {})",
            args.change_id,
            pc.status
        );
    }
    let new = pc.new_value().map_err(|e| anyhow!("{e}"))?;
    let old = pc.old().map_err(|e| anyhow!("{e}"))?;
    let signer = match (&args.signer, opened.sender) {
        (Some(s), _) => Pubkey::from_str(s).map_err(|e| anyhow!("--signer: {e}"))?,
        (None, Some(sender)) => sender,
        (None, None) => ch.admin,
    };
    // anyone may execute a change that is due; only the admin or the guardian may cancel
    // (the program's own rule: `engine::actions::governance::check_cancel_change`)
    if opened.sender.is_some() && !execute && check_cancel_change(&ch, &signer, &pc).is_err() {
        bail!(
            "--keypair {signer} is neither the clearing house's admin {} nor its guardian {}",
            ch.admin,
            ch.guardian
        );
    }
    let ix = if execute {
        let target = match new.target_kind() {
            TargetKind::Clearinghouse => ChangeTarget::clearinghouse(),
            TargetKind::Underlying => ChangeTarget::underlying(pc.target),
            TargetKind::CollateralAsset => {
                let price = match new {
                    greekhouse::state::GovValue::PriceSource(p) => Some(p.price_underlying),
                    _ => chain
                        .account(&pc.target)?
                        .and_then(|a| accounts::collateral_asset(&a.data).ok())
                        .map(|c| c.price_underlying),
                }
                .filter(|k| *k != Pubkey::default());
                ChangeTarget::collateral(pc.target, price)
            }
        };
        ix::execute_change(clearinghouse, signer, args.change_id, target)
    } else {
        ix::cancel_change(clearinghouse, signer, args.change_id)
    };
    let mut report = json!({
        "clearinghouse": clearinghouse.to_string(),
        "change_id": args.change_id,
        "param_change": key.to_string(),
        "kind": gov::kind_name(&new),
        "target": pc.target.to_string(),
        "current": format!("{old:?}"),
        "new": format!("{new:?}"),
        "earliest_execution": pc.eta,
        "instructions": [instruction_json(&ix)],
        "squads": squads_json(&signer, std::slice::from_ref(&ix))?,
    });
    let what = if execute {
        "execute_change"
    } else {
        "cancel_change"
    };
    let sent = match opened.sender {
        Some(_) => {
            let (out, sent) = send(&mut opened, &ix, what)?;
            report["sent"] = sent;
            Some(out)
        }
        None => None,
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    } else if let Some(landed) = &sent {
        writeln!(
            out,
            "{what} #{} ({}) of {}: {:?} -> {:?}\nsent, signed by {signer}; events:\n{}",
            args.change_id,
            gov::kind_name(&new),
            pc.target,
            old,
            new,
            node::events_text(landed).trim_end()
        )?;
    } else {
        writeln!(
            out,
            "{} change #{} ({}) of {}: {:?} -> {:?}\nexecutable from {}\n\nSquads v4 vault transaction (vault {}), message in base58:\n{}",
            if execute { "execute" } else { "cancel" },
            args.change_id,
            gov::kind_name(&new),
            pc.target,
            old,
            new,
            pc.eta,
            signer,
            report["squads"]["transaction_message_base58"].as_str().unwrap_or("")
        )?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
