//! `greekhouse-liquidator --config FILE fund --amount N`: open the bot's bidding writer account
//! (the config's `bidder_account`, a writer account of the keypair in the clearing house) when
//! it does not exist, and deposit `N` quote native units into it from the keypair's associated
//! token account, each checked by the program's own rules before sending (the SDK's
//! `writer_flows`).

use anyhow::{anyhow, bail, Context, Result};
use greekhouse_sdk::chain::Chain;
use greekhouse_sdk::flows::FlowContext;
use greekhouse_sdk::ix::{ClearinghouseRef, TokenLedger};
use greekhouse_sdk::{accounts, pda, writer_flows, Pubkey};
use serde_json::{json, Value};

use crate::config::Checked;

/// The writer-account index of `bidder_account` for `owner` (the first 256 indexes).
pub fn bidder_index(cfg: &Checked, owner: &Pubkey) -> Result<u32> {
    (0..256u32)
        .find(|i| pda::writer_account(&cfg.clearinghouse, owner, *i) == cfg.bidder_account)
        .with_context(|| {
            format!(
                "config: bidder_account: {} is not a writer account of {owner} in {} (indexes 0..255)",
                cfg.bidder_account, cfg.clearinghouse
            )
        })
}

/// Open (when missing) and fund the bidding account; the report as JSON.
pub fn fund<C: Chain + ?Sized>(chain: &mut C, cfg: &Checked, amount: u64) -> Result<Value> {
    let owner = chain.payer();
    let index = bidder_index(cfg, &owner)?;
    let (open, exists) = writer_flows::open(chain, cfg.clearinghouse, owner, owner, index)
        .map_err(|e| anyhow!("opening: {e}"))?;
    let opened = if exists {
        false
    } else {
        if let Some(r) = open.refusal {
            bail!("opening the bidding account: the program would refuse it: {r}");
        }
        chain
            .send(&[open.instruction], &[])
            .map_err(|e| anyhow!("opening the bidding account: {e}"))?;
        true
    };
    let ch = chain
        .account(&cfg.clearinghouse)?
        .context("the clearing house is not on the node")?;
    let ch = accounts::clearinghouse(&ch.data).map_err(|e| anyhow!("{e}"))?;
    let ch_ref = ClearinghouseRef::new(cfg.quote_mint, cfg.creator, ch.quote_token_program);
    let ledger = TokenLedger::quote(&ch_ref);
    let source = pda::associated_token(&owner, &cfg.quote_mint, &ch.quote_token_program);
    let mut balance_after = None;
    if amount > 0 {
        let held = writer_flows::token_amount(chain, &source)
            .map_err(|e| anyhow!("reading {source}: {e}"))?
            .with_context(|| format!("no quote token account {source} to fund from"))?;
        if held < amount {
            bail!("{source} holds {held} quote native units, less than the {amount} to deposit");
        }
        let no_oracles = |_: &Pubkey| None;
        let cx = FlowContext {
            ch: &ch_ref,
            oracle_for: &no_oracles,
        };
        let d = writer_flows::deposit(
            chain,
            &cx,
            cfg.bidder_account,
            owner,
            &ledger,
            source,
            amount,
        )
        .map_err(|e| anyhow!("depositing: {e}"))?;
        if let Some(r) = d.refusal {
            bail!("depositing: the program would refuse it: {r}");
        }
        chain
            .send(&[d.instruction], &[])
            .map_err(|e| anyhow!("depositing: {e}"))?;
        balance_after = d.amount_after;
    }
    Ok(json!({
        "bidder_account": cfg.bidder_account.to_string(),
        "index": index,
        "opened": opened,
        "deposited": amount,
        "quote_balance_after": balance_after,
    }))
}
