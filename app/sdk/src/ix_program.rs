//! The builders of a deployment's admin and governance instructions for any program id:
//! `In(pda::At(program_id))`, so a clearing house deployed under its own address (`greekhouse
//! deploy --program-id`) is deployed, governed and read without a recompiled SDK. The free
//! functions of the same names in [`crate::ix`] are `In::COMPILED`'s.
//!
//! Anchor fills an absent optional account with the program id the program was compiled
//! with: the builders replace `greekhouse::ID` in every account (that placeholder, and the
//! event-CPI `program` account) with the deployment's id.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
use anchor_lang::{InstructionData, ToAccountMetas};
use greekhouse::args::{InitializeClearinghouseArgs, ListCollateralArgs, ListUnderlyingArgs};
use greekhouse::{accounts as acc, instruction as data};

use crate::ix::{ChangeTarget, ClearinghouseRef};
use crate::pda;

fn system() -> Pubkey {
    anchor_lang::system_program::ID
}

/// The instruction builders of one deployment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct In(pub pda::At);

impl In {
    /// The program id this crate was compiled with.
    pub const COMPILED: In = In(pda::At::COMPILED);

    pub fn program_id(&self) -> Pubkey {
        self.0 .0
    }

    /// The clearing house of `quote_mint` created by `creator` under this program id.
    pub fn clearinghouse_ref(
        &self,
        quote_mint: Pubkey,
        creator: Pubkey,
        quote_token_program: Pubkey,
    ) -> ClearinghouseRef {
        let clearinghouse = self.0.clearinghouse(&quote_mint, &creator);
        ClearinghouseRef {
            clearinghouse,
            quote_mint,
            quote_vault: self.0.quote_vault(&clearinghouse),
            quote_token_program,
        }
    }

    fn build(
        &self,
        accounts: impl ToAccountMetas,
        data: impl InstructionData,
        remaining: Vec<AccountMeta>,
    ) -> Instruction {
        let program_id = self.program_id();
        let mut metas = accounts.to_account_metas(None);
        for m in &mut metas {
            if m.pubkey == greekhouse::ID {
                m.pubkey = program_id;
            }
        }
        metas.extend(remaining);
        Instruction {
            program_id,
            accounts: metas,
            data: data.data(),
        }
    }

    pub fn initialize_clearinghouse(
        &self,
        ch: &ClearinghouseRef,
        creator: Pubkey,
        args: InitializeClearinghouseArgs,
    ) -> Instruction {
        self.build(
            acc::InitializeClearinghouse {
                creator,
                clearinghouse: ch.clearinghouse,
                quote_mint: ch.quote_mint,
                quote_vault: ch.quote_vault,
                insurance_fund: self.0.insurance_fund(&ch.clearinghouse),
                insurance_vault: self.0.insurance_vault(&ch.clearinghouse),
                quote_token_program: ch.quote_token_program,
                system_program: system(),
                event_authority: self.0.event_authority(),
                program: greekhouse::ID,
            },
            data::InitializeClearinghouse { args },
            vec![],
        )
    }

    pub fn propose_admin(
        &self,
        clearinghouse: Pubkey,
        admin: Pubkey,
        new_admin: Pubkey,
    ) -> Instruction {
        self.build(
            acc::ProposeAdmin {
                admin,
                clearinghouse,
                event_authority: self.0.event_authority(),
                program: greekhouse::ID,
            },
            data::ProposeAdmin { new_admin },
            vec![],
        )
    }

    pub fn accept_admin(&self, clearinghouse: Pubkey, pending_admin: Pubkey) -> Instruction {
        self.build(
            acc::AcceptAdmin {
                pending_admin,
                clearinghouse,
                event_authority: self.0.event_authority(),
                program: greekhouse::ID,
            },
            data::AcceptAdmin {},
            vec![],
        )
    }

    pub fn list_underlying(
        &self,
        clearinghouse: Pubkey,
        payer: Pubkey,
        admin: Pubkey,
        args: ListUnderlyingArgs,
    ) -> Instruction {
        let underlying = self.0.underlying(&clearinghouse, args.id);
        self.build(
            acc::ListUnderlying {
                payer,
                admin,
                clearinghouse,
                underlying,
                underlying_ledger: self.0.underlying_ledger(&underlying),
                system_program: system(),
                event_authority: self.0.event_authority(),
                program: greekhouse::ID,
            },
            data::ListUnderlying { args },
            vec![],
        )
    }

    #[allow(clippy::too_many_arguments)] // the instruction's accounts and arguments, as ix::list_collateral
    pub fn list_collateral(
        &self,
        clearinghouse: Pubkey,
        payer: Pubkey,
        admin: Pubkey,
        mint: Pubkey,
        token_program: Pubkey,
        price_underlying: Option<Pubkey>,
        args: ListCollateralArgs,
    ) -> Instruction {
        let collateral_asset = self.0.collateral_asset(&clearinghouse, &mint);
        self.build(
            acc::ListCollateral {
                payer,
                admin,
                clearinghouse,
                mint,
                collateral_asset,
                vault: self.0.collateral_vault(&collateral_asset),
                price_underlying,
                token_program,
                system_program: system(),
                event_authority: self.0.event_authority(),
                program: greekhouse::ID,
            },
            data::ListCollateral { args },
            vec![],
        )
    }

    /// `change_id` names the `ParamChange` a loosening is queued at (any id not used yet: the
    /// clearing house's `change_count` when nothing is pending, see `gov::free_change_id`); a
    /// tightening leaves it unused.
    pub fn queue_change(
        &self,
        clearinghouse: Pubkey,
        payer: Pubkey,
        admin: Pubkey,
        change_id: u64,
        target: ChangeTarget,
        change: greekhouse::state::GovValue,
    ) -> Instruction {
        self.build(
            acc::QueueChange {
                payer,
                admin,
                clearinghouse,
                underlying: target.underlying,
                collateral_asset: target.collateral_asset,
                price_underlying: target.price_underlying,
                param_change: self.0.param_change(&clearinghouse, change_id),
                system_program: system(),
                event_authority: self.0.event_authority(),
                program: greekhouse::ID,
            },
            data::QueueChange { change, change_id },
            vec![],
        )
    }

    pub fn execute_change(
        &self,
        clearinghouse: Pubkey,
        executor: Pubkey,
        change_id: u64,
        target: ChangeTarget,
    ) -> Instruction {
        self.build(
            acc::ExecuteChange {
                executor,
                clearinghouse,
                param_change: self.0.param_change(&clearinghouse, change_id),
                underlying: target.underlying,
                collateral_asset: target.collateral_asset,
                price_underlying: target.price_underlying,
                event_authority: self.0.event_authority(),
                program: greekhouse::ID,
            },
            data::ExecuteChange {},
            vec![],
        )
    }

    pub fn cancel_change(
        &self,
        clearinghouse: Pubkey,
        authority: Pubkey,
        change_id: u64,
    ) -> Instruction {
        self.build(
            acc::CancelChange {
                authority,
                clearinghouse,
                param_change: self.0.param_change(&clearinghouse, change_id),
                event_authority: self.0.event_authority(),
                program: greekhouse::ID,
            },
            data::CancelChange {},
            vec![],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ix;
    use greekhouse::state::GovValue;

    #[test]
    fn another_program_id_derives_every_address_under_it() {
        let (ch, admin, target) = (
            Pubkey::new_unique(),
            Pubkey::new_unique(),
            Pubkey::new_unique(),
        );
        let change = GovValue::DepositCap(5);
        let t = ChangeTarget::collateral(target, None);
        // the compiled id: the same instruction as `ix::queue_change`
        assert_eq!(
            In::COMPILED.queue_change(ch, admin, admin, 3, t, change),
            ix::queue_change(ch, admin, admin, 3, t, change)
        );
        let other = Pubkey::new_unique();
        let at = In(pda::At(other));
        let q = at.queue_change(ch, admin, admin, 3, t, change);
        assert_eq!(q.program_id, other);
        assert_eq!(q.accounts[6].pubkey, pda::At(other).param_change(&ch, 3));
        assert_ne!(q.accounts[6].pubkey, pda::param_change(&ch, 3));
        // absent optional accounts and the event-CPI program name the deployment's id
        assert!(q.accounts.iter().all(|m| m.pubkey != greekhouse::ID));
        assert_eq!(q.accounts[3].pubkey, other, "no underlying");
        let r = at.clearinghouse_ref(Pubkey::new_unique(), admin, anchor_spl::token::ID);
        assert_eq!(
            r.clearinghouse,
            Pubkey::find_program_address(
                &[
                    greekhouse::constants::CLEARINGHOUSE_SEED,
                    r.quote_mint.as_ref(),
                    admin.as_ref()
                ],
                &other
            )
            .0
        );
    }
}
