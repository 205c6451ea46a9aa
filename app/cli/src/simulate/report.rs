//! `report.md`, `report.json` and the charts of a study. Every rate comes with its 95 %
//! interval: Wilson's for proportions, a normal one for means.

use std::path::Path;

use anyhow::{anyhow, Context, Result};
use serde_json::{json, Value};

use super::charts;
use super::config::Study;
use super::economics::{self, RunFigures, Stratum};
use super::run::RunResult;
use super::stats::{mean, wilson, Estimate};

/// What the economics read of a run.
fn figures(r: &RunResult) -> RunFigures {
    RunFigures {
        paid: r.flows.paid(),
        liquidation_fees: r.flows.liquidation_fees,
        write_fees: r.flows.write_fees,
        fund_min: r.fund_min,
        fund_start: r.fund_start,
        stakers_return: r.stakers_return,
    }
}

/// Each scenario's runs with its weight in the study's regime mix (equal weights when the mix
/// names none of them).
fn strata(study: &Study, results: &[RunResult]) -> Vec<Stratum> {
    let named = study
        .scenarios
        .iter()
        .any(|s| study.regime_mix.contains_key(&s.name));
    study
        .scenarios
        .iter()
        .map(|s| Stratum {
            name: s.name.clone(),
            weight: if named {
                study.regime_mix.get(&s.name).copied().unwrap_or(0.0)
            } else {
                1.0
            },
            runs: results
                .iter()
                .filter(|r| r.scenario == s.name)
                .map(figures)
                .collect(),
        })
        .collect()
}

/// The fund's economics of one scenario.
fn scenario_summary(name: &str, rs: &[&RunResult], study: &Study) -> Value {
    let n = rs.len();
    let m = |f: &dyn Fn(&RunResult) -> f64| mean(&rs.iter().map(|r| f(r)).collect::<Vec<_>>());
    let p = |f: &dyn Fn(&RunResult) -> bool| wilson(rs.iter().filter(|r| f(r)).count(), n);
    let discounts: Vec<f64> = rs
        .iter()
        .flat_map(|r| r.flows.discounts.iter().cloned())
        .collect();
    let paid = m(&|r| r.flows.paid());
    let liq_fees = m(&|r| r.flows.liquidation_fees);
    let write_fees = m(&|r| r.flows.write_fees);
    let fee_bps = rs.first().map_or(0, |r| r.write_fee_bps) as f64;
    // this scenario alone, as if it were the whole year
    let alone = economics::mix_economics(
        &[Stratum {
            name: name.to_string(),
            weight: 1.0,
            runs: rs.iter().map(|r| figures(r)).collect(),
        }],
        study.days as f64,
        study.exhaustion_target,
        fee_bps,
    );
    json!({
        "scenario": name,
        "runs": n,
        "liquidations": m(&|r| r.liquidations as f64),
        "slices": m(&|r| r.flows.slices as f64),
        "discount": mean(&discounts),
        "p_fund_exhausted": p(&|r| r.fund_exhausted),
        "p_fund_paid": p(&|r| r.flows.paid() > 0.0),
        "p_haircut": p(&|r| !r.haircuts.is_empty()),
        "fund_min": rs.iter().map(|r| r.fund_min).fold(f64::INFINITY, f64::min),
        "fund_paid": paid,
        "fund_paid_deficits": m(&|r| r.flows.deficits),
        "fund_paid_auction_premium": m(&|r| r.flows.auction_premium),
        "fund_paid_settlement_cover": m(&|r| r.flows.settlement_cover),
        "fund_paid_account": m(&|r| r.fund_paid_account),
        "liquidation_fees": liq_fees,
        "write_fees": write_fees,
        "write_fee_bps": fee_bps,
        "expected_break_even_write_fee_bps": alone.expected_break_even_bps,
        "break_even_write_fee_bps": alone.break_even_bps,
        "hedging_cost": m(&|r| r.hedging.cost),
        "hedging_notional": m(&|r| r.hedging.notional),
        "p_bot_out_of_capital": p(&|r| r.hedging.bots_out_of_capital > 0),
        "premiums": m(&|r| r.premiums),
        "impact_sol_pct": m(&|r| (r.impact_log[0].exp() - 1.0) * 100.0),
        "stakers_return": m(&|r| r.stakers_return),
        "backstop_raised": m(&|r| r.flows.backstop_raised),
        "bankruptcies": m(&|r| r.bankruptcies as f64),
        "holders_loss": m(&|r| r.bad_debt),
        "vol_peak": m(&|r| r.vols.iter().cloned().fold(0.0, f64::max)),
        "vol_end": m(&|r| r.vols.last().copied().unwrap_or(0.0)),
        "vol_updates_refused": rs.iter().map(|r| r.vol_updates_refused).sum::<u64>(),
        "capital_greekhouse_im": m(&|r| r.capital_greekhouse).value,
        "capital_opyn_naked": m(&|r| r.capital_opyn).value,
        "capital_zeta_im": m(&|r| r.capital_zeta).value,
    })
}

fn est(v: &Value, key: &str) -> Estimate {
    serde_json::from_value(v[key].clone()).unwrap_or(Estimate {
        value: 0.0,
        lo: 0.0,
        hi: 0.0,
    })
}

fn slug(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect()
}

/// Write the report files; the per-scenario summary is returned (`--json` prints it).
pub fn write(
    out: &Path,
    study: &Study,
    results: &[RunResult],
    elapsed: f64,
    threads: usize,
    json_runs: Option<u32>,
) -> Result<Value> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let per: Vec<Value> = study
        .scenarios
        .iter()
        .map(|s| {
            let rs: Vec<&RunResult> = results.iter().filter(|r| r.scenario == s.name).collect();
            scenario_summary(&s.name, &rs, study)
        })
        .collect();
    let fee_bps = results.first().map_or(0, |r| r.write_fee_bps) as f64;
    let mix = economics::mix_economics(
        &strata(study, results),
        study.days as f64,
        study.exhaustion_target,
        fee_bps,
    );
    let mut md = String::new();
    md.push_str("# Greekhouse risk simulation\n\n");
    md.push_str(&format!(
        "{} writers (books at {:.0} % of initial margin, {:.0} % on SOL collateral), {} days in {}-minute steps, an insurance fund staked with {} USDC, {} liquidator bots (latencies {} s); implied vol mean-reverting with a {} h half-life, {:.0} % weight on realized vol; **{} seeds per scenario**. Every action is a transaction of the real program on the embedded bank (`greekhouse simulate`, docs/simulator.md). Brackets: 95 % intervals (Wilson for probabilities, normal for means).\n\n",
        study.writers,
        study.book_fill * 100.0,
        study.sol_collateral_share * 100.0,
        study.days,
        study.step_minutes,
        study.fund_stake,
        study.bots.len(),
        study.bots.iter().map(|b| b.latency_secs.to_string()).collect::<Vec<_>>().join(", "),
        study.vol.half_life_hours,
        study.vol.realized_weight * 100.0,
        study.seeds
    ));
    md.push_str("## Risk\n\n| scenario | P(fund exhausted) | P(fund pays) | P(haircut) | liquidations | slices | mean discount | holders' loss (USDC) | peak ATM vol |\n|---|---|---|---|---|---|---|---|---|\n");
    for v in &per {
        md.push_str(&format!(
            "| {} | {} % | {} % | {} % | {} | {} | {} % | {} | {} % |\n",
            v["scenario"].as_str().unwrap_or(""),
            est(v, "p_fund_exhausted").show(100.0, 1),
            est(v, "p_fund_paid").show(100.0, 1),
            est(v, "p_haircut").show(100.0, 1),
            est(v, "liquidations").show(1.0, 1),
            est(v, "slices").show(1.0, 1),
            est(v, "discount").show(100.0, 1),
            est(v, "holders_loss").show(1.0, 0),
            est(v, "vol_peak").show(100.0, 0),
        ));
    }
    md.push_str("\n## The insurance fund (USDC per run, mean)\n\n| scenario | (a) deficits | (b) auction premium | (c) settlement cover | total paid | liquidation fees in | writing fees in | backstop raised | stakers' return |\n|---|---|---|---|---|---|---|---|---|\n");
    for v in &per {
        md.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} % |\n",
            v["scenario"].as_str().unwrap_or(""),
            est(v, "fund_paid_deficits").show(1.0, 0),
            est(v, "fund_paid_auction_premium").show(1.0, 0),
            est(v, "fund_paid_settlement_cover").show(1.0, 0),
            est(v, "fund_paid").show(1.0, 0),
            est(v, "liquidation_fees").show(1.0, 0),
            est(v, "write_fees").show(1.0, 0),
            est(v, "backstop_raised").show(1.0, 0),
            est(v, "stakers_return").show(100.0, 2),
        ));
    }
    md.push_str("\n(a) `fraction x max(-mark_to_market, 0)` of each `SliceBought` the fund paid for (the account's deficit), (b) the rest of its `from_fund` (the discount paid on top of the account's value), (c) `SeriesSettled.fund_cover` plus `DebtResolved.from_fund`; fees from `SliceBought.fee` and `OptionsWritten.fee`; backstop from `BackstopBought.amount`. The stakers' return is the first staker's share value (fund balance plus unswept writing fees over all shares, backstop buyers' included) over its stake, over one run.\n");
    md.push_str(&format!("\n## Writing fee, per scenario as if it were the whole year (bps of premium; today {fee_bps:.0})\n\n| scenario | expected break-even | break-even at {:.1} % exhaustion | premiums (USDC) | bots' hedging cost (USDC) | P(a bot runs out of capital) | SOL moved by the hedges' impact |\n|---|---|---|---|---|---|---|\n", study.exhaustion_target * 100.0));
    let show_bps = |v: &Value| -> String {
        match serde_json::from_value::<Estimate>(v.clone()) {
            Ok(e) => e.show(1.0, 0),
            Err(_) => "none reaches it".into(),
        }
    };
    for v in &per {
        md.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} % | {} % |\n",
            v["scenario"].as_str().unwrap_or(""),
            show_bps(&v["expected_break_even_write_fee_bps"]),
            show_bps(&v["break_even_write_fee_bps"]),
            est(v, "premiums").show(1.0, 0),
            est(v, "hedging_cost").show(1.0, 0),
            est(v, "p_bot_out_of_capital").show(100.0, 1),
            est(v, "impact_sol_pct").show(1.0, 2),
        ));
    }
    md.push_str(&format!(
        "\nThe expected break-even fee is the writing fee at which the scenario's expected inflows (writing fees, which scale with the fee, plus liquidation fees) equal the fund's expected payments; the break-even at the target is the larger of that and the smallest fee at which no more than {:.1} % of runs exhaust the fund (each run's fund gains the extra writing fees before any loss: every book is written at the start; writers do not react to the fee). Intervals: a bootstrap of the runs (400 resamples).\n",
        study.exhaustion_target * 100.0
    ));
    md.push_str(&format!(
        "\n## The fund over a year (regime mix)\n\nA year of periods of {} days, each drawn from the scenarios with these weights: {}. Rates and returns are per period, then over a year of such periods (`1 - (1 - p)^(365/{})`, `(1 + r)^(365/{}) - 1`).\n\n| | per period | per year |\n|---|---|---|\n| P(fund exhausted) at today's fee ({:.0} bps) | {} % | {} % |\n| stakers' return | {} % | {} % |\n| the fund's payments (USDC) | {} | |\n| its inflows: writing and liquidation fees (USDC) | {} | |\n\n| writing fee (bps of premium) | |\n|---|---|\n| today | {:.0} |\n| expected break-even (inflows = payments) | {} |\n| at {:.1} % exhaustion per period | {} |\n| **break-even** (the larger) | **{}** |\n",
        study.days,
        mix.weights
            .iter()
            .map(|(n, w)| format!("{n} {:.1} %", w * 100.0))
            .collect::<Vec<_>>()
            .join(", "),
        study.days,
        study.days,
        fee_bps,
        mix.exhaustion_rate.show(100.0, 2),
        mix.exhaustion_rate_annual.show(100.0, 1),
        mix.stakers_return.show(100.0, 2),
        mix.stakers_return_annual.show(100.0, 1),
        mix.paid.show(1.0, 0),
        mix.inflows.show(1.0, 0),
        fee_bps,
        mix.expected_break_even_bps
            .map_or("none reaches it".into(), |e| e.show(1.0, 0)),
        study.exhaustion_target * 100.0,
        mix.fee_at_target_bps
            .map_or("none reaches it".into(), |e| e.show(1.0, 0)),
        mix.break_even_bps
            .map_or("none reaches it".into(), |e| e.show(1.0, 0)),
    ));

    let mut charts = String::new();
    for s in &study.scenarios {
        let rs: Vec<&RunResult> = results.iter().filter(|r| r.scenario == s.name).collect();
        let sl = slug(&s.name);
        if let Some(first) = rs.first() {
            let marks = first
                .liquidation_steps
                .iter()
                .filter_map(|i| Some((*first.hours.get(*i)?, *first.prices.get(*i)?)))
                .collect();
            let price = charts::lines(&charts::Lines {
                title: &format!("{}: SOL price, seed {}", s.name, first.seed),
                x_desc: "hours from the start",
                y_desc: "SOL price (USD)",
                x: &first.hours,
                series: vec![(format!("seed {}", first.seed), &first.prices)],
                marks,
                marks_label: "liquidations started",
            })
            .map_err(|e| anyhow!(e))?;
            std::fs::write(out.join(format!("{sl}-price.svg")), price)?;
            let btc_vols: Vec<f64> = first.btc_vols.iter().map(|v| v * 100.0).collect();
            let btc_thousands: Vec<f64> = first.btc_prices.iter().map(|p| p / 1_000.0).collect();
            let btc = charts::lines(&charts::Lines {
                title: &format!("{}: BTC price and ATM vol, seed {}", s.name, first.seed),
                x_desc: "hours from the start",
                y_desc: "BTC price (USD, thousands) / ATM vol (%)",
                x: &first.hours,
                series: vec![
                    ("BTC price (USD, thousands)".into(), &btc_thousands),
                    ("BTC ATM vol, first tenor (%)".into(), &btc_vols),
                ],
                marks: vec![],
                marks_label: "",
            })
            .map_err(|e| anyhow!(e))?;
            std::fs::write(out.join(format!("{sl}-btc.svg")), btc)?;
            let vols: Vec<f64> = first.vols.iter().map(|v| v * 100.0).collect();
            let vol = charts::lines(&charts::Lines {
                title: &format!(
                    "{}: ATM vol of the first tenor, seed {}",
                    s.name, first.seed
                ),
                x_desc: "hours from the start",
                y_desc: "ATM vol (%)",
                x: &first.hours,
                series: vec![("as posted by the vol updater".into(), &vols)],
                marks: vec![],
                marks_label: "",
            })
            .map_err(|e| anyhow!(e))?;
            std::fs::write(out.join(format!("{sl}-vol.svg")), vol)?;
            let shown: Vec<&RunResult> = rs.iter().take(50).copied().collect();
            let longest = shown
                .iter()
                .max_by_key(|r| r.hours.len())
                .map_or(&first.hours, |r| &r.hours);
            let fund = charts::lines(&charts::Lines {
                title: &format!("{}: insurance fund balance", s.name),
                x_desc: "hours from the start",
                y_desc: "fund balance (USDC)",
                x: longest,
                series: shown
                    .iter()
                    .map(|r| {
                        let label = if shown.len() > 6 {
                            format!("seeds 0 to {} (a line each)", shown.len() - 1)
                        } else {
                            format!("seed {}", r.seed)
                        };
                        // runs end when every series is final: each is drawn to its own end
                        (label, &r.fund[..])
                    })
                    .collect(),
                marks: vec![],
                marks_label: "",
            })
            .map_err(|e| anyhow!(e))?;
            std::fs::write(out.join(format!("{sl}-fund.svg")), fund)?;
        }
        let losses: Vec<f64> = rs.iter().map(|r| r.bad_debt + r.flows.paid()).collect();
        let hist = charts::histogram(
            &format!("{}: fund payments + holders' haircut loss, per run", s.name),
            "shortfall per run (USDC)",
            &format!("runs ({} in all)", losses.len()),
            &losses,
            10,
        )
        .map_err(|e| anyhow!(e))?;
        std::fs::write(out.join(format!("{sl}-shortfall.svg")), hist)?;
        charts.push_str(&format!(
            "\n### {0}\n\n![{0} price]({1}-price.svg)\n\n![{0} BTC]({1}-btc.svg)\n\n![{0} vol]({1}-vol.svg)\n\n![{0} fund]({1}-fund.svg)\n\n![{0} shortfall]({1}-shortfall.svg)\n",
            s.name, sl
        ));
    }
    md.push_str("\n## Charts\n");
    md.push_str(&charts);
    md.push_str("\n## Capital for the same books at the start (USDC, mean over runs)\n\n| scenario | Greekhouse IM | Opyn naked | Zeta IM (mark + margin) |\n|---|---:|---:|---:|\n");
    for v in &per {
        md.push_str(&format!(
            "| {} | {:.0} | {:.0} | {:.0} |\n",
            v["scenario"].as_str().unwrap_or(""),
            v["capital_greekhouse_im"].as_f64().unwrap_or(0.0),
            v["capital_opyn_naked"].as_f64().unwrap_or(0.0),
            v["capital_zeta_im"].as_f64().unwrap_or(0.0),
        ));
    }
    let transactions: u64 = results.iter().map(|r| r.transactions).sum();
    md.push_str(&format!(
        "\n{} runs, {} transactions in {:.1} s on {} threads ({:.0} transactions per second on this machine). The Opyn and Zeta figures use the parameters of `greekhouse margin --compare` (docs/risk-model.md, section 11).\n",
        results.len(),
        transactions,
        elapsed,
        threads,
        transactions as f64 / elapsed.max(1e-9)
    ));
    std::fs::write(out.join("report.md"), md)?;
    let report = json!({
        "study": {
            "writers": study.writers, "days": study.days, "step_minutes": study.step_minutes,
            "seeds": study.seeds, "fund_stake": study.fund_stake, "book_fill": study.book_fill,
            "vol_half_life_hours": study.vol.half_life_hours,
            "vol_realized_weight": study.vol.realized_weight,
            "writer_quote_min": study.writer_quote_min, "writer_quote_max": study.writer_quote_max,
            "sol_collateral_share": study.sol_collateral_share,
            "linked_quote_buffer": study.linked_quote_buffer,
            "series_per_writer": study.series_per_writer, "holders": study.holders,
            "strike_deltas": study.strike_deltas, "btc_writer_share": study.btc_writer_share,
            "btc_correlation": study.btc_correlation, "btc_move_ratio": study.btc_move_ratio,
            "price_impact_bps_per_million": study.price_impact_bps_per_million,
            "backstop_required_return": study.backstop_required_return,
            "regime_mix": study.regime_mix, "exhaustion_target": study.exhaustion_target,
        },
        "scenarios": per,
        "mix": mix,
        // every run, or the first `json_runs` seeds of each scenario (`--json-runs`)
        "runs": results
            .iter()
            .filter(|r| json_runs.is_none_or(|n| r.seed < u64::from(n)))
            .collect::<Vec<_>>(),
        "runs_kept": json_runs,
        "elapsed_secs": elapsed,
        "threads": threads,
        "transactions": transactions,
    });
    std::fs::write(
        out.join("report.json"),
        serde_json::to_string_pretty(&report)?,
    )?;
    Ok(
        json!({ "scenarios": report["scenarios"], "mix": report["mix"], "elapsed_secs": elapsed, "threads": threads, "transactions": transactions }),
    )
}
