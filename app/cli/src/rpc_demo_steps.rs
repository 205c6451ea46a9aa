//! The record of `greekhouse demo --url` (the flow itself is `rpc_demo.rs`, which drives this
//! module; nothing here calls back into it): each step's landed transaction (its decoded events)
//! and the writer account's margin after it, printed as the demo goes (text) and collected into
//! one JSON document (`--json`).

use anyhow::Result;
use greekhouse_sdk::chain::{Chain, ChainError, TxOutcome};
use greekhouse_sdk::rpc::RpcChain;
use greekhouse_sdk::Pubkey;
use serde_json::{json, Value};

use crate::onchain::{self, OracleSource};
use crate::{fmt, margin, node};

/// One landed step.
pub struct Step {
    name: &'static str,
    detail: String,
    events: Value,
    events_text: String,
    compute_units: u64,
}

impl Step {
    pub fn new(name: &'static str, detail: String, out: &TxOutcome) -> Self {
        Self {
            name,
            detail,
            events: node::events_json(out),
            events_text: node::events_text(out),
            compute_units: out.compute_units,
        }
    }
}

/// The steps so far, of the writer account `account` on the node at `url`.
pub struct Demo {
    as_json: bool,
    url: String,
    account: Pubkey,
    steps: Vec<Value>,
    withdrawal: Value,
}

/// The withdrawal attempt: `Ok(refusal)` when the program refused it (the expected end),
/// `Err(outcome)` when it landed.
pub struct Withdrawal {
    pub amount_units: u64,
    /// The SDK's projection of equity at IM after it, in quote native units.
    pub projected_equity_native: Option<i64>,
    pub quote_decimals: u32,
    pub result: std::result::Result<ChainError, TxOutcome>,
}

impl Demo {
    pub fn new(as_json: bool, url: &str, account: Pubkey) -> Self {
        Self {
            as_json,
            url: url.to_string(),
            account,
            steps: Vec::new(),
            withdrawal: Value::Null,
        }
    }

    pub fn say(&self, s: &str) {
        if !self.as_json {
            println!("{s}");
        }
    }

    /// The account's margin now, as JSON and one line of text; none before it is opened.
    fn margin_after(&self, chain: &mut RpcChain) -> Result<(Value, String)> {
        if chain.account(&self.account)?.is_none() {
            return Ok((Value::Null, "    margin: no writer account yet".into()));
        }
        let report = margin_now(chain, &self.url, &self.account)?;
        let (m, qd) = (&report.summary, report.quote_decimals);
        let (status, _) = margin::status(m);
        let mut j = report.json();
        j["status"] = json!(status);
        let text = format!(
            "    margin at {}: equity@IM {}  IM req {}  MM req {}  equity@MM {}  liability {}  ({status})",
            report.at,
            fmt::money(m.initial.equity, qd),
            fmt::money(m.initial.requirement, qd),
            fmt::money(m.maintenance.requirement, qd),
            fmt::money(m.maintenance.equity, qd),
            fmt::money(m.liability, qd),
        );
        Ok((j, text))
    }

    /// Record a landed step and the margin after it.
    pub fn step(&mut self, step: Step, chain: &mut RpcChain) -> Result<()> {
        let (margin, margin_text) = self.margin_after(chain)?;
        self.say(&format!(
            "\n[{}] {}: {}\n{}{margin_text}",
            self.steps.len() + 1,
            step.name,
            step.detail,
            step.events_text
        ));
        self.steps.push(json!({
            "step": step.name,
            "detail": step.detail,
            "events": step.events,
            "compute_units": step.compute_units,
            "margin": margin,
        }));
        Ok(())
    }

    /// Record the withdrawal and the margin after it.
    pub fn withdrawal(&mut self, w: Withdrawal, chain: &mut RpcChain) -> Result<()> {
        let (amount_units, qd) = (w.amount_units, w.quote_decimals);
        let projected = w
            .projected_equity_native
            .map(|e| fmt::decimal(i128::from(e), qd, qd.min(2)));
        let (refused, error, events, text) = match &w.result {
            Ok(e) => {
                let name = e.program_error_name();
                let text = format!(
                    "    refused by the program: {}\n",
                    name.map(str::to_string).unwrap_or_else(|| e.to_string())
                );
                (true, name, json!([]), text)
            }
            Err(out) => (
                false,
                None,
                node::events_json(out),
                format!(
                    "    accepted (the account had room):\n{}",
                    node::events_text(out)
                ),
            ),
        };
        let (margin, margin_text) = self.margin_after(chain)?;
        self.say(&format!(
            "\n[{}] withdraw: {amount_units} quote, projected equity at IM after {}\n{text}{margin_text}",
            self.steps.len() + 1,
            projected.as_deref().unwrap_or("n/a"),
        ));
        self.withdrawal = json!({
            "amount": amount_units,
            "refused": refused,
            "error": error,
            "projected_initial_equity_after": projected,
        });
        self.steps.push(json!({
            "step": "withdraw",
            "detail": format!("withdraw {amount_units} quote"),
            "refused": refused,
            "error": error,
            "events": events,
            "margin": margin,
        }));
        Ok(())
    }

    /// The JSON document: `head`, the steps and the withdrawal.
    pub fn finish(self, mut head: Value) -> Value {
        head["steps"] = Value::Array(self.steps);
        head["withdrawal"] = self.withdrawal;
        head
    }
}

/// The margin report of `account` at the node's clock (the `greekhouse margin --url` code).
fn margin_now(chain: &mut RpcChain, url: &str, account: &Pubkey) -> Result<onchain::MarginReport> {
    let at = node::node_time(chain, url)?;
    let none = std::collections::HashMap::new();
    onchain::margin_report(
        chain,
        &format!("on {url}"),
        account,
        at,
        OracleSource::FromUnderlying(&none),
    )
}
