//! The Greekhouse program and the test oracle, hosted natively in the validator's banks.
//!
//! By default the validator runs the program the way `solana-program-test` does: as a builtin
//! whose entrypoint is the program's Rust `entry`, with program-test's syscall stubs serving its
//! CPIs (token transfers, the event self-CPI) and sysvars. With an sBPF build
//! (`--program-so`, `scripts/build-sbf.sh`) the program is deployed through the upgradeable
//! loader instead and only the test oracle is hosted here. Everything around the program is the real validator:
//! banking stage, replay, RPC, the SPL Token programs as sBPF.
//!
//! A bank's builtins are fixed when the bank is created from its parent, so the builtins are
//! added to every bank that exists, repeatedly for a few slots: from then on every new bank
//! descends from one that has them and inherits them. A watchdog thread repeats the pass every
//! second for the life of the process. Their program accounts (owned by the native loader) are
//! in genesis, so no bank is written to.

use std::time::{Duration, Instant};

use anchor_lang::prelude::{AccountInfo, Pubkey};
use anchor_lang::solana_program::entrypoint::ProgramResult;
use solana_account::{AccountSharedData, WritableAccount};
use solana_program_runtime::invoke_context::BuiltinFunctionWithContext;
use solana_program_runtime::loaded_programs::ProgramCacheEntry;
use solana_program_test::processor;
use solana_test_validator::TestValidator;

/// The program's entrypoint with the lifetimes `processor!` expects (as in the SDK's bank):
/// the account infos live in the runtime's parameter buffer for the whole call.
fn greekhouse_entry(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let accounts: &[AccountInfo] = unsafe { std::mem::transmute(accounts) };
    greekhouse::entry(program_id, accounts, data)
}

/// The programs this validator hosts natively: (program id, name). The Greekhouse program is
/// one of them unless its sBPF build is deployed (`native_program` false).
pub fn hosted(native_program: bool) -> Vec<(Pubkey, &'static str)> {
    let mut programs = vec![(
        greekhouse_testkit::test_oracle::ID,
        "greekhouse_test_oracle",
    )];
    if native_program {
        programs.insert(0, (greekhouse::ID, "greekhouse"));
    }
    programs
}

/// Genesis accounts of the hosted programs: executable, owned by the native loader.
pub fn genesis_accounts(native_program: bool) -> Vec<(Pubkey, AccountSharedData)> {
    hosted(native_program)
        .into_iter()
        .map(|(id, name)| {
            let mut account = AccountSharedData::new(
                1_000_000_000,
                name.len(),
                &solana_sdk_ids::native_loader::ID,
            );
            account.set_data_from_slice(name.as_bytes());
            account.set_executable(true);
            (id, account)
        })
        .collect()
}

/// Program-test installs its syscall stubs (CPI, sysvars, logs for native programs) once per
/// process, when it first builds a bank; start one throwaway bank to install them.
pub fn install_syscall_stubs() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime for program-test's stubs");
        let test = solana_program_test::ProgramTest::default();
        drop(runtime.block_on(test.start_with_context()));
    });
}

type Forks = std::sync::Arc<std::sync::RwLock<solana_runtime::bank_forks::BankForks>>;

fn entry_of(id: Pubkey) -> BuiltinFunctionWithContext {
    let entry: Option<BuiltinFunctionWithContext> = if id == greekhouse::ID {
        processor!(greekhouse_entry)
    } else {
        processor!(greekhouse_testkit::test_oracle::process_instruction)
    };
    entry.expect("processor! gives a builtin function")
}

/// One pass: add the hosted programs to every bank of the validator. Adding is idempotent:
/// the program accounts exist in genesis (so no bank is written to) and a builtin replaces the
/// same builtin in the shared program cache.
fn add_to_every_bank(forks: &Forks, native_program: bool) -> Result<(), String> {
    let forks = forks.read().map_err(|_| "bank forks lock poisoned")?;
    for bank in forks.banks().values() {
        for (id, name) in hosted(native_program) {
            let entry = ProgramCacheEntry::new_builtin(0, name.len(), entry_of(id));
            bank.add_builtin(id, name, entry);
        }
    }
    Ok(())
}

/// Add the hosted programs to the validator's banks for a few slots, so every bank created
/// from then on descends from one that has them (a child inherits its parent's builtins).
/// The caller then proves it with a transaction to the test oracle ([`crate::Localnet::start`]).
pub fn install(
    validator: &TestValidator,
    native_program: bool,
    settle: Duration,
) -> Result<(), String> {
    install_syscall_stubs();
    let started = Instant::now();
    let forks = validator.bank_forks();
    while started.elapsed() < settle {
        add_to_every_bank(&forks, native_program)?;
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
}

/// A watchdog thread that repeats the pass every second for the life of the process, so a
/// bank that somehow missed the programs (none should) gets them within a second.
pub fn keep_installed(validator: &TestValidator, native_program: bool) {
    let forks = validator.bank_forks();
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_secs(1));
        if add_to_every_bank(&forks, native_program).is_err() {
            return;
        }
    });
}
