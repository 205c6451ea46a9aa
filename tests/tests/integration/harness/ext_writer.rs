//! Harness extensions for the ext_writer test files (owned by their author): writer accounts,
//! deposits, withdrawals with hand-built account lists, extra collateral mints, and an oracle
//! bench that reads an underlying's oracle through `create_series` or a margin-checked withdraw.
#![allow(dead_code)]
use super::*;

use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
use greekhouse::events::OraclePriceAccepted;

/// SOL call strike used for shorts (on the $1 tick, within the ±50 % band around $150).
pub const SOL_STRIKE: u64 = 160 * USDC;
/// BTC call strike used for shorts (on the $100 tick, within the band around $90,000).
pub const BTC_STRIKE: u64 = 100_000 * USDC;

// ---------------------------------------------------------------- events

/// The one event of type `T` in `out` (panics when there is none or more than one).
#[track_caller]
fn only<T: Clone>(out: &TxOutcome, pick: impl Fn(&GreekhouseEvent) -> Option<&T>) -> T {
    let found: Vec<T> = out.events.iter().filter_map(|e| pick(e).cloned()).collect();
    assert_eq!(
        found.len(),
        1,
        "expected exactly one such event, got {:?}",
        event_names(out)
    );
    found.into_iter().next().unwrap()
}

/// Every `OraclePriceAccepted` of `out`, in order.
pub fn ev_prices(out: &TxOutcome) -> Vec<OraclePriceAccepted> {
    out.events_of::<OraclePriceAccepted>()
}

/// Assert a transaction failed (any reason); returns the error for further checks.
#[track_caller]
pub fn expect_failure<T: std::fmt::Debug>(result: Result<T, ChainError>) -> ChainError {
    match result {
        Err(e) => e,
        Ok(v) => panic!("expected the transaction to fail, it succeeded: {v:?}"),
    }
}

// ---------------------------------------------------------------- chain helpers

pub fn lamports_of(env: &mut Env, key: &Pubkey) -> u64 {
    env.chain
        .account(key)
        .unwrap()
        .map(|a| a.lamports)
        .unwrap_or(0)
}

pub fn balance_of(env: &mut Env, token_account: &Pubkey) -> u64 {
    env.chain.token_balance(token_account).unwrap()
}

pub fn account_exists(env: &mut Env, key: &Pubkey) -> bool {
    env.chain.account(key).unwrap().is_some()
}

/// A new SPL mint (authority: the fixture's mint authority).
pub fn new_mint(env: &mut Env, decimals: u8) -> Pubkey {
    let auth = env.mint_authority.pubkey();
    env.chain.create_mint(&SPL_TOKEN, decimals, &auth).unwrap()
}

/// `owner`'s associated token account of `mint` (SPL Token), created if needed, topped up by
/// `amount`.
pub fn fund(env: &mut Env, owner: &Pubkey, mint: &Pubkey, amount: u64) -> Pubkey {
    let ata = env.chain.token_account(owner, mint, &SPL_TOKEN).unwrap();
    if amount > 0 {
        let auth = env.mint_authority.insecure_clone();
        env.chain
            .mint_to(&SPL_TOKEN, mint, &ata, &auth, amount)
            .unwrap();
    }
    ata
}

/// A token account of `mint` owned by a fresh random key (a stand-in for a fake vault).
pub fn stray_token_account(env: &mut Env, mint: &Pubkey) -> Pubkey {
    let stranger = Pubkey::new_unique();
    fund(env, &stranger, mint, 0)
}

/// List `mint` as a pegged collateral (no price underlying) with `deposit_cap`.
pub fn list_pegged(env: &mut Env, mint: Pubkey, deposit_cap: u64) -> TokenLedger {
    let args = ListCollateralArgs {
        price_source: PriceSource::Pegged as u8,
        init_weight_bps: 9_000,
        maint_weight_bps: 9_500,
        deposit_cap,
    };
    let ix = ix::list_collateral(
        env.ch.clearinghouse,
        env.chain.payer(),
        env.admin.pubkey(),
        mint,
        SPL_TOKEN,
        None,
        args,
    );
    env.send_admin(ix).expect("list_collateral");
    env.enable_collateral(mint);
    TokenLedger::collateral(&env.ch.clearinghouse, mint, SPL_TOKEN)
}

/// A fresh funded keypair.
pub fn new_owner(env: &mut Env) -> Keypair {
    env.chain.funded_keypair(LAMPORTS_PER_SOL).unwrap()
}

/// Open writer account `index` of `owner` (the chain's payer pays the rent).
pub fn open_account(env: &mut Env, owner: &Keypair, index: u32) -> Result<TxOutcome, ChainError> {
    let ix = ix::open_writer_account(
        env.ch.clearinghouse,
        env.chain.payer(),
        owner.pubkey(),
        index,
    );
    let out = env.chain.send(&[ix], &[owner])?;
    let key = writer_key(env, &owner.pubkey(), index);
    env.writer_accounts.push(key);
    Ok(out)
}

pub fn writer_key(env: &Env, owner: &Pubkey, index: u32) -> Pubkey {
    pda::writer_account(&env.ch.clearinghouse, owner, index)
}

/// Send `ix` signed by `signer` (and the payer).
pub fn send_signed(
    env: &mut Env,
    ix: Instruction,
    signer: &Keypair,
) -> Result<TxOutcome, ChainError> {
    env.chain.send(&[ix], &[signer])
}

/// A deposit instruction of `w` into `ledger` from `source`.
pub fn deposit_ix(
    env: &Env,
    w: &Writer,
    ledger: &TokenLedger,
    source: Pubkey,
    amount: u64,
) -> Instruction {
    ix::deposit(
        env.ch.clearinghouse,
        w.account,
        w.owner.pubkey(),
        ledger,
        source,
        amount,
    )
}

/// A withdraw instruction of `w` from `ledger` to `destination` with explicit margin accounts.
pub fn withdraw_ix(
    env: &Env,
    w: &Writer,
    ledger: &TokenLedger,
    destination: Pubkey,
    amount: u64,
    margin_accounts: Vec<AccountMeta>,
) -> Instruction {
    ix::withdraw(
        env.ch.clearinghouse,
        w.account,
        w.owner.pubkey(),
        ledger,
        destination,
        amount,
        margin_accounts,
    )
}

/// The writer account as it will be after withdrawing `amount` from `ledger` (the SDK's
/// contract: margin accounts describe the account after the action).
pub fn state_after_withdraw(
    env: &mut Env,
    w: &Writer,
    ledger: &TokenLedger,
    amount: u64,
) -> WriterAccount {
    let mut state = env.writer_state(&w.account);
    match ledger.collateral_asset {
        None => {
            if let Ok(a) = i64::try_from(amount) {
                let _ = state.add_quote(-a);
            }
        }
        Some(asset) => {
            // leave the state as is when the debit itself would fail: the program refuses first
            let _ = state.debit_collateral(&asset, amount);
        }
    }
    state
}

/// Margin accounts for `w` after withdrawing `amount` from `ledger`.
pub fn margin_after_withdraw(
    env: &mut Env,
    w: &Writer,
    ledger: &TokenLedger,
    amount: u64,
) -> Vec<AccountMeta> {
    let after = state_after_withdraw(env, w, ledger, amount);
    env.margin_accounts(after)
}

/// Withdraw with the margin accounts of the account after the withdrawal.
pub fn withdraw_to(
    env: &mut Env,
    w: &Writer,
    ledger: &TokenLedger,
    destination: Pubkey,
    amount: u64,
) -> Result<TxOutcome, ChainError> {
    let remaining = margin_after_withdraw(env, w, ledger, amount);
    let ix = withdraw_ix(env, w, ledger, destination, amount, remaining);
    send_signed(env, ix, &w.owner)
}

/// Pause `flags` as the guardian.
pub fn pause_flags(env: &mut Env, flags: u32) {
    let ix = ix::pause(env.ch.clearinghouse, env.guardian.pubkey(), flags);
    let guardian = env.guardian.insecure_clone();
    env.chain.send(&[ix], &[&guardian]).expect("pause");
}

/// A second clearing house for the same quote mint, created by another key.
pub fn other_clearinghouse(env: &mut Env) -> ClearinghouseRef {
    let creator = env.chain.funded_keypair(10 * LAMPORTS_PER_SOL).unwrap();
    let ch = ClearinghouseRef::new(env.ch.quote_mint, creator.pubkey(), SPL_TOKEN);
    let ix = ix::initialize_clearinghouse(
        &ch,
        creator.pubkey(),
        InitializeClearinghouseArgs {
            admin: env.admin.pubkey(),
            guardian: env.guardian.pubkey(),
            params: default_params(),
        },
    );
    env.chain
        .send(&[ix], &[&creator])
        .expect("second clearing house");
    ch
}

// ---------------------------------------------------------------- shorts

/// The strike of the fixture's standard short on `u`.
pub fn short_strike(env: &Env, u: &UnderlyingFixture) -> u64 {
    if u.key == env.sol.key {
        SOL_STRIKE
    } else {
        BTC_STRIKE
    }
}

/// A 30-day call on `u` at `strike` (prices must be fresh).
pub fn new_call(env: &mut Env, u: UnderlyingFixture, strike: u64) -> Pubkey {
    let now = env.now();
    env.create_series(u, 0, strike, expiry_after(now, 30))
        .expect("create_series")
}

/// A writer with `quote` deposited and `contracts` short calls on `u` (standard strike).
pub fn short_writer(
    env: &mut Env,
    u: UnderlyingFixture,
    quote: u64,
    contracts: u64,
) -> (Writer, Pubkey) {
    let w = env.writer(quote, 0);
    env.deposit_quote(&w, quote).expect("deposit");
    let strike = short_strike(env, &u);
    let series = pda::series(&u.key, expiry_after(env.now(), 30), strike, 0);
    let series = if account_exists(env, &series) {
        series
    } else {
        new_call(env, u, strike)
    };
    env.write(&w, &series, contracts).expect("write_options");
    (w, series)
}

/// Whole quote units of the SDK's initial equity of `account` now, rounded down.
pub fn sdk_initial_equity(env: &mut Env, account: &Pubkey) -> i64 {
    let m = env.margin_of(account);
    i64::try_from(
        m.initial
            .equity
            .to_int(greekhouse_risk::Rounding::Down)
            .unwrap(),
    )
    .unwrap()
}

// ---------------------------------------------------------------- oracle bench

/// How a test makes the program read an underlying's oracle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Probe {
    /// `create_series` on the underlying (a new strike every time).
    CreateSeries,
    /// A 1-unit quote withdrawal from a writer short on the underlying (margin-checked).
    Withdraw,
    /// `record_price` (the only probe that records the price and announces it).
    RecordPrice,
}

pub const PROBES: [Probe; 3] = [Probe::CreateSeries, Probe::Withdraw, Probe::RecordPrice];

/// An environment plus what a probe needs.
pub struct OracleBench {
    pub env: Env,
    pub u: UnderlyingFixture,
    pub probe: Probe,
    /// The short writer of [`Probe::Withdraw`].
    pub writer: Option<Writer>,
    strikes_used: u64,
}

impl OracleBench {
    /// Fresh environment; for [`Probe::Withdraw`] a writer short on `u` (set up with fresh
    /// prices, before the test touches the oracle).
    pub fn new(sol: bool, probe: Probe) -> Self {
        let mut env = Env::new();
        let u = if sol { env.sol } else { env.btc };
        let writer = match probe {
            Probe::CreateSeries | Probe::RecordPrice => None,
            Probe::Withdraw => Some(short_writer(&mut env, u, 50_000 * USDC, 1).0),
        };
        OracleBench {
            env,
            u,
            probe,
            writer,
            strikes_used: 0,
        }
    }

    pub fn is_sol(&self) -> bool {
        self.u.key == self.env.sol.key
    }

    /// Next unused strike on the underlying's tick, near spot.
    fn next_strike(&mut self) -> u64 {
        self.strikes_used += 1;
        if self.is_sol() {
            (150 + self.strikes_used) * USDC
        } else {
            (90_000 + 100 * self.strikes_used) * USDC
        }
    }

    /// Run the probe reading the underlying's configured oracle account.
    pub fn run(&mut self) -> Result<TxOutcome, ChainError> {
        let oracle = self.u.oracle;
        self.run_with_oracle(oracle)
    }

    /// Run the probe passing `oracle` as the underlying's oracle account.
    pub fn run_with_oracle(&mut self, oracle: Pubkey) -> Result<TxOutcome, ChainError> {
        match self.probe {
            Probe::CreateSeries => {
                let strike = self.next_strike();
                let now = self.env.now();
                let args = CreateSeriesArgs {
                    kind: 0,
                    strike,
                    expiry: expiry_after(now, 30),
                    style: 0,
                };
                let ix = ix::create_series(
                    self.env.ch.clearinghouse,
                    self.env.chain.payer(),
                    self.u.key,
                    oracle,
                    args,
                );
                self.env.chain.send(&[ix], &[])
            }
            Probe::Withdraw => {
                let w = self.writer.as_ref().unwrap();
                let ledger = self.env.quote_ledger();
                let mut remaining = margin_after_withdraw(&mut self.env, w, &ledger, 1);
                let configured = self.u.oracle;
                for m in remaining.iter_mut() {
                    if m.pubkey == configured {
                        m.pubkey = oracle;
                    }
                }
                let ix = withdraw_ix(&self.env, w, &ledger, w.quote_ata, 1, remaining);
                self.env.chain.send(&[ix], &[&w.owner])
            }
            Probe::RecordPrice => {
                let ix = ix::record_price(self.u.key, oracle);
                self.env.chain.send(&[ix], &[])
            }
        }
    }

    /// Whether the probe records (and announces) a newer price.
    pub fn records(&self) -> bool {
        self.probe == Probe::RecordPrice
    }

    /// Record the current oracle price with `record_price` (whatever the probe).
    pub fn record(&mut self) -> TxOutcome {
        let ix = ix::record_price(self.u.key, self.u.oracle);
        self.env.chain.send(&[ix], &[]).expect("record_price")
    }

    /// A fresh observation at the current spot: publish time now, 0.1 % confidence.
    pub fn fresh(&mut self) -> PriceObservation {
        let price = if self.is_sol() {
            self.env.sol_price
        } else {
            self.env.btc_price
        };
        PriceObservation {
            price,
            conf: price as u64 / 1_000,
            expo: PYTH_EXPO,
            publish_time: self.env.now(),
        }
    }

    /// Write `obs` into the underlying's oracle account (fully verified / trading).
    pub fn set(&mut self, obs: PriceObservation) {
        if self.is_sol() {
            self.env.set_sol_oracle(obs, VerificationLevel::Full);
        } else {
            self.env
                .set_btc_oracle(obs, pyth_sdk_solana::state::PriceStatus::Trading);
        }
    }

    /// The oracle account as it is now.
    pub fn oracle_account(&mut self) -> solana_account::Account {
        let key = self.u.oracle;
        self.env.chain.account(&key).unwrap().unwrap()
    }

    pub fn underlying_state(&mut self) -> Underlying {
        let key = self.u.key;
        self.env.underlying(&key)
    }
}
