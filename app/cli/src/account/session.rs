//! What every writer command starts from (the cluster, the signer, the clearing house and its
//! oracle accounts) and how it ends (a refusal with exit code 2, or the landed events).

use std::collections::HashMap;
use std::process::ExitCode;
use std::str::FromStr;

use anyhow::{anyhow, Context, Result};
use greekhouse::state::Clearinghouse;
use greekhouse_risk::MarginSummary;
use greekhouse_sdk::accrual;
use greekhouse_sdk::chain::Chain;
use greekhouse_sdk::hermes::Hermes;
use greekhouse_sdk::ix::ClearinghouseRef;
use greekhouse_sdk::margin::{MarginError, MarginInputs};
use greekhouse_sdk::projection::Projection;
use greekhouse_sdk::pyth_pull::{self, Posted};
use greekhouse_sdk::rpc::{RpcChain, RpcConfig};
use greekhouse_sdk::{accounts, oracle, pda, Instruction, Pubkey};
use serde_json::{json, Value};
use solana_keypair::Keypair;
use solana_signer::Signer;

use super::{cluster, Common, Output, REFUSED};
use crate::{fmt, node};

pub struct Session {
    pub url: String,
    pub chain: RpcChain,
    /// Owner of the writer account and fee payer.
    pub owner: Keypair,
    pub ch: ClearinghouseRef,
    pub state: Clearinghouse,
    /// The signer's writer account at `--index`.
    pub writer_account: Pubkey,
    pub index: u32,
    /// The oracle account of each underlying the chain or `--oracle` names.
    pub oracles: HashMap<Pubkey, Pubkey>,
    pub output: Output,
    /// `--post-price`: the Hermes endpoint to post pull-feed prices from.
    pub hermes: Option<String>,
}

/// Parse an address flag.
pub fn address(flag: &str, text: &str) -> Result<Pubkey> {
    Pubkey::from_str(text.trim()).map_err(|e| anyhow!("{flag} {text}: {e}"))
}

impl Session {
    /// Parse an address flag (for commands that share the writer commands' conventions).
    pub fn address_of(flag: &str, text: &str) -> Result<Pubkey> {
        address(flag, text)
    }

    pub fn connect(c: &Common) -> Result<Self> {
        let config = cluster::load_config(c.config.as_deref())?;
        let url = cluster::url(c.url.as_deref(), &config)?;
        node::check_url("--url", &url)?;
        let owner = cluster::keypair(c.keypair.as_deref(), &config)?;
        let named = c
            .clearinghouse
            .clone()
            .or_else(|| std::env::var("GREEKHOUSE_CLEARINGHOUSE").ok())
            .context(
                "no clearing house: pass --clearinghouse ADDRESS (or set GREEKHOUSE_CLEARINGHOUSE)",
            )?;
        let clearinghouse = address("--clearinghouse", &named)?;
        let mut chain = RpcChain::new(&url, owner.insecure_clone(), RpcConfig::default());
        let found = chain
            .account(&clearinghouse)
            .map_err(|e| anyhow!("--url {url}: {e}"))?
            .with_context(|| format!("no clearing house {clearinghouse} on {url}"))?;
        let state = accounts::clearinghouse(&found.data)
            .map_err(|e| anyhow!("{clearinghouse} is not a clearing house: {e}"))?;
        let ch = ClearinghouseRef {
            clearinghouse,
            quote_mint: state.quote_mint,
            quote_vault: state.quote_vault,
            quote_token_program: state.quote_token_program,
        };
        let given = node::parse_oracles(&c.oracles)?;
        let oracles = greekhouse_sdk::oracle::oracle_accounts(&mut chain, &clearinghouse, &given)
            .map_err(|e| anyhow!("reading the underlyings of {clearinghouse}: {e}"))?;
        Ok(Self {
            writer_account: pda::writer_account(&clearinghouse, &owner.pubkey(), c.index),
            index: c.index,
            url,
            chain,
            owner,
            ch,
            state,
            oracles,
            output: c.output,
            hermes: c.post_price.then(|| c.hermes.clone()),
        })
    }

    pub fn json(&self) -> bool {
        self.output != Output::Display
    }

    pub fn quote_decimals(&self) -> u32 {
        u32::from(self.state.quote_decimals)
    }

    /// Print a line of the human-readable output.
    pub fn say(&self, line: impl AsRef<str>) {
        if !self.json() {
            println!("{}", line.as_ref());
        }
    }

    pub fn now(&mut self) -> Result<i64> {
        node::node_time(&mut self.chain, &self.url)
    }

    /// The owner's associated token account of `mint`, and the instruction creating it when it
    /// does not exist yet.
    pub fn owner_token_account(
        &mut self,
        mint: &Pubkey,
        token_program: &Pubkey,
    ) -> Result<(Pubkey, Option<Instruction>)> {
        let me = self.owner.pubkey();
        let (ata, create) =
            greekhouse_sdk::localnet::associated_token_account(me, me, *mint, *token_program);
        let exists = self.chain.account(&ata)?.is_some();
        Ok((ata, (!exists).then_some(create)))
    }

    /// With `--post-price`: post the latest price of every pull-feed underlying among the
    /// margin layout of `writer` (as it stands) and `extra`, and read them from the posted
    /// accounts. Returns what to close afterwards (`None` without `--post-price` or pull feeds).
    pub fn post_prices(&mut self, writer: &Pubkey, extra: &[Pubkey]) -> Result<Option<Posted>> {
        let Some(hermes_url) = self.hermes.clone() else {
            return Ok(None);
        };
        let state = {
            let data = self
                .chain
                .account(writer)?
                .with_context(|| format!("no writer account {writer}"))?;
            accounts::writer_account(&data.data).map_err(|e| anyhow!("{writer}: {e}"))?
        };
        let layout = MarginInputs::fetch(&mut self.chain, &self.ch.clearinghouse, state, &|_| {
            Some(Pubkey::default())
        })
        .map_err(|e| anyhow!("the margin layout of {writer}: {e}"))?;
        let mut keys: Vec<Pubkey> = layout.underlyings.iter().map(|(k, _, _)| *k).collect();
        keys.extend_from_slice(extra);
        keys.sort();
        keys.dedup();
        let mut feeds = Vec::new();
        for key in keys {
            let data = self
                .chain
                .account(&key)?
                .with_context(|| format!("no underlying {key}"))?;
            let u = accounts::underlying(&data.data).map_err(|e| anyhow!("{key}: {e}"))?;
            if let Some(feed) = oracle::pull_feed_id(&u) {
                feeds.push((key, feed));
            }
        }
        if feeds.is_empty() {
            self.say("--post-price: no underlying of this action is on a Pyth pull feed");
            return Ok(None);
        }
        let ids: Vec<[u8; 32]> = feeds.iter().map(|(_, f)| *f).collect();
        let hermes = Hermes::new(&hermes_url, std::time::Duration::from_secs(20))
            .map_err(|e| anyhow!("--hermes: {e}"))?;
        let update = hermes.latest(&ids).map_err(|e| anyhow!("--hermes: {e}"))?;
        let posted = pyth_pull::post(&mut self.chain, &update, &ids)
            .map_err(|e| node::send_error("posting the Pyth update", &e))?;
        for (underlying, feed) in &feeds {
            let account = posted.account_of(feed).context("a posted feed")?;
            if let Some(m) = update.feed(feed).map(|f| &f.message) {
                self.say(format!(
                    "posted {} x 10^{} (published {}) for {underlying} into {account}",
                    m.price, m.exponent, m.publish_time
                ));
            }
            self.oracles.insert(*underlying, account);
        }
        Ok(Some(posted))
    }

    /// Close what `--post-price` posted (its rent back to the payer); a failure only warns.
    pub fn close_posted(&mut self, posted: Option<Posted>) {
        if let Some(p) = posted {
            if let Err(e) = self.chain.send(&p.cleanup, &[]) {
                eprintln!("warning: closing the posted price accounts failed: {e}");
            }
        }
    }

    /// The projected margin, printed, as JSON.
    /// A margin-checked action on writer account `account` (the signer's, or a vault's)
    /// projected by `project` on the account as its pending exercise accruals leave it (the
    /// SDK's `accrual::accrue_first`), with those accruals, which go first in the same
    /// transaction: without them the program refuses the action (`ExerciseNotAccrued`,
    /// docs/protocol.md 5b).
    pub fn after_accruals<T>(
        &mut self,
        account: Pubkey,
        what: &str,
        project: impl FnOnce(&mut Projection<'_, RpcChain>) -> Result<T, MarginError>,
    ) -> Result<(T, Vec<Instruction>)> {
        let (mut view, accruals) = accrual::accrue_first(&mut self.chain, &account)
            .map_err(|e| anyhow!("accruing {account}'s exercises: {e}"))?;
        let projected = project(&mut view).map_err(|e| anyhow!("{what}: {e}"))?;
        Ok((projected, accruals))
    }

    /// Say, and record in `doc` (`"accrued_first"`), the `n` accruals of `account` sent ahead
    /// of the action.
    pub fn accruals_first(&self, doc: &mut Value, account: &Pubkey, n: usize) {
        if n > 0 {
            self.say(format!(
                "{account}: accruing {n} American short(s) to their series' exercises first"
            ));
        }
        doc["accrued_first"] = json!(n);
    }

    pub fn margin(&self, label: &str, m: Option<&MarginSummary>) -> Value {
        let qd = self.quote_decimals();
        let Some(m) = m else {
            self.say(format!(
                "{label}: none computed (no shorts or debt, refused before pricing, or no price)"
            ));
            return Value::Null;
        };
        self.say(format!(
            "{label}: equity at IM {}, at MM {} (IM requirement {}, liability {})",
            fmt::money(m.initial.equity, qd),
            fmt::money(m.maintenance.equity, qd),
            fmt::money(m.initial.requirement, qd),
            fmt::money(m.liability, qd),
        ));
        json!({
            "initial_equity": fmt::money_f64(m.initial.equity, qd),
            "maintenance_equity": fmt::money_f64(m.maintenance.equity, qd),
            "initial_requirement": fmt::money_f64(m.initial.requirement, qd),
            "liability": fmt::money_f64(m.liability, qd),
        })
    }

    /// Send `instructions` unless the projection says the program refuses them; print the
    /// verdict and the landed events; the document (`doc`) gains `refused` or `events`.
    pub fn conclude(
        &mut self,
        mut doc: Value,
        refusal: Option<MarginError>,
        instructions: &[Instruction],
        extra_signers: &[&Keypair],
    ) -> Result<ExitCode> {
        if let Some(e) = refusal {
            let (name, code) = match &e {
                MarginError::Refused { name, code } => (name.clone(), Some(*code)),
                other => (other.to_string(), None),
            };
            doc["refused"] = json!({ "error": name, "code": code });
            if self.json() {
                self.print(&doc)?;
            }
            eprintln!("refused: the program would refuse this with {name}; nothing was sent");
            return Ok(ExitCode::from(REFUSED));
        }
        let owner = self.owner.insecure_clone();
        let mut signers: Vec<&Keypair> = vec![&owner];
        signers.extend_from_slice(extra_signers);
        match self.chain.send(instructions, &signers) {
            Ok(out) => {
                self.say("sent; events:");
                if !self.json() {
                    print!("{}", node::events_text(&out));
                }
                doc["events"] = node::events_json(&out);
                if self.json() {
                    self.print(&doc)?;
                }
                Ok(ExitCode::SUCCESS)
            }
            // the node refused what the projection passed (the state moved in between): still
            // the program's refusal, by name
            Err(e) if e.program_error_name().is_some() => {
                let name = e.program_error_name().unwrap_or_default();
                doc["refused"] = json!({ "error": name, "code": e.custom_code(), "by": "node" });
                if self.json() {
                    self.print(&doc)?;
                }
                eprintln!("refused by the program: {name} ({e})");
                Ok(ExitCode::from(REFUSED))
            }
            Err(e) => Err(node::send_error("sending", &e)),
        }
    }

    pub fn print(&self, doc: &Value) -> Result<()> {
        let text = match self.output {
            Output::JsonCompact => serde_json::to_string(doc)?,
            _ => serde_json::to_string_pretty(doc)?,
        };
        println!("{text}");
        Ok(())
    }
}
