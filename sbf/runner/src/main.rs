//! Loads the sBPF build of the Greekhouse program (scripts/build-sbf.sh) into LiteSVM under the
//! program's id and runs instructions on it, printing compute units and logs.
//!
//! Usage: greekhouse-sbf-runner [--no-stack-gaps] PATH_TO_GREEKHOUSE_SO
//!
//! Instructions are built by hand (Anchor discriminator `sha256("global:<name>")[..8]` + borsh
//! arguments) so that this crate needs neither anchor-lang nor the program crate.
//! Exit status: 0 when the program loaded and every instruction ended the way it should (a
//! proper Anchor error counts when that is the expected outcome), 1 otherwise, 2 when the
//! program could not be loaded.

use litesvm::LiteSVM;
use solana_compute_budget::compute_budget::ComputeBudget;
use sha2::{Digest, Sha256};
use solana_address::Address;
use solana_instruction::{AccountMeta, Instruction};
use solana_keypair::Keypair;
use solana_message::Message;
use solana_signer::Signer;
use solana_transaction::Transaction;
use std::str::FromStr;

const PROGRAM_ID: &str = "B5eWaYCA6VdFivhncNdie2vhuXMW8VDRCWwPe8SQW2Pc";

fn discriminator(name: &str) -> [u8; 8] {
    let h = Sha256::digest(format!("global:{name}").as_bytes());
    h[..8].try_into().unwrap()
}

struct Outcome {
    cu: u64,
    error: Option<String>,
    logs: Vec<String>,
}

fn run(svm: &mut LiteSVM, payer: &Keypair, ix: Instruction) -> Outcome {
    let tx = Transaction::new(
        &[payer],
        Message::new(&[ix], Some(&payer.pubkey())),
        svm.latest_blockhash(),
    );
    match svm.send_transaction(tx) {
        Ok(meta) => Outcome {
            cu: meta.compute_units_consumed,
            error: None,
            logs: meta.logs,
        },
        Err(failed) => Outcome {
            cu: failed.meta.compute_units_consumed,
            error: Some(format!("{:?}", failed.err)),
            logs: failed.meta.logs,
        },
    }
}

fn report(name: &str, o: &Outcome, expect: Option<&str>) -> bool {
    println!("== {name}: {} CU", o.cu);
    for l in &o.logs {
        println!("   | {l}");
    }
    let ok = match (&o.error, expect) {
        (None, None) => true,
        (Some(e), Some(want)) => e.contains(want),
        _ => false,
    };
    println!(
        "   result: {} (expected {}) -> {}",
        o.error.as_deref().unwrap_or("success"),
        expect.unwrap_or("success"),
        if ok { "OK" } else { "UNEXPECTED" }
    );
    ok
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let stack_gaps = !args.iter().any(|a| a == "--no-stack-gaps");
    let Some(so) = args.iter().find(|a| !a.starts_with("--")) else {
        eprintln!("usage: greekhouse-sbf-runner [--no-stack-gaps] PATH_TO_GREEKHOUSE_SO");
        std::process::exit(2);
    };
    let program = Address::from_str(PROGRAM_ID).unwrap();
    let bytes = std::fs::read(so).unwrap_or_else(|e| {
        println!("runner: cannot read {so}: {e}");
        std::process::exit(2);
    });
    // Mainnet's features; `--no-stack-gaps` as in cu-probe/runner (contiguous stack frames).
    let mut features = LiteSVM::mainnet_feature_set();
    if !stack_gaps {
        features.activate(
            &agave_feature_set::virtual_address_space_adjustments::id(),
            0,
        );
    }
    let mut svm = LiteSVM::default()
        .with_feature_set(features)
        .with_builtins()
        .with_lamports(1_000_000_000_000_000)
        .with_sysvars()
        .with_feature_accounts()
        .with_default_programs()
        .with_compute_budget(ComputeBudget {
            compute_unit_limit: 1_400_000,
            ..ComputeBudget::new_with_defaults(false)
        });
    if let Err(e) = svm.add_program(program, &bytes) {
        println!("runner: LiteSVM rejected {so}: {e:?}");
        std::process::exit(2);
    }
    println!(
        "runner: loaded {so} ({} bytes) as {PROGRAM_ID}",
        bytes.len()
    );
    let payer = Keypair::new();
    svm.airdrop(&payer.pubkey(), 10_000_000_000).unwrap();

    let mut all_ok = true;
    let (event_authority, _) = Address::find_program_address(&[b"__event_authority"], &program);

    // 1. propose_admin on a clearing house that does not exist: Anchor's AccountLoader must
    //    reject it with AccountNotInitialized (3012) after dispatching on the discriminator.
    let clearinghouse = Address::new_unique();
    let mut data = discriminator("propose_admin").to_vec();
    data.extend_from_slice(Address::new_unique().as_ref());
    let ix = Instruction {
        program_id: program,
        accounts: vec![
            AccountMeta::new_readonly(payer.pubkey(), true),
            AccountMeta::new(clearinghouse, false),
            AccountMeta::new_readonly(event_authority, false),
            AccountMeta::new_readonly(program, false),
        ],
        data,
    };
    let o = run(&mut svm, &payer, ix);
    all_ok &= report(
        "propose_admin (uninitialized clearing house)",
        &o,
        Some("Custom(3012)"),
    );

    // 2. an unknown discriminator: Anchor's InstructionFallbackNotFound (101).
    let ix = Instruction {
        program_id: program,
        accounts: vec![],
        data: vec![0xff; 8],
    };
    let o = run(&mut svm, &payer, ix);
    all_ok &= report("unknown instruction", &o, Some("Custom(101)"));

    std::process::exit(if all_ok { 0 } else { 1 });
}
