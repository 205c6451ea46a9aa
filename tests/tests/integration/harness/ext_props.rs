//! Harness extensions for the ext_props test files (owned by their author): a small world of
//! writers and series for random operation sequences, and the docs/protocol.md §12 ledger invariants
//! checked against decoded accounts after every step.
#![allow(dead_code)]
use super::*;

use greekhouse::engine::margin::equity_native;

/// The fixture plus writers and series the property tests act on.
pub struct World {
    pub env: Env,
    pub writers: Vec<Writer>,
    /// Series keys; every writer has an option token account for each.
    pub series: Vec<Pubkey>,
    /// Quote and SOL each writer's wallet started with.
    pub wallet_quote: u64,
    pub wallet_sol: u64,
}

/// Strikes and expiries of the world's series: SOL call and put, BTC call and put.
pub const WORLD_SERIES: [(bool, u8, u64, i64); 4] = [
    (true, 0, 160, 7),
    (true, 1, 140, 30),
    (false, 0, 95_000, 7),
    (false, 1, 85_000, 30),
];

impl World {
    /// A fresh fixture with `n` writers (each with 1 000 000 USDC and 1 000 SOL in its
    /// wallets and an option token account per series) and the series of [`WORLD_SERIES`].
    pub fn new(n: usize) -> World {
        let mut env = Env::new();
        let now = env.now();
        let mut series = Vec::new();
        for (is_sol, kind, strike, days) in WORLD_SERIES {
            let u = if is_sol { env.sol } else { env.btc };
            let key = env
                .create_series(u, kind, strike * USDC, expiry_after(now, days))
                .expect("world series");
            series.push(key);
        }
        let (wallet_quote, wallet_sol) = (1_000_000 * USDC, 1_000 * LAMPORTS_PER_SOL);
        let mut writers = Vec::new();
        for _ in 0..n {
            let w = env.writer(wallet_quote, wallet_sol);
            for s in &series {
                let mint = pda::option_mint(s);
                env.chain
                    .token_account(&w.owner.pubkey(), &mint, &SPL_TOKEN)
                    .unwrap();
            }
            writers.push(w);
        }
        World {
            env,
            writers,
            series,
            wallet_quote,
            wallet_sol,
        }
    }

    /// Option token account of writer `i` for series `s`.
    pub fn option_account(&self, i: usize, s: usize) -> Pubkey {
        pda::associated_token(
            &self.writers[i].owner.pubkey(),
            &pda::option_mint(&self.series[s]),
            &SPL_TOKEN,
        )
    }

    /// The SOL collateral asset account.
    pub fn sol_asset(&self) -> Pubkey {
        pda::collateral_asset(&self.env.ch.clearinghouse, &self.env.sol_mint)
    }

    /// SOL balance of writer `i`'s margin account (native units).
    pub fn sol_balance(&mut self, i: usize) -> u64 {
        let asset = self.sol_asset();
        let w = self.env.writer_state(&self.writers[i].account);
        w.collateral_slot(&asset)
            .map(|k| w.collaterals[k].amount)
            .unwrap_or(0)
    }

    /// Every account an operation of the world can touch.
    pub fn watched(&self) -> Vec<Pubkey> {
        let asset = self.sol_asset();
        let mut keys = vec![
            self.env.ch.clearinghouse,
            self.env.ch.quote_vault,
            asset,
            pda::collateral_vault(&asset),
            self.env.sol.key,
            self.env.btc.key,
        ];
        for s in &self.series {
            keys.push(*s);
            keys.push(pda::option_mint(s));
        }
        for (i, w) in self.writers.iter().enumerate() {
            keys.push(w.account);
            keys.push(w.quote_ata);
            keys.push(w.sol_ata);
            for s in 0..self.series.len() {
                keys.push(self.option_account(i, s));
            }
        }
        keys
    }

    /// Raw data of every watched account.
    pub fn snapshot(&mut self) -> Vec<Option<Vec<u8>>> {
        let keys = self.watched();
        self.env.snapshot(&keys)
    }

    /// docs/protocol.md §12's ledger invariants, checked exactly (nobody donates to the vaults here):
    /// 1. quote vault == sum of the writers' quote balances + fees accrued on the underlyings;
    ///    insurance vault == the fund's balance; SOL vault == sum of the writers' SOL;
    /// 2. every series' open interest == its mint's supply == sum of the writers' shorts (+
    ///    unbacked); every underlying's open interest == sum over its series of OI x size.
    pub fn check_ledgers(&mut self) {
        let env = &mut self.env;
        let vault = env.quote_vault_balance();
        let states: Vec<WriterAccount> = self
            .writers
            .iter()
            .map(|w| env.writer_state(&w.account))
            .collect();
        let quote_sum: i128 = states.iter().map(|w| w.quote_balance as i128).sum();
        let fees: i128 = [env.sol.key, env.btc.key]
            .iter()
            .map(|u| env.underlying_ledger(u).fees_accrued as i128)
            .sum();
        assert_eq!(
            vault as i128,
            quote_sum + fees,
            "quote vault == writers' quote + accrued fees"
        );
        let fund = env.insurance_fund();
        assert_eq!(
            env.insurance_vault_balance(),
            fund.balance,
            "insurance vault == fund balance"
        );

        let asset_key = pda::collateral_asset(&env.ch.clearinghouse, &env.sol_mint);
        let sol_mint = env.sol_mint;
        let asset = env.collateral_state(&sol_mint);
        let sol_vault = env.chain.token_balance(&asset.vault).unwrap();
        let sol_sum: u128 = states
            .iter()
            .flat_map(|w| w.collaterals.iter())
            .filter(|c| c.asset == asset_key)
            .map(|c| c.amount as u128)
            .sum();
        assert_eq!(
            sol_vault as u128, sol_sum,
            "SOL vault == sum of SOL balances"
        );
        for w in &states {
            assert!(
                w.collaterals
                    .iter()
                    .all(|c| c.asset == Pubkey::default() || c.asset == asset_key),
                "only SOL is listed"
            );
        }

        let mut oi_by_underlying: Vec<(Pubkey, u128)> = Vec::new();
        for key in &self.series {
            let s = env.series_state(key);
            let supply = env.chain.mint_supply(&s.option_mint).unwrap();
            let shorts: u64 = states
                .iter()
                .flat_map(|w| w.positions.iter())
                .filter(|p| p.contracts > 0 && p.series == *key)
                .map(|p| p.contracts)
                .sum();
            assert_eq!(s.open_interest, supply, "series OI == mint supply");
            assert_eq!(
                s.open_interest,
                shorts + s.unbacked_contracts,
                "series OI == sum of shorts + unbacked"
            );
            let units = s.open_interest as u128 * s.contract_size as u128;
            match oi_by_underlying
                .iter_mut()
                .find(|(k, _)| *k == s.underlying)
            {
                Some((_, v)) => *v += units,
                None => oi_by_underlying.push((s.underlying, units)),
            }
        }
        for u in [env.sol.key, env.btc.key] {
            let expected = oi_by_underlying
                .iter()
                .find(|(k, _)| *k == u)
                .map(|(_, v)| *v)
                .unwrap_or(0);
            assert_eq!(
                env.underlying_ledger(&u).open_interest as u128,
                expected,
                "underlying OI == sum of series OI x contract size"
            );
        }
        // no position refers to a series outside the world
        for w in &states {
            for p in w.positions.iter().filter(|p| p.contracts > 0) {
                assert!(self.series.contains(&p.series));
            }
        }
    }

    /// Withdraw SOL from writer `i` with the margin accounts of the account *after* the
    /// withdrawal (a withdrawal that empties the SOL slot drops the collateral asset and
    /// possibly the SOL underlying from the list; the harness's `withdraw_sol` lists the
    /// accounts of the account before it).
    pub fn withdraw_sol_exact(&mut self, i: usize, amount: u64) -> Result<TxOutcome, ChainError> {
        let asset = self.sol_asset();
        let state = self.env.writer_state(&self.writers[i].account);
        let mut after = state;
        let after = match after.debit_collateral(&asset, amount) {
            Ok(()) => after,
            Err(_) => state,
        };
        let remaining = self.env.margin_accounts(after);
        let w = &self.writers[i];
        let ix = ix::withdraw(
            self.env.ch.clearinghouse,
            w.account,
            w.owner.pubkey(),
            &self.env.sol_ledger(),
            w.sol_ata,
            amount,
            remaining,
        );
        self.env.chain.send(&[ix], &[&w.owner])
    }

    /// The SDK's margin of a hypothetical state of a writer account (e.g. the account as a
    /// withdrawal or write would leave it), with the oracle accounts as they are now.
    pub fn sdk_margin_of_state(
        &mut self,
        state: WriterAccount,
    ) -> Result<greekhouse_risk::MarginSummary, greekhouse_sdk::margin::MarginError> {
        let (sol, btc) = (self.env.sol, self.env.btc);
        let oracle_for = move |k: &Pubkey| {
            if *k == sol.key {
                Some(sol.oracle)
            } else if *k == btc.key {
                Some(btc.oracle)
            } else {
                None
            }
        };
        let ch = self.env.ch.clearinghouse;
        let inputs = MarginInputs::fetch(&mut self.env.chain, &ch, state, &oracle_for)?;
        let now = self.env.now();
        inputs.compute(
            &mut self.env.chain,
            now,
            greekhouse::oracle::PriceUse::RiskIncreasing,
        )
    }

    /// The SDK's equity at IM of writer `i`, rounded down like the program's events.
    pub fn initial_equity(&mut self, i: usize) -> (i64, greekhouse_risk::MarginSummary) {
        let account = self.writers[i].account;
        let m = self.env.margin_of(&account);
        (equity_native(m.initial.equity).expect("equity fits"), m)
    }
}
