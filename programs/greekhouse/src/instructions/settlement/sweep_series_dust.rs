//! Sweep a finalized series' dust into the insurance fund (anyone, whenever there is some): what
//! its ledger holds beyond `supply * payout_final` for the option tokens that still exist (the
//! differences between writers' obligations, rounded up, and holders' payouts, rounded down;
//! surplus unbacked cover; the payout of tokens burned outside the program, which are forfeited
//! claims). Every existing token stays fully backed. Never paused.

use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::engine::{actions, tokens};
use crate::errors::GreekhouseError;
use crate::events::SeriesDustSwept;
use crate::state::{Clearinghouse, InsuranceFund, OptionSeries};

#[event_cpi]
#[derive(Accounts)]
pub struct SweepSeriesDust<'info> {
    #[account(
        has_one = quote_mint @ GreekhouseError::WrongQuoteMint,
        has_one = quote_vault @ GreekhouseError::WrongVault,
        has_one = insurance_fund @ GreekhouseError::WrongInsuranceFund,
    )]
    pub clearinghouse: AccountLoader<'info, Clearinghouse>,
    #[account(
        mut,
        has_one = clearinghouse @ GreekhouseError::WrongClearinghouse,
        has_one = option_mint @ GreekhouseError::WrongOptionMint,
    )]
    pub series: AccountLoader<'info, OptionSeries>,
    /// Its supply is the claims still outstanding.
    pub option_mint: Box<InterfaceAccount<'info, Mint>>,
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

impl SweepSeriesDust<'_> {
    pub fn validate(&self) -> Result<()> {
        actions::settle::check_sweep_series_dust(&*self.series.load()?)
    }
}

pub fn sweep_series_dust_handler(ctx: Context<SweepSeriesDust>) -> Result<()> {
    let (dust, fund_balance_after) = {
        let a = &ctx.accounts;
        let mut s = a.series.load_mut()?;
        let mut fund = a.insurance_fund.load_mut()?;
        let dust = actions::settle::sweep_series_dust(&mut s, &mut fund, a.option_mint.supply)?;
        (dust, fund.balance)
    };
    if dust > 0 {
        let a = &ctx.accounts;
        tokens::move_between_vaults(
            &a.token_program,
            &a.quote_vault,
            &a.insurance_vault,
            &a.quote_mint,
            &a.clearinghouse.to_account_info(),
            &a.clearinghouse.load()?.signer(),
            dust,
        )?;
    }
    emit_cpi!(SeriesDustSwept {
        series: ctx.accounts.series.key(),
        amount: dust,
        fund_balance_after,
    });
    Ok(())
}
