//! Unit tests of a vault's share arithmetic, on an account holding only quote (no price is
//! asked): a deposit and its immediate withdrawal never pay back more than was put in, and never
//! lower the value of the other shares; rounding always falls to the vault.

use crate::prelude::*;

use super::vault::{deposit, request_withdraw, withdraw};
use crate::constants::{vault::LOCKED_SHARES, ACCOUNT_VERSION};
use crate::engine::margin::LoadedMargin;
use crate::errors::GreekhouseError;
use crate::state::{
    Clearinghouse, Vault, VaultPolicy, VaultWithdrawal, WriterAccount, WriterStatus,
};

fn accounts() -> (Clearinghouse, Vault, WriterAccount) {
    let ch: Clearinghouse = bytemuck::Zeroable::zeroed();
    let mut v: Vault = bytemuck::Zeroable::zeroed();
    v.version = ACCOUNT_VERSION;
    v.policy = VaultPolicy {
        deposit_cap: u64::MAX / 4,
        min_tenor_secs: 0,
        max_tenor_secs: 1,
        min_strike_bps: 5_000,
        max_strike_bps: 20_000,
        withdraw_cooldown_secs: 0,
        max_utilisation_bps: 8_000,
        spread_bps: 200,
        allowed_kinds: 0b11,
        _padding: [0; 7],
    };
    let mut w: WriterAccount = bytemuck::Zeroable::zeroed();
    w.version = ACCOUNT_VERSION;
    w.status = WriterStatus::Active as u8;
    (ch, v, w)
}

fn no_prices(_: &[&WriterAccount]) -> Result<LoadedMargin> {
    Err(error!(GreekhouseError::MarginAccountsMismatch))
}

#[test]
fn a_deposit_and_its_withdrawal_never_profit_and_never_dilute() {
    let firsts = [LOCKED_SHARES + 1, 7_000_003, 10_000_000_000];
    let gains = [0i64, 1, 999_999, 1_000_000_007, -500_000];
    let amounts = [1u64, 999, 1_000_001, 3_000_000_011];
    for first in firsts {
        for gain in gains {
            for amount in amounts {
                let (ch, mut v, mut w) = accounts();
                let mut supply = deposit(&ch, &mut v, &mut w, 0, first, &mut no_prices, 0)
                    .unwrap()
                    .shares;
                assert_eq!(supply, first - LOCKED_SHARES);
                w.quote_balance += gain; // premiums less fees and marks, or a loss
                let (nav0, total0) = (w.quote_balance, v.total_shares(supply).unwrap());
                let shares = match deposit(&ch, &mut v, &mut w, supply, amount, &mut no_prices, 0) {
                    Ok(out) => out.shares,
                    Err(e) => {
                        // worth less than a share: refused, nothing moved
                        assert_eq!(e, GreekhouseError::VaultDepositTooSmall.into());
                        assert_eq!(w.quote_balance, nav0);
                        continue;
                    }
                };
                supply += shares;
                let mut wd: VaultWithdrawal = bytemuck::Zeroable::zeroed();
                request_withdraw(
                    &mut v,
                    Pubkey::default(),
                    &mut wd,
                    Pubkey::default(),
                    0,
                    Pubkey::default(),
                    shares,
                    0,
                )
                .unwrap();
                supply -= shares;
                let paid = withdraw(&ch, &mut v, &mut w, &wd, supply, &mut no_prices, 0)
                    .unwrap()
                    .amount;
                assert!(paid <= amount, "{first} {gain} {amount}: paid {paid}");
                let (nav1, total1) = (w.quote_balance, v.total_shares(supply).unwrap());
                assert_eq!(total1, total0);
                assert!(nav1 >= nav0, "{first} {gain} {amount}: {nav0} -> {nav1}");
                assert_eq!(v.pending_shares, 0);
            }
        }
    }
}
