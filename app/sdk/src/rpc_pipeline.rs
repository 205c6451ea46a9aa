//! [`RpcChain`]'s batches ([`Chain::send_many`]): independent transactions pipelined, at most
//! a window of them unconfirmed, each prepared, confirmed and read back by the single send's
//! rules (the functions of `rpc.rs`), outcomes in input order.

use super::*;

impl RpcChain {
    /// [`Chain::send_many`] over the node: each transaction is prepared as [`Chain::send`]
    /// prepares one (simulated, its compute units sized, a refusal returned by name and not
    /// sent) when it enters the window, signed with the batch's recent blockhash and sent
    /// without waiting; the signatures in flight are polled together (`getSignatureStatuses`,
    /// up to 256 a call) every `poll_interval`, and each is judged by the rules of `send`:
    /// landed (read back for its logs and events), failed (the program's error by name),
    /// re-sent every 2 s while unseen, re-signed with a fresh blockhash once it expired (at most
    /// `max_send_attempts` blockhashes), timed out after `confirm_timeout`. A slot freed refills
    /// the window. A failed poll fails the transactions in flight with that error, as it fails
    /// a single send; the rest of the batch goes on.
    pub(super) fn send_pipelined(
        &mut self,
        batch: &[TxRequest<'_>],
        max_in_flight: usize,
    ) -> Vec<Result<TxOutcome, ChainError>> {
        let mut results: Vec<Option<Result<TxOutcome, ChainError>>> =
            batch.iter().map(|_| None).collect();
        if let Err(e) = self.payer_keypair() {
            return batch.iter().map(|_| Err(e.clone())).collect();
        }
        let window = max_in_flight.max(1);
        let mut next = 0;
        let mut in_flight: Vec<InFlight> = Vec::new();
        // one recent blockhash signs the batch; replaced when a transaction signed with it
        // expired
        let mut recent: Option<(Hash, u64)> = None;
        self.last_send_attempts = 0;
        self.peak_in_flight = 0;
        while next < batch.len() || !in_flight.is_empty() {
            while in_flight.len() < window && next < batch.len() {
                let index = next;
                next += 1;
                let started = Instant::now();
                let req = &batch[index];
                let launched =
                    self.prepare(&req.instructions, &req.signers)
                        .and_then(|instructions| {
                            let mut f = InFlight {
                                index,
                                instructions,
                                tx: Transaction::default(),
                                last_valid: 0,
                                attempts: 0,
                                last_sent: started,
                                started,
                            };
                            self.launch(&mut f, batch, &mut recent, false)?;
                            Ok(f)
                        });
                match launched {
                    Ok(f) => in_flight.push(f),
                    Err(e) => results[index] = Some(Err(e)),
                }
            }
            self.peak_in_flight = self.peak_in_flight.max(in_flight.len());
            if in_flight.is_empty() {
                continue;
            }
            std::thread::sleep(self.config.poll_interval);
            let statuses = self.statuses(&in_flight);
            let statuses = match statuses {
                Ok(s) => s,
                Err(e) => {
                    for f in in_flight.drain(..) {
                        results[f.index] = Some(Err(e.clone()));
                    }
                    continue;
                }
            };
            let mut height: Option<Result<u64, ChainError>> = None;
            let mut waiting = Vec::with_capacity(in_flight.len());
            for (mut f, status) in in_flight.drain(..).zip(statuses) {
                let judged = self.judge(status, f.last_valid, || {
                    height.get_or_insert_with(|| self.height()).clone()
                });
                let done = match judged {
                    Err(e) => Some(Err(e)),
                    Ok(Some(Confirmation::Landed)) => Some(self.read_back(&f.tx, f.started)),
                    Ok(Some(Confirmation::Failed(err))) => {
                        Some(Err(self.failed(&f.tx, err, f.started)))
                    }
                    Ok(Some(Confirmation::Expired)) => {
                        self.launch(&mut f, batch, &mut recent, true).err().map(Err)
                    }
                    Ok(None) if f.started.elapsed() > self.config.confirm_timeout => {
                        Some(Err(self.timed_out(&f.tx.signatures[0])))
                    }
                    Ok(None) if f.last_sent.elapsed() >= RESEND_EVERY => {
                        match self.send_once(&f.tx) {
                            Ok(true) => {
                                f.last_sent = Instant::now();
                                None
                            }
                            Ok(false) => {
                                self.launch(&mut f, batch, &mut recent, true).err().map(Err)
                            }
                            Err(e) => Some(Err(e)),
                        }
                    }
                    Ok(None) => None,
                };
                match done {
                    Some(r) => results[f.index] = Some(r),
                    None => waiting.push(f),
                }
            }
            in_flight = waiting;
        }
        results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(ChainError::Backend("not sent".into()))))
            .collect()
    }

    /// Sign `f` with the batch's blockhash (a fresh one when `expired`: the one it was signed
    /// with can no longer land) and send it, until the node takes it or its blockhashes run
    /// out.
    fn launch(
        &mut self,
        f: &mut InFlight,
        batch: &[TxRequest<'_>],
        recent: &mut Option<(Hash, u64)>,
        mut expired: bool,
    ) -> Result<(), ChainError> {
        loop {
            if expired {
                if f.attempts >= self.config.max_send_attempts {
                    return Err(self.expired(f.attempts));
                }
                // another transaction of the batch may have replaced it already
                if recent.is_none_or(|(_, valid)| valid <= f.last_valid) {
                    *recent = Some(self.latest_blockhash()?);
                }
            }
            let (blockhash, last_valid) = match *recent {
                Some(r) => r,
                None => *recent.insert(self.latest_blockhash()?),
            };
            f.attempts += 1;
            self.last_send_attempts = self.last_send_attempts.max(f.attempts);
            f.tx = self.sign(&f.instructions, &batch[f.index].signers, blockhash)?;
            f.last_valid = last_valid;
            self.sent += 1;
            if self.send_once(&f.tx)? {
                f.last_sent = Instant::now();
                return Ok(());
            }
            expired = true;
        }
    }

    /// The statuses of the signatures in flight, in their order.
    fn statuses(
        &self,
        in_flight: &[InFlight],
    ) -> Result<Vec<Option<TransactionStatus>>, ChainError> {
        let signatures: Vec<_> = in_flight.iter().map(|f| f.tx.signatures[0]).collect();
        let mut out = Vec::with_capacity(signatures.len());
        for chunk in signatures.chunks(SIGNATURE_STATUS_CHUNK) {
            let got = self
                .client
                .get_signature_statuses(chunk)
                .map_err(|e| rpc_error(&e))?
                .value;
            if got.len() != chunk.len() {
                return Err(ChainError::Rpc {
                    kind: RpcFailure::Decode,
                    message: format!(
                        "getSignatureStatuses answered {} statuses for {} signatures",
                        got.len(),
                        chunk.len()
                    ),
                });
            }
            out.extend(got);
        }
        Ok(out)
    }
}

/// A transaction of a [`RpcChain::send_pipelined`] batch, sent and not yet judged.
struct InFlight {
    index: usize,
    /// Prepared (compute budget, priority fee), ready to sign again on a fresh blockhash.
    instructions: Vec<Instruction>,
    tx: Transaction,
    last_valid: u64,
    /// Blockhashes used.
    attempts: u32,
    last_sent: Instant,
    started: Instant,
}
