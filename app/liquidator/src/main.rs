//! `greekhouse-liquidator --config FILE [--ticks N] [--metrics-addr ADDR]`: run the bot against
//! the configured node (`backend.kind = "rpc"`, the default; docs/liquidator.md) until SIGINT or
//! SIGTERM, then print its counters. `greekhouse-liquidator --config FILE fund --amount N`:
//! open and fund its bidding account. `greekhouse-liquidator --demo`: run it once against a
//! crash on the embedded bank.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use greekhouse_liquidator::config::{Backend, Commitment, RpcSettings};
use greekhouse_liquidator::ops::{self, Status, TracingLog};
use greekhouse_liquidator::{Checked, Config, Log};
use greekhouse_sdk::accounts;
use greekhouse_sdk::rpc::{RpcChain, RpcConfig};
use greekhouse_sdk::Pubkey;
use solana_commitment_config::CommitmentConfig;

#[derive(Parser, Debug)]
#[command(name = "greekhouse-liquidator", about = "Greekhouse liquidator bot")]
struct Args {
    /// The configuration file (TOML; see docs/liquidator.md).
    #[arg(long, value_name = "FILE", required_unless_present = "demo")]
    config: Option<PathBuf>,
    /// Run against a built-in crash on the embedded bank instead (no configuration needed).
    #[arg(long)]
    demo: bool,
    /// Stop after this many ticks (default: run until SIGINT or SIGTERM).
    #[arg(long)]
    ticks: Option<u64>,
    /// Serve Prometheus `/metrics` and `/health` on this address (e.g. 0.0.0.0:9100).
    #[arg(long, value_name = "ADDR")]
    metrics_addr: Option<SocketAddr>,
    /// Log level (error, warn, info, debug, trace) or a `tracing` filter; `RUST_LOG` wins.
    #[arg(long, default_value = "info")]
    log_level: String,
    /// `json`: one JSON object a line (log collectors); `text`: for a terminal.
    #[arg(long, value_enum, default_value_t = LogFormat::Json)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum LogFormat {
    Json,
    Text,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Open the bidding account (`bidder_account`) if missing and deposit quote into it from
    /// the keypair's associated token account.
    Fund {
        /// Quote native units to deposit (0: only open).
        #[arg(long)]
        amount: u64,
    },
}

fn main() -> ExitCode {
    let args = Args::parse();
    if let Err(e) = ops::init_logs(&args.log_level, matches!(args.log_format, LogFormat::Json)) {
        eprintln!("greekhouse-liquidator: {e:#}");
        return ExitCode::from(2);
    }
    match run(args) {
        Ok(code) => code,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "stopped");
            eprintln!("greekhouse-liquidator: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(args: Args) -> Result<ExitCode> {
    if args.demo {
        #[cfg(feature = "bank")]
        return demo(args.ticks.unwrap_or(40));
        #[cfg(not(feature = "bank"))]
        return Err(anyhow!(
            "--demo runs on the embedded bank: build with the `bank` feature (on by default)"
        ));
    }
    let path = args
        .config
        .clone()
        .context("--config FILE is required (or --demo)")?;
    let cfg = Config::load(&path).map_err(|e| anyhow!("{}: {e}", path.display()))?;
    let owner = cfg.owner_keypair().map_err(|e| anyhow!("{e}"))?;
    let settings = match (&cfg.backend, &cfg.rpc) {
        (Backend::Rpc { .. }, Some(rpc)) => rpc.clone(),
        (Backend::Rpc { .. }, None) => bail!("backend: the rpc settings were not checked"),
        (Backend::Bank, _) => bail!(
            "backend.kind = \"bank\" runs inside the tests and the simulator; use --demo to watch the bot on the embedded bank"
        ),
    };
    match args.command {
        Some(Command::Fund { amount }) => {
            let mut chain = RpcChain::new(&settings.url, owner, rpc_config(&settings));
            let report = greekhouse_liquidator::fund::fund(&mut chain, &cfg, amount)?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(ExitCode::SUCCESS)
        }
        None => rpc_loop(&cfg, owner, &settings, args.ticks, args.metrics_addr),
    }
}

fn rpc_config(s: &RpcSettings) -> RpcConfig {
    let commitment = match s.commitment {
        Commitment::Processed => CommitmentConfig::processed(),
        Commitment::Confirmed => CommitmentConfig::confirmed(),
        Commitment::Finalized => CommitmentConfig::finalized(),
    };
    RpcConfig {
        commitment,
        request_timeout: s.request_timeout,
        priority_fee_micro_lamports: s.priority_fee_micro_lamports,
        ..RpcConfig::default()
    }
}

/// The bot's tick loop against a node: the configured accounts are checked on the node first,
/// so a wrong address fails at start with its field's name, not as errors every tick.
fn rpc_loop(
    cfg: &Checked,
    owner: solana_keypair::Keypair,
    settings: &RpcSettings,
    ticks: Option<u64>,
    metrics_addr: Option<SocketAddr>,
) -> Result<ExitCode> {
    use greekhouse_sdk::chain::Chain;
    use solana_signer::Signer;
    let url = &settings.url;
    let mut chain = RpcChain::new(url, owner.insecure_clone(), rpc_config(settings));
    let ch_ref =
        greekhouse_sdk::ix::ClearinghouseRef::new(cfg.quote_mint, cfg.creator, Pubkey::default());
    if ch_ref.clearinghouse != cfg.clearinghouse {
        bail!(
            "config: clearinghouse: {} is not the clearing house of quote_mint and creator ({})",
            cfg.clearinghouse,
            ch_ref.clearinghouse
        );
    }
    let ch = chain
        .account(&cfg.clearinghouse)
        .map_err(|e| anyhow!("backend.url {url}: {e}"))?
        .with_context(|| {
            format!(
                "config: clearinghouse: {} is not on {url}",
                cfg.clearinghouse
            )
        })?;
    let ch = accounts::clearinghouse(&ch.data).map_err(|e| {
        anyhow!(
            "config: clearinghouse: {} does not decode: {e}",
            cfg.clearinghouse
        )
    })?;
    let bidder = chain.account(&cfg.bidder_account)?.with_context(|| {
        format!(
            "config: bidder_account: {} is not on {url}",
            cfg.bidder_account
        )
    })?;
    let bidder = accounts::writer_account(&bidder.data)
        .map_err(|e| anyhow!("config: bidder_account: not a writer account: {e}"))?;
    if bidder.owner != owner.pubkey() || bidder.clearinghouse != cfg.clearinghouse {
        bail!(
            "config: bidder_account: {} belongs to {} in clearing house {}, not to the keypair's {} in {}",
            cfg.bidder_account,
            bidder.owner,
            bidder.clearinghouse,
            owner.pubkey(),
            cfg.clearinghouse
        );
    }
    // writer accounts by websocket between full scans (a full scan every tick without one)
    let commitment = rpc_config(settings).commitment;
    let mut chain = greekhouse_liquidator::discovery::writer_accounts(
        chain,
        &cfg.clearinghouse,
        settings.websocket_url.clone(),
        commitment,
        settings.full_scan_every,
    );
    let mut bot = greekhouse_liquidator::Bot::new(cfg, owner, ch.quote_token_program);
    let mut log = TracingLog;
    let interval = Duration::from_secs(cfg.run.interval_secs);
    let status = Arc::new(Mutex::new(Status {
        counters: bot.counters.clone(),
        last_tick: None,
        priority_fee: None,
        // a tick takes at most a few intervals; more and the bot is stuck or cut off
        stale_after: interval * 5 + settings.request_timeout * 2,
    }));
    let metrics = match metrics_addr {
        Some(addr) => Some(
            ops::serve(addr, Arc::clone(&status))
                .with_context(|| format!("--metrics-addr {addr}"))?,
        ),
        None => None,
    };
    let stop = ops::shutdown_flag().context("installing the SIGINT/SIGTERM handlers")?;
    log.log(
        "start",
        serde_json::json!({ "url": url, "clearinghouse": cfg.clearinghouse.to_string(),
                            "bidder_account": cfg.bidder_account.to_string(),
                            "metrics": metrics.map(|a| a.to_string()),
                            "priority_fee_cap": settings.priority_fee_micro_lamports }),
    );
    let mut done: u64 = 0;
    while !stop.load(Ordering::Relaxed) {
        // the priority fee: the node's recent fees on the clearing house, up to the cap
        let fee = settings.priority_fee_micro_lamports.map(|cap| {
            match chain
                .inner_mut()
                .recent_prioritization_fees(&[cfg.clearinghouse])
            {
                Ok(recent) => ops::priority_fee(&recent, cap),
                Err(_) => cap,
            }
        });
        chain.inner_mut().config_mut().priority_fee_micro_lamports = fee.filter(|f| *f > 0);
        bot.tick(&mut chain, &mut log);
        done = done.saturating_add(1);
        let mut line = serde_json::to_value(&bot.counters)?;
        line["discovery"] = serde_json::to_value(&chain.stats)?;
        log.log("tick", line);
        {
            let mut s = status.lock().unwrap_or_else(|p| p.into_inner());
            s.counters = bot.counters.clone();
            s.last_tick = Some(Instant::now());
            s.priority_fee = fee;
        }
        if ticks.is_some_and(|n| done >= n) {
            break;
        }
        ops::sleep_unless(&stop, interval);
    }
    let reason = if stop.load(Ordering::Relaxed) {
        "signal"
    } else {
        "--ticks"
    };
    log.log(
        "stop",
        serde_json::json!({ "reason": reason, "counters": bot.counters }),
    );
    println!("{}", serde_json::to_string_pretty(&bot.counters)?);
    Ok(ExitCode::SUCCESS)
}

/// A crash on the embedded bank and the bot working through it, one tick a minute.
#[cfg(feature = "bank")]
fn demo(ticks: u64) -> Result<ExitCode> {
    use greekhouse_testkit::scenario::{Env, USDC};
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "error");
    }
    let mut env = Env::new();
    env.chain.set_quiet(true);
    let expiry = greekhouse_testkit::scenario::expiry_after(env.now(), 7);
    let sol = env.sol;
    let series = env
        .create_series(sol, 0, 150 * USDC, expiry)
        .map_err(|e| anyhow!("{e}"))?;
    for _ in 0..3 {
        let w = env.writer(10_000 * USDC, 0);
        env.deposit_quote(&w, 10_000 * USDC)
            .map_err(|e| anyhow!("{e}"))?;
        env.write_to_initial_margin(&w, &series)
            .map_err(|e| anyhow!("{e}"))?;
    }
    let bidder = env.writer(1_000_000 * USDC, 0);
    env.deposit_quote(&bidder, 1_000_000 * USDC)
        .map_err(|e| anyhow!("{e}"))?;
    let mut bot = greekhouse_liquidator::bot_for_scenario(&env, &bidder);
    let mut log = TracingLog;
    let p = env.sol_price;
    env.move_sol(p * 115 / 100);
    log.log(
        "crash",
        serde_json::json!({ "sol_usd": env.sol_price as f64 / 1e8 }),
    );
    for _ in 0..ticks {
        bot.tick(&mut env.chain, &mut log);
        env.advance(60);
        env.publish_prices();
    }
    println!("{}", serde_json::to_string_pretty(&bot.counters)?);
    Ok(ExitCode::SUCCESS)
}
