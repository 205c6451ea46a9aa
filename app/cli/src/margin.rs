//! `greekhouse margin PORTFOLIO.json`: the portfolio margin of a writer account, computed by the
//! risk engine exactly as the program computes it, shown in whole quote units.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, Context, Result};
use clap::Args;
use greekhouse_risk::margin::{self, Level, LevelRisk, MarginSummary};
use greekhouse_risk::{Fixed, RiskError};
use serde_json::{json, Value};

use crate::compare;
use crate::fmt;
use crate::portfolio::Portfolio;

#[derive(Args, Debug)]
#[command(
    after_help = "The file format is documented in docs/cli.md; examples/portfolio.json is a full example.",
    group(clap::ArgGroup::new("onchain").args(["accounts", "url"]))
)]
pub struct MarginArgs {
    /// Portfolio file (JSON).
    #[arg(required_unless_present_any = ["accounts", "url"])]
    pub portfolio: Option<PathBuf>,
    /// Instead of a portfolio: saved on-chain accounts (a JSON array of `solana account
    /// --output json` objects) holding the writer account, its clearing house, collateral
    /// assets, underlyings and oracle accounts.
    #[arg(long, conflicts_with_all = ["portfolio", "url"], requires = "writer")]
    pub accounts: Option<PathBuf>,
    /// Instead of a portfolio: read the accounts from this JSON-RPC node (a cluster, or
    /// `greekhouse localnet`).
    #[arg(
        long,
        value_name = "URL",
        conflicts_with = "portfolio",
        requires = "writer"
    )]
    pub url: Option<String>,
    /// The writer account's address (with --accounts or --url).
    #[arg(long, requires = "onchain")]
    pub writer: Option<String>,
    /// Unix time to compute at (with --accounts: default the newest oracle publish time; with
    /// --url: default the node's clock).
    #[arg(long, requires = "onchain")]
    pub at: Option<i64>,
    /// With --url: the oracle account of a pull-feed underlying, as UNDERLYING=ACCOUNT
    /// (repeatable; a legacy feed's account is read from the underlying).
    #[arg(long, value_name = "UNDERLYING=ACCOUNT", requires = "url")]
    pub oracle: Vec<String>,
    /// Print one JSON object instead of tables.
    #[arg(long)]
    pub json: bool,
    /// Also show what Opyn Gamma's naked margin and a Zeta-style percentage-of-spot margin
    /// would require for the same shorts (portfolio files only; parameters in docs/cli.md).
    #[arg(long, conflicts_with_all = ["accounts", "url"])]
    pub compare: bool,
}

/// Health of the account at the computed levels.
pub fn status(m: &MarginSummary) -> (&'static str, &'static str) {
    if m.maintenance.equity.is_negative() {
        ("liquidatable", "LIQUIDATABLE: equity at MM < 0")
    } else if m.initial.equity.is_negative() {
        (
            "below_initial",
            "below IM: no withdraw or write until equity at IM >= 0",
        )
    } else {
        ("healthy", "healthy: equity at IM >= 0")
    }
}

fn engine_error(e: RiskError) -> anyhow::Error {
    let hint = match e {
        RiskError::InvalidRate => "an underlying's rate is outside the supported range",
        RiskError::InvalidVolatility => {
            "a surface vol (after skew, smile and shocks) is outside the supported range"
        }
        RiskError::InvalidSurface => "a vol surface fails validation",
        RiskError::InvalidMarginParams => "margin parameters fail validation",
        RiskError::TooManyUnderlyings => "positions span too many underlyings",
        RiskError::UnknownUnderlying => {
            "a position or linked collateral refers to an unknown underlying"
        }
        RiskError::NonPositivePrice => "a spot, strike or price is not positive",
        RiskError::Overflow => "a value overflowed: amounts or prices too large",
        _ => "the risk engine refused the portfolio",
    };
    anyhow!("{hint} ({e:?})")
}

/// Per-underlying extra: how much the delta-gamma-vega expansion understates the full
/// revaluation at the IM grid (None when the engine cannot tell).
fn expansion_gaps(p: &Portfolio, m: &MarginSummary) -> Vec<Option<Fixed>> {
    let account = p.account();
    m.underlyings[..m.underlying_count as usize]
        .iter()
        .map(|u| {
            margin::expansion_gap(&account, u.underlying, Level::Initial)
                .ok()
                .map(|g| g.worst_understatement)
        })
        .collect()
}

fn level_json(l: &LevelRisk, qd: u32) -> Value {
    json!({
        "addon": fmt::money_f64(l.addon, qd),
        "requirement": fmt::money_f64(l.requirement, qd),
        "collateral_value": fmt::money_f64(l.collateral_value, qd),
        "equity": fmt::money_f64(l.equity, qd),
    })
}

pub fn report_json(p: &Portfolio, m: &MarginSummary) -> Value {
    let qd = p.quote_decimals;
    let gaps = expansion_gaps(p, m);
    let underlyings: Vec<Value> = m.underlyings[..m.underlying_count as usize]
        .iter()
        .zip(&gaps)
        .map(|(u, gap)| {
            let i = u.underlying as usize;
            json!({
                "name": p.underlying_names[i],
                "spot": fmt::money_f64(p.underlyings[i].spot, qd),
                "liability": fmt::money_f64(u.liability, qd),
                "delta": fmt::f64_of(u.delta),
                "cash_gamma": fmt::money_f64(u.cash_gamma, qd),
                "vega": fmt::money_f64(u.vega, qd),
                "theta": fmt::money_f64(u.theta, qd),
                "theta_per_day": fmt::money_f64(u.theta, qd) / 365.0,
                "addon_initial": fmt::money_f64(u.addon_initial, qd),
                "addon_maintenance": fmt::money_f64(u.addon_maintenance, qd),
                "linked_collateral": fmt::money_f64(u.linked_collateral, qd),
                "long_value": fmt::money_f64(u.long_value, qd),
                "calls_covered": u.calls_covered,
                "expansion_gap_initial": gap.map(|g| fmt::money_f64(g, qd)),
            })
        })
        .collect();
    json!({
        "quote": p.quote_symbol,
        "liability": fmt::money_f64(m.liability, qd),
        "mark_to_market": fmt::money_f64(m.mark_to_market, qd),
        "initial": level_json(&m.initial, qd),
        "end": level_json(&m.end, qd),
        "maintenance": level_json(&m.maintenance, qd),
        "status": status(m).0,
        "underlyings": underlyings,
    })
}

pub fn report_text(p: &Portfolio, m: &MarginSummary) -> String {
    let qd = p.quote_decimals;
    let money = |v: Fixed| fmt::money(v, qd);
    let collateral = if p.collateral_names.is_empty() {
        "none".to_string()
    } else {
        p.collateral_names.join(", ")
    };
    let mut out = format!(
        "Portfolio margin: {} positions, collateral {collateral} + {} balance; values in {}\n\
         (pricing time floor {} s)\n\n",
        p.positions.len(),
        p.quote_symbol,
        p.quote_symbol,
        p.min_time_to_expiry_secs,
    );
    let levels = [m.initial, m.end, m.maintenance];
    let row = |name: &str, f: &dyn Fn(&LevelRisk) -> Fixed| {
        let mut r = vec![name.to_string()];
        r.extend(levels.iter().map(|l| money(f(l))));
        r
    };
    let rows = vec![
        vec![String::new(), "IM".into(), "end".into(), "MM".into()],
        row("add-on", &|l| l.addon),
        row("requirement", &|l| l.requirement),
        row("collateral value", &|l| l.collateral_value),
        row("equity", &|l| l.equity),
    ];
    out.push_str(&fmt::table(&rows));
    out.push('\n');
    out.push_str(&fmt::table(&[
        vec!["liability".into(), money(m.liability)],
        vec!["mark-to-market".into(), money(m.mark_to_market)],
        vec!["status".into(), status(m).1.into()],
    ]));

    let gaps = expansion_gaps(p, m);
    let mut rows = vec![vec![
        "underlying".into(),
        "spot".into(),
        "liability".into(),
        "delta".into(),
        "cash gamma".into(),
        "vega".into(),
        "theta/day".into(),
        "add-on IM".into(),
        "add-on MM".into(),
        "linked coll.".into(),
        "calls covered".into(),
        "exp. gap IM".into(),
    ]];
    for (u, gap) in m.underlyings[..m.underlying_count as usize]
        .iter()
        .zip(&gaps)
    {
        let i = u.underlying as usize;
        rows.push(vec![
            p.underlying_names[i].clone(),
            money(p.underlyings[i].spot),
            money(u.liability),
            fmt::fixed(u.delta, 6),
            money(u.cash_gamma),
            money(u.vega),
            money(Fixed::from_raw(u.theta.raw() / 365)),
            money(u.addon_initial),
            money(u.addon_maintenance),
            money(u.linked_collateral),
            if u.calls_covered { "yes" } else { "no" }.into(),
            gap.map(money).unwrap_or_else(|| "n/a".into()),
        ]);
    }
    out.push_str(
        "\nPer underlying (the account's book, shorts net of longs; delta in underlying units, cash\n\
         gamma = Gamma S^2, vega per 1.00 of vol; add-ons cover the book and the collateral linked\n\
         to the underlying, a book with longs up to the most its payoff can reach; linked coll. =\n\
         its MM value, calls covered = every net short call covered by it (requirement capped);\n\
         exp. gap = how much the delta-gamma-vega expansion of the shorts understates full\n\
         revaluation on the IM grid)\n",
    );
    out.push_str(&fmt::table(&rows));
    out
}

pub fn run(args: MarginArgs) -> Result<ExitCode> {
    if let (Some(accounts), Some(writer)) = (&args.accounts, &args.writer) {
        return crate::onchain::run(accounts, writer, args.at, args.json);
    }
    if let (Some(url), Some(writer)) = (&args.url, &args.writer) {
        return crate::node::margin(url, writer, args.at, &args.oracle, args.json);
    }
    let path = args
        .portfolio
        .context("a portfolio file or --accounts is required")?;
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let portfolio = Portfolio::parse(&text).map_err(|e| anyhow!("{}: {e}", path.display()))?;
    let m =
        margin::account_margin(&portfolio.account(), &portfolio.config).map_err(engine_error)?;
    let comparison = if args.compare {
        Some(
            compare::compare(&portfolio, &m)
                .map_err(|e| anyhow!("--compare: a peer formula refused the portfolio ({e:?})"))?,
        )
    } else {
        None
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        let mut report = report_json(&portfolio, &m);
        if let Some(c) = &comparison {
            report["compare"] = compare::json(&portfolio, c);
        }
        writeln!(out, "{report}")?;
    } else {
        write!(out, "{}", report_text(&portfolio, &m))?;
        if let Some(c) = &comparison {
            write!(out, "{}", compare::text(&portfolio, c))?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
