//! The settlement cranks (docs/settlement.md), run after the liquidation pass: for each series
//! past expiry, post its settlement price from the current oracle update while it is not final
//! (the program takes only the update straddling the expiry, or the one after an update passed
//! over for its confidence), settle it once the price is final, settle every writer's position,
//! resolve repaid or collateral-less debts, open a backstop where a series is short, finalize.
//! Each step is permissionless and sent only when the program's own rule for it (the engine's
//! `check_*` of the step, the rulebook) passes on the accounts as they stand, so a crank run too
//! early sends nothing; the price proposal is the exception (whether the feed's update straddles
//! the expiry is the oracle's to say), and a refusal of it is the normal answer, not an error.

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
    let ch_state = chain
        .account(&ch.clearinghouse)
        .ok()
        .flatten()
        .and_then(|a| accounts::clearinghouse(&a.data).ok());
    for (key, mut s) in due {
        // each step is sent only when the program's own rule passes on the series as it now
        // stands (re-read after every landed step), so a crank run too early sends nothing
        // instead of a transaction the program refuses
        let mut send = |chain: &mut C, what: &str, ixs: &[greekhouse_sdk::Instruction]| match chain
            .send(ixs, &[payer])
        {
            Ok(out) => {
                landed += 1;
                log.log(
                    what,
                    json!({ "series": key.to_string(), "events": out.event_names() }),
                );
                true
            }
            Err(_) => false,
        };
        let reread = |chain: &mut C, s: &mut OptionSeries| {
            if let Some(now_s) = chain
                .account(&key)
                .ok()
                .flatten()
                .and_then(|a| accounts::option_series(&a.data).ok())
            {
                *s = now_s;
            }
        };
        if s.status == SeriesStatus::Active as u8 {
            let price = greekhouse_sdk::pda::settlement_price(&s.underlying, s.expiry);
            let read_price = |chain: &mut C| {
                chain
                    .account(&price)
                    .ok()
                    .flatten()
                    .and_then(|a| accounts::decode::<SettlementPrice>(&a.data).ok())
            };
            // post the oracle's current update while the price is not final: the program takes
            // only the update straddling the expiry (or the one after an update passed over for
            // its confidence) and refuses any other, which is the normal answer when the feed's
            // account has moved on
            if !read_price(chain).is_some_and(|p| p.is_final()) {
                if let Some(oracle) = oracles.get(&s.underlying) {
                    let ix = ix::propose_settlement_price(
                        ch.clearinghouse,
                        payer.pubkey(),
                        s.underlying,
                        *oracle,
                        s.expiry,
                    );
                    send(chain, "propose_settlement_price", &[ix]);
                }
            }
            let ready = read_price(chain).is_some_and(|p| {
                greekhouse::engine::actions::settle_series::check_settle_series(&s, &p, now).is_ok()
            });
            if ready
                && send(
                    chain,
                    "settle_series",
                    &[ix::settle_series(ch, key, s.underlying, s.expiry)],
                )
            {
                reread(chain, &mut s);
            }
        }
        for (w, state) in &writers {
            if greekhouse::engine::actions::settle::check_settle_position(state, &key, &s).is_ok()
                && send(chain, "settle_position", &[ix::settle_position(*w, key)])
            {
                reread(chain, &mut s);
            }
        }
        if greekhouse::engine::actions::finalize::check_open_backstop(&s).is_ok()
            && send(
                chain,
                "open_backstop",
                &[ix::open_backstop(ch.clearinghouse, key)],
            )
        {
            reread(chain, &mut s);
        }
        let can_finalize = ch_state.as_ref().is_some_and(|c| {
            greekhouse::engine::actions::finalize::check_finalize_series(c, &s, now).is_ok()
        });
        if can_finalize
            && send(
                chain,
                "finalize_series",
                &[ix::finalize_series(ch.clearinghouse, key)],
            )
        {
            reread(chain, &mut s);
        }
        // once finalized (by the step above or earlier), every long in the series is paid
        for (w, state) in &writers {
            if greekhouse::engine::actions::long::check_settle_long(state, &key, &s).is_ok() {
                send(chain, "settle_long", &[ix::settle_long(*w, key)]);
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
