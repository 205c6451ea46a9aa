//! The writer's actions that need no price (deposit, burn, redeem, open, close, and a long's
//! deposit and settlement), checked the way
//! [`crate::flows`] checks write and withdraw: the program's own action runs on copies of the
//! fetched accounts, so a refusal here is the program's refusal, by the same error, and the
//! account it returns is the account the program will leave. The `greekhouse account` commands
//! are a thin layer on these and on [`crate::flows`].

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use greekhouse::engine::actions;
use greekhouse::oracle::PriceUse;
use greekhouse::state::WriterAccount;
use greekhouse_risk::MarginSummary;

use crate::chain::Chain;
use crate::flows::FlowContext;
use crate::ix::{self, ClearinghouseRef, TokenLedger};
use crate::margin::{fetch_decoded as fetch, program_error, MarginError, MarginInputs};
use crate::{accounts, pda};

/// A price-free action, ready to send, with the program's verdict on it.
pub struct Checked {
    pub instruction: Instruction,
    /// The writer account as the action leaves it (`None` for a redemption, which touches no
    /// writer account, and for a refused action).
    pub account_after: Option<WriterAccount>,
    /// The program's refusal, with its error code and name, when the action breaks a rule.
    pub refusal: Option<MarginError>,
    /// What the action moves, for display: quote paid out by a redemption, the balance after a
    /// deposit, the short left after a burn.
    pub amount_after: Option<u64>,
}

/// The token amount an SPL token account holds (`None` when the account is missing or is not
/// a token account). The amount sits after the mint and the owner in both token programs.
pub fn token_amount<C: Chain + ?Sized>(
    chain: &mut C,
    account: &Pubkey,
) -> Result<Option<u64>, MarginError> {
    Ok(chain.account(account)?.and_then(|a| {
        a.data
            .get(64..72)
            .and_then(|b| b.try_into().ok())
            .map(u64::from_le_bytes)
    }))
}

/// A refusal as the program reports it, or the outcome.
fn verdict<T>(r: anchor_lang::Result<T>) -> (Option<T>, Option<MarginError>) {
    match r {
        Ok(t) => (Some(t), None),
        Err(e) => (None, Some(program_error(e))),
    }
}

/// The margin of `account` as it would stand (an account after an action), priced for a
/// risk-increasing action at `now`; `None` when a price cannot be had (a stale oracle blocks no
/// price-free action, so it blocks no display either).
pub fn margin_if<C: Chain + ?Sized>(
    chain: &mut C,
    cx: &FlowContext<'_>,
    account: &WriterAccount,
    now: i64,
) -> Option<MarginSummary> {
    let inputs = MarginInputs::fetch(chain, &cx.ch.clearinghouse, *account, cx.oracle_for).ok()?;
    inputs.compute(chain, now, PriceUse::RiskIncreasing).ok()
}

/// Deposit `amount` of `ledger`'s token from `owner_token_account` into `writer_account`: the
/// program's deposit action on the fetched account, with the vault credited as the program
/// will see it.
pub fn deposit<C: Chain + ?Sized>(
    chain: &mut C,
    cx: &FlowContext<'_>,
    writer_account: Pubkey,
    owner: Pubkey,
    ledger: &TokenLedger,
    owner_token_account: Pubkey,
    amount: u64,
) -> Result<Checked, MarginError> {
    let mut after = fetch(chain, &writer_account, accounts::writer_account)?;
    let (which, asset) = match ledger.collateral_asset {
        None => (actions::withdraw::TokenLedger::Quote, None),
        Some(key) => {
            let asset = fetch(chain, &key, accounts::collateral_asset)?;
            let which = actions::withdraw::TokenLedger::Collateral {
                asset: key,
                deposit_cap: asset.deposit_cap,
            };
            (which, Some(asset))
        }
    };
    let vault_after = token_amount(chain, &ledger.vault)?
        .unwrap_or(0)
        .saturating_add(amount);
    let (balance, refusal) = verdict(actions::withdraw::deposit(
        &mut after,
        which,
        asset.as_ref(),
        amount,
        vault_after,
    ));
    Ok(Checked {
        instruction: ix::deposit(
            cx.ch.clearinghouse,
            writer_account,
            owner,
            ledger,
            owner_token_account,
            amount,
        ),
        account_after: refusal.is_none().then_some(after),
        refusal,
        amount_after: balance.and_then(|b| u64::try_from(b).ok()),
    })
}

/// Burn `contracts` of `series` held in `owner_token_account` against `writer_account`'s short:
/// the program's burn action on the fetched accounts. (That the owner holds the tokens is the
/// token program's check, not the program's: see [`token_amount`].)
pub fn burn<C: Chain + ?Sized>(
    chain: &mut C,
    writer_account: Pubkey,
    owner: Pubkey,
    series: Pubkey,
    owner_token_account: Pubkey,
    contracts: u64,
) -> Result<Checked, MarginError> {
    let mut after = fetch(chain, &writer_account, accounts::writer_account)?;
    let mut terms = fetch(chain, &series, accounts::option_series)?;
    let underlying = terms.underlying;
    let mut book = fetch(
        chain,
        &pda::underlying_ledger(&underlying),
        accounts::underlying_ledger,
    )?;
    let (short_after, refusal) = verdict(actions::write::burn(
        &mut after, series, &mut terms, &mut book, contracts,
    ));
    Ok(Checked {
        instruction: ix::burn_options(
            writer_account,
            owner,
            underlying,
            series,
            owner_token_account,
            contracts,
        ),
        account_after: refusal.is_none().then_some(after),
        refusal,
        amount_after: short_after,
    })
}

/// Deposit `contracts` of `series` held in `owner_token_account` into `writer_account`: the
/// account's own short in the series is closed first, the rest held as a long (the program's
/// `deposit_options` action on the fetched accounts). `amount_after`: the long afterwards.
pub fn deposit_options<C: Chain + ?Sized>(
    chain: &mut C,
    writer_account: Pubkey,
    owner: Pubkey,
    series: Pubkey,
    owner_token_account: Pubkey,
    contracts: u64,
) -> Result<Checked, MarginError> {
    let now = chain.unix_timestamp()?;
    let mut after = fetch(chain, &writer_account, accounts::writer_account)?;
    let mut terms = fetch(chain, &series, accounts::option_series)?;
    let underlying = terms.underlying;
    let mut book = fetch(
        chain,
        &pda::underlying_ledger(&underlying),
        accounts::underlying_ledger,
    )?;
    let (event, refusal) = verdict(actions::long::deposit_options(
        writer_account,
        &mut after,
        series,
        &mut terms,
        &mut book,
        contracts,
        now,
    ));
    Ok(Checked {
        instruction: ix::deposit_options(
            writer_account,
            owner,
            underlying,
            series,
            owner_token_account,
            contracts,
        ),
        account_after: refusal.is_none().then_some(after),
        refusal,
        amount_after: event.map(|e| e.long_after),
    })
}

/// Pay `writer_account`'s long in the finalized `series` into its quote balance (anyone): the
/// program's `settle_long` action on the fetched accounts. `amount_after`: the quote paid.
pub fn settle_long<C: Chain + ?Sized>(
    chain: &mut C,
    writer_account: Pubkey,
    series: Pubkey,
) -> Result<Checked, MarginError> {
    let mut after = fetch(chain, &writer_account, accounts::writer_account)?;
    let mut terms = fetch(chain, &series, accounts::option_series)?;
    let (event, refusal) = verdict(actions::long::settle_long(
        writer_account,
        &mut after,
        series,
        &mut terms,
    ));
    Ok(Checked {
        instruction: ix::settle_long(writer_account, series),
        account_after: refusal.is_none().then_some(after),
        refusal,
        amount_after: event.map(|e| e.amount),
    })
}

/// Redeem `contracts` of a finalized `series` held in `holder_option_account`, paid to
/// `recipient`: the program's redeem action on the fetched series.
pub fn redeem<C: Chain + ?Sized>(
    chain: &mut C,
    ch: &ClearinghouseRef,
    holder: Pubkey,
    series: Pubkey,
    holder_option_account: Pubkey,
    recipient: Pubkey,
    contracts: u64,
) -> Result<Checked, MarginError> {
    let mut terms = fetch(chain, &series, accounts::option_series)?;
    let held = token_amount(chain, &holder_option_account)?.unwrap_or(0);
    let (paid, refusal) = verdict(actions::settle::redeem(&mut terms, contracts, held));
    Ok(Checked {
        instruction: ix::redeem(
            ch,
            holder,
            series,
            holder_option_account,
            recipient,
            contracts,
        ),
        account_after: None,
        refusal,
        amount_after: paid,
    })
}

/// Exercise `contracts` of the American `series` held in `holder_option_account` before its
/// cut-off, paid to `recipient`, priced by the underlying's `oracle` account at `now`: the
/// program's exercise action on the fetched accounts (its refusal, or the amount paid).
#[allow(clippy::too_many_arguments)] // one argument per account the caller chooses
pub fn exercise<C: Chain + ?Sized>(
    chain: &mut C,
    ch: &ClearinghouseRef,
    holder: Pubkey,
    series: Pubkey,
    oracle: Pubkey,
    holder_option_account: Pubkey,
    recipient: Pubkey,
    contracts: u64,
    now: i64,
) -> Result<Checked, MarginError> {
    let mut terms = fetch(chain, &series, accounts::option_series)?;
    let mut u = fetch(chain, &terms.underlying, accounts::underlying)?;
    let mut book = fetch(
        chain,
        &pda::underlying_ledger(&terms.underlying),
        accounts::underlying_ledger,
    )?;
    let clearinghouse = fetch(chain, &ch.clearinghouse, accounts::clearinghouse)?;
    let held = token_amount(chain, &holder_option_account)?.unwrap_or(0);
    let oracle_account = chain
        .account(&oracle)?
        .ok_or(MarginError::MissingAccount(oracle))?;
    let underlying = terms.underlying;
    let (event, refusal) = verdict(
        greekhouse::oracle::parse_oracle_account(
            &u,
            &oracle,
            &oracle_account.owner,
            &oracle_account.data,
        )
        .and_then(|price| {
            actions::exercise::exercise(
                &clearinghouse,
                &mut u,
                series,
                &mut terms,
                &mut book,
                &price,
                holder,
                contracts,
                held,
                now,
            )
        }),
    );
    Ok(Checked {
        instruction: ix::exercise(
            ch,
            holder,
            underlying,
            oracle,
            series,
            holder_option_account,
            recipient,
            contracts,
        ),
        account_after: None,
        refusal,
        amount_after: event.map(|e| e.amount),
    })
}

/// Open writer account `index` of `owner` (paid by `payer`): the account the program's action
/// fills in. Refused (as the system program would) when the address already holds an account.
pub fn open<C: Chain + ?Sized>(
    chain: &mut C,
    clearinghouse: Pubkey,
    payer: Pubkey,
    owner: Pubkey,
    index: u32,
) -> Result<(Checked, bool), MarginError> {
    let address = pda::writer_account(&clearinghouse, &owner, index);
    let exists = chain.account(&address)?.is_some();
    let mut fresh: WriterAccount = bytemuck::Zeroable::zeroed();
    let bump = Pubkey::find_program_address(
        &[
            greekhouse::constants::WRITER_SEED,
            clearinghouse.as_ref(),
            owner.as_ref(),
            &index.to_le_bytes(),
        ],
        &greekhouse::ID,
    )
    .1;
    let (_, refusal) = verdict(actions::writer_account::open_writer_account(
        &mut fresh,
        address,
        bump,
        clearinghouse,
        owner,
        index,
    ));
    Ok((
        Checked {
            instruction: ix::open_writer_account(clearinghouse, payer, owner, index),
            account_after: (refusal.is_none() && !exists).then_some(fresh),
            refusal,
            amount_after: None,
        },
        exists,
    ))
}

/// Close `writer_account` (its rent back to `owner`): the program's rules of closing.
pub fn close<C: Chain + ?Sized>(
    chain: &mut C,
    writer_account: Pubkey,
    owner: Pubkey,
) -> Result<Checked, MarginError> {
    let state = fetch(chain, &writer_account, accounts::writer_account)?;
    let (_, refusal) = verdict(actions::writer_account::check_close_writer_account(&state));
    Ok(Checked {
        instruction: ix::close_writer_account(writer_account, owner),
        account_after: None,
        refusal,
        amount_after: None,
    })
}
