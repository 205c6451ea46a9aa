//! One tick of the bot: scan, liquidate, bid, end, settle. Every number it acts on is the
//! program's own (the SDK's flows run the program's engine and the shared risk engine); the bot
//! adds only its strategy: which bids are worth their risk, and how large a slice its own
//! account can carry.

use std::collections::BTreeMap;

use anchor_lang::prelude::Pubkey;
use anchor_lang::Discriminator;
use greekhouse::engine::liquidation::FRACTION_ONE;
use greekhouse::errors::GreekhouseError;
use greekhouse::state::{Underlying, WriterAccount, WriterStatus};
use greekhouse_risk::Fixed;
use greekhouse_sdk::accounts;
use greekhouse_sdk::chain::{Chain, ChainError, TxOutcome, TxRequest};
use greekhouse_sdk::flows::FlowContext;
use greekhouse_sdk::ix::ClearinghouseRef;
use greekhouse_sdk::liquidation::{self as flows, BidQuote, BidSize, StartPlan};
use greekhouse_sdk::margin::MarginError;
use greekhouse_sdk::projection::Projection;
use greekhouse_sdk::Instruction;
use serde_json::json;
use solana_keypair::Keypair;
use solana_signer::Signer;

use crate::config::{Limits, Run, Strategy};
use crate::log::Log;
use crate::settle;

/// What the bot counts (reported after every tick and at exit).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counters {
    pub ticks: u64,
    pub scanned: u64,
    pub started: u64,
    pub bids_won: u64,
    /// Bids the program refused (another bidder was faster, prices moved).
    pub bids_lost: u64,
    /// Bids skipped because the discount did not pay for the hurdle.
    pub bids_skipped: u64,
    pub ended: u64,
    /// Gain at mark of the bids won, quote native.
    pub quote_earned: i128,
    pub settlement_steps: u64,
    /// `check_margin` sent for an account whose margin status had moved (`strategy.warn`).
    pub warnings: u64,
    /// Errors by kind (`backend`, `margin`, `program:<code>`).
    pub errors: BTreeMap<String, u64>,
}

/// Accounts found healthy (equity at maintenance not below zero), with the data they had:
/// shared by several bots, or kept across one tick, while prices, surfaces and time stand
/// still (the simulator clears it every step), so no account's margin is computed twice for the
/// same state. A changed account is computed again.
#[derive(Default)]
pub struct HealthMemo {
    /// The data each was healthy with: compared byte for byte (a copy and a comparison cost
    /// less than hashing the account at every tick, and cannot collide).
    healthy: std::collections::HashMap<Pubkey, Vec<u8>>,
    /// Margins computed, and margins answered from the memo.
    pub computed: u64,
    pub reused: u64,
}

impl HealthMemo {
    pub fn clear(&mut self) {
        self.healthy.clear();
    }
}

/// A liquidator.
pub struct Bot {
    pub ch: ClearinghouseRef,
    pub owner: Keypair,
    pub bidder_account: Pubkey,
    /// Oracle accounts of pull-feed underlyings (legacy ones are read from the underlying).
    pub oracles: BTreeMap<Pubkey, Pubkey>,
    pub limits: Limits,
    pub strategy: Strategy,
    pub run: Run,
    pub counters: Counters,
}

/// What the scan found of an active account.
enum Start {
    /// Above maintenance (remembered in the [`HealthMemo`]).
    Healthy,
    /// Its liquidation is due.
    Due(Box<StartPlan>),
    /// Neither: not healthy for the memo (a debtor within its grace), or its margin failed.
    Not,
}

/// `fund` (the insurance fund's account) reads in `view` with `balance`, as a bid leaves it.
fn project_fund_balance<C: Chain + ?Sized>(
    view: &mut Projection<'_, C>,
    fund: Pubkey,
    balance: u64,
) {
    let Ok(Some(account)) = view.account(&fund) else {
        return;
    };
    if let Ok(mut state) = accounts::insurance_fund(&account.data) {
        state.balance = balance;
        view.set(fund, &state);
    }
}

fn error_kind(e: &ChainError) -> String {
    match (e.custom_code(), e) {
        (Some(code), _) => format!("program:{code}"),
        (None, ChainError::Rpc { kind, .. }) => format!("rpc:{kind}"),
        (None, _) => "backend".into(),
    }
}

impl Bot {
    fn count_error(&mut self, kind: String, log: &mut dyn Log, what: &str, account: &Pubkey) {
        *self.counters.errors.entry(kind.clone()).or_default() += 1;
        log.log(
            "error",
            json!({ "what": what, "account": account.to_string(), "kind": kind }),
        );
    }

    /// Send with bounded retries on backend failures; a program refusal is not retried.
    fn send<C: Chain + ?Sized>(
        &mut self,
        chain: &mut C,
        instructions: &[Instruction],
    ) -> Result<TxOutcome, ChainError> {
        let mut backoff = self.run.backoff_ms;
        let mut attempt = 0;
        loop {
            match chain.send(instructions, &[&self.owner]) {
                Err(e) if e.is_transient() && attempt < self.run.max_retries => {
                    attempt += 1;
                    std::thread::sleep(std::time::Duration::from_millis(backoff));
                    backoff = backoff.saturating_mul(2);
                }
                other => return other,
            }
        }
    }

    /// Send independent transactions together (`Chain::send_many`, at most
    /// `run.max_in_flight` unconfirmed at once), signed by the bot's owner; the ones that failed
    /// for a backend reason are sent again together, with the same bounded retries and backoff
    /// as [`Bot::send`]. Outcomes in input order.
    fn send_batch<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        txs: &[&[Instruction]],
    ) -> Vec<Result<TxOutcome, ChainError>> {
        let requests: Vec<TxRequest<'_>> = txs
            .iter()
            .map(|ixs| TxRequest::new(ixs.to_vec(), vec![&self.owner]))
            .collect();
        let window = self.run.max_in_flight;
        let mut results = chain.send_many(&requests, window);
        let mut backoff = self.run.backoff_ms;
        for _ in 0..self.run.max_retries {
            let again: Vec<usize> = (0..results.len())
                .filter(|&i| matches!(&results[i], Err(e) if e.is_transient()))
                .collect();
            if again.is_empty() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(backoff));
            backoff = backoff.saturating_mul(2);
            let retry: Vec<TxRequest<'_>> = again.iter().map(|&i| requests[i].clone()).collect();
            for (i, r) in again.into_iter().zip(chain.send_many(&retry, window)) {
                results[i] = r;
            }
        }
        results
    }

    /// Oracle accounts of every listed underlying: the configured pull-feed account, or the
    /// legacy price account the underlying names.
    fn oracle_map<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
    ) -> Result<BTreeMap<Pubkey, Pubkey>, ChainError> {
        let mut map = self.oracles.clone();
        let mine = accounts::of_clearinghouse::underlyings(&self.ch.clearinghouse);
        for (key, account) in chain.program_accounts_where(Underlying::DISCRIMINATOR, &[mine])? {
            if let Ok(u) = accounts::underlying(&account.data) {
                if u.clearinghouse == self.ch.clearinghouse && u.oracle.kind == 1 {
                    map.entry(key)
                        .or_insert(Pubkey::new_from_array(u.oracle.feed));
                }
            }
        }
        Ok(map)
    }

    /// One pass over the clearing house. Never panics on a bad account: every failure is
    /// counted by kind and logged, and the pass goes on.
    pub fn tick<C: Chain + ?Sized>(&mut self, chain: &mut C, log: &mut dyn Log) {
        // one read of each shared account (clearing house, underlyings, assets, oracles) per
        // tick until something is sent, however many accounts are margined
        let mut memo = HealthMemo::default();
        self.tick_shared(chain, log, &mut memo);
    }

    /// [`Bot::tick`] with a memo of healthy accounts shared with other bots (see [`HealthMemo`]).
    pub fn tick_shared<C: Chain + ?Sized>(
        &mut self,
        chain: &mut C,
        log: &mut dyn Log,
        memo: &mut HealthMemo,
    ) {
        let mut cached = greekhouse_sdk::chain::ReadCache::new(chain);
        self.tick_on(&mut cached, log, memo);
    }

    fn tick_on<C: Chain + ?Sized>(
        &mut self,
        chain: &mut C,
        log: &mut dyn Log,
        memo: &mut HealthMemo,
    ) {
        self.counters.ticks += 1;
        let oracles = match self.oracle_map(chain) {
            Ok(m) => m,
            Err(e) => {
                let ch = self.ch.clearinghouse;
                self.count_error(error_kind(&e), log, "scan", &ch);
                return;
            }
        };
        let mine = accounts::of_clearinghouse::writer_accounts(&self.ch.clearinghouse);
        let writers = match chain.program_accounts_where(WriterAccount::DISCRIMINATOR, &[mine]) {
            Ok(w) => w,
            Err(e) => {
                let ch = self.ch.clearinghouse;
                self.count_error(error_kind(&e), log, "scan", &ch);
                return;
            }
        };
        // the bidder's own American shorts first: its bids are margin-checked
        let bidder = self.bidder_account;
        if let Some((_, account)) = writers.iter().find(|(k, _)| *k == bidder) {
            if let Ok(w) = accounts::writer_account(&account.data) {
                self.accrue_pending(chain, log, bidder, &w);
            }
        }
        // the scan decides what to send; the transactions on distinct accounts then go out
        // together (`Chain::send_many`): the starts and ends first, then the bids
        let mut starts: Vec<(Pubkey, StartPlan)> = Vec::new();
        let mut ends: Vec<(Pubkey, Vec<Instruction>)> = Vec::new();
        let mut auctions: Vec<Pubkey> = Vec::new();
        for (key, account) in writers {
            let Ok(w) = accounts::writer_account(&account.data) else {
                continue;
            };
            if w.clearinghouse != self.ch.clearinghouse || key == self.bidder_account {
                continue;
            }
            if matches!(
                w.status(),
                Ok(WriterStatus::Active | WriterStatus::Liquidating)
            ) {
                self.accrue_pending(chain, log, key, &w);
            }
            self.counters.scanned += 1;
            match w.status() {
                Ok(WriterStatus::Active)
                    if w.has_liabilities() && self.strategy.start_liquidations =>
                {
                    if memo.healthy.get(&key) == Some(&account.data) {
                        memo.reused += 1;
                        continue;
                    }
                    memo.computed += 1;
                    match self.plan_start(chain, log, &oracles, key, &w) {
                        Start::Healthy => {
                            memo.healthy.insert(key, account.data.clone());
                        }
                        Start::Due(plan) => starts.push((key, *plan)),
                        Start::Not => {}
                    }
                }
                Ok(WriterStatus::Liquidating) => match self.plan_end(chain, &oracles, key) {
                    Some(ixs) => ends.push((key, ixs)),
                    None => auctions.push(key),
                },
                _ => {}
            }
        }
        // each start and each end writes its own account (and credits the tip to the bot's):
        // independent of one another
        let txs: Vec<&[Instruction]> = starts
            .iter()
            .map(|(_, p)| p.instructions.as_slice())
            .chain(ends.iter().map(|(_, ixs)| ixs.as_slice()))
            .collect();
        let mut results = self.send_batch(chain, &txs).into_iter();
        for ((key, plan), result) in starts.iter().zip(results.by_ref()) {
            match result {
                Ok(_) => {
                    self.counters.started += 1;
                    log.log(
                        "liquidation_started",
                        json!({ "account": key.to_string(), "tip": plan.tip,
                                "maintenance_equity": plan.margin.maintenance.equity.raw() / 1_000_000_000_000 }),
                    );
                }
                Err(e) => self.count_error(error_kind(&e), log, "start_liquidation", key),
            }
        }
        for ((key, _), result) in ends.iter().zip(results) {
            match result {
                Ok(_) => {
                    self.counters.ended += 1;
                    log.log("liquidation_ended", json!({ "account": key.to_string() }));
                }
                // a debt sale is not over while the debt is there: bid
                Err(e) if e.custom_code().is_some() => auctions.push(*key),
                Err(e) => self.count_error(error_kind(&e), log, "end_liquidation", key),
            }
        }
        self.bid_on(chain, log, &oracles, &auctions);
        if self.strategy.settle {
            self.counters.settlement_steps +=
                settle::crank(chain, &self.ch, &self.owner, log, &oracles);
        }
    }

    /// Send `accrue_exercise` for each American short of `key` behind its underlying's
    /// exercise epoch (docs/protocol.md 5b): until then every margin-checked instruction on the
    /// account, a start or a bid included, is refused (`ExerciseNotAccrued`). Costs no read for
    /// an account without American shorts.
    fn accrue_pending<C: Chain + ?Sized>(
        &mut self,
        chain: &mut C,
        log: &mut dyn Log,
        key: Pubkey,
        w: &WriterAccount,
    ) {
        if !w.positions.iter().any(|p| p.is_american_short()) {
            return;
        }
        let pending = match greekhouse_sdk::flows::pending_accruals(chain, &key) {
            Ok(p) => p,
            Err(MarginError::Chain(e)) => {
                return self.count_error(error_kind(&e), log, "accrue", &key)
            }
            Err(_) => return self.count_error("accrue".into(), log, "accrue", &key),
        };
        for ix in pending {
            match self.send(chain, &[ix]) {
                Ok(_) => log.log("exercise_accrued", json!({ "account": key.to_string() })),
                Err(e) => self.count_error(error_kind(&e), log, "accrue_exercise", &key),
            }
        }
    }

    fn cx<'a>(&'a self, oracle_for: &'a dyn Fn(&Pubkey) -> Option<Pubkey>) -> FlowContext<'a> {
        FlowContext {
            ch: &self.ch,
            oracle_for,
        }
    }

    /// Whether the liquidation of `key` is due, with its plan.
    fn plan_start<C: Chain + ?Sized>(
        &mut self,
        chain: &mut C,
        log: &mut dyn Log,
        oracles: &BTreeMap<Pubkey, Pubkey>,
        key: Pubkey,
        w: &WriterAccount,
    ) -> Start {
        let oracle_for = |u: &Pubkey| oracles.get(u).copied();
        let caller = self.owner.pubkey();
        let plan = {
            let cx = self.cx(&oracle_for);
            flows::start_liquidation(chain, &cx, caller, key, self.bidder_account)
        };
        let plan = match plan {
            Ok(p) => p,
            Err(MarginError::Chain(e)) => {
                self.count_error(error_kind(&e), log, "margin", &key);
                return Start::Not;
            }
            Err(_) => {
                self.count_error("margin".into(), log, "margin", &key);
                return Start::Not;
            }
        };
        // the program's own start action decided: below maintenance, or a settlement debt
        // past its grace period
        if !plan.liquidatable {
            if self.strategy.warn {
                self.maybe_warn(chain, log, &oracle_for, key);
            }
            // a debtor is not "healthy" for the memo: its grace runs out with time alone
            return if w.has_settlement_debt() {
                Start::Not
            } else {
                Start::Healthy
            };
        }
        Start::Due(Box::new(plan))
    }

    /// Send `check_margin` for `key` when the program's own check would store another status
    /// than the one the account holds (a crossing: the program emits `MarginWarning`).
    fn maybe_warn<C: Chain + ?Sized>(
        &mut self,
        chain: &mut C,
        log: &mut dyn Log,
        oracle_for: &dyn Fn(&Pubkey) -> Option<Pubkey>,
        key: Pubkey,
    ) {
        let projected = {
            let cx = self.cx(oracle_for);
            greekhouse_sdk::flows::check_margin(chain, &cx, key)
        };
        let (ix, check) = match projected {
            Ok(p) => p,
            Err(MarginError::Chain(e)) => {
                return self.count_error(error_kind(&e), log, "margin", &key)
            }
            Err(_) => return self.count_error("margin".into(), log, "margin", &key),
        };
        if !check.changed() {
            return;
        }
        match self.send(chain, &[ix]) {
            Ok(_) => {
                self.counters.warnings += 1;
                log.log(
                    "margin_warning",
                    json!({ "account": key.to_string(), "status_before": check.before as u8,
                            "status_after": check.after as u8, "warning_equity": check.warning_equity }),
                );
            }
            Err(e) => self.count_error(error_kind(&e), log, "check_margin", &key),
        }
    }

    /// `end_liquidation` for `key` when the program's end action accepts it now.
    fn plan_end<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        oracles: &BTreeMap<Pubkey, Pubkey>,
        key: Pubkey,
    ) -> Option<Vec<Instruction>> {
        let oracle_for = |u: &Pubkey| oracles.get(u).copied();
        let cx = self.cx(&oracle_for);
        match flows::end_liquidation(chain, &cx, self.owner.pubkey(), key) {
            Ok((ixs, true)) => Some(ixs),
            _ => None,
        }
    }

    /// Bid on each auction in `keys` where a bid pays: with `run.max_in_flight = 1` each bid
    /// is sized on the chain as the previous one left it and sent before the next is sized (a
    /// slow batch would otherwise send quotes that went stale while the earlier ones landed);
    /// with a window, all of them sized first and sent together ([`Bot::bid_wave`]).
    fn bid_on<C: Chain + ?Sized>(
        &mut self,
        chain: &mut C,
        log: &mut dyn Log,
        oracles: &BTreeMap<Pubkey, Pubkey>,
        keys: &[Pubkey],
    ) {
        let wave = if self.run.max_in_flight <= 1 {
            1
        } else {
            keys.len().max(1)
        };
        for chunk in keys.chunks(wave) {
            self.bid_wave(chain, log, oracles, chunk);
        }
    }

    /// Bid on each auction in `keys` where a bid pays, the bids sent together.
    ///
    /// Every bid draws on the one bidding account, so bids sized each from the account as it
    /// stands on chain could together over-commit it (each alone within IM, all of them not).
    /// The bids are therefore sized one after another on a projection: after each, the bot's
    /// account and the insurance fund read as the program's own bid action leaves them
    /// (`BidProjection::bidder_after`, `fund_balance_after`), so the next slice is sized for
    /// what the account carries after the earlier ones, and the batch as a whole stays within
    /// `limits.min_initial_equity_after`, as the same bids sent one by one would. Then they are
    /// sent together: they share the bidding account, so a node runs them one after another,
    /// and one the program refuses (another bidder was first, a price moved) is a lost bid that
    /// leaves the others standing.
    fn bid_wave<C: Chain + ?Sized>(
        &mut self,
        chain: &mut C,
        log: &mut dyn Log,
        oracles: &BTreeMap<Pubkey, Pubkey>,
        keys: &[Pubkey],
    ) {
        if keys.is_empty() {
            return;
        }
        let oracle_for = |u: &Pubkey| oracles.get(u).copied();
        let fund_key = greekhouse_sdk::pda::insurance_fund(&self.ch.clearinghouse);
        let mut bids: Vec<(Pubkey, BidQuote, i128)> = Vec::new();
        {
            let mut projected = Projection::new(chain);
            for &key in keys {
                let Some(quote) = self.size_bid(&mut projected, &oracle_for, key) else {
                    continue;
                };
                let p = &quote.projection;
                let gain = p.gain_at_mark().unwrap_or(i128::MIN);
                let f = Fixed::from_raw(p.fraction as i128);
                let risk = p
                    .inputs
                    .addon_maintenance
                    .checked_add(p.inputs.mark_to_market.abs().unwrap_or(Fixed::ZERO))
                    .and_then(|r| r.checked_mul(f, greekhouse_risk::Rounding::Up))
                    .map(|r| r.raw() / 1_000_000_000_000)
                    .unwrap_or(i128::MAX);
                let hurdle = (risk * self.strategy.hurdle_bps as i128 / 10_000)
                    .max(self.strategy.min_gain as i128);
                if gain < hurdle {
                    self.counters.bids_skipped += 1;
                    log.log(
                        "bid_skipped",
                        json!({ "account": key.to_string(), "gain": gain.to_string(), "hurdle": hurdle.to_string(),
                                "discount": p.inputs.discount.raw() as f64 / 1e12 }),
                    );
                    continue;
                }
                projected.set(self.bidder_account, &p.bidder_after);
                project_fund_balance(&mut projected, fund_key, p.fund_balance_after);
                bids.push((key, quote, gain));
            }
        }
        let txs: Vec<&[Instruction]> = bids
            .iter()
            .map(|(_, q, _)| q.instructions.as_slice())
            .collect();
        let results = self.send_batch(chain, &txs);
        for ((key, quote, gain), result) in bids.iter().zip(results) {
            let p = &quote.projection;
            match result {
                Ok(out) => {
                    self.counters.bids_won += 1;
                    self.counters.quote_earned += gain;
                    log.log(
                        "bid_won",
                        json!({ "account": key.to_string(), "fraction": p.fraction as f64 / 1e12,
                                "discount": p.inputs.discount.raw() as f64 / 1e12,
                                "payment": p.settlement.payment.to_string(), "gain": gain.to_string(),
                                "events": out.event_names() }),
                    );
                }
                Err(e) => {
                    self.counters.bids_lost += 1;
                    self.count_error(error_kind(&e), log, "bid", key);
                }
            }
        }
    }

    /// The largest bid within the limits: at most `max_fraction_per_bid` of the account, a
    /// payment within `max_payment_per_bid`, and the bot's own account left with at least
    /// `min_initial_equity_after` at IM; halves the fraction until all hold.
    fn size_bid<C: Chain + ?Sized>(
        &mut self,
        chain: &mut C,
        oracle_for: &dyn Fn(&Pubkey) -> Option<Pubkey>,
        key: Pubkey,
    ) -> Option<BidQuote> {
        let owner = self.owner.pubkey();
        let cap = ((self.limits.max_fraction_per_bid * FRACTION_ONE as f64) as u64).max(1);
        let mut size = BidSize::Fraction(cap);
        for _ in 0..24 {
            let quote = {
                let cx = self.cx(oracle_for);
                flows::quote_bid(chain, &cx, key, self.bidder_account, owner, size, 0)
            };
            let fraction = match quote {
                Ok(q) => {
                    let p = &q.projection;
                    let im_ok = p.bidder_initial_after
                        >= Fixed::from_int(self.limits.min_initial_equity_after);
                    let pay_ok = p.settlement.payment <= self.limits.max_payment_per_bid as i128;
                    if im_ok && pay_ok {
                        return Some(q);
                    }
                    p.fraction
                }
                // a smaller slice may leave the bot's own account within IM
                Err(e) if e.is(GreekhouseError::BidderBelowInitialMargin) => match size {
                    BidSize::Fraction(f) => f,
                    BidSize::Max => return None,
                },
                // nothing to bid for (at or above the end level), or a bad account
                Err(_) => return None,
            };
            if fraction <= 1 {
                return None;
            }
            size = BidSize::Fraction(fraction / 2);
        }
        None
    }
}
