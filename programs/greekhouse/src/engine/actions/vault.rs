//! Writer vaults, the LPs' side (docs/vaults.md): `create_vault`, `vault_deposit`,
//! `request_vault_withdraw`, `cancel_vault_withdraw` and `vault_withdraw`. The buyers' side is
//! [`super::vault_trade`].
//!
//! A vault's value (NAV) is its writer account's mark-to-market computed by the margin engine
//! (quote balance less the options' liability at the surface's mark), rounded against whoever
//! trades with the vault: up when a deposit is priced (fewer shares), down when a withdrawal is
//! paid. Shares divide it with the shares pending withdrawal and the locked shares of the first
//! deposit (the inflation guard: [`crate::constants::vault::LOCKED_SHARES`]).

use crate::prelude::*;
use greekhouse_risk::Rounding;

use super::{withdraw, MarginPrices};
use crate::constants::{vault as bounds, ACCOUNT_VERSION};
use crate::engine::ledger;
use crate::engine::margin::{self, LoadedMargin};
use crate::engine::safe_math::{Cast, SafeMath};
use crate::errors::GreekhouseError;
use crate::events::{VaultCreated, VaultWithdrawCancelled, VaultWithdrawRequested};
use crate::state::{Clearinghouse, Underlying, Vault, VaultPolicy, VaultWithdrawal, WriterAccount};

/// The addresses of a new vault.
#[derive(Clone, Copy, Debug)]
pub struct NewVault {
    pub vault: Pubkey,
    pub bump: u8,
    pub share_mint: Pubkey,
    pub share_mint_bump: u8,
    pub writer_account: Pubkey,
    pub index: u32,
}

/// The rules of listing a vault: a policy within its bounds, on an underlying of this clearing
/// house (the account constraint) that is enabled.
pub fn check_create_vault(underlying: &Underlying, policy: &VaultPolicy) -> Result<()> {
    policy.validate()?;
    require!(underlying.is_enabled(), GreekhouseError::ListingNotEnabled);
    Ok(())
}

/// Fill the just created vault `v` of `clearinghouse` on `underlying`.
pub fn create_vault(
    v: &mut Vault,
    clearinghouse: Pubkey,
    underlying_key: Pubkey,
    underlying: &Underlying,
    new: &NewVault,
    policy: VaultPolicy,
) -> Result<VaultCreated> {
    check_create_vault(underlying, &policy)?;
    v.version = ACCOUNT_VERSION;
    v.bump = new.bump;
    v.share_mint_bump = new.share_mint_bump;
    v.index = new.index;
    v.clearinghouse = clearinghouse;
    v.underlying = underlying_key;
    v.share_mint = new.share_mint;
    v.writer_account = new.writer_account;
    v.policy = policy;
    v.invariant()?;
    Ok(VaultCreated {
        clearinghouse,
        vault: new.vault,
        index: new.index,
        underlying: underlying_key,
        share_mint: new.share_mint,
        writer_account: new.writer_account,
        policy,
    })
}

/// Whether the account's value needs prices: any position or collateral (a vault only ever holds
/// quote and its shorts, but a value is never guessed).
pub fn needs_prices(writer: &WriterAccount) -> bool {
    writer.position_count() > 0 || writer.collateral_count() > 0
}

/// The priced accounts of `writer`'s value, when it needs any.
pub fn load_if_needed(
    writer: &WriterAccount,
    prices: &mut impl MarginPrices,
) -> Result<Option<LoadedMargin>> {
    if needs_prices(writer) {
        Ok(Some(prices.load(&[writer])?))
    } else {
        Ok(None)
    }
}

/// The vault's value at mark (quote native units, signed), rounded as asked: the writer
/// account's mark-to-market from the margin engine, or its quote balance when it holds nothing
/// to price.
pub fn nav(
    ch: &Clearinghouse,
    writer: &WriterAccount,
    loaded: Option<&LoadedMargin>,
    now: i64,
    rounding: Rounding,
) -> Result<i64> {
    if !needs_prices(writer) {
        return Ok(writer.quote_balance);
    }
    let loaded = loaded.ok_or(GreekhouseError::MarginAccountsMismatch)?;
    let summary = loaded.margin_of(ch, writer, now)?;
    let whole = summary
        .mark_to_market
        .to_int(rounding)
        .map_err(|e| error!(GreekhouseError::from(e)))?;
    whole.cast::<i64>()
}

/// The rules of a deposit that need no price: a positive amount into an active account with no
/// expired short awaiting settlement (its value is not fixed until settled).
pub fn check_vault_deposit(writer: &WriterAccount, amount: u64, now: i64) -> Result<()> {
    require!(amount > 0, GreekhouseError::ZeroAmount);
    writer.require_active()?;
    require!(
        !writer.has_expired_short(now),
        GreekhouseError::PositionAwaitingSettlement
    );
    Ok(())
}

/// What a vault deposit did.
#[derive(Clone, Debug)]
pub struct VaultDepositOutcome {
    /// Shares minted to the depositor.
    pub shares: u64,
    /// The value at mark before the deposit, rounded up.
    pub nav_before: i64,
    pub total_shares_after: u64,
}

/// `amount` of quote (already in the quote vault) for shares at the value before it arrives,
/// rounded up (the depositor gets fewer shares, never more): `floor(amount * total / nav)`. The
/// first deposit buys one share per quote unit, of which the locked shares stay with nobody.
pub fn deposit(
    ch: &Clearinghouse,
    vault: &mut Vault,
    writer: &mut WriterAccount,
    share_supply: u64,
    amount: u64,
    prices: &mut impl MarginPrices,
    now: i64,
) -> Result<VaultDepositOutcome> {
    check_vault_deposit(writer, amount, now)?;
    let loaded = load_if_needed(writer, prices)?;
    let nav_before = nav(ch, writer, loaded.as_ref(), now, Rounding::Up)?;
    let cap = vault.policy.deposit_cap.cast::<i64>()?;
    require!(
        nav_before.max(0).safe_add(amount.cast::<i64>()?)? <= cap,
        GreekhouseError::VaultDepositCapExceeded
    );
    let total = vault.total_shares(share_supply)?;
    let shares = if total == 0 {
        require!(
            amount > bounds::LOCKED_SHARES,
            GreekhouseError::VaultFirstDepositTooSmall
        );
        vault.locked_shares = bounds::LOCKED_SHARES;
        amount - bounds::LOCKED_SHARES
    } else {
        require!(nav_before > 0, GreekhouseError::VaultNavNotPositive);
        let shares = u128::from(amount)
            .safe_mul(u128::from(total))?
            .checked_div(nav_before.cast::<u128>()?)
            .ok_or(GreekhouseError::MathOverflow)?
            .cast::<u64>()?;
        require!(shares > 0, GreekhouseError::VaultDepositTooSmall);
        shares
    };
    ledger::credit_quote(writer, amount)?;
    vault.deposited_total = vault.deposited_total.safe_add(amount)?;
    let total_shares_after = vault.total_shares(share_supply.safe_add(shares)?)?;
    vault.invariant()?;
    Ok(VaultDepositOutcome {
        shares,
        nav_before,
        total_shares_after,
    })
}

/// Record `owner`'s request for `shares` (burned from its token account by the handler) in the
/// new `withdrawal`: they keep their part of every gain and loss until paid at maturity.
#[allow(clippy::too_many_arguments)]
pub fn request_withdraw(
    vault: &mut Vault,
    vault_key: Pubkey,
    withdrawal: &mut VaultWithdrawal,
    withdrawal_key: Pubkey,
    bump: u8,
    owner: Pubkey,
    shares: u64,
    now: i64,
) -> Result<VaultWithdrawRequested> {
    require!(shares > 0, GreekhouseError::ZeroAmount);
    let matures_at = now.safe_add(i64::from(vault.policy.withdraw_cooldown_secs))?;
    vault.pending_shares = vault.pending_shares.safe_add(shares)?;
    withdrawal.version = ACCOUNT_VERSION;
    withdrawal.bump = bump;
    withdrawal.vault = vault_key;
    withdrawal.owner = owner;
    withdrawal.shares = shares;
    withdrawal.requested_at = now;
    withdrawal.matures_at = matures_at;
    withdrawal.invariant()?;
    vault.invariant()?;
    Ok(VaultWithdrawRequested {
        vault: vault_key,
        withdrawal: withdrawal_key,
        owner,
        shares,
        matures_at,
    })
}

/// Cancel a pending withdrawal: its shares leave the pending count (the handler mints them back
/// and closes the request).
pub fn cancel_withdraw(
    vault: &mut Vault,
    vault_key: Pubkey,
    withdrawal: &VaultWithdrawal,
) -> Result<VaultWithdrawCancelled> {
    withdrawal.invariant()?;
    vault.pending_shares = vault.pending_shares.safe_sub(withdrawal.shares)?;
    vault.invariant()?;
    Ok(VaultWithdrawCancelled {
        vault: vault_key,
        owner: withdrawal.owner,
        shares: withdrawal.shares,
    })
}

/// The rules of paying a withdrawal that need no price: matured; the account in a state a
/// withdrawal is allowed from (`withdraw::check_withdraw`: active, or bankrupt with nothing
/// left to owe; no expired short awaiting settlement; no settlement debt; the withdrawal pause
/// while it has shorts).
pub fn check_vault_withdraw(
    ch: &Clearinghouse,
    writer: &WriterAccount,
    withdrawal: &VaultWithdrawal,
    now: i64,
) -> Result<()> {
    withdrawal.invariant()?;
    require!(
        now >= withdrawal.matures_at,
        GreekhouseError::VaultWithdrawalNotMature
    );
    // the state rules of any withdrawal, whatever the amount turns out to be
    withdraw::check_withdraw(ch, writer, 1, now)
}

/// What a vault withdrawal paid.
#[derive(Clone, Debug)]
pub struct VaultWithdrawOutcome {
    pub shares: u64,
    /// Quote paid (the handler moves it out of the quote vault).
    pub amount: u64,
    /// The value at mark before the payment, rounded down.
    pub nav_before: i64,
    pub total_shares_after: u64,
}

/// Pay a matured withdrawal at the value per share now, rounded down:
/// `floor(shares * max(nav, 0) / total)`. Refused (`VaultWithdrawalBelowMargin`; the request
/// stays) when the account, having shorts, would stand below IM after the payment.
pub fn withdraw(
    ch: &Clearinghouse,
    vault: &mut Vault,
    writer: &mut WriterAccount,
    withdrawal: &VaultWithdrawal,
    share_supply: u64,
    prices: &mut impl MarginPrices,
    now: i64,
) -> Result<VaultWithdrawOutcome> {
    check_vault_withdraw(ch, writer, withdrawal, now)?;
    let loaded = load_if_needed(writer, prices)?;
    let nav_before = nav(ch, writer, loaded.as_ref(), now, Rounding::Down)?;
    let total = vault.total_shares(share_supply)?;
    let amount = u128::from(withdrawal.shares)
        .safe_mul(nav_before.max(0).cast::<u128>()?)?
        .checked_div(u128::from(total))
        .ok_or(GreekhouseError::MathOverflow)?
        .cast::<u64>()?;
    if amount > 0 {
        ledger::debit_quote(writer, amount)?;
    }
    if margin::needs_margin_check(writer) {
        let loaded = loaded
            .as_ref()
            .ok_or(GreekhouseError::MarginAccountsMismatch)?;
        let after = loaded.margin_of(ch, writer, now)?;
        require!(
            !after.initial.equity.is_negative(),
            GreekhouseError::VaultWithdrawalBelowMargin
        );
    }
    vault.pending_shares = vault.pending_shares.safe_sub(withdrawal.shares)?;
    vault.withdrawn_total = vault.withdrawn_total.safe_add(amount)?;
    vault.invariant()?;
    Ok(VaultWithdrawOutcome {
        shares: withdrawal.shares,
        amount,
        nav_before,
        total_shares_after: vault.total_shares(share_supply)?,
    })
}
