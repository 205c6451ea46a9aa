//! Resolve a writer's settlement debt (anyone). A repaid account (quote balance back at or above
//! zero) just closes its debt markers. Otherwise the account must hold no positions and no
//! collateral beyond dust (`constants::WRITE_OFF_DUST_QUOTE` at the oracle price; the dust
//! stays the owner's, so neither a floored slice remainder nor a dust deposit blocks the
//! write-off): the insurance fund pays what it can of the debt, and the rest is charged to the
//! series the debt came from, pro rata to what each was owed (exact, largest remainder) — a
//! loss borne by those series' holders alone. Never paused; a price only to value dust.
//!
//! Remaining accounts: the series of the account's debt markers, writable, in marker order;
//! then, when an unpaid debt's account holds collateral, its margin layout (`engine::layout`).

use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::engine::{actions, margin, series_accounts, tokens};
use crate::errors::GreekhouseError;
use crate::oracle::PriceUse;
use crate::state::{Clearinghouse, InsuranceFund, OptionSeries, WriterAccount};

#[event_cpi]
#[derive(Accounts)]
pub struct ResolveDebt<'info> {
    #[account(
        has_one = quote_mint @ GreekhouseError::WrongQuoteMint,
        has_one = quote_vault @ GreekhouseError::WrongVault,
        has_one = insurance_fund @ GreekhouseError::WrongInsuranceFund,
    )]
    pub clearinghouse: AccountLoader<'info, Clearinghouse>,
    #[account(mut, has_one = clearinghouse @ GreekhouseError::WrongClearinghouse)]
    pub writer_account: AccountLoader<'info, WriterAccount>,
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

impl ResolveDebt<'_> {
    pub fn validate(&self) -> Result<()> {
        actions::resolve_debt::check_resolve_debt(&*self.writer_account.load()?)
    }
}

pub fn resolve_debt_handler<'info>(ctx: Context<'info, ResolveDebt<'info>>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let a = &ctx.accounts;
    let ch = *a.clearinghouse.load()?;
    let mut w = a.writer_account.load_mut()?;
    let keys: Vec<Pubkey> = w
        .debt_markers
        .iter()
        .filter(|m| m.owed > 0)
        .map(|m| m.series)
        .collect();
    let (loaders, layout) = series_accounts::take_series(ctx.remaining_accounts, &keys)?;
    let loaded = if actions::resolve_debt::needs_prices(&w) {
        Some(margin::load_margin_accounts(
            &a.clearinghouse.key(),
            &[&w],
            layout,
            now,
            PriceUse::Liquidation,
        )?)
    } else {
        require!(layout.is_empty(), GreekhouseError::MarginAccountsMismatch);
        None
    };
    let mut series = loaders
        .iter()
        .map(|l| l.load_mut())
        .collect::<Result<Vec<_>>>()?;
    series_accounts::require_of_clearinghouse(series.iter().map(|s| &**s), &a.clearinghouse.key())?;
    let mut refs: Vec<&mut OptionSeries> = series.iter_mut().map(|s| &mut **s).collect();
    let event = actions::resolve_debt::resolve_debt(
        &ch,
        a.writer_account.key(),
        &mut w,
        &mut *a.insurance_fund.load_mut()?,
        loaded.as_ref(),
        &mut refs,
        now,
    )?;
    drop(refs);
    drop(series);
    drop(w);

    if event.from_fund > 0 {
        tokens::move_between_vaults(
            &a.token_program,
            &a.insurance_vault,
            &a.quote_vault,
            &a.quote_mint,
            &a.clearinghouse.to_account_info(),
            &ch.signer(),
            event.from_fund,
        )?;
    }
    emit_cpi!(event);
    Ok(())
}
