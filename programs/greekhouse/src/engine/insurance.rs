//! The insurance fund's share bookkeeping around a mint or a stake's change: the fund's rebase
//! and a stake's sync to the fund's share base, each with the event it owes. Shared by
//! `stake`, `request_unstake`, `cancel_unstake`, `unstake` and `buy_backstop`.

use crate::prelude::*;

use crate::engine::ledger;
use crate::events::{InsuranceSharesRebased, StakeRebased};
use crate::state::{InsuranceFund, InsuranceStake};

/// Bring `stake` (at `key`) to the fund's share base; its event when that changed it.
pub fn sync_stake(
    fund: &InsuranceFund,
    stake: &mut InsuranceStake,
    key: Pubkey,
) -> Result<Option<StakeRebased>> {
    Ok(ledger::sync_stake(fund, stake)?.then_some(StakeRebased {
        insurance_stake: key,
        shares_base_after: stake.shares_base,
        shares_after: stake.shares,
        pending_shares_after: stake.pending_shares,
    }))
}

/// Before a mint: rebase the fund if it needs it, then bring the minting stake to its base.
pub fn rebase_for_mint(
    fund: &mut InsuranceFund,
    fund_key: Pubkey,
    stake: &mut InsuranceStake,
    stake_key: Pubkey,
) -> Result<(Option<InsuranceSharesRebased>, Option<StakeRebased>)> {
    let digits = ledger::rebase_fund(fund)?;
    let rebased = (digits > 0).then_some(InsuranceSharesRebased {
        insurance_fund: fund_key,
        digits,
        shares_base_after: fund.shares_base,
        total_shares_after: fund.total_shares,
        fund_balance: fund.balance,
    });
    Ok((rebased, sync_stake(fund, stake, stake_key)?))
}

/// Shares a mint would add beyond `u64` are [`GreekhouseError::ShareSupplyExceeded`].
pub fn supply_error(e: greekhouse_risk::RiskError) -> Error {
    match e {
        greekhouse_risk::RiskError::Overflow => {
            error!(crate::errors::GreekhouseError::ShareSupplyExceeded)
        }
        e => error!(crate::errors::GreekhouseError::from(e)),
    }
}
