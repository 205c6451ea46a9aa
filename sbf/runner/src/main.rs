//! Loads the sBPF build of the Greekhouse program (scripts/build-sbf.sh) into LiteSVM under the
//! program's id and runs instructions on it, printing compute units and logs.
//!
//! Usage: greekhouse-sbf-runner [--no-stack-gaps] PATH_TO_GREEKHOUSE_SO
//!
//! Instructions are built by hand (Anchor discriminator `sha256("global:<name>")[..8]` + borsh
//! arguments) so that this crate needs neither anchor-lang nor the program crate.
//! Runs with mainnet's SBPFv0 stack-frame gaps first; when an instruction faults in a gap, it
//! says so and runs everything again with contiguous frames (`--no-stack-gaps` forces those).
//! Exit status: 0 when the program loaded and every instruction ended the way it should (a
//! proper Anchor error counts when that is the expected outcome), 3 when that holds only with
//! contiguous frames, 1 otherwise, 2 when the program could not be loaded.

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

fn litesvm_account(lamports: u64, data: Vec<u8>, owner: Address) -> solana_account::Account {
    solana_account::Account {
        lamports,
        data,
        owner,
        executable: false,
        rent_epoch: 0,
    }
}

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

/// Compute units of the top-level invocation, from its "consumed X of Y" log line (the
/// transaction's figure is the whole limit when it fails).
fn consumed(logs: &[String]) -> Option<u64> {
    let prefix = format!("Program {PROGRAM_ID} consumed ");
    logs.iter()
        .rev()
        .find_map(|l| l.strip_prefix(&prefix)?.split(' ').next()?.parse().ok())
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
            cu: consumed(&failed.meta.logs).unwrap_or(failed.meta.compute_units_consumed),
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

/// Whether any instruction faulted in a stack-frame gap.
fn gap_fault(o: &Outcome) -> bool {
    o.logs.iter().any(|l| l.contains("Access violation in stack frame"))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let force_no_gaps = args.iter().any(|a| a == "--no-stack-gaps");
    let Some(so) = args.iter().find(|a| !a.starts_with("--")) else {
        eprintln!("usage: greekhouse-sbf-runner [--no-stack-gaps] PATH_TO_GREEKHOUSE_SO");
        std::process::exit(2);
    };
    let bytes = std::fs::read(so).unwrap_or_else(|e| {
        println!("runner: cannot read {so}: {e}");
        std::process::exit(2);
    });
    let status = if force_no_gaps {
        if run_all(so, &bytes, false).0 { 0 } else { 1 }
    } else {
        let (ok, faulted) = run_all(so, &bytes, true);
        if faulted {
            println!(
                "runner: WARNING: the program faults in a stack-frame gap with mainnet's SBPFv0 \
                 frame layout (sbpf-linker passes arguments beyond the fifth register above the \
                 caller's frame); again with contiguous frames (virtual_address_space_adjustments):"
            );
            let (ok2, _) = run_all(so, &bytes, false);
            println!("runner: stack_gaps=fault contiguous={}", if ok2 { "ok" } else { "fail" });
            if ok2 { 3 } else { 1 }
        } else {
            println!("runner: stack_gaps=ok");
            if ok { 0 } else { 1 }
        }
    };
    std::process::exit(status);
}

/// Loads the program and runs every instruction; (all as expected, some faulted in a gap).
fn run_all(so: &str, bytes: &[u8], stack_gaps: bool) -> (bool, bool) {
    let program = Address::from_str(PROGRAM_ID).unwrap();
    // Mainnet's features; without stack gaps as in cu-probe/runner (contiguous stack frames).
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
    if let Err(e) = svm.add_program(program, bytes) {
        println!("runner: LiteSVM rejected {so}: {e:?}");
        std::process::exit(2);
    }
    println!(
        "runner: loaded {so} ({} bytes) as {PROGRAM_ID}, stack frames {}",
        bytes.len(),
        if stack_gaps { "with gaps (mainnet SBPFv0)" } else { "contiguous" }
    );
    let mut faulted = false;
    let payer = Keypair::new();
    svm.airdrop(&payer.pubkey(), 10_000_000_000).unwrap();

    let mut all_ok = true;
    let (event_authority, _) = Address::find_program_address(&[b"__event_authority"], &program);

    // 1. propose_admin on a clearing house that does not exist: after dispatching on the
    //    discriminator, Anchor's AccountLoader rejects the (system-owned) account with
    //    AccountOwnedByWrongProgram (3007).
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
    faulted |= gap_fault(&o);
    all_ok &= report(
        "propose_admin (uninitialized clearing house)",
        &o,
        Some("Custom(3007)"),
    );

    // 2. an unknown discriminator: Anchor's InstructionFallbackNotFound (101).
    let ix = Instruction {
        program_id: program,
        accounts: vec![],
        data: vec![0xff; 8],
    };
    let o = run(&mut svm, &payer, ix);
    faulted |= gap_fault(&o);
    all_ok &= report("unknown instruction", &o, Some("Custom(101)"));

    // 3. initialize_clearinghouse with GlobalParams::DEFAULT over a legacy SPL Token mint:
    //    PDA checks, system-program and token-program CPIs (PDA-signed), zero-copy account
    //    creation and an `emit_cpi!` event (a self-CPI through the event authority).
    let token_program = Address::from_str("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA").unwrap();
    let system_program = Address::default();
    let quote_mint = Address::new_unique();
    let mut mint = vec![0u8; 82];
    mint[0] = 1; // COption::Some(mint authority)
    mint[4..36].copy_from_slice(payer.pubkey().as_ref());
    mint[44] = 6; // decimals
    mint[45] = 1; // is_initialized
    svm.set_account(
        quote_mint,
        litesvm_account(1_461_600, mint, token_program),
    )
    .unwrap();
    let creator = payer.pubkey();
    let pda = |seeds: &[&[u8]]| Address::find_program_address(seeds, &program).0;
    let ch = pda(&[b"clearinghouse", quote_mint.as_ref(), creator.as_ref()]);
    let mut data = discriminator("initialize_clearinghouse").to_vec();
    data.extend_from_slice(Address::new_unique().as_ref()); // admin
    data.extend_from_slice(Address::new_unique().as_ref()); // guardian
    // GlobalParams::DEFAULT (all u32, borsh = little-endian in field order):
    // conf_multiplier, end_buffer, min_tte, write_fee, timelock, pad,
    // liquidation {start, fast, fast_secs, slow_secs, fee, tip, tip_max, tip_dust, fund_premium, pad},
    // insurance {cooldown, window}, settlement {max_conf, reserved, debt_grace, backstop_window,
    // backstop_min_price, pad}
    for v in [
        10_000u32, 5_000, 300, 30, 172_800, 0, //
        0, 2_000, 600, 21_600, 500, 10, 50, 100, 500, 0, //
        604_800, 172_800, //
        50, 0, 3_600, 86_400, 1_000, 0,
    ] {
        data.extend_from_slice(&v.to_le_bytes());
    }
    let ix = Instruction {
        program_id: program,
        accounts: vec![
            AccountMeta::new(creator, true),
            AccountMeta::new(ch, false),
            AccountMeta::new_readonly(quote_mint, false),
            AccountMeta::new(pda(&[b"quote_vault", ch.as_ref()]), false),
            AccountMeta::new(pda(&[b"insurance_fund", ch.as_ref()]), false),
            AccountMeta::new(pda(&[b"insurance_vault", ch.as_ref()]), false),
            AccountMeta::new_readonly(token_program, false),
            AccountMeta::new_readonly(system_program, false),
            AccountMeta::new_readonly(event_authority, false),
            AccountMeta::new_readonly(program, false),
        ],
        data,
    };
    let o = run(&mut svm, &payer, ix);
    faulted |= gap_fault(&o);
    let init_ok = report("initialize_clearinghouse", &o, None);
    all_ok &= init_ok;
    if init_ok {
        let acc = svm.get_account(&ch).expect("clearing house account");
        println!(
            "   clearing house account: {} bytes, owner {}",
            acc.data.len(),
            acc.owner
        );
    }

    (all_ok, faulted)
}
