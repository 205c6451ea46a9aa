//! `greekhouse-localnet`: agave's test validator running the Greekhouse program, seeded with a
//! clearing house (SOL and BTC listed and enabled, SOL collateral, option series, funded
//! writers) and priced by the test oracle program.
//!
//! - [`builtins`]: the program and the test oracle hosted natively in the validator's banks.
//! - [`seed`]: the clearing house built on the embedded bank and copied into genesis.
//! - [`Localnet::start`]: genesis, validator, builtins, key files and the manifest
//!   (`greekhouse_sdk::localnet::Manifest`) every client reads.
//!
//! This crate is its own Cargo workspace (`localnet/Cargo.toml`): two agave validator crates
//! pin SDK crates to older patch versions than Anchor 1.2 needs, so it builds them with those
//! pins relaxed (`scripts/localnet-patches.sh`), without touching the main workspace's lock.

pub mod builtins;
pub mod seed;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::Duration;

use greekhouse_sdk::localnet::{write_keypair, Manifest, MANIFEST_FILE};
use solana_account::AccountSharedData;
use solana_test_validator::{TestValidator, TestValidatorGenesis, UpgradeableProgramInfo};

pub use seed::SeedOptions;

/// How to start a local validator.
#[derive(Clone, Debug)]
pub struct LocalnetOptions {
    /// Directory for the ledger, key files and the manifest (emptied first).
    pub dir: PathBuf,
    /// JSON-RPC port; 0 picks a free one.
    pub rpc_port: u16,
    pub seed: SeedOptions,
    /// An sBPF build of the program (`scripts/build-sbf.sh`) to deploy through the upgradeable
    /// loader instead of hosting the program natively; `None`: the native builtin.
    pub program_so: Option<PathBuf>,
}

/// A running local validator and what it was seeded with.
pub struct Localnet {
    pub validator: TestValidator,
    pub manifest: Manifest,
    pub manifest_path: PathBuf,
}

/// Why the local validator did not start.
#[derive(Debug, thiserror::Error)]
pub enum LocalnetError {
    #[error("localnet directory {path}: {source}")]
    Dir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no free local port: {0}")]
    Port(std::io::Error),
    #[error(transparent)]
    Manifest(#[from] greekhouse_sdk::localnet::ManifestError),
    #[error("validator: {0}")]
    Validator(String),
}

/// Publish every underlying's seed price through the test oracle, over RPC: fresh prices at
/// the validator's clock, and the proof that the hosted programs run (retried while the first
/// slots settle).
fn publish_seed_prices(manifest: &Manifest) -> Result<(), LocalnetError> {
    use greekhouse_sdk::chain::Chain;
    use greekhouse_testkit::test_oracle;
    use solana_signer::Signer;
    let authority = greekhouse_sdk::localnet::read_keypair(&manifest.oracle_authority_keypair)?;
    let mut chain = greekhouse_sdk::rpc::RpcChain::new(
        &manifest.rpc_url,
        authority.insecure_clone(),
        greekhouse_sdk::rpc::RpcConfig::default(),
    );
    let instructions: Vec<_> = manifest
        .underlyings
        .iter()
        .map(|u| {
            test_oracle::publish(
                authority.pubkey(),
                test_oracle::label(&u.feed_label),
                u.price,
                u.price.unsigned_abs() / 1_000,
                0,
            )
        })
        .collect();
    let started = std::time::Instant::now();
    loop {
        match chain.send(&instructions, &[]) {
            Ok(_) => return Ok(()),
            Err(_) if started.elapsed() < Duration::from_secs(30) => {
                std::thread::sleep(Duration::from_millis(500));
            }
            Err(e) => {
                return Err(LocalnetError::Validator(format!(
                    "the test oracle did not run on the validator: {e}"
                )))
            }
        }
    }
}

fn free_port() -> Result<u16, LocalnetError> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(LocalnetError::Port)?;
    Ok(listener.local_addr().map_err(LocalnetError::Port)?.port())
}

fn fresh_dir(path: &Path) -> Result<(), LocalnetError> {
    let err = |source| LocalnetError::Dir {
        path: path.to_path_buf(),
        source,
    };
    if path.exists() {
        std::fs::remove_dir_all(path).map_err(err)?;
    }
    std::fs::create_dir_all(path.join("keys")).map_err(err)
}

impl Localnet {
    /// Seed, start the validator, host the programs, and write the manifest.
    pub fn start(options: &LocalnetOptions) -> Result<Self, LocalnetError> {
        fresh_dir(&options.dir)?;
        let dir = options
            .dir
            .canonicalize()
            .map_err(|source| LocalnetError::Dir {
                path: options.dir.clone(),
                source,
            })?;
        let keys = dir.join("keys");
        let mut seed_options = options.seed.clone();
        if seed_options.now == 0 {
            let wall = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or_default();
            // a little behind the wall clock: every recorded time is in the validator's past
            seed_options.now = wall - 60;
        }
        builtins::install_syscall_stubs();
        let seeded = seed::seed(&seed_options, &keys)?;

        let rpc_port = match options.rpc_port {
            0 => free_port()?,
            p => p,
        };
        let native_program = options.program_so.is_none();
        let mut genesis = TestValidatorGenesis::default();
        // getTransaction needs the history store, and a transaction's logs and inner
        // instructions (where the program's events are) are only kept with extended metadata
        let rpc_config = solana_rpc::rpc::JsonRpcConfig {
            enable_rpc_transaction_history: true,
            enable_extended_tx_metadata_storage: true,
            ..solana_rpc::rpc::JsonRpcConfig::default_for_test()
        };
        genesis
            .ledger_path(dir.join("ledger"))
            .rpc_port(rpc_port)
            // gossip defaults to port 2000: a free one lets two validators share a machine
            .gossip_port(free_port()?)
            .rpc_config(rpc_config)
            .add_accounts(
                seeded
                    .accounts
                    .into_iter()
                    .map(|(k, a)| (k, AccountSharedData::from(a))),
            )
            .add_accounts(builtins::genesis_accounts(native_program));
        if let Some(so) = &options.program_so {
            // the deployable program, as a cluster runs it (no upgrade authority: immutable)
            genesis.add_upgradeable_programs_with_path(&[UpgradeableProgramInfo {
                program_id: greekhouse::ID,
                loader: solana_sdk_ids::bpf_loader_upgradeable::id(),
                upgrade_authority: anchor_lang::prelude::Pubkey::default(),
                program_path: so.clone(),
            }]);
        }
        let faucet = solana_keypair::Keypair::new();
        let validator = genesis
            .start_with_mint_address(
                solana_signer::Signer::pubkey(&faucet),
                solana_streamer::socket::SocketAddrSpace::new(true),
            )
            .map_err(|e| LocalnetError::Validator(e.to_string()))?;
        builtins::install(&validator, native_program, Duration::from_secs(3))
            .map_err(LocalnetError::Validator)?;
        builtins::keep_installed(&validator, native_program);

        let mut manifest = seeded.manifest;
        manifest.rpc_url = validator.rpc_url();
        manifest.ws_url = validator.rpc_pubsub_url();
        publish_seed_prices(&manifest)?;
        write_keypair(&faucet, &manifest.faucet_keypair)?;
        let manifest_path = dir.join(MANIFEST_FILE);
        manifest.save(&manifest_path)?;
        Ok(Self {
            validator,
            manifest,
            manifest_path,
        })
    }
}
