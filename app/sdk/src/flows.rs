//! Complete instructions for the writer's margin-checked actions. Each flow fetches what the
//! action depends on, builds the account as the action will leave it, derives the margin
//! accounts from the program's own layout, and projects the outcome through the program's own
//! engine, so no caller hand-builds remaining accounts and every projection (fee included) is
//! the program's number.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use greekhouse::engine::{margin::equity_native, pricing};
use greekhouse::oracle::PriceUse;
use greekhouse::state::WriterAccount;
use greekhouse_risk::MarginSummary;

use crate::chain::Chain;
use crate::ix::{self, ClearinghouseRef, TokenLedger};
use crate::margin::{MarginError, MarginInputs};
use crate::{accounts, pda};

fn fetch_writer<C: Chain + ?Sized>(
    chain: &mut C,
    key: &Pubkey,
) -> Result<WriterAccount, MarginError> {
    let data = chain
        .account(key)?
        .ok_or(MarginError::MissingAccount(*key))?;
    accounts::writer_account(&data.data).map_err(|e| MarginError::Decode(*key, e))
}

/// A margin-checked action, ready to send, with the program's projection of its outcome.
pub struct Projected {
    pub instruction: Instruction,
    /// The writer account as the action leaves it.
    pub account_after: WriterAccount,
    /// Its margin afterwards (`None` when the account has no shorts and no debt: no check).
    pub margin_after: Option<MarginSummary>,
    /// The writing fee the program will charge (zero for other actions).
    pub fee: u64,
}

impl Projected {
    /// Equity at IM afterwards in whole quote units, as the program reports it in its event.
    pub fn initial_equity_after(&self) -> Option<i64> {
        self.margin_after
            .as_ref()
            .and_then(|m| equity_native(m.initial.equity).ok())
    }

    /// Whether the program will accept the action's margin check.
    pub fn passes_initial_margin(&self) -> bool {
        self.margin_after
            .as_ref()
            .is_none_or(|m| !m.initial.equity.is_negative())
    }
}

/// What a flow needs to know about the chain besides accounts.
pub struct FlowContext<'a> {
    pub ch: &'a ClearinghouseRef,
    /// The oracle account to pass for an underlying.
    pub oracle_for: &'a dyn Fn(&Pubkey) -> Option<Pubkey>,
}

/// Write `contracts` of `series` from `writer_account` (owned by `owner`) into `recipient`.
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
    let before = fetch_writer(chain, &writer_account)?;
    let series_data = chain
        .account(&series)?
        .ok_or(MarginError::MissingAccount(series))?;
    let terms =
        accounts::option_series(&series_data.data).map_err(|e| MarginError::Decode(series, e))?;
    let template = terms.short_template(series);
    let mut after = before;
    after
        .add_short(&template, contracts)
        .map_err(|e| MarginError::Program(e.to_string()))?;
    let inputs = MarginInputs::fetch(chain, &cx.ch.clearinghouse, after, cx.oracle_for)?;
    let priced = inputs.priced(chain, now, PriceUse::RiskIncreasing)?;
    let underlying = priced
        .iter()
        .find(|u| u.key == terms.underlying)
        .ok_or(MarginError::NoOracle(terms.underlying))?;
    let params = &inputs.clearinghouse.params;
    let program = |e: anchor_lang::error::Error| MarginError::Program(e.to_string());
    let premium = pricing::premium(
        underlying,
        &template,
        contracts,
        now,
        params.min_time_to_expiry_secs,
        inputs.clearinghouse.quote_decimals,
    )
    .map_err(program)?;
    let fee = pricing::fee_native(premium, params.write_fee_bps).map_err(program)?;
    let fee_signed = i64::try_from(fee).map_err(|_| MarginError::Program("fee overflow".into()))?;
    after.add_quote(-fee_signed).map_err(program)?;
    let margin_after = inputs.compute_with(&after, &priced, now)?;
    let instruction = ix::write_options(
        cx.ch.clearinghouse,
        writer_account,
        owner,
        terms.underlying,
        series,
        recipient,
        contracts,
        inputs.remaining_accounts(),
    );
    Ok(Projected {
        instruction,
        account_after: after,
        margin_after: Some(margin_after),
        fee,
    })
}

/// Withdraw `amount` of `ledger`'s token from `writer_account` into `destination`.
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
    let program = |e: anchor_lang::error::Error| MarginError::Program(e.to_string());
    // the program's own ledger step, so an over-ask fails here as it would on chain
    match ledger.collateral_asset {
        None => greekhouse::engine::ledger::debit_quote(&mut after, amount).map(|_| ()),
        Some(asset) => {
            greekhouse::engine::ledger::debit_collateral(&mut after, &asset, amount).map(|_| ())
        }
    }
    .map_err(program)?;
    let (remaining, margin_after) = if after.has_liabilities() {
        let inputs = MarginInputs::fetch(chain, &cx.ch.clearinghouse, after, cx.oracle_for)?;
        let margin = inputs.compute(chain, now, PriceUse::RiskIncreasing)?;
        (inputs.remaining_accounts(), Some(margin))
    } else {
        (Vec::new(), None)
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
    })
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

/// Every quote claim the ledgers hold against the quote vault, summed over `writers`,
/// `underlyings` and `series` (`docs/protocol.md` §12): writers' quote balances, accrued
/// writing fees, and each series' quote (unbacked cover and settlement ledger).
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
            Err(MarginError::Program(_)) => Ok(false),
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
