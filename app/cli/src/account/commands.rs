//! One function per writer command: fetch, project through the SDK, print, send.

use std::process::ExitCode;

use anyhow::{anyhow, bail, Context, Result};
use greekhouse_sdk::chain::Chain;
use greekhouse_sdk::flows::{self, FlowContext};
use greekhouse_sdk::ix::TokenLedger;
use greekhouse_sdk::{accounts, writer_flows, Pubkey};
use serde_json::{json, Value};
use solana_signer::Signer;

use super::session::{address, Session};
use super::AccountCommand;
use crate::decimal::Decimal;

pub fn run(s: &mut Session, command: AccountCommand) -> Result<ExitCode> {
    match command {
        AccountCommand::Open => open(s),
        AccountCommand::Deposit { amount, mint, from } => deposit(s, &amount, mint, from),
        AccountCommand::Withdraw { amount, mint, to } => withdraw(s, &amount, mint, to),
        AccountCommand::Write {
            series,
            contracts,
            to,
        } => write(s, &series, contracts, to),
        AccountCommand::Burn { series, contracts } => burn(s, &series, contracts),
        AccountCommand::Redeem {
            series,
            contracts,
            to,
        } => redeem(s, &series, contracts, to),
        AccountCommand::Exercise {
            series,
            contracts,
            to,
        } => exercise(s, &series, contracts, to),
        AccountCommand::DepositOptions { series, contracts } => {
            super::longs::deposit_options(s, &series, contracts)
        }
        AccountCommand::WithdrawOptions {
            series,
            contracts,
            to,
        } => super::longs::withdraw_options(s, &series, contracts, to),
        AccountCommand::SettleLong { series, account } => {
            super::longs::settle_long(s, &series, account)
        }
        AccountCommand::CheckMargin { account } => super::longs::check_margin(s, account),
        AccountCommand::Accrue { account } => super::longs::accrue(s, account),
        AccountCommand::Close => close(s),
        AccountCommand::Show { account } => super::view::show(s, account),
        AccountCommand::Series => super::view::series(s),
    }
}

pub(super) fn doc(s: &Session, command: &str) -> Value {
    json!({
        "command": command,
        "url": s.url,
        "clearinghouse": s.ch.clearinghouse.to_string(),
        "owner": s.owner.pubkey().to_string(),
        "writer_account": s.writer_account.to_string(),
    })
}

pub(super) fn sdk<T>(what: &str, r: Result<T, greekhouse_sdk::margin::MarginError>) -> Result<T> {
    r.map_err(|e| anyhow!("{what}: {e}"))
}

/// A token's ledger (quote, or a listed collateral by `--mint`) and its decimals.
fn ledger(s: &mut Session, mint: Option<String>) -> Result<(TokenLedger, u32)> {
    let Some(mint) = mint else {
        return Ok((TokenLedger::quote(&s.ch), s.quote_decimals()));
    };
    let mint = address("--mint", &mint)?;
    let account = s
        .chain
        .account(&mint)?
        .with_context(|| format!("--mint {mint}: no such account"))?;
    let decimals = *account
        .data
        .get(44)
        .with_context(|| format!("--mint {mint}: not a token mint"))?;
    let ledger = TokenLedger::collateral(&s.ch.clearinghouse, mint, account.owner);
    Ok((ledger, u32::from(decimals)))
}

/// `text` in whole token units as native units.
pub(crate) fn native(text: &str, decimals: u32) -> Result<u64> {
    let scaled = Decimal::parse(text)
        .and_then(|d| d.to_scaled(decimals as i32))
        .map_err(|e| anyhow!("amount {text}: {e}"))?;
    u64::try_from(scaled).map_err(|_| anyhow!("amount {text}: must be positive and fit a u64"))
}

fn open(s: &mut Session) -> Result<ExitCode> {
    let me = s.owner.pubkey();
    let (checked, exists) = sdk(
        "projecting open_writer_account",
        writer_flows::open(&mut s.chain, s.ch.clearinghouse, me, me, s.index),
    )?;
    if exists {
        bail!(
            "writer account {} (index {}) is already open",
            s.writer_account,
            s.index
        );
    }
    s.say(format!(
        "opening writer account {} (index {}) of {me}",
        s.writer_account, s.index
    ));
    let d = doc(s, "open");
    s.conclude(d, checked.refusal, &[checked.instruction], &[])
}

fn deposit(
    s: &mut Session,
    amount: &str,
    mint: Option<String>,
    from: Option<String>,
) -> Result<ExitCode> {
    let (ledger, decimals) = ledger(s, mint)?;
    let amount = native(amount, decimals)?;
    let source = match from {
        Some(a) => address("--from", &a)?,
        None => {
            s.owner_token_account(&ledger.mint, &ledger.token_program)?
                .0
        }
    };
    let held = sdk(
        "reading the source",
        writer_flows::token_amount(&mut s.chain, &source),
    )?
    .with_context(|| format!("no token account {source} to deposit from"))?;
    if held < amount {
        bail!("{source} holds {held} native units, less than the {amount} to deposit");
    }
    let now = s.now()?;
    let (ch, oracles) = (s.ch, s.oracles.clone());
    let oracle_for = move |k: &Pubkey| oracles.get(k).copied();
    let cx = FlowContext {
        ch: &ch,
        oracle_for: &oracle_for,
    };
    let (writer, me) = (s.writer_account, s.owner.pubkey());
    let checked = sdk(
        "projecting the deposit",
        writer_flows::deposit(&mut s.chain, &cx, writer, me, &ledger, source, amount),
    )?;
    let margin = checked
        .account_after
        .as_ref()
        .and_then(|a| writer_flows::margin_if(&mut s.chain, &cx, a, now));
    s.say(format!(
        "depositing {} of {} into {writer}",
        crate::fmt::decimal(i128::from(amount), decimals, decimals),
        ledger.mint
    ));
    let mut d = doc(s, "deposit");
    d["amount"] = json!(amount);
    d["projected"] = json!({ "balance_after": checked.amount_after, "margin": s.margin("margin after", margin.as_ref()) });
    s.conclude(d, checked.refusal, &[checked.instruction], &[])
}

fn withdraw(
    s: &mut Session,
    amount: &str,
    mint: Option<String>,
    to: Option<String>,
) -> Result<ExitCode> {
    let (ledger, decimals) = ledger(s, mint)?;
    let writer = s.writer_account;
    let amount = if amount == "all" {
        let state = sdk("reading the account", fetch_writer(s, &writer))?;
        match ledger.collateral_asset {
            None => u64::try_from(state.quote_balance).unwrap_or(0),
            Some(asset) => state
                .collaterals
                .iter()
                .find(|c| c.asset == asset)
                .map_or(0, |c| c.amount),
        }
    } else {
        native(amount, decimals)?
    };
    let mut pre = Vec::new();
    let destination = match to {
        Some(a) => address("--to", &a)?,
        None => {
            let (ata, create) = s.owner_token_account(&ledger.mint, &ledger.token_program)?;
            pre.extend(create);
            ata
        }
    };
    let posted = s.post_prices(&writer, &[])?;
    let (ch, oracles) = (s.ch, s.oracles.clone());
    let oracle_for = move |k: &Pubkey| oracles.get(k).copied();
    let cx = FlowContext {
        ch: &ch,
        oracle_for: &oracle_for,
    };
    let me = s.owner.pubkey();
    let (p, accruals) = s.after_accruals(writer, "projecting the withdrawal", |chain| {
        flows::withdraw(chain, &cx, writer, me, &ledger, destination, amount)
    })?;
    s.say(format!(
        "withdrawing {} of {} from {writer}",
        crate::fmt::decimal(i128::from(amount), decimals, decimals),
        ledger.mint
    ));
    let mut d = doc(s, "withdraw");
    d["amount"] = json!(amount);
    d["projected"] = json!({ "margin": s.margin("margin after", p.margin_after.as_ref()) });
    s.accruals_first(&mut d, &writer, accruals.len());
    pre.extend(accruals);
    pre.push(p.instruction);
    let code = s.conclude(d, p.refusal, &pre, &[]);
    s.close_posted(posted);
    code
}

pub(super) fn fetch_writer(
    s: &mut Session,
    key: &Pubkey,
) -> Result<greekhouse::state::WriterAccount, greekhouse_sdk::margin::MarginError> {
    use greekhouse_sdk::margin::MarginError;
    let data = s
        .chain
        .account(key)?
        .ok_or(MarginError::MissingAccount(*key))?;
    accounts::writer_account(&data.data).map_err(|e| MarginError::Decode(*key, e))
}

pub(crate) fn series_state(
    s: &mut Session,
    series: &Pubkey,
) -> Result<greekhouse::state::OptionSeries> {
    let data = s
        .chain
        .account(series)?
        .with_context(|| format!("--series {series}: no such account"))?;
    accounts::option_series(&data.data).map_err(|e| anyhow!("--series {series}: {e}"))
}

/// The option token account that receives `terms`' tokens: `--to`, else the owner's associated
/// account, with the instruction creating it when missing (sent first).
pub(super) fn option_recipient(
    s: &mut Session,
    to: Option<String>,
    terms: &greekhouse::state::OptionSeries,
) -> Result<(Pubkey, Vec<greekhouse_sdk::Instruction>)> {
    match to {
        Some(a) => Ok((address("--to", &a)?, Vec::new())),
        None => {
            let (ata, create) =
                s.owner_token_account(&terms.option_mint, &anchor_spl::token::ID)?;
            Ok((ata, create.into_iter().collect()))
        }
    }
}

fn write(s: &mut Session, series: &str, contracts: u64, to: Option<String>) -> Result<ExitCode> {
    let series = address("--series", series)?;
    let terms = series_state(s, &series)?;
    let (recipient, mut pre) = option_recipient(s, to, &terms)?;
    let writer = s.writer_account;
    let posted = s.post_prices(&writer, &[terms.underlying])?;
    let (ch, oracles) = (s.ch, s.oracles.clone());
    let oracle_for = move |k: &Pubkey| oracles.get(k).copied();
    let cx = FlowContext {
        ch: &ch,
        oracle_for: &oracle_for,
    };
    let me = s.owner.pubkey();
    let (p, accruals) = s.after_accruals(writer, "projecting the write", |chain| {
        flows::write(chain, &cx, writer, me, series, recipient, contracts)
    })?;
    let qd = s.quote_decimals();
    s.say(format!(
        "writing {contracts} contracts of {series} from {writer} (fee {})",
        crate::fmt::decimal(i128::from(p.fee), qd, qd)
    ));
    let mut d = doc(s, "write");
    d["series"] = json!(series.to_string());
    d["contracts"] = json!(contracts);
    d["projected"] = json!({
        "fee": crate::fmt::decimal(i128::from(p.fee), qd, qd),
        "margin": s.margin("margin after", p.margin_after.as_ref()),
    });
    s.accruals_first(&mut d, &writer, accruals.len());
    pre.extend(accruals);
    pre.push(p.instruction);
    let code = s.conclude(d, p.refusal, &pre, &[]);
    s.close_posted(posted);
    code
}

/// The owner's option token account of `series` when it holds at least `contracts` (else the
/// token program's refusal, before the program's rules are reached).
pub(super) fn owner_option_tokens(
    s: &mut Session,
    series: &Pubkey,
    contracts: u64,
) -> Result<Pubkey> {
    let terms = series_state(s, series)?;
    let (held_in, _) = s.owner_token_account(&terms.option_mint, &anchor_spl::token::ID)?;
    let held = sdk(
        "reading the option tokens",
        writer_flows::token_amount(&mut s.chain, &held_in),
    )?
    .unwrap_or(0);
    if held < contracts {
        bail!("{held_in} holds {held} option tokens of {series}, fewer than {contracts}");
    }
    Ok(held_in)
}

fn burn(s: &mut Session, series: &str, contracts: u64) -> Result<ExitCode> {
    let series = address("--series", series)?;
    let held_in = owner_option_tokens(s, &series, contracts)?;
    let (writer, me) = (s.writer_account, s.owner.pubkey());
    let checked = sdk(
        "projecting the burn",
        writer_flows::burn(&mut s.chain, writer, me, series, held_in, contracts),
    )?;
    let now = s.now()?;
    let (ch, oracles) = (s.ch, s.oracles.clone());
    let oracle_for = move |k: &Pubkey| oracles.get(k).copied();
    let cx = FlowContext {
        ch: &ch,
        oracle_for: &oracle_for,
    };
    let margin = checked
        .account_after
        .as_ref()
        .and_then(|a| writer_flows::margin_if(&mut s.chain, &cx, a, now));
    s.say(format!(
        "burning {contracts} contracts of {series} against {writer}'s short"
    ));
    let mut d = doc(s, "burn");
    d["series"] = json!(series.to_string());
    d["contracts"] = json!(contracts);
    d["projected"] = json!({ "short_after": checked.amount_after, "margin": s.margin("margin after", margin.as_ref()) });
    s.conclude(d, checked.refusal, &[checked.instruction], &[])
}

fn redeem(s: &mut Session, series: &str, contracts: u64, to: Option<String>) -> Result<ExitCode> {
    let series = address("--series", series)?;
    let terms = series_state(s, &series)?;
    let (held_in, _) = s.owner_token_account(&terms.option_mint, &anchor_spl::token::ID)?;
    let mut pre = Vec::new();
    let recipient = match to {
        Some(a) => address("--to", &a)?,
        None => {
            let (quote_mint, program) = (s.ch.quote_mint, s.ch.quote_token_program);
            let (ata, create) = s.owner_token_account(&quote_mint, &program)?;
            pre.extend(create);
            ata
        }
    };
    let (ch, me) = (s.ch, s.owner.pubkey());
    let checked = sdk(
        "projecting the redemption",
        writer_flows::redeem(&mut s.chain, &ch, me, series, held_in, recipient, contracts),
    )?;
    conclude_payout(s, "redeem", "redeeming", series, contracts, checked, pre)
}

fn exercise(s: &mut Session, series: &str, contracts: u64, to: Option<String>) -> Result<ExitCode> {
    let series = address("--series", series)?;
    let terms = series_state(s, &series)?;
    let (held_in, _) = s.owner_token_account(&terms.option_mint, &anchor_spl::token::ID)?;
    let mut pre = Vec::new();
    let recipient = match to {
        Some(a) => address("--to", &a)?,
        None => {
            let (quote_mint, program) = (s.ch.quote_mint, s.ch.quote_token_program);
            let (ata, create) = s.owner_token_account(&quote_mint, &program)?;
            pre.extend(create);
            ata
        }
    };
    let oracle = s
        .oracles
        .get(&terms.underlying)
        .copied()
        .ok_or_else(|| anyhow::anyhow!("no oracle account known for {}", terms.underlying))?;
    let now = s.now()?;
    let (ch, me) = (s.ch, s.owner.pubkey());
    let checked = sdk(
        "projecting the exercise",
        writer_flows::exercise(
            &mut s.chain,
            &ch,
            me,
            series,
            oracle,
            held_in,
            recipient,
            contracts,
            now,
        ),
    )?;
    conclude_payout(s, "exercise", "exercising", series, contracts, checked, pre)
}

/// A redemption's or an exercise's end: the projected payment printed, then sent after `pre`.
fn conclude_payout(
    s: &mut Session,
    command: &str,
    verb: &str,
    series: Pubkey,
    contracts: u64,
    checked: writer_flows::Checked,
    mut pre: Vec<greekhouse_sdk::Instruction>,
) -> Result<ExitCode> {
    let qd = s.quote_decimals();
    let paid = checked
        .amount_after
        .map(|a| crate::fmt::decimal(i128::from(a), qd, qd));
    s.say(format!(
        "{verb} {contracts} contracts of {series}: paid {}",
        paid.as_deref().unwrap_or("-")
    ));
    let mut d = doc(s, command);
    d["series"] = json!(series.to_string());
    d["contracts"] = json!(contracts);
    d["projected"] = json!({ "paid": paid });
    pre.push(checked.instruction);
    s.conclude(d, checked.refusal, &pre, &[])
}

fn close(s: &mut Session) -> Result<ExitCode> {
    let (writer, me) = (s.writer_account, s.owner.pubkey());
    let checked = sdk(
        "projecting the close",
        writer_flows::close(&mut s.chain, writer, me),
    )?;
    s.say(format!(
        "closing writer account {writer}; its rent goes back to {me}"
    ));
    let d = doc(s, "close");
    s.conclude(d, checked.refusal, &[checked.instruction], &[])
}
