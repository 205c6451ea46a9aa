//! Token movements through the SPL Token or Token-2022 program (`transfer_checked`, so the
//! mint's decimals are confirmed on every move).

use anchor_lang::prelude::*;
use anchor_spl::token_2022::spl_token_2022::extension::{
    BaseStateWithExtensions, ExtensionType, StateWithExtensions,
};
use anchor_spl::token_2022::spl_token_2022::state::Mint as MintState;
use anchor_spl::token_interface::{self, Mint, TokenAccount, TokenInterface, TransferChecked};

use crate::engine::actions::withdraw::{resolve_ledger, TokenLedger};
use crate::errors::GreekhouseError;
use crate::state::{Clearinghouse, CollateralAsset};

/// Mint `contracts` option tokens of a series to `to`, signed by the series PDA (the mint's
/// authority): a write, or a long withdrawn from custody.
pub fn mint_options<'info>(
    token_program: Pubkey,
    mint: AccountInfo<'info>,
    to: AccountInfo<'info>,
    series: AccountInfo<'info>,
    signer: &crate::state::SeriesSigner,
    contracts: u64,
) -> Result<()> {
    let seeds = signer.seeds();
    anchor_spl::token::mint_to(
        CpiContext::new_with_signer(
            token_program,
            anchor_spl::token::MintTo {
                mint,
                to,
                authority: series,
            },
            &[&seeds],
        ),
        contracts,
    )
}

/// Move `amount` from a user's token account into a vault; `authority` signs.
pub fn transfer_in<'info>(
    token_program: &Interface<'info, TokenInterface>,
    from: &InterfaceAccount<'info, TokenAccount>,
    to: &InterfaceAccount<'info, TokenAccount>,
    mint: &InterfaceAccount<'info, Mint>,
    authority: &Signer<'info>,
    amount: u64,
) -> Result<()> {
    let accounts = TransferChecked {
        from: from.to_account_info(),
        mint: mint.to_account_info(),
        to: to.to_account_info(),
        authority: authority.to_account_info(),
    };
    token_interface::transfer_checked(
        CpiContext::new(token_program.key(), accounts),
        amount,
        mint.decimals,
    )
}

pub use crate::state::ClearinghouseSigner;

/// The ledger a deposit's or withdrawal's token accounts name, checked by
/// [`resolve_ledger`](crate::engine::actions::withdraw::resolve_ledger) against the clearing
/// house and the collateral asset passed (if any).
pub fn token_ledger(
    clearinghouse: &AccountLoader<Clearinghouse>,
    mint: &Pubkey,
    vault: &Pubkey,
    token_program: &Pubkey,
    asset: Option<&AccountLoader<CollateralAsset>>,
) -> Result<TokenLedger> {
    let asset = asset.map(|l| l.load().map(|a| (l.key(), *a))).transpose()?;
    resolve_ledger(
        &*clearinghouse.load()?,
        mint,
        vault,
        token_program,
        asset.as_ref().map(|(k, a)| (*k, a)),
    )
}

/// Move `amount` out of a vault owned by the clearing house PDA.
pub fn transfer_out<'info>(
    token_program: &Interface<'info, TokenInterface>,
    vault: &InterfaceAccount<'info, TokenAccount>,
    to: &InterfaceAccount<'info, TokenAccount>,
    mint: &InterfaceAccount<'info, Mint>,
    clearinghouse: &AccountInfo<'info>,
    signer: &ClearinghouseSigner,
    amount: u64,
) -> Result<()> {
    let accounts = TransferChecked {
        from: vault.to_account_info(),
        mint: mint.to_account_info(),
        to: to.to_account_info(),
        authority: clearinghouse.clone(),
    };
    let seeds = signer.seeds();
    let signer_seeds: &[&[&[u8]]] = &[&seeds];
    token_interface::transfer_checked(
        CpiContext::new_with_signer(token_program.key(), accounts, signer_seeds),
        amount,
        mint.decimals,
    )
}

/// A token account's balance as it is now (after a CPI), read from its data: the cached
/// `InterfaceAccount` still holds the balance from before the CPI.
pub fn current_amount(account: &InterfaceAccount<TokenAccount>) -> Result<u64> {
    let info = account.to_account_info();
    let data = info.try_borrow_data()?;
    let state =
        StateWithExtensions::<anchor_spl::token_2022::spl_token_2022::state::Account>::unpack(
            &data,
        )?;
    Ok(state.base.amount)
}

/// Pay `amount` out of a vault of the clearing house to any token account and check that the
/// vault fell by exactly that (`VaultDeltaMismatch` otherwise).
#[inline(never)] // its own sBPF stack frame (docs/performance.md, "Stack frames")
pub fn pay_out_of_vault<'info>(
    token_program: &Interface<'info, TokenInterface>,
    vault: &InterfaceAccount<'info, TokenAccount>,
    to: &InterfaceAccount<'info, TokenAccount>,
    mint: &InterfaceAccount<'info, Mint>,
    clearinghouse: &AccountInfo<'info>,
    signer: &ClearinghouseSigner,
    amount: u64,
) -> Result<()> {
    let before = current_amount(vault)?;
    transfer_out(
        token_program,
        vault,
        to,
        mint,
        clearinghouse,
        signer,
        amount,
    )?;
    crate::engine::ledger::require_vault_delta(before, current_amount(vault)?, amount, false)
}

/// Move `amount` from one vault of the clearing house to another (quote vault, insurance
/// vault) and check that each moved by exactly that (`VaultDeltaMismatch` otherwise).
#[inline(never)] // its own sBPF stack frame (docs/performance.md, "Stack frames")
pub fn move_between_vaults<'info>(
    token_program: &Interface<'info, TokenInterface>,
    from: &InterfaceAccount<'info, TokenAccount>,
    to: &InterfaceAccount<'info, TokenAccount>,
    mint: &InterfaceAccount<'info, Mint>,
    clearinghouse: &AccountInfo<'info>,
    signer: &ClearinghouseSigner,
    amount: u64,
) -> Result<()> {
    let (from_before, to_before) = (current_amount(from)?, current_amount(to)?);
    transfer_out(token_program, from, to, mint, clearinghouse, signer, amount)?;
    crate::engine::ledger::require_vault_delta(from_before, current_amount(from)?, amount, false)?;
    crate::engine::ledger::require_vault_delta(to_before, current_amount(to)?, amount, true)
}

/// Refuse Token-2022 mints whose extensions the ledger does not handle: a transfer fee (the
/// vault would receive less than the ledger credits), a transfer hook (arbitrary code on every
/// move; a failing hook could block liquidations), confidential transfers (balances the ledger
/// cannot see), non-transferable tokens, a permanent delegate (could drain a vault), a
/// default-frozen account state, pausable mints (transfers could stop), a mint close authority
/// (the mint could be re-created with other decimals), and mints whose UI amount drifts away
/// from the raw amount the ledger counts: scaled UI amount (a multiplier the issuer changes at
/// will; a reverse split to 0.5 would otherwise be valued at the raw amount, twice its worth)
/// and interest-bearing mints (the same drift through a rate). Metadata and pointers only change
/// display and are accepted. Applied to the quote mint and to every collateral mint.
pub fn check_mint_extensions(mint: &AccountInfo) -> Result<()> {
    if *mint.owner != anchor_spl::token_2022::ID {
        return Ok(());
    }
    let data = mint.try_borrow_data()?;
    let state = StateWithExtensions::<MintState>::unpack(&data)
        .map_err(|_| error!(GreekhouseError::UnsupportedMintExtension))?;
    let extensions = state
        .get_extension_types()
        .map_err(|_| error!(GreekhouseError::UnsupportedMintExtension))?;
    for ext in extensions {
        match ext {
            ExtensionType::DefaultAccountState => return err!(GreekhouseError::DefaultFrozenMint),
            ExtensionType::ScaledUiAmount | ExtensionType::InterestBearingConfig => {
                return err!(GreekhouseError::DriftingUiAmountMint)
            }
            ExtensionType::TransferFeeConfig
            | ExtensionType::TransferHook
            | ExtensionType::ConfidentialTransferMint
            | ExtensionType::ConfidentialTransferFeeConfig
            | ExtensionType::NonTransferable
            | ExtensionType::PermanentDelegate
            | ExtensionType::Pausable
            | ExtensionType::MintCloseAuthority => {
                return err!(GreekhouseError::UnsupportedMintExtension)
            }
            _ => {}
        }
    }
    Ok(())
}
