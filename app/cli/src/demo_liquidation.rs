//! `greekhouse demo --liquidation`: a crash and the Dutch auction on an embedded bank running
//! the real program. A staker funds the insurance fund; a writer short SOL calls at initial
//! margin is pushed below maintenance by a rally; a keeper starts the liquidation (and is
//! tipped); a bidder buys the account in slices as the discount rises, until it is back at the
//! end level; then a gap move leaves a second account worth less than nothing, and the
//! insurance fund pays the bidder for its slice. Every number is the program's (events).

use anyhow::{anyhow, Result};
use greekhouse::events::{LiquidationEnded, LiquidationStarted, SliceBought};
use greekhouse_sdk::chain::ChainError;
use greekhouse_sdk::liquidation::BidSize;
use greekhouse_testkit::scenario::{Env, Writer, DAY, USDC};
use serde_json::{json, Value};

use crate::fmt;

const QUOTE_DECIMALS: u32 = 6;
const PYTH_DOLLAR: i64 = 100_000_000;

fn chain_err(what: &str) -> impl FnOnce(ChainError) -> anyhow::Error + '_ {
    move |e| anyhow!("{what}: {e}")
}

fn usd(v: i128) -> String {
    fmt::money(
        greekhouse_risk::Fixed::from_raw(v * 1_000_000_000_000),
        QUOTE_DECIMALS,
    )
}

fn pct(raw: u64) -> String {
    format!("{:.2} %", raw as f64 / 1e10)
}

/// A writer with `dollars` of quote, short SOL calls up to initial margin.
fn writer_at_im(
    env: &mut Env,
    series: &greekhouse_sdk::Pubkey,
    dollars: u64,
) -> Result<(Writer, u64)> {
    let w = env.writer(dollars * USDC, 0);
    env.deposit_quote(&w, dollars * USDC)
        .map_err(chain_err("deposit"))?;
    let n = env
        .write_to_initial_margin(&w, series)
        .map_err(chain_err("write_options"))?;
    Ok((w, n))
}

fn slice_row(label: &str, e: &SliceBought) -> (Vec<String>, Value) {
    let row = vec![
        label.to_string(),
        pct(e.discount),
        pct(e.fraction),
        usd(e.mark_to_market as i128),
        usd(e.payment as i128),
        usd(e.fee as i128),
        usd(e.from_fund as i128),
        usd(e.end_equity_before as i128),
        usd(e.end_equity_after as i128),
        usd(e.fund_balance_after as i128),
    ];
    let j = json!({
        "at": label,
        "discount": e.discount as f64 / 1e12,
        "fraction": e.fraction as f64 / 1e12,
        "max_fraction": e.max_fraction as f64 / 1e12,
        "mark_to_market": e.mark_to_market,
        "addon_maintenance": e.addon_maintenance,
        "payment": e.payment,
        "fee": e.fee,
        "from_fund": e.from_fund,
        "end_equity_before": e.end_equity_before,
        "end_equity_after": e.end_equity_after,
        "fund_balance_after": e.fund_balance_after,
    });
    (row, j)
}

const HEADER: [&str; 10] = [
    "slice at",
    "discount",
    "fraction",
    "MtM",
    "payment",
    "fee->fund",
    "fund->bidder",
    "eq@end before",
    "eq@end after",
    "fund",
];

/// Runs the part; prints its text unless `json_out`; returns its JSON document.
pub fn run(json_out: bool) -> Result<serde_json::Value> {
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "error");
    }
    let say = |s: &str| {
        if !json_out {
            println!("{s}");
        }
    };
    let mut env = Env::new();
    env.chain.set_quiet(true);
    env.move_sol(150 * PYTH_DOLLAR);
    say("Greekhouse liquidation demo on an embedded Solana bank (the real program)");

    let staker = env.staker(25_000 * USDC);
    env.stake(&staker, 25_000 * USDC)
        .map_err(chain_err("stake"))?;
    let fund_start = env.insurance_fund().balance;
    say(&format!(
        "  a staker puts {} into the insurance fund",
        usd(fund_start as i128)
    ));

    let sol = env.sol;
    let now = env.now();
    let expiry = greekhouse_testkit::scenario::expiry_after(now, 7);
    let series = env
        .create_series(sol, 0, 150 * USDC, expiry)
        .map_err(chain_err("create_series"))?;
    let (victim, n) = writer_at_im(&mut env, &series, 10_000)?;
    let (second, n2) = writer_at_im(&mut env, &series, 10_000)?;
    let keeper = env.writer(0, 0);
    let bidder = env.writer(1_000_000 * USDC, 0);
    env.deposit_quote(&bidder, 1_000_000 * USDC)
        .map_err(chain_err("deposit"))?;
    say(&format!(
        "  two writers each post 10,000 USDC and write SOL 150 calls ({} days) up to initial margin: {n} and {n2} contracts",
        (expiry - now) / DAY
    ));

    // the rally
    let price = env.move_sol_until_liquidatable(&victim.account, 100);
    let m = env.margin_of(&victim.account);
    say(&format!(
        "\nSOL rallies to ${:.2}: the first account's equity at maintenance is {} (MtM {})",
        price as f64 / PYTH_DOLLAR as f64,
        fmt::money(m.maintenance.equity, QUOTE_DECIMALS),
        fmt::money(m.mark_to_market, QUOTE_DECIMALS),
    ));
    let out = env
        .start_liquidation(&keeper, &victim.account)
        .map_err(chain_err("start_liquidation"))?;
    let started = out
        .event::<LiquidationStarted>()
        .ok_or_else(|| anyhow!("no LiquidationStarted event"))?;
    say(&format!(
        "a keeper starts the liquidation and is tipped {} (MM add-on {})",
        usd(started.tip as i128),
        usd(started.addon_maintenance as i128)
    ));

    let mut rows = vec![HEADER.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
    let mut slices = Vec::new();
    let mut elapsed = 0;
    for (wait, divisor) in [(60, 4u64), (240, 3), (600, 2), (1_800, 1)] {
        env.advance(wait);
        elapsed += wait;
        env.publish_prices();
        let quote = env
            .quote_bid(&bidder, &victim.account, BidSize::Max)
            .map_err(|e| anyhow!("quote: {e}"))?;
        let fraction = (quote.projection.max_fraction / divisor).max(1);
        let (out, _) = env
            .bid(&bidder, &victim.account, BidSize::Fraction(fraction))
            .map_err(chain_err("bid"))?;
        let e = out
            .event::<SliceBought>()
            .ok_or_else(|| anyhow!("no SliceBought event"))?;
        let (row, j) = slice_row(&format!("+{} min", elapsed / 60), &e);
        rows.push(row);
        slices.push(j);
    }
    let out = env
        .end_liquidation(&victim.account)
        .map_err(chain_err("end_liquidation"))?;
    let ended = out
        .event::<LiquidationEnded>()
        .ok_or_else(|| anyhow!("no LiquidationEnded event"))?;

    // the gap
    let gap_price = env.sol_price * 3 / 2;
    env.move_sol(gap_price);
    let m2 = env.margin_of(&second.account);
    say(&format!(
        "\nSOL gaps to ${:.2}: the second account is worth {} (less than nothing)",
        gap_price as f64 / PYTH_DOLLAR as f64,
        fmt::money(m2.mark_to_market, QUOTE_DECIMALS)
    ));
    env.start_liquidation(&keeper, &second.account)
        .map_err(chain_err("start_liquidation"))?;
    env.advance(120);
    env.publish_prices();
    let (out, _) = env
        .bid(&bidder, &second.account, BidSize::Max)
        .map_err(chain_err("bid"))?;
    let e = out
        .event::<SliceBought>()
        .ok_or_else(|| anyhow!("no SliceBought event"))?;
    let (row, j) = slice_row("gap +2 min", &e);
    rows.push(row);
    slices.push(j);
    let fund_end = env.insurance_fund();

    say("\nslices (payment > 0: the bidder pays the account; fund->bidder: the fund pays the bidder)");
    say(&fmt::table_with(&rows, true));
    say(&format!(
        "\nfirst account: {} slices, back at the end level, unfrozen",
        ended.slices
    ));
    say(&format!(
        "insurance fund: {} before, {} after (liquidation fees in {}, paid to bidders {})",
        usd(fund_start as i128),
        usd(fund_end.balance as i128),
        usd(fund_end.liquidation_fees_total as i128),
        usd(fund_end.paid_to_bidders_total as i128),
    ));
    say("\nthe discount rose with time: an early bidder pays close to mark; the fund pays only for slices worth less than nothing");
    let k_bps = env.clearinghouse().params.liquidation.fund_premium_bps;
    say(&format!(
        "and never more than their deficit plus {}.{:02} % of their add-on (k), whatever the discount, nor more than it holds",
        k_bps / 100,
        k_bps % 100
    ));
    let out = {
        let out = json!({
            "clearinghouse": env.ch.clearinghouse.to_string(),
            "rally_sol_usd": price as f64 / PYTH_DOLLAR as f64,
            "gap_sol_usd": gap_price as f64 / PYTH_DOLLAR as f64,
            "tip": started.tip,
            "slices": slices,
            "first_account_slices": ended.slices,
            "insurance_fund": {
                "before": fund_start,
                "after": fund_end.balance,
                "liquidation_fees": fund_end.liquidation_fees_total,
                "paid_to_bidders": fund_end.paid_to_bidders_total,
            },
        });
        out
    };
    Ok(out)
}
