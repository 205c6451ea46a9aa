//! [`RpcChain`]: the [`Chain`] interface over a node's JSON-RPC (feature `rpc`), for a cluster
//! or a local validator (`greekhouse localnet`).
//!
//! - Reads: `getAccountInfo`, batched `getMultipleAccounts` (100 keys a call), and
//!   `getProgramAccounts` with the Anchor discriminator and field filters run by the node.
//! - Sends: every transaction is simulated first (with inner instructions, so its events are
//!   decoded before anything is signed for real). A transaction without a compute-unit limit
//!   gets one sized from the simulation's measured units plus a margin, and an optional
//!   priority fee. A simulated program error comes back as [`ChainError::Transaction`] with
//!   the error's name and logs, and nothing is sent.
//! - Confirmation: the signature is polled until the commitment is reached, and the
//!   transaction is re-sent while it waits. Once the chain's block height passes the
//!   blockhash's last valid height the transaction can no longer land, so it is re-signed with
//!   a fresh blockhash; that happens at most `max_send_attempts` times, and the whole send is
//!   also bounded by `confirm_timeout`. The landed transaction is then read back
//!   (`getTransaction`) for its logs, compute units and events.
//! - Batches ([`Chain::send_many`]): independent transactions pipelined, at most a window of
//!   them unconfirmed, each prepared, confirmed and read back by the rules above; outcomes in
//!   input order (`RpcChain::send_pipelined`).
//! - Every RPC failure becomes a [`ChainError::Rpc`] that says which one: node unreachable,
//!   request timed out, node behind, blockhash expired, confirmation timed out, read-only
//!   chain, or another response error with its code.

use std::time::{Duration, Instant};

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use solana_account::Account;
use solana_account_decoder_client_types::UiAccountEncoding;
use solana_commitment_config::CommitmentConfig;
use solana_compute_budget_interface::ComputeBudgetInstruction;
use solana_hash::Hash;
use solana_keypair::Keypair;
use solana_rpc_client::rpc_client::RpcClient;
use solana_rpc_client_api::client_error::{Error as ClientError, ErrorKind};
use solana_rpc_client_api::config::{
    RpcAccountInfoConfig, RpcProgramAccountsConfig, RpcSendTransactionConfig,
    RpcSimulateTransactionConfig, RpcTransactionConfig,
};
use solana_rpc_client_api::filter::{Memcmp, RpcFilterType};
use solana_rpc_client_api::request::{RpcError, RpcResponseErrorData};
use solana_signer::Signer;
use solana_transaction::Transaction;
use solana_transaction_error::TransactionError;
use solana_transaction_status_client_types::{
    EncodedTransaction, TransactionStatus, UiInnerInstructions, UiInstruction, UiParsedInstruction,
    UiTransactionEncoding,
};

use crate::chain::{Chain, ChainError, FieldFilter, RpcFailure, TxOutcome, TxRequest};
use crate::events::GreekhouseEvent;

#[path = "rpc_pipeline.rs"]
mod pipeline;

/// How an [`RpcChain`] talks to its node.
#[derive(Clone, Debug)]
pub struct RpcConfig {
    /// Commitment of reads and of confirmation (default `confirmed`).
    pub commitment: CommitmentConfig,
    /// Timeout of one HTTP request.
    pub request_timeout: Duration,
    /// Bound on one send, from the first simulation to the landed transaction's read-back.
    pub confirm_timeout: Duration,
    /// How many blockhashes one send may use (each expires after ~150 blocks).
    pub max_send_attempts: u32,
    /// How often the signature is polled, and the transaction re-sent, while it waits.
    pub poll_interval: Duration,
    /// Priority fee in micro-lamports per compute unit; `None` adds no price instruction.
    pub priority_fee_micro_lamports: Option<u64>,
    /// Margin on the simulated compute units, in basis points (2,000 = +20 %).
    pub compute_unit_margin_bps: u32,
    /// Floor of the compute-unit limit the chain sets.
    pub min_compute_units: u32,
}

impl Default for RpcConfig {
    fn default() -> Self {
        Self {
            commitment: CommitmentConfig::confirmed(),
            request_timeout: Duration::from_secs(30),
            confirm_timeout: Duration::from_secs(90),
            max_send_attempts: 3,
            poll_interval: Duration::from_millis(400),
            priority_fee_micro_lamports: None,
            compute_unit_margin_bps: 2_000,
            min_compute_units: 20_000,
        }
    }
}

/// A JSON-RPC node as a [`Chain`].
pub struct RpcChain {
    client: RpcClient,
    url: String,
    /// Fee payer; `None` for a read-only chain (sends fail with [`RpcFailure::ReadOnly`]).
    payer: Option<Keypair>,
    config: RpcConfig,
    /// Blockhashes the last send used (1 when the first one landed).
    last_send_attempts: u32,
    sent: u64,
    /// The most transactions the last [`Chain::send_many`] had unconfirmed at once.
    peak_in_flight: usize,
}

/// How often an unconfirmed transaction's signed bytes are sent again while it waits.
const RESEND_EVERY: Duration = Duration::from_secs(2);

/// The node's limit of signatures per `getSignatureStatuses` call.
const SIGNATURE_STATUS_CHUNK: usize = 256;

/// The node's account-read limit per `getMultipleAccounts` call.
const MULTIPLE_ACCOUNTS_CHUNK: usize = 100;

impl RpcChain {
    /// A chain that pays and signs with `payer`.
    pub fn new(url: &str, payer: Keypair, config: RpcConfig) -> Self {
        let mut chain = Self::read_only(url, config);
        chain.payer = Some(payer);
        chain
    }

    /// A chain that reads only (margin, governance previews, monitoring).
    pub fn read_only(url: &str, config: RpcConfig) -> Self {
        let client = RpcClient::new_with_timeout_and_commitment(
            url.to_string(),
            config.request_timeout,
            config.commitment,
        );
        Self {
            client,
            url: url.to_string(),
            payer: None,
            config,
            last_send_attempts: 0,
            sent: 0,
            peak_in_flight: 0,
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn config(&self) -> &RpcConfig {
        &self.config
    }

    pub fn config_mut(&mut self) -> &mut RpcConfig {
        &mut self.config
    }

    /// Blockhashes the last [`Chain::send`] used (the most any one transaction of the last
    /// [`Chain::send_many`] used).
    pub fn last_send_attempts(&self) -> u32 {
        self.last_send_attempts
    }

    /// The most transactions the last pipelined [`Chain::send_many`] had unconfirmed at once.
    pub fn peak_in_flight(&self) -> usize {
        self.peak_in_flight
    }

    /// Transactions sent (landed or refused) by this chain.
    pub fn transactions_sent(&self) -> u64 {
        self.sent
    }

    /// The node's `getHealth`: `Ok` when it is caught up.
    pub fn health(&self) -> Result<(), ChainError> {
        self.client.get_health().map_err(|e| rpc_error(&e))
    }

    /// The node's `getRecentPrioritizationFees` for transactions writing `keys`: the fee paid
    /// (micro-lamports per compute unit) in each recent slot.
    pub fn recent_prioritization_fees(&self, keys: &[Pubkey]) -> Result<Vec<u64>, ChainError> {
        Ok(self
            .client
            .get_recent_prioritization_fees(keys)
            .map_err(|e| rpc_error(&e))?
            .into_iter()
            .map(|f| f.prioritization_fee)
            .collect())
    }

    /// The node's block height at the chain's commitment.
    pub fn block_height(&self) -> Result<u64, ChainError> {
        self.client
            .get_block_height_with_commitment(self.config.commitment)
            .map_err(|e| rpc_error(&e))
    }

    /// The node's lamport balance of `key`.
    pub fn balance(&self, key: &Pubkey) -> Result<u64, ChainError> {
        self.client.get_balance(key).map_err(|e| rpc_error(&e))
    }

    fn payer_keypair(&self) -> Result<&Keypair, ChainError> {
        self.payer.as_ref().ok_or_else(|| ChainError::Rpc {
            kind: RpcFailure::ReadOnly,
            message: format!(
                "{} was opened read-only: no fee payer to sign with",
                self.url
            ),
        })
    }

    /// Simulate `instructions` (signed by the payer and `signers`) at the node's current
    /// state: the program's logs, compute units and decoded events, or its error by name.
    pub fn simulate(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<TxOutcome, ChainError> {
        let (blockhash, _) = self.latest_blockhash()?;
        let tx = self.sign(instructions, signers, blockhash)?;
        let config = RpcSimulateTransactionConfig {
            sig_verify: false,
            replace_recent_blockhash: true,
            commitment: Some(self.config.commitment),
            inner_instructions: true,
            ..Default::default()
        };
        let sim = self
            .client
            .simulate_transaction_with_config(&tx, config)
            .map_err(|e| rpc_error(&e))?
            .value;
        let logs = sim.logs.unwrap_or_default();
        if let Some(err) = sim.err {
            return Err(transaction_error(TransactionError::from(err), logs));
        }
        let keys = &tx.message.account_keys;
        let events = sim
            .inner_instructions
            .unwrap_or_default()
            .iter()
            .flat_map(|inner| events_of(inner, keys))
            .collect();
        Ok(TxOutcome {
            events,
            logs,
            compute_units: sim.units_consumed.unwrap_or(0),
        })
    }

    /// Send a transaction first signed with `blockhash`, which the caller says stays valid up
    /// to block height `last_valid_block_height`. [`Chain::send`] uses the node's latest
    /// blockhash; this is how a client resumes with one it already holds (and how the tests
    /// hand it one that has expired).
    pub fn send_with_blockhash(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
        blockhash: Hash,
        last_valid_block_height: u64,
    ) -> Result<TxOutcome, ChainError> {
        self.payer_keypair()?;
        let started = Instant::now();
        let instructions = self.prepare(instructions, signers)?;

        let (mut blockhash, mut last_valid) = (blockhash, last_valid_block_height);
        self.last_send_attempts = 0;
        loop {
            self.last_send_attempts += 1;
            let tx = self.sign(&instructions, signers, blockhash)?;
            self.sent += 1;
            match self.confirm(&tx, last_valid, started)? {
                Confirmation::Landed => return self.read_back(&tx, started),
                Confirmation::Failed(err) => return Err(self.failed(&tx, err, started)),
                Confirmation::Expired
                    if self.last_send_attempts < self.config.max_send_attempts =>
                {
                    (blockhash, last_valid) = self.latest_blockhash()?;
                }
                Confirmation::Expired => return Err(self.expired(self.last_send_attempts)),
            }
        }
    }

    /// What a send does before signing: simulate (a program error comes back by name and
    /// nothing is sent), size the compute-unit limit from the simulation when the caller set
    /// none, and put the priority fee in front.
    fn prepare(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<Vec<Instruction>, ChainError> {
        let mut instructions = instructions.to_vec();
        let has_limit = instructions.iter().any(|ix| {
            ix.program_id == solana_compute_budget_interface::ID && ix.data.first() == Some(&2)
        });
        if !has_limit {
            // measure: simulate with the largest limit, then ask for what it used plus a margin
            let mut probe = vec![ComputeBudgetInstruction::set_compute_unit_limit(
                crate::budget::MAX_UNITS,
            )];
            probe.extend(instructions.iter().cloned());
            let measured = self.simulate(&probe, signers)?.compute_units;
            let margin = measured * u64::from(self.config.compute_unit_margin_bps) / 10_000;
            let limit = (measured + margin)
                .max(u64::from(self.config.min_compute_units))
                .min(u64::from(crate::budget::MAX_UNITS)) as u32;
            instructions.insert(0, ComputeBudgetInstruction::set_compute_unit_limit(limit));
        } else {
            // the caller sized the limit; a preflight still refuses a failing transaction
            self.simulate(&instructions, signers)?;
        }
        if let Some(price) = self.config.priority_fee_micro_lamports {
            instructions.insert(0, ComputeBudgetInstruction::set_compute_unit_price(price));
        }
        Ok(instructions)
    }

    /// A landed transaction that failed: the program's error by name, with the logs read back.
    fn failed(&self, tx: &Transaction, err: TransactionError, started: Instant) -> ChainError {
        let outcome = self.read_back(tx, started);
        let logs = outcome.map(|o| o.logs).unwrap_or_default();
        transaction_error(err, logs)
    }

    fn expired(&self, attempts: u32) -> ChainError {
        ChainError::Rpc {
            kind: RpcFailure::BlockhashExpired,
            message: format!(
                "the transaction did not land before its blockhash expired, {attempts} time(s)"
            ),
        }
    }

    fn send_config(&self) -> RpcSendTransactionConfig {
        RpcSendTransactionConfig {
            // the simulation before signing was the preflight
            skip_preflight: true,
            preflight_commitment: Some(self.config.commitment.commitment),
            max_retries: Some(0),
            ..Default::default()
        }
    }

    /// Send the signed bytes once: `Ok(false)` when the node already knows the blockhash is
    /// gone (the transaction can no longer land), an error when the node refused otherwise.
    /// A dropped packet is not an error: the caller re-sends the same bytes while it waits.
    fn send_once(&self, tx: &Transaction) -> Result<bool, ChainError> {
        match self
            .client
            .send_transaction_with_config(tx, self.send_config())
        {
            Ok(_) => Ok(true),
            Err(e) if e.get_transaction_error() == Some(TransactionError::BlockhashNotFound) => {
                Ok(false)
            }
            Err(e) => Err(rpc_error(&e)),
        }
    }

    fn latest_blockhash(&self) -> Result<(Hash, u64), ChainError> {
        self.client
            .get_latest_blockhash_with_commitment(self.config.commitment)
            .map_err(|e| rpc_error(&e))
    }

    fn sign(
        &self,
        instructions: &[Instruction],
        signers: &[&Keypair],
        blockhash: Hash,
    ) -> Result<Transaction, ChainError> {
        let payer = self.payer_keypair()?;
        let mut all: Vec<&Keypair> = vec![payer];
        all.extend(
            signers
                .iter()
                .copied()
                .filter(|s| s.pubkey() != payer.pubkey()),
        );
        let mut tx = Transaction::new_with_payer(instructions, Some(&payer.pubkey()));
        tx.try_sign(&all, blockhash)
            .map_err(|e| ChainError::Backend(format!("signing failed: {e}")))?;
        Ok(tx)
    }

    /// Send `tx` and wait until it reaches the commitment, fails, or can no longer land.
    fn confirm(
        &self,
        tx: &Transaction,
        last_valid_block_height: u64,
        started: Instant,
    ) -> Result<Confirmation, ChainError> {
        let signature = tx.signatures[0];
        let mut last_sent: Option<Instant> = None;
        loop {
            if last_sent.is_none_or(|t| t.elapsed() >= RESEND_EVERY) {
                // keep re-sending the same signed bytes; a node that already knows the
                // blockhash is gone says so at once
                if !self.send_once(tx)? {
                    return Ok(Confirmation::Expired);
                }
                last_sent = Some(Instant::now());
            }
            std::thread::sleep(self.config.poll_interval);
            let status = self
                .client
                .get_signature_statuses(&[signature])
                .map_err(|e| rpc_error(&e))?
                .value
                .into_iter()
                .next()
                .flatten();
            if let Some(done) = self.judge(status, last_valid_block_height, || self.height())? {
                return Ok(done);
            }
            if started.elapsed() > self.config.confirm_timeout {
                return Err(self.timed_out(&signature));
            }
        }
    }

    /// What one polled status says of a transaction signed with a blockhash valid up to
    /// `last_valid`: failed, landed at the commitment, expired (not seen, and the chain is past
    /// that height: it can no longer land), or `None`: wait. `height` is asked only for a
    /// transaction the node has not seen. The rules of [`Chain::send`] and of
    /// [`Chain::send_many`] both.
    fn judge(
        &self,
        status: Option<TransactionStatus>,
        last_valid: u64,
        height: impl FnOnce() -> Result<u64, ChainError>,
    ) -> Result<Option<Confirmation>, ChainError> {
        if let Some(status) = status {
            if let Some(err) = status.err {
                return Ok(Some(Confirmation::Failed(err)));
            }
            if status.satisfies_commitment(self.config.commitment) {
                return Ok(Some(Confirmation::Landed));
            }
            // seen but not yet at the commitment: it can no longer expire, only wait
            return Ok(None);
        }
        Ok((height()? > last_valid).then_some(Confirmation::Expired))
    }

    fn height(&self) -> Result<u64, ChainError> {
        self.client
            .get_block_height_with_commitment(self.config.commitment)
            .map_err(|e| rpc_error(&e))
    }

    fn timed_out(&self, signature: &impl std::fmt::Display) -> ChainError {
        ChainError::Rpc {
            kind: RpcFailure::ConfirmationTimeout,
            message: format!(
                "{signature} not confirmed within {:?}",
                self.config.confirm_timeout
            ),
        }
    }

    /// The landed transaction's logs, compute units and events.
    fn read_back(&self, tx: &Transaction, started: Instant) -> Result<TxOutcome, ChainError> {
        let signature = tx.signatures[0];
        let config = RpcTransactionConfig {
            encoding: Some(UiTransactionEncoding::Base64),
            commitment: Some(self.config.commitment),
            max_supported_transaction_version: Some(0),
        };
        let fetched = loop {
            match self.client.get_transaction_with_config(&signature, config) {
                Ok(t) => break t,
                // a confirmed transaction can take a moment to be readable from the ledger
                Err(_) if started.elapsed() < self.config.confirm_timeout => {
                    std::thread::sleep(self.config.poll_interval)
                }
                Err(e) => return Err(rpc_error(&e)),
            }
        };
        let keys = match &fetched.transaction.transaction {
            EncodedTransaction::Binary(..) | EncodedTransaction::LegacyBinary(..) => fetched
                .transaction
                .transaction
                .decode()
                .map(|v| v.message.static_account_keys().to_vec())
                .unwrap_or_else(|| tx.message.account_keys.clone()),
            _ => tx.message.account_keys.clone(),
        };
        let Some(meta) = fetched.transaction.meta else {
            return Ok(TxOutcome::default());
        };
        let logs: Vec<String> = Option::from(meta.log_messages).unwrap_or_default();
        let inner: Vec<UiInnerInstructions> =
            Option::from(meta.inner_instructions).unwrap_or_default();
        let events = inner.iter().flat_map(|i| events_of(i, &keys)).collect();
        let compute_units: Option<u64> = Option::from(meta.compute_units_consumed);
        Ok(TxOutcome {
            events,
            logs,
            compute_units: compute_units.unwrap_or(0),
        })
    }

    /// Program accounts starting with `discriminator` whose bytes match every filter, as the
    /// node filters them.
    fn get_program_accounts(
        &mut self,
        discriminator: &[u8],
        filters: &[FieldFilter],
    ) -> Result<Vec<(Pubkey, Account)>, ChainError> {
        let mut rpc_filters = vec![RpcFilterType::Memcmp(Memcmp::new_raw_bytes(
            0,
            discriminator.to_vec(),
        ))];
        rpc_filters.extend(
            filters
                .iter()
                .map(|f| RpcFilterType::Memcmp(Memcmp::new_raw_bytes(f.offset, f.bytes.clone()))),
        );
        let config = RpcProgramAccountsConfig {
            filters: Some(rpc_filters),
            account_config: RpcAccountInfoConfig {
                encoding: Some(UiAccountEncoding::Base64),
                commitment: Some(self.config.commitment),
                ..Default::default()
            },
            ..Default::default()
        };
        // the non-UI variant decodes the base64 data into `Account`s for us
        #[allow(deprecated)]
        self.client
            .get_program_accounts_with_config(&greekhouse::ID, config)
            .map_err(|e| rpc_error(&e))
    }
}

enum Confirmation {
    Landed,
    Failed(TransactionError),
    Expired,
}

impl Chain for RpcChain {
    fn payer(&self) -> Pubkey {
        self.payer.as_ref().map(|p| p.pubkey()).unwrap_or_default()
    }

    fn account(&mut self, key: &Pubkey) -> Result<Option<Account>, ChainError> {
        // `getMultipleAccounts` with one key: the client's `get_account` re-wraps transport
        // errors as text, which would lose whether the node was unreachable
        Ok(self.accounts(std::slice::from_ref(key))?.pop().flatten())
    }

    fn accounts(&mut self, keys: &[Pubkey]) -> Result<Vec<Option<Account>>, ChainError> {
        let mut out = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(MULTIPLE_ACCOUNTS_CHUNK) {
            let got = self
                .client
                .get_multiple_accounts_with_commitment(chunk, self.config.commitment)
                .map_err(|e| rpc_error(&e))?
                .value;
            out.extend(got);
        }
        Ok(out)
    }

    fn send(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<TxOutcome, ChainError> {
        self.payer_keypair()?;
        let (blockhash, last_valid) = self.latest_blockhash()?;
        self.send_with_blockhash(instructions, signers, blockhash, last_valid)
    }

    /// One at a time through [`Chain::send`] when `max_in_flight` is 1; pipelined otherwise
    /// (`RpcChain::send_pipelined`).
    fn send_many(
        &mut self,
        batch: &[TxRequest<'_>],
        max_in_flight: usize,
    ) -> Vec<Result<TxOutcome, ChainError>> {
        if max_in_flight <= 1 {
            return batch
                .iter()
                .map(|tx| self.send(&tx.instructions, &tx.signers))
                .collect();
        }
        self.send_pipelined(batch, max_in_flight)
    }

    fn unix_timestamp(&mut self) -> Result<i64, ChainError> {
        let clock = self
            .account(&solana_sdk_ids::sysvar::clock::ID)?
            .ok_or_else(|| ChainError::Rpc {
                kind: RpcFailure::AccountMissing,
                message: "the Clock sysvar".into(),
            })?;
        // Clock: slot, epoch_start_timestamp, epoch, leader_schedule_epoch, unix_timestamp
        let bytes: [u8; 8] = clock
            .data
            .get(32..40)
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| ChainError::Rpc {
                kind: RpcFailure::Decode,
                message: "the Clock sysvar is shorter than 40 bytes".into(),
            })?;
        Ok(i64::from_le_bytes(bytes))
    }

    fn program_accounts(
        &mut self,
        discriminator: &[u8],
    ) -> Result<Vec<(Pubkey, Account)>, ChainError> {
        self.get_program_accounts(discriminator, &[])
    }

    fn program_accounts_where(
        &mut self,
        discriminator: &[u8],
        filters: &[FieldFilter],
    ) -> Result<Vec<(Pubkey, Account)>, ChainError> {
        self.get_program_accounts(discriminator, filters)
    }
}

/// Events of the program among one instruction's inner instructions (the event self-CPIs).
fn events_of(inner: &UiInnerInstructions, keys: &[Pubkey]) -> Vec<GreekhouseEvent> {
    inner
        .instructions
        .iter()
        .filter_map(|ix| {
            let (program, data) = match ix {
                UiInstruction::Compiled(c) => {
                    (keys.get(c.program_id_index as usize).copied(), &c.data)
                }
                UiInstruction::Parsed(UiParsedInstruction::PartiallyDecoded(p)) => {
                    (p.program_id.parse().ok(), &p.data)
                }
                UiInstruction::Parsed(UiParsedInstruction::Parsed(_)) => return None,
            };
            if program != Some(greekhouse::ID) {
                return None;
            }
            let bytes = bs58::decode(data).into_vec().ok()?;
            GreekhouseEvent::decode(&bytes)
        })
        .collect()
}

fn transaction_error(err: TransactionError, logs: Vec<String>) -> ChainError {
    let custom_code = crate::errors::custom_code(&err);
    let name = custom_code.and_then(crate::errors::error_name);
    let message = match name {
        Some(name) => format!("{err}: {name}"),
        None => err.to_string(),
    };
    ChainError::Transaction {
        message,
        custom_code,
        logs,
    }
}

/// Classify a client error.
pub fn rpc_error(e: &ClientError) -> ChainError {
    let message = e.to_string();
    let kind = match e.kind() {
        ErrorKind::Reqwest(r) if r.is_timeout() => RpcFailure::Timeout,
        ErrorKind::Reqwest(r) if r.is_connect() || r.is_request() => RpcFailure::Unreachable,
        ErrorKind::Io(_) => RpcFailure::Unreachable,
        ErrorKind::RpcError(RpcError::RpcResponseError {
            data: RpcResponseErrorData::NodeUnhealthy { num_slots_behind },
            ..
        }) => RpcFailure::NodeBehind {
            slots: *num_slots_behind,
        },
        ErrorKind::RpcError(RpcError::RpcResponseError {
            data: RpcResponseErrorData::SendTransactionPreflightFailure(sim),
            ..
        }) => {
            let logs = sim.logs.clone().unwrap_or_default();
            if let Some(err) = sim.err.clone() {
                return transaction_error(err.into(), logs);
            }
            RpcFailure::Response { code: -32002 }
        }
        ErrorKind::RpcError(RpcError::RpcResponseError { code, .. }) => {
            RpcFailure::Response { code: *code }
        }
        ErrorKind::TransactionError(te) => return transaction_error(te.clone(), Vec::new()),
        ErrorKind::SerdeJson(_) | ErrorKind::RpcError(RpcError::ParseError(_)) => {
            RpcFailure::Decode
        }
        _ => RpcFailure::Other,
    };
    ChainError::Rpc { kind, message }
}

#[cfg(test)]
#[path = "rpc_pipeline_tests.rs"]
mod pipeline_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use solana_instruction_error::InstructionError;
    use solana_rpc_client_api::response::RpcSimulateTransactionResult;

    fn response(code: i64, data: RpcResponseErrorData) -> ClientError {
        ClientError::from(ErrorKind::RpcError(RpcError::RpcResponseError {
            code,
            message: "node said no".into(),
            data,
        }))
    }

    #[test]
    fn client_errors_are_classified_by_cause() {
        let behind = rpc_error(&response(
            -32005,
            RpcResponseErrorData::NodeUnhealthy {
                num_slots_behind: Some(42),
            },
        ));
        assert!(matches!(
            behind,
            ChainError::Rpc {
                kind: RpcFailure::NodeBehind { slots: Some(42) },
                ..
            }
        ));
        assert!(behind.is_transient());

        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let refused = rpc_error(&ClientError::from(ErrorKind::Io(io)));
        assert!(matches!(
            refused,
            ChainError::Rpc {
                kind: RpcFailure::Unreachable,
                ..
            }
        ));

        let other = rpc_error(&response(-32601, RpcResponseErrorData::Empty));
        assert!(matches!(
            other,
            ChainError::Rpc {
                kind: RpcFailure::Response { code: -32601 },
                ..
            }
        ));
    }

    #[test]
    fn a_preflight_refusal_names_the_program_error_and_keeps_the_logs() {
        let sim = RpcSimulateTransactionResult {
            err: Some(TransactionError::InstructionError(0, InstructionError::Custom(6000)).into()),
            logs: Some(vec!["Program log: refused".into()]),
            accounts: None,
            units_consumed: Some(1),
            loaded_accounts_data_size: None,
            return_data: None,
            inner_instructions: None,
            replacement_blockhash: None,
            fee: None,
            pre_balances: None,
            post_balances: None,
            pre_token_balances: None,
            post_token_balances: None,
            loaded_addresses: None,
        };
        let e = rpc_error(&response(
            -32002,
            RpcResponseErrorData::SendTransactionPreflightFailure(sim),
        ));
        let name = crate::errors::error_name(6000).expect("6000 is the program's first error");
        assert_eq!(e.custom_code(), Some(6000));
        assert_eq!(e.program_error_name(), Some(name));
        assert!(e.to_string().contains(name), "{e}");
        let ChainError::Transaction { logs, .. } = e else {
            panic!("a transaction error")
        };
        assert_eq!(logs, vec!["Program log: refused".to_string()]);
    }
}
