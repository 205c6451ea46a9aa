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

pub use crate::args::BidArgs;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::engine::{actions, margin, tokens};
use crate::errors::GreekhouseError;
use crate::oracle::PriceUse;
use crate::state::{Clearinghouse, InsuranceFund, WriterAccount};

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
    /// The bid's rules that need no price.
    pub fn validate(&self, args: &BidArgs) -> Result<()> {
        actions::bid::check_bid(
            &*self.liquidated.load()?,
            &*self.bidder_account.load()?,
            args.fraction,
        )
    }
}

pub fn bid_handler<'info>(ctx: Context<'info, Bid<'info>>, args: BidArgs) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let a = &ctx.accounts;
    // borrowed, not copied: an sBPF frame is 4 KiB and the clearing house is 560 bytes
    let ch = a.clearinghouse.load()?;
    let mut liq = a.liquidated.load_mut()?;
    let mut bidder = a.bidder_account.load_mut()?;
    let mut fund = a.insurance_fund.load_mut()?;

    let loaded = margin::load_margin_accounts(
        &a.clearinghouse.key(),
        &[&liq, &bidder],
        ctx.remaining_accounts,
        now,
        PriceUse::Liquidation,
    )?;
    // the prices used become the floor: no older price can be used for these underlyings again
    margin::record_used_prices(&loaded, ctx.remaining_accounts)?;
    let outcome = actions::bid::bid(
        &ch,
        &mut liq,
        &mut bidder,
        &mut fund,
        &loaded,
        args.fraction,
        args.payment_limit,
        now,
    )?;
    let event = outcome.event(a.liquidated.key(), a.bidder_account.key())?;
    let signer = ch.signer();
    drop((ch, liq, bidder, fund));

    // the fee travels from the quote vault to the insurance vault; a fund payment the other way
    let authority = a.clearinghouse.to_account_info();
    let (quote, fund_vault) = (&a.quote_vault, &a.insurance_vault);
    if event.fee > 0 {
        tokens::move_between_vaults(
            &a.token_program,
            quote,
            fund_vault,
            &a.quote_mint,
            &authority,
            &signer,
            event.fee,
        )?;
    }
    if event.from_fund > 0 {
        tokens::move_between_vaults(
            &a.token_program,
            fund_vault,
            quote,
            &a.quote_mint,
            &authority,
            &signer,
            event.from_fund,
        )?;
    }
    emit_cpi!(event);
    Ok(())
}
