//! Creation of program-derived accounts that cannot be blocked by lamports sent to the address
//! in advance.
//!
//! Every PDA has a predictable address, and anyone may transfer lamports to it before it
//! exists. The system program's `CreateAccount` refuses an address that already holds lamports,
//! and the runtime instruction that allows a pre-funded address (`CreateAccountAllowPrefund`)
//! is not available on every cluster. So: an empty address is created in one step; a
//! pre-funded one is topped up to rent exemption, then allocated and assigned with the PDA's
//! own signature. Either way the result is the same account. See `docs/accounts.md`.

use anchor_lang::prelude::*;
use anchor_lang::system_program;
use anchor_lang::{Discriminator, ZeroCopy};
use anchor_spl::token_2022::spl_token_2022::extension::{
    BaseStateWithExtensions, ExtensionType, StateWithExtensions,
};
use anchor_spl::token_2022::spl_token_2022::state::{
    Account as Token2022Account, Mint as MintState,
};
use anchor_spl::token_interface;

use crate::engine::safe_math::Cast;
use crate::errors::GreekhouseError;

/// The zero-copy account `T` just created by [`Creator::create_zero_copy`] at `info`, to fill in.
pub fn load_new<'a, T: ZeroCopy + Discriminator>(
    info: &'a AccountInfo,
) -> Result<core::cell::RefMut<'a, T>> {
    let data = info.try_borrow_mut_data()?;
    let disc = T::DISCRIMINATOR.len();
    require!(
        data.len() >= disc + core::mem::size_of::<T>() && &data[..disc] == T::DISCRIMINATOR,
        GreekhouseError::InvariantViolated
    );
    Ok(core::cell::RefMut::map(data, |d| {
        bytemuck::from_bytes_mut(&mut d[disc..disc + core::mem::size_of::<T>()])
    }))
}

/// The accounts every creation needs.
pub struct Creator<'a, 'info> {
    pub payer: &'a AccountInfo<'info>,
    pub system_program: &'a AccountInfo<'info>,
}

impl<'info> Creator<'_, 'info> {
    /// Create `target` (a PDA signed for by `seeds`, bump included) with `space` bytes owned
    /// by `owner`, whether or not its address already holds lamports.
    pub fn create(
        &self,
        target: &AccountInfo<'info>,
        space: usize,
        owner: &Pubkey,
        seeds: &[&[u8]],
    ) -> Result<()> {
        let signer: &[&[&[u8]]] = &[seeds];
        let rent = Rent::get()?.minimum_balance(space).max(1);
        let current = target.lamports();
        if current == 0 {
            return system_program::create_account(
                CpiContext::new_with_signer(
                    system_program::ID,
                    system_program::CreateAccount {
                        from: self.payer.clone(),
                        to: target.clone(),
                    },
                    signer,
                ),
                rent,
                space.cast::<u64>()?,
                owner,
            );
        }
        // pre-funded: it must still be a plain system account without data
        require!(
            *target.owner == system_program::ID && target.data_is_empty(),
            GreekhouseError::AccountAddressInUse
        );
        let top_up = rent.saturating_sub(current);
        if top_up > 0 {
            system_program::transfer(
                CpiContext::new(
                    system_program::ID,
                    system_program::Transfer {
                        from: self.payer.clone(),
                        to: target.clone(),
                    },
                ),
                top_up,
            )?;
        }
        system_program::allocate(
            CpiContext::new_with_signer(
                system_program::ID,
                system_program::Allocate {
                    account_to_allocate: target.clone(),
                },
                signer,
            ),
            space.cast::<u64>()?,
        )?;
        system_program::assign(
            CpiContext::new_with_signer(
                system_program::ID,
                system_program::Assign {
                    account_to_assign: target.clone(),
                },
                signer,
            ),
            owner,
        )
    }

    /// Create a zero-copy program account of type `T` and write its discriminator; the caller
    /// then fills it through [`load_new`].
    pub fn create_zero_copy<T: ZeroCopy + Discriminator>(
        &self,
        target: &AccountInfo<'info>,
        seeds: &[&[u8]],
    ) -> Result<()> {
        let space = 8 + core::mem::size_of::<T>();
        self.create(target, space, &crate::ID, seeds)?;
        let mut data = target.try_borrow_mut_data()?;
        data[..T::DISCRIMINATOR.len()].copy_from_slice(T::DISCRIMINATOR);
        Ok(())
    }

    /// Create a token account of `mint` at the PDA `target`, owned by `authority`.
    pub fn create_token_account(
        &self,
        target: &AccountInfo<'info>,
        mint: &AccountInfo<'info>,
        authority: &AccountInfo<'info>,
        token_program: &AccountInfo<'info>,
        seeds: &[&[u8]],
    ) -> Result<()> {
        let space = token_account_space(mint)?;
        self.create(target, space, token_program.key, seeds)?;
        token_interface::initialize_account3(CpiContext::new(
            token_program.key(),
            token_interface::InitializeAccount3 {
                account: target.clone(),
                mint: mint.clone(),
                authority: authority.clone(),
            },
        ))
    }

    /// Create a classic SPL Token mint with `decimals` at the PDA `target`; `authority` mints.
    pub fn create_mint(
        &self,
        target: &AccountInfo<'info>,
        authority: &Pubkey,
        decimals: u8,
        token_program: &AccountInfo<'info>,
        seeds: &[&[u8]],
    ) -> Result<()> {
        self.create(
            target,
            anchor_spl::token::Mint::LEN,
            token_program.key,
            seeds,
        )?;
        token_interface::initialize_mint2(
            CpiContext::new(
                token_program.key(),
                token_interface::InitializeMint2 {
                    mint: target.clone(),
                },
            ),
            decimals,
            authority,
            None,
        )
    }
}

/// Bytes a token account of `mint` needs: the classic size, or for Token-2022 the size with
/// the account extensions the mint's extensions require.
fn token_account_space(mint: &AccountInfo) -> Result<usize> {
    if *mint.owner != anchor_spl::token_2022::ID {
        return Ok(anchor_spl::token::TokenAccount::LEN);
    }
    let data = mint.try_borrow_data()?;
    let state = StateWithExtensions::<MintState>::unpack(&data)
        .map_err(|_| error!(GreekhouseError::UnsupportedMintExtension))?;
    let mint_extensions = state
        .get_extension_types()
        .map_err(|_| error!(GreekhouseError::UnsupportedMintExtension))?;
    let required = ExtensionType::get_required_init_account_extensions(&mint_extensions);
    ExtensionType::try_calculate_account_len::<Token2022Account>(&required)
        .map_err(|_| error!(GreekhouseError::UnsupportedMintExtension))
}
