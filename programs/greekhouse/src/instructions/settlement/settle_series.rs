//! Settle an expired series (anyone, once its settlement price is final): record the price, the
//! payout per contract (holders, rounded down) and the obligation per contract (writers, rounded
//! up); count the writer shorts left to settle; take the series out of the underlying's open
//! interest; move the bankrupt writers' cover into the series' ledger, and let the insurance
//! fund cover what the unbacked contracts still need, as far as it holds quote; record the fund's
//! share value before that loss (the starting price of a backstop auction). Never paused.

use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::engine::{actions, tokens};
use crate::errors::GreekhouseError;
use crate::state::{Clearinghouse, InsuranceFund, OptionSeries, SettlementPrice, UnderlyingLedger};

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
        actions::settle_series::check_settle_series(
            &*self.series.load()?,
            &*self.settlement_price.load()?,
            Clock::get()?.unix_timestamp,
        )
    }
}

pub fn settle_series_handler(ctx: Context<SettleSeries>) -> Result<()> {
    let a = &ctx.accounts;
    let ch = *a.clearinghouse.load()?;
    let event = actions::settle_series::settle_series(
        &ch,
        &*a.settlement_price.load()?,
        a.series.key(),
        &mut *a.series.load_mut()?,
        &mut *a.underlying_ledger.load_mut()?,
        &mut *a.insurance_fund.load_mut()?,
        Clock::get()?.unix_timestamp,
    )?;
    if event.fund_cover > 0 {
        tokens::move_between_vaults(
            &a.token_program,
            &a.insurance_vault,
            &a.quote_vault,
            &a.quote_mint,
            &a.clearinghouse.to_account_info(),
            &ch.signer(),
            event.fund_cover,
        )?;
    }
    emit_cpi!(event);
    Ok(())
}
