//! Resolve a bankruptcy (anyone): the account is being liquidated, holds no collateral beyond
//! dust (`constants::WRITE_OFF_DUST_QUOTE`, priced now; the dust stays the owner's), still
//! has shorts (none expired: those are settled first, by `settle_position`), is insolvent at
//! mark (`MtM < 0`: a solvent account is always bought without the fund, so its surplus stays
//! its owner's), and the insurance fund holds less than a bid for the whole account would need
//! from it now. Its shorts become each series' unbacked contracts (settled against the
//! insurance fund, a backstop auction and, last, a haircut of that series' holders alone); a
//! positive quote balance is split over those series pro rata to the shorts' mark value as
//! cover; a settlement debt stays with its markers for `resolve_debt`; the account is marked
//! bankrupt.
//!
//! Never paused; prices within `liq_max_age`.
//! Remaining accounts: first the series of the account's shorts, writable, in the order of
//! its position slots; then the account's margin layout (`engine::layout`).

use anchor_lang::prelude::*;
use greekhouse_risk::{auction, Fixed, Rounding};

use crate::engine::liquidation::{self, split_pro_rata, to_native_u64};
use crate::engine::safe_math::Cast;
use crate::engine::{ledger, margin, pricing};
use crate::errors::GreekhouseError;
use crate::events::{BankruptcyResolved, UnbackedShort};
use crate::oracle::PriceUse;
use crate::state::{
    Clearinghouse, InsuranceFund, LiquidationState, OptionSeries, WriterAccount, WriterStatus,
};

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
    /// Checks that need no price.
    pub fn validate(&self) -> Result<()> {
        let w = self.writer_account.load()?;
        require!(
            w.status()? == WriterStatus::Liquidating,
            GreekhouseError::AccountNotLiquidating
        );
        require!(
            w.position_count() > 0,
            GreekhouseError::BankruptWithoutShorts
        );
        // a settled series' short count is fixed: its shorts settle, never turn unbacked
        liquidation::require_no_expired_position(&w, Clock::get()?.unix_timestamp)?;
        Ok(())
    }
}

pub fn resolve_bankruptcy_handler<'info>(
    ctx: Context<'info, ResolveBankruptcy<'info>>,
) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let risk = |e: greekhouse_risk::RiskError| error!(GreekhouseError::from(e));
    let a = &ctx.accounts;
    let ch = *a.clearinghouse.load()?;
    let fund_balance = a.insurance_fund.load()?.balance;
    let mut w = a.writer_account.load_mut()?;

    let positions: Vec<_> = w
        .positions
        .iter()
        .filter(|p| p.contracts > 0)
        .copied()
        .collect();
    require!(
        ctx.remaining_accounts.len() >= positions.len(),
        GreekhouseError::SeriesAccountsMismatch
    );
    let (series_infos, layout) = ctx.remaining_accounts.split_at(positions.len());
    let (loaded, summary) = margin::load_and_compute(
        &a.clearinghouse.key(),
        &ch,
        &w,
        layout,
        now,
        PriceUse::Liquidation,
    )?;

    // collateral worth more than dust is sold by the auction first
    require!(
        margin::collateral_is_dust(&w, &loaded, &summary, ch.quote_decimals)?,
        GreekhouseError::BankruptWithCollateral
    );
    // a solvent account (MtM >= 0) sells without the fund at a low enough discount (its payment
    // is then >= 0), so writing it off would take its owner's surplus
    require!(
        summary.mark_to_market.is_negative(),
        GreekhouseError::AccountSolvent
    );
    // what a bid for the whole account would need from the fund now
    let inputs = liquidation::bid_inputs(&ch.params.liquidation, &w, &summary, now)?;
    let whole = auction::slice_settlement(&inputs, Fixed::ONE).map_err(risk)?;
    let fund_needed = u64::try_from(whole.from_fund).map_err(|_| GreekhouseError::MathOverflow)?;
    require!(
        fund_balance < fund_needed,
        GreekhouseError::InsuranceFundCanPay
    );

    // the quote balance covers the series pro rata to the shorts' mark value
    let mut weights = Vec::with_capacity(positions.len());
    for p in &positions {
        let value = pricing::premium(
            loaded.underlying(&p.underlying)?,
            p,
            p.contracts,
            now,
            ch.params.min_time_to_expiry_secs,
            ch.quote_decimals,
        )?;
        weights.push(to_native_u64(value, Rounding::Up)?);
    }
    let covers = split_pro_rata(w.quote_balance.max(0).cast::<u64>()?, &weights)?;

    let mut unbacked = Vec::with_capacity(positions.len());
    for ((p, info), cover) in positions.iter().zip(series_infos).zip(covers) {
        require_keys_eq!(*info.key, p.series, GreekhouseError::SeriesAccountsMismatch);
        require!(info.is_writable, GreekhouseError::SeriesAccountsMismatch);
        let loader = AccountLoader::<OptionSeries>::try_from(info)?;
        let mut series = loader.load_mut()?;
        require_keys_eq!(
            series.clearinghouse,
            a.clearinghouse.key(),
            GreekhouseError::WrongClearinghouse
        );
        ledger::make_unbacked(&mut w, p.series, &mut series, p.contracts, cover)?;
        unbacked.push(UnbackedShort {
            series: p.series,
            contracts: p.contracts,
            cover,
        });
    }
    w.status = WriterStatus::Bankrupt as u8;
    w.liquidation = LiquidationState::default();
    w.invariant()?;
    drop(w);

    emit_cpi!(BankruptcyResolved {
        writer_account: ctx.accounts.writer_account.key(),
        caller: ctx.accounts.caller.key(),
        unbacked,
        fund_balance,
        fund_needed,
    });
    Ok(())
}
