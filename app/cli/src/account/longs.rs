//! Long positions and margin warnings: `deposit-options`, `withdraw-options`, `settle-long`,
//! `check-margin`, each a thin layer on the SDK's projection of the program's action.

use std::process::ExitCode;

use anyhow::Result;
use greekhouse::state::MarginStatus;
use greekhouse_sdk::flows::{self, FlowContext};
use greekhouse_sdk::{writer_flows, Pubkey};
use serde_json::json;
use solana_signer::Signer;

use super::commands::{doc, sdk, series_state};
use super::session::{address, Session};

/// What a stored or found margin status means, in words.
pub fn status_text(status: MarginStatus) -> &'static str {
    match status {
        MarginStatus::Healthy => "healthy",
        MarginStatus::Warning => "below the warning level",
        MarginStatus::BelowMaintenance => "below maintenance (liquidatable)",
    }
}

pub fn deposit_options(s: &mut Session, series: &str, contracts: u64) -> Result<ExitCode> {
    let series = address("--series", series)?;
    let held_in = super::commands::owner_option_tokens(s, &series, contracts)?;
    let (writer, me) = (s.writer_account, s.owner.pubkey());
    let checked = sdk(
        "projecting the deposit of options",
        writer_flows::deposit_options(&mut s.chain, writer, me, series, held_in, contracts),
    )?;
    s.say(format!(
        "depositing {contracts} contracts of {series} into {writer} (its own short first, the rest held long)"
    ));
    let mut d = doc(s, "deposit-options");
    d["series"] = json!(series.to_string());
    d["contracts"] = json!(contracts);
    d["projected"] = json!({ "long_after": checked.amount_after });
    s.conclude(d, checked.refusal, &[checked.instruction], &[])
}

pub fn withdraw_options(
    s: &mut Session,
    series: &str,
    contracts: u64,
    to: Option<String>,
) -> Result<ExitCode> {
    let series = address("--series", series)?;
    let terms = series_state(s, &series)?;
    let (recipient, mut pre) = super::commands::option_recipient(s, to, &terms)?;
    let writer = s.writer_account;
    let posted = s.post_prices(&writer, &[])?;
    let (ch, oracles) = (s.ch, s.oracles.clone());
    let oracle_for = move |k: &Pubkey| oracles.get(k).copied();
    let cx = FlowContext {
        ch: &ch,
        oracle_for: &oracle_for,
    };
    let me = s.owner.pubkey();
    let (p, accruals) =
        s.after_accruals(writer, "projecting the withdrawal of options", |chain| {
            flows::withdraw_options(chain, &cx, writer, me, series, recipient, contracts)
        })?;
    s.say(format!(
        "withdrawing {contracts} contracts of {series} from {writer}'s long to {recipient}"
    ));
    let mut d = doc(s, "withdraw-options");
    d["series"] = json!(series.to_string());
    d["contracts"] = json!(contracts);
    d["projected"] = json!({ "margin": s.margin("margin after", p.margin_after.as_ref()) });
    s.accruals_first(&mut d, &writer, accruals.len());
    pre.extend(accruals);
    pre.push(p.instruction);
    let code = s.conclude(d, p.refusal, &pre, &[]);
    s.close_posted(posted);
    code
}

pub fn settle_long(s: &mut Session, series: &str, account: Option<String>) -> Result<ExitCode> {
    let series = address("--series", series)?;
    let writer = match account {
        Some(a) => address("--account", &a)?,
        None => s.writer_account,
    };
    let checked = sdk(
        "projecting the long's settlement",
        writer_flows::settle_long(&mut s.chain, writer, series),
    )?;
    let qd = s.quote_decimals();
    let paid = checked
        .amount_after
        .map(|a| crate::fmt::decimal(i128::from(a), qd, qd));
    s.say(format!(
        "settling {writer}'s long in {series}: paid {}",
        paid.as_deref().unwrap_or("-")
    ));
    let mut d = doc(s, "settle-long");
    d["series"] = json!(series.to_string());
    d["account"] = json!(writer.to_string());
    d["projected"] = json!({ "paid": paid });
    s.conclude(d, checked.refusal, &[checked.instruction], &[])
}

pub fn check_margin(s: &mut Session, account: Option<String>) -> Result<ExitCode> {
    let writer = match account {
        Some(a) => address("--account", &a)?,
        None => s.writer_account,
    };
    let (ch, oracles) = (s.ch, s.oracles.clone());
    let oracle_for = move |k: &Pubkey| oracles.get(k).copied();
    let cx = FlowContext {
        ch: &ch,
        oracle_for: &oracle_for,
    };
    let (instruction, check) = sdk(
        "projecting the margin check",
        flows::check_margin(&mut s.chain, &cx, writer),
    )?;
    s.say(format!(
        "{writer}: {} (stored: {}){}",
        status_text(check.after),
        status_text(check.before),
        if check.changed() {
            "; the check stores it and emits MarginWarning"
        } else {
            "; nothing crossed"
        }
    ));
    let mut d = doc(s, "check-margin");
    d["account"] = json!(writer.to_string());
    d["projected"] = json!({
        "status_before": status_text(check.before),
        "status_after": status_text(check.after),
        "warning_equity": check.warning_equity,
        "maintenance_equity": check.maintenance_equity,
        "initial_equity": check.initial_equity,
    });
    s.conclude(d, None, &[instruction], &[])
}

/// `accrue_exercise` for each of the account's American shorts behind its underlying's
/// exercise epoch (the SDK's `pending_accruals`); nothing to send is said and is no error.
pub fn accrue(s: &mut Session, account: Option<String>) -> Result<ExitCode> {
    let writer = match account {
        Some(a) => address("--account", &a)?,
        None => s.writer_account,
    };
    let pending = sdk(
        "listing the pending accruals",
        greekhouse_sdk::flows::pending_accruals(&mut s.chain, &writer),
    )?;
    let mut d = doc(s, "accrue");
    d["account"] = json!(writer.to_string());
    d["pending"] = json!(pending.len());
    if pending.is_empty() {
        s.say(format!("{writer}: no exercise to accrue"));
        if s.json() {
            s.print(&d)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    s.say(format!(
        "{writer}: accruing {} American short(s) to their series' exercises",
        pending.len()
    ));
    s.conclude(d, None, &pending, &[])
}
