//! The bot's configuration file (TOML). Every field is checked when the file is read; a bad
//! file is refused with the field's name, before the bot touches the chain.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anchor_lang::prelude::Pubkey;
use serde::Deserialize;

/// The whole file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The clearing house to watch.
    pub clearinghouse: String,
    /// The quote mint of the clearing house.
    pub quote_mint: String,
    /// The clearing house's creator (part of its address).
    pub creator: String,
    /// Path of the keypair (JSON array of 64 bytes, as `solana-keygen` writes) that owns the
    /// bidding writer account and signs.
    pub keypair: PathBuf,
    /// The writer account the bot bids from (funded beforehand).
    pub bidder_account: String,
    /// The oracle account to pass for each underlying (pull-feed `PriceUpdateV2` accounts are
    /// not derivable from the underlying).
    #[serde(default)]
    pub oracles: BTreeMap<String, String>,
    #[serde(default)]
    pub limits: Limits,
    #[serde(default)]
    pub strategy: Strategy,
    #[serde(default)]
    pub backend: Backend,
    #[serde(default)]
    pub run: Run,
}

/// Capital and risk limits of the bidding account.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Largest share of an account one bid takes (0, 1].
    pub max_fraction_per_bid: f64,
    /// Equity at IM (quote native) the bidding account keeps after a bid.
    pub min_initial_equity_after: i64,
    /// Largest payment of one bid (quote native).
    pub max_payment_per_bid: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_fraction_per_bid: 1.0,
            min_initial_equity_after: 0,
            max_payment_per_bid: i64::MAX,
        }
    }
}

/// When a bid is worth it (docs/liquidator.md).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Strategy {
    /// The bid's gain at mark must be at least this share of the risk it takes on
    /// (`fraction * (addon_MM + |MtM|)`), in bps.
    pub hurdle_bps: u32,
    /// ... and at least this much quote (native).
    pub min_gain: i64,
    /// Start liquidations (and collect the tip).
    pub start_liquidations: bool,
    /// Run the settlement cranks after expiries.
    pub settle: bool,
}

impl Default for Strategy {
    fn default() -> Self {
        Self {
            hurdle_bps: 200,
            min_gain: 0,
            start_liquidations: true,
            settle: true,
        }
    }
}

/// Which chain to talk to.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, tag = "kind", rename_all = "lowercase")]
pub enum Backend {
    /// The embedded bank (tests, simulator, the demo run of the binary).
    #[default]
    Bank,
    /// A cluster over JSON-RPC (the SDK's RPC backend).
    Rpc { url: String },
}

/// The loop.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Run {
    /// Seconds between ticks.
    pub interval_secs: u64,
    /// Retries of a failed send before the error is counted and the account skipped this tick.
    pub max_retries: u32,
    /// First backoff after an error (doubles per retry).
    pub backoff_ms: u64,
}

impl Default for Run {
    fn default() -> Self {
        Self {
            interval_secs: 2,
            max_retries: 2,
            backoff_ms: 200,
        }
    }
}

/// A configuration error, naming the field.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("config: {field}: {problem}")]
pub struct ConfigError {
    pub field: String,
    pub problem: String,
}

fn bad(field: &str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        field: field.into(),
        problem: problem.into(),
    }
}

fn key(field: &str, v: &str) -> Result<Pubkey, ConfigError> {
    Pubkey::from_str(v).map_err(|_| bad(field, format!("not a base58 public key: {v:?}")))
}

/// The checked configuration.
#[derive(Debug, Clone)]
pub struct Checked {
    pub clearinghouse: Pubkey,
    pub quote_mint: Pubkey,
    pub creator: Pubkey,
    pub keypair: PathBuf,
    pub bidder_account: Pubkey,
    pub oracles: BTreeMap<Pubkey, Pubkey>,
    pub limits: Limits,
    pub strategy: Strategy,
    pub backend: Backend,
    pub run: Run,
}

impl Config {
    /// Parse TOML text; every error names its field.
    pub fn parse(text: &str) -> Result<Checked, ConfigError> {
        let raw: Config = toml::from_str(text).map_err(|e| {
            let msg = e.message().to_string();
            let field = e
                .span()
                .map(|s| text[..s.start.min(text.len())].lines().count().to_string())
                .map(|line| format!("line {line}"))
                .unwrap_or_else(|| "file".into());
            bad(&field, msg)
        })?;
        raw.check()
    }

    /// Read and parse a file.
    pub fn load(path: &Path) -> Result<Checked, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| bad("file", format!("{}: {e}", path.display())))?;
        Self::parse(&text)
    }

    fn check(self) -> Result<Checked, ConfigError> {
        let l = &self.limits;
        if !(l.max_fraction_per_bid > 0.0 && l.max_fraction_per_bid <= 1.0) {
            return Err(bad("limits.max_fraction_per_bid", "must be in (0, 1]"));
        }
        if l.min_initial_equity_after < 0 {
            return Err(bad("limits.min_initial_equity_after", "must be >= 0"));
        }
        if l.max_payment_per_bid <= 0 {
            return Err(bad("limits.max_payment_per_bid", "must be > 0"));
        }
        if self.strategy.hurdle_bps > 10_000 {
            return Err(bad("strategy.hurdle_bps", "must be at most 10000"));
        }
        if self.run.interval_secs == 0 {
            return Err(bad("run.interval_secs", "must be > 0"));
        }
        if let Backend::Rpc { url } = &self.backend {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(bad("backend.url", "must be an http(s) URL"));
            }
        }
        let mut oracles = BTreeMap::new();
        for (u, o) in &self.oracles {
            let field = format!("oracles.{u}");
            oracles.insert(key(&field, u)?, key(&field, o)?);
        }
        Ok(Checked {
            clearinghouse: key("clearinghouse", &self.clearinghouse)?,
            quote_mint: key("quote_mint", &self.quote_mint)?,
            creator: key("creator", &self.creator)?,
            keypair: self.keypair,
            bidder_account: key("bidder_account", &self.bidder_account)?,
            oracles,
            limits: self.limits,
            strategy: self.strategy,
            backend: self.backend,
            run: self.run,
        })
    }
}
