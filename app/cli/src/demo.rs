//! `greekhouse demo`: the writer's whole flow on an embedded Solana bank running the real
//! program. A clearing house is created, SOL is listed with a Pyth pull feed and as collateral,
//! a writer deposits USDC and SOL, withdraws, writes calls and puts on two series, and SOL moves
//! in steps; after each step the demo prints the account's margin as the program computes it.
//! A withdrawal that would break initial margin is refused by the program.

use std::process::ExitCode;

use anyhow::{anyhow, Context, Result};
use greekhouse::instructions::{
    CreateSeriesArgs, InitializeClearinghouseArgs, ListCollateralArgs, ListUnderlyingArgs,
};
use greekhouse::oracle::PriceUse;
use greekhouse::state::*;
use greekhouse_risk::MarginSummary;
use greekhouse_sdk::bank::BankChain;
use greekhouse_sdk::chain::{Chain, ChainError};
use greekhouse_sdk::ix::{self, ClearinghouseRef, TokenLedger};
use greekhouse_sdk::margin::{with_added_short, MarginInputs};
use greekhouse_sdk::pyth::{self, PriceObservation};
use greekhouse_sdk::{accounts, fixtures, pda, Pubkey};
use pyth_solana_receiver_sdk::price_update::VerificationLevel;
use serde_json::{json, Value};
use solana_keypair::Keypair;
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
}

const USDC: u64 = 1_000_000; // quote native units per USDC (6 decimals)
const QUOTE_DECIMALS: u32 = 6;
const LAMPORTS: u64 = 1_000_000_000; // SOL token native units per SOL (9 decimals)
const PYTH_EXPO: i32 = -8;
const FEED_ID: [u8; 32] = *b"demo-sol-usd-feed-id-32-bytes!!!";
const DAY: i64 = 86_400;
const SPL_TOKEN: Pubkey = anchor_spl::token::ID;

/// The demo market on the bank.
struct Market {
    chain: BankChain,
    ch: ClearinghouseRef,
    sol: Pubkey,
    sol_oracle: Pubkey,
    sol_mint: Pubkey,
    mint_authority: Keypair,
}

/// A writer of the demo.
struct Writer {
    owner: Keypair,
    account: Pubkey,
    usdc: Pubkey,
    sol: Pubkey,
}

fn chain_err(what: &str) -> impl FnOnce(ChainError) -> anyhow::Error + '_ {
    move |e| anyhow!("{what}: {e}")
}

impl Market {
    fn setup() -> Result<Self> {
        let mut chain = BankChain::start().map_err(chain_err("starting the bank"))?;
        chain.set_quiet(true);
        let creator = chain
            .funded_keypair(10 * LAMPORTS)
            .map_err(chain_err("funding"))?;
        // in production the admin is a multisig vault; here a plain key plays it
        let admin = chain
            .funded_keypair(10 * LAMPORTS)
            .map_err(chain_err("funding"))?;
        let guardian = Keypair::new();
        let vol_updater = Keypair::new();
        let mint_authority = Keypair::new();
        let usdc = chain
            .create_mint(&SPL_TOKEN, 6, &mint_authority.pubkey())
            .map_err(chain_err("USDC mint"))?;
        let sol_mint = chain
            .create_mint(&SPL_TOKEN, 9, &mint_authority.pubkey())
            .map_err(chain_err("SOL mint"))?;
        let ch = ClearinghouseRef::new(usdc, creator.pubkey(), SPL_TOKEN);
        let init = InitializeClearinghouseArgs {
            admin: admin.pubkey(),
            guardian: guardian.pubkey(),
            params: GlobalParams::DEFAULT,
        };
        chain
            .send(
                &[ix::initialize_clearinghouse(&ch, creator.pubkey(), init)],
                &[&creator],
            )
            .map_err(chain_err("initialize_clearinghouse"))?;

        let sol = pda::underlying(&ch.clearinghouse, 0);
        // one SOL per contract, $1 strike tick; the surface stays fresh for a day of demo time
        let list = ListUnderlyingArgs {
            surface_max_age_secs: 86_400,
            ..fixtures::underlying_args(
                0,
                "SOL",
                fixtures::pull_oracle(FEED_ID),
                vol_updater.pubkey(),
                USDC,
                1_000_000,
            )
        };
        chain
            .send(
                &[ix::list_underlying(
                    ch.clearinghouse,
                    chain.payer(),
                    admin.pubkey(),
                    list,
                )],
                &[&admin],
            )
            .map_err(chain_err("list_underlying"))?;
        let collateral = ListCollateralArgs {
            price_source: PriceSource::Underlying as u8,
            init_weight_bps: 8_000,
            maint_weight_bps: 9_000,
            deposit_cap: 1_000_000 * LAMPORTS,
        };
        chain
            .send(
                &[ix::list_collateral(
                    ch.clearinghouse,
                    chain.payer(),
                    admin.pubkey(),
                    sol_mint,
                    SPL_TOKEN,
                    Some(sol),
                    collateral,
                )],
                &[&admin],
            )
            .map_err(chain_err("list_collateral"))?;
        Ok(Self {
            chain,
            ch,
            sol,
            sol_oracle: Pubkey::new_unique(),
            sol_mint,
            mint_authority,
        })
    }

    fn now(&mut self) -> Result<i64> {
        self.chain.unix_timestamp().map_err(chain_err("clock"))
    }

    /// Publish SOL at `dollars` (0.1 % confidence) with publish time now.
    fn publish_sol(&mut self, dollars: i64) -> Result<()> {
        let price = dollars * 100_000_000;
        let publish_time = self.now()?;
        let obs = PriceObservation {
            price,
            conf: price as u64 / 1_000,
            expo: PYTH_EXPO,
            publish_time,
        };
        self.chain.set_account(
            &self.sol_oracle,
            pyth::price_update_v2(FEED_ID, obs, VerificationLevel::Full),
        );
        Ok(())
    }

    fn writer(&mut self, usdc: u64, sol: u64) -> Result<Writer> {
        let owner = self
            .chain
            .funded_keypair(LAMPORTS)
            .map_err(chain_err("funding"))?;
        let account = pda::writer_account(&self.ch.clearinghouse, &owner.pubkey(), 0);
        self.chain
            .send(
                &[ix::open_writer_account(
                    self.ch.clearinghouse,
                    self.chain.payer(),
                    owner.pubkey(),
                    0,
                )],
                &[&owner],
            )
            .map_err(chain_err("open_writer_account"))?;
        let usdc_ata = self
            .chain
            .token_account(&owner.pubkey(), &self.ch.quote_mint, &SPL_TOKEN)
            .map_err(chain_err("USDC account"))?;
        let sol_ata = self
            .chain
            .token_account(&owner.pubkey(), &self.sol_mint, &SPL_TOKEN)
            .map_err(chain_err("SOL account"))?;
        let authority = self.mint_authority.insecure_clone();
        let quote_mint = self.ch.quote_mint;
        let sol_mint = self.sol_mint;
        self.chain
            .mint_to(&SPL_TOKEN, &quote_mint, &usdc_ata, &authority, usdc)
            .map_err(chain_err("mint USDC"))?;
        self.chain
            .mint_to(&SPL_TOKEN, &sol_mint, &sol_ata, &authority, sol)
            .map_err(chain_err("mint SOL"))?;
        Ok(Writer {
            owner,
            account,
            usdc: usdc_ata,
            sol: sol_ata,
        })
    }

    fn writer_state(&mut self, w: &Writer) -> Result<WriterAccount> {
        let data = self
            .chain
            .account(&w.account)
            .map_err(chain_err("fetch"))?
            .context("writer account missing")?;
        accounts::writer_account(&data.data).map_err(|e| anyhow!("decode: {e}"))
    }

    fn inputs(&mut self, state: WriterAccount) -> Result<MarginInputs> {
        let (sol, oracle) = (self.sol, self.sol_oracle);
        let oracle_for = move |k: &Pubkey| (*k == sol).then_some(oracle);
        MarginInputs::fetch(&mut self.chain, &self.ch.clearinghouse, state, &oracle_for)
            .map_err(|e| anyhow!("{e}"))
    }

    /// The account's margin, computed by the program's own engine from its accounts.
    fn margin(&mut self, w: &Writer) -> Result<MarginSummary> {
        let state = self.writer_state(w)?;
        let inputs = self.inputs(state)?;
        let now = self.now()?;
        inputs
            .compute(&mut self.chain, now, PriceUse::RiskIncreasing)
            .map_err(|e| anyhow!("{e}"))
    }

    fn deposit(
        &mut self,
        w: &Writer,
        ledger: &TokenLedger,
        from: Pubkey,
        amount: u64,
    ) -> Result<()> {
        let ix = ix::deposit(
            self.ch.clearinghouse,
            w.account,
            w.owner.pubkey(),
            ledger,
            from,
            amount,
        );
        self.chain
            .send(&[ix], &[&w.owner])
            .map(|_| ())
            .map_err(chain_err("deposit"))
    }

    fn withdraw_usdc(&mut self, w: &Writer, amount: u64) -> Result<(), ChainError> {
        let state = self
            .writer_state(w)
            .map_err(|e| ChainError::Backend(e.to_string()))?;
        let remaining = self
            .inputs(state)
            .map_err(|e| ChainError::Backend(e.to_string()))?
            .remaining_accounts();
        let ix = ix::withdraw(
            self.ch.clearinghouse,
            w.account,
            w.owner.pubkey(),
            &TokenLedger::quote(&self.ch),
            w.usdc,
            amount,
            remaining,
        );
        self.chain.send(&[ix], &[&w.owner]).map(|_| ())
    }

    fn create_series(&mut self, kind: u8, strike_dollars: u64, expiry: i64) -> Result<Pubkey> {
        let args = CreateSeriesArgs {
            kind,
            strike: strike_dollars * USDC,
            expiry,
        };
        let ix = ix::create_series(
            self.ch.clearinghouse,
            self.chain.payer(),
            self.sol,
            self.sol_oracle,
            args,
        );
        self.chain
            .send(&[ix], &[])
            .map_err(chain_err("create_series"))?;
        Ok(pda::series(&self.sol, expiry, strike_dollars * USDC, kind))
    }

    fn write(&mut self, w: &Writer, series: Pubkey, contracts: u64) -> Result<()> {
        let data = self
            .chain
            .account(&series)
            .map_err(chain_err("fetch"))?
            .context("series missing")?;
        let s = accounts::option_series(&data.data).map_err(|e| anyhow!("decode: {e}"))?;
        let recipient = self
            .chain
            .token_account(&w.owner.pubkey(), &s.option_mint, &SPL_TOKEN)
            .map_err(chain_err("option account"))?;
        let template = ShortPosition {
            series,
            underlying: s.underlying,
            strike: s.strike,
            expiry: s.expiry,
            contract_size: s.contract_size,
            contracts: 0,
            kind: s.kind,
            _padding: [0; 7],
        };
        let after = with_added_short(&self.writer_state(w)?, &template, contracts)
            .map_err(|e| anyhow!("{e}"))?;
        let remaining = self.inputs(after)?.remaining_accounts();
        let ix = ix::write_options(
            self.ch.clearinghouse,
            w.account,
            w.owner.pubkey(),
            self.sol,
            series,
            recipient,
            contracts,
            remaining,
        );
        self.chain
            .send(&[ix], &[&w.owner])
            .map(|_| ())
            .map_err(chain_err("write_options"))
    }
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

pub fn run(args: DemoArgs) -> Result<ExitCode> {
    // the embedded bank logs every transaction at debug level unless told otherwise
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "error");
    }
    let say = |s: &str| {
        if !args.json {
            println!("{s}");
        }
    };
    let mut m = Market::setup()?;
    m.publish_sol(150)?;
    say("Greekhouse demo on an embedded Solana bank (the real program, SPL Token, Pyth accounts)");
    say(&format!(
        "  clearing house {}  quote USDC, SOL priced by a Pyth pull feed",
        m.ch.clearinghouse
    ));
    say("  SOL collateral: weight 80 % at IM, 90 % at MM");

    let w = m.writer(50_000 * USDC, 200 * LAMPORTS)?;
    let quote = TokenLedger::quote(&m.ch);
    let sol = TokenLedger::collateral(&m.ch.clearinghouse, m.sol_mint, SPL_TOKEN);
    m.deposit(&w, &quote, w.usdc, 20_000 * USDC)?;
    m.deposit(&w, &sol, w.sol, 50 * LAMPORTS)?;
    m.withdraw_usdc(&w, 5_000 * USDC)
        .map_err(chain_err("withdraw"))?;
    say("\nwriter deposits 20,000 USDC and 50 SOL, withdraws 5,000 USDC (no shorts: no price needed)");

    let now = m.now()?;
    let expiry = ((now + 30 * DAY - 8 * 3_600) / DAY + 1) * DAY + 8 * 3_600;
    let call = m.create_series(0, 170, expiry)?;
    let put = m.create_series(1, 130, expiry)?;
    m.write(&w, call, 200)?;
    m.write(&w, put, 200)?;
    say("writes 200 SOL 170 calls and 200 SOL 130 puts, 30 days (one SOL per contract)\n");

    let mut rows = vec![HEADER.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
    let mut steps = Vec::new();
    let (row, j) = margin_row("written", 150, &m.margin(&w)?);
    rows.push(row);
    steps.push(j);
    for (i, spot) in [140, 125, 160, 180, 200, 210].into_iter().enumerate() {
        m.chain.advance(3_600).map_err(chain_err("clock"))?;
        m.publish_sol(spot)?;
        let (row, j) = margin_row(&format!("+{}h", i + 1), spot, &m.margin(&w)?);
        rows.push(row);
        steps.push(j);
    }
    say(&fmt::table_with(&rows, true));

    // more than the room left at initial margin, less than the quote balance
    let before = m.margin(&w)?;
    let attempt = 12_000 * USDC;
    let refused = match m.withdraw_usdc(&w, attempt) {
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
        Ok(()) => {
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
            m.sol,
            m.sol_oracle,
        ];
        let saved = greekhouse_sdk::snapshot::SnapshotChain::capture(&mut m.chain, &keys)
            .map_err(chain_err("snapshot"))?;
        std::fs::write(path, serde_json::to_string_pretty(&saved)?)
            .with_context(|| format!("writing {}", path.display()))?;
        say(&format!("\nsaved the writer's accounts to {} (try: greekhouse margin --accounts {} --writer {})", path.display(), path.display(), w.account));
    }
    if args.json {
        let out = json!({
            "clearinghouse": m.ch.clearinghouse.to_string(),
            "writer_account": w.account.to_string(),
            "steps": steps,
            "withdrawal": { "amount_usdc": 12_000, "refused": refused, "reason": refused.then_some("InitialMarginBreach") },
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    }
    Ok(ExitCode::SUCCESS)
}
