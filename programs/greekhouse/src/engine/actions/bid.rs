//! `bid`: buy a slice of a liquidated account at the Dutch auction's price (docs/liquidation.md).

use crate::prelude::*;
use greekhouse_risk::auction::{self, BidInputs, SliceSettlement};
use greekhouse_risk::{Fixed, MarginSummary, Rounding};

use crate::engine::ledger;
use crate::engine::liquidation::{self, to_native_i64, to_native_u64, unit_raw, FRACTION_ONE};
use crate::engine::margin::{self, LoadedMargin};
use crate::errors::GreekhouseError;
use crate::events::SliceBought;
use crate::state::{Clearinghouse, InsuranceFund, WriterAccount, WriterStatus};

/// The rules of a bid that need no price.
pub fn check_bid(liquidated: &WriterAccount, bidder: &WriterAccount, fraction: u64) -> Result<()> {
    require!(
        fraction > 0 && fraction <= FRACTION_ONE,
        GreekhouseError::InvalidBidFraction
    );
    require!(
        liquidated.status()? == WriterStatus::Liquidating,
        GreekhouseError::AccountNotLiquidating
    );
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

/// The auction's price of the liquidated account as it stands.
///
/// A [`MarginSummary`] is about 1.4 KB: the summaries here and in [`BidOutcome`] are boxed so a
/// bid fits the sBPF program's 4 KiB stack frames (docs/performance.md, "Stack frames").
#[derive(Clone, Debug)]
pub struct AuctionQuote {
    /// Its margin before any slice.
    pub margin: Box<MarginSummary>,
    pub inputs: BidInputs,
    /// The largest fraction a bid may take now (exponent 12 in [`Fixed`]).
    pub max_fraction: Fixed,
    /// A settlement debtor's collateral sale: sold until the debt clears, no end-level limit.
    pub debt_sale: bool,
}

/// Price the liquidated account now: its margin, the auction inputs and the largest fraction
/// (back to the end level and, while a settlement debt is unpaid, until it is cleared, whatever
/// the account's margin and other positions; never further).
#[inline(never)] // its own sBPF stack frame (docs/performance.md, "Stack frames")
pub fn quote_auction(
    ch: &Clearinghouse,
    liquidated: &WriterAccount,
    loaded: &LoadedMargin,
    now: i64,
) -> Result<AuctionQuote> {
    let before = loaded.margin_of(ch, liquidated, now)?;
    let inputs = liquidation::bid_inputs(&ch.params.liquidation, liquidated, &before, now)?;
    let max_fraction = liquidation::max_bid_fraction(liquidated, &inputs, before.end.equity)?;
    Ok(AuctionQuote {
        margin: Box::new(before),
        inputs,
        max_fraction,
        debt_sale: liquidated.has_settlement_debt(),
    })
}

/// What a bid did.
#[derive(Clone, Debug)]
pub struct BidOutcome {
    pub fraction: u64,
    pub quote: AuctionQuote,
    /// The slice's quote, as the fund could pay it.
    pub settlement: SliceSettlement,
    /// The liquidated account's margin after the slice.
    pub margin_after: Box<MarginSummary>,
    /// The bidder's margin after the slice.
    pub bidder_margin_after: Box<MarginSummary>,
    pub fund_balance_after: u64,
}

impl BidOutcome {
    /// The liquidation fee into the insurance fund (quote native units).
    pub fn fee(&self) -> Result<u64> {
        u64::try_from(self.settlement.fee).map_err(|_| error!(GreekhouseError::MathOverflow))
    }

    /// What the insurance fund pays the bidder (quote native units).
    pub fn from_fund(&self) -> Result<u64> {
        u64::try_from(self.settlement.from_fund).map_err(|_| error!(GreekhouseError::MathOverflow))
    }

    /// The event the program emits for this bid.
    pub fn event(&self, liquidated: Pubkey, bidder_account: Pubkey) -> Result<SliceBought> {
        let overflow = || error!(GreekhouseError::MathOverflow);
        Ok(SliceBought {
            liquidated,
            bidder_account,
            fraction: self.fraction,
            max_fraction: unit_raw(self.quote.max_fraction)?,
            discount: unit_raw(self.quote.inputs.discount)?,
            mark_to_market: to_native_i64(self.quote.inputs.mark_to_market, Rounding::Down)?,
            addon_maintenance: to_native_u64(self.quote.inputs.addon_maintenance, Rounding::Up)?,
            payment: i64::try_from(self.settlement.payment).map_err(|_| overflow())?,
            fee: self.fee()?,
            to_account: u64::try_from(self.settlement.to_account).map_err(|_| overflow())?,
            from_fund: self.from_fund()?,
            end_equity_before: margin::equity_native(self.quote.margin.end.equity)?,
            end_equity_after: margin::equity_native(self.margin_after.end.equity)?,
            bidder_initial_equity_after: margin::equity_native(
                self.bidder_margin_after.initial.equity,
            )?,
            fund_balance_after: self.fund_balance_after,
        })
    }
}

/// Bid for `fraction` (exponent 12) of `liquidated` from `bidder`, paying at most
/// `payment_limit` (signed quote native units; negative: at least that much from the fund).
/// `loaded` prices both accounts as they are before the bid (the bidder's layout after the bid
/// is inside it). The fund pays from what it holds, never more; the liquidated account's
/// end-level equity never falls (except in a debt sale) and the bidder stands at IM >= 0.
#[allow(clippy::too_many_arguments)]
// its own sBPF stack frame: inlined into the handler, the two accounts' margins and the slice
// exceeded one 4 KiB frame (`scripts/build-sbf.sh --frames`)
#[inline(never)]
pub fn bid(
    ch: &Clearinghouse,
    liquidated: &mut WriterAccount,
    bidder: &mut WriterAccount,
    fund: &mut InsuranceFund,
    loaded: &LoadedMargin,
    fraction: u64,
    payment_limit: i64,
    now: i64,
) -> Result<BidOutcome> {
    check_bid(liquidated, bidder, fraction)?;
    let quote = quote_auction(ch, liquidated, loaded, now)?;
    require!(
        quote.max_fraction.is_positive(),
        GreekhouseError::AccountAboveEndLevel
    );
    require!(
        i128::from(fraction) <= quote.max_fraction.raw(),
        GreekhouseError::FractionAboveMaximum
    );
    let settlement = liquidation::fund_limited(
        auction::slice_settlement(&quote.inputs, Fixed::from_raw(i128::from(fraction)))
            .map_err(|e| error!(GreekhouseError::from(e)))?,
        fund.balance,
    );
    require!(
        settlement.payment <= i128::from(payment_limit),
        GreekhouseError::PaymentLimitExceeded
    );

    // move the slice and its quote
    let plan = liquidation::plan_slice(liquidated, fraction)?;
    ledger::apply_slice(liquidated, bidder, &plan)?;
    ledger::settle_slice(liquidated, bidder, fund, &settlement)?;

    // the liquidated account never ends lower at the end level; the bidder stands at IM
    let margin_after = loaded.boxed_margin_of(ch, liquidated, now)?;
    require!(
        quote.debt_sale || margin_after.end.equity >= quote.margin.end.equity,
        GreekhouseError::BidLoweredEndEquity
    );
    let bidder_margin_after = loaded.boxed_margin_of(ch, bidder, now)?;
    require!(
        !bidder_margin_after.initial.equity.is_negative(),
        GreekhouseError::BidderBelowInitialMargin
    );
    Ok(BidOutcome {
        fraction,
        quote,
        settlement,
        margin_after,
        bidder_margin_after,
        fund_balance_after: fund.balance,
    })
}
