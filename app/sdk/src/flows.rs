//! Complete instructions for the writer's margin-checked actions. Each flow fetches what the
//! action depends on, builds the account as the action will leave it, derives the margin
//! accounts from the program's own layout, and projects the outcome through the program's own
//! engine, so no caller hand-builds remaining accounts and every projection (fee included) is
//! the program's number.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use greekhouse::engine::actions;
use greekhouse::engine::margin::equity_native;
use greekhouse::oracle::PriceUse;
use greekhouse::state::WriterAccount;
use greekhouse_risk::MarginSummary;

use crate::chain::Chain;
use crate::ix::{self, ClearinghouseRef, TokenLedger};
use crate::margin::{fetch_decoded, FetchedPrices, MarginError, MarginInputs};
use crate::{accounts, pda};

fn fetch_writer<C: Chain + ?Sized>(
    chain: &mut C,
    key: &Pubkey,
) -> Result<WriterAccount, MarginError> {
    fetch_decoded(chain, key, accounts::writer_account)
}

/// A margin-checked action, ready to send, with the program's projection of its outcome: the
/// program's own action ran on copies of the fetched accounts.
pub struct Projected {
    pub instruction: Instruction,
    /// The writer account as the action leaves it (when refused: as far as the action got).
    pub account_after: WriterAccount,
    /// Its margin afterwards (`None` when the account has no shorts and no debt: no check, or
    /// when the action was refused before it priced the account).
    pub margin_after: Option<MarginSummary>,
    /// The writing fee the program will charge (zero for other actions and refusals).
    pub fee: u64,
    /// The program's refusal, with its error code, when the action breaks one of its rules. The
    /// instruction is still built (with the margin accounts the action had asked for), so a
    /// caller can send it and see the program refuse it the same way.
    pub refusal: Option<MarginError>,
}

impl Projected {
    /// Equity at IM afterwards in whole quote units, as the program reports it in its event.
    pub fn initial_equity_after(&self) -> Option<i64> {
        self.margin_after
            .as_ref()
            .and_then(|m| equity_native(m.initial.equity).ok())
    }

    /// Whether the program will accept the action (its margin check included).
    pub fn passes_initial_margin(&self) -> bool {
        self.refusal.is_none()
    }

    /// The projection as a result: the program's refusal as the error.
    pub fn accepted(self) -> Result<Self, MarginError> {
        match self.refusal {
            Some(e) => Err(e),
            None => Ok(self),
        }
    }
}

/// What a flow needs to know about the chain besides accounts.
pub struct FlowContext<'a> {
    pub ch: &'a ClearinghouseRef,
    /// The oracle account to pass for an underlying.
    pub oracle_for: &'a dyn Fn(&Pubkey) -> Option<Pubkey>,
}

/// Write `contracts` of `series` from `writer_account` (owned by `owner`) into `recipient`:
/// the program's own write action (`greekhouse::engine::actions::write`) on the fetched
/// accounts, so every rule (pause, caps, fee, margin) refuses here as it would on chain.
pub fn write<C: Chain + ?Sized>(
    chain: &mut C,
    cx: &FlowContext<'_>,
    writer_account: Pubkey,
    owner: Pubkey,
    series: Pubkey,
    recipient: Pubkey,
    contracts: u64,
) -> Result<Projected, MarginError> {
    let now = chain.unix_timestamp()?;
    let mut after = fetch_writer(chain, &writer_account)?;
    let ch = fetch_decoded(chain, &cx.ch.clearinghouse, accounts::clearinghouse)?;
    let mut terms = fetch_decoded(chain, &series, accounts::option_series)?;
    let underlying_key = terms.underlying;
    let underlying = fetch_decoded(chain, &underlying_key, accounts::underlying)?;
    let mut book = fetch_decoded(
        chain,
        &pda::underlying_ledger(&underlying_key),
        accounts::underlying_ledger,
    )?;
    let mut prices = FetchedPrices::new(
        chain,
        cx.ch.clearinghouse,
        cx.oracle_for,
        now,
        PriceUse::RiskIncreasing,
    );
    let outcome = actions::write::write(
        &ch,
        &underlying,
        &mut after,
        series,
        &mut terms,
        &mut book,
        &mut prices,
        contracts,
        now,
    );
    let (outcome, refusal) = prices.finish_or_refusal(outcome)?;
    let remaining = prices.remaining_accounts();
    let margin_after = match &outcome {
        Some(o) => Some(o.margin_after),
        None => prices.margin_of(&after, now)?,
    };
    let instruction = ix::write_options(
        cx.ch.clearinghouse,
        writer_account,
        owner,
        underlying_key,
        series,
        recipient,
        contracts,
        remaining,
    );
    Ok(Projected {
        instruction,
        account_after: after,
        margin_after,
        fee: outcome.map_or(0, |o| o.fee),
        refusal,
    })
}

/// Withdraw `amount` of `ledger`'s token from `writer_account` into `destination`: the
/// program's own withdraw action on the fetched account.
pub fn withdraw<C: Chain + ?Sized>(
    chain: &mut C,
    cx: &FlowContext<'_>,
    writer_account: Pubkey,
    owner: Pubkey,
    ledger: &TokenLedger,
    destination: Pubkey,
    amount: u64,
) -> Result<Projected, MarginError> {
    let now = chain.unix_timestamp()?;
    let mut after = fetch_writer(chain, &writer_account)?;
    let ch = fetch_decoded(chain, &cx.ch.clearinghouse, accounts::clearinghouse)?;
    let token_ledger = match ledger.collateral_asset {
        None => actions::withdraw::TokenLedger::Quote,
        Some(asset) => {
            let state = fetch_decoded(chain, &asset, accounts::collateral_asset)?;
            actions::withdraw::TokenLedger::Collateral {
                asset,
                deposit_cap: state.deposit_cap,
            }
        }
    };
    let mut prices = FetchedPrices::new(
        chain,
        cx.ch.clearinghouse,
        cx.oracle_for,
        now,
        PriceUse::RiskIncreasing,
    );
    let outcome =
        actions::withdraw::withdraw(&ch, &mut after, token_ledger, amount, &mut prices, now);
    let (outcome, refusal) = prices.finish_or_refusal(outcome)?;
    let remaining = prices.remaining_accounts();
    let margin_after = match &outcome {
        Some(o) => o.margin_after,
        None => prices.margin_of(&after, now)?,
    };
    let instruction = ix::withdraw(
        cx.ch.clearinghouse,
        writer_account,
        owner,
        ledger,
        destination,
        amount,
        remaining,
    );
    Ok(Projected {
        instruction,
        account_after: after,
        margin_after,
        fee: 0,
        refusal,
    })
}

/// Withdraw `contracts` of `writer_account`'s long in `series` as tokens minted to
/// `recipient`: the program's own action on the fetched accounts (pause, long, expiry, margin).
pub fn withdraw_options<C: Chain + ?Sized>(
    chain: &mut C,
    cx: &FlowContext<'_>,
    writer_account: Pubkey,
    owner: Pubkey,
    series: Pubkey,
    recipient: Pubkey,
    contracts: u64,
) -> Result<Projected, MarginError> {
    let now = chain.unix_timestamp()?;
    let mut after = fetch_writer(chain, &writer_account)?;
    let ch = fetch_decoded(chain, &cx.ch.clearinghouse, accounts::clearinghouse)?;
    let mut terms = fetch_decoded(chain, &series, accounts::option_series)?;
    let mut prices = FetchedPrices::new(
        chain,
        cx.ch.clearinghouse,
        cx.oracle_for,
        now,
        PriceUse::RiskIncreasing,
    );
    let outcome = actions::long::withdraw_options(
        &ch,
        &mut after,
        series,
        &mut terms,
        &mut prices,
        contracts,
        now,
    );
    let (outcome, refusal) = prices.finish_or_refusal(outcome)?;
    let remaining = prices.remaining_accounts();
    let margin_after = match &outcome {
        Some(o) => o.margin_after,
        None => prices.margin_of(&after, now)?,
    };
    let instruction = ix::withdraw_options(
        cx.ch.clearinghouse,
        writer_account,
        owner,
        series,
        recipient,
        contracts,
        remaining,
    );
    Ok(Projected {
        instruction,
        account_after: after,
        margin_after,
        fee: 0,
        refusal,
    })
}

/// `check_margin` of `writer_account` (anyone): the program's action on the fetched account,
/// with prices as a liquidation would use them. The check says which status it finds and
/// whether that is a crossing (the program then emits `MarginWarning`).
pub fn check_margin<C: Chain + ?Sized>(
    chain: &mut C,
    cx: &FlowContext<'_>,
    writer_account: Pubkey,
) -> Result<(Instruction, actions::margin_status::MarginCheck), MarginError> {
    let now = chain.unix_timestamp()?;
    let mut after = fetch_writer(chain, &writer_account)?;
    let ch = fetch_decoded(chain, &cx.ch.clearinghouse, accounts::clearinghouse)?;
    let mut prices = FetchedPrices::new(
        chain,
        cx.ch.clearinghouse,
        cx.oracle_for,
        now,
        PriceUse::Liquidation,
    );
    let check = actions::margin_status::check_margin(&ch, &mut after, &mut prices, now);
    let check = prices.finish(check)?;
    let instruction = ix::check_margin(
        cx.ch.clearinghouse,
        writer_account,
        prices.remaining_accounts(),
    );
    Ok((instruction, check))
}

/// The margin of a writer account as it stands.
pub fn margin_of<C: Chain + ?Sized>(
    chain: &mut C,
    cx: &FlowContext<'_>,
    writer_account: Pubkey,
    price_use: PriceUse,
) -> Result<MarginSummary, MarginError> {
    let now = chain.unix_timestamp()?;
    let state = fetch_writer(chain, &writer_account)?;
    let inputs = MarginInputs::fetch(chain, &cx.ch.clearinghouse, state, cx.oracle_for)?;
    inputs.compute(chain, now, price_use)
}

/// The `accrue_exercise` instructions `writer_account` needs before any margin check: one per
/// American short behind its underlying's exercise epoch (docs/protocol.md 5b; the program
/// refuses the account with `ExerciseNotAccrued` until they ran). Anyone may send them; a bot or
/// a writer sends them ahead of its own instruction ([`crate::accrual::accrue_first`] also
/// projects that instruction on the account as they leave it).
pub fn pending_accruals<C: Chain + ?Sized>(
    chain: &mut C,
    writer_account: &Pubkey,
) -> Result<Vec<Instruction>, MarginError> {
    let writer = fetch_writer(chain, writer_account)?;
    Ok(crate::accrual::pending(chain, &writer)?
        .into_iter()
        .map(|(series, underlying)| ix::accrue_exercise(*writer_account, series, underlying))
        .collect())
}

/// Every quote claim the ledgers hold against the quote vault, summed over `writers`,
/// `underlyings` and `series` (`docs/protocol.md` §12): writers' quote balances, accrued
/// writing fees, and each series' quote (unbacked cover and settlement ledger, and an American
/// series' exercise debt collected less the quote advanced to exercising holders).
pub fn quote_claims<C: Chain + ?Sized>(
    chain: &mut C,
    writers: &[Pubkey],
    underlyings: &[Pubkey],
    series: &[Pubkey],
) -> Result<i128, MarginError> {
    let mut total: i128 = 0;
    for key in writers {
        total += fetch_writer(chain, key)?.quote_balance as i128;
    }
    for u in underlyings {
        let key = pda::underlying_ledger(u);
        let data = chain
            .account(&key)?
            .ok_or(MarginError::MissingAccount(key))?;
        let ledger =
            accounts::underlying_ledger(&data.data).map_err(|e| MarginError::Decode(key, e))?;
        total += ledger.fees_accrued as i128;
    }
    for key in series {
        let data = chain
            .account(key)?
            .ok_or(MarginError::MissingAccount(*key))?;
        let s = accounts::option_series(&data.data).map_err(|e| MarginError::Decode(*key, e))?;
        total += s.unbacked_cover as i128 + s.settlement_ledger as i128;
        // an American series' exercises: the quote advanced to exercising holders left the
        // vault ahead of the writers' exercise debt, which comes back as it accrues
        total += s.exercise_collected as i128 - s.exercise_advanced as i128;
    }
    Ok(total)
}

/// The most contracts of `series` that `writer_account` can write now within initial margin,
/// by the projection of [`write`] (the program's own engine, fee included), by bisection.
/// Nothing is sent; reads go through one [`crate::chain::ReadCache`], so every probe sees one
/// state. A size the program's own checks refuse (an overflow) counts as too many; a chain
/// failure is returned.
pub fn max_writable<C: Chain + ?Sized>(
    chain: &mut C,
    cx: &FlowContext<'_>,
    writer_account: Pubkey,
    owner: Pubkey,
    series: Pubkey,
    recipient: Pubkey,
) -> Result<u64, MarginError> {
    let mut cached = crate::chain::ReadCache::new(chain);
    let mut passes = |n: u64| -> Result<bool, MarginError> {
        match write(&mut cached, cx, writer_account, owner, series, recipient, n) {
            Ok(p) => Ok(p.passes_initial_margin()),
            Err(e) if e.is_refusal() => Ok(false),
            Err(e) => Err(e),
        }
    };
    let (mut lo, mut hi) = (0u64, 1u64);
    while passes(hi)? {
        lo = hi;
        hi = match hi.checked_mul(2) {
            Some(h) => h,
            None => return Ok(lo),
        };
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if passes(mid)? {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Ok(lo)
}
