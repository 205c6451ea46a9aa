//! Buy a slice of a liquidated account (the owner of any other active writer account). The
//! bidder takes `fraction` of every short, collateral balance and the quote balance, and pays
//! `fraction * (MtM - min(d(t) * (max(MtM, 0) + addon_MM), max(MtM, 0) + k * addon_MM))`
//! measured now: a positive payment goes to the liquidated account less a liquidation fee to
//! the insurance fund; a negative one is paid to the bidder by the insurance fund, from quote it
//! holds (all of it at most: a bid never fails for want of fund, the bidder's limit decides),
//! and never more than the slice's share of the deficit plus `k` of its add-on
//! (docs/liquidation.md).
//!
//! Limits: `fraction` at most the one that restores the end level and, while a settlement debt
//! is unpaid, clears that debt, whichever is more (re-derived here); `payment <= payment_limit`;
//! the bidder at IM >= 0 afterwards and without open settlement debt; the liquidated account's
//! equity at the end level never lower afterwards, except in a debt sale (bounded by the
//! fraction that clears the debt); no expired position on the account (settle it first). Never
//! paused; prices within `liq_max_age`.
//!
//! Remaining accounts (underlyings writable: the prices used are recorded as the no-rollback
//! floor): the margin layout (`engine::layout`) of `[liquidated, bidder_account]`
//! as they are before the bid (the bidder's layout after the bid is inside it).

use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};
use greekhouse_risk::auction;
use greekhouse_risk::{Fixed, Rounding};

use crate::engine::liquidation::{self, to_native_i64, to_native_u64, unit_raw, FRACTION_ONE};
use crate::engine::{ledger, margin, tokens};
use crate::errors::GreekhouseError;
use crate::events::SliceBought;
use crate::oracle::PriceUse;
use crate::state::{Clearinghouse, InsuranceFund, WriterAccount, WriterStatus};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct BidArgs {
    /// Share of the account to take, exponent 12 (`10^12` = all of it).
    pub fraction: u64,
    /// Most the bidder will pay (quote native, signed): a negative limit demands at least that
    /// much from the insurance fund. Guards against a state changed by earlier transactions.
    pub payment_limit: i64,
}

#[event_cpi]
#[derive(Accounts)]
pub struct Bid<'info> {
    /// Owner of the bidding writer account.
    pub owner: Signer<'info>,
    #[account(
        has_one = quote_mint @ GreekhouseError::WrongQuoteMint,
        has_one = quote_vault @ GreekhouseError::WrongVault,
        has_one = insurance_fund @ GreekhouseError::WrongInsuranceFund,
    )]
    pub clearinghouse: AccountLoader<'info, Clearinghouse>,
    #[account(mut, has_one = clearinghouse @ GreekhouseError::WrongClearinghouse)]
    pub liquidated: AccountLoader<'info, WriterAccount>,
    #[account(
        mut,
        has_one = owner @ GreekhouseError::NotWriterOwner,
        has_one = clearinghouse @ GreekhouseError::WrongClearinghouse,
        constraint = bidder_account.key() != liquidated.key() @ GreekhouseError::SelfBid,
    )]
    pub bidder_account: AccountLoader<'info, WriterAccount>,
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

impl Bid<'_> {
    /// Checks that need no price.
    pub fn validate(&self, args: &BidArgs) -> Result<()> {
        require!(
            args.fraction > 0 && args.fraction <= FRACTION_ONE,
            GreekhouseError::InvalidBidFraction
        );
        require!(
            self.liquidated.load()?.status()? == WriterStatus::Liquidating,
            GreekhouseError::AccountNotLiquidating
        );
        let bidder = self.bidder_account.load()?;
        require!(
            bidder.status()? == WriterStatus::Active,
            GreekhouseError::BidderNotActive
        );
        // the bidder gains positions; an account with open debt markers may not (see MAX_DEBT_MARKERS)
        require!(
            !bidder.has_open_debt_markers(),
            GreekhouseError::SettlementDebtOpen
        );
        Ok(())
    }
}

pub fn bid_handler<'info>(ctx: Context<'info, Bid<'info>>, args: BidArgs) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let risk = |e: greekhouse_risk::RiskError| error!(GreekhouseError::from(e));
    let a = &ctx.accounts;
    let ch = *a.clearinghouse.load()?;
    let clearinghouse_key = a.clearinghouse.key();
    let mut liq = a.liquidated.load_mut()?;
    let mut bidder = a.bidder_account.load_mut()?;
    let mut fund = a.insurance_fund.load_mut()?;

    let loaded = margin::load_margin_accounts(
        &clearinghouse_key,
        &[&liq, &bidder],
        ctx.remaining_accounts,
        now,
        PriceUse::Liquidation,
    )?;
    // the prices used become the floor: no older price can be used for these underlyings again
    margin::record_used_prices(&loaded, ctx.remaining_accounts)?;
    let margin_of = |w: &WriterAccount| {
        margin::compute_margin(
            &ch.params,
            ch.quote_decimals,
            w,
            &loaded.assets,
            &loaded.underlyings,
            now,
        )
    };

    // price the slice on the account as it stands
    let before = margin_of(&liq)?;
    let inputs = liquidation::bid_inputs(&ch.params.liquidation, &liq, &before, now)?;
    // sold back to the end level and, while a settlement debt is unpaid, until it is cleared,
    // whatever the account's margin and other positions; never further
    let debt_sale = liq.has_settlement_debt();
    let max_fraction = liquidation::max_bid_fraction(&liq, &inputs, before.end.equity)?;
    require!(
        max_fraction.is_positive(),
        GreekhouseError::AccountAboveEndLevel
    );
    require!(
        args.fraction as i128 <= max_fraction.raw(),
        GreekhouseError::FractionAboveMaximum
    );
    let fraction = Fixed::from_raw(args.fraction as i128);
    // the fund pays from what it holds, never more; the bidder's limit decides
    let settlement = liquidation::fund_limited(
        auction::slice_settlement(&inputs, fraction).map_err(risk)?,
        fund.balance,
    );
    require!(
        settlement.payment <= args.payment_limit as i128,
        GreekhouseError::PaymentLimitExceeded
    );

    // move the slice and its quote
    let plan = liquidation::plan_slice(&liq, args.fraction)?;
    ledger::apply_slice(&mut liq, &mut bidder, &plan)?;
    ledger::settle_slice(&mut liq, &mut bidder, &mut fund, &settlement)?;

    // the liquidated account never ends lower at the end level; the bidder stands at IM
    let after = margin_of(&liq)?;
    require!(
        debt_sale || after.end.equity >= before.end.equity,
        GreekhouseError::BidLoweredEndEquity
    );
    let bidder_after = margin_of(&bidder)?;
    require!(
        !bidder_after.initial.equity.is_negative(),
        GreekhouseError::BidderBelowInitialMargin
    );

    let (to_account, fee, from_fund) = (
        settlement.to_account as u64,
        settlement.fee as u64,
        settlement.from_fund as u64,
    );
    let event = SliceBought {
        liquidated: a.liquidated.key(),
        bidder_account: a.bidder_account.key(),
        fraction: args.fraction,
        max_fraction: unit_raw(max_fraction)?,
        discount: unit_raw(inputs.discount)?,
        mark_to_market: to_native_i64(inputs.mark_to_market, Rounding::Down)?,
        addon_maintenance: to_native_u64(inputs.addon_maintenance, Rounding::Up)?,
        payment: i64::try_from(settlement.payment).map_err(|_| GreekhouseError::MathOverflow)?,
        fee,
        to_account,
        from_fund,
        end_equity_before: margin::equity_native(before.end.equity)?,
        end_equity_after: margin::equity_native(after.end.equity)?,
        bidder_initial_equity_after: margin::equity_native(bidder_after.initial.equity)?,
        fund_balance_after: fund.balance,
    };
    drop((liq, bidder, fund));

    // the fee travels from the quote vault to the insurance vault; a fund payment the other way
    let signer = ch.signer();
    let a = &ctx.accounts;
    let authority = a.clearinghouse.to_account_info();
    let (quote, fund_vault) = (&a.quote_vault, &a.insurance_vault);
    if fee > 0 {
        tokens::move_between_vaults(
            &a.token_program,
            quote,
            fund_vault,
            &a.quote_mint,
            &authority,
            &signer,
            fee,
        )?;
    }
    if from_fund > 0 {
        tokens::move_between_vaults(
            &a.token_program,
            fund_vault,
            quote,
            &a.quote_mint,
            &authority,
            &signer,
            from_fund,
        )?;
    }
    emit_cpi!(event);
    Ok(())
}
