//! The in-process bank: `solana-program-test` with the Greekhouse program, the real SPL Token,
//! Token-2022 and ATA programs, Pyth accounts written directly, and a clock the caller controls.
//! Implements [`Chain`], so tests, the demo, the bot and the simulator run the real program
//! exactly as they would against a cluster.
//!
//! The program runs natively by default. With [`PROGRAM_SO_ENV`] naming an sBPF build of it
//! (`scripts/build-sbf.sh`), the bank loads that `.so` instead and runs it in the Solana VM,
//! with its stack, heap and compute-unit limits: every test built on this bank then runs on the
//! deployable program (`scripts/test-sbf.sh`).

use anchor_lang::prelude::{AccountInfo, Pubkey};
use anchor_lang::solana_program::clock::Clock;
use anchor_lang::solana_program::entrypoint::ProgramResult;
use anchor_lang::solana_program::instruction::Instruction;
use solana_account::Account;
use solana_keypair::Keypair;
use solana_program_test::{processor, BanksClientError, ProgramTest, ProgramTestContext};
use solana_signer::Signer;
use solana_transaction::Transaction;
use solana_transaction_error::TransactionError;

use crate::bank_accounts::KnownAccounts;
use crate::chain_ops::ChainOps;
use greekhouse_sdk::chain::{Chain, ChainError, TxOutcome};
use greekhouse_sdk::events::GreekhouseEvent;

/// The program's entrypoint with the lifetimes `processor!` expects. Anchor 1.x's `entry` ties
/// every argument to one lifetime; the account infos live in the runtime's parameter buffer for
/// the whole call, so widening the slice's lifetime is sound here.
fn program_entry(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let accounts: &[AccountInfo] = unsafe { std::mem::transmute(accounts) };
    greekhouse::entry(program_id, accounts, data)
}

/// Environment variable naming an sBPF build of the program (`greekhouse.so`) for the bank to
/// run instead of the native program.
pub const PROGRAM_SO_ENV: &str = "GREEKHOUSE_PROGRAM_SO";

/// Environment variable naming a file to which a bank running the sBPF build appends, for
/// every transaction it lands or refuses, one line per Greekhouse instruction:
/// `<instruction name> <compute units> <accounts> <shape> <transaction bytes>`, the shape being
/// [`InstructionShape`]'s four counts (`scripts/test-sbf.sh` builds the CU table of
/// docs/performance.md and the SDK's measured budget from it with `scripts/cu-table.py`).
pub const CU_LOG_ENV: &str = "GREEKHOUSE_CU_LOG";

/// Environment variable that, set (to anything but empty) beside [`PROGRAM_SO_ENV`], lifts
/// every transaction's compute-unit limit to the most, the SDK's own limits included: a blessing
/// run (`scripts/test-sbf.sh --bless`) measures what each instruction costs, not whether it
/// fits the limit the SDK asked for; a checking run keeps the SDK's limits, so it tests them.
pub const CU_UNCAPPED_ENV: &str = "GREEKHOUSE_CU_UNCAPPED";

/// Solana's largest transaction on the wire (`PACKET_DATA_SIZE`): a cluster refuses a bigger
/// one, the bank does not, so the CU log records each transaction's size.
pub const MAX_TRANSACTION_BYTES: usize = 1_232;

/// What an instruction's cost grows with, read from the program accounts it names before it
/// runs: writer accounts and their positions, `Underlying` and `CollateralAsset` accounts (each
/// key once).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InstructionShape {
    pub writers: usize,
    pub positions: usize,
    pub underlyings: usize,
    pub assets: usize,
}

impl std::fmt::Display for InstructionShape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} {} {}",
            self.writers, self.positions, self.underlyings, self.assets
        )
    }
}

/// The wire size of a legacy transaction: its signatures (a compact length, then 64 bytes each)
/// and its serialized message.
pub fn legacy_transaction_size(tx: &Transaction) -> usize {
    let signatures = usize::from(tx.message.header.num_required_signatures);
    // the compact length of fewer than 128 signatures is one byte
    let signature_count_len = if signatures < 0x80 { 1 } else { 2 };
    signature_count_len + 64 * signatures + tx.message.serialize().len()
}

/// [`legacy_transaction_size`] of `instructions` paid by `payer`, as the bank would send them.
pub fn transaction_size(instructions: &[Instruction], payer: &Pubkey) -> usize {
    legacy_transaction_size(&Transaction::new_with_payer(instructions, Some(payer)))
}

/// Which build of the program a bank runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProgramBuild {
    /// Registered natively (a builtin of this process): fast, no VM limits.
    Native,
    /// The sBPF `.so` at this path, in the VM.
    Sbf(std::path::PathBuf),
}

impl ProgramBuild {
    /// [`ProgramBuild::Sbf`] when [`PROGRAM_SO_ENV`] is set (and not empty), else native.
    pub fn from_env() -> Self {
        match std::env::var_os(PROGRAM_SO_ENV) {
            Some(path) if !path.is_empty() => ProgramBuild::Sbf(path.into()),
            _ => ProgramBuild::Native,
        }
    }
}

/// A Solana bank in this process.
pub struct BankChain {
    runtime: tokio::runtime::Runtime,
    context: ProgramTestContext,
    payer: Keypair,
    now: i64,
    /// `now` is not yet in the bank's Clock sysvar.
    clock_pending: bool,
    /// A slot per transaction ([`BankChain::set_slot_per_transaction`]), and otherwise the
    /// transactions processed in the current slot.
    slot_per_transaction: bool,
    sent_this_slot: std::collections::HashSet<[u8; 64]>,
    quiet: bool,
    /// Every account key any transaction of this bank named, and what is known of it: the
    /// bank has no index of program accounts, so [`Chain::program_accounts`] looks among these,
    /// reading again only those a transaction named (or the test wrote) since
    /// ([`KnownAccounts`]).
    known: KnownAccounts,
    /// Transactions sent (landed or refused), for throughput figures.
    sent: u64,
    /// With a seed, every key this bank makes is derived from it, so a simulated run is
    /// reproducible down to account addresses (and so to the order accounts are scanned in).
    key_seed: Option<u64>,
    key_counter: u64,
    build: ProgramBuild,
}

/// While any is alive, file descriptor 1 goes to /dev/null. Natively, `msg!` in the program
/// prints to the process's stdout; the same logs come back in [`TxOutcome::logs`], so a tool
/// that owns its stdout (the CLI's `--json`, the simulator) silences them. Process-wide and
/// counted, so silencers held at once by several threads (banks run in parallel) nest: the first
/// redirects fd 1, the last one dropped restores it.
pub struct SilencedStdout {
    _counted: (),
}

/// How many silencers are alive, and the saved fd 1 while any is.
static SILENCED: std::sync::Mutex<(usize, i32)> = std::sync::Mutex::new((0, -1));

impl SilencedStdout {
    /// Silence fd 1 until the returned value is dropped; `None` if it could not be redirected
    /// (fd 1 is then left as it was).
    pub fn new() -> Option<Self> {
        let mut state = SILENCED.lock().unwrap_or_else(|e| e.into_inner());
        if state.0 == 0 {
            use std::io::Write;
            let _ = std::io::stdout().flush();
            // SAFETY: plain descriptor calls; every failure is checked and leaves fd 1 as it was.
            unsafe {
                let saved = libc::dup(1);
                if saved < 0 {
                    return None;
                }
                let null = libc::open(c"/dev/null".as_ptr(), libc::O_WRONLY);
                if null < 0 || libc::dup2(null, 1) < 0 {
                    libc::close(saved);
                    if null >= 0 {
                        libc::close(null);
                    }
                    return None;
                }
                libc::close(null);
                state.1 = saved;
            }
        }
        state.0 += 1;
        Some(Self { _counted: () })
    }
}

impl Drop for SilencedStdout {
    fn drop(&mut self) {
        let mut state = SILENCED.lock().unwrap_or_else(|e| e.into_inner());
        state.0 -= 1;
        if state.0 == 0 {
            use std::io::Write;
            let _ = std::io::stdout().flush();
            // SAFETY: restores the descriptor saved by the first silencer.
            unsafe {
                libc::dup2(state.1, 1);
                libc::close(state.1);
            }
            state.1 = -1;
        }
    }
}

/// Append the compute units of each top-level Greekhouse instruction in `logs` to the file
/// [`CU_LOG_ENV`] names: its name (Anchor's `Instruction: <Name>` log line), the units the
/// runtime reports for it (its CPIs included), the number of accounts it took, its shape and the
/// transaction's size.
fn log_compute_units(
    path: &std::ffi::OsStr,
    instructions: &[Instruction],
    shapes: &[InstructionShape],
    tx_bytes: usize,
    logs: &[String],
) {
    let lines = compute_unit_lines(instructions, shapes, tx_bytes, logs);
    if lines.is_empty() {
        return;
    }
    use std::io::Write;
    // one write per transaction: lines of parallel test processes do not interleave
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ = f.write_all(lines.as_bytes());
    }
}

/// The lines [`log_compute_units`] appends for one transaction's `logs`: per top-level
/// Greekhouse instruction, `<name> <units> <accounts> <shape> <tx_bytes>`, `shapes` being those
/// instructions' shapes in order (tested in the integration binary, `bank.rs`).
pub fn compute_unit_lines(
    instructions: &[Instruction],
    shapes: &[InstructionShape],
    tx_bytes: usize,
    logs: &[String],
) -> String {
    let program = greekhouse::ID.to_string();
    let top_level = format!("Program {program} invoke [1]");
    let consumed = format!("Program {program} consumed ");
    let mut accounts = instructions
        .iter()
        .filter(|ix| ix.program_id == greekhouse::ID)
        .map(|ix| ix.accounts.len())
        .zip(
            shapes
                .iter()
                .copied()
                .chain(std::iter::repeat(InstructionShape::default())),
        );
    let mut lines = String::new();
    let mut name: Option<String> = None;
    // invocation depth from the runtime's `invoke [n]` / `success` / `failed` lines: the
    // instruction's own `consumed` line is the one at depth 1 (its CPIs' come before it)
    let mut depth = 0usize;
    for line in logs {
        if line.starts_with("Program ") && line.contains(" invoke [") {
            depth += 1;
            if *line == top_level {
                name = None;
            }
        } else if line.starts_with("Program ")
            && (line.ends_with(" success") || line.contains(" failed: "))
        {
            depth = depth.saturating_sub(1);
        } else if depth == 1 && name.is_none() {
            name = line
                .strip_prefix("Program log: Instruction: ")
                .map(str::to_string);
        }
        if let Some(rest) = line.strip_prefix(&consumed) {
            if depth == 1 {
                if let Some(units) = rest.split_whitespace().next() {
                    let (n, shape) = accounts.next().unwrap_or_default();
                    let name = name.take().unwrap_or_else(|| "unknown".into());
                    lines.push_str(&format!("{name} {units} {n} {shape} {tx_bytes}\n"));
                }
            }
        }
    }
    lines
}

/// Whether `ix` is a compute-budget `SetComputeUnitLimit`.
fn is_unit_limit(ix: &Instruction) -> bool {
    let compute_budget = greekhouse_sdk::ix::compute_unit_limit(0).program_id;
    ix.program_id == compute_budget && ix.data.first() == Some(&2)
}

/// Whether `instructions` set a compute-unit limit themselves.
fn has_unit_limit(instructions: &[Instruction]) -> bool {
    instructions.iter().any(is_unit_limit)
}

fn backend<E: std::fmt::Display>(e: E) -> ChainError {
    ChainError::Backend(e.to_string())
}

/// Unix time the bank starts at: 2026-01-01T00:00:00Z.
pub const GENESIS_UNIX_TIMESTAMP: i64 = 1_767_225_600;

/// solana-program-test's default log filter prints every program log line of every transaction
/// at debug level through the `log` crate (unless `RUST_LOG` says otherwise): formatting and
/// writing them cost more than running the transaction (the lifecycle fuzzer ran about fifteen
/// times slower with them: docs/performance.md). Nothing reads that output: the kit reads a
/// transaction's logs from its metadata. So a bank starts with `RUST_LOG=error` unless the
/// environment sets `RUST_LOG` (set it to see the logs).
fn quiet_logger_by_default() {
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| {
        if std::env::var_os("RUST_LOG").is_none() {
            std::env::set_var("RUST_LOG", "error");
        }
    });
}

impl BankChain {
    /// Start a bank with the program loaded and the clock at [`GENESIS_UNIX_TIMESTAMP`]: the
    /// build [`ProgramBuild::from_env`] names.
    pub fn start() -> Result<Self, ChainError> {
        Self::start_with(ProgramBuild::from_env())
    }

    /// Start a bank running `build` of the program.
    pub fn start_with(build: ProgramBuild) -> Result<Self, ChainError> {
        quiet_logger_by_default();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(backend)?;
        let mut test = match &build {
            ProgramBuild::Native => {
                ProgramTest::new("greekhouse", greekhouse::ID, processor!(program_entry))
            }
            ProgramBuild::Sbf(so) => {
                let elf = std::fs::read(so)
                    .map_err(|e| backend(format!("reading {}: {e}", so.display())))?;
                let mut test = ProgramTest::default();
                // what `add_program` does for an `.so` (loader v2: the account is the ELF)
                test.add_account(
                    greekhouse::ID,
                    Account {
                        lamports: anchor_lang::solana_program::rent::Rent::default()
                            .minimum_balance(elf.len())
                            .max(1),
                        data: elf,
                        owner: solana_sdk_ids::bpf_loader::id(),
                        executable: true,
                        rent_epoch: 0,
                    },
                );
                test
            }
        };
        // the test oracle stays a native builtin in both cases
        test.prefer_bpf(false);
        test.add_program(
            "greekhouse_test_oracle",
            crate::test_oracle::ID,
            processor!(crate::test_oracle::process_instruction),
        );
        let context = runtime.block_on(test.start_with_context());
        let payer = context.payer.insecure_clone();
        let mut chain = Self {
            runtime,
            context,
            payer,
            now: GENESIS_UNIX_TIMESTAMP,
            clock_pending: true,
            slot_per_transaction: true,
            sent_this_slot: Default::default(),
            quiet: false,
            known: KnownAccounts::default(),
            sent: 0,
            key_seed: None,
            key_counter: 0,
            build,
        };
        chain.set_unix_timestamp(GENESIS_UNIX_TIMESTAMP)?;
        Ok(chain)
    }

    /// A bank whose keys ([`BankChain::new_keypair`]) derive from `seed`.
    pub fn start_seeded(seed: u64) -> Result<Self, ChainError> {
        let mut chain = Self::start()?;
        chain.key_seed = Some(seed);
        Ok(chain)
    }

    /// A new keypair: random, or the next key of the seeded stream. Simulation keys only: the
    /// stream is reproducible by design, not secret.
    pub fn new_keypair(&mut self) -> Keypair {
        let Some(seed) = self.key_seed else {
            return Keypair::new();
        };
        self.key_counter += 1;
        let mut bytes = [0u8; 32];
        let mut z = seed ^ self.key_counter.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        for chunk in bytes.chunks_mut(8) {
            z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut x = z;
            x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            chunk.copy_from_slice(&(x ^ (x >> 31)).to_le_bytes());
        }
        Keypair::new_from_array(bytes)
    }

    /// The build of the program this bank runs.
    pub fn program_build(&self) -> &ProgramBuild {
        &self.build
    }

    /// Transactions this bank was asked to send (landed or refused).
    pub fn transactions_sent(&self) -> u64 {
        self.sent
    }

    /// Silence what the natively running program prints to stdout during transactions (its
    /// logs are still returned in [`TxOutcome::logs`] and in [`ChainError::Transaction`]).
    pub fn set_quiet(&mut self, quiet: bool) {
        self.quiet = quiet;
    }

    /// Set the cluster clock (kept across the slot advances of later transactions).
    pub fn set_unix_timestamp(&mut self, unix_timestamp: i64) -> Result<(), ChainError> {
        // written into the bank's Clock before the next transaction (every send moves to a new
        // slot and restores it) or read of the sysvar: a caller who moves the clock many times
        // between transactions (the simulator's bots' ticks) pays for one write
        self.now = unix_timestamp;
        self.clock_pending = true;
        Ok(())
    }

    /// Move the clock forward by `seconds`.
    pub fn advance(&mut self, seconds: i64) -> Result<(), ChainError> {
        self.set_unix_timestamp(self.now + seconds)
    }

    fn apply_clock(&mut self) -> Result<(), ChainError> {
        let mut clock: Clock = self
            .runtime
            .block_on(self.context.banks_client.get_sysvar::<Clock>())
            .map_err(backend)?;
        clock.unix_timestamp = self.now;
        self.context.set_sysvar(&clock);
        self.clock_pending = false;
        Ok(())
    }

    /// Advance one slot (a fresh blockhash, so identical transactions can be sent again) and
    /// restore the clock the caller set.
    fn next_slot(&mut self) -> Result<(), ChainError> {
        let clock: Clock = self
            .runtime
            .block_on(self.context.banks_client.get_sysvar::<Clock>())
            .map_err(backend)?;
        self.context
            .warp_to_slot(clock.slot + 1)
            .map_err(|e| backend(format!("{e:?}")))?;
        self.apply_clock()
    }

    /// With `true` (the default) every transaction runs in a slot of its own. With `false`,
    /// transactions share a slot until one would repeat a transaction processed in it: the program never
    /// reads the slot, and each new slot makes the bank write its slot sysvars (the slot
    /// history alone is 128 KiB) into an accounts store nothing cleans in the test runtime, so a
    /// long simulation (tens of thousands of transactions) would grow by gigabytes.
    pub fn set_slot_per_transaction(&mut self, on: bool) {
        self.slot_per_transaction = on;
        self.sent_this_slot.clear();
    }

    /// Write an account directly (oracle accounts, crafted fixtures).
    pub fn set_account(&mut self, key: &Pubkey, account: Account) {
        self.context.set_account(key, &account.into());
        self.known.written(key);
    }

    /// A funded keypair (see [`ChainOps`]; these inherent forms need no trait import).
    pub fn funded_keypair(&mut self, lamports: u64) -> Result<Keypair, ChainError> {
        ChainOps::funded_keypair(self, lamports)
    }

    /// Send lamports from the payer.
    pub fn transfer_lamports(&mut self, to: &Pubkey, lamports: u64) -> Result<(), ChainError> {
        ChainOps::transfer_lamports(self, to, lamports)
    }

    /// Create a mint under `token_program` (SPL Token or Token-2022, no extensions).
    pub fn create_mint(
        &mut self,
        token_program: &Pubkey,
        decimals: u8,
        authority: &Pubkey,
    ) -> Result<Pubkey, ChainError> {
        ChainOps::create_mint(self, token_program, decimals, authority)
    }

    /// The associated token account of `owner`, created if missing.
    pub fn token_account(
        &mut self,
        owner: &Pubkey,
        mint: &Pubkey,
        token_program: &Pubkey,
    ) -> Result<Pubkey, ChainError> {
        ChainOps::token_account(self, owner, mint, token_program)
    }

    /// Mint `amount` to `account`.
    pub fn mint_to(
        &mut self,
        token_program: &Pubkey,
        mint: &Pubkey,
        account: &Pubkey,
        authority: &Keypair,
        amount: u64,
    ) -> Result<(), ChainError> {
        ChainOps::mint_to(self, token_program, mint, account, authority, amount)
    }

    /// Token balance of a token account (0 when it does not exist).
    pub fn token_balance(&mut self, account: &Pubkey) -> Result<u64, ChainError> {
        ChainOps::token_balance(self, account)
    }

    /// Supply of a mint.
    pub fn mint_supply(&mut self, mint: &Pubkey) -> Result<u64, ChainError> {
        ChainOps::mint_supply(self, mint)
    }

    /// Every account a transaction of this bank named that still exists, with its data: the
    /// state a local validator's genesis is seeded with (`greekhouse-localnet`). Programs,
    /// sysvars and other executable accounts are left out; the validator brings its own.
    pub fn known_accounts(&mut self) -> Result<Vec<(Pubkey, Account)>, ChainError> {
        let keys: Vec<Pubkey> = self.known.keys().copied().collect();
        let mut out = Vec::new();
        for key in keys {
            let Some(account) = self.account(&key)? else {
                continue;
            };
            let sysvar = account.owner == solana_sdk_ids::sysvar::ID;
            if account.executable || sysvar || key == greekhouse::ID {
                continue;
            }
            out.push((key, account));
        }
        Ok(out)
    }

    /// The [`InstructionShape`] of `ix` now: its program accounts, each key once, decoded.
    fn shape_of(&mut self, ix: &Instruction) -> Result<InstructionShape, ChainError> {
        use anchor_lang::Discriminator;
        use greekhouse::state::{CollateralAsset, Underlying, WriterAccount};
        let mut shape = InstructionShape::default();
        let mut keys: Vec<Pubkey> = ix.accounts.iter().map(|a| a.pubkey).collect();
        keys.sort();
        keys.dedup();
        for key in keys {
            let Some(account) = self.account(&key)? else {
                continue;
            };
            if account.owner != greekhouse::ID {
                continue;
            }
            let data = &account.data;
            if data.starts_with(WriterAccount::DISCRIMINATOR) {
                let writer = greekhouse_sdk::accounts::writer_account(data)
                    .map_err(|e| backend(format!("{key}: {e}")))?;
                shape.writers += 1;
                shape.positions += writer.position_count();
            } else if data.starts_with(Underlying::DISCRIMINATOR) {
                shape.underlyings += 1;
            } else if data.starts_with(CollateralAsset::DISCRIMINATOR) {
                shape.assets += 1;
            }
        }
        Ok(shape)
    }

    /// The payer keypair (funded with the genesis balance).
    pub fn payer_keypair(&self) -> &Keypair {
        &self.payer
    }
}

fn transaction_error(err: &TransactionError, logs: Vec<String>) -> ChainError {
    let custom_code = greekhouse_sdk::errors::custom_code(err);
    let name = custom_code.and_then(greekhouse_sdk::errors::error_name);
    ChainError::Transaction {
        message: match name {
            Some(name) => format!("{err:?}: {name}"),
            None => format!("{err:?}"),
        },
        custom_code,
        logs,
    }
}

/// The bank's keys come from its seeded stream when it has one.
impl ChainOps for BankChain {
    fn new_keypair(&mut self) -> Keypair {
        BankChain::new_keypair(self)
    }
}

impl Chain for BankChain {
    fn payer(&self) -> Pubkey {
        self.payer.pubkey()
    }

    fn account(&mut self, key: &Pubkey) -> Result<Option<Account>, ChainError> {
        if let Some(a) = self.known.program_account(key) {
            return Ok(Some(a.clone()));
        }
        if self.clock_pending && *key == solana_sdk_ids::sysvar::clock::ID {
            self.apply_clock()?;
        }
        let account = self
            .runtime
            .block_on(self.context.banks_client.get_account(*key))
            .map_err(backend)?;
        self.known.read(key, account.as_ref(), &greekhouse::ID);
        Ok(account)
    }

    fn send(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<TxOutcome, ChainError> {
        let _silenced = if self.quiet {
            SilencedStdout::new()
        } else {
            None
        };
        if self.slot_per_transaction {
            self.next_slot()?;
        }
        let blockhash = self
            .runtime
            .block_on(self.context.banks_client.get_latest_blockhash())
            .map_err(backend)?;
        self.sent += 1;
        let with_limit: Vec<Instruction>;
        let mut instructions = instructions;
        let uncapped = std::env::var_os(CU_UNCAPPED_ENV).is_some_and(|v| !v.is_empty());
        if matches!(self.build, ProgramBuild::Sbf(_)) && (uncapped || !has_unit_limit(instructions))
        {
            // in the VM a transaction gets 200,000 CU per instruction unless it asks: like the
            // RPC backend, ask for the most (tests check behaviour; the CU table is measured)
            with_limit = std::iter::once(greekhouse_sdk::ix::compute_unit_limit(
                greekhouse_sdk::budget::MAX_UNITS,
            ))
            .chain(instructions.iter().filter(|ix| !is_unit_limit(ix)).cloned())
            .collect();
            instructions = &with_limit;
        }
        let mut tx = Transaction::new_with_payer(instructions, Some(&self.payer.pubkey()));
        self.known.touched(tx.message.account_keys.iter().copied());
        // sign with exactly the keys the message needs, once each
        let required: Vec<Pubkey> =
            tx.message.account_keys[..tx.message.header.num_required_signatures as usize].to_vec();
        // (a copy of the payer: the slot may have to move while the keys are held)
        let payer = self.payer.insecure_clone();
        let mut keys: Vec<&Keypair> = vec![&payer];
        for s in signers {
            if required.contains(&s.pubkey()) && !keys.iter().any(|k| k.pubkey() == s.pubkey()) {
                keys.push(s);
            }
        }
        tx.try_sign(&keys, blockhash)
            .map_err(|e| backend(format!("signing: {e}")))?;
        if !self.slot_per_transaction {
            // a transaction processed twice in a slot would be refused as already processed:
            // only then move to the next slot (and a fresh blockhash)
            let signature: [u8; 64] = tx.signatures[0].into();
            if self.sent_this_slot.contains(&signature) {
                self.next_slot()?;
                self.sent_this_slot.clear();
                let blockhash = self
                    .runtime
                    .block_on(self.context.banks_client.get_latest_blockhash())
                    .map_err(backend)?;
                tx.try_sign(&keys, blockhash)
                    .map_err(|e| backend(format!("signing: {e}")))?;
            } else if self.clock_pending {
                self.apply_clock()?;
            }
        }

        // simulate first: the simulation returns the inner instructions that carry the events
        let sim = self
            .runtime
            .block_on(self.context.banks_client.simulate_transaction(tx.clone()))
            .map_err(backend)?;
        let (logs, inner_instructions, units_consumed) = match sim.simulation_details {
            Some(d) => (d.logs, d.inner_instructions, d.units_consumed),
            None => (Vec::new(), None, 0),
        };
        if let (ProgramBuild::Sbf(_), Some(path)) = (&self.build, std::env::var_os(CU_LOG_ENV)) {
            // the shapes are read now, before the transaction lands
            let shapes = instructions
                .iter()
                .filter(|ix| ix.program_id == greekhouse::ID)
                .map(|ix| self.shape_of(ix))
                .collect::<Result<Vec<_>, _>>()?;
            let tx_bytes = legacy_transaction_size(&tx);
            log_compute_units(&path, instructions, &shapes, tx_bytes, &logs);
        }
        if let Some(Err(err)) = sim.result {
            return Err(transaction_error(&err, logs));
        }
        let keys_in_message = &tx.message.account_keys;
        let mut events = Vec::new();
        for inner in inner_instructions.unwrap_or_default() {
            for ix in inner {
                let program = keys_in_message.get(ix.instruction.program_id_index as usize);
                if program == Some(&greekhouse::ID) {
                    if let Some(event) = GreekhouseEvent::decode(&ix.instruction.data) {
                        events.push(event);
                    }
                }
            }
        }
        let named = tx.message.account_keys.clone();
        if !self.slot_per_transaction {
            // only a processed transaction is remembered by the bank (one its simulation refused
            // may be sent again in the slot)
            self.sent_this_slot.insert(tx.signatures[0].into());
        }
        let processed = self
            .runtime
            .block_on(self.context.banks_client.process_transaction(tx));
        // what the transaction named may have changed (landed or not: the fee payer pays)
        self.known.touched(named);
        match processed {
            Ok(()) => Ok(TxOutcome {
                events,
                logs,
                compute_units: units_consumed,
            }),
            Err(BanksClientError::TransactionError(err)) => Err(transaction_error(&err, logs)),
            Err(BanksClientError::SimulationError { err, logs, .. }) => {
                Err(transaction_error(&err, logs))
            }
            Err(e) => Err(backend(e)),
        }
    }

    fn program_accounts(
        &mut self,
        discriminator: &[u8],
    ) -> Result<Vec<(Pubkey, Account)>, ChainError> {
        for key in self.known.stale() {
            self.account(&key)?;
        }
        Ok(self.known.program_accounts(discriminator))
    }

    fn unix_timestamp(&mut self) -> Result<i64, ChainError> {
        // the bank's Clock is the caller's time whenever a transaction runs (see
        // `set_unix_timestamp`)
        Ok(self.now)
    }
}
