//! The Greekhouse liquidator bot (docs/liquidator.md): a loop that scans every writer account of
//! a clearing house, starts liquidations of accounts below maintenance (and of settlement debts
//! past their grace period), bids on the Dutch auction when the discount pays for a configured
//! hurdle, sized so its own account stays above initial margin, ends liquidations, and runs the
//! settlement cranks after expiries. It talks to the chain through the SDK's `Chain` trait (the
//! embedded bank in the tests and the simulator; a node through the SDK's `RpcChain` in the
//! binary, `backend.kind = "rpc"`), and computes every number with the program's own engine.

pub mod bot;
pub mod config;
pub mod discovery;
pub mod fund;
pub mod log;
pub mod ops;
pub mod settle;

pub use bot::{Bot, Counters, HealthMemo};
pub use config::{Checked, Config, ConfigError};
pub use log::{Log, MemoryLog, StderrLog};

use greekhouse_sdk::ix::ClearinghouseRef;
use solana_keypair::Keypair;

impl Bot {
    /// A bot from a checked configuration and its signing key.
    pub fn new(
        cfg: &Checked,
        owner: Keypair,
        quote_token_program: anchor_lang::prelude::Pubkey,
    ) -> Self {
        Self {
            ch: ClearinghouseRef::new(cfg.quote_mint, cfg.creator, quote_token_program),
            owner,
            bidder_account: cfg.bidder_account,
            oracles: cfg.oracles.clone(),
            limits: cfg.limits.clone(),
            strategy: cfg.strategy.clone(),
            run: cfg.run.clone(),
            counters: Counters::default(),
        }
    }
}

/// A bot on the scenario kit's world, bidding from `bidder` (the tests', the demo's and the
/// simulator's setup), with the default limits and strategy.
#[cfg(feature = "bank")]
pub fn bot_for_scenario(
    env: &greekhouse_testkit::scenario::Env,
    bidder: &greekhouse_testkit::scenario::Writer,
) -> Bot {
    let mut oracles = std::collections::BTreeMap::new();
    oracles.insert(env.sol.key, env.sol.oracle);
    oracles.insert(env.btc.key, env.btc.oracle);
    Bot {
        ch: env.ch,
        owner: bidder.owner.insecure_clone(),
        bidder_account: bidder.account,
        oracles,
        limits: config::Limits::default(),
        strategy: config::Strategy::default(),
        run: config::Run {
            interval_secs: 60,
            max_retries: 0,
            backoff_ms: 0,
            max_in_flight: 16,
        },
        counters: Counters::default(),
    }
}
