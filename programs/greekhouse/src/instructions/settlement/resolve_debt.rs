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

use crate::engine::liquidation::split_pro_rata;
use crate::engine::{ledger, margin, tokens};
use crate::errors::GreekhouseError;
use crate::events::{DebtCharge, DebtResolved};
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
        let w = self.writer_account.load()?;
        require!(w.debt_marker_count() > 0, GreekhouseError::NoDebt);
        if w.quote_balance < 0 {
            require!(
                w.position_count() == 0,
                GreekhouseError::AccountHasPositions
            );
        }
        Ok(())
    }
}

pub fn resolve_debt_handler<'info>(ctx: Context<'info, ResolveDebt<'info>>) -> Result<()> {
    let a = &ctx.accounts;
    let ch = *a.clearinghouse.load()?;
    let mut w = a.writer_account.load_mut()?;
    let mut fund = a.insurance_fund.load_mut()?;
    let markers: Vec<_> = w
        .debt_markers
        .iter()
        .filter(|m| m.owed > 0)
        .copied()
        .collect();
    require!(
        ctx.remaining_accounts.len() >= markers.len(),
        GreekhouseError::SeriesAccountsMismatch
    );
    let (series_infos, layout) = ctx.remaining_accounts.split_at(markers.len());
    if w.quote_balance < 0 {
        // collateral worth more than dust pays the debt first (repayment or the debt sale)
        let now = Clock::get()?.unix_timestamp;
        let (loaded, summary) = margin::load_and_compute(
            &a.clearinghouse.key(),
            &ch,
            &w,
            layout,
            now,
            PriceUse::Liquidation,
        )?;
        require!(
            margin::collateral_is_dust(&w, &loaded, &summary, ch.quote_decimals)?,
            GreekhouseError::DebtWithCollateral
        );
    } else {
        require!(layout.is_empty(), GreekhouseError::MarginAccountsMismatch);
    }
    let debt = if w.quote_balance < 0 {
        w.quote_balance.unsigned_abs()
    } else {
        0
    };
    let from_fund = debt.min(fund.balance);
    let weights: Vec<u64> = markers.iter().map(|m| m.owed).collect();
    let charges = split_pro_rata(debt - from_fund, &weights)?;

    let mut loaders = Vec::with_capacity(markers.len());
    for (m, info) in markers.iter().zip(series_infos) {
        require_keys_eq!(*info.key, m.series, GreekhouseError::SeriesAccountsMismatch);
        require!(info.is_writable, GreekhouseError::SeriesAccountsMismatch);
        loaders.push(AccountLoader::<OptionSeries>::try_from(info)?);
    }
    let mut refs = Vec::with_capacity(loaders.len());
    for l in &loaders {
        let s = l.load_mut()?;
        require_keys_eq!(
            s.clearinghouse,
            a.clearinghouse.key(),
            GreekhouseError::WrongClearinghouse
        );
        refs.push(s);
    }
    {
        let mut entries: Vec<(Pubkey, &mut OptionSeries, u64)> = refs
            .iter_mut()
            .zip(markers.iter())
            .zip(charges.iter())
            .map(|((s, m), c)| (m.series, &mut **s, *c))
            .collect();
        ledger::resolve_debt(&mut w, &mut fund, from_fund, &mut entries)?;
    }
    let event = DebtResolved {
        writer_account: a.writer_account.key(),
        debt,
        from_fund,
        charges: markers
            .iter()
            .zip(charges.iter())
            .map(|(m, c)| DebtCharge {
                series: m.series,
                owed: m.owed,
                charged: *c,
            })
            .collect(),
        fund_balance_after: fund.balance,
    };
    drop((w, fund, refs));

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
