//! The shared fixture of every integration test: a clearing house on the in-process bank with
//! USDC as quote, SOL priced by a Pyth pull feed (`PriceUpdateV2`), BTC priced by a legacy Pyth
//! price account, and SOL listed as collateral. Helpers send real transactions through the SDK.
#![allow(dead_code)]

pub mod ext_admin;
pub mod ext_market;
pub mod ext_props;
pub mod ext_writer;

use anchor_lang::prelude::Pubkey;
use greekhouse::errors::GreekhouseError;
use greekhouse::instructions::{
    CreateSeriesArgs, InitializeClearinghouseArgs, ListCollateralArgs, ListUnderlyingArgs,
};
use greekhouse::state::*;
use greekhouse_sdk::bank::{BankChain, GENESIS_UNIX_TIMESTAMP};
use greekhouse_sdk::chain::{Chain, ChainError, TxOutcome};
use greekhouse_sdk::events::GreekhouseEvent;
use greekhouse_sdk::ix::{self, ClearinghouseRef, TokenLedger};
use greekhouse_sdk::margin::MarginInputs;
use greekhouse_sdk::pyth::{self, PriceObservation};
use greekhouse_sdk::{accounts, fixtures, pda};
use pyth_solana_receiver_sdk::price_update::VerificationLevel;
use solana_keypair::Keypair;
use solana_signer::Signer;

pub const SPL_TOKEN: Pubkey = anchor_spl::token::ID;
pub const TOKEN_2022: Pubkey = anchor_spl::token_2022::ID;
/// USDC-like quote: 6 decimals.
pub const QUOTE_DECIMALS: u8 = 6;
pub const USDC: u64 = 1_000_000;
/// SOL collateral mint: 9 decimals.
pub const SOL_DECIMALS: u8 = 9;
pub const LAMPORTS_PER_SOL: u64 = 1_000_000_000;
/// Pyth prices in the fixture use exponent -8.
pub const PYTH_EXPO: i32 = -8;
pub const SOL_FEED_ID: [u8; 32] = [7u8; 32];
/// Expiries are on a daily grid at 08:00 UTC.
pub const EXPIRY_OFFSET: i64 = 8 * 3_600;
pub const DAY: i64 = 86_400;

/// An underlying of the fixture and the account its oracle lives in.
#[derive(Clone, Copy, Debug)]
pub struct UnderlyingFixture {
    pub key: Pubkey,
    pub id: u16,
    pub oracle: Pubkey,
    pub kind: OracleKind,
    pub oracle_program: Pubkey,
}

/// A writer: its owner key, margin account and token accounts.
pub struct Writer {
    pub owner: Keypair,
    pub account: Pubkey,
    pub quote_ata: Pubkey,
    pub sol_ata: Pubkey,
}

pub struct Env {
    pub chain: BankChain,
    pub creator: Keypair,
    pub admin: Keypair,
    pub guardian: Keypair,
    pub vol_updater: Keypair,
    pub mint_authority: Keypair,
    pub ch: ClearinghouseRef,
    pub sol: UnderlyingFixture,
    pub btc: UnderlyingFixture,
    pub sol_mint: Pubkey,
    pub legacy_oracle_program: Pubkey,
    /// Current SOL and BTC prices (Pyth units, exponent -8) and publish time.
    pub sol_price: i64,
    pub btc_price: i64,
}

pub fn default_params() -> GlobalParams {
    GlobalParams::DEFAULT
}

pub fn default_surface() -> StoredVolSurface {
    fixtures::surface()
}

pub fn default_margin() -> StoredMarginParams {
    fixtures::margin()
}

pub use greekhouse_sdk::fixtures::{legacy_oracle, pull_oracle, underlying_args};

/// The program error code Anchor returns for `e`.
pub fn code(e: GreekhouseError) -> u32 {
    6000 + e as u32
}

/// Assert a transaction failed with the program error `e`.
#[track_caller]
pub fn expect_err<T: std::fmt::Debug>(result: Result<T, ChainError>, e: GreekhouseError) {
    match result {
        Err(err) => assert_eq!(
            err.custom_code(),
            Some(code(e)),
            "expected {e:?}, got {err}"
        ),
        Ok(v) => panic!("expected {e:?}, transaction succeeded: {v:?}"),
    }
}

/// Assert a transaction failed with any of Anchor's own account-validation codes (2000..4000),
/// or the token program's, when the failure is caught before the program's own checks.
#[track_caller]
pub fn expect_anchor_err<T: std::fmt::Debug>(result: Result<T, ChainError>, anchor_code: u32) {
    match result {
        Err(err) => assert_eq!(
            err.custom_code(),
            Some(anchor_code),
            "expected anchor code {anchor_code}, got {err}"
        ),
        Ok(v) => panic!("expected anchor code {anchor_code}, transaction succeeded: {v:?}"),
    }
}

/// Names of the events of an outcome.
pub fn event_names(outcome: &TxOutcome) -> Vec<&'static str> {
    outcome.events.iter().map(GreekhouseEvent::name).collect()
}

/// Next expiry on the grid at least `days` days after `now`.
pub fn expiry_after(now: i64, days: i64) -> i64 {
    let target = now + days * DAY;
    let k = (target - EXPIRY_OFFSET + DAY - 1).div_euclid(DAY);
    k * DAY + EXPIRY_OFFSET
}

impl Env {
    /// Clearing house, SOL (pull oracle) and BTC (legacy oracle) underlyings, SOL collateral.
    pub fn new() -> Self {
        let mut chain = BankChain::start().expect("bank starts");
        let creator = chain.funded_keypair(100 * LAMPORTS_PER_SOL).unwrap();
        let admin = chain.funded_keypair(10 * LAMPORTS_PER_SOL).unwrap();
        let guardian = chain.funded_keypair(LAMPORTS_PER_SOL).unwrap();
        let vol_updater = chain.funded_keypair(LAMPORTS_PER_SOL).unwrap();
        let mint_authority = Keypair::new();
        let quote_mint = chain
            .create_mint(&SPL_TOKEN, QUOTE_DECIMALS, &mint_authority.pubkey())
            .unwrap();
        let sol_mint = chain
            .create_mint(&SPL_TOKEN, SOL_DECIMALS, &mint_authority.pubkey())
            .unwrap();
        let ch = ClearinghouseRef::new(quote_mint, creator.pubkey(), SPL_TOKEN);
        chain
            .send(
                &[ix::initialize_clearinghouse(
                    &ch,
                    creator.pubkey(),
                    InitializeClearinghouseArgs {
                        admin: admin.pubkey(),
                        guardian: guardian.pubkey(),
                        params: default_params(),
                    },
                )],
                &[&creator],
            )
            .expect("initialize_clearinghouse");

        let legacy_oracle_program = Pubkey::new_unique();
        let sol = UnderlyingFixture {
            key: pda::underlying(&ch.clearinghouse, 0),
            id: 0,
            oracle: Pubkey::new_unique(),
            kind: OracleKind::PullV2,
            oracle_program: pyth_solana_receiver_sdk::ID,
        };
        let btc_account = Pubkey::new_unique();
        let btc = UnderlyingFixture {
            key: pda::underlying(&ch.clearinghouse, 1),
            id: 1,
            oracle: btc_account,
            kind: OracleKind::Legacy,
            oracle_program: legacy_oracle_program,
        };
        let mut env = Env {
            chain,
            creator,
            admin,
            guardian,
            vol_updater,
            mint_authority,
            ch,
            sol,
            btc,
            sol_mint,
            legacy_oracle_program,
            sol_price: 150 * 100_000_000,
            btc_price: 90_000 * 100_000_000,
        };
        env.list_default_underlyings();
        env.publish_prices();
        env.list_sol_collateral();
        env
    }

    fn list_default_underlyings(&mut self) {
        let sol_args = underlying_args(
            0,
            "SOL",
            pull_oracle(SOL_FEED_ID),
            self.vol_updater.pubkey(),
            USDC,
            1_000_000,
        );
        let btc_args = underlying_args(
            1,
            "BTC",
            legacy_oracle(self.legacy_oracle_program, self.btc.oracle),
            self.vol_updater.pubkey(),
            100 * USDC,
            10_000, // 0.01 BTC per contract
        );
        for args in [sol_args, btc_args] {
            self.send_admin(ix::list_underlying(
                self.ch.clearinghouse,
                self.chain.payer(),
                self.admin.pubkey(),
                args,
            ))
            .expect("list_underlying");
        }
    }

    fn list_sol_collateral(&mut self) {
        let args = ListCollateralArgs {
            price_source: PriceSource::Underlying as u8,
            init_weight_bps: 8_000,
            maint_weight_bps: 9_000,
            deposit_cap: u64::MAX / 4,
        };
        let ix = ix::list_collateral(
            self.ch.clearinghouse,
            self.chain.payer(),
            self.admin.pubkey(),
            self.sol_mint,
            SPL_TOKEN,
            Some(self.sol.key),
            args,
        );
        self.send_admin(ix).expect("list_collateral SOL");
    }

    pub fn send_admin(
        &mut self,
        ix: anchor_lang::solana_program::instruction::Instruction,
    ) -> Result<TxOutcome, ChainError> {
        let admin = self.admin.insecure_clone();
        self.chain.send(&[ix], &[&admin])
    }

    pub fn now(&mut self) -> i64 {
        self.chain.unix_timestamp().unwrap()
    }

    pub fn advance(&mut self, secs: i64) {
        self.chain.advance(secs).unwrap();
    }

    /// Publish the current SOL and BTC prices with publish time = now and 0.1 % confidence.
    pub fn publish_prices(&mut self) {
        let now = self.now();
        self.set_sol_oracle(
            PriceObservation {
                price: self.sol_price,
                conf: self.sol_price as u64 / 1_000,
                expo: PYTH_EXPO,
                publish_time: now,
            },
            VerificationLevel::Full,
        );
        self.set_btc_oracle(
            PriceObservation {
                price: self.btc_price,
                conf: self.btc_price as u64 / 1_000,
                expo: PYTH_EXPO,
                publish_time: now,
            },
            pyth_sdk_solana::state::PriceStatus::Trading,
        );
    }

    /// Set SOL's price (in whole dollars x 1e8) and publish.
    pub fn move_sol(&mut self, price: i64) {
        self.sol_price = price;
        self.publish_prices();
    }

    pub fn set_sol_oracle(&mut self, obs: PriceObservation, verification: VerificationLevel) {
        let account = pyth::price_update_v2(SOL_FEED_ID, obs, verification);
        self.chain.set_account(&self.sol.oracle, account);
    }

    pub fn set_btc_oracle(
        &mut self,
        obs: PriceObservation,
        status: pyth_sdk_solana::state::PriceStatus,
    ) {
        let account = pyth::legacy_price(self.legacy_oracle_program, obs, status);
        self.chain.set_account(&self.btc.oracle, account);
    }

    /// The oracle account of an underlying of the fixture.
    pub fn oracle_for(&self, underlying: &Pubkey) -> Option<Pubkey> {
        if *underlying == self.sol.key {
            Some(self.sol.oracle)
        } else if *underlying == self.btc.key {
            Some(self.btc.oracle)
        } else {
            None
        }
    }

    pub fn clearinghouse(&mut self) -> Clearinghouse {
        let a = self.chain.account(&self.ch.clearinghouse).unwrap().unwrap();
        accounts::clearinghouse(&a.data).unwrap()
    }

    pub fn underlying(&mut self, key: &Pubkey) -> Underlying {
        let a = self.chain.account(key).unwrap().unwrap();
        accounts::underlying(&a.data).unwrap()
    }

    pub fn writer_state(&mut self, key: &Pubkey) -> WriterAccount {
        let a = self.chain.account(key).unwrap().unwrap();
        accounts::writer_account(&a.data).unwrap()
    }

    pub fn series_state(&mut self, key: &Pubkey) -> OptionSeries {
        let a = self.chain.account(key).unwrap().unwrap();
        accounts::option_series(&a.data).unwrap()
    }

    pub fn collateral_state(&mut self, mint: &Pubkey) -> CollateralAsset {
        let key = pda::collateral_asset(&self.ch.clearinghouse, mint);
        let a = self.chain.account(&key).unwrap().unwrap();
        accounts::collateral_asset(&a.data).unwrap()
    }

    /// A writer with an open account, `quote` USDC native and `sol` lamports in its wallets.
    pub fn writer(&mut self, quote: u64, sol: u64) -> Writer {
        let owner = self.chain.funded_keypair(LAMPORTS_PER_SOL).unwrap();
        let account = pda::writer_account(&self.ch.clearinghouse, &owner.pubkey(), 0);
        self.chain
            .send(
                &[ix::open_writer_account(
                    self.ch.clearinghouse,
                    self.chain.payer(),
                    owner.pubkey(),
                    0,
                )],
                &[&owner],
            )
            .expect("open_writer_account");
        let quote_ata = self
            .chain
            .token_account(&owner.pubkey(), &self.ch.quote_mint, &SPL_TOKEN)
            .unwrap();
        let sol_ata = self
            .chain
            .token_account(&owner.pubkey(), &self.sol_mint, &SPL_TOKEN)
            .unwrap();
        let auth = self.mint_authority.insecure_clone();
        if quote > 0 {
            self.chain
                .mint_to(&SPL_TOKEN, &self.ch.quote_mint, &quote_ata, &auth, quote)
                .unwrap();
        }
        if sol > 0 {
            self.chain
                .mint_to(&SPL_TOKEN, &self.sol_mint, &sol_ata, &auth, sol)
                .unwrap();
        }
        Writer {
            owner,
            account,
            quote_ata,
            sol_ata,
        }
    }

    pub fn quote_ledger(&self) -> TokenLedger {
        TokenLedger::quote(&self.ch)
    }

    pub fn sol_ledger(&self) -> TokenLedger {
        TokenLedger::collateral(&self.ch.clearinghouse, self.sol_mint, SPL_TOKEN)
    }

    pub fn deposit_quote(&mut self, w: &Writer, amount: u64) -> Result<TxOutcome, ChainError> {
        let ix = ix::deposit(
            self.ch.clearinghouse,
            w.account,
            w.owner.pubkey(),
            &self.quote_ledger(),
            w.quote_ata,
            amount,
        );
        self.chain.send(&[ix], &[&w.owner])
    }

    pub fn deposit_sol(&mut self, w: &Writer, amount: u64) -> Result<TxOutcome, ChainError> {
        let ix = ix::deposit(
            self.ch.clearinghouse,
            w.account,
            w.owner.pubkey(),
            &self.sol_ledger(),
            w.sol_ata,
            amount,
        );
        self.chain.send(&[ix], &[&w.owner])
    }

    /// Everything the margin of `state` depends on, fetched through the SDK.
    pub fn margin_inputs(&mut self, state: WriterAccount) -> MarginInputs {
        let (sol, btc) = (self.sol, self.btc);
        let oracle_for = move |k: &Pubkey| {
            [sol, btc]
                .into_iter()
                .find(|u| u.key == *k)
                .map(|u| u.oracle)
        };
        MarginInputs::fetch(&mut self.chain, &self.ch.clearinghouse, state, &oracle_for)
            .expect("margin inputs")
    }

    /// The margin remaining accounts of an account in the given `state`.
    pub fn margin_accounts(
        &mut self,
        state: WriterAccount,
    ) -> Vec<anchor_lang::solana_program::instruction::AccountMeta> {
        self.margin_inputs(state).remaining_accounts()
    }

    /// The margin the program computes for `writer` now, through the SDK.
    pub fn margin_of(&mut self, account: &Pubkey) -> greekhouse_risk::MarginSummary {
        let state = self.writer_state(account);
        let inputs = self.margin_inputs(state);
        let now = self.now();
        inputs
            .compute(
                &mut self.chain,
                now,
                greekhouse::oracle::PriceUse::RiskIncreasing,
            )
            .expect("margin")
    }

    pub fn withdraw_quote(&mut self, w: &Writer, amount: u64) -> Result<TxOutcome, ChainError> {
        let ledger = self.quote_ledger();
        self.withdraw(w, &ledger, w.quote_ata, amount)
    }

    pub fn withdraw_sol(&mut self, w: &Writer, amount: u64) -> Result<TxOutcome, ChainError> {
        let ledger = self.sol_ledger();
        self.withdraw(w, &ledger, w.sol_ata, amount)
    }

    /// Withdraw from `ledger` to `destination`. The margin accounts describe the account as it
    /// will be: a collateral slot that the withdrawal empties is gone (the quote balance is not
    /// a slot, so a quote withdrawal keeps the layout).
    pub fn withdraw(
        &mut self,
        w: &Writer,
        ledger: &TokenLedger,
        destination: Pubkey,
        amount: u64,
    ) -> Result<TxOutcome, ChainError> {
        let mut state = self.writer_state(&w.account);
        if let Some(asset) = ledger.collateral_asset {
            // an over-ask is left for the program to refuse
            let _ = state.debit_collateral(&asset, amount);
        }
        let remaining = self.margin_accounts(state);
        let ix = ix::withdraw(
            self.ch.clearinghouse,
            w.account,
            w.owner.pubkey(),
            ledger,
            destination,
            amount,
            remaining,
        );
        self.chain.send(&[ix], &[&w.owner])
    }

    /// Create a series on `u` (kind 0 call / 1 put, strike in quote native); returns its key.
    pub fn create_series(
        &mut self,
        u: UnderlyingFixture,
        kind: u8,
        strike: u64,
        expiry: i64,
    ) -> Result<Pubkey, ChainError> {
        let args = CreateSeriesArgs {
            kind,
            strike,
            expiry,
        };
        let ix = ix::create_series(
            self.ch.clearinghouse,
            self.chain.payer(),
            u.key,
            u.oracle,
            args,
        );
        self.chain.send(&[ix], &[])?;
        Ok(pda::series(&u.key, expiry, strike, kind))
    }

    /// Write `contracts` of `series` from `w` into `w`'s own option token account.
    pub fn write(
        &mut self,
        w: &Writer,
        series: &Pubkey,
        contracts: u64,
    ) -> Result<TxOutcome, ChainError> {
        let s = self.series_state(series);
        let recipient = self
            .chain
            .token_account(&w.owner.pubkey(), &s.option_mint, &SPL_TOKEN)
            .unwrap();
        self.write_to(w, series, contracts, recipient)
    }

    pub fn write_to(
        &mut self,
        w: &Writer,
        series: &Pubkey,
        contracts: u64,
        recipient: Pubkey,
    ) -> Result<TxOutcome, ChainError> {
        let s = self.series_state(series);
        let state = self.writer_state(&w.account);
        let template = ShortPosition {
            series: *series,
            underlying: s.underlying,
            strike: s.strike,
            expiry: s.expiry,
            contract_size: s.contract_size,
            contracts: 0,
            kind: s.kind,
            _padding: [0; 7],
        };
        let after =
            greekhouse_sdk::margin::with_added_short(&state, &template, contracts).unwrap_or(state);
        let remaining = self.margin_accounts(after);
        let ix = ix::write_options(
            self.ch.clearinghouse,
            w.account,
            w.owner.pubkey(),
            s.underlying,
            *series,
            recipient,
            contracts,
            remaining,
        );
        self.chain.send(&[ix], &[&w.owner])
    }

    pub fn burn(
        &mut self,
        w: &Writer,
        series: &Pubkey,
        contracts: u64,
    ) -> Result<TxOutcome, ChainError> {
        let s = self.series_state(series);
        let ata = self
            .chain
            .token_account(&w.owner.pubkey(), &s.option_mint, &SPL_TOKEN)
            .unwrap();
        let ix = ix::burn_options(
            w.account,
            w.owner.pubkey(),
            s.underlying,
            *series,
            ata,
            contracts,
        );
        self.chain.send(&[ix], &[&w.owner])
    }

    /// Quote vault balance.
    pub fn quote_vault_balance(&mut self) -> u64 {
        let v = self.ch.quote_vault;
        self.chain.token_balance(&v).unwrap()
    }

    pub fn genesis() -> i64 {
        GENESIS_UNIX_TIMESTAMP
    }
}
