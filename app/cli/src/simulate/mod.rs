//! `greekhouse simulate`: the risk simulator (docs/simulator.md). Each run is the real program on
//! the embedded bank, driven by the scenario kit, the SDK and the liquidator bot; a seed makes a
//! run reproducible, many seeds give distributions. Output: `report.md`, `report.json` and SVG
//! charts in `--out DIR`.

pub mod config;
pub mod paths;
pub mod run;
pub mod svg;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{anyhow, Context, Result};
use serde_json::json;

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
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
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

pub fn run(args: SimulateArgs) -> Result<ExitCode> {
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "error");
    }
    // a bad study is refused before anything is run or written
    let study = study_from(&args)?;
    let total_runs = study.scenarios.len() * study.seeds as usize;
    let started = Instant::now();
    let mut results: Vec<RunResult> = Vec::new();
    let mut done_runs = 0usize;
    let mut shown = usize::MAX;
    for scenario in &study.scenarios {
        for seed in 0..study.seeds as u64 {
            let mut progress = |i: usize, n: usize| {
                if args.quiet {
                    return;
                }
                let frac = (done_runs as f64 + i as f64 / n as f64) / total_runs as f64;
                // redraw once per permille at most
                let permille = (frac * 1_000.0) as usize;
                if permille == shown {
                    return;
                }
                shown = permille;
                let filled = (frac * 30.0) as usize;
                eprint!(
                    "\r[{}{}] {:5.1} %  {} seed {}   ",
                    "#".repeat(filled),
                    " ".repeat(30 - filled.min(30)),
                    frac * 100.0,
                    scenario.name,
                    seed
                );
                let _ = std::io::stderr().flush();
            };
            results.push(run::run(&study, scenario, seed, &mut progress)?);
            done_runs += 1;
        }
    }
    if !args.quiet {
        eprintln!();
    }
    let elapsed = started.elapsed().as_secs_f64();
    write_reports(&args.out, &study, &results, elapsed)?;
    println!(
        "{} runs, {} transactions in {:.1} s ({:.0} transactions per second); report in {}",
        results.len(),
        results.iter().map(|r| r.transactions).sum::<u64>(),
        elapsed,
        results.iter().map(|r| r.transactions).sum::<u64>() as f64 / elapsed.max(1e-9),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn mean(v: impl Iterator<Item = f64>) -> f64 {
    let (s, n) = v.fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    if n == 0 {
        0.0
    } else {
        s / n as f64
    }
}

fn write_reports(out: &Path, study: &Study, results: &[RunResult], elapsed: f64) -> Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let mut md = String::new();
    md.push_str("# Greekhouse risk simulation\n\n");
    md.push_str(&format!(
        "{} writers (books at {:.0} % of initial margin, {:.0} % on SOL collateral), {} days in {}-minute steps, an insurance fund staked with {} USDC, {} liquidator bots; {} seeds per scenario. Every action is a transaction of the real program on the embedded bank (`greekhouse simulate`, docs/simulator.md).\n\n",
        study.writers,
        study.book_fill * 100.0,
        study.sol_collateral_share * 100.0,
        study.days,
        study.step_minutes,
        study.fund_stake,
        study.bots.len(),
        study.seeds
    ));
    md.push_str("| scenario | liquidations | slices | mean discount | fund min (USDC) | P(fund exhausted) | fund paid | bankruptcies | backstop raised | holders' loss (haircuts) | series with a haircut |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    let mut per_scenario = Vec::new();
    let mut charts = String::new();
    for s in &study.scenarios {
        let rs: Vec<&RunResult> = results.iter().filter(|r| r.scenario == s.name).collect();
        let n = rs.len() as f64;
        let disc: Vec<f64> = rs
            .iter()
            .flat_map(|r| r.discounts.iter().cloned())
            .collect();
        let row = json!({
            "scenario": s.name,
            "runs": rs.len(),
            "liquidations_mean": mean(rs.iter().map(|r| r.liquidations as f64)),
            "slices_mean": mean(rs.iter().map(|r| r.slices as f64)),
            "discount_mean": mean(disc.iter().cloned()),
            "fund_min": rs.iter().map(|r| r.fund_min).fold(f64::INFINITY, f64::min),
            "p_fund_exhausted": rs.iter().filter(|r| r.fund_exhausted).count() as f64 / n,
            "fund_paid_mean": mean(rs.iter().map(|r| r.fund_paid)),
            "bankruptcies_mean": mean(rs.iter().map(|r| r.bankruptcies as f64)),
            "backstop_raised_mean": mean(rs.iter().map(|r| r.backstop_raised)),
            "bad_debt_mean": mean(rs.iter().map(|r| r.bad_debt)),
            "bad_debt_max": rs.iter().map(|r| r.bad_debt).fold(0.0, f64::max),
            "series_haircut_mean": mean(rs.iter().map(|r| r.haircuts.len() as f64)),
            "capital_greekhouse_im": mean(rs.iter().map(|r| r.capital_greekhouse)),
            "capital_opyn_naked": mean(rs.iter().map(|r| r.capital_opyn)),
            "capital_zeta_im": mean(rs.iter().map(|r| r.capital_zeta)),
        });
        md.push_str(&format!(
            "| {} | {:.1} | {:.1} | {:.1} % | {:.0} | {:.0} % | {:.0} | {:.1} | {:.0} | {:.0} (max {:.0}) | {:.1} |\n",
            s.name,
            row["liquidations_mean"].as_f64().unwrap_or(0.0),
            row["slices_mean"].as_f64().unwrap_or(0.0),
            row["discount_mean"].as_f64().unwrap_or(0.0) * 100.0,
            row["fund_min"].as_f64().unwrap_or(0.0),
            row["p_fund_exhausted"].as_f64().unwrap_or(0.0) * 100.0,
            row["fund_paid_mean"].as_f64().unwrap_or(0.0),
            row["bankruptcies_mean"].as_f64().unwrap_or(0.0),
            row["backstop_raised_mean"].as_f64().unwrap_or(0.0),
            row["bad_debt_mean"].as_f64().unwrap_or(0.0),
            row["bad_debt_max"].as_f64().unwrap_or(0.0),
            row["series_haircut_mean"].as_f64().unwrap_or(0.0),
        ));
        per_scenario.push(row);

        // charts of the scenario
        let slug: String = s
            .name
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { '-' })
            .collect();
        if let Some(first) = rs.first() {
            std::fs::write(
                out.join(format!("{slug}-price.svg")),
                svg::lines(
                    &format!(
                        "{}: SOL price, seed {} (circles: liquidations started)",
                        s.name, first.seed
                    ),
                    "USD",
                    std::slice::from_ref(&first.prices),
                    &first.liquidation_steps,
                ),
            )?;
        }
        let funds: Vec<Vec<f64>> = rs.iter().map(|r| r.fund.clone()).collect();
        std::fs::write(
            out.join(format!("{slug}-fund.svg")),
            svg::lines(
                &format!("{}: insurance fund, every seed", s.name),
                "USDC",
                &funds,
                &[],
            ),
        )?;
        let losses: Vec<f64> = rs.iter().map(|r| r.bad_debt + r.fund_paid).collect();
        std::fs::write(
            out.join(format!("{slug}-shortfall.svg")),
            svg::histogram(
                &format!(
                    "{}: shortfall per run (fund payments + holders' haircut loss)",
                    s.name
                ),
                "USDC",
                &losses,
                10,
            ),
        )?;
        charts.push_str(&format!(
            "\n### {0}\n\n![{0} price]({1}-price.svg)\n\n![{0} fund]({1}-fund.svg)\n\n![{0} shortfall]({1}-shortfall.svg)\n",
            s.name, slug
        ));
    }
    md.push_str("\n## Charts\n");
    md.push_str(&charts);
    md.push_str("\n## Capital for the same books at the start (USDC, mean over runs)\n\n| scenario | Greekhouse IM | Opyn naked | Zeta IM (mark + margin) |\n|---|---:|---:|---:|\n");
    for row in &per_scenario {
        md.push_str(&format!(
            "| {} | {:.0} | {:.0} | {:.0} |\n",
            row["scenario"].as_str().unwrap_or(""),
            row["capital_greekhouse_im"].as_f64().unwrap_or(0.0),
            row["capital_opyn_naked"].as_f64().unwrap_or(0.0),
            row["capital_zeta_im"].as_f64().unwrap_or(0.0),
        ));
    }
    let transactions: u64 = results.iter().map(|r| r.transactions).sum();
    md.push_str(&format!(
        "\n{} runs, {} transactions in {:.1} s ({:.0} transactions per second on this machine).\n\nColumns: *liquidations* started and *slices* bought per run (mean); *mean discount* of the slices; *fund min* over every run; *P(fund exhausted)*: share of runs whose fund fell to 1 % of its start; *fund paid*: to bidders for slices worth less than nothing and to series for unbacked contracts and unpaid debt; *backstop raised*: new fund shares sold to cover series; *holders' loss*: `(payout - final payout) x outstanding` summed over series with a haircut. The Opyn and Zeta figures use the parameters of `greekhouse margin --compare` (docs/risk-model.md, section 11).\n",
        results.len(),
        transactions,
        elapsed,
        transactions as f64 / elapsed.max(1e-9)
    ));
    std::fs::write(out.join("report.md"), md)?;
    let report = json!({
        "study": {
            "writers": study.writers, "days": study.days, "step_minutes": study.step_minutes,
            "seeds": study.seeds, "fund_stake": study.fund_stake, "book_fill": study.book_fill,
        },
        "scenarios": per_scenario,
        "runs": results,
        "elapsed_secs": elapsed,
        "transactions": transactions,
    });
    std::fs::write(
        out.join("report.json"),
        serde_json::to_string_pretty(&report)?,
    )?;
    Ok(())
}
