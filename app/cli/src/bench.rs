//! `greekhouse bench liquidations`: the liquidator bot's throughput on a local validator when
//! one price update pushes many accounts below maintenance (docs/performance.md, "Liquidation
//! throughput on the local validator").
//!
//! One round per `--max-in-flight` value, each on a fresh local validator (`greekhouse-localnet`,
//! found as `greekhouse localnet` finds it) unless `--manifest` names a running one:
//! 1. `--accounts N` writer accounts are opened, funded and write the seeded SOL call up to
//!    just under initial margin (set up with `Chain::send_many`, 32 in flight);
//! 2. a bidding account for the bot gets 10,000,000 USDC;
//! 3. a probe finds the SOL price where the first account falls below maintenance (published
//!    step by step, then put back: nobody is liquidatable before the measured update);
//! 4. one update moves SOL 5 % past that price; the clock starts when it has landed;
//! 5. the bot (`greekhouse_liquidator::Bot`, `hurdle_bps = 0`, `run.max_in_flight` the round's
//!    value, over `RpcChain`, a full scan a tick) ticks back to back until every account's
//!    liquidation has ended.
//!
//! A keeper thread republishes the current SOL price every 5 s throughout (the test oracle's
//! prices go stale after 60 s for liquidations, as a live feed would not). Printed: the time
//! until every auction had started and until every account was back at its end level, ticks,
//! transactions the bot sent and how many failed, and its counters.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, Subcommand};
use greekhouse::oracle::PriceUse;
use greekhouse::state::WriterStatus;
use greekhouse_liquidator::{config, Bot, Counters, MemoryLog};
use greekhouse_sdk::chain::{Chain, TxRequest};
use greekhouse_sdk::localnet::{read_keypair, Manifest};
use greekhouse_sdk::rpc::{RpcChain, RpcConfig};
use greekhouse_sdk::{accounts, ix, pda};
use greekhouse_testkit::localnet::LocalnetProcess;
use greekhouse_testkit::scenario::{Env, Writer, SPL_TOKEN, USDC};
use serde::Serialize;
use solana_keypair::Keypair;
use solana_signer::Signer;

#[derive(Args, Debug)]
pub struct BenchArgs {
    #[command(subcommand)]
    pub what: BenchCommand,
}

#[derive(Subcommand, Debug)]
pub enum BenchCommand {
    /// One price update puts `--accounts` writer accounts below maintenance; the bot liquidates
    /// them all: time until every auction started and until every account is back at its end
    /// level, for each `--max-in-flight`.
    Liquidations(LiquidationsArgs),
}

#[derive(Args, Debug)]
pub struct LiquidationsArgs {
    /// Writer accounts pushed below maintenance by the one update.
    #[arg(long, default_value_t = 200)]
    pub accounts: usize,
    /// The bot's `run.max_in_flight` of each round, comma-separated (1: one transaction at a
    /// time, as the bot sent before `send_many`).
    #[arg(long, value_delimiter = ',', default_value = "1,16")]
    pub max_in_flight: Vec<usize>,
    /// A running local validator's manifest (`localnet.json`) instead of a fresh one per round
    /// (one round only: a round leaves the price moved and the accounts liquidated).
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    /// Quote each writer deposits (USDC).
    #[arg(long, default_value_t = 10_000)]
    pub deposit: u64,
    /// Give up on a round after this many seconds of the bot's work.
    #[arg(long, default_value_t = 3_600)]
    pub timeout_secs: u64,
    /// Print one JSON document instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// One tick of a round: how long it took and what the bot did in it.
#[derive(Debug, Serialize)]
pub struct TickFigure {
    pub secs: f64,
    pub started: u64,
    pub bids_won: u64,
    pub ended: u64,
    pub errors: u64,
}

/// One round's figures.
#[derive(Debug, Serialize)]
pub struct Round {
    pub accounts: usize,
    pub max_in_flight: usize,
    /// Opening, funding and writing the accounts (32 in flight).
    pub setup_secs: f64,
    /// From the landed price update until every account's auction had started.
    pub all_started_secs: f64,
    /// ... until every account was back at its end level (its liquidation ended).
    pub all_ended_secs: f64,
    pub ticks: u64,
    /// Each tick (the last one's check included in the time to the end).
    pub tick_figures: Vec<TickFigure>,
    /// Transactions the bot signed and sent (a re-signed one counts again).
    pub transactions_sent: u64,
    /// Errors the bot counted (failed sends, bids lost included, and failed projections).
    pub errors: u64,
    pub counters: Counters,
    /// SOL before and after the update (USD).
    pub sol_before: f64,
    pub sol_after: f64,
    pub contracts_per_account: u64,
}

pub fn run(args: BenchArgs) -> Result<ExitCode> {
    match args.what {
        BenchCommand::Liquidations(a) => liquidations(a),
    }
}

fn liquidations(a: LiquidationsArgs) -> Result<ExitCode> {
    if a.accounts == 0 {
        bail!("--accounts must be at least 1");
    }
    if a.max_in_flight.contains(&0) {
        bail!("--max-in-flight values must be at least 1");
    }
    if a.manifest.is_some() && a.max_in_flight.len() != 1 {
        bail!("--manifest runs one round: give one --max-in-flight value");
    }
    let mut rounds = Vec::new();
    for &window in &a.max_in_flight {
        let round = match &a.manifest {
            Some(path) => {
                let m = Manifest::load(path).map_err(|e| anyhow!("{}: {e}", path.display()))?;
                round(&m, &a, window)?
            }
            None => {
                let dir = std::env::temp_dir()
                    .join(format!("greekhouse-bench-{}-{window}", std::process::id()));
                let _ = std::fs::remove_dir_all(&dir);
                eprintln!("starting a local validator in {}", dir.display());
                // (a start that exits at once is tried once more: seen once, while another
                // validator of the machine was stopping)
                let node = LocalnetProcess::spawn(&dir, Duration::from_secs(180))
                    .or_else(|_| {
                        std::thread::sleep(Duration::from_secs(2));
                        let _ = std::fs::remove_dir_all(&dir);
                        LocalnetProcess::spawn(&dir, Duration::from_secs(180))
                    })
                    .map_err(|e| anyhow!("cannot start the local validator: {e}"))?;
                let r = round(&node.manifest, &a, window);
                drop(node);
                let _ = std::fs::remove_dir_all(&dir);
                r?
            }
        };
        if !a.json {
            eprintln!(
                "max_in_flight {:>3}: all {} started after {:.1} s, all ended after {:.1} s, {} ticks, {} sent, {} errors",
                round.max_in_flight,
                round.accounts,
                round.all_started_secs,
                round.all_ended_secs,
                round.ticks,
                round.transactions_sent,
                round.errors
            );
            for (i, t) in round.tick_figures.iter().enumerate() {
                eprintln!(
                    "  tick {}: {:.1} s, {} started, {} bids won, {} ended, {} errors",
                    i + 1,
                    t.secs,
                    t.started,
                    t.bids_won,
                    t.ended,
                    t.errors
                );
            }
        }
        rounds.push(round);
    }
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({ "rounds": rounds }))?
        );
    } else {
        println!("| max_in_flight | accounts | all started | all ended | ticks | sent | errors | started | bids won | bids lost | ended |");
        println!("|---|---|---|---|---|---|---|---|---|---|---|");
        for r in &rounds {
            let c = &r.counters;
            println!(
                "| {} | {} | {:.1} s | {:.1} s | {} | {} | {} | {} | {} | {} | {} |",
                r.max_in_flight,
                r.accounts,
                r.all_started_secs,
                r.all_ended_secs,
                r.ticks,
                r.transactions_sent,
                r.errors,
                c.started,
                c.bids_won,
                c.bids_lost,
                c.ended
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Setup sends: this many in flight.
const SETUP_IN_FLIGHT: usize = 32;

fn attach(m: &Manifest) -> Result<Env<RpcChain>> {
    let faucet = read_keypair(&m.faucet_keypair)?;
    let chain = RpcChain::new(&m.rpc_url, faucet, RpcConfig::default());
    Ok(Env::attach(chain, m).map_err(|e| anyhow!("{e}"))?.0)
}

/// The SOL price, republished every few seconds by a thread of its own until dropped; a move
/// holds the lock, so a republication never lands the old price after a new one.
struct PriceKeeper {
    price: Arc<Mutex<i64>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl PriceKeeper {
    fn start(m: &Manifest, price: i64) -> Result<Self> {
        let mut env = attach(m)?;
        let price = Arc::new(Mutex::new(price));
        let stop = Arc::new(AtomicBool::new(false));
        let (p, s) = (Arc::clone(&price), Arc::clone(&stop));
        let thread = std::thread::spawn(move || {
            let sol = env.sol.key;
            while !s.load(Ordering::Relaxed) {
                {
                    let now = p.lock().unwrap_or_else(|e| e.into_inner());
                    // a failed republication is retried at the next turn
                    let _ = env.publish_price(&sol, *now);
                }
                for _ in 0..50 {
                    if s.load(Ordering::Relaxed) {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
        });
        Ok(Self {
            price,
            stop,
            thread: Some(thread),
        })
    }

    /// Publish `price` through `env` (landed when this returns) and keep it up from now on.
    fn set(&self, env: &mut Env<RpcChain>, price: i64) -> Result<()> {
        let mut now = self.price.lock().unwrap_or_else(|e| e.into_inner());
        let sol = env.sol.key;
        env.publish_price(&sol, price)
            .map_err(|e| anyhow!("publishing SOL at {price}: {e}"))?;
        *now = price;
        Ok(())
    }
}

impl Drop for PriceKeeper {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Open, fund and deposit `deposit` for `n` new writers, `SETUP_IN_FLIGHT` at a time.
fn open_writers(
    env: &mut Env<RpcChain>,
    m: &Manifest,
    n: usize,
    deposit: u64,
) -> Result<Vec<Writer>> {
    let owners: Vec<Keypair> = (0..n).map(|_| Keypair::new()).collect();
    let payer = env.chain.payer();
    let ch = m.clearinghouse;
    let ledger = m.quote_ledger();
    let auth = env.mint_authority.insecure_clone();
    let mut writers = Vec::with_capacity(n);
    let mut txs = Vec::with_capacity(n);
    for owner in &owners {
        let (quote_ata, create) = greekhouse_sdk::localnet::associated_token_account(
            payer,
            owner.pubkey(),
            m.quote.mint,
            m.quote.token_program,
        );
        let mint = anchor_spl::token_2022::spl_token_2022::instruction::mint_to(
            &m.quote.token_program,
            &m.quote.mint,
            &quote_ata,
            &auth.pubkey(),
            &[],
            deposit,
        )?;
        let account = pda::writer_account(&ch, &owner.pubkey(), 0);
        let open = ix::open_writer_account(ch, payer, owner.pubkey(), 0);
        let dep = ix::deposit(ch, account, owner.pubkey(), &ledger, quote_ata, deposit);
        txs.push(vec![create, mint, open, dep]);
        writers.push(Writer {
            owner: owner.insecure_clone(),
            account,
            quote_ata,
            sol_ata: pda::associated_token(&owner.pubkey(), &m.sol_collateral.mint, &SPL_TOKEN),
        });
    }
    let requests: Vec<TxRequest<'_>> = txs
        .into_iter()
        .zip(&owners)
        .map(|(ixs, owner)| TxRequest::new(ixs, vec![owner, &auth]))
        .collect();
    for (i, r) in env
        .chain
        .send_many(&requests, SETUP_IN_FLIGHT)
        .into_iter()
        .enumerate()
    {
        r.with_context(|| format!("opening writer {i}"))?;
    }
    env.writer_accounts
        .extend(writers.iter().map(|w| w.account));
    Ok(writers)
}

/// Every writer writes `contracts` of `series` into its own option token account.
fn write_all(
    env: &mut Env<RpcChain>,
    writers: &[Writer],
    series: &greekhouse_sdk::Pubkey,
    contracts: u64,
) -> Result<()> {
    let option_mint = env.series_state(series).option_mint;
    let payer = env.chain.payer();
    let mut requests = Vec::with_capacity(writers.len());
    for w in writers {
        let (recipient, create) = greekhouse_sdk::localnet::associated_token_account(
            payer,
            w.owner.pubkey(),
            option_mint,
            SPL_TOKEN,
        );
        let write = env.write_instruction(w, series, contracts, recipient);
        requests.push(TxRequest::new(vec![create, write], vec![&w.owner]));
    }
    for (i, r) in env
        .chain
        .send_many(&requests, SETUP_IN_FLIGHT)
        .into_iter()
        .enumerate()
    {
        r.with_context(|| format!("writer {i} writing {contracts} contracts"))?;
    }
    Ok(())
}

fn below_maintenance(env: &mut Env<RpcChain>, account: &greekhouse_sdk::Pubkey) -> bool {
    env.margin_for(account, PriceUse::Liquidation)
        .maintenance
        .equity
        .is_negative()
}

/// One round on the validator of `m`.
pub fn round(m: &Manifest, a: &LiquidationsArgs, window: usize) -> Result<Round> {
    let mut env = attach(m)?;
    let sol = env.sol.key;
    let base = env.sol_price;
    let keeper = PriceKeeper::start(m, base)?;
    keeper.set(&mut env, base)?;
    let series = m
        .series
        .iter()
        .find(|s| s.underlying == sol && s.kind.eq_ignore_ascii_case("call"))
        .map(|s| s.address)
        .unwrap_or(m.series[0].address);

    // the accounts, healthy at the current price, and the bot's bidding account
    let setup = Instant::now();
    let writers = open_writers(&mut env, m, a.accounts, a.deposit * USDC)?;
    let max = env.max_writable(&writers[0], &series);
    // just under initial margin: the clock moves between the projection and the landing
    let contracts = max - max / 50;
    if contracts == 0 {
        bail!("a {} USDC deposit writes no contract", a.deposit);
    }
    write_all(&mut env, &writers, &series, contracts)?;
    let bidder = &open_writers(&mut env, m, 1, 10_000_000 * USDC)?[0];
    env.chain
        .send(
            &[anchor_lang::solana_program::system_instruction::transfer(
                &env.chain.payer(),
                &bidder.owner.pubkey(),
                100_000_000_000,
            )],
            &[],
        )
        .context("funding the bot's fee payer")?;
    let setup_secs = setup.elapsed().as_secs_f64();

    // the price where the first account falls below maintenance, then back
    let mut probe = base;
    loop {
        probe += probe / 50;
        keeper.set(&mut env, probe)?;
        if below_maintenance(&mut env, &writers[0].account) {
            break;
        }
        if probe > base * 4 {
            bail!("the accounts never fell below maintenance");
        }
    }
    keeper.set(&mut env, base)?;
    if writers
        .iter()
        .take(3)
        .any(|w| below_maintenance(&mut env, &w.account))
    {
        bail!("an account is below maintenance before the update");
    }

    let mut bot = Bot {
        ch: env.ch,
        owner: bidder.owner.insecure_clone(),
        bidder_account: bidder.account,
        oracles: m.oracles(),
        limits: config::Limits::default(),
        // the discount starts small and the benchmark measures throughput: bid at any gain
        strategy: config::Strategy {
            hurdle_bps: 0,
            ..config::Strategy::default()
        },
        run: config::Run {
            max_in_flight: window,
            ..config::Run::default()
        },
        counters: Counters::default(),
    };
    let mut bot_chain = RpcChain::new(
        &m.rpc_url,
        bidder.owner.insecure_clone(),
        RpcConfig::default(),
    );

    // the one update
    let after = probe + probe / 20;
    keeper.set(&mut env, after)?;
    let clock = Instant::now();
    let keys: Vec<_> = writers.iter().map(|w| w.account).collect();
    let mut started: Vec<Option<f64>> = vec![None; keys.len()];
    let mut ended: Vec<Option<f64>> = vec![None; keys.len()];
    let mut all_started = None;
    let mut log = MemoryLog::default();
    let timeout = Duration::from_secs(a.timeout_secs);
    let mut tick_figures = Vec::new();
    let all_ended = loop {
        let (tick_start, before) = (Instant::now(), bot.counters.clone());
        bot.tick(&mut bot_chain, &mut log);
        let c = &bot.counters;
        tick_figures.push(TickFigure {
            secs: tick_start.elapsed().as_secs_f64(),
            started: c.started - before.started,
            bids_won: c.bids_won - before.bids_won,
            ended: c.ended - before.ended,
            errors: c.errors.values().sum::<u64>() - before.errors.values().sum::<u64>(),
        });
        log.0.clear();
        let at = clock.elapsed().as_secs_f64();
        for (i, account) in bot_chain.accounts(&keys)?.into_iter().enumerate() {
            let Some(w) = account.and_then(|a| accounts::writer_account(&a.data).ok()) else {
                continue;
            };
            let liquidating = w.status == WriterStatus::Liquidating as u8;
            if liquidating && started[i].is_none() {
                started[i] = Some(at);
            }
            if started[i].is_some()
                && !liquidating
                && w.liquidation.start_time == 0
                && ended[i].is_none()
            {
                ended[i] = Some(at);
            }
        }
        if all_started.is_none() && started.iter().all(Option::is_some) {
            all_started = Some(at);
        }
        if ended.iter().all(Option::is_some) {
            break at;
        }
        if clock.elapsed() > timeout {
            bail!(
                "after {:?}: {} of {} started, {} ended; counters {:?}",
                timeout,
                started.iter().flatten().count(),
                keys.len(),
                ended.iter().flatten().count(),
                bot.counters
            );
        }
    };
    drop(keeper);
    let errors = bot.counters.errors.values().sum();
    Ok(Round {
        accounts: keys.len(),
        max_in_flight: window,
        setup_secs,
        all_started_secs: all_started.unwrap_or(all_ended),
        all_ended_secs: all_ended,
        ticks: bot.counters.ticks,
        tick_figures,
        transactions_sent: bot_chain.transactions_sent(),
        errors,
        counters: bot.counters,
        sol_before: base as f64 / 1e8,
        sol_after: after as f64 / 1e8,
        contracts_per_account: contracts,
    })
}
