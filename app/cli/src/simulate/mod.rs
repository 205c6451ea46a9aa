//! `greekhouse simulate`: the risk simulator (docs/simulator.md). Each run is the real program on
//! the embedded bank, driven by the scenario kit, the SDK and the liquidator bot; a seed makes a
//! run reproducible, many seeds give distributions. Output: `report.md`, `report.json` and SVG
//! charts in `--out DIR`.

pub mod charts;
pub mod config;
pub mod economics;
pub mod ledger;
pub mod paths;
pub mod population;
pub mod report;
pub mod run;
pub mod stats;
pub mod vol;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{anyhow, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};

use config::{builtins, Study};
use run::RunResult;

#[derive(clap::Args, Debug)]
pub struct SimulateArgs {
    /// Output directory (created; existing report files are replaced).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// A study file (TOML; see docs/simulator.md). Without it, the built-in study.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Only these built-in scenarios (repeatable): gbm, jump, crash-40pct-6h,
    /// slide-65pct-3d-rebound, gap-down-at-expiry.
    #[arg(long = "scenario", value_name = "NAME")]
    scenarios: Vec<String>,
    /// Seeds per scenario (overrides the study).
    #[arg(long)]
    seeds: Option<u32>,
    /// Writers (overrides the study).
    #[arg(long)]
    writers: Option<u32>,
    /// Days simulated before the final settlement (overrides the study).
    #[arg(long)]
    days: Option<u32>,
    /// Keep every run's paths in report.json for the first N seeds of each scenario only (the
    /// tables use every run; a run's paths take about 140 KB of JSON). Default: every run.
    #[arg(long, value_name = "N")]
    json_runs: Option<u32>,
    /// Worker threads (default: the machine's cores); each run has its own bank.
    #[arg(long)]
    threads: Option<usize>,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
    /// Print the per-scenario summary as JSON on stdout (no progress bar).
    #[arg(long)]
    json: bool,
}

fn study_from(args: &SimulateArgs) -> Result<Study> {
    let mut study = match &args.config {
        Some(p) => {
            let text =
                std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            Study::parse(&text).map_err(|e| anyhow!("{e}"))?
        }
        None => Study::default(),
    };
    if !args.scenarios.is_empty() {
        let all = builtins();
        study.scenarios =
            args.scenarios
                .iter()
                .map(|n| {
                    all.iter().find(|s| &s.name == n).cloned().ok_or_else(|| {
                        anyhow!("config: scenario: no built-in scenario named {n:?}")
                    })
                })
                .collect::<Result<_>>()?;
    }
    if let Some(s) = args.seeds {
        study.seeds = s;
    }
    if let Some(w) = args.writers {
        study.writers = w;
    }
    if let Some(d) = args.days {
        study.days = d;
    }
    study.check().map_err(|e| anyhow!("{e}"))?;
    Ok(study)
}

/// Every (scenario, seed) of the study, run on `threads` threads; results in study order.
pub fn run_all(study: &Study, threads: usize, bar: &ProgressBar) -> Result<Vec<RunResult>> {
    let jobs: Vec<(usize, u64)> = (0..study.scenarios.len())
        .flat_map(|s| (0..study.seeds as u64).map(move |seed| (s, seed)))
        .collect();
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<RunResult>>>> =
        Mutex::new((0..jobs.len()).map(|_| None).collect());
    let steps = study.days as usize * 1_440 / study.step_minutes as usize;
    std::thread::scope(|scope| {
        for _ in 0..threads.clamp(1, jobs.len().max(1)) {
            scope.spawn(|| loop {
                let j = next.fetch_add(1, Ordering::Relaxed);
                let Some(&(s, seed)) = jobs.get(j) else {
                    return;
                };
                let mut progress = |i: usize, _n: usize| {
                    if i <= steps {
                        bar.inc(1);
                    }
                };
                let r = run::run(study, &study.scenarios[s], seed, &mut progress);
                let failed = r.is_err();
                if let Ok(mut all) = results.lock() {
                    all[j] = Some(r);
                }
                if failed {
                    // the others stop at their next job
                    next.store(jobs.len(), Ordering::Relaxed);
                    return;
                }
            });
        }
    });
    let all = results
        .into_inner()
        .map_err(|_| anyhow!("a run panicked"))?;
    all.into_iter()
        .flatten()
        .collect::<Result<Vec<_>>>()
        .and_then(|v| {
            if v.len() == jobs.len() {
                Ok(v)
            } else {
                Err(anyhow!(
                    "{} of {} runs did not finish",
                    jobs.len() - v.len(),
                    jobs.len()
                ))
            }
        })
}

pub fn run(args: SimulateArgs) -> Result<ExitCode> {
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "error");
    }
    // a bad study is refused before anything is run or written
    let study = study_from(&args)?;
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let total_runs = study.scenarios.len() * study.seeds as usize;
    let steps = study.days as u64 * 1_440 / study.step_minutes as u64;
    // indicatif draws on stderr only when it is a terminal
    let bar = if args.quiet || args.json {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(total_runs as u64 * steps)
    };
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {percent:>3} %  {msg} elapsed {elapsed}, eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(format!("{total_runs} runs on {threads} threads"));
    let started = Instant::now();
    let results = {
        // one silencer around the whole parallel section (those of the banks nest inside it)
        let _silenced = greekhouse_testkit::bank::SilencedStdout::new();
        run_all(&study, threads, &bar)
    };
    bar.finish_and_clear();
    let results = results?;
    let elapsed = started.elapsed().as_secs_f64();
    let summary = report::write(
        &args.out,
        &study,
        &results,
        elapsed,
        threads,
        args.json_runs,
    )?;
    let transactions: u64 = results.iter().map(|r| r.transactions).sum();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        println!(
            "{} runs on {} threads, {} transactions in {:.1} s ({:.0} transactions per second); report in {}",
            results.len(),
            threads,
            transactions,
            elapsed,
            transactions as f64 / elapsed.max(1e-9),
            args.out.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
