//! Resolve a bankruptcy (anyone): the account is being liquidated, holds no collateral beyond
//! dust (`constants::WRITE_OFF_DUST_QUOTE`, priced now; the dust stays the owner's), still
//! has shorts (none expired: those are settled first, by `settle_position`), is insolvent at
//! mark (`MtM < 0`: a solvent account is always bought without the fund, so its surplus stays
//! its owner's), and the insurance fund holds less than a bid for the whole account would need
//! from it now. Its shorts become each series' unbacked contracts (settled against the
//! insurance fund, a backstop auction and, last, a haircut of that series' holders alone); a
//! positive quote balance is split over those series pro rata to the shorts' mark value as
//! cover; its longs are forfeited to the insurance fund (their payout reaches it with the
//! series' dust); a settlement debt stays with its markers for `resolve_debt`; the account is
//! marked bankrupt.
//!
//! Never paused; prices within `liq_max_age`.
//! Remaining accounts: first the series of the account's positions, writable, once each in the
//! order of `WriterAccount::position_series`; then the account's margin layout
//! (`engine::layout`).

use anchor_lang::prelude::*;

use crate::engine::{actions, margin, series_accounts};
use crate::errors::GreekhouseError;
use crate::events::BankruptcyResolved;
use crate::oracle::PriceUse;
use crate::state::{Clearinghouse, InsuranceFund, OptionSeries, WriterAccount};

#[event_cpi]
#[derive(Accounts)]
pub struct ResolveBankruptcy<'info> {
    pub caller: Signer<'info>,
    #[account(has_one = insurance_fund @ GreekhouseError::WrongInsuranceFund)]
    pub clearinghouse: AccountLoader<'info, Clearinghouse>,
    #[account(mut, has_one = clearinghouse @ GreekhouseError::WrongClearinghouse)]
    pub writer_account: AccountLoader<'info, WriterAccount>,
    /// Read only: its balance decides whether the fund can still pay.
    pub insurance_fund: AccountLoader<'info, InsuranceFund>,
}

impl ResolveBankruptcy<'_> {
    /// The bankruptcy's rules that need no price.
    pub fn validate(&self) -> Result<()> {
        actions::resolve_bankruptcy::check_resolve_bankruptcy(
            &*self.writer_account.load()?,
            Clock::get()?.unix_timestamp,
        )
    }
}

pub fn resolve_bankruptcy_handler<'info>(
    ctx: Context<'info, ResolveBankruptcy<'info>>,
) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let a = &ctx.accounts;
    let ch = *a.clearinghouse.load()?;
    let fund_balance = a.insurance_fund.load()?.balance;
    let mut w = a.writer_account.load_mut()?;

    // the series of its positions, writable, once each in slot order; then its margin layout
    let keys = w.position_series();
    let (loaders, layout) = series_accounts::take_series(ctx.remaining_accounts, &keys)?;
    let mut series = loaders
        .iter()
        .map(|l| l.load_mut())
        .collect::<Result<Vec<_>>>()?;
    series_accounts::require_of_clearinghouse(series.iter().map(|s| &**s), &a.clearinghouse.key())?;
    let mut series_refs: Vec<&mut OptionSeries> = series.iter_mut().map(|s| &mut **s).collect();
    let loaded = margin::load_margin_accounts(
        &a.clearinghouse.key(),
        &[&w],
        layout,
        now,
        PriceUse::Liquidation,
    )?;
    let outcome = actions::resolve_bankruptcy::resolve_bankruptcy(
        &ch,
        &mut w,
        fund_balance,
        &loaded,
        &mut series_refs,
        now,
    )?;
    drop(series_refs);
    drop(series);
    drop(w);

    emit_cpi!(BankruptcyResolved {
        writer_account: ctx.accounts.writer_account.key(),
        caller: ctx.accounts.caller.key(),
        unbacked: outcome.unbacked,
        forfeited: outcome.forfeited,
        fund_balance,
        fund_needed: outcome.fund_needed,
    });
    Ok(())
}
