//! `greekhouse-liquidator --config FILE`: run the bot (docs/liquidator.md).
//! `greekhouse-liquidator --demo`: run it once against a crash on the embedded bank.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, Context, Result};
use clap::Parser;
use greekhouse_liquidator::{Config, Log, StderrLog};

#[derive(Parser, Debug)]
#[command(name = "greekhouse-liquidator", about = "Greekhouse liquidator bot")]
struct Args {
    /// The configuration file (TOML; see docs/liquidator.md).
    #[arg(long, value_name = "FILE", required_unless_present = "demo")]
    config: Option<PathBuf>,
    /// Run against a built-in crash on the embedded bank instead (no configuration needed).
    #[arg(long)]
    demo: bool,
    /// Stop after this many ticks (default: run until interrupted).
    #[arg(long)]
    ticks: Option<u64>,
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("greekhouse-liquidator: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(args: Args) -> Result<ExitCode> {
    if args.demo {
        return demo(args.ticks.unwrap_or(40));
    }
    let path = args.config.expect("clap requires --config without --demo");
    let cfg = Config::load(&path).map_err(|e| anyhow!("{e}"))?;
    let bytes = std::fs::read_to_string(&cfg.keypair)
        .with_context(|| format!("reading keypair {}", cfg.keypair.display()))?;
    let raw: Vec<u8> = serde_json::from_str(&bytes).context("keypair: a JSON array of 64 bytes")?;
    let _owner =
        solana_keypair::Keypair::try_from(raw.as_slice()).map_err(|e| anyhow!("keypair: {e}"))?;
    match cfg.backend {
        greekhouse_liquidator::config::Backend::Bank => Err(anyhow!(
            "backend.kind = \"bank\" runs inside the tests and the simulator; use --demo to watch the bot on the embedded bank"
        )),
        greekhouse_liquidator::config::Backend::Rpc { url } => Err(anyhow!(
            "backend.kind = \"rpc\" ({url}): the SDK's JSON-RPC backend is not built yet (see docs/liquidator.md)"
        )),
    }
}

/// A crash on the embedded bank and the bot working through it, one tick a minute.
fn demo(ticks: u64) -> Result<ExitCode> {
    use greekhouse_sdk::scenario::{Env, USDC};
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "error");
    }
    let mut env = Env::new();
    env.chain.set_quiet(true);
    let expiry = greekhouse_sdk::scenario::expiry_after(env.now(), 7);
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
    let mut log = StderrLog;
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
