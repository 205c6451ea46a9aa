//! `report.md`, `report.json` and the charts of a study. Every rate comes with its 95 %
//! interval: Wilson's for proportions, a normal one for means.

use std::path::Path;

use anyhow::{anyhow, Context, Result};
use serde_json::{json, Value};

use super::charts;
use super::config::Study;
use super::run::RunResult;
use super::stats::{mean, wilson, Estimate};

/// The fund's economics of one scenario.
fn scenario_summary(name: &str, rs: &[&RunResult]) -> Value {
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
    // writing fees scale with the fee rate (the same books at any rate: no demand response)
    let break_even_bps = if write_fees.value > 0.0 {
        Some(fee_bps * (paid.value - liq_fees.value).max(0.0) / write_fees.value)
    } else {
        None
    };
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
        "break_even_write_fee_bps": break_even_bps,
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
) -> Result<Value> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let per: Vec<Value> = study
        .scenarios
        .iter()
        .map(|s| {
            let rs: Vec<&RunResult> = results.iter().filter(|r| r.scenario == s.name).collect();
            scenario_summary(&s.name, &rs)
        })
        .collect();
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
    md.push_str("\n## The insurance fund (USDC per run, mean)\n\n| scenario | (a) deficits | (b) auction premium | (c) settlement cover | total paid | liquidation fees in | writing fees in | stakers' return | break-even writing fee |\n|---|---|---|---|---|---|---|---|---|\n");
    for v in &per {
        md.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} % | {} |\n",
            v["scenario"].as_str().unwrap_or(""),
            est(v, "fund_paid_deficits").show(1.0, 0),
            est(v, "fund_paid_auction_premium").show(1.0, 0),
            est(v, "fund_paid_settlement_cover").show(1.0, 0),
            est(v, "fund_paid").show(1.0, 0),
            est(v, "liquidation_fees").show(1.0, 0),
            est(v, "write_fees").show(1.0, 0),
            est(v, "stakers_return").show(100.0, 2),
            match v["break_even_write_fee_bps"].as_f64() {
                Some(b) => format!(
                    "{:.0} bps (today {:.0})",
                    b,
                    v["write_fee_bps"].as_f64().unwrap_or(0.0)
                ),
                None => "n/a".into(),
            },
        ));
    }
    md.push_str("\n(a) `fraction x max(-mark_to_market, 0)` of each `SliceBought` the fund paid for (the account's deficit), (b) the rest of its `from_fund` (the discount paid on top of the account's value), (c) `SeriesSettled.fund_cover` plus `DebtResolved.from_fund`; fees from `SliceBought.fee` and `OptionsWritten.fee`. The break-even writing fee is the rate at which the writing fees of the same books would equal the fund's payments less its liquidation fees, in this scenario alone (no demand response to the fee). The stakers' return is the first staker's share value (fund balance plus unswept writing fees over all shares, backstop buyers' included) over its stake.\n");

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
        },
        "scenarios": per,
        "runs": results,
        "elapsed_secs": elapsed,
        "threads": threads,
        "transactions": transactions,
    });
    std::fs::write(
        out.join("report.json"),
        serde_json::to_string_pretty(&report)?,
    )?;
    Ok(
        json!({ "scenarios": report["scenarios"], "elapsed_secs": elapsed, "threads": threads, "transactions": transactions }),
    )
}
