//! `greekhouse demo --url URL --manifest PATH`: the writer flow over JSON-RPC, on a local
//! validator seeded by `greekhouse localnet` (its `localnet.json` names the clearing house,
//! the role keys and the faucet). The world is the test kit's scenario world attached to the
//! node from the manifest (`Env::attach`), and the steps are its actions, the ones the bank
//! tests and the RPC tests run. A new owner is funded with SOL from the faucet and with quote
//! tokens by the mint authority, opens a writer account, deposits, writes calls sized by the
//! SDK's own projection of `write_options`, asks for a withdrawal initial margin refuses, and
//! burns part of the options. Each step prints its transaction's events, decoded from the
//! landed transaction, and the account's margin after it, as the program computes it.

use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};
use greekhouse_sdk::chain::{Chain, ChainError};
use greekhouse_sdk::flows;
use greekhouse_sdk::localnet::{Manifest, SeriesEntry};
use greekhouse_sdk::rpc::{RpcChain, RpcConfig};
use greekhouse_sdk::{accounts, pda, Instruction, Pubkey};
use greekhouse_testkit::scenario::{Env, Writer};
use greekhouse_testkit::test_oracle;
use serde_json::{json, Value};
use solana_keypair::Keypair;
use solana_signer::Signer;

use crate::node;
use crate::rpc_demo_steps::{Demo, Step, Withdrawal};

/// Lamports the new owner gets: rent of its writer account and token accounts, and fees.
const OWNER_LAMPORTS: u64 = 1_000_000_000;
/// Quote the owner is minted and deposits, in whole quote units.
const MINTED_UNITS: u64 = 25_000;
const DEPOSIT_UNITS: u64 = 20_000;
/// A series must be this far from expiry to be written (seconds).
const MIN_TIME_LEFT: i64 = 3_600;

/// The manifest, the price publisher and the quote's decimals of the run.
pub struct World {
    pub manifest: Manifest,
    /// Pays for price publications (the validator's faucet key).
    pub faucet: RpcChain,
    pub oracle_authority: Keypair,
    pub quote_decimals: u32,
    pub quote_unit: u64,
}

/// The run's world, and the scenario world the validator was seeded with, attached over the
/// node with the faucet paying.
fn load_world(url: &str, manifest_path: &Path) -> Result<(World, Env<RpcChain>)> {
    node::check_url("--url", url)?;
    let manifest = Manifest::load(manifest_path).map_err(|e| anyhow!("--manifest: {e}"))?;
    let faucet_key = node::keypair("--manifest", &manifest.faucet_keypair)?;
    let faucet = RpcChain::new(url, faucet_key.insecure_clone(), RpcConfig::default());
    let chain = RpcChain::new(url, faucet_key, RpcConfig::default());
    let (mut env, _seeded_writers) =
        Env::attach(chain, &manifest).map_err(|e| anyhow!("--manifest: {e}"))?;
    let derived = pda::clearinghouse(&manifest.quote.mint, &manifest.creator);
    if derived != manifest.clearinghouse {
        bail!(
            "--manifest: the clearing house {} is not the one its quote mint and creator derive",
            manifest.clearinghouse
        );
    }
    let mut world = World {
        manifest,
        faucet,
        oracle_authority: env.oracle_authority.insecure_clone(),
        quote_decimals: 0,
        quote_unit: 0,
    };
    let clearinghouse = env.ch.clearinghouse;
    let found = env
        .chain
        .account(&clearinghouse)
        .map_err(|e| anyhow!("--url {url}: {e}"))?
        .with_context(|| {
            format!(
                "the manifest's clearing house {clearinghouse} is not on {url}: is --url the \
                 validator that wrote the manifest?"
            )
        })?;
    let state = accounts::clearinghouse(&found.data).map_err(|e| anyhow!("{e}"))?;
    world.quote_decimals = u32::from(state.quote_decimals);
    world.quote_unit = greekhouse_risk::fixed::pow10(world.quote_decimals)
        .and_then(|p| u64::try_from(p).ok())
        .context("the clearing house's quote decimals overflow")?;
    Ok((world, env))
}

/// A series of the manifest to write: a SOL call far enough from expiry, else any such series.
fn pick_series(m: &Manifest, now: i64) -> Result<SeriesEntry> {
    let live = |s: &&SeriesEntry| s.expiry.checked_sub(now).is_some_and(|t| t > MIN_TIME_LEFT);
    let sol = m.underlying("SOL").map(|u| u.address);
    m.series
        .iter()
        .filter(live)
        .find(|s| Some(s.underlying) == sol && s.kind == "call")
        .or_else(|| m.series.iter().find(live))
        .cloned()
        .context("the manifest lists no series more than an hour from expiry")
}

/// Publish every underlying's current price again, so it is fresh for the margin checks (the
/// test oracle stamps it with the cluster's clock). The price itself stays where it is.
fn publish_prices(w: &mut World) -> Result<()> {
    let mut ixs = Vec::new();
    for u in &w.manifest.underlyings {
        let mut price = u.price;
        let (underlying, oracle) = (w.faucet.account(&u.address)?, w.faucet.account(&u.oracle)?);
        if let (Some(ua), Some(oa)) = (underlying, oracle) {
            if let Ok(state) = accounts::underlying(&ua.data) {
                if let Ok(p) =
                    greekhouse::oracle::parse_oracle_account(&state, &u.oracle, &oa.owner, &oa.data)
                {
                    price = p.price;
                }
            }
        }
        // 0.1 % confidence, as the scenario kit publishes
        let conf = u64::try_from(price).map(|p| p / 1_000).unwrap_or(0);
        ixs.push(test_oracle::publish(
            w.oracle_authority.pubkey(),
            test_oracle::label(&u.feed_label),
            price,
            conf,
            0,
        ));
    }
    let authority = w.oracle_authority.insecure_clone();
    w.faucet
        .send(&ixs, &[&authority])
        .map_err(|e| node::send_error("publishing test-oracle prices", &e))?;
    Ok(())
}

/// Run the demo; prints text as it goes unless `as_json`; returns the JSON document.
pub fn run(url: &str, manifest_path: &Path, as_json: bool) -> Result<Value> {
    let (mut w, mut env) = load_world(url, manifest_path)?;
    let ch = env.ch;
    let owner = Keypair::new();
    let me = owner.pubkey();
    let account = pda::writer_account(&ch.clearinghouse, &me, 0);
    let mut demo = Demo::new(as_json, url, account);
    demo.say(&format!(
        "Greekhouse writer flow over JSON-RPC at {url}\n  clearing house {} (from {})",
        ch.clearinghouse,
        manifest_path.display()
    ));
    let unit = w.quote_unit;
    let minted = MINTED_UNITS.checked_mul(unit).context("quote amount")?;
    let deposit = DEPOSIT_UNITS.checked_mul(unit).context("quote amount")?;

    // 1. fund: SOL from the faucet, quote tokens minted by the mint authority
    let quote_ata = pda::associated_token(&me, &ch.quote_mint, &ch.quote_token_program);
    let funding = fund_instructions(&env, &me, &quote_ata, minted)?;
    let authority = env.mint_authority.insecure_clone();
    let out = env
        .chain
        .send(&funding, &[&authority])
        .map_err(|e| node::send_error("funding the owner", &e))?;
    // from here on the owner pays its own fees: the same world over an owner-paid chain
    let mut env =
        env.map_chain(|_| RpcChain::new(url, owner.insecure_clone(), RpcConfig::default()));
    let sol = OWNER_LAMPORTS / 1_000_000_000;
    let detail =
        format!("owner {me} gets {sol} SOL from the faucet and {MINTED_UNITS} quote minted");
    demo.step(Step::new("fund", detail, &out), &mut env.chain)?;

    // 2. open the writer account, 3. deposit
    let sol_token = w.manifest.sol_collateral.token_program;
    let sol_ata = pda::associated_token(&me, &env.sol_mint, &sol_token);
    let new = Writer {
        owner,
        account,
        quote_ata,
        sol_ata,
    };
    let (writer, out) = env
        .open_account(&new, 0)
        .map_err(|e| node::send_error("open_writer_account", &e))?;
    let detail = format!("writer account {account}");
    demo.step(
        Step::new("open_writer_account", detail, &out),
        &mut env.chain,
    )?;
    let out = env
        .deposit_quote(&writer, deposit)
        .map_err(|e| node::send_error("deposit", &e))?;
    let detail = format!("deposit {DEPOSIT_UNITS} quote");
    demo.step(Step::new("deposit", detail, &out), &mut env.chain)?;

    // 4. write half of what initial margin allows, so the account keeps room
    let now = node::node_time(&mut env.chain, url)?;
    let series = pick_series(&w.manifest, now)?;
    let option_mint = pda::option_mint(&series.address);
    let token = anchor_spl::token::ID;
    let options_ata = pda::associated_token(&me, &option_mint, &token);
    publish_prices(&mut w)?;
    let max = env
        .with_flow(|chain, cx| {
            flows::max_writable(chain, cx, account, me, series.address, options_ata)
        })
        .map_err(|e| anyhow!("projecting write_options: {e}"))?;
    if max == 0 {
        bail!(
            "initial margin allows no contract of {} with {DEPOSIT_UNITS} quote",
            series.address
        );
    }
    let contracts = (max / 2).max(1);
    let (write, out) = env
        .write_projected(&writer, &series.address, contracts)
        .map_err(|e| node::send_error("write_options", &e))?;
    let quote = |native: u64| crate::fmt::decimal(i128::from(native), w.quote_decimals, 2);
    let detail = format!(
        "write {contracts} {} {} (strike {}, expiry {}); initial margin allows {max}; fee {}",
        underlying_name(&w.manifest, &series.underlying),
        series.kind,
        quote(series.strike),
        series.expiry,
        quote(write.fee)
    );
    demo.step(Step::new("write_options", detail, &out), &mut env.chain)?;

    // 5. a withdrawal of 90 % of the deposit (less than the deposit, so the ledger allows it):
    // initial margin refuses it
    publish_prices(&mut w)?;
    let ask = deposit / 10 * 9;
    let ledger = env.quote_ledger();
    let withdraw = env
        .with_flow(|chain, cx| flows::withdraw(chain, cx, account, me, &ledger, quote_ata, ask))
        .map_err(|e| anyhow!("projecting withdraw: {e}"))?;
    let projected_equity_native = withdraw.initial_equity_after();
    let result = match env.chain.send(&[withdraw.instruction], &[]) {
        Ok(out) => Err(out),
        Err(e @ ChainError::Transaction { .. }) => Ok(e),
        Err(e) => return Err(node::send_error("withdraw", &e)),
    };
    let attempt = Withdrawal {
        amount_units: ask / unit,
        projected_equity_native,
        quote_decimals: w.quote_decimals,
        result,
    };
    demo.withdrawal(attempt, &mut env.chain)?;

    // 6. burn half of the written options (buying back needs no margin check)
    let burned = (contracts / 2).max(1);
    publish_prices(&mut w)?;
    let out = env
        .burn(&writer, &series.address, burned)
        .map_err(|e| node::send_error("burn_options", &e))?;
    let detail = format!("burn {burned} of the {contracts} written");
    demo.step(Step::new("burn_options", detail, &out), &mut env.chain)?;

    Ok(demo.finish(json!({
        "rpc_url": url,
        "clearinghouse": ch.clearinghouse.to_string(),
        "owner": me.to_string(),
        "writer_account": account.to_string(),
        "series": series.address.to_string(),
        "contracts_written": contracts,
        "contracts_burned": burned,
        "max_writable": max,
    })))
}

/// The idempotent creation of `owner`'s associated token account for `mint`.
fn create_ata(payer: &Pubkey, owner: &Pubkey, mint: &Pubkey, token: &Pubkey) -> Instruction {
    use anchor_spl::associated_token::spl_associated_token_account::instruction;
    instruction::create_associated_token_account_idempotent(payer, owner, mint, token)
}

fn underlying_name(m: &Manifest, key: &Pubkey) -> String {
    m.underlyings
        .iter()
        .find(|u| u.address == *key)
        .map(|u| u.name.clone())
        .unwrap_or_else(|| key.to_string())
}

/// SOL for the owner, its quote token account, and its quote tokens (the world's payer, the
/// faucet, pays).
fn fund_instructions(
    w: &Env<RpcChain>,
    owner: &Pubkey,
    ata: &Pubkey,
    amount: u64,
) -> Result<Vec<Instruction>> {
    let payer = w.chain.payer();
    let (ch, mint_authority) = (w.ch, w.mint_authority.pubkey());
    let token = ch.quote_token_program;
    Ok(vec![
        anchor_lang::solana_program::system_instruction::transfer(&payer, owner, OWNER_LAMPORTS),
        create_ata(&payer, owner, &ch.quote_mint, &token),
        anchor_spl::token_2022::spl_token_2022::instruction::mint_to(
            &token,
            &ch.quote_mint,
            ata,
            &mint_authority,
            &[],
            amount,
        )
        .map_err(|e| anyhow!("mint_to: {e}"))?,
    ])
}
