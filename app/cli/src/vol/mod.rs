//! `greekhouse vol publish`: the vol updater publishes an underlying's vol surface from a file of
//! quotes (`--quotes`) or a parametrised smile (`--smile`), clipped to what `set_vol_surface`
//! accepts now (`greekhouse_sdk::vol_surface`: every clip is printed), through the SDK's
//! `ix::set_vol_surface`; `--watch` publishes again every `--interval` seconds, re-reading the
//! file, so the surface never goes stale (`surface_max_age_secs`).

mod source;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, Subcommand};
use greekhouse::state::{StoredVolSurface, Underlying};
use greekhouse_sdk::chain::Chain;
use greekhouse_sdk::rpc::{RpcChain, RpcConfig};
use greekhouse_sdk::{accounts, ix, vol_surface, Pubkey};
use serde_json::{json, Value};
use solana_keypair::Keypair;
use solana_signer::Signer;

use crate::account::{cluster, Output, REFUSED};
use crate::node;
use source::Source;

#[derive(Args, Debug)]
pub struct VolArgs {
    #[command(subcommand)]
    pub command: VolCommand,
}

#[derive(Subcommand, Debug)]
pub enum VolCommand {
    /// Publish an underlying's vol surface (signed by its vol updater).
    Publish(PublishArgs),
}

#[derive(Args, Debug)]
pub struct PublishArgs {
    /// The underlying: its symbol (SOL) or address.
    #[arg(long)]
    pub underlying: String,
    /// A parametrised smile: per tenor `atm`, `skew`, `curvature` (docs/cli.md).
    #[arg(long, conflicts_with = "quotes", required_unless_present = "quotes")]
    pub smile: Option<PathBuf>,
    /// Implied-vol quotes, fitted to the surface's shape (docs/cli.md).
    #[arg(long)]
    pub quotes: Option<PathBuf>,
    /// Publish again every `--interval` seconds until stopped, re-reading the file each time.
    #[arg(long)]
    pub watch: bool,
    #[arg(long, default_value_t = 600)]
    pub interval: u64,
    /// Cluster (moniker or URL); default the Solana CLI config file's.
    #[arg(short = 'u', long = "url")]
    pub url: Option<String>,
    /// The vol updater's key: a keypair file or `prompt://`; default the Solana CLI config's.
    #[arg(short = 'k', long)]
    pub keypair: Option<String>,
    #[arg(short = 'C', long)]
    pub config: Option<PathBuf>,
    /// The clearing house (default: $GREEKHOUSE_CLEARINGHOUSE).
    #[arg(long)]
    pub clearinghouse: Option<String>,
    #[arg(long, value_enum, default_value_t = Output::Display)]
    pub output: Output,
}

pub fn run(args: VolArgs) -> Result<ExitCode> {
    match args.command {
        VolCommand::Publish(p) => publish(p),
    }
}

struct Publisher {
    chain: RpcChain,
    url: String,
    signer: Keypair,
    underlying: Pubkey,
    symbol: String,
    output: Output,
}

fn connect(a: &PublishArgs) -> Result<Publisher> {
    let config = cluster::load_config(a.config.as_deref())?;
    let url = cluster::url(a.url.as_deref(), &config)?;
    node::check_url("--url", &url)?;
    let signer = cluster::keypair(a.keypair.as_deref(), &config)?;
    let named = a
        .clearinghouse
        .clone()
        .or_else(|| std::env::var("GREEKHOUSE_CLEARINGHOUSE").ok())
        .context(
            "no clearing house: pass --clearinghouse ADDRESS (or set GREEKHOUSE_CLEARINGHOUSE)",
        )?;
    let clearinghouse = crate::account::Session::address_of("--clearinghouse", &named)?;
    let mut chain = RpcChain::new(&url, signer.insecure_clone(), RpcConfig::default());
    let listed = greekhouse_sdk::oracle::underlyings(&mut chain, &clearinghouse)
        .map_err(|e| anyhow!("reading the underlyings of {clearinghouse} on {url}: {e}"))?;
    let symbol_of = |u: &Underlying| {
        String::from_utf8_lossy(&u.symbol)
            .trim_end_matches('\0')
            .to_string()
    };
    let (underlying, u) = listed
        .iter()
        .find(|(k, u)| k.to_string() == a.underlying || symbol_of(u) == a.underlying)
        .with_context(|| {
            let names: Vec<String> = listed.iter().map(|(_, u)| symbol_of(u)).collect();
            format!(
                "--underlying {}: not an underlying of {clearinghouse} (listed: {})",
                a.underlying,
                names.join(", ")
            )
        })?;
    Ok(Publisher {
        symbol: symbol_of(u),
        underlying: *underlying,
        chain,
        url,
        signer,
        output: a.output,
    })
}

fn publish(a: PublishArgs) -> Result<ExitCode> {
    let source = match (&a.smile, &a.quotes) {
        (Some(p), _) => Source::Smile(p),
        (None, Some(p)) => Source::Quotes(p),
        (None, None) => bail!("pass --smile FILE or --quotes FILE"),
    };
    let mut p = connect(&a)?;
    if !a.watch {
        return p.once(&source);
    }
    if a.interval == 0 {
        bail!("--interval must be at least one second");
    }
    loop {
        // a watch keeps going through refusals and node failures: the next round may pass
        if let Err(e) = p.once(&source) {
            eprintln!("error: {e:#}");
        }
        std::thread::sleep(Duration::from_secs(a.interval));
    }
}

fn pct(bps: i64) -> String {
    crate::fmt::decimal(i128::from(bps), 2, 2) + " %"
}

fn surface_json(s: &StoredVolSurface) -> Value {
    let tenors: Vec<Value> = (0..usize::from(s.tenor_count))
        .map(|i| json!({"seconds": s.tenor_secs[i], "atm_bps": s.atm_vol_bps[i]}))
        .collect();
    json!({"tenors": tenors, "skew_bps": s.skew_bps, "curvature_bps": s.smile_bps,
           "min_vol_bps": s.min_vol_bps})
}

impl Publisher {
    fn say(&self, line: impl AsRef<str>) {
        if self.output == Output::Display {
            println!("{}", line.as_ref());
        }
    }

    fn print(&self, doc: &Value) -> Result<()> {
        match self.output {
            Output::Display => {}
            Output::Json => println!("{}", serde_json::to_string_pretty(doc)?),
            Output::JsonCompact => println!("{doc}"),
        }
        Ok(())
    }

    /// One publication: read, clip, send.
    fn once(&mut self, source: &Source<'_>) -> Result<ExitCode> {
        let data = self
            .chain
            .account(&self.underlying)?
            .with_context(|| format!("no underlying {} on {}", self.underlying, self.url))?;
        let u = accounts::underlying(&data.data).map_err(|e| anyhow!("{e}"))?;
        let now = node::node_time(&mut self.chain, &self.url)?;
        let wanted = source.wanted(&u.surface)?;
        let mut doc = json!({
            "underlying": self.underlying.to_string(),
            "symbol": self.symbol,
            "wanted": surface_json(&wanted),
        });
        let refused = |doc: &mut Value, name: &str, this: &Self| -> Result<ExitCode> {
            doc["refused"] = json!({ "error": name });
            this.print(doc)?;
            eprintln!(
                "refused: the program would refuse this surface with {name}; nothing was sent"
            );
            Ok(ExitCode::from(REFUSED))
        };
        if u.vol_updater != self.signer.pubkey() {
            eprintln!(
                "{} is not the vol updater of {} ({})",
                self.signer.pubkey(),
                self.symbol,
                u.vol_updater
            );
            return refused(&mut doc, "NotVolUpdater", self);
        }
        let bounded = match vol_surface::within_bounds(&u, &wanted, now) {
            Ok(b) => b,
            Err(greekhouse_sdk::margin::MarginError::Refused { name, .. }) => {
                return refused(&mut doc, &name, self)
            }
            Err(e) => bail!("{e}"),
        };
        for c in &bounded.clips {
            self.say(format!(
                "clipped {}: wanted {}, publishing {} ({} bound)",
                c.field,
                pct(c.wanted_bps),
                pct(c.published_bps),
                c.bound
            ));
        }
        let s = &bounded.surface;
        let atms: Vec<String> = (0..usize::from(s.tenor_count))
            .map(|i| {
                format!(
                    "{}d {}",
                    s.tenor_secs[i] as f64 / 86_400.0,
                    pct(i64::from(s.atm_vol_bps[i]))
                )
            })
            .collect();
        self.say(format!(
            "publishing the {} surface: ATM {}; skew {}, curvature {}, floor {}",
            self.symbol,
            atms.join(", "),
            pct(i64::from(s.skew_bps)),
            pct(i64::from(s.smile_bps)),
            pct(i64::from(s.min_vol_bps))
        ));
        doc["published"] = surface_json(s);
        doc["clipped"] = Value::Array(
            bounded
                .clips
                .iter()
                .map(|c| {
                    json!({"field": c.field, "wanted_bps": c.wanted_bps,
                                "published_bps": c.published_bps, "bound": c.bound})
                })
                .collect(),
        );
        let instruction = ix::set_vol_surface(self.underlying, self.signer.pubkey(), *s);
        match self.chain.send(&[instruction], &[]) {
            Ok(out) => {
                self.say("sent; events:");
                if self.output == Output::Display {
                    print!("{}", node::events_text(&out));
                }
                doc["events"] = node::events_json(&out);
                self.print(&doc)?;
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => match e.program_error_name() {
                Some(name) => refused(&mut doc, name, self),
                None => Err(node::send_error("set_vol_surface", &e)),
            },
        }
    }
}
