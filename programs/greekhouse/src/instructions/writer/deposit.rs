//! Deposit quote (into the signed quote balance) or a listed collateral asset. Never needs a
//! price and is never paused: it only reduces risk. Locks only the writer account, the vault
//! and the owner's token account, so deposits of different writers run in parallel; the
//! account credits what the vault actually received.

use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::engine::{ledger, margin, tokens};
use crate::errors::GreekhouseError;
use crate::events::Deposited;
use crate::state::{Clearinghouse, CollateralAsset, WriterAccount};

#[event_cpi]
#[derive(Accounts)]
pub struct Deposit<'info> {
    pub owner: Signer<'info>,
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
    /// Absent for quote deposits. Read-only: the cap is checked against the vault itself.
    #[account(has_one = clearinghouse @ GreekhouseError::WrongClearinghouse)]
    pub collateral_asset: Option<AccountLoader<'info, CollateralAsset>>,
    pub token_program: Interface<'info, TokenInterface>,
}

/// Which ledger a deposit or withdrawal touches, after checking the accounts agree.
pub enum Ledger {
    Quote,
    /// A collateral asset, with its deposit cap.
    Collateral {
        asset: Pubkey,
        deposit_cap: u64,
    },
}

/// Shared account checks of deposit and withdraw: the mint selects the quote balance or a
/// collateral asset, whose vault and token program must match.
pub fn resolve_ledger(
    ch: &Clearinghouse,
    mint: &Pubkey,
    vault: &Pubkey,
    token_program: &Pubkey,
    asset: Option<&AccountLoader<CollateralAsset>>,
) -> Result<Ledger> {
    let asset = asset.map(|l| l.load().map(|a| (l.key(), *a))).transpose()?;
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
        let (key, asset) = asset.ok_or(GreekhouseError::MissingCollateralAsset)?;
        require_keys_eq!(asset.mint, *mint, GreekhouseError::WrongCollateralAsset);
        require_keys_eq!(*vault, asset.vault, GreekhouseError::WrongVault);
        require_keys_eq!(
            *token_program,
            asset.token_program,
            GreekhouseError::WrongTokenProgram
        );
        Ok(Ledger::Collateral {
            asset: key,
            deposit_cap: asset.deposit_cap,
        })
    }
}

impl Deposit<'_> {
    /// Every check that needs no price (run by `#[access_control]`).
    pub fn validate(&self, amount: u64) -> Result<()> {
        self.ledger(amount).map(|_| ())?;
        // a collateral listing takes deposits once governance enabled it (after the timelock)
        if let Some(asset) = self.collateral_asset.as_ref() {
            require!(
                asset.load()?.is_enabled(),
                GreekhouseError::ListingNotEnabled
            );
        }
        Ok(())
    }

    /// The checked accounts' ledger.
    pub fn ledger(&self, amount: u64) -> Result<Ledger> {
        require!(amount > 0, GreekhouseError::ZeroAmount);
        resolve_ledger(
            &*self.clearinghouse.load()?,
            &self.mint.key(),
            &self.vault.key(),
            &self.token_program.key(),
            self.collateral_asset.as_ref(),
        )
    }
}

pub fn deposit_handler(ctx: Context<Deposit>, amount: u64) -> Result<()> {
    let which = ctx.accounts.ledger(amount)?;
    let before = ctx.accounts.vault.amount;
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
    let after = ctx.accounts.vault.amount;
    // credit what arrived; the screened mints deliver exactly `amount`, and anything else is a
    // bug to stop on rather than a balance to guess
    ledger::require_vault_delta(before, after, amount, true)?;

    let mut w = ctx.accounts.writer_account.load_mut()?;
    let balance_after = match which {
        Ledger::Quote => ledger::credit_quote(&mut w, amount)?,
        Ledger::Collateral { asset, deposit_cap } => {
            require!(after <= deposit_cap, GreekhouseError::DepositCapExceeded);
            if let Some(loader) = ctx.accounts.collateral_asset.as_ref() {
                margin::require_priceable_after_deposit(&w, &asset, &*loader.load()?)?;
            }
            let held = ledger::credit_collateral(&mut w, &asset, amount)?;
            i64::try_from(held).map_err(|_| GreekhouseError::MathOverflow)?
        }
    };
    drop(w);

    emit_cpi!(Deposited {
        writer_account: ctx.accounts.writer_account.key(),
        mint: ctx.accounts.mint.key(),
        amount,
        balance_after,
    });
    Ok(())
}
