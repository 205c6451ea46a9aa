//! Move the writing fees accrued on an underlying into the insurance fund: a quote transfer
//! from the quote vault to the insurance vault, matched by the two ledgers. Permissionless and
//! never paused, so writes never have to lock the insurance fund (`docs/accounts.md`).

use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::engine::{ledger, tokens};
use crate::errors::GreekhouseError;
use crate::events::FeesSwept;
use crate::state::{Clearinghouse, InsuranceFund, UnderlyingLedger};

#[event_cpi]
#[derive(Accounts)]
pub struct SweepFees<'info> {
    #[account(
        has_one = quote_mint @ GreekhouseError::WrongQuoteMint,
        has_one = quote_vault @ GreekhouseError::WrongVault,
        has_one = insurance_fund @ GreekhouseError::WrongInsuranceFund,
    )]
    pub clearinghouse: AccountLoader<'info, Clearinghouse>,
    #[account(mut, has_one = clearinghouse @ GreekhouseError::WrongClearinghouse)]
    pub underlying_ledger: AccountLoader<'info, UnderlyingLedger>,
    #[account(mut, has_one = clearinghouse @ GreekhouseError::WrongClearinghouse)]
    pub insurance_fund: AccountLoader<'info, InsuranceFund>,
    #[account(mut, address = insurance_fund.load()?.vault @ GreekhouseError::WrongVault)]
    pub insurance_vault: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(mut)]
    pub quote_vault: Box<InterfaceAccount<'info, TokenAccount>>,
    pub quote_mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(address = clearinghouse.load()?.quote_token_program @ GreekhouseError::WrongTokenProgram)]
    pub token_program: Interface<'info, TokenInterface>,
}

impl SweepFees<'_> {
    pub fn validate(&self) -> Result<()> {
        require!(
            self.underlying_ledger.load()?.fees_accrued > 0,
            GreekhouseError::NothingToSweep
        );
        Ok(())
    }
}

pub fn sweep_fees_handler(ctx: Context<SweepFees>) -> Result<()> {
    let a = &ctx.accounts;
    let (amount, fund_balance_after, underlying) = {
        let mut book = a.underlying_ledger.load_mut()?;
        let mut fund = a.insurance_fund.load_mut()?;
        let amount = ledger::sweep_fees(&mut book, &mut fund)?;
        (amount, fund.balance, book.underlying)
    };
    tokens::move_between_vaults(
        &a.token_program,
        &a.quote_vault,
        &a.insurance_vault,
        &a.quote_mint,
        &a.clearinghouse.to_account_info(),
        &a.clearinghouse.load()?.signer(),
        amount,
    )?;

    emit_cpi!(FeesSwept {
        underlying,
        amount,
        fund_balance_after,
    });
    Ok(())
}
