//! The insurance fund's flows of a run, read from the program's events: a [`Recorder`] in front
//! of the bank keeps the events of every transaction the bots send (liquidations, bids, the
//! settlement cranks), and the run adds those of its own transactions (writes, backstop
//! purchases). Nothing here recomputes a rule: each figure is a field of an event.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use greekhouse::events::{
    BackstopBought, DebtResolved, OptionsWritten, SeriesSettled, SliceBought,
};
use greekhouse_sdk::chain::{Chain, ChainError, FieldFilter, TxOutcome};
use greekhouse_sdk::events::GreekhouseEvent;
use serde::Serialize;
use solana_account::Account;
use solana_keypair::Keypair;

/// Passes everything to `inner`, keeping the events of the transactions that land.
pub struct Recorder<'a, C: Chain + ?Sized> {
    pub inner: &'a mut C,
    pub events: &'a mut Vec<GreekhouseEvent>,
}

impl<C: Chain + ?Sized> Chain for Recorder<'_, C> {
    fn payer(&self) -> Pubkey {
        self.inner.payer()
    }
    fn account(&mut self, key: &Pubkey) -> Result<Option<Account>, ChainError> {
        self.inner.account(key)
    }
    fn send(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<TxOutcome, ChainError> {
        let out = self.inner.send(instructions, signers)?;
        self.events.extend(out.events.iter().cloned());
        Ok(out)
    }
    fn unix_timestamp(&mut self) -> Result<i64, ChainError> {
        self.inner.unix_timestamp()
    }
    fn program_accounts(
        &mut self,
        discriminator: &[u8],
    ) -> Result<Vec<(Pubkey, Account)>, ChainError> {
        self.inner.program_accounts(discriminator)
    }
    fn accounts(&mut self, keys: &[Pubkey]) -> Result<Vec<Option<Account>>, ChainError> {
        self.inner.accounts(keys)
    }
    fn program_accounts_where(
        &mut self,
        discriminator: &[u8],
        filters: &[FieldFilter],
    ) -> Result<Vec<(Pubkey, Account)>, ChainError> {
        self.inner.program_accounts_where(discriminator, filters)
    }
}

/// The fund's flows of one run (USDC).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FundFlows {
    /// (a) The fund's share of slices of accounts worth less than nothing at mark:
    /// `fraction x max(-mark_to_market, 0)` of each `SliceBought`, at most its `from_fund`.
    pub deficits: f64,
    /// (b) The rest of `from_fund`: the auction's discount paid on top of the account's value.
    pub auction_premium: f64,
    /// (c) `fund_cover` of `SeriesSettled` plus `from_fund` of `DebtResolved`.
    pub settlement_cover: f64,
    /// Liquidation fees (`SliceBought.fee`) into the fund.
    pub liquidation_fees: f64,
    /// Writing fees charged (`OptionsWritten.fee`): accrued on the underlying, swept into the
    /// fund before any share is minted.
    pub write_fees: f64,
    /// Quote raised by backstop sales (`BackstopBought.amount`).
    pub backstop_raised: f64,
    /// Slices bought, and those the fund paid for.
    pub slices: u64,
    pub slices_fund_paid: u64,
    /// Discount `d(t)` of every slice.
    pub discounts: Vec<f64>,
}

const UNIT: f64 = 1e12;

fn usd(native: f64) -> f64 {
    native / 1e6
}

impl FundFlows {
    /// What the fund paid out: (a) + (b) + (c).
    pub fn paid(&self) -> f64 {
        self.deficits + self.auction_premium + self.settlement_cover
    }

    pub fn add(&mut self, events: &[GreekhouseEvent]) {
        for e in events {
            match e {
                GreekhouseEvent::SliceBought(s) => self.slice(s),
                GreekhouseEvent::SeriesSettled(SeriesSettled { fund_cover, .. }) => {
                    self.settlement_cover += usd(*fund_cover as f64)
                }
                GreekhouseEvent::DebtResolved(DebtResolved { from_fund, .. }) => {
                    self.settlement_cover += usd(*from_fund as f64)
                }
                GreekhouseEvent::OptionsWritten(OptionsWritten { fee, .. }) => {
                    self.write_fees += usd(*fee as f64)
                }
                GreekhouseEvent::BackstopBought(BackstopBought { amount, .. }) => {
                    self.backstop_raised += usd(*amount as f64)
                }
                _ => {}
            }
        }
    }

    fn slice(&mut self, s: &SliceBought) {
        self.slices += 1;
        self.discounts.push(s.discount as f64 / UNIT);
        self.liquidation_fees += usd(s.fee as f64);
        if s.from_fund == 0 {
            return;
        }
        self.slices_fund_paid += 1;
        let fraction = s.fraction as f64 / UNIT;
        let from_fund = s.from_fund as f64;
        let deficit = (fraction * (-(s.mark_to_market as f64)).max(0.0)).min(from_fund);
        self.deficits += usd(deficit);
        self.auction_premium += usd(from_fund - deficit);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slice(fraction: f64, mtm: i64, from_fund: u64, fee: u64) -> GreekhouseEvent {
        GreekhouseEvent::SliceBought(SliceBought {
            liquidated: Pubkey::default(),
            bidder_account: Pubkey::default(),
            fraction: (fraction * UNIT) as u64,
            max_fraction: UNIT as u64,
            discount: (0.05 * UNIT) as u64,
            mark_to_market: mtm,
            addon_maintenance: 0,
            payment: -(from_fund as i64),
            fee,
            to_account: 0,
            from_fund,
            end_equity_before: 0,
            end_equity_after: 0,
            bidder_initial_equity_after: 0,
            fund_balance_after: 0,
        })
    }

    #[test]
    fn fund_payments_split_into_deficit_premium_and_settlement_cover() {
        let mut f = FundFlows::default();
        f.add(&[
            // solvent at mark: everything the fund pays is premium; a fee when the bidder pays
            slice(0.5, 1_000_000, 300_000, 0),
            slice(1.0, 9_000_000, 0, 40_000),
            // half of an account 2 USDC under water: 1 USDC deficit, the rest premium
            slice(0.5, -2_000_000, 1_500_000, 0),
            GreekhouseEvent::DebtResolved(DebtResolved {
                writer_account: Pubkey::default(),
                debt: 0,
                from_fund: 700_000,
                charges: vec![],
                fund_balance_after: 0,
            }),
        ]);
        assert_eq!(f.slices, 3);
        assert_eq!(f.slices_fund_paid, 2);
        assert!((f.deficits - 1.0).abs() < 1e-9, "{f:?}");
        assert!((f.auction_premium - 0.8).abs() < 1e-9, "{f:?}");
        assert!((f.settlement_cover - 0.7).abs() < 1e-9, "{f:?}");
        assert!((f.liquidation_fees - 0.04).abs() < 1e-9);
        assert!((f.paid() - 2.5).abs() < 1e-9);
    }
}
