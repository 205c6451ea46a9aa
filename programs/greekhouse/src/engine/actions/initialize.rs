//! `initialize_clearinghouse`: the arguments a clearing house starts from and the first state
//! of the clearing house and its insurance fund. The quote mint's Token-2022 extensions are
//! screened by the handler (`engine::tokens::check_mint_extensions`, which reads the mint).

use crate::prelude::*;

use crate::args::InitializeClearinghouseArgs;
use crate::constants::ACCOUNT_VERSION;
use crate::errors::GreekhouseError;
use crate::events::ClearinghouseInitialized;
use crate::state::{Clearinghouse, InsuranceFund};

/// The rules of the arguments: valid global parameters, an admin and a guardian.
pub fn check_initialize_clearinghouse(args: &InitializeClearinghouseArgs) -> Result<()> {
    args.params.validate()?;
    require!(args.admin != Pubkey::default(), GreekhouseError::NotAdmin);
    require!(
        args.guardian != Pubkey::default(),
        GreekhouseError::NotGuardian
    );
    Ok(())
}

/// The new clearing house's accounts, PDA bumps and quote mint.
#[derive(Clone, Copy, Debug)]
pub struct NewClearinghouse {
    pub clearinghouse: Pubkey,
    pub bump: u8,
    pub creator: Pubkey,
    pub quote_mint: Pubkey,
    pub quote_decimals: u8,
    pub quote_token_program: Pubkey,
    pub quote_vault: Pubkey,
    pub quote_vault_bump: u8,
    pub insurance_fund: Pubkey,
    pub insurance_fund_bump: u8,
    pub insurance_vault: Pubkey,
    pub insurance_vault_bump: u8,
}

/// Fill the just created (zeroed) insurance fund and clearing house.
pub fn initialize_clearinghouse(
    ch: &mut Clearinghouse,
    fund: &mut InsuranceFund,
    keys: &NewClearinghouse,
    args: &InitializeClearinghouseArgs,
) -> Result<ClearinghouseInitialized> {
    check_initialize_clearinghouse(args)?;
    fund.version = ACCOUNT_VERSION;
    fund.bump = keys.insurance_fund_bump;
    fund.vault_bump = keys.insurance_vault_bump;
    fund.clearinghouse = keys.clearinghouse;
    fund.vault = keys.insurance_vault;
    fund.invariant()?;

    ch.version = ACCOUNT_VERSION;
    ch.bump = keys.bump;
    ch.quote_vault_bump = keys.quote_vault_bump;
    ch.quote_decimals = keys.quote_decimals;
    ch.creator = keys.creator;
    ch.admin = args.admin;
    ch.guardian = args.guardian;
    ch.quote_mint = keys.quote_mint;
    ch.quote_vault = keys.quote_vault;
    ch.quote_token_program = keys.quote_token_program;
    ch.insurance_fund = keys.insurance_fund;
    ch.params = args.params;
    ch.invariant()?;
    Ok(ClearinghouseInitialized {
        clearinghouse: keys.clearinghouse,
        creator: ch.creator,
        quote_token_program: ch.quote_token_program,
        admin: ch.admin,
        guardian: ch.guardian,
        quote_mint: ch.quote_mint,
        quote_vault: ch.quote_vault,
        insurance_fund: ch.insurance_fund,
        insurance_vault: keys.insurance_vault,
        params: ch.params,
    })
}
