//! List a collateral asset (SPL Token or Token-2022 mint) with its vault, price source,
//! weights and deposit cap.
//!
//! Token-2022 mints are screened by `engine::tokens::check_mint_extensions`.

use anchor_lang::prelude::*;

pub use crate::args::ListCollateralArgs;
use anchor_spl::token_interface::{Mint, TokenInterface};

use crate::constants::{COLLATERAL_SEED, COLLATERAL_VAULT_SEED};
use crate::engine::actions::listing::{
    check_list_collateral, count_collateral, list_collateral, ListedCollateral,
};
use crate::engine::create::{load_new, Creator};
use crate::engine::tokens::check_mint_extensions;
use crate::errors::GreekhouseError;
use crate::state::{Clearinghouse, CollateralAsset, Underlying};

#[event_cpi]
#[derive(Accounts)]
pub struct ListCollateral<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub admin: Signer<'info>,
    #[account(mut, has_one = admin @ GreekhouseError::NotAdmin)]
    pub clearinghouse: AccountLoader<'info, Clearinghouse>,
    #[account(constraint = *mint.to_account_info().owner == token_program.key() @ GreekhouseError::WrongTokenProgram)]
    pub mint: Box<InterfaceAccount<'info, Mint>>,
    /// CHECK: created here (empty or pre-funded system account at the PDA address).
    #[account(mut, seeds = [COLLATERAL_SEED, clearinghouse.key().as_ref(), mint.key().as_ref()], bump)]
    pub collateral_asset: UncheckedAccount<'info>,
    /// CHECK: created here as the asset's token account owned by the clearing house.
    #[account(mut, seeds = [COLLATERAL_VAULT_SEED, collateral_asset.key().as_ref()], bump)]
    pub vault: UncheckedAccount<'info>,
    /// The underlying whose oracle prices the asset; required when `price_source` is 1.
    pub price_underlying: Option<AccountLoader<'info, Underlying>>,
    pub token_program: Interface<'info, TokenInterface>,
    pub system_program: Program<'info, System>,
}

impl ListCollateral<'_> {
    pub fn validate(&self, args: &ListCollateralArgs) -> Result<()> {
        let price_underlying = self
            .price_underlying
            .as_ref()
            .map(|u| u.load())
            .transpose()?;
        check_list_collateral(
            &*self.clearinghouse.load()?,
            &self.clearinghouse.key(),
            &self.mint.key(),
            self.mint.decimals,
            args,
            price_underlying.as_deref(),
        )?;
        check_mint_extensions(&self.mint.to_account_info())
    }
}

pub fn list_collateral_handler(
    ctx: Context<ListCollateral>,
    args: ListCollateralArgs,
) -> Result<()> {
    let a = &ctx.accounts;
    let clearinghouse_key = a.clearinghouse.key();
    count_collateral(&mut *a.clearinghouse.load_mut()?)?;

    let creator = Creator {
        payer: &a.payer.to_account_info(),
        system_program: &a.system_program.to_account_info(),
    };
    let mint_key = a.mint.key();
    let asset_key = a.collateral_asset.key();
    creator.create_zero_copy::<CollateralAsset>(
        &a.collateral_asset,
        &[
            COLLATERAL_SEED,
            clearinghouse_key.as_ref(),
            mint_key.as_ref(),
            &[ctx.bumps.collateral_asset],
        ],
    )?;
    creator.create_token_account(
        &a.vault,
        &a.mint.to_account_info(),
        &a.clearinghouse.to_account_info(),
        &a.token_program.to_account_info(),
        &[
            COLLATERAL_VAULT_SEED,
            asset_key.as_ref(),
            &[ctx.bumps.vault],
        ],
    )?;

    let event = list_collateral(
        &mut *load_new::<CollateralAsset>(&a.collateral_asset)?,
        &ListedCollateral {
            clearinghouse: clearinghouse_key,
            collateral_asset: asset_key,
            bump: ctx.bumps.collateral_asset,
            vault: a.vault.key(),
            vault_bump: ctx.bumps.vault,
            mint: mint_key,
            decimals: a.mint.decimals,
            token_program: a.token_program.key(),
            is_token_2022: a.token_program.key() == anchor_spl::token_2022::ID,
            price_underlying: a
                .price_underlying
                .as_ref()
                .map(|u| u.key())
                .unwrap_or_default(),
        },
        &args,
    )?;
    emit_cpi!(event);
    Ok(())
}
