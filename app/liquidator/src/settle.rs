//! The settlement cranks (docs/settlement.md), run after the liquidation pass: for each series
//! past expiry, post its settlement price from the current oracle update while it is not final
//! (the program takes only the update straddling the expiry, or the one after an update passed
//! over for its confidence), settle it once the price is final, settle every writer's position,
//! resolve repaid or collateral-less debts, open a backstop where a series is short, finalize.
//! Each step is permissionless; a refusal (not final yet, already done, not the update at expiry) is
//! the normal answer of a crank run too early and is not counted as an error.

use std::collections::BTreeMap;

use anchor_lang::prelude::Pubkey;
use anchor_lang::Discriminator;
use greekhouse::state::{OptionSeries, SeriesStatus, SettlementPrice, WriterAccount};
use greekhouse_sdk::chain::{Chain, ChainError};
use greekhouse_sdk::flows::FlowContext;
use greekhouse_sdk::ix::ClearinghouseRef;
use greekhouse_sdk::{accounts, ix};
use serde_json::json;
use solana_keypair::Keypair;
use solana_signer::Signer;

use crate::log::Log;

/// One pass of the cranks over the clearing house `ch`, signed and paid by `payer`; returns the
/// steps that landed (the bot adds them to its counters).
pub fn crank<C: Chain + ?Sized>(
    chain: &mut C,
    ch: &ClearinghouseRef,
    payer: &Keypair,
    log: &mut dyn Log,
    oracles: &BTreeMap<Pubkey, Pubkey>,
) -> u64 {
    let mut landed = 0;
    let Ok(now) = chain.unix_timestamp() else {
        return landed;
    };
    let Ok(series) = series_list(chain, &ch.clearinghouse) else {
        return landed;
    };
    let due: Vec<_> = series
        .into_iter()
        .filter(|(_, s)| needs_settlement(s, now))
        .collect();
    if due.is_empty() {
        return landed;
    }
    let writers: Vec<(Pubkey, WriterAccount)> = chain
        .program_accounts_where(
            WriterAccount::DISCRIMINATOR,
            &[accounts::of_clearinghouse::writer_accounts(
                &ch.clearinghouse,
            )],
        )
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(k, a)| accounts::writer_account(&a.data).ok().map(|w| (k, w)))
        .filter(|(_, w)| w.clearinghouse == ch.clearinghouse)
        .collect();
    for (key, s) in due {
        let mut steps: Vec<(&str, Vec<greekhouse_sdk::Instruction>)> = Vec::new();
        if s.status == SeriesStatus::Active as u8 {
            let price = greekhouse_sdk::pda::settlement_price(&s.underlying, s.expiry);
            // post the oracle's current update while the price is not final: the program takes
            // only the update straddling the expiry (or the one after an update passed over for
            // its confidence) and refuses any other, which is the normal answer when the feed's
            // account has moved on
            let is_final = chain
                .account(&price)
                .ok()
                .flatten()
                .and_then(|a| accounts::decode::<SettlementPrice>(&a.data).ok())
                .is_some_and(|p| p.is_final());
            if !is_final {
                if let Some(oracle) = oracles.get(&s.underlying) {
                    steps.push((
                        "propose_settlement_price",
                        vec![ix::propose_settlement_price(
                            ch.clearinghouse,
                            payer.pubkey(),
                            s.underlying,
                            *oracle,
                            s.expiry,
                        )],
                    ));
                }
            }
            steps.push((
                "settle_series",
                vec![ix::settle_series(ch, key, s.underlying, s.expiry)],
            ));
        }
        for (w, state) in &writers {
            if state.short_contracts(&key) > 0 {
                steps.push(("settle_position", vec![ix::settle_position(*w, key)]));
            }
        }
        steps.push((
            "open_backstop",
            vec![ix::open_backstop(ch.clearinghouse, key)],
        ));
        steps.push((
            "finalize_series",
            vec![ix::finalize_series(ch.clearinghouse, key)],
        ));
        // once finalized (by the step above or earlier), every long in the series is paid
        for (w, state) in &writers {
            if state.long_contracts(&key) > 0 {
                steps.push(("settle_long", vec![ix::settle_long(*w, key)]));
            }
        }
        for (what, ixs) in steps {
            if let Ok(out) = chain.send(&ixs, &[payer]) {
                landed += 1;
                log.log(
                    what,
                    json!({ "series": key.to_string(), "events": out.event_names() }),
                );
            }
        }
    }
    // debts: repaid ones close; ones with nothing but dust left are paid by the fund, then their
    // series
    let writers: Vec<(Pubkey, WriterAccount)> = chain
        .program_accounts_where(
            WriterAccount::DISCRIMINATOR,
            &[accounts::of_clearinghouse::writer_accounts(
                &ch.clearinghouse,
            )],
        )
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(k, a)| accounts::writer_account(&a.data).ok().map(|w| (k, w)))
        .filter(|(_, w)| w.clearinghouse == ch.clearinghouse && w.debt_marker_count() > 0)
        .collect();
    let oracle_for = |u: &Pubkey| oracles.get(u).copied();
    for (w, state) in writers {
        // the program's own rule: repaid, or no position left (the program then values the
        // collateral, which must be dust)
        if greekhouse::engine::actions::resolve_debt::check_resolve_debt(&state).is_err() {
            continue;
        }
        let cx = FlowContext {
            ch,
            oracle_for: &oracle_for,
        };
        let Ok(resolve) = greekhouse_sdk::liquidation::resolve_debt(chain, &cx, w) else {
            continue;
        };
        if chain
            .send(&[ix::compute_unit_limit(400_000), resolve], &[payer])
            .is_ok()
        {
            landed += 1;
            log.log("resolve_debt", json!({ "account": w.to_string() }));
        }
    }
    landed
}

/// The clearing house's series (for the settlement cranks).
pub fn series_list<C: Chain + ?Sized>(
    chain: &mut C,
    clearinghouse: &Pubkey,
) -> Result<Vec<(Pubkey, OptionSeries)>, ChainError> {
    Ok(chain
        .program_accounts_where(
            OptionSeries::DISCRIMINATOR,
            &[accounts::of_clearinghouse::series(clearinghouse)],
        )?
        .into_iter()
        .filter_map(|(k, a)| accounts::option_series(&a.data).ok().map(|s| (k, s)))
        .filter(|(_, s)| s.clearinghouse == *clearinghouse)
        .collect())
}

/// Whether a series is past expiry and not finalized, or finalized with longs still in custody
/// (the cranks' work list).
pub fn needs_settlement(s: &OptionSeries, now: i64) -> bool {
    now >= s.expiry && (s.status != SeriesStatus::Finalized as u8 || s.long_contracts > 0)
}
