//! The clearing house a local validator starts with, built on the embedded bank by the scenario
//! kit (the same code the tests and the demo use) and copied into the validator's genesis.
//!
//! Building it on the bank first is what makes the listings usable at once: a listing is
//! created disabled and enabling it is a timelocked governance change (48 h by default), which
//! the bank can wait out by moving its clock and a real validator cannot. The bank's clock is
//! set just behind the wall clock, so every timestamp the accounts record lies in the
//! validator's past.

use std::path::Path;

use anchor_lang::prelude::Pubkey;
use greekhouse_sdk::localnet::{
    write_keypair, Manifest, ManifestError, SeriesEntry, TokenEntry, UnderlyingEntry, WriterEntry,
};
use greekhouse_testkit::scenario::{
    expiry_after, Env, EnvOptions, OracleSetup, LAMPORTS_PER_SOL, PYTH_EXPO, SPL_TOKEN, USDC,
};
use greekhouse_testkit::test_oracle;
use solana_account::Account;
use solana_keypair::Keypair;
use solana_signer::Signer;

/// What to seed.
#[derive(Clone, Debug)]
pub struct SeedOptions {
    /// Funded writers, each with an open margin account.
    pub writers: usize,
    /// Quote each writer holds in its wallet, and the part of it deposited.
    pub writer_quote: u64,
    pub writer_deposit: u64,
    /// SOL collateral each writer holds in its wallet.
    pub writer_sol: u64,
    /// Unix time the seeded state is built at (just behind the validator's clock).
    pub now: i64,
}

impl Default for SeedOptions {
    fn default() -> Self {
        Self {
            writers: 3,
            writer_quote: 1_000_000 * USDC,
            writer_deposit: 100_000 * USDC,
            writer_sol: 1_000 * LAMPORTS_PER_SOL,
            now: 0,
        }
    }
}

/// The seeded state: accounts for genesis and the manifest (with `rpc_url` still empty).
pub struct Seeded {
    pub accounts: Vec<(Pubkey, Account)>,
    pub manifest: Manifest,
}

/// Build the clearing house on the bank, write the role and writer key files into `keys_dir`,
/// and return every account for the validator's genesis.
pub fn seed(options: &SeedOptions, keys_dir: &Path) -> Result<Seeded, ManifestError> {
    let mut env = Env::with_options(EnvOptions {
        oracle: OracleSetup::TestOracle,
        start_unix_timestamp: Some(options.now),
        seed: None,
    });
    let now = env.now();
    let series_specs = [
        (env.sol, 0u8, 160 * USDC, expiry_after(now, 7)),
        (env.sol, 1u8, 140 * USDC, expiry_after(now, 7)),
        (env.sol, 0u8, 180 * USDC, expiry_after(now, 28)),
        (env.btc, 0u8, 100_000 * USDC, expiry_after(now, 7)),
    ];
    let mut series = Vec::new();
    for (u, kind, strike, expiry) in series_specs {
        let address = env
            .create_series(u, kind, strike, expiry)
            .expect("localnet seed: create_series");
        series.push(SeriesEntry {
            address,
            underlying: u.key,
            kind: if kind == 0 { "call" } else { "put" }.into(),
            strike,
            expiry,
        });
    }

    let file = |name: &str| keys_dir.join(format!("{name}.json"));
    let mut writers = Vec::new();
    for i in 0..options.writers {
        let w = env.writer(options.writer_quote, options.writer_sol);
        if options.writer_deposit > 0 {
            env.deposit_quote(&w, options.writer_deposit)
                .expect("localnet seed: deposit");
        }
        let path = file(&format!("writer-{i}"));
        write_keypair(&w.owner, &path)?;
        writers.push(WriterEntry {
            keypair: path,
            owner: w.owner.pubkey(),
            writer_account: w.account,
            quote_token_account: w.quote_ata,
            sol_token_account: w.sol_ata,
        });
    }

    let creator = env.creator.insecure_clone();
    let roles: [(&str, &Keypair); 6] = [
        ("creator", &creator),
        ("admin", &env.admin),
        ("guardian", &env.guardian),
        ("vol-updater", &env.vol_updater),
        ("oracle-authority", &env.oracle_authority),
        ("mint-authority", &env.mint_authority),
    ];
    for (name, key) in roles {
        write_keypair(key, &file(name))?;
    }

    let underlyings = [
        ("SOL", env.sol, env.sol_price),
        ("BTC", env.btc, env.btc_price),
    ]
    .into_iter()
    .map(|(name, u, price)| UnderlyingEntry {
        name: name.into(),
        id: u.id,
        address: u.key,
        oracle: u.oracle,
        feed_label: name.into(),
        expo: PYTH_EXPO,
        price,
    })
    .collect();
    debug_assert_eq!(
        env.sol.oracle,
        test_oracle::feed_address(&env.oracle_authority.pubkey(), &test_oracle::label("SOL"))
    );
    let sol_ledger = env.sol_ledger();
    let manifest = Manifest {
        rpc_url: String::new(),
        ws_url: String::new(),
        program_id: greekhouse::ID,
        oracle_program_id: test_oracle::ID,
        clearinghouse: env.ch.clearinghouse,
        creator: env.creator.pubkey(),
        quote: TokenEntry {
            mint: env.ch.quote_mint,
            vault: env.ch.quote_vault,
            token_program: env.ch.quote_token_program,
            collateral_asset: None,
        },
        sol_collateral: TokenEntry {
            mint: sol_ledger.mint,
            vault: sol_ledger.vault,
            token_program: SPL_TOKEN,
            collateral_asset: sol_ledger.collateral_asset.map(|k| k.to_string()),
        },
        admin_keypair: file("admin"),
        guardian_keypair: file("guardian"),
        vol_updater_keypair: file("vol-updater"),
        oracle_authority_keypair: file("oracle-authority"),
        mint_authority_keypair: file("mint-authority"),
        faucet_keypair: file("faucet"),
        creator_keypair: Some(file("creator")),
        underlyings,
        writers,
        series,
    };
    // the vol surface is refreshed last, so its age starts at the validator's start
    let (sol, btc) = (env.sol.key, env.btc.key);
    env.refresh_surface(&sol);
    env.refresh_surface(&btc);
    let accounts = env
        .chain
        .known_accounts()
        .map_err(|e| ManifestError::Write {
            path: keys_dir.to_path_buf(),
            source: std::io::Error::other(e.to_string()),
        })?;
    Ok(Seeded { accounts, manifest })
}
