//! [`RpcChain`]'s pipelined [`Chain::send_many`] against a loopback JSON-RPC stand-in (the
//! pattern of the CLI's `idl fetch` tests): the node takes every transaction, reports it seen
//! at once and confirmed after a few polls that differ per transaction (so they land out of
//! order), fails one with a program error, and drops the first signing of another until its
//! blockhash expires. The batch keeps at most its window unconfirmed, fills it, returns every
//! outcome in input order with the node's logs, names the program error as a single send does,
//! and re-signs the dropped one on a fresh blockhash.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use serde_json::{json, Value};
use solana_rpc_client_api::response::RpcSimulateTransactionResult;

use super::*;

/// The tag of the transaction the node fails with program error 6000, and of the one whose
/// first signing it drops.
const FAILS: u8 = 5;
const DROPPED: u8 = 7;

#[derive(Default)]
struct Node {
    /// Signature -> (tag, polls of its status, the transaction as sent).
    sent: HashMap<String, (u8, u32, String)>,
    /// Tags sent and not yet reported confirmed or failed, and the most at once.
    outstanding: BTreeSet<u8>,
    most_outstanding: usize,
    height: u64,
    blockhashes: u8,
    /// The first signing of the `DROPPED` transaction: never seen.
    dropped: Option<String>,
    simulations: u32,
}

/// The tag of a legacy transaction: the first data byte of its last instruction.
fn tag_of(tx: &[u8]) -> u8 {
    let mut at = 1 + 64 * tx[0] as usize; // signatures
    at += 3; // header
    at += 1 + 32 * tx[at] as usize; // account keys
    at += 32; // blockhash
    let count = tx[at];
    at += 1;
    let mut data_at = 0;
    for _ in 0..count {
        at += 1; // program index
        at += 1 + tx[at] as usize; // accounts
        data_at = at + 1;
        at += 1 + tx[at] as usize; // data
    }
    tx[data_at]
}

fn status(state: &str, err: Option<Value>) -> Value {
    let result = match &err {
        Some(e) => json!({ "Err": e }),
        None => json!({ "Ok": null }),
    };
    json!({ "slot": 1, "confirmations": if state == "processed" { json!(0) } else { json!(1) },
            "status": result, "err": err, "confirmationStatus": state })
}

fn custom_6000() -> Value {
    json!({ "InstructionError": [1, { "Custom": 6000 }] })
}

fn answer(node: &Mutex<Node>, r: &Value) -> Value {
    let mut n = node.lock().unwrap();
    let p = &r["params"];
    let ctx = |value: Value| json!({ "context": { "slot": 1 }, "value": value });
    let result = match r["method"].as_str().unwrap_or_default() {
        "getLatestBlockhash" => {
            n.blockhashes += 1;
            let hash = bs58::encode([n.blockhashes; 32]).into_string();
            ctx(json!({ "blockhash": hash, "lastValidBlockHeight": n.height + 20 }))
        }
        "getBlockHeight" => {
            n.height += 10;
            json!(n.height)
        }
        "simulateTransaction" => {
            n.simulations += 1;
            let sim = RpcSimulateTransactionResult {
                err: None,
                logs: Some(vec![]),
                accounts: None,
                units_consumed: Some(1_000),
                loaded_accounts_data_size: None,
                return_data: None,
                inner_instructions: Some(vec![]),
                replacement_blockhash: None,
                fee: None,
                pre_balances: None,
                post_balances: None,
                pre_token_balances: None,
                post_token_balances: None,
                loaded_addresses: None,
            };
            ctx(serde_json::to_value(sim).unwrap())
        }
        "sendTransaction" => {
            let b64 = p[0].as_str().unwrap().to_string();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(&b64)
                .unwrap();
            let signature = bs58::encode(&bytes[1..65]).into_string();
            let tag = tag_of(&bytes);
            n.outstanding.insert(tag);
            n.most_outstanding = n.most_outstanding.max(n.outstanding.len());
            if tag == DROPPED && n.dropped.is_none() {
                n.dropped = Some(signature.clone());
            }
            n.sent.entry(signature.clone()).or_insert((tag, 0, b64));
            json!(signature)
        }
        "getSignatureStatuses" => {
            let mut out = Vec::new();
            for s in p[0].as_array().unwrap() {
                let s = s.as_str().unwrap();
                let Some((tag, polls)) = n.sent.get(s).map(|(t, p, _)| (*t, *p)) else {
                    out.push(Value::Null);
                    continue;
                };
                if n.dropped.as_deref() == Some(s) {
                    // never seen: its blockhash runs out
                    out.push(Value::Null);
                    continue;
                }
                n.sent.get_mut(s).unwrap().1 += 1;
                // seen at once, confirmed after 1 to 4 polls, in another order than sent
                if polls < 1 + u32::from(tag % 4) {
                    out.push(status("processed", None));
                } else {
                    n.outstanding.remove(&tag);
                    let err = (tag == FAILS).then(custom_6000);
                    out.push(status("confirmed", err));
                }
            }
            ctx(Value::Array(out))
        }
        "getTransaction" => {
            let s = p[0].as_str().unwrap();
            let (tag, _, b64) = n.sent[s].clone();
            let err = (tag == FAILS).then(custom_6000);
            let result = match &err {
                Some(e) => json!({ "Err": e }),
                None => json!({ "Ok": null }),
            };
            json!({ "slot": 1, "blockTime": null, "transaction": [b64, "base64"],
                    "meta": { "err": err, "status": result, "fee": 5000, "preBalances": [],
                              "postBalances": [], "innerInstructions": [],
                              "logMessages": [format!("Program log: tag {tag}")],
                              "computeUnitsConsumed": 1_000 } })
        }
        m => {
            return json!({ "jsonrpc": "2.0", "id": r["id"],
                           "error": { "code": -32601, "message": format!("stand-in: no {m}") } })
        }
    };
    json!({ "jsonrpc": "2.0", "id": r["id"], "result": result })
}

/// Serve the stand-in on loopback until the test ends.
fn serve(node: Arc<Mutex<Node>>) -> String {
    crate::stand_in::serve(move |r| answer(&node, r))
}

fn tagged(tag: u8) -> Instruction {
    Instruction {
        program_id: Pubkey::new_from_array([9; 32]),
        accounts: vec![],
        data: vec![tag],
    }
}

#[test]
fn send_many_keeps_its_window_lands_out_of_order_and_answers_in_input_order() {
    let node = Arc::new(Mutex::new(Node::default()));
    let url = serve(Arc::clone(&node));
    let config = RpcConfig {
        poll_interval: Duration::from_millis(5),
        request_timeout: Duration::from_secs(5),
        confirm_timeout: Duration::from_secs(20),
        ..RpcConfig::default()
    };
    let mut chain = RpcChain::new(&url, Keypair::new(), config);
    let batch: Vec<TxRequest<'_>> = (0..10u8)
        .map(|t| TxRequest::new(vec![tagged(t)], vec![]))
        .collect();
    let results = chain.send_many(&batch, 3);

    assert_eq!(results.len(), 10);
    for (i, r) in results.iter().enumerate() {
        if i == FAILS as usize {
            continue;
        }
        let out = r.as_ref().unwrap_or_else(|e| panic!("tag {i}: {e}"));
        assert_eq!(
            out.logs,
            vec![format!("Program log: tag {i}")],
            "in input order"
        );
        assert_eq!(out.compute_units, 1_000);
    }
    // the program's error, decoded as a single send decodes it, with the landed logs
    let err = results[FAILS as usize].as_ref().expect_err("fails");
    assert_eq!(err.custom_code(), Some(6000));
    assert_eq!(err.program_error_name(), crate::errors::error_name(6000));
    let ChainError::Transaction { logs, .. } = err else {
        panic!("a transaction error: {err}")
    };
    assert_eq!(logs, &vec![format!("Program log: tag {FAILS}")]);

    let n = node.lock().unwrap();
    assert_eq!(
        n.most_outstanding, 3,
        "the window is filled and never exceeded"
    );
    assert_eq!(chain.peak_in_flight(), 3);
    assert!(n.outstanding.is_empty(), "{:?}", n.outstanding);
    // every transaction prepared (simulated) once; the dropped one signed twice
    assert_eq!(n.simulations, 10);
    assert!(n.dropped.is_some());
    assert_eq!(chain.transactions_sent(), 11);
    assert_eq!(chain.last_send_attempts(), 2);
}

#[test]
fn send_many_with_a_window_of_one_is_the_single_send() {
    let node = Arc::new(Mutex::new(Node::default()));
    let url = serve(Arc::clone(&node));
    let config = RpcConfig {
        poll_interval: Duration::from_millis(5),
        request_timeout: Duration::from_secs(5),
        ..RpcConfig::default()
    };
    let mut chain = RpcChain::new(&url, Keypair::new(), config);
    let batch: Vec<TxRequest<'_>> = [0u8, 1, 2, FAILS]
        .iter()
        .map(|&t| TxRequest::new(vec![tagged(t)], vec![]))
        .collect();
    let results = chain.send_many(&batch, 1);
    assert_eq!(node.lock().unwrap().most_outstanding, 1);
    assert_eq!(
        results[2].as_ref().unwrap().logs,
        vec!["Program log: tag 2"]
    );
    assert_eq!(results[3].as_ref().unwrap_err().custom_code(), Some(6000));
    // a read-only chain refuses every transaction of a batch
    let mut ro = RpcChain::read_only(&url, RpcConfig::default());
    let refused = ro.send_many(&batch, 4);
    assert!(refused.iter().all(|r| matches!(
        r,
        Err(ChainError::Rpc {
            kind: RpcFailure::ReadOnly,
            ..
        })
    )));
}
