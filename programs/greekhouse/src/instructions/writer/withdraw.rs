//! Withdraw quote or collateral. The account must stand at IM >= 0 afterwards, checked with
//! fresh oracle prices (remaining accounts: see `engine::margin`). An account without shorts and
//! without debt needs no price. Pausable by the guardian; refused while liquidating.

use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::engine::{margin, tokens};
use crate::errors::GreekhouseError;
use crate::events::{OraclePriceAccepted, Withdrawn};
use crate::instructions::writer::deposit::{resolve_ledger, Ledger};
use crate::oracle::PriceUse;
use crate::state::{pause, Clearinghouse, CollateralAsset, WriterAccount};

#[event_cpi]
#[derive(Accounts)]
pub struct Withdraw<'info> {
    pub owner: Signer<'info>,
    #[account(mut)]
    pub clearinghouse: AccountLoader<'info, Clearinghouse>,
    #[account(
        mut,
        has_one = owner @ GreekhouseError::NotWriterOwner,
        has_one = clearinghouse @ GreekhouseError::WrongClearinghouse,
    )]
    pub writer_account: AccountLoader<'info, WriterAccount>,
    #[account(constraint = *mint.to_account_info().owner == token_program.key() @ GreekhouseError::WrongTokenProgram)]
    pub mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(mut)]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    /// Any token account of the mint; the owner chooses where the tokens go.
    #[account(mut, constraint = destination.mint == mint.key() @ GreekhouseError::WrongTokenMint)]
    pub destination: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(mut, has_one = clearinghouse @ GreekhouseError::WrongClearinghouse)]
    pub collateral_asset: Option<AccountLoader<'info, CollateralAsset>>,
    pub token_program: Interface<'info, TokenInterface>,
}

pub fn withdraw_handler<'info>(ctx: Context<'info, Withdraw<'info>>, amount: u64) -> Result<()> {
    require!(amount > 0, GreekhouseError::ZeroAmount);
    let now = Clock::get()?.unix_timestamp;
    let a = &ctx.accounts;
    let clearinghouse_key = a.clearinghouse.key();
    let ch = *a.clearinghouse.load()?;
    require!(!ch.is_paused(pause::WITHDRAW), GreekhouseError::Paused);
    let asset_loader = a.collateral_asset.as_ref();
    let ledger = {
        let asset = asset_loader.map(|l| l.load()).transpose()?;
        resolve_ledger(
            &ch,
            &a.mint.key(),
            &a.vault.key(),
            &a.token_program.key(),
            asset.as_deref(),
        )?
    };

    // ledger first, then the margin check on the account as it will be
    let mut w = a.writer_account.load_mut()?;
    w.require_active()?;
    let balance_after = match ledger {
        Ledger::Quote => {
            // no balance exceeds i64::MAX, so a larger request is simply more than there is
            let delta = i64::try_from(amount).map_err(|_| GreekhouseError::InsufficientQuote)?;
            require!(w.quote_balance >= delta, GreekhouseError::InsufficientQuote);
            w.add_quote(-delta)?;
            let mut chm = a.clearinghouse.load_mut()?;
            chm.writer_quote_total = chm
                .writer_quote_total
                .checked_sub(delta)
                .ok_or(GreekhouseError::MathOverflow)?;
            w.quote_balance
        }
        Ledger::Collateral => {
            let loader = asset_loader.ok_or(GreekhouseError::MissingCollateralAsset)?;
            // the writer's own balance first: over-withdrawing is the writer's error
            w.debit_collateral(&loader.key(), amount)?;
            let mut asset = loader.load_mut()?;
            asset.total_deposits = asset
                .total_deposits
                .checked_sub(amount)
                .ok_or(GreekhouseError::InvariantViolated)?;
            let left = w
                .collateral_slot(&loader.key())
                .map(|i| w.collaterals[i].amount)
                .unwrap_or(0);
            i64::try_from(left).map_err(|_| GreekhouseError::MathOverflow)?
        }
    };
    w.invariant()?;

    let mut new_prices = Vec::new();
    let initial_equity_after = if margin::needs_margin_check(&w) {
        let loaded = margin::load_margin_accounts(
            &clearinghouse_key,
            &w,
            ctx.remaining_accounts,
            now,
            PriceUse::RiskIncreasing,
        )?;
        let summary = margin::compute_margin(
            &ch.params,
            ch.quote_decimals,
            &w,
            &loaded.assets,
            &loaded.underlyings,
            now,
        )?;
        new_prices = loaded.new_prices;
        Some(margin::require_initial_margin(&summary)?)
    } else {
        // no shorts, no debt: every level's equity is the (non-negative) collateral value
        None
    };
    drop(w);

    let signer = ch.signer();
    tokens::transfer_out(
        &a.token_program,
        &a.vault,
        &a.destination,
        &a.mint,
        &a.clearinghouse.to_account_info(),
        &signer,
        amount,
    )?;
    ctx.accounts.vault.reload()?;
    let vault_amount = ctx.accounts.vault.amount;
    match ledger {
        Ledger::Quote => ctx
            .accounts
            .clearinghouse
            .load()?
            .invariant_with_vault(vault_amount)?,
        Ledger::Collateral => {
            let loader = ctx
                .accounts
                .collateral_asset
                .as_ref()
                .ok_or(GreekhouseError::MissingCollateralAsset)?;
            loader.load()?.invariant_with_vault(vault_amount)?
        }
    }

    for (underlying, p) in new_prices {
        emit_cpi!(OraclePriceAccepted {
            underlying,
            price: p.price,
            conf: p.conf,
            expo: p.expo,
            publish_time: p.publish_time,
        });
    }
    emit_cpi!(Withdrawn {
        writer_account: ctx.accounts.writer_account.key(),
        mint: ctx.accounts.mint.key(),
        amount,
        balance_after,
        initial_equity_after,
    });
    Ok(())
}
