//! Deposit quote (into the signed quote balance) or a listed collateral asset. Never needs a
//! price and is never paused: it only reduces risk.

use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::engine::tokens;
use crate::errors::GreekhouseError;
use crate::events::Deposited;
use crate::state::{Clearinghouse, CollateralAsset, WriterAccount};

#[event_cpi]
#[derive(Accounts)]
pub struct Deposit<'info> {
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
    /// The quote vault for quote deposits, else the collateral asset's vault.
    #[account(mut)]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(
        mut,
        constraint = owner_token_account.mint == mint.key() @ GreekhouseError::WrongTokenMint,
        constraint = owner_token_account.owner == owner.key() @ GreekhouseError::WrongTokenOwner,
    )]
    pub owner_token_account: Box<InterfaceAccount<'info, TokenAccount>>,
    /// Absent for quote deposits.
    #[account(mut, has_one = clearinghouse @ GreekhouseError::WrongClearinghouse)]
    pub collateral_asset: Option<AccountLoader<'info, CollateralAsset>>,
    pub token_program: Interface<'info, TokenInterface>,
}

/// Which ledger a deposit or withdrawal touches, after checking the accounts agree.
pub enum Ledger {
    Quote,
    Collateral,
}

/// Shared account checks of deposit and withdraw: the mint selects the quote balance or a
/// collateral asset, whose vault and token program must match.
pub fn resolve_ledger(
    ch: &Clearinghouse,
    mint: &Pubkey,
    vault: &Pubkey,
    token_program: &Pubkey,
    asset: Option<&CollateralAsset>,
) -> Result<Ledger> {
    if *mint == ch.quote_mint {
        require!(asset.is_none(), GreekhouseError::UnexpectedCollateralAsset);
        require_keys_eq!(*vault, ch.quote_vault, GreekhouseError::WrongVault);
        require_keys_eq!(
            *token_program,
            ch.quote_token_program,
            GreekhouseError::WrongTokenProgram
        );
        Ok(Ledger::Quote)
    } else {
        let asset = asset.ok_or(GreekhouseError::MissingCollateralAsset)?;
        require_keys_eq!(asset.mint, *mint, GreekhouseError::WrongCollateralAsset);
        require_keys_eq!(*vault, asset.vault, GreekhouseError::WrongVault);
        require_keys_eq!(
            *token_program,
            asset.token_program,
            GreekhouseError::WrongTokenProgram
        );
        Ok(Ledger::Collateral)
    }
}

pub fn deposit_handler(ctx: Context<Deposit>, amount: u64) -> Result<()> {
    require!(amount > 0, GreekhouseError::ZeroAmount);
    let ledger = {
        let a = &ctx.accounts;
        let ch = a.clearinghouse.load()?;
        let asset = a.collateral_asset.as_ref().map(|l| l.load()).transpose()?;
        resolve_ledger(
            &ch,
            &a.mint.key(),
            &a.vault.key(),
            &a.token_program.key(),
            asset.as_deref(),
        )?
    };
    {
        let a = &ctx.accounts;
        tokens::transfer_in(
            &a.token_program,
            &a.owner_token_account,
            &a.vault,
            &a.mint,
            &a.owner,
            amount,
        )?;
    }
    ctx.accounts.vault.reload()?;
    let a = &ctx.accounts;
    let asset_loader = a.collateral_asset.as_ref();
    let vault_amount = a.vault.amount;

    let mut w = a.writer_account.load_mut()?;
    let balance_after = match ledger {
        Ledger::Quote => {
            let delta = i64::try_from(amount).map_err(|_| GreekhouseError::MathOverflow)?;
            w.add_quote(delta)?;
            let mut ch = a.clearinghouse.load_mut()?;
            ch.writer_quote_total = ch
                .writer_quote_total
                .checked_add(delta)
                .ok_or(GreekhouseError::MathOverflow)?;
            ch.invariant_with_vault(vault_amount)?;
            w.quote_balance
        }
        Ledger::Collateral => {
            let loader = asset_loader.ok_or(GreekhouseError::MissingCollateralAsset)?;
            let mut asset = loader.load_mut()?;
            let total = asset
                .total_deposits
                .checked_add(amount)
                .ok_or(GreekhouseError::MathOverflow)?;
            require!(
                total <= asset.deposit_cap,
                GreekhouseError::DepositCapExceeded
            );
            asset.total_deposits = total;
            asset.invariant_with_vault(vault_amount)?;
            w.credit_collateral(&loader.key(), amount)?;
            let slot = w
                .collateral_slot(&loader.key())
                .ok_or(GreekhouseError::InvariantViolated)?;
            i64::try_from(w.collaterals[slot].amount).map_err(|_| GreekhouseError::MathOverflow)?
        }
    };
    w.invariant()?;
    drop(w);

    emit_cpi!(Deposited {
        writer_account: ctx.accounts.writer_account.key(),
        mint: ctx.accounts.mint.key(),
        amount,
        balance_after,
    });
    Ok(())
}
