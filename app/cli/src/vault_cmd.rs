//! `greekhouse vault list | show | deposit | request-withdraw | cancel-withdraw | withdraw | buy |
//! sell-back`: writer vaults (docs/vaults.md) against a cluster, for liquidity providers and
//! buyers. The same conventions as `greekhouse account` (cluster and signer from the Solana CLI
//! config, `--output json`, exit code 2 with the program's error name on a refusal, nothing sent):
//! deposits, withdrawals, buys and sell-backs are projected by the program's own actions on the
//! fetched accounts (`greekhouse_sdk::vault_flows`) before they are sent. Listing a vault is
//! governance's (`create_vault`, through `greekhouse gov`).

use std::process::ExitCode;

use anchor_lang::Discriminator;
use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, Subcommand};
use greekhouse::state::{Vault, VaultWithdrawal};
use greekhouse_sdk::chain::{Chain, FieldFilter};
use greekhouse_sdk::flows::FlowContext;
use greekhouse_sdk::projection::Projection;
use greekhouse_sdk::rpc::RpcChain;
use greekhouse_sdk::vault::{self as vx, VaultRef};
use greekhouse_sdk::{accounts, vault_flows, Pubkey};
use serde_json::{json, Value};
use solana_signer::Signer;

use crate::account::{Common, Session};
use crate::fmt;

#[derive(Args, Debug)]
pub struct VaultArgs {
    #[command(flatten)]
    pub common: Common,
    #[command(subcommand)]
    pub command: VaultCommand,
}

#[derive(Subcommand, Debug)]
pub enum VaultCommand {
    /// The clearing house's vaults: index, address, underlying, net asset value, shares.
    List,
    /// One vault: its policy, net asset value, value per share, its writer account's margin,
    /// and the signer's shares and pending withdrawal.
    Show {
        /// The vault's index or address.
        #[arg(long)]
        vault: String,
    },
    /// Deposit quote for shares (at the net asset value, rounded for the vault).
    Deposit {
        #[arg(long)]
        vault: String,
        /// Amount in whole quote units (decimals allowed).
        amount: String,
    },
    /// Ask to withdraw shares: they leave the signer's account now and are paid at the value
    /// when the request matures (the vault's cooldown).
    RequestWithdraw {
        #[arg(long)]
        vault: String,
        /// Shares in whole units (the share mint has the quote's decimals), or `all`.
        shares: String,
    },
    /// Cancel the signer's pending withdrawal: the shares come back.
    CancelWithdraw {
        #[arg(long)]
        vault: String,
    },
    /// Complete the signer's matured withdrawal (refused while it would take the vault's
    /// account below initial margin: the request stays queued).
    Withdraw {
        #[arg(long)]
        vault: String,
    },
    /// Buy options of a series from the vault at the surface's mark plus its spread.
    Buy {
        #[arg(long)]
        vault: String,
        #[arg(long)]
        series: String,
        #[arg(long)]
        contracts: u64,
        /// The most to pay in whole quote units (default: the projected price plus
        /// `--slippage-bps`).
        #[arg(long)]
        max_price: Option<String>,
        /// Without `--max-price`: how far above the projected price the limit is set (bps), so
        /// the mark's drift between projection and execution does not refuse the buy.
        #[arg(long, default_value_t = 100)]
        slippage_bps: u64,
    },
    /// Sell option tokens back to the vault at the mark less its spread.
    SellBack {
        #[arg(long)]
        vault: String,
        #[arg(long)]
        series: String,
        #[arg(long)]
        contracts: u64,
        /// The least to accept in whole quote units (default: the projected price less
        /// `--slippage-bps`).
        #[arg(long)]
        min_price: Option<String>,
        /// Without `--min-price`: how far below the projected price the limit is set (bps).
        #[arg(long, default_value_t = 100)]
        slippage_bps: u64,
    },
}

pub fn run(args: VaultArgs) -> Result<ExitCode> {
    let mut s = Session::connect(&args.common)?;
    match args.command {
        VaultCommand::List => list(&mut s),
        VaultCommand::Show { vault } => show(&mut s, &vault),
        VaultCommand::Deposit { vault, amount } => deposit(&mut s, &vault, &amount),
        VaultCommand::RequestWithdraw { vault, shares } => {
            request_withdraw(&mut s, &vault, &shares)
        }
        VaultCommand::CancelWithdraw { vault } => cancel_withdraw(&mut s, &vault),
        VaultCommand::Withdraw { vault } => withdraw(&mut s, &vault),
        VaultCommand::Buy {
            vault,
            series,
            contracts,
            max_price,
            slippage_bps,
        } => trade(
            &mut s,
            &vault,
            &series,
            contracts,
            max_price,
            slippage_bps,
            true,
        ),
        VaultCommand::SellBack {
            vault,
            series,
            contracts,
            min_price,
            slippage_bps,
        } => trade(
            &mut s,
            &vault,
            &series,
            contracts,
            min_price,
            slippage_bps,
            false,
        ),
    }
}

/// The vault named by `--vault` (an index of this clearing house or an address).
fn resolve(s: &mut Session, named: &str) -> Result<(VaultRef, Vault)> {
    let key = match named.trim().parse::<u32>() {
        Ok(index) => vx::vault(&s.ch.clearinghouse, index),
        Err(_) => Session::address_of("--vault", named)?,
    };
    let data = s
        .chain
        .account(&key)?
        .with_context(|| format!("--vault {named}: no vault {key} on {}", s.url))?;
    let vault: Vault =
        accounts::decode(&data.data).map_err(|e| anyhow!("--vault {named}: {key}: {e}"))?;
    if vault.clearinghouse != s.ch.clearinghouse {
        bail!(
            "--vault {named}: {key} belongs to clearing house {}, not {}",
            vault.clearinghouse,
            s.ch.clearinghouse
        );
    }
    Ok((VaultRef::new(s.ch, vault.index, vault.underlying), vault))
}

fn doc(s: &Session, command: &str, v: &VaultRef) -> Value {
    json!({
        "command": command,
        "url": s.url,
        "clearinghouse": s.ch.clearinghouse.to_string(),
        "owner": s.owner.pubkey().to_string(),
        "vault": v.vault.to_string(),
    })
}

fn sdk<T>(what: &str, r: Result<T, greekhouse_sdk::margin::MarginError>) -> Result<T> {
    r.map_err(|e| anyhow!("{what}: {e}"))
}

/// The flow context of the session (its clearing house and oracle accounts).
macro_rules! flow_context {
    ($s:expr, $cx:ident) => {
        let (ch, oracles) = ($s.ch, $s.oracles.clone());
        let oracle_for = move |k: &Pubkey| oracles.get(k).copied();
        let $cx = FlowContext {
            ch: &ch,
            oracle_for: &oracle_for,
        };
    };
}

/// The SPL token balance of `account` (0 when it does not exist).
fn token_balance(s: &mut Session, account: &Pubkey) -> Result<u64> {
    Ok(s.chain
        .account(account)?
        .and_then(|a| a.data.get(64..72).and_then(|b| b.try_into().ok()))
        .map(u64::from_le_bytes)
        .unwrap_or(0))
}

fn money(s: &Session, native: i128) -> String {
    let qd = s.quote_decimals();
    fmt::decimal(native, qd, qd)
}

fn list(s: &mut Session) -> Result<ExitCode> {
    let found = s.chain.program_accounts_where(
        Vault::DISCRIMINATOR,
        &[FieldFilter::pubkey_at(
            8 + core::mem::offset_of!(Vault, clearinghouse),
            &s.ch.clearinghouse,
        )],
    )?;
    let mut rows = Vec::new();
    for (key, account) in found {
        let Ok(vault) = accounts::decode::<Vault>(&account.data) else {
            continue;
        };
        let v = VaultRef::new(s.ch, vault.index, vault.underlying);
        flow_context!(s, cx);
        let (nav, shares) = match vault_flows::view(&mut s.chain, &cx, &v) {
            Ok(view) => (json!(view.nav), json!(view.total_shares)),
            Err(e) => (json!(format!("unpriced: {e}")), Value::Null),
        };
        rows.push((
            vault.index,
            json!({
                "index": vault.index,
                "vault": key.to_string(),
                "underlying": vault.underlying.to_string(),
                "nav": nav,
                "total_shares": shares,
            }),
        ));
    }
    rows.sort_by_key(|(i, _)| *i);
    let list: Vec<Value> = rows.into_iter().map(|(_, v)| v).collect();
    if s.json() {
        s.print(&json!({ "clearinghouse": s.ch.clearinghouse.to_string(), "vaults": list }))?;
    } else if list.is_empty() {
        println!("no vaults in clearing house {}", s.ch.clearinghouse);
    } else {
        let keys = ["index", "vault", "underlying", "nav", "total_shares"];
        let mut table = vec![["index", "vault", "underlying", "NAV (native)", "shares"]
            .map(String::from)
            .to_vec()];
        for v in &list {
            table.push(
                keys.iter()
                    .map(|k| match &v[*k] {
                        Value::String(t) => t.clone(),
                        other => other.to_string(),
                    })
                    .collect(),
            );
        }
        print!("{}", fmt::table(&table));
    }
    Ok(ExitCode::SUCCESS)
}

fn show(s: &mut Session, named: &str) -> Result<ExitCode> {
    let (v, _) = resolve(s, named)?;
    flow_context!(s, cx);
    let view = sdk(
        "valuing the vault",
        vault_flows::view(&mut s.chain, &cx, &v),
    )?;
    let me = s.owner.pubkey();
    let (my_shares_account, _) = s.owner_token_account(&v.share_mint, &anchor_spl::token::ID)?;
    let my_shares = token_balance(s, &my_shares_account)?;
    let pending = s
        .chain
        .account(&vx::withdrawal(&v.vault, &me))?
        .and_then(|a| accounts::decode::<VaultWithdrawal>(&a.data).ok());
    let p = view.vault.policy;
    let per_share = if view.total_shares == 0 {
        0.0
    } else {
        view.nav as f64 / view.total_shares as f64
    };
    let margin = {
        flow_context!(s, cx2);
        let now = s.now()?;
        greekhouse_sdk::writer_flows::margin_if(&mut s.chain, &cx2, &view.writer, now)
    };
    s.say(format!("vault {} (index {})", v.vault, view.vault.index));
    s.say(format!("  underlying        {}", v.underlying));
    s.say(format!("  share mint        {}", v.share_mint));
    s.say(format!("  writer account    {}", v.writer_account));
    s.say(format!(
        "  net asset value   {} (quote), {} shares, {per_share:.6} per share",
        money(s, i128::from(view.nav)),
        view.total_shares
    ));
    s.say(format!(
        "  policy            spread {} bps, utilisation at most {} bps, deposit cap {}, cooldown {} s",
        p.spread_bps,
        p.max_utilisation_bps,
        money(s, i128::from(p.deposit_cap)),
        p.withdraw_cooldown_secs
    ));
    let m = s.margin("  margin", margin.as_ref());
    s.say(format!(
        "  your shares       {my_shares} ({my_shares_account})"
    ));
    if let Some(w) = &pending {
        s.say(format!(
            "  your withdrawal   {} shares, matures at {}",
            w.shares, w.matures_at
        ));
    }
    if s.json() {
        let mut d = doc(s, "show", &v);
        d["underlying"] = json!(v.underlying.to_string());
        d["share_mint"] = json!(v.share_mint.to_string());
        d["writer_account"] = json!(v.writer_account.to_string());
        d["nav"] = json!(view.nav);
        d["total_shares"] = json!(view.total_shares);
        d["policy"] = json!({
            "spread_bps": p.spread_bps,
            "max_utilisation_bps": p.max_utilisation_bps,
            "deposit_cap": p.deposit_cap,
            "withdraw_cooldown_secs": p.withdraw_cooldown_secs,
        });
        d["margin"] = m;
        d["your_shares"] = json!(my_shares);
        d["your_withdrawal"] = pending.map_or(
            Value::Null,
            |w| json!({ "shares": w.shares, "matures_at": w.matures_at }),
        );
        s.print(&d)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn deposit(s: &mut Session, named: &str, amount: &str) -> Result<ExitCode> {
    let (v, _) = resolve(s, named)?;
    let amount = crate::account::native(amount, s.quote_decimals())?;
    let me = s.owner.pubkey();
    let (source, _) = {
        let ch = s.ch;
        s.owner_token_account(&ch.quote_mint, &ch.quote_token_program)?
    };
    let held = token_balance(s, &source)?;
    if held < amount {
        bail!("{source} holds {held} native units, less than the {amount} to deposit");
    }
    let (shares_to, create) = s.owner_token_account(&v.share_mint, &anchor_spl::token::ID)?;
    flow_context!(s, cx);
    let (p, accruals) = s.after_accruals(v.writer_account, "projecting the deposit", |chain| {
        vault_flows::deposit(chain, &cx, &v, me, source, shares_to, amount)
    })?;
    s.say(format!(
        "depositing {} into vault {}: {} shares at a net asset value of {}",
        money(s, i128::from(amount)),
        v.vault,
        p.amount,
        money(s, i128::from(p.nav_before))
    ));
    let mut d = doc(s, "deposit", &v);
    d["amount"] = json!(amount);
    d["projected"] = json!({ "shares": p.amount, "nav_before": p.nav_before });
    s.accruals_first(&mut d, &v.writer_account, accruals.len());
    let mut ixs: Vec<_> = create.into_iter().chain(accruals).collect();
    ixs.push(p.instruction);
    s.conclude(d, p.refusal, &ixs, &[])
}

fn request_withdraw(s: &mut Session, named: &str, shares: &str) -> Result<ExitCode> {
    let (v, vault) = resolve(s, named)?;
    let me = s.owner.pubkey();
    let (from, _) = s.owner_token_account(&v.share_mint, &anchor_spl::token::ID)?;
    let held = token_balance(s, &from)?;
    let shares = if shares == "all" {
        held
    } else {
        crate::account::native(shares, s.quote_decimals())?
    };
    if shares == 0 || held < shares {
        bail!("{from} holds {held} shares: cannot ask to withdraw {shares}");
    }
    if s.chain.account(&vx::withdrawal(&v.vault, &me))?.is_some() {
        bail!(
            "a withdrawal of yours is already pending in vault {}: complete or cancel it first",
            v.vault
        );
    }
    let now = s.now()?;
    s.say(format!(
        "asking to withdraw {shares} shares from vault {}: paid at the value when the request \
         matures, at {} (in {} s)",
        v.vault,
        now + i64::from(vault.policy.withdraw_cooldown_secs),
        vault.policy.withdraw_cooldown_secs
    ));
    let ix = vx::request_vault_withdraw(&v, me, me, from, shares);
    let mut d = doc(s, "request-withdraw", &v);
    d["shares"] = json!(shares);
    s.conclude(d, None, &[ix], &[])
}

fn cancel_withdraw(s: &mut Session, named: &str) -> Result<ExitCode> {
    let (v, _) = resolve(s, named)?;
    let me = s.owner.pubkey();
    if s.chain.account(&vx::withdrawal(&v.vault, &me))?.is_none() {
        bail!("no pending withdrawal of yours in vault {}", v.vault);
    }
    let (to, create) = s.owner_token_account(&v.share_mint, &anchor_spl::token::ID)?;
    let mut ixs: Vec<_> = create.into_iter().collect();
    ixs.push(vx::cancel_vault_withdraw(&v, me, to));
    s.say(format!("cancelling your withdrawal from vault {}", v.vault));
    let d = doc(s, "cancel-withdraw", &v);
    s.conclude(d, None, &ixs, &[])
}

fn withdraw(s: &mut Session, named: &str) -> Result<ExitCode> {
    let (v, _) = resolve(s, named)?;
    let me = s.owner.pubkey();
    if s.chain.account(&vx::withdrawal(&v.vault, &me))?.is_none() {
        bail!(
            "no pending withdrawal of yours in vault {}: request one first",
            v.vault
        );
    }
    let (to, create) = {
        let ch = s.ch;
        s.owner_token_account(&ch.quote_mint, &ch.quote_token_program)?
    };
    flow_context!(s, cx);
    let (p, accruals) =
        s.after_accruals(v.writer_account, "projecting the withdrawal", |chain| {
            vault_flows::withdraw(chain, &cx, &v, me, to)
        })?;
    s.say(format!(
        "withdrawing from vault {}: {} at a net asset value of {}",
        v.vault,
        money(s, i128::from(p.amount)),
        money(s, i128::from(p.nav_before))
    ));
    let mut d = doc(s, "withdraw", &v);
    d["projected"] = json!({ "amount": p.amount, "nav_before": p.nav_before });
    s.accruals_first(&mut d, &v.writer_account, accruals.len());
    let mut ixs: Vec<_> = create.into_iter().chain(accruals).collect();
    ixs.push(p.instruction);
    s.conclude(d, p.refusal, &ixs, &[])
}

/// A buy (`buying`) or a sell-back: projected once at the limit the user gave (or none), then
/// built at that limit or, without one, at the projected price moved by `slippage_bps` in the
/// vault's favour of the user (above for a buy, below for a sell-back).
#[allow(clippy::too_many_arguments)]
fn trade(
    s: &mut Session,
    named: &str,
    series: &str,
    contracts: u64,
    limit: Option<String>,
    slippage_bps: u64,
    buying: bool,
) -> Result<ExitCode> {
    let (v, _) = resolve(s, named)?;
    let series = Session::address_of("--series", series)?;
    let me = s.owner.pubkey();
    let qd = s.quote_decimals();
    let limit = limit.map(|l| crate::account::native(&l, qd)).transpose()?;
    let terms = crate::account::series_of(s, &series)?;
    let (quote_account, create_quote) = {
        let ch = s.ch;
        s.owner_token_account(&ch.quote_mint, &ch.quote_token_program)?
    };
    let (option_account, create_option) =
        s.owner_token_account(&terms.option_mint, &anchor_spl::token::ID)?;
    let mut ixs = Vec::new();
    flow_context!(s, cx);
    let trade_on = |chain: &mut Projection<'_, RpcChain>, cx: &FlowContext<'_>, bound: u64| {
        if buying {
            vault_flows::buy(
                chain,
                cx,
                &v,
                me,
                quote_account,
                series,
                option_account,
                contracts,
                bound,
            )
        } else {
            vault_flows::sell_back(
                chain,
                cx,
                &v,
                me,
                option_account,
                series,
                quote_account,
                contracts,
                bound,
            )
        }
    };
    // projected on the vault's account as its pending exercise accruals leave it (sent first)
    let project = |s: &mut Session, bound: u64| {
        s.after_accruals(v.writer_account, "projecting the trade", |chain| {
            trade_on(chain, &cx, bound)
        })
    };
    // without a limit, the projection at the loosest bound gives the price to bind
    let (first, accruals) = project(s, limit.unwrap_or(if buying { u64::MAX } else { 0 }))?;
    let p = match (limit, &first.refusal) {
        (None, None) => {
            let moved = u128::from(first.price) * u128::from(slippage_bps) / 10_000;
            let bound = if buying {
                u64::try_from(u128::from(first.price) + moved).unwrap_or(u64::MAX)
            } else {
                first
                    .price
                    .saturating_sub(u64::try_from(moved).unwrap_or(u64::MAX))
            };
            project(s, bound)?.0
        }
        _ => first,
    };
    if buying {
        ixs.extend(create_option);
        s.say(format!(
            "buying {contracts} of {series} from vault {} for {} (limit {})",
            v.vault,
            money(s, i128::from(p.price)),
            limit.map_or(format!("the projected price + {slippage_bps} bps"), |l| {
                money(s, i128::from(l))
            })
        ));
    } else {
        ixs.extend(create_quote);
        s.say(format!(
            "selling {contracts} of {series} back to vault {} for {} (limit {})",
            v.vault,
            money(s, i128::from(p.price)),
            limit.map_or(format!("the projected price - {slippage_bps} bps"), |l| {
                money(s, i128::from(l))
            })
        ));
    }
    let mut d = doc(s, if buying { "buy" } else { "sell-back" }, &v);
    d["series"] = json!(series.to_string());
    d["contracts"] = json!(contracts);
    d["projected"] = json!({ "price": p.price });
    s.accruals_first(&mut d, &v.writer_account, accruals.len());
    ixs.extend(accruals);
    ixs.push(p.instruction);
    s.conclude(d, p.refusal, &ixs, &[])
}
