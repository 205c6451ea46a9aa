//! Writing fees accrued on the underlyings' ledgers, swept into the insurance fund all at once
//! before fund shares are priced (`stake`, `buy_backstop`).

use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::engine::{ledger, tokens};
use crate::errors::GreekhouseError;
use crate::events::FeesSwept;
use crate::state::{Clearinghouse, InsuranceFund, UnderlyingLedger};

/// Sweep every underlying's pending writing fees into the insurance fund before shares are
/// priced (`stake`, `buy_backstop`), so a staker never gains from inflows accrued before its
/// stake (docs/insurance.md). `ledgers` (remaining accounts) must be every underlying ledger of
/// the clearing house: as many as its `underlying_count`, distinct, each its own; a ledger with
/// nothing accrued is skipped. Each sweep moves its tokens from the quote vault to the insurance
/// vault; the sweeps' events are returned for the caller to emit.
#[allow(clippy::too_many_arguments)]
pub fn sweep_every_underlying<'info>(
    clearinghouse: &AccountLoader<'info, Clearinghouse>,
    insurance_fund: &AccountLoader<'info, InsuranceFund>,
    insurance_vault: &InterfaceAccount<'info, TokenAccount>,
    quote_vault: &InterfaceAccount<'info, TokenAccount>,
    quote_mint: &InterfaceAccount<'info, Mint>,
    token_program: &Interface<'info, TokenInterface>,
    ledgers: &'info [AccountInfo<'info>],
) -> Result<Vec<FeesSwept>> {
    let (count, signer) = {
        let ch = clearinghouse.load()?;
        (ch.underlying_count, ch.signer())
    };
    require!(
        ledgers.len() == usize::from(count),
        GreekhouseError::UnderlyingLedgerCountMismatch
    );
    for (i, a) in ledgers.iter().enumerate() {
        require!(
            ledgers[..i].iter().all(|b| b.key != a.key),
            GreekhouseError::DuplicateUnderlyingLedger
        );
    }
    let mut events = Vec::new();
    for info in ledgers {
        let loader = AccountLoader::<UnderlyingLedger>::try_from(info)?;
        {
            let book = loader.load()?;
            require_keys_eq!(
                book.clearinghouse,
                clearinghouse.key(),
                GreekhouseError::WrongClearinghouse
            );
            if book.fees_accrued == 0 {
                continue;
            }
        }
        let (amount, fund_balance_after, underlying) = {
            let mut book = loader.load_mut()?;
            let mut fund = insurance_fund.load_mut()?;
            let amount = ledger::sweep_fees(&mut book, &mut fund)?;
            (amount, fund.balance, book.underlying)
        };
        tokens::move_between_vaults(
            token_program,
            quote_vault,
            insurance_vault,
            quote_mint,
            &clearinghouse.to_account_info(),
            &signer,
            amount,
        )?;
        events.push(FeesSwept {
            underlying,
            amount,
            fund_balance_after,
        });
    }
    Ok(events)
}
