//! `greekhouse deploy --config FILE`: the deployment step of `migrations/` — create a clearing
//! house, list the configured underlyings and collateral assets, queue their enabling (a
//! loosening behind the timelock), lower each underlying's per-writer open-interest share, and hand
//! the admin role to a multisig vault (`propose_admin`; the vault accepts with a Squads vault
//! transaction). `--plan` prints the ordered instructions with their signers (JSON, and the
//! vault's steps as Squads v4 messages); `--bank` runs the same plan on the embedded bank (fresh
//! mints, a fresh key standing for the vault), accepts as the vault, waits out the timelock,
//! executes the enablings and reports the resulting accounts.

use std::path::PathBuf;
use std::process::ExitCode;
use std::str::FromStr;

use anyhow::{anyhow, bail, Context, Result};
use greekhouse::args::{InitializeClearinghouseArgs, ListCollateralArgs};
use greekhouse::state::{
    GlobalParams, GovValue, OpenInterestLimits, OracleConfig, OracleKind, PriceSource,
    StoredVolSurface,
};
use greekhouse_sdk::chain::Chain;
use greekhouse_sdk::ix::{self, ChangeTarget};
use greekhouse_sdk::squads::TransactionMessage;
use greekhouse_sdk::{fixtures, gov, pda, Instruction, Pubkey};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use solana_signer::Signer;

use crate::gov::instruction_json;

#[derive(clap::Args, Debug)]
pub struct DeployArgs {
    /// The deployment config (see `migrations/deploy.json`).
    #[arg(long)]
    pub config: PathBuf,
    /// Print the plan: every instruction in order with its signers.
    #[arg(long, conflicts_with_all = ["bank", "send"])]
    pub plan: bool,
    /// Run the plan on the embedded bank and report the deployed accounts.
    #[arg(long, conflicts_with = "send")]
    pub bank: bool,
    /// The program's address on the cluster (a program built with this id; default the id this
    /// CLI was compiled with): every address of the plan is derived under it.
    #[arg(long, value_name = "PUBKEY")]
    pub program_id: Option<String>,
    /// The IDL `--send` publishes (Program Metadata's canonical account): default the IDL this
    /// CLI was built with, its `address` set to the program id.
    #[arg(long, value_name = "PATH")]
    pub idl: Option<PathBuf>,
    #[command(flatten)]
    pub send: crate::deploy_send::SendArgs,
}

/// The IDL to publish for `program`: `--idl FILE` as it is, or the built-in one under that id.
pub fn idl_json(args: &DeployArgs, program: &Pubkey) -> Result<String> {
    match &args.idl {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("--idl: cannot read {}", p.display()))?;
            let v: Value = serde_json::from_str(&text)
                .with_context(|| format!("--idl {}: not JSON", p.display()))?;
            if v["address"] != Value::String(program.to_string()) {
                bail!(
                    "--idl {}: its address {} is not the program id {program}",
                    p.display(),
                    v["address"]
                );
            }
            Ok(text)
        }
        None => Ok(greekhouse_sdk::program_metadata::greekhouse_idl(program)),
    }
}

fn program_id(args: &DeployArgs) -> Result<Pubkey> {
    match &args.program_id {
        Some(s) => key("--program-id", s),
        None => Ok(greekhouse::ID),
    }
}

#[derive(Clone, Debug, Deserialize)]
pub struct MintConfig {
    /// The mint's address (`--plan`); `--bank` creates a fresh mint with `decimals`.
    #[serde(default)]
    pub mint: Option<String>,
    pub decimals: u8,
}

#[derive(Clone, Debug, Deserialize)]
pub struct OracleFile {
    /// `pull` (Pyth receiver `PriceUpdateV2`) or `legacy` (a push price account).
    pub kind: String,
    /// Owning program (default: the Pyth receiver for `pull`).
    #[serde(default)]
    pub program: Option<String>,
    /// Feed id (64 hex digits) for `pull`; the price account's address for `legacy`.
    pub feed: String,
    pub max_age_secs: u32,
    pub liq_max_age_secs: u32,
    pub max_conf_bps: u32,
}

#[derive(Clone, Debug, Deserialize)]
pub struct UnderlyingFile {
    pub symbol: String,
    pub oracle: OracleFile,
    pub vol_updater: String,
    /// Quote native units.
    pub strike_tick: u64,
    /// Underlying units at exponent 6.
    pub contract_size: u64,
    /// Underlying units at exponent 6.
    pub open_interest_cap: u64,
    /// One writer's share of the cap (bps), reached in steps of 25 % after listing.
    #[serde(default)]
    pub writer_share_bps: Option<u32>,
    /// Fields of the margin parameters over the defaults (names as in `docs/governance.md`).
    #[serde(default)]
    pub margin: Map<String, Value>,
    /// ATM vols (bps) at the default tenors (7, 30, 90, 180 days); default: the fixture's.
    #[serde(default)]
    pub atm_vol_bps: Option<[u32; 4]>,
    #[serde(default = "default_max_age")]
    pub surface_max_age_secs: u32,
    #[serde(default = "default_max_change")]
    pub surface_max_change_bps: u32,
}

fn default_max_age() -> u32 {
    3_600
}
fn default_max_change() -> u32 {
    5_000
}

#[derive(Clone, Debug, Deserialize)]
pub struct CollateralFile {
    #[serde(flatten)]
    pub mint: MintConfig,
    /// `pegged`, or the symbol of a configured underlying whose oracle prices it.
    pub price_source: String,
    pub init_weight_bps: u16,
    pub maint_weight_bps: u16,
    pub deposit_cap: u64,
}

#[derive(Clone, Debug, Deserialize)]
pub struct DeployConfig {
    pub quote: MintConfig,
    /// The key deploying (creator and first admin); `--bank` uses a fresh funded key.
    #[serde(default)]
    pub creator: Option<String>,
    pub guardian: String,
    /// The multisig vault that becomes admin; `--bank` uses a fresh key standing for it.
    pub multisig_vault: String,
    /// Global parameters over `GlobalParams::DEFAULT`.
    #[serde(default)]
    pub params: Map<String, Value>,
    pub underlyings: Vec<UnderlyingFile>,
    #[serde(default)]
    pub collaterals: Vec<CollateralFile>,
}

/// Who signs a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The deploying key (creator and first admin), also the payer.
    Creator,
    /// The multisig vault (a Squads vault transaction).
    Vault,
    /// Anyone, after the timelock.
    AnyoneAfterTimelock,
}

/// What a step leaves on chain, so a run that was interrupted reads what exists and continues.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Done {
    /// The account the step creates exists.
    Exists(Pubkey),
    /// The underlying's per-writer share is at most this.
    ShareAtMost(Pubkey, u32),
    /// The clearing house's admin or pending admin is this key.
    AdminProposed(Pubkey),
    /// The clearing house's admin is this key.
    Admin(Pubkey),
    /// The queued change at this address is no longer queued (executed).
    Executed(Pubkey),
}

pub struct Step {
    pub what: String,
    pub role: Role,
    pub ix: Instruction,
    pub done: Done,
}

/// The addresses a plan is built with.
pub struct Keys {
    /// The program's deployment (`--program-id`; default the compiled id).
    pub program: ix::In,
    pub creator: Pubkey,
    pub vault: Pubkey,
    pub quote_mint: Pubkey,
    pub collateral_mints: Vec<Pubkey>,
}

fn key(what: &str, s: &str) -> Result<Pubkey> {
    Pubkey::from_str(s).map_err(|e| anyhow!("{what} {s}: {e}"))
}

fn oracle(o: &OracleFile) -> Result<OracleConfig> {
    let (kind, default_program) = match o.kind.as_str() {
        "pull" => (OracleKind::PullV2, Some(pyth_solana_receiver_sdk::ID)),
        "legacy" => (OracleKind::Legacy, None),
        k => bail!("oracle kind {k}: expected pull or legacy"),
    };
    let program = match (&o.program, default_program) {
        (Some(p), _) => key("oracle program", p)?,
        (None, Some(p)) => p,
        (None, None) => bail!("a legacy oracle needs its program"),
    };
    let mut v = GovValue::OracleConfig(OracleConfig {
        oracle_program: program,
        feed: [0; 32],
        max_age_secs: o.max_age_secs,
        liq_max_age_secs: o.liq_max_age_secs,
        max_conf_bps: o.max_conf_bps,
        kind: kind as u8,
        _padding: [0; 3],
    });
    gov::set_field(&mut v, "feed", &Value::String(o.feed.clone())).map_err(|e| anyhow!(e))?;
    let GovValue::OracleConfig(cfg) = v else {
        unreachable!()
    };
    Ok(cfg)
}

fn surface(u: &UnderlyingFile) -> StoredVolSurface {
    let mut s = fixtures::surface();
    if let Some(v) = u.atm_vol_bps {
        s.atm_vol_bps = v;
    }
    s
}

/// The deployment in order.
pub fn plan(cfg: &DeployConfig, k: &Keys) -> Result<Vec<Step>> {
    let mut params = GovValue::GlobalParams(GlobalParams::DEFAULT);
    for (name, v) in &cfg.params {
        gov::set_field(&mut params, name, v).map_err(|e| anyhow!("params: {e}"))?;
    }
    let GovValue::GlobalParams(params) = params else {
        unreachable!()
    };
    let p = k.program;
    let ch = p.clearinghouse_ref(k.quote_mint, k.creator, anchor_spl::token::ID);
    let c = ch.clearinghouse;
    let mut steps = vec![Step {
        done: Done::Exists(c),
        what: "initialize the clearing house (the deploying key is admin until the vault accepts)"
            .into(),
        role: Role::Creator,
        ix: p.initialize_clearinghouse(
            &ch,
            k.creator,
            InitializeClearinghouseArgs {
                admin: k.creator,
                guardian: key("guardian", &cfg.guardian)?,
                params,
            },
        ),
    }];
    let mut enabling = Vec::new();
    let mut symbols = Vec::new();
    for (i, u) in cfg.underlyings.iter().enumerate() {
        let id = i as u16;
        let mut args = fixtures::underlying_args(
            id,
            &u.symbol,
            oracle(&u.oracle)?,
            key("vol updater", &u.vol_updater)?,
            u.strike_tick,
            u.contract_size,
        );
        args.open_interest_cap = u.open_interest_cap;
        args.surface = surface(u);
        args.surface_max_age_secs = u.surface_max_age_secs;
        args.surface_max_change_bps = u.surface_max_change_bps;
        let mut margin = GovValue::MarginParams(args.margin);
        for (name, v) in &u.margin {
            gov::set_field(&mut margin, name, v)
                .map_err(|e| anyhow!("{} margin: {e}", u.symbol))?;
        }
        if let GovValue::MarginParams(m) = margin {
            args.margin = m;
        }
        let key_u = p.0.underlying(&c, id);
        steps.push(Step {
            what: format!("list underlying {} (id {id}, disabled)", u.symbol),
            role: Role::Creator,
            ix: p.list_underlying(c, k.creator, k.creator, args),
            done: Done::Exists(key_u),
        });
        // lower the per-writer share below the listing's 25 % in steps of at most 25 percentage
        // points (each a tightening, at once); a share above it would be a loosening, queued by
        // `greekhouse gov propose`, not here
        let mut share = greekhouse::constants::governance::DEFAULT_WRITER_OPEN_INTEREST_SHARE_BPS;
        let target_share = u.writer_share_bps.unwrap_or(share);
        while share > target_share {
            share = share.saturating_sub(2_500).max(target_share);
            steps.push(Step {
                what: format!(
                    "{}: one writer's share of the OI cap to {share} bps",
                    u.symbol
                ),
                role: Role::Creator,
                done: Done::ShareAtMost(key_u, share),
                ix: p.queue_change(
                    c,
                    k.creator,
                    k.creator,
                    0, // a tightening does not use the change address
                    ChangeTarget::underlying(key_u),
                    GovValue::OpenInterest(OpenInterestLimits {
                        open_interest_cap: u.open_interest_cap,
                        writer_share_bps: share,
                        _padding: 0,
                    }),
                ),
            });
        }
        enabling.push((
            format!("underlying {}", u.symbol),
            ChangeTarget::underlying(key_u),
            GovValue::UnderlyingEnabled(true),
        ));
        symbols.push((u.symbol.clone(), key_u));
    }
    for (a, mint) in cfg.collaterals.iter().zip(k.collateral_mints.iter()) {
        let (source, price_underlying) = match a.price_source.as_str() {
            "pegged" => (PriceSource::Pegged, None),
            sym => {
                let u = symbols
                    .iter()
                    .find(|(s, _)| s == sym)
                    .with_context(|| format!("collateral priced by unknown underlying {sym}"))?;
                (PriceSource::Underlying, Some(u.1))
            }
        };
        let asset = p.0.collateral_asset(&c, mint);
        steps.push(Step {
            what: format!("list collateral {mint} (disabled)"),
            role: Role::Creator,
            done: Done::Exists(asset),
            ix: p.list_collateral(
                c,
                k.creator,
                k.creator,
                *mint,
                anchor_spl::token::ID,
                price_underlying,
                ListCollateralArgs {
                    price_source: source as u8,
                    init_weight_bps: a.init_weight_bps,
                    maint_weight_bps: a.maint_weight_bps,
                    deposit_cap: a.deposit_cap,
                },
            ),
        });
        enabling.push((
            format!("collateral {mint}"),
            ChangeTarget::collateral(asset, None),
            GovValue::CollateralEnabled(true),
        ));
    }
    // the enablings are queued in order: change ids 0, 1, ...
    for (id, (what, target, value)) in enabling.iter().enumerate() {
        steps.push(Step {
            what: format!("queue the enabling of {what} (change #{id}, loosening)"),
            role: Role::Creator,
            ix: p.queue_change(c, k.creator, k.creator, id as u64, *target, *value),
            done: Done::Exists(p.0.param_change(&c, id as u64)),
        });
    }
    steps.push(Step {
        what: "propose the multisig vault as admin".into(),
        role: Role::Creator,
        ix: p.propose_admin(c, k.creator, k.vault),
        done: Done::AdminProposed(k.vault),
    });
    steps.push(Step {
        what: "the vault accepts the admin role (Squads vault transaction)".into(),
        role: Role::Vault,
        ix: p.accept_admin(c, k.vault),
        done: Done::Admin(k.vault),
    });
    for (id, (what, target, _)) in enabling.iter().enumerate() {
        steps.push(Step {
            what: format!("execute the enabling of {what} (change #{id}) after the timelock"),
            role: Role::AnyoneAfterTimelock,
            ix: p.execute_change(c, k.vault, id as u64, *target),
            done: Done::Executed(p.0.param_change(&c, id as u64)),
        });
    }
    Ok(steps)
}

fn role_text(r: Role) -> &'static str {
    match r {
        Role::Creator => "creator",
        Role::Vault => "vault",
        Role::AnyoneAfterTimelock => "anyone after the timelock",
    }
}

fn step_json(s: &Step, vault: &Pubkey) -> Result<Value> {
    let mut v = json!({
        "what": s.what,
        "signer": role_text(s.role),
        "instruction": instruction_json(&s.ix),
    });
    if s.role != Role::Creator {
        let m = TransactionMessage::compile(vault, std::slice::from_ref(&s.ix))
            .map_err(|e| anyhow!("{e}"))?;
        v["squads_transaction_message_base58"] = Value::String(m.to_base58());
    }
    Ok(v)
}

pub fn run(args: DeployArgs) -> Result<ExitCode> {
    let text = std::fs::read_to_string(&args.config)
        .with_context(|| format!("cannot read {}", args.config.display()))?;
    let cfg: DeployConfig = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a deployment config", args.config.display()))?;
    if args.send.send {
        return crate::deploy_send::run(&args, &cfg, program_id(&args)?);
    }
    if args.bank {
        let report = run_on_bank(&cfg)?;
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    let need = |what: &str, v: &Option<String>| -> Result<Pubkey> {
        key(
            what,
            v.as_deref()
                .with_context(|| format!("--plan needs the {what} address in the config"))?,
        )
    };
    let keys = Keys {
        program: ix::In(pda::At(program_id(&args)?)),
        creator: need("creator", &cfg.creator)?,
        vault: key("multisig vault", &cfg.multisig_vault)?,
        quote_mint: need("quote mint", &cfg.quote.mint)?,
        collateral_mints: cfg
            .collaterals
            .iter()
            .map(|c| need("collateral mint", &c.mint.mint))
            .collect::<Result<_>>()?,
    };
    let steps = plan(&cfg, &keys)?;
    let out: Vec<Value> = steps
        .iter()
        .map(|s| step_json(s, &keys.vault))
        .collect::<Result<_>>()?;
    let ch = keys
        .program
        .0
        .clearinghouse(&keys.quote_mint, &keys.creator);
    let program = keys.program.program_id();
    println!(
        "{}",
        serde_json::to_string_pretty(&json!({
            "program_id": program.to_string(),
            "clearinghouse": ch.to_string(),
            "idl": crate::idl::plan_json(&program, &idl_json(&args, &program)?),
            "steps": out,
        }))?
    );
    Ok(ExitCode::SUCCESS)
}

/// The plan on the embedded bank: fresh mints, a funded creator, a fresh key for the vault.
fn run_on_bank(cfg: &DeployConfig) -> Result<Value> {
    use greekhouse_testkit::bank::BankChain;
    let err =
        |what: &'static str| move |e: greekhouse_sdk::chain::ChainError| anyhow!("{what}: {e}");
    let mut chain = BankChain::start().map_err(err("bank"))?;
    let creator = chain.funded_keypair(100_000_000_000).map_err(err("bank"))?;
    let vault = chain.funded_keypair(10_000_000_000).map_err(err("bank"))?;
    let authority = solana_keypair::Keypair::new();
    let spl = anchor_spl::token::ID;
    let quote_mint = chain
        .create_mint(&spl, cfg.quote.decimals, &authority.pubkey())
        .map_err(err("quote mint"))?;
    let mut collateral_mints = Vec::new();
    for c in &cfg.collaterals {
        collateral_mints.push(
            chain
                .create_mint(&spl, c.mint.decimals, &authority.pubkey())
                .map_err(err("collateral mint"))?,
        );
    }
    let keys = Keys {
        program: ix::In::COMPILED,
        creator: creator.pubkey(),
        vault: vault.pubkey(),
        quote_mint,
        collateral_mints,
    };
    let steps = plan(cfg, &keys)?;
    let mut timelock_passed = false;
    let mut done = Vec::new();
    for s in &steps {
        match s.role {
            Role::Creator => chain.send(std::slice::from_ref(&s.ix), &[&creator]),
            Role::Vault => {
                // as the multisig would: decode the Squads message and execute it as the vault
                let m = TransactionMessage::compile(&vault.pubkey(), std::slice::from_ref(&s.ix))
                    .map_err(|e| anyhow!("{e}"))?;
                let ixs = TransactionMessage::from_base58(&m.to_base58())
                    .and_then(|m| m.instructions())
                    .map_err(|e| anyhow!("{e}"))?;
                chain.send(&ixs, &[&vault])
            }
            Role::AnyoneAfterTimelock => {
                if !timelock_passed {
                    let ch = chain
                        .account(&pda::clearinghouse(&quote_mint, &creator.pubkey()))
                        .map_err(err("bank"))?
                        .context("clearing house")?;
                    let ch = greekhouse_sdk::accounts::clearinghouse(&ch.data)
                        .map_err(|e| anyhow!("{e}"))?;
                    chain
                        .advance(ch.params.timelock_secs as i64)
                        .map_err(err("bank"))?;
                    timelock_passed = true;
                }
                chain.send(std::slice::from_ref(&s.ix), &[&vault])
            }
        }
        .map_err(|e| anyhow!("step \"{}\": {e}", s.what))?;
        done.push(s.what.clone());
    }
    let c = pda::clearinghouse(&quote_mint, &creator.pubkey());
    let ch = chain
        .account(&c)
        .map_err(err("bank"))?
        .context("clearing house")?;
    let ch = greekhouse_sdk::accounts::clearinghouse(&ch.data).map_err(|e| anyhow!("{e}"))?;
    let mut underlyings = Vec::new();
    for (i, u) in cfg.underlyings.iter().enumerate() {
        let key = pda::underlying(&c, i as u16);
        let a = chain
            .account(&key)
            .map_err(err("bank"))?
            .context("underlying")?;
        let s = greekhouse_sdk::accounts::underlying(&a.data).map_err(|e| anyhow!("{e}"))?;
        underlyings.push(json!({
            "symbol": u.symbol,
            "address": key.to_string(),
            "enabled": s.is_enabled(),
            "open_interest_cap": s.open_interest_cap,
            "writer_open_interest_share_bps": s.writer_open_interest_share_bps,
            "vol_updater": s.vol_updater.to_string(),
        }));
    }
    let mut collaterals = Vec::new();
    for mint in &keys.collateral_mints {
        let key = pda::collateral_asset(&c, mint);
        let a = chain
            .account(&key)
            .map_err(err("bank"))?
            .context("collateral")?;
        let s = greekhouse_sdk::accounts::collateral_asset(&a.data).map_err(|e| anyhow!("{e}"))?;
        collaterals.push(json!({
            "mint": mint.to_string(),
            "address": key.to_string(),
            "enabled": s.is_enabled(),
            "init_weight_bps": s.init_weight_bps,
            "maint_weight_bps": s.maint_weight_bps,
            "price_underlying": s.price_underlying.to_string(),
        }));
    }
    Ok(json!({
        "clearinghouse": c.to_string(),
        "creator": creator.pubkey().to_string(),
        "vault": vault.pubkey().to_string(),
        "admin": ch.admin.to_string(),
        "pending_admin": ch.pending_admin.to_string(),
        "guardian": ch.guardian.to_string(),
        "timelock_secs": ch.params.timelock_secs,
        "change_count": ch.change_count,
        "quote_mint": quote_mint.to_string(),
        "underlyings": underlyings,
        "collaterals": collaterals,
        "steps": done,
    }))
}
