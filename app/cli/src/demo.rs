//! `greekhouse demo`: the writer's whole flow on an embedded Solana bank running the real
//! program. A clearing house is created, SOL is listed with a Pyth pull feed and as collateral,
//! a writer deposits USDC and SOL, withdraws, writes calls and puts on two series, and SOL moves
//! in steps; after each step the demo prints the account's margin as the program computes it.
//! A withdrawal that would break initial margin is refused by the program.
//!
//! With `--url URL --manifest PATH` the writer flow runs over JSON-RPC on a local validator
//! instead ([`crate::rpc_demo`]).

use std::process::ExitCode;

use anchor_lang::prelude::Pubkey;
use anyhow::{anyhow, Context, Result};
use greekhouse_risk::MarginSummary;
use greekhouse_sdk::chain::ChainError;
use greekhouse_sdk::pda;
use greekhouse_testkit::scenario::{Env, DAY, EXPIRY_OFFSET, LAMPORTS_PER_SOL, SPL_TOKEN, USDC};
use serde_json::{json, Value};
use solana_signer::Signer;

use crate::fmt;

#[derive(clap::Args, Debug)]
pub struct DemoArgs {
    /// One JSON document instead of tables.
    #[arg(long)]
    json: bool,
    /// Also save the writer's accounts (clearing house, writer account, collateral asset,
    /// underlying, oracle) at the end, in the `solana account --output json` format, for
    /// `greekhouse margin --accounts FILE --writer ADDRESS`.
    #[arg(long, value_name = "FILE")]
    snapshot: Option<std::path::PathBuf>,
    /// Only the writer flow (deposits, writes, margin as SOL moves, a refused withdrawal).
    #[arg(long, conflicts_with_all = ["liquidation", "settlement"])]
    writer: bool,
    /// Only the crash and the liquidation auction: slices as the discount rises, an insolvent
    /// slice paid by the insurance fund, the fund before and after.
    #[arg(long, conflicts_with = "snapshot")]
    liquidation: bool,
    /// Only the expiry: the one provable settlement price, a bankrupt writer's contracts
    /// covered by the fund and a backstop auction, a haircut on one series only, redemption.
    #[arg(long, conflicts_with_all = ["snapshot", "liquidation"])]
    settlement: bool,
    /// Only a writer vault (docs/vaults.md): LPs deposit, a buyer buys calls from the vault, a
    /// rally and the vault's liquidation, settlement, the buyer paid in full, the LPs' loss.
    #[arg(long, conflicts_with_all = ["snapshot", "liquidation", "settlement", "writer"])]
    vault: bool,
    /// Only an American series (docs/protocol.md 5b): deep in-the-money puts exercised early,
    /// the holder paid at once, the writers charged pro rata, the vault equal to its ledger.
    #[arg(
        long,
        conflicts_with_all = ["snapshot", "liquidation", "settlement", "writer", "vault"]
    )]
    american: bool,
    /// Run the writer flow over JSON-RPC on this node (a local validator started by
    /// `greekhouse localnet`) instead of the embedded bank.
    #[arg(
        long,
        value_name = "URL",
        requires = "manifest",
        conflicts_with_all = ["snapshot", "liquidation", "settlement", "vault", "american"]
    )]
    url: Option<String>,
    /// The validator's `localnet.json` (or its directory): clearing house, role keys, faucet.
    #[arg(long, value_name = "PATH", requires = "url")]
    manifest: Option<std::path::PathBuf>,
}

const QUOTE_DECIMALS: u32 = 6;
/// Pyth price units per dollar (exponent -8).
const PYTH_DOLLAR: i64 = 100_000_000;

fn chain_err(what: &str) -> impl FnOnce(ChainError) -> anyhow::Error + '_ {
    move |e| anyhow!("{what}: {e}")
}

/// One row of the margin table.
fn margin_row(label: &str, spot: i64, m: &MarginSummary) -> (Vec<String>, Value) {
    let money = |v| fmt::money(v, QUOTE_DECIMALS);
    let num = |v| fmt::money_f64(v, QUOTE_DECIMALS);
    let greeks = m.underlyings.first().copied().unwrap_or_default();
    let status = if m.maintenance.equity.is_negative() {
        "liquidatable"
    } else if m.initial.equity.is_negative() {
        "below IM"
    } else {
        "healthy"
    };
    let row = vec![
        label.to_string(),
        format!("{spot}"),
        money(m.liability),
        fmt::fixed(greeks.delta, 2),
        money(greeks.vega),
        money(m.initial.requirement),
        money(m.maintenance.requirement),
        money(m.initial.equity),
        money(m.maintenance.equity),
        status.to_string(),
    ];
    let json = json!({
        "step": label,
        "sol_usd": spot,
        "liability": num(m.liability),
        "mark_to_market": num(m.mark_to_market),
        "delta": fmt::f64_of(greeks.delta),
        "cash_gamma": num(greeks.cash_gamma),
        "vega": num(greeks.vega),
        "theta": num(greeks.theta),
        "im_requirement": num(m.initial.requirement),
        "end_requirement": num(m.end.requirement),
        "mm_requirement": num(m.maintenance.requirement),
        "equity_im": num(m.initial.equity),
        "equity_end": num(m.end.equity),
        "equity_mm": num(m.maintenance.equity),
        "status": status,
    });
    (row, json)
}

const HEADER: [&str; 10] = [
    "step",
    "SOL $",
    "liability",
    "delta",
    "vega/1.00",
    "IM req",
    "MM req",
    "equity@IM",
    "equity@MM",
    "status",
];

/// The whole life cycle (writer flow, liquidation, settlement), or one part of it.
pub fn run(args: DemoArgs) -> Result<ExitCode> {
    let out = if let (Some(url), Some(manifest)) = (&args.url, &args.manifest) {
        crate::rpc_demo::run(url, manifest, args.json)?
    } else if args.liquidation {
        crate::demo_liquidation::run(args.json)?
    } else if args.settlement {
        crate::demo_settlement::run(args.json)?
    } else if args.vault {
        crate::demo_vault::run(args.json)?
    } else if args.american {
        crate::demo_american::run(args.json)?
    } else if args.writer || args.snapshot.is_some() {
        writer_flow(&args)?
    } else {
        let writer = writer_flow(&args)?;
        if !args.json {
            println!("\n{}\n", "=".repeat(72));
        }
        let liquidation = crate::demo_liquidation::run(args.json)?;
        if !args.json {
            println!("\n{}\n", "=".repeat(72));
        }
        let settlement = crate::demo_settlement::run(args.json)?;
        if !args.json {
            println!(
                "\nthe full study of crashes, paths and insurance-fund exhaustion: greekhouse simulate --out report/ (docs/simulator.md)"
            );
        }
        json!({ "writer": writer, "liquidation": liquidation, "settlement": settlement })
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&out)?);
    }
    Ok(ExitCode::SUCCESS)
}

/// The writer flow; prints its text unless `--json`; returns its JSON document.
fn writer_flow(args: &DemoArgs) -> Result<Value> {
    // the embedded bank logs every transaction at debug level unless told otherwise
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "error");
    }
    let say = |s: &str| {
        if !args.json {
            println!("{s}");
        }
    };
    // the scenario kit of the tests, the bot and the simulator: clearing house, SOL (Pyth pull
    // feed) and BTC (legacy feed), SOL listed as collateral
    let mut m = Env::new();
    m.chain.set_quiet(true);
    m.move_sol(150 * PYTH_DOLLAR);
    say("Greekhouse demo on an embedded Solana bank (the real program, SPL Token, Pyth accounts)");
    say(&format!(
        "  clearing house {}  quote USDC, SOL priced by a Pyth pull feed",
        m.ch.clearinghouse
    ));
    say("  SOL collateral: weight 80 % at IM, 90 % at MM");

    let w = m.writer(50_000 * USDC, 200 * LAMPORTS_PER_SOL);
    m.deposit_quote(&w, 20_000 * USDC)
        .map_err(chain_err("deposit"))?;
    m.deposit_sol(&w, 50 * LAMPORTS_PER_SOL)
        .map_err(chain_err("deposit"))?;
    m.withdraw_quote(&w, 5_000 * USDC)
        .map_err(chain_err("withdraw"))?;
    say("\nwriter deposits 20,000 USDC and 50 SOL, withdraws 5,000 USDC (no shorts: no price needed)");

    let now = m.now();
    let expiry = ((now + 30 * DAY - EXPIRY_OFFSET) / DAY + 1) * DAY + EXPIRY_OFFSET;
    let sol = m.sol;
    let call = m
        .create_series(sol, 0, 170 * USDC, expiry)
        .map_err(chain_err("create_series"))?;
    let put = m
        .create_series(sol, 1, 130 * USDC, expiry)
        .map_err(chain_err("create_series"))?;
    m.write(&w, &call, 200)
        .map_err(chain_err("write_options"))?;
    m.write(&w, &put, 200).map_err(chain_err("write_options"))?;
    say("writes 200 SOL 170 calls and 200 SOL 130 puts, 30 days (one SOL per contract)\n");

    let mut rows = vec![HEADER.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
    let mut steps = Vec::new();
    let (row, j) = margin_row("written", 150, &m.margin_of(&w.account));
    rows.push(row);
    steps.push(j);
    for (i, spot) in [140, 125, 160, 180, 200, 210].into_iter().enumerate() {
        m.advance(3_600);
        m.refresh_surface(&sol.key);
        m.move_sol(spot * PYTH_DOLLAR);
        let (row, j) = margin_row(&format!("+{}h", i + 1), spot, &m.margin_of(&w.account));
        rows.push(row);
        steps.push(j);
    }
    say(&fmt::table_with(&rows, true));

    // more than the room left at initial margin, less than the quote balance
    let before = m.margin_of(&w.account);
    let attempt = 12_000 * USDC;
    let refused = match m.withdraw_quote(&w, attempt) {
        Err(e) => {
            let code = e.custom_code();
            let expected = 6000 + greekhouse::errors::GreekhouseError::InitialMarginBreach as u32;
            if code != Some(expected) {
                return Err(anyhow!("withdrawal failed for an unexpected reason: {e}"));
            }
            say(&format!(
                "\nwithdraw 12,000 USDC with equity at IM {}: refused by the program (InitialMarginBreach)",
                fmt::money(before.initial.equity, QUOTE_DECIMALS)
            ));
            true
        }
        Ok(_) => {
            say("\nwithdraw 12,000 USDC: accepted (the account had room)");
            false
        }
    };
    if let Some(path) = &args.snapshot {
        let collateral = pda::collateral_asset(&m.ch.clearinghouse, &m.sol_mint);
        let keys = [
            m.ch.clearinghouse,
            w.account,
            collateral,
            sol.key,
            sol.oracle,
        ];
        let saved = greekhouse_sdk::snapshot::SnapshotChain::capture(&mut m.chain, &keys)
            .map_err(chain_err("snapshot"))?;
        std::fs::write(path, serde_json::to_string_pretty(&saved)?)
            .with_context(|| format!("writing {}", path.display()))?;
        say(&format!("\nsaved the writer's accounts to {} (try: greekhouse margin --accounts {} --writer {})", path.display(), path.display(), w.account));
    }
    // after the snapshot: the saved accounts are the writer's as its table left them
    let spread = put_spread(&mut m, expiry, &put, &say)?;
    let out = json!({
        "clearinghouse": m.ch.clearinghouse.to_string(),
        "writer_account": w.account.to_string(),
        "steps": steps,
        "withdrawal": { "amount_usdc": 12_000, "refused": refused, "reason": refused.then_some("InitialMarginBreach") },
        "put_spread": spread,
    });
    Ok(out)
}

/// A market maker writes 100 SOL 140/130 put spreads: it buys the 130 puts of `long_leg`
/// (written by a dealer into its wallet), deposits them as a long, writes the 140 puts against them, and is
/// charged at most the spread's maximum loss at IM (the naked 140 puts alone need several times
/// more). Returns the step's JSON.
fn put_spread(m: &mut Env, expiry: i64, long_leg: &Pubkey, say: &dyn Fn(&str)) -> Result<Value> {
    use greekhouse::state::Side;
    m.advance(3_600);
    m.refresh_surface(&{ m.sol.key });
    m.move_sol(150 * PYTH_DOLLAR);
    let sol = m.sol;
    let short_leg = m
        .create_series(sol, 1, 140 * USDC, expiry)
        .map_err(chain_err("create_series"))?;
    let long_leg = *long_leg;
    let long_terms = m.series_state(&long_leg);
    let dealer = m.writer(100_000 * USDC, 0);
    m.deposit_quote(&dealer, 50_000 * USDC)
        .map_err(chain_err("deposit"))?;
    let maker = m.writer(10_000 * USDC, 0);
    m.deposit_quote(&maker, 2_000 * USDC)
        .map_err(chain_err("deposit"))?;
    let wallet = m
        .chain
        .token_account(&maker.owner.pubkey(), &long_terms.option_mint, &SPL_TOKEN)
        .map_err(chain_err("token account"))?;
    m.write_to(&dealer, &long_leg, 100, wallet)
        .map_err(chain_err("write_options"))?;
    m.deposit_options(&maker, &long_leg, 100)
        .map_err(chain_err("deposit_options"))?;
    m.write(&maker, &short_leg, 100)
        .map_err(chain_err("write_options"))?;

    let with_long = m.margin_of(&maker.account);
    // the same book without its long leg, priced by the same engine
    let mut naked = m.writer_state(&maker.account);
    naked
        .reduce_position(&long_leg, Side::Long, 100)
        .map_err(|e| anyhow!("{e}"))?;
    let now = m.now();
    let naked = m
        .margin_inputs(naked)
        .compute(
            &mut m.chain,
            now,
            greekhouse::oracle::PriceUse::RiskIncreasing,
        )
        .map_err(|e| anyhow!("{e}"))?;
    let width = (140 * USDC - long_terms.strike) as i64;
    let max_loss = greekhouse_risk::Fixed::from_int(100 * width);
    let money = |v| fmt::money(v, QUOTE_DECIMALS);
    say(&format!(
        "
a market maker buys 100 SOL {} puts (deposit_options: held as a long) and writes 100 SOL 140 puts:",
        money(greekhouse_risk::Fixed::from_int(long_terms.strike as i64))
    ));
    say(&format!(
        "  IM requirement {}  (maximum loss of the spreads {}; the 140 puts alone {})",
        money(with_long.initial.requirement),
        money(max_loss),
        money(naked.initial.requirement)
    ));
    if with_long.initial.requirement > max_loss {
        return Err(anyhow!("the spread's IM exceeds its maximum loss"));
    }
    Ok(json!({
        "contracts": 100,
        "short_strike_usdc": 140,
        "long_strike_native": long_terms.strike,
        "initial_requirement": money(with_long.initial.requirement),
        "max_loss": money(max_loss),
        "naked_initial_requirement": money(naked.initial.requirement),
    }))
}
