//! `greekhouse deploy --config FILE --url URL --send --keypair CREATOR [--program-id ID]`: the
//! deployment plan run on a node step by step, resumable. Each step says what it leaves on
//! chain (`deploy::Done`); a step already done is skipped, so a run that stopped (a failed
//! send, `--stop-after`, the timelock, the vault's turn) is continued by running the same
//! command again. The creator's steps are signed by `--keypair`; the vault's `accept_admin` by
//! `--vault-keypair` when the vault is a plain key (a local validator), else the run stops there
//! and prints the Squads v4 message; the enablings are executed once their timelock is over.
//!
//! The program must already be deployed at `--program-id` (built with that id: `anchor keys
//! sync && anchor build && anchor deploy`). Before the plan, its IDL is published as Anchor
//! 1.x and the explorers read it: the canonical `"idl"` account of the Program Metadata
//! program (`crate::idl`), created, resumed from the buffer an interrupted run left, updated
//! when it differs from this CLI's IDL (or `--idl FILE`), skipped when equal. Its signer is the
//! program's upgrade authority (`--keypair`, or `--upgrade-authority` when another key); the
//! step is skipped, with the reason in the report, where the metadata program is not deployed
//! (a local validator) or the program has no upgrade authority.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context, Result};
use greekhouse::state::{ChangeStatus, ParamChange};
use greekhouse_sdk::chain::Chain;
use greekhouse_sdk::squads::TransactionMessage;
use greekhouse_sdk::{accounts, ix, pda, Pubkey};
use serde_json::json;
use solana_signer::Signer;

use crate::deploy::{plan, DeployArgs, DeployConfig, Done, Keys, Role, Step};
use crate::node;

#[derive(clap::Args, Debug, Default)]
pub struct SendArgs {
    /// Run the plan on this node (`-u` monikers as the Solana CLI: devnet, localhost, ...).
    #[arg(long, short = 'u', value_name = "URL", requires = "send")]
    pub url: Option<String>,
    /// Send the plan's steps that are not done yet (resumable: run it again to continue).
    #[arg(long, requires_all = ["url", "keypair"])]
    pub send: bool,
    /// The creator's key file (the config's `creator`; it pays every step).
    #[arg(long, value_name = "PATH", requires = "send")]
    pub keypair: Option<PathBuf>,
    /// The vault's key file, when the multisig vault of the config is a plain key (a local
    /// validator): its `accept_admin` is sent too.
    #[arg(long, value_name = "PATH", requires = "send")]
    pub vault_keypair: Option<PathBuf>,
    /// Stop after sending this many steps of the plan (a rehearsal of an interrupted run; the
    /// IDL's publication before them is not counted).
    #[arg(long, requires = "send")]
    pub stop_after: Option<usize>,
    /// The program's upgrade authority, when it is not `--keypair`: it signs the IDL's
    /// publication (Program Metadata's canonical account).
    #[arg(long, value_name = "PATH", requires = "send")]
    pub upgrade_authority: Option<PathBuf>,
}

/// The account at `key` decoded by `decode`, if it exists.
fn decoded<T, E: std::fmt::Display>(
    chain: &mut dyn Chain,
    key: &Pubkey,
    decode: impl Fn(&[u8]) -> Result<T, E>,
) -> Result<Option<T>> {
    match chain.account(key)? {
        Some(a) => Ok(Some(decode(&a.data).map_err(|e| anyhow!("{key}: {e}"))?)),
        None => Ok(None),
    }
}

fn param_change(data: &[u8]) -> Result<ParamChange, accounts::DecodeError> {
    accounts::decode(data)
}

/// Whether `step` is done on chain (`clearinghouse` is the plan's).
fn is_done(chain: &mut dyn Chain, clearinghouse: &Pubkey, step: &Step) -> Result<bool> {
    Ok(match step.done {
        Done::Exists(k) => chain.account(&k)?.is_some(),
        Done::ShareAtMost(u, bps) => decoded(chain, &u, accounts::underlying)?
            .is_some_and(|u| u.writer_open_interest_share_bps <= bps),
        Done::AdminProposed(v) => decoded(chain, clearinghouse, accounts::clearinghouse)?
            .is_some_and(|c| c.admin == v || c.pending_admin == v),
        Done::Admin(v) => {
            decoded(chain, clearinghouse, accounts::clearinghouse)?.is_some_and(|c| c.admin == v)
        }
        Done::Executed(pc) => decoded(chain, &pc, param_change)?
            .is_some_and(|p| p.status == ChangeStatus::Executed as u8),
    })
}

pub fn run(args: &DeployArgs, cfg: &DeployConfig, program_id: Pubkey) -> Result<ExitCode> {
    let s = &args.send;
    let url = crate::account::cluster::resolve_url(s.url.as_deref().context("--url")?);
    let keypair = s.keypair.as_ref().context("--keypair")?;
    let mut chain = node::signing(&url, "--keypair", keypair)?;
    let creator = chain.payer();
    if let Some(c) = &cfg.creator {
        if c != &creator.to_string() {
            bail!("--keypair {creator} is not the config's creator {c}");
        }
    }
    let vault = match &s.vault_keypair {
        Some(p) => Some(node::keypair("--vault-keypair", p)?),
        None => None,
    };
    let vault_key: Pubkey = cfg
        .multisig_vault
        .parse()
        .map_err(|e| anyhow!("multisig_vault: {e}"))?;
    if let Some(v) = &vault {
        if v.pubkey() != vault_key {
            bail!(
                "--vault-keypair {} is not the config's multisig_vault {vault_key}",
                v.pubkey()
            );
        }
    }
    let mint = |what: &str, m: &Option<String>| -> Result<Pubkey> {
        m.as_deref()
            .with_context(|| format!("--send needs the {what} address in the config"))?
            .parse()
            .map_err(|e| anyhow!("{what}: {e}"))
    };
    let keys = Keys {
        program: ix::In(pda::At(program_id)),
        creator,
        vault: vault_key,
        quote_mint: mint("quote mint", &cfg.quote.mint)?,
        collateral_mints: cfg
            .collaterals
            .iter()
            .map(|c| mint("collateral mint", &c.mint.mint))
            .collect::<Result<_>>()?,
    };
    match chain.account(&program_id)? {
        Some(a) if a.executable => {}
        _ => bail!(
            "no program at {program_id} on {url}: deploy the program built with this id first \
             (anchor keys sync, anchor build, anchor deploy), then run this again"
        ),
    }
    let clearinghouse = keys.program.0.clearinghouse(&keys.quote_mint, &creator);
    let idl = publish_idl(&mut chain, args, program_id, creator)?;
    let steps = plan(cfg, &keys)?;
    let mut report = Vec::new();
    let mut sent = 0usize;
    let mut stopped: Option<String> = None;
    for step in &steps {
        if stopped.is_some() {
            report.push(json!({"what": step.what, "status": "to do"}));
            continue;
        }
        if is_done(&mut chain, &clearinghouse, step)? {
            report.push(json!({"what": step.what, "status": "done"}));
            continue;
        }
        if s.stop_after.is_some_and(|n| sent >= n) {
            stopped = Some(format!("--stop-after {sent}"));
            report.push(json!({"what": step.what, "status": "to do"}));
            continue;
        }
        let outcome = match step.role {
            Role::Creator => chain.send(std::slice::from_ref(&step.ix), &[]),
            Role::Vault => match &vault {
                Some(v) => chain.send(std::slice::from_ref(&step.ix), &[v]),
                None => {
                    let m = TransactionMessage::compile(&vault_key, std::slice::from_ref(&step.ix))
                        .map_err(|e| anyhow!("{e}"))?;
                    stopped = Some("the vault's turn".into());
                    report.push(json!({"what": step.what, "status": "needs the vault",
                        "squads_transaction_message_base58": m.to_base58()}));
                    continue;
                }
            },
            Role::AnyoneAfterTimelock => {
                let Done::Executed(pc) = step.done else {
                    unreachable!("an execution step records its change")
                };
                let eta = decoded(&mut chain, &pc, param_change)?.map(|p| p.eta);
                let now = node::node_time(&mut chain, &url)?;
                if eta.is_none_or(|eta| now < eta) {
                    stopped = Some("the timelock".into());
                    report.push(json!({"what": step.what, "status": "waiting",
                                       "executable_from": eta, "now": now}));
                    continue;
                }
                chain.send(std::slice::from_ref(&step.ix), &[])
            }
        };
        let out = outcome.map_err(|e| node::send_error(&step.what, &e))?;
        sent += 1;
        report.push(json!({"what": step.what, "status": "sent",
                           "events": node::events_json(&out)}));
    }
    let doc = json!({
        "url": url,
        "program_id": program_id.to_string(),
        "clearinghouse": clearinghouse.to_string(),
        "idl": idl,
        "sent": sent,
        "complete": stopped.is_none(),
        "stopped_at": stopped,
        "steps": report,
    });
    println!("{}", serde_json::to_string_pretty(&doc)?);
    Ok(ExitCode::SUCCESS)
}

/// The IDL step: read what the node holds, publish or update when needed, report.
fn publish_idl(
    chain: &mut dyn Chain,
    args: &DeployArgs,
    program_id: Pubkey,
    payer: Pubkey,
) -> Result<serde_json::Value> {
    use crate::idl::Publication;
    let json = crate::deploy::idl_json(args, &program_id)?;
    let authority = match &args.send.upgrade_authority {
        Some(p) => Some(node::keypair("--upgrade-authority", p)?),
        None => None,
    };
    let signer = authority.as_ref().map_or(payer, |k| k.pubkey());
    let address = greekhouse_sdk::program_metadata::idl_address(&program_id);
    let mut report = json!({
        "what": "publish the IDL (Program Metadata, canonical seed \"idl\")",
        "address": address.to_string(),
    });
    let pub_ = crate::idl::publication(chain, &program_id, &json, payer, signer)?;
    let (status, extra) = match pub_ {
        Publication::Skipped(reason) => ("skipped", json!({ "reason": reason })),
        Publication::Done => ("done", json!({})),
        Publication::Immutable => (
            "immutable",
            json!({"reason": "the canonical IDL account is immutable and holds another IDL"}),
        ),
        Publication::NeedsAuthority(a) => (
            "needs the upgrade authority",
            json!({"upgrade_authority": a.to_string(),
                   "run_with": "--upgrade-authority PATH (that key's file), or --keypair of that key"}),
        ),
        Publication::Send { kind, txs, buffer } => {
            let extra_signer = authority.as_ref().filter(|k| k.pubkey() != payer);
            let n = crate::idl::publish(chain, &txs, extra_signer, buffer.as_deref())?;
            let status = match kind {
                "update" => "updated",
                "resume" => "published (resumed)",
                _ => "published",
            };
            (status, json!({ "transactions": n }))
        }
    };
    report["status"] = json!(status);
    report["published"] = json!(matches!(
        status,
        "done" | "updated" | "published" | "published (resumed)" | "immutable"
    ));
    if let (Some(r), Some(e)) = (report.as_object_mut(), extra.as_object()) {
        r.extend(e.clone());
    }
    Ok(report)
}
