//! `deposit` and `withdraw`: which ledger a token belongs to, and what moving it in or out may do
//! to the account.

use crate::prelude::*;
use greekhouse_risk::MarginSummary;

use super::MarginPrices;
use crate::engine::safe_math::to_signed;
use crate::engine::{ledger, margin};
use crate::errors::GreekhouseError;
use crate::state::{pause, Clearinghouse, CollateralAsset, WriterAccount, WriterStatus};

/// Which ledger a deposit or withdrawal touches, after checking the accounts agree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenLedger {
    Quote,
    /// A collateral asset, with its deposit cap.
    Collateral {
        asset: Pubkey,
        deposit_cap: u64,
    },
}

/// The ledger of `mint`: the clearing house's quote (no collateral asset may be named) or the
/// named collateral asset, whose mint, vault and token program must be the ones passed.
pub fn resolve_ledger(
    ch: &Clearinghouse,
    mint: &Pubkey,
    vault: &Pubkey,
    token_program: &Pubkey,
    asset: Option<(Pubkey, &CollateralAsset)>,
) -> Result<TokenLedger> {
    if *mint == ch.quote_mint {
        require!(asset.is_none(), GreekhouseError::UnexpectedCollateralAsset);
        require_keys_eq!(*vault, ch.quote_vault, GreekhouseError::WrongVault);
        require_keys_eq!(
            *token_program,
            ch.quote_token_program,
            GreekhouseError::WrongTokenProgram
        );
        Ok(TokenLedger::Quote)
    } else {
        let (key, asset) = asset.ok_or(GreekhouseError::MissingCollateralAsset)?;
        require_keys_eq!(asset.mint, *mint, GreekhouseError::WrongCollateralAsset);
        require_keys_eq!(*vault, asset.vault, GreekhouseError::WrongVault);
        require_keys_eq!(
            *token_program,
            asset.token_program,
            GreekhouseError::WrongTokenProgram
        );
        Ok(TokenLedger::Collateral {
            asset: key,
            deposit_cap: asset.deposit_cap,
        })
    }
}

/// The rules of a deposit that need no price. A deposit only reduces risk: never paused, never
/// priced; a collateral listing takes deposits once governance enabled it.
pub fn check_deposit(amount: u64, asset: Option<&CollateralAsset>) -> Result<()> {
    require!(amount > 0, GreekhouseError::ZeroAmount);
    if let Some(asset) = asset {
        require!(asset.is_enabled(), GreekhouseError::ListingNotEnabled);
    }
    Ok(())
}

/// Credit a deposit of `received` (what the vault gained; `vault_after` its balance now) to
/// `ledger`. A collateral balance stays within the asset's deposit cap and keeps the account's
/// margin priceable. Returns the ledger's balance afterwards.
pub fn deposit(
    writer: &mut WriterAccount,
    token_ledger: TokenLedger,
    asset: Option<&CollateralAsset>,
    received: u64,
    vault_after: u64,
) -> Result<i64> {
    check_deposit(received, asset)?;
    match token_ledger {
        TokenLedger::Quote => ledger::credit_quote(writer, received),
        TokenLedger::Collateral {
            asset: key,
            deposit_cap,
        } => {
            require!(
                vault_after <= deposit_cap,
                GreekhouseError::DepositCapExceeded
            );
            let asset = asset.ok_or(GreekhouseError::MissingCollateralAsset)?;
            margin::require_priceable_after_deposit(writer, &key, asset)?;
            to_signed(ledger::credit_collateral(writer, &key, received)?)
        }
    }
}

/// The rules of a withdrawal that need no price.
pub fn check_withdraw(
    ch: &Clearinghouse,
    writer: &WriterAccount,
    amount: u64,
    now: i64,
) -> Result<()> {
    require!(amount > 0, GreekhouseError::ZeroAmount);
    // a bankrupt account has no shorts left; what a write-off passed over as dust is its own
    let status = writer.status()?;
    require!(
        status == WriterStatus::Active
            || (status == WriterStatus::Bankrupt && !writer.has_liabilities()),
        GreekhouseError::AccountNotActive
    );
    // an expired short's obligation is not fixed until it is settled
    require!(
        !writer.has_expired_short(now),
        GreekhouseError::PositionAwaitingSettlement
    );
    // an unpaid settlement debt is owed to holders: the collateral stays until it is repaid
    require!(
        !writer.has_settlement_debt(),
        GreekhouseError::SettlementDebtOpen
    );
    // the pause is for risk-increasing withdrawals only
    require!(
        !(ch.is_paused(pause::WITHDRAW) && writer.has_liabilities()),
        GreekhouseError::Paused
    );
    Ok(())
}

/// What a withdrawal did.
#[derive(Clone, Debug)]
pub struct WithdrawOutcome {
    /// The ledger's balance afterwards (quote signed, collateral as held).
    pub balance_after: i64,
    /// The account's margin afterwards; `None` when it has no shorts and no debt (no price
    /// needed: every level's equity is its non-negative collateral).
    pub margin_after: Option<MarginSummary>,
    /// Equity at IM afterwards, whole quote native units rounded down, when checked.
    pub initial_equity_after: Option<i64>,
}

/// Withdraw `amount` from `token_ledger`: the ledger is debited first (never into debt), then
/// an account with liabilities must stand at IM >= 0 with prices checked for a
/// risk-increasing use. `prices` is asked only in that case.
pub fn withdraw(
    ch: &Clearinghouse,
    writer: &mut WriterAccount,
    token_ledger: TokenLedger,
    amount: u64,
    prices: &mut impl MarginPrices,
    now: i64,
) -> Result<WithdrawOutcome> {
    check_withdraw(ch, writer, amount, now)?;
    let balance_after = match token_ledger {
        TokenLedger::Quote => ledger::debit_quote(writer, amount)?,
        TokenLedger::Collateral { asset, .. } => {
            to_signed(ledger::debit_collateral(writer, &asset, amount)?)?
        }
    };
    let (margin_after, initial_equity_after) = initial_margin_if_liable(ch, writer, prices, now)?;
    Ok(WithdrawOutcome {
        balance_after,
        margin_after,
        initial_equity_after,
    })
}

/// The check after anything leaves an account (tokens, collateral, a long): with liabilities it
/// must stand at IM >= 0 with the prices `prices` gives (asked only then), and the margin and
/// the initial equity in whole quote units are returned; without, `(None, None)` (every level's
/// equity is a sum of non-negative values: no price is needed).
pub fn initial_margin_if_liable(
    ch: &Clearinghouse,
    writer: &WriterAccount,
    prices: &mut impl MarginPrices,
    now: i64,
) -> Result<(Option<MarginSummary>, Option<i64>)> {
    if !margin::needs_margin_check(writer) {
        return Ok((None, None));
    }
    let loaded = prices.load(&[writer])?;
    let summary = loaded.margin_of(ch, writer, now)?;
    let initial_equity = margin::require_initial_margin(&summary)?;
    Ok((Some(summary), Some(initial_equity)))
}
