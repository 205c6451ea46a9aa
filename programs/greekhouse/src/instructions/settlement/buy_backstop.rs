//! Buy new insurance-fund shares in a series' backstop auction: `amount` of quote (capped at
//! what the series still lacks) goes into the series' ledger; the buyer's stake receives
//! `floor(amount / price)` shares at the auction's current price, if that price is at most
//! `max_price`. Like `stake`, it first sweeps every underlying's pending writing fees into the
//! fund (remaining accounts: every underlying ledger) and rebases the fund if it needs it, so
//! the shares are sold against the fund's whole value and a wiped fund's old shares are worth
//! nothing; the auction's price, quoted per share at the base recorded at settlement, is
//! carried to the fund's base now (`greekhouse_risk::insurance::price_at_base`), and starts
//! from the fund's share value now when the shares it was quoted in were wiped since.
//! Pausable by the guardian (`BACKSTOP`); a pause cannot delay finalization, whose window is
//! time-bound.

use anchor_lang::prelude::*;

pub use crate::args::BuyBackstopArgs;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::engine::fees::sweep_every_underlying;
use crate::engine::insurance::rebase_for_mint;
use crate::engine::{actions, ledger, tokens};
use crate::errors::GreekhouseError;
use crate::events::BackstopBought;
use crate::state::{Clearinghouse, InsuranceFund, InsuranceStake, OptionSeries};

#[event_cpi]
#[derive(Accounts)]
pub struct BuyBackstop<'info> {
    pub owner: Signer<'info>,
    #[account(
        has_one = quote_mint @ GreekhouseError::WrongQuoteMint,
        has_one = quote_vault @ GreekhouseError::WrongVault,
        has_one = insurance_fund @ GreekhouseError::WrongInsuranceFund,
    )]
    pub clearinghouse: AccountLoader<'info, Clearinghouse>,
    #[account(mut, has_one = clearinghouse @ GreekhouseError::WrongClearinghouse)]
    pub series: AccountLoader<'info, OptionSeries>,
    #[account(mut)]
    pub insurance_fund: AccountLoader<'info, InsuranceFund>,
    /// Receives the pending fees swept in first.
    #[account(mut, address = insurance_fund.load()?.vault @ GreekhouseError::WrongVault)]
    pub insurance_vault: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(
        mut,
        has_one = owner @ GreekhouseError::NotStakeOwner,
        has_one = insurance_fund @ GreekhouseError::WrongInsuranceStake,
    )]
    pub insurance_stake: AccountLoader<'info, InsuranceStake>,
    #[account(
        mut,
        constraint = owner_token_account.mint == quote_mint.key() @ GreekhouseError::WrongTokenMint,
        constraint = owner_token_account.owner == owner.key() @ GreekhouseError::WrongTokenOwner,
    )]
    pub owner_token_account: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(mut)]
    pub quote_vault: Box<InterfaceAccount<'info, TokenAccount>>,
    pub quote_mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(address = clearinghouse.load()?.quote_token_program @ GreekhouseError::WrongTokenProgram)]
    pub token_program: Interface<'info, TokenInterface>,
}

impl BuyBackstop<'_> {
    pub fn validate(&self, args: &BuyBackstopArgs) -> Result<()> {
        actions::buy_backstop::check_buy_backstop(
            &*self.clearinghouse.load()?,
            &*self.series.load()?,
            args.amount,
        )
    }
}

pub fn buy_backstop_handler<'info>(
    ctx: Context<'info, BuyBackstop<'info>>,
    args: BuyBackstopArgs,
) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let ch = *ctx.accounts.clearinghouse.load()?;
    let swept = {
        let a = &ctx.accounts;
        sweep_every_underlying(
            &a.clearinghouse,
            &a.insurance_fund,
            &a.insurance_vault,
            &a.quote_vault,
            &a.quote_mint,
            &a.token_program,
            ctx.remaining_accounts,
        )?
    };
    for e in swept {
        emit_cpi!(e);
    }
    let (rebased, synced, quote) = {
        let a = &ctx.accounts;
        let mut fund = a.insurance_fund.load_mut()?;
        let mut stake = a.insurance_stake.load_mut()?;
        let (rebased, synced) = rebase_for_mint(
            &mut fund,
            a.insurance_fund.key(),
            &mut stake,
            a.insurance_stake.key(),
        )?;
        let quote = actions::buy_backstop::quote_backstop(
            &ch,
            &*a.series.load()?,
            &fund,
            args.amount,
            args.max_price,
            now,
        )?;
        (rebased, synced, quote)
    };
    if let Some(e) = rebased {
        emit_cpi!(e);
    }
    if let Some(e) = synced {
        emit_cpi!(e);
    }

    // (the sweeps above moved the quote vault: read it, not the cached amount)
    let before = tokens::current_amount(&ctx.accounts.quote_vault)?;
    {
        let a = &ctx.accounts;
        tokens::transfer_in(
            &a.token_program,
            &a.owner_token_account,
            &a.quote_vault,
            &a.quote_mint,
            &a.owner,
            quote.amount,
        )?;
    }
    ctx.accounts.quote_vault.reload()?;
    ledger::require_vault_delta(before, ctx.accounts.quote_vault.amount, quote.amount, true)?;

    let a = &ctx.accounts;
    let mut fund = a.insurance_fund.load_mut()?;
    let shortfall_after = actions::buy_backstop::buy_backstop(
        &mut *a.series.load_mut()?,
        &mut fund,
        &mut *a.insurance_stake.load_mut()?,
        &quote,
    )?;
    let event = BackstopBought {
        series: a.series.key(),
        insurance_stake: a.insurance_stake.key(),
        amount: quote.amount,
        price: quote.price,
        shares: quote.shares,
        shortfall_after,
        total_shares_after: fund.total_shares,
    };
    drop(fund);
    emit_cpi!(event);
    Ok(())
}
