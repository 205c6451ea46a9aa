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
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::engine::fees::sweep_every_underlying;
use crate::engine::insurance::{rebase_for_mint, supply_error};
use crate::engine::safe_math::Cast;
use crate::engine::settlement::{backstop_price, shortfall};
use crate::engine::{ledger, tokens};
use crate::errors::GreekhouseError;
use crate::events::BackstopBought;
use crate::state::{pause, Clearinghouse, InsuranceFund, InsuranceStake, OptionSeries};
use greekhouse_risk::insurance::price_at_base;
use greekhouse_risk::FundShares;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuyBackstopArgs {
    /// Quote to pay at most (native units).
    pub amount: u64,
    /// Highest price per share accepted (quote native per share, exponent 12).
    pub max_price: u64,
}

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
        require!(args.amount > 0, GreekhouseError::ZeroAmount);
        let ch = self.clearinghouse.load()?;
        require!(!ch.is_paused(pause::BACKSTOP), GreekhouseError::Paused);
        let s = self.series.load()?;
        require!(s.backstop_start != 0, GreekhouseError::BackstopNotOpen);
        Ok(())
    }
}

pub fn buy_backstop_handler<'info>(
    ctx: Context<'info, BuyBackstop<'info>>,
    args: BuyBackstopArgs,
) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let params = ctx.accounts.clearinghouse.load()?.params.settlement;
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
    let (rebased, synced, fund_base, fund_price) = {
        let a = &ctx.accounts;
        let mut fund = a.insurance_fund.load_mut()?;
        let mut stake = a.insurance_stake.load_mut()?;
        let (rebased, synced) = rebase_for_mint(
            &mut fund,
            a.insurance_fund.key(),
            &mut stake,
            a.insurance_stake.key(),
        )?;
        let fund_price = fund.shares().price_per_share().map_err(supply_error)?;
        (rebased, synced, fund.shares_base, fund_price)
    };
    if let Some(e) = rebased {
        emit_cpi!(e);
    }
    if let Some(e) = synced {
        emit_cpi!(e);
    }
    let (amount, price) = {
        let s = ctx.accounts.series.load()?;
        require!(
            s.status == crate::state::SeriesStatus::Settled as u8,
            GreekhouseError::SeriesAlreadyFinalized
        );
        // the recorded start, per share at today's base, when the fund made at least the rebase
        // it was quoted at; otherwise the fund's share value now: either the shares it was
        // quoted in were wiped since, or inflows revived the old shares before the rebase the
        // quote assumed happened (carrying the price down to that base would sell shares at one
        // raw unit, `waterfall` review, found by the lifecycle fuzzer)
        let start_price = if s.backstop_price_base <= fund_base {
            price_at_base(s.backstop_start_price, s.backstop_price_base, fund_base)
                .unwrap_or(fund_price)
        } else {
            fund_price
        };
        let price = backstop_price(&params, s.backstop_start, start_price, now)?
            .ok_or(GreekhouseError::BackstopClosed)?;
        require!(
            price <= args.max_price,
            GreekhouseError::BackstopPriceAboveLimit
        );
        let gap = shortfall(s.outstanding(), s.payout_per_contract, s.settlement_ledger)?;
        require!(gap > 0, GreekhouseError::NoShortfall);
        (args.amount.min(gap), price)
    };
    // price is quote native per share at exponent 12: shares = amount * 10^12 / price
    let shares = FundShares::shares_at_price(
        amount,
        u128::from(price),
        greekhouse_risk::fixed::FIXED_ONE.cast::<u128>()?,
    )
    .map_err(supply_error)?;
    require!(shares > 0, GreekhouseError::StakeTooSmall);

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
            amount,
        )?;
    }
    ctx.accounts.quote_vault.reload()?;
    ledger::require_vault_delta(before, ctx.accounts.quote_vault.amount, amount, true)?;

    let a = &ctx.accounts;
    let mut s = a.series.load_mut()?;
    let mut fund = a.insurance_fund.load_mut()?;
    let mut stake = a.insurance_stake.load_mut()?;
    ledger::buy_backstop(&mut s, &mut fund, &mut stake, amount, shares)?;
    let event = BackstopBought {
        series: a.series.key(),
        insurance_stake: a.insurance_stake.key(),
        amount,
        price,
        shares,
        shortfall_after: shortfall(s.outstanding(), s.payout_per_contract, s.settlement_ledger)?,
        total_shares_after: fund.total_shares,
    };
    drop((s, fund, stake));
    emit_cpi!(event);
    Ok(())
}
