//! List a collateral asset (SPL Token or Token-2022 mint) with its vault, price source,
//! weights and deposit cap.
//!
//! Token-2022 mints are screened by `engine::tokens::check_mint_extensions`.

use anchor_lang::prelude::*;

pub use crate::args::ListCollateralArgs;
use anchor_spl::token_interface::{Mint, TokenInterface};
use greekhouse_risk::margin::{validate_collateral_weights, CollateralClass};
use greekhouse_risk::{Fixed, MarginParams};

use crate::constants::{ACCOUNT_VERSION, COLLATERAL_SEED, COLLATERAL_VAULT_SEED, MAX_DECIMALS_GAP};
use crate::engine::convert;
use crate::engine::create::{load_new, Creator};
use crate::engine::tokens::check_mint_extensions;
use crate::errors::GreekhouseError;
use crate::events::CollateralListed;
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
        let ch = self.clearinghouse.load()?;
        require_keys_neq!(
            self.mint.key(),
            ch.quote_mint,
            GreekhouseError::QuoteMintIsNotCollateral
        );
        CollateralAsset::validate_weights(args.init_weight_bps, args.maint_weight_bps)?;
        require!(
            self.mint.decimals.abs_diff(ch.quote_decimals) <= MAX_DECIMALS_GAP,
            GreekhouseError::DecimalsGapTooLarge
        );
        // a volatile asset is always priced by a listed underlying's feed, so the margin shocks
        // it with that underlying (linked); its weight then covers liquidity and confidence only
        let (class, params, max_conf) = match args.price_source {
            0 => {
                require!(
                    self.price_underlying.is_none(),
                    GreekhouseError::InvalidPriceSource
                );
                (CollateralClass::Pegged, MarginParams::DEFAULT, Fixed::ZERO)
            }
            1 => {
                let u = self
                    .price_underlying
                    .as_ref()
                    .ok_or(GreekhouseError::InvalidPriceSource)?;
                let u = u.load()?;
                require_keys_eq!(
                    u.clearinghouse,
                    self.clearinghouse.key(),
                    GreekhouseError::WrongClearinghouse
                );
                let conf = Fixed::from_bps(i64::from(u.oracle.max_conf_bps));
                (
                    CollateralClass::Linked,
                    convert::margin_params(&u.margin),
                    conf,
                )
            }
            _ => return err!(GreekhouseError::InvalidPriceSource),
        };
        validate_collateral_weights(
            Fixed::from_bps(i64::from(args.init_weight_bps)),
            Fixed::from_bps(i64::from(args.maint_weight_bps)),
            class,
            &params,
            max_conf,
        )
        .map_err(|e| error!(GreekhouseError::from(e)))?;
        check_mint_extensions(&self.mint.to_account_info())
    }
}

pub fn list_collateral_handler(
    ctx: Context<ListCollateral>,
    args: ListCollateralArgs,
) -> Result<()> {
    let clearinghouse_key = ctx.accounts.clearinghouse.key();
    let mut ch = ctx.accounts.clearinghouse.load_mut()?;
    ch.collateral_count = ch
        .collateral_count
        .checked_add(1)
        .ok_or(GreekhouseError::MathOverflow)?;
    ch.invariant()?;
    drop(ch);

    let price_underlying = ctx
        .accounts
        .price_underlying
        .as_ref()
        .map(|u| u.key())
        .unwrap_or_default();
    let a = &ctx.accounts;
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
    let mut asset = load_new::<CollateralAsset>(&a.collateral_asset)?;
    asset.version = ACCOUNT_VERSION;
    asset.bump = ctx.bumps.collateral_asset;
    asset.vault_bump = ctx.bumps.vault;
    asset.decimals = ctx.accounts.mint.decimals;
    asset.price_source = args.price_source;
    asset.is_token_2022 = u8::from(ctx.accounts.token_program.key() == anchor_spl::token_2022::ID);
    asset.init_weight_bps = args.init_weight_bps;
    asset.maint_weight_bps = args.maint_weight_bps;
    asset.clearinghouse = clearinghouse_key;
    asset.mint = ctx.accounts.mint.key();
    asset.token_program = ctx.accounts.token_program.key();
    asset.vault = ctx.accounts.vault.key();
    asset.price_underlying = price_underlying;
    asset.deposit_cap = args.deposit_cap;
    // deposits wait for the timelocked enabling of the listing (docs/governance.md)
    asset.listing_state = crate::state::ListingState::Pending as u8;
    asset.invariant()?;
    drop(asset);

    emit_cpi!(CollateralListed {
        clearinghouse: clearinghouse_key,
        collateral_asset: ctx.accounts.collateral_asset.key(),
        mint: ctx.accounts.mint.key(),
        token_program: ctx.accounts.token_program.key(),
        vault: ctx.accounts.vault.key(),
        price_source: args.price_source,
        price_underlying,
        init_weight_bps: args.init_weight_bps,
        maint_weight_bps: args.maint_weight_bps,
        deposit_cap: args.deposit_cap,
    });
    Ok(())
}
