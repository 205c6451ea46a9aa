//! Settle an expired series (anyone, once its settlement price is final): record the price, the
//! payout per contract (holders, rounded down) and the obligation per contract (writers, rounded
//! up); count the writer shorts left to settle; take the series out of the underlying's open
//! interest; move the bankrupt writers' cover into the series' ledger, and let the insurance
//! fund cover what the unbacked contracts still need, as far as it holds quote; record the fund's
//! share value before that loss (the starting price of a backstop auction). Never paused.

use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::engine::settlement::{contract_amounts, fund_cover};
use crate::engine::{ledger, tokens};
use crate::errors::GreekhouseError;
use crate::events::SeriesSettled;
use crate::state::{
    Clearinghouse, InsuranceFund, OptionSeries, SeriesStatus, SettlementPrice, UnderlyingLedger,
};

#[event_cpi]
#[derive(Accounts)]
pub struct SettleSeries<'info> {
    #[account(
        has_one = quote_mint @ GreekhouseError::WrongQuoteMint,
        has_one = quote_vault @ GreekhouseError::WrongVault,
        has_one = insurance_fund @ GreekhouseError::WrongInsuranceFund,
    )]
    pub clearinghouse: AccountLoader<'info, Clearinghouse>,
    #[account(mut, has_one = clearinghouse @ GreekhouseError::WrongClearinghouse)]
    pub series: AccountLoader<'info, OptionSeries>,
    #[account(
        mut,
        constraint = underlying_ledger.load()?.underlying == series.load()?.underlying @ GreekhouseError::WrongUnderlyingLedger,
    )]
    pub underlying_ledger: AccountLoader<'info, UnderlyingLedger>,
    /// The program's settlement price of the series' underlying and expiry.
    pub settlement_price: AccountLoader<'info, SettlementPrice>,
    #[account(mut)]
    pub insurance_fund: AccountLoader<'info, InsuranceFund>,
    #[account(mut, address = insurance_fund.load()?.vault @ GreekhouseError::WrongVault)]
    pub insurance_vault: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(mut)]
    pub quote_vault: Box<InterfaceAccount<'info, TokenAccount>>,
    pub quote_mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(address = clearinghouse.load()?.quote_token_program @ GreekhouseError::WrongTokenProgram)]
    pub token_program: Interface<'info, TokenInterface>,
}

impl SettleSeries<'_> {
    pub fn validate(&self) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let s = self.series.load()?;
        require!(
            s.status == SeriesStatus::Active as u8,
            GreekhouseError::SeriesAlreadySettled
        );
        require!(now >= s.expiry, GreekhouseError::NotExpired);
        let sp = self.settlement_price.load()?;
        require!(
            sp.underlying == s.underlying && sp.expiry == s.expiry,
            GreekhouseError::WrongSettlementPrice
        );
        require!(sp.is_final(), GreekhouseError::SettlementPriceNotFinal);
        Ok(())
    }
}

pub fn settle_series_handler(ctx: Context<SettleSeries>) -> Result<()> {
    let a = &ctx.accounts;
    let ch = *a.clearinghouse.load()?;
    let sp = *a.settlement_price.load()?;
    let mut series = a.series.load_mut()?;
    let mut book = a.underlying_ledger.load_mut()?;
    let mut fund = a.insurance_fund.load_mut()?;

    let amounts = contract_amounts(
        series.kind,
        series.strike,
        series.contract_size,
        sp.price,
        sp.expo,
        ch.quote_decimals,
    )?;
    series.status = SeriesStatus::Settled as u8;
    series.settlement_price = settlement_price_native(sp.price, sp.expo, ch.quote_decimals)?;
    series.payout_per_contract = amounts.payout;
    series.obligation_per_contract = amounts.obligation;
    series.shorts_to_settle = series
        .open_interest
        .checked_sub(series.unbacked_contracts)
        .ok_or(GreekhouseError::InvariantViolated)?;
    // the series no longer counts against the underlying's open-interest cap
    let units = series.units(series.open_interest)?;
    book.open_interest = book
        .open_interest
        .checked_sub(units)
        .ok_or(GreekhouseError::InvariantViolated)?;
    book.invariant()?;
    let from_fund = fund_cover(
        series.unbacked_contracts,
        amounts.payout,
        series.unbacked_cover,
        fund.balance,
    )?;
    let cover = series.unbacked_cover;
    // the backstop, if one is needed, starts from the share value before this series' loss
    // (at the share base the fund will have after the rebase it needs, so a wiped fund's
    // price is not rounded to one unit; docs/insurance.md)
    let (start_price, digits) = fund
        .shares()
        .backstop_start()
        .map_err(|e| error!(GreekhouseError::from(e)))?;
    series.backstop_start_price = start_price;
    series.backstop_price_base = fund
        .shares_base
        .checked_add(digits)
        .ok_or(GreekhouseError::MathOverflow)?;
    ledger::settle_series_cover(&mut series, &mut fund, from_fund)?;
    let event = SeriesSettled {
        series: a.series.key(),
        settlement_price: series.settlement_price,
        payout_per_contract: amounts.payout,
        obligation_per_contract: amounts.obligation,
        shorts_to_settle: series.shorts_to_settle,
        unbacked_contracts: series.unbacked_contracts,
        unbacked_cover: cover,
        fund_cover: from_fund,
        fund_balance_after: fund.balance,
    };
    drop((series, book, fund));

    if from_fund > 0 {
        let a = &ctx.accounts;
        tokens::move_between_vaults(
            &a.token_program,
            &a.insurance_vault,
            &a.quote_vault,
            &a.quote_mint,
            &a.clearinghouse.to_account_info(),
            &ch.signer(),
            from_fund,
        )?;
    }
    emit_cpi!(event);
    Ok(())
}

/// The settlement price in quote native units per whole underlying unit, rounded down
/// (reporting; the payouts are computed exactly from the oracle's mantissa and exponent).
pub fn settlement_price_native(price: i64, expo: i32, quote_decimals: u8) -> Result<u64> {
    let e = expo + quote_decimals as i32;
    let v = if e >= 0 {
        (price as i128).checked_mul(crate::engine::safe_math::pow10(e as u32)?)
    } else {
        Some(price as i128 / crate::engine::safe_math::pow10((-e) as u32)?)
    }
    .ok_or(GreekhouseError::MathOverflow)?;
    u64::try_from(v).map_err(|_| error!(GreekhouseError::MathOverflow))
}
