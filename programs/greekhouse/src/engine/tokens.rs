//! Token movements through the SPL Token or Token-2022 program (`transfer_checked`, so the
//! mint's decimals are confirmed on every move).

use anchor_lang::prelude::*;
use anchor_spl::token_interface::{self, Mint, TokenAccount, TokenInterface, TransferChecked};

use crate::constants::CLEARINGHOUSE_SEED;

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

/// Signer seeds of the clearing house PDA, which owns every vault.
pub struct ClearinghouseSigner {
    pub quote_mint: Pubkey,
    pub creator: Pubkey,
    pub bump: [u8; 1],
}

impl ClearinghouseSigner {
    pub fn seeds(&self) -> [&[u8]; 4] {
        [
            CLEARINGHOUSE_SEED,
            self.quote_mint.as_ref(),
            self.creator.as_ref(),
            &self.bump,
        ]
    }
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
