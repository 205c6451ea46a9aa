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
    /// The oracle account to pass for each underlying (a pull feed's sponsored `PriceUpdateV2`
    /// account derives from its feed id, `greekhouse_sdk::pyth_pull::sponsored_feed_account`;
    /// the bot does not derive it yet, so it is named here).
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
    /// Send `check_margin` for an account whose margin status moved since its last check (the
    /// program then emits `MarginWarning`, for writers' alerts); costs a fee per crossing.
    pub warn: bool,
}

impl Default for Strategy {
    fn default() -> Self {
        Self {
            hurdle_bps: 200,
            min_gain: 0,
            start_liquidations: true,
            settle: true,
            warn: false,
        }
    }
}

/// Which chain to talk to: a node over JSON-RPC unless the file says otherwise (a file without
/// `[backend]` talks to a local validator at `http://127.0.0.1:8899`).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, tag = "kind", rename_all = "lowercase")]
pub enum Backend {
    /// The embedded bank (tests, simulator, the demo run of the binary).
    Bank,
    /// A cluster or a local validator over JSON-RPC (the SDK's `RpcChain`). The bot owner's
    /// key file and its writer account are the top-level `keypair` and `bidder_account`.
    Rpc {
        /// The node's JSON-RPC URL (http or https).
        url: String,
        /// Commitment of reads and confirmations: "processed", "confirmed" or "finalized".
        #[serde(default = "default_commitment")]
        commitment: String,
        /// Cap of the priority fee in micro-lamports per compute unit: each tick the bot pays
        /// the recent fees of the clearing house's accounts (`getRecentPrioritizationFees`, their
        /// 75th percentile) up to this; none when absent. Read as a signed integer (TOML's), so a
        /// negative value is refused here with the field's name.
        #[serde(default)]
        priority_fee_micro_lamports: Option<i64>,
        /// Timeout of one request to the node, in seconds.
        #[serde(default = "default_request_timeout")]
        request_timeout_secs: i64,
        /// Discover writer accounts through the node's websocket (`programSubscribe`) between
        /// full scans; false: a full scan (`getProgramAccounts`) every tick.
        #[serde(default = "default_websocket")]
        websocket: bool,
        /// The node's websocket URL; default derived from `url` as the Solana CLI does (`ws` for
        /// `http`, `wss` for `https`, an explicit port plus one).
        #[serde(default)]
        websocket_url: Option<String>,
        /// Seconds between full scans when the websocket feeds (1 to 3,600).
        #[serde(default = "default_full_scan_secs")]
        full_scan_secs: i64,
    },
}

impl Default for Backend {
    fn default() -> Self {
        Backend::Rpc {
            url: "http://127.0.0.1:8899".into(),
            commitment: default_commitment(),
            priority_fee_micro_lamports: None,
            request_timeout_secs: default_request_timeout(),
            websocket: default_websocket(),
            websocket_url: None,
            full_scan_secs: default_full_scan_secs(),
        }
    }
}

fn default_websocket() -> bool {
    true
}

fn default_full_scan_secs() -> i64 {
    60
}

/// The longest interval between full scans accepted.
pub const MAX_FULL_SCAN_SECS: i64 = 3_600;

fn default_commitment() -> String {
    "confirmed".into()
}

fn default_request_timeout() -> i64 {
    30
}

/// Commitment levels of the RPC backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Commitment {
    Processed,
    Confirmed,
    Finalized,
}

/// The checked settings of the RPC backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpcSettings {
    pub url: String,
    pub commitment: Commitment,
    pub priority_fee_micro_lamports: Option<u64>,
    pub request_timeout: std::time::Duration,
    /// Where to subscribe to writer accounts; `None`: a full scan every tick.
    pub websocket_url: Option<String>,
    pub full_scan_every: std::time::Duration,
}

/// The longest request timeout accepted: a longer one hides a dead node from the loop.
pub const MAX_REQUEST_TIMEOUT_SECS: i64 = 600;

fn rpc_settings(backend: &Backend) -> Result<Option<RpcSettings>, ConfigError> {
    let Backend::Rpc {
        url,
        commitment,
        priority_fee_micro_lamports,
        request_timeout_secs,
        websocket,
        websocket_url,
        full_scan_secs,
    } = backend
    else {
        return Ok(None);
    };
    let host = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"));
    if !host.is_some_and(|h| !h.is_empty() && !h.contains(char::is_whitespace)) {
        return Err(bad("backend.url", "must be an http(s) URL"));
    }
    let commitment = match commitment.as_str() {
        "processed" => Commitment::Processed,
        "confirmed" => Commitment::Confirmed,
        "finalized" => Commitment::Finalized,
        other => {
            return Err(bad(
                "backend.commitment",
                format!("{other:?}: must be \"processed\", \"confirmed\" or \"finalized\""),
            ))
        }
    };
    let priority_fee_micro_lamports = match priority_fee_micro_lamports {
        None => None,
        Some(fee) => Some(
            u64::try_from(*fee)
                .map_err(|_| bad("backend.priority_fee_micro_lamports", "must be >= 0"))?,
        ),
    };
    if !(1..=MAX_REQUEST_TIMEOUT_SECS).contains(request_timeout_secs) {
        return Err(bad(
            "backend.request_timeout_secs",
            format!("must be in 1..={MAX_REQUEST_TIMEOUT_SECS}"),
        ));
    }
    let secs = u64::try_from(*request_timeout_secs)
        .map_err(|_| bad("backend.request_timeout_secs", "must be > 0"))?;
    let websocket_url = match (websocket, websocket_url) {
        (false, _) => None,
        (true, Some(ws)) => {
            let host = ws
                .strip_prefix("ws://")
                .or_else(|| ws.strip_prefix("wss://"));
            if !host.is_some_and(|h| !h.is_empty() && !h.contains(char::is_whitespace)) {
                return Err(bad("backend.websocket_url", "must be a ws(s) URL"));
            }
            Some(ws.clone())
        }
        (true, None) => Some(
            greekhouse_sdk::account_feed::websocket_url(url)
                .ok_or_else(|| bad("backend.url", "no websocket URL derives from it"))?,
        ),
    };
    if !(1..=MAX_FULL_SCAN_SECS).contains(full_scan_secs) {
        return Err(bad(
            "backend.full_scan_secs",
            format!("must be in 1..={MAX_FULL_SCAN_SECS}"),
        ));
    }
    Ok(Some(RpcSettings {
        url: url.clone(),
        commitment,
        priority_fee_micro_lamports,
        request_timeout: std::time::Duration::from_secs(secs),
        websocket_url,
        full_scan_every: std::time::Duration::from_secs(full_scan_secs.unsigned_abs()),
    }))
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
    /// Most of a tick's independent transactions (liquidation starts, ends, bids on distinct
    /// accounts) unconfirmed at once (`Chain::send_many`); 1 sends one at a time.
    pub max_in_flight: usize,
}

/// The largest `run.max_in_flight` accepted.
pub const MAX_IN_FLIGHT: usize = 256;

impl Default for Run {
    fn default() -> Self {
        Self {
            interval_secs: 2,
            max_retries: 2,
            backoff_ms: 200,
            max_in_flight: 16,
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
    /// The RPC backend's checked settings (`backend.kind = "rpc"`).
    pub rpc: Option<RpcSettings>,
    pub run: Run,
}

impl Checked {
    /// The bot owner's key, from the `keypair` file; errors name the field.
    pub fn owner_keypair(&self) -> Result<solana_keypair::Keypair, ConfigError> {
        greekhouse_sdk::localnet::read_keypair(&self.keypair)
            .map_err(|e| bad("keypair", e.to_string()))
    }
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
        if !(1..=MAX_IN_FLIGHT).contains(&self.run.max_in_flight) {
            return Err(bad(
                "run.max_in_flight",
                format!("must be in 1..={MAX_IN_FLIGHT}"),
            ));
        }
        let rpc = rpc_settings(&self.backend)?;
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
            rpc,
            run: self.run,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RPC: &str = r#"
clearinghouse = "11111111111111111111111111111111"
quote_mint = "11111111111111111111111111111111"
creator = "11111111111111111111111111111111"
keypair = "keys/bot.json"
bidder_account = "11111111111111111111111111111111"
[backend]
kind = "rpc"
url = "http://127.0.0.1:8899"
commitment = "finalized"
priority_fee_micro_lamports = 5000
request_timeout_secs = 10
"#;

    #[test]
    fn an_rpc_backend_parses() {
        let cfg = Config::parse(RPC).unwrap();
        assert_eq!(
            cfg.rpc,
            Some(RpcSettings {
                url: "http://127.0.0.1:8899".into(),
                commitment: Commitment::Finalized,
                priority_fee_micro_lamports: Some(5_000),
                request_timeout: std::time::Duration::from_secs(10),
                websocket_url: Some("ws://127.0.0.1:8900".into()),
                full_scan_every: std::time::Duration::from_secs(60),
            })
        );
        // discovery: an explicit websocket, or none (a full scan every tick); bad values named
        let with = |extra: &str| Config::parse(&format!("{RPC}{extra}"));
        let rpc = with("websocket_url = \"wss://ws.example.com\"\nfull_scan_secs = 300\n")
            .unwrap()
            .rpc
            .unwrap();
        assert_eq!(rpc.websocket_url.as_deref(), Some("wss://ws.example.com"));
        assert_eq!(rpc.full_scan_every, std::time::Duration::from_secs(300));
        let rpc = with("websocket = false\n").unwrap().rpc.unwrap();
        assert_eq!(rpc.websocket_url, None);
        assert_eq!(
            with("websocket_url = \"http://x\"\n").unwrap_err().field,
            "backend.websocket_url"
        );
        assert_eq!(
            with("full_scan_secs = 0\n").unwrap_err().field,
            "backend.full_scan_secs"
        );
        assert_eq!(cfg.keypair, PathBuf::from("keys/bot.json"));
        // only the url is required: the rest has defaults
        let minimal = RPC
            .replace("commitment = \"finalized\"\n", "")
            .replace("priority_fee_micro_lamports = 5000\n", "")
            .replace("request_timeout_secs = 10\n", "");
        let rpc = Config::parse(&minimal).unwrap().rpc.unwrap();
        assert_eq!(rpc.commitment, Commitment::Confirmed);
        assert_eq!(rpc.priority_fee_micro_lamports, None);
        assert_eq!(rpc.request_timeout, std::time::Duration::from_secs(30));
        // without [backend]: a local validator over RPC
        let none = RPC.split("[backend]").next().unwrap().to_string();
        let rpc = Config::parse(&none).unwrap().rpc.unwrap();
        assert_eq!(rpc.url, "http://127.0.0.1:8899");
        // the bank backend has no RPC settings
        let bank = format!("{none}[backend]\nkind = \"bank\"\n");
        assert_eq!(Config::parse(&bank).unwrap().rpc, None);
    }

    #[test]
    fn a_bad_rpc_backend_names_its_field() {
        let field = |text: String| Config::parse(&text).unwrap_err().field;
        assert_eq!(
            field(RPC.replace("http://127.0.0.1:8899", "127.0.0.1:8899")),
            "backend.url"
        );
        assert_eq!(
            field(RPC.replace("http://127.0.0.1:8899", "http://")),
            "backend.url"
        );
        assert_eq!(
            field(RPC.replace("\"finalized\"", "\"final\"")),
            "backend.commitment"
        );
        assert_eq!(
            field(RPC.replace("= 5000", "= -1")),
            "backend.priority_fee_micro_lamports"
        );
        assert_eq!(
            field(RPC.replace("request_timeout_secs = 10", "request_timeout_secs = 0")),
            "backend.request_timeout_secs"
        );
        assert_eq!(
            field(RPC.replace("request_timeout_secs = 10", "request_timeout_secs = 601")),
            "backend.request_timeout_secs"
        );
        assert_eq!(
            field(RPC.replace("bidder_account = \"1111", "bidder_account = \"0000")),
            "bidder_account"
        );
        // the send window: 1 to 256, 16 by default
        assert_eq!(Config::parse(RPC).unwrap().run.max_in_flight, 16);
        let run = |n: &str| format!("{RPC}[run]\nmax_in_flight = {n}\n");
        assert_eq!(Config::parse(&run("1")).unwrap().run.max_in_flight, 1);
        assert_eq!(field(run("0")), "run.max_in_flight");
        assert_eq!(field(run("257")), "run.max_in_flight");
        // an unknown field of the backend is refused, with its line
        let unknown = RPC.replace("kind = \"rpc\"", "kind = \"rpc\"\nsurprise = 1");
        let e = Config::parse(&unknown).unwrap_err();
        assert!(e.problem.contains("surprise"), "{e}");
    }

    #[test]
    fn a_missing_keypair_file_names_its_field() {
        let cfg = Config::parse(&RPC.replace("keys/bot.json", "/nonexistent/bot.json")).unwrap();
        assert_eq!(cfg.owner_keypair().unwrap_err().field, "keypair");
    }
}
