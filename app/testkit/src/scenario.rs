//! The scenario kit: one world on the in-process bank for the integration tests, the demo,
//! the liquidator bot and the simulator. A clearing house with USDC as quote, SOL priced by a
//! Pyth pull feed (`PriceUpdateV2`), BTC by a legacy Pyth price account, SOL listed as
//! collateral; funded writers; a clock; and one helper per action, each a real transaction of
//! the program built through the SDK (margin accounts from the program's own layout).
//!
//! Setup and reads panic with a message (on the embedded bank a failure there is a bug, not a
//! state to handle); every action returns the transaction's `Result`, so callers assert on the
//! program's refusals.
//!
//! [`Env`] is generic over the chain (`Env<C: ChainOps = BankChain>`): a world is built on the
//! bank, where the clock can be set and Pyth accounts written; its actions, reads and
//! governance steps run on any [`ChainOps`] chain ([`Env::map_chain`] hands a world over).
//! [`Env::attach`] takes the world a local validator was seeded with (the seeding is this kit's
//! `Env::with_options` on the bank) from its manifest, over the SDK's `RpcChain`: the RPC tests
//! drive the node through the same methods the bank tests use.

use anchor_lang::prelude::Pubkey;
use anchor_lang::{Discriminator, ZeroCopy};
use greekhouse::args::{CreateSeriesArgs, InitializeClearinghouseArgs, ListCollateralArgs};
use greekhouse::state::*;
use pyth_solana_receiver_sdk::price_update::VerificationLevel;
use solana_keypair::Keypair;
use solana_signer::Signer;

use crate::bank::{BankChain, GENESIS_UNIX_TIMESTAMP};
use crate::chain_ops::ChainOps;
pub use crate::more_underlyings::{CollateralFixture, MoreUnderlying};
use crate::pyth::{self, PriceObservation};
use crate::test_oracle;
use greekhouse_sdk::chain::{Chain, ChainError, TxOutcome};
use greekhouse_sdk::fixtures;
use greekhouse_sdk::flows::Projected;
use greekhouse_sdk::ix::{self, ClearinghouseRef, TokenLedger};
use greekhouse_sdk::localnet::{read_keypair, Manifest, ManifestError};
use greekhouse_sdk::margin::MarginInputs;
use greekhouse_sdk::{accounts, pda};

pub const SPL_TOKEN: Pubkey = anchor_spl::token::ID;
pub const TOKEN_2022: Pubkey = anchor_spl::token_2022::ID;
/// USDC-like quote: 6 decimals.
pub const QUOTE_DECIMALS: u8 = 6;
pub const USDC: u64 = 1_000_000;
/// SOL collateral mint: 9 decimals.
pub const SOL_DECIMALS: u8 = 9;
pub const LAMPORTS_PER_SOL: u64 = 1_000_000_000;
/// Pyth prices in the scenario use exponent -8.
pub const PYTH_EXPO: i32 = -8;
pub const SOL_FEED_ID: [u8; 32] = [7u8; 32];
/// Expiries are on a daily grid at 08:00 UTC.
pub const EXPIRY_OFFSET: i64 = fixtures::EXPIRY_OFFSET_SECS;
pub const DAY: i64 = fixtures::DAY;

/// An underlying of the scenario and the account its oracle lives in.
#[derive(Clone, Copy, Debug)]
pub struct UnderlyingFixture {
    pub key: Pubkey,
    pub id: u16,
    pub oracle: Pubkey,
    pub kind: OracleKind,
    pub oracle_program: Pubkey,
}

/// A writer: its owner key, margin account and token accounts.
pub struct Writer {
    pub owner: Keypair,
    pub account: Pubkey,
    pub quote_ata: Pubkey,
    pub sol_ata: Pubkey,
}

/// Where the scenario's prices come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OracleSetup {
    /// SOL from a Pyth pull feed (`PriceUpdateV2`), BTC from a legacy price account, both
    /// written straight into the bank: what the program meets on mainnet.
    PythAccounts,
    /// SOL and BTC from feeds of the test oracle program ([`crate::test_oracle`]), published by
    /// transactions: what a local validator can do (it cannot verify Wormhole signatures).
    TestOracle,
}

/// How to build the scenario's world.
#[derive(Clone, Copy, Debug)]
pub struct EnvOptions {
    pub oracle: OracleSetup,
    /// Unix time the bank's clock starts at (default [`GENESIS_UNIX_TIMESTAMP`]).
    pub start_unix_timestamp: Option<i64>,
    /// Derive every key from this seed.
    pub seed: Option<u64>,
}

impl Default for EnvOptions {
    fn default() -> Self {
        Self {
            oracle: OracleSetup::PythAccounts,
            start_unix_timestamp: None,
            seed: None,
        }
    }
}

/// The scenario's world on a chain `C`: the bank by default. Building one (`Env::new`,
/// `with_options`), moving the clock and writing Pyth accounts need the bank
/// (`impl Env<BankChain>`); every action, read and governance step runs on any [`ChainOps`].
pub struct Env<C: ChainOps = BankChain> {
    pub chain: C,
    pub oracle_setup: OracleSetup,
    /// Signs the test oracle's publications ([`OracleSetup::TestOracle`]).
    pub oracle_authority: Keypair,
    /// The clearing house's creator: its key may be absent in an attached world ([`Env::attach`]).
    pub creator: Creator,
    pub admin: Keypair,
    pub guardian: Keypair,
    pub vol_updater: Keypair,
    pub mint_authority: Keypair,
    pub ch: ClearinghouseRef,
    pub sol: UnderlyingFixture,
    pub btc: UnderlyingFixture,
    pub sol_mint: Pubkey,
    pub legacy_oracle_program: Pubkey,
    /// Current SOL and BTC prices (Pyth units, exponent -8) and publish time.
    pub sol_price: i64,
    pub btc_price: i64,
    /// Every writer account the scenario opened (for reconciling ledgers with vaults).
    pub writer_accounts: Vec<Pubkey>,
    /// Every series the scenario created.
    pub series: Vec<Pubkey>,
    /// Underlyings listed besides SOL and BTC ([`Env::list_more_underlying`]), in listing order.
    pub more_underlyings: Vec<MoreUnderlying>,
    /// Collateral assets listed besides SOL ([`Env::list_linked_collateral`]).
    pub more_collaterals: Vec<CollateralFixture>,
}

/// The clearing house's creator (the key its address derives from). A world built on the bank
/// holds its keypair, and so does one attached to a local validator ([`Env::attach`]) whose
/// manifest records the creator's key file; one attached to an older manifest knows its address
/// only, and signing as the creator there fails with a message that says so.
pub struct Creator {
    pubkey: Pubkey,
    keypair: Option<Keypair>,
}

impl Creator {
    /// A creator whose keypair the world holds.
    pub fn with_keypair(keypair: Keypair) -> Self {
        Self {
            pubkey: keypair.pubkey(),
            keypair: Some(keypair),
        }
    }

    /// A creator known by address only (an attached world).
    pub fn address_only(pubkey: Pubkey) -> Self {
        Self {
            pubkey,
            keypair: None,
        }
    }

    pub fn pubkey(&self) -> Pubkey {
        self.pubkey
    }

    /// The creator's keypair, when the world holds it.
    pub fn try_keypair(&self) -> Option<&Keypair> {
        self.keypair.as_ref()
    }

    /// The creator's keypair. Panics in a world attached to a manifest without the creator's key
    /// file: creator-only actions cannot be signed there.
    pub fn keypair(&self) -> &Keypair {
        self.keypair.as_ref().unwrap_or_else(|| {
            panic!(
                "scenario: the creator {} has no keypair in this world (its local validator's \
                 manifest records no creator key file)",
                self.pubkey
            )
        })
    }

    /// A copy of the keypair (see [`Creator::keypair`]; panics in an attached world).
    pub fn insecure_clone(&self) -> Keypair {
        self.keypair().insecure_clone()
    }
}

/// Why [`Env::attach`] could not build a world from a manifest.
#[derive(Debug)]
pub enum AttachError {
    /// A key file of the manifest is missing or unreadable.
    Manifest(ManifestError),
    /// The manifest does not list an underlying the scenario needs.
    MissingUnderlying(&'static str),
    /// The manifest's oracle program is not the test oracle (the only one a local validator
    /// is seeded with).
    UnknownOracleProgram(Pubkey),
    /// The creator key file holds another key than the manifest's creator.
    CreatorMismatch {
        file: std::path::PathBuf,
        creator: Pubkey,
    },
}

impl std::fmt::Display for AttachError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AttachError::Manifest(e) => write!(f, "{e}"),
            AttachError::MissingUnderlying(name) => {
                write!(f, "the manifest lists no {name} underlying")
            }
            AttachError::UnknownOracleProgram(k) => write!(
                f,
                "the manifest's oracle program {k} is not the test oracle {}",
                test_oracle::ID
            ),
            AttachError::CreatorMismatch { file, creator } => write!(
                f,
                "{} is not the key of the manifest's creator {creator}",
                file.display()
            ),
        }
    }
}

impl std::error::Error for AttachError {}

impl From<ManifestError> for AttachError {
    fn from(e: ManifestError) -> Self {
        AttachError::Manifest(e)
    }
}

/// An insurance staker: its key and quote token account.
pub struct Staker {
    pub owner: Keypair,
    pub quote_ata: Pubkey,
    pub stake: Pubkey,
}

pub fn default_params() -> GlobalParams {
    GlobalParams::DEFAULT
}

pub fn default_surface() -> StoredVolSurface {
    fixtures::surface()
}

pub fn default_margin() -> StoredMarginParams {
    fixtures::margin()
}

pub use greekhouse_sdk::fixtures::{legacy_oracle, pull_oracle, underlying_args};

/// Next expiry on the grid at least `days` days after `now`.
pub fn expiry_after(now: i64, days: i64) -> i64 {
    let target = now + days * DAY;
    let k = (target - EXPIRY_OFFSET + DAY - 1).div_euclid(DAY);
    k * DAY + EXPIRY_OFFSET
}

impl Default for Env {
    fn default() -> Self {
        Self::new()
    }
}

// Bank-only (here and in the other `impl Env<BankChain>` blocks): a fresh world, the clock, and
// Pyth accounts written straight into the bank.
impl Env<BankChain> {
    /// Clearing house, SOL (pull oracle) and BTC (legacy oracle) underlyings, SOL collateral.
    /// Panics when the bank cannot start or the fixed setup fails: both are bugs, not states.
    pub fn new() -> Self {
        Self::with_chain(BankChain::start().expect("bank starts"))
    }

    /// The same world with every key derived from `seed` (the simulator's reproducible runs).
    pub fn new_seeded(seed: u64) -> Self {
        Self::with_chain(BankChain::start_seeded(seed).expect("bank starts"))
    }

    /// The world built as `options` say.
    pub fn with_options(options: EnvOptions) -> Self {
        let mut chain = match options.seed {
            Some(seed) => BankChain::start_seeded(seed),
            None => BankChain::start(),
        }
        .expect("bank starts");
        if let Some(t) = options.start_unix_timestamp {
            chain.set_unix_timestamp(t).expect("scenario: bank call");
        }
        Self::build(chain, options.oracle)
    }

    fn with_chain(chain: BankChain) -> Self {
        Self::build(chain, OracleSetup::PythAccounts)
    }

    fn build(mut chain: BankChain, oracle_setup: OracleSetup) -> Self {
        let creator = chain
            .funded_keypair(100 * LAMPORTS_PER_SOL)
            .expect("scenario: bank call");
        let admin = chain
            .funded_keypair(10 * LAMPORTS_PER_SOL)
            .expect("scenario: bank call");
        let guardian = chain
            .funded_keypair(LAMPORTS_PER_SOL)
            .expect("scenario: bank call");
        let vol_updater = chain
            .funded_keypair(LAMPORTS_PER_SOL)
            .expect("scenario: bank call");
        let mint_authority = chain.new_keypair();
        // only the test oracle's world draws this key from the (seeded) stream, so the Pyth
        // world's keys, and so the simulator's seeded runs, stay as they were
        let oracle_authority = match oracle_setup {
            OracleSetup::TestOracle => chain
                .funded_keypair(LAMPORTS_PER_SOL)
                .expect("scenario: bank call"),
            OracleSetup::PythAccounts => Keypair::new(),
        };
        let quote_mint = chain
            .create_mint(&SPL_TOKEN, QUOTE_DECIMALS, &mint_authority.pubkey())
            .expect("scenario: bank call");
        let sol_mint = chain
            .create_mint(&SPL_TOKEN, SOL_DECIMALS, &mint_authority.pubkey())
            .expect("scenario: bank call");
        let ch = ClearinghouseRef::new(quote_mint, creator.pubkey(), SPL_TOKEN);
        chain
            .send(
                &[ix::initialize_clearinghouse(
                    &ch,
                    creator.pubkey(),
                    InitializeClearinghouseArgs {
                        admin: admin.pubkey(),
                        guardian: guardian.pubkey(),
                        params: default_params(),
                    },
                )],
                &[&creator],
            )
            .expect("initialize_clearinghouse");

        let (legacy_oracle_program, sol, btc_account) = match oracle_setup {
            OracleSetup::PythAccounts => (
                Pubkey::new_unique(),
                UnderlyingFixture {
                    key: pda::underlying(&ch.clearinghouse, 0),
                    id: 0,
                    oracle: Pubkey::new_unique(),
                    kind: OracleKind::PullV2,
                    oracle_program: pyth_solana_receiver_sdk::ID,
                },
                Pubkey::new_unique(),
            ),
            OracleSetup::TestOracle => {
                let authority = oracle_authority.pubkey();
                for name in ["SOL", "BTC"] {
                    let create = test_oracle::create_feed(
                        chain.payer(),
                        authority,
                        test_oracle::label(name),
                        PYTH_EXPO,
                    );
                    chain
                        .send(&[create], &[&oracle_authority])
                        .expect("test oracle create_feed");
                }
                (
                    test_oracle::ID,
                    UnderlyingFixture {
                        key: pda::underlying(&ch.clearinghouse, 0),
                        id: 0,
                        oracle: test_oracle::feed_address(&authority, &test_oracle::label("SOL")),
                        kind: OracleKind::Legacy,
                        oracle_program: test_oracle::ID,
                    },
                    test_oracle::feed_address(&authority, &test_oracle::label("BTC")),
                )
            }
        };
        let btc = UnderlyingFixture {
            key: pda::underlying(&ch.clearinghouse, 1),
            id: 1,
            oracle: btc_account,
            kind: OracleKind::Legacy,
            oracle_program: legacy_oracle_program,
        };
        let mut env = Env {
            chain,
            oracle_setup,
            oracle_authority,
            creator: Creator::with_keypair(creator),
            admin,
            guardian,
            vol_updater,
            mint_authority,
            ch,
            sol,
            btc,
            sol_mint,
            legacy_oracle_program,
            sol_price: 150 * 100_000_000,
            btc_price: 90_000 * 100_000_000,
            writer_accounts: Vec::new(),
            series: Vec::new(),
            more_underlyings: Vec::new(),
            more_collaterals: Vec::new(),
        };
        env.list_default_underlyings();
        env.publish_prices();
        env.list_sol_collateral();
        env.enable_fixture_listings();
        env
    }
}

impl<C: ChainOps> Env<C> {
    /// The same world on another chain: `f` wraps or replaces the chain (a recording wrapper,
    /// or a node that holds the same accounts); keys, addresses and prices are kept.
    pub fn map_chain<D: ChainOps>(self, f: impl FnOnce(C) -> D) -> Env<D> {
        Env {
            chain: f(self.chain),
            oracle_setup: self.oracle_setup,
            oracle_authority: self.oracle_authority,
            creator: self.creator,
            admin: self.admin,
            guardian: self.guardian,
            vol_updater: self.vol_updater,
            mint_authority: self.mint_authority,
            ch: self.ch,
            sol: self.sol,
            btc: self.btc,
            sol_mint: self.sol_mint,
            legacy_oracle_program: self.legacy_oracle_program,
            sol_price: self.sol_price,
            btc_price: self.btc_price,
            writer_accounts: self.writer_accounts,
            series: self.series,
            more_underlyings: self.more_underlyings,
            more_collaterals: self.more_collaterals,
        }
    }

    /// The world a local validator was seeded with (`greekhouse-localnet`, whose seeding is this
    /// kit's [`Env::with_options`] with [`OracleSetup::TestOracle`]), over `chain`, a node that
    /// holds it (the SDK's `RpcChain` on the manifest's `rpc_url`; its payer pays for what the
    /// kit sets up, the manifest's faucet key is funded for that). From `manifest`: the
    /// clearing house, SOL and BTC with their test-oracle feeds, the SOL collateral, the series,
    /// the role keys (admin, guardian, vol updater, oracle and mint authorities) from their key
    /// files, and the seeded writers, returned with their keys in the manifest's order.
    ///
    /// What needs the bank does not exist on such a world (the clock, Pyth accounts: those are
    /// `impl Env<BankChain>`); prices move through the test oracle ([`Env::publish_price`]). The
    /// creator's key comes from its key file when the manifest records one (older manifests do
    /// not: [`Env::creator`] then knows the address only, and signing as the creator panics
    /// with a message).
    pub fn attach(chain: C, manifest: &Manifest) -> Result<(Self, Vec<Writer>), AttachError> {
        if manifest.oracle_program_id != test_oracle::ID {
            return Err(AttachError::UnknownOracleProgram(
                manifest.oracle_program_id,
            ));
        }
        let fixture = |name: &'static str| {
            let u = manifest
                .underlying(name)
                .ok_or(AttachError::MissingUnderlying(name))?;
            Ok::<_, AttachError>((
                UnderlyingFixture {
                    key: u.address,
                    id: u.id,
                    oracle: u.oracle,
                    kind: OracleKind::Legacy,
                    oracle_program: manifest.oracle_program_id,
                },
                u.price,
            ))
        };
        let ((sol, sol_price), (btc, btc_price)) = (fixture("SOL")?, fixture("BTC")?);
        let writers = manifest
            .writers
            .iter()
            .map(|w| {
                Ok(Writer {
                    owner: read_keypair(&w.keypair)?,
                    account: w.writer_account,
                    quote_ata: w.quote_token_account,
                    sol_ata: w.sol_token_account,
                })
            })
            .collect::<Result<Vec<_>, ManifestError>>()?;
        let env = Env {
            chain,
            oracle_setup: OracleSetup::TestOracle,
            oracle_authority: read_keypair(&manifest.oracle_authority_keypair)?,
            creator: match &manifest.creator_keypair {
                Some(path) => {
                    let key = read_keypair(path)?;
                    if key.pubkey() != manifest.creator {
                        return Err(AttachError::CreatorMismatch {
                            file: path.clone(),
                            creator: manifest.creator,
                        });
                    }
                    Creator::with_keypair(key)
                }
                None => Creator::address_only(manifest.creator),
            },
            admin: read_keypair(&manifest.admin_keypair)?,
            guardian: read_keypair(&manifest.guardian_keypair)?,
            vol_updater: read_keypair(&manifest.vol_updater_keypair)?,
            mint_authority: read_keypair(&manifest.mint_authority_keypair)?,
            ch: manifest.clearinghouse_ref(),
            sol,
            btc,
            sol_mint: manifest.sol_collateral.mint,
            legacy_oracle_program: manifest.oracle_program_id,
            sol_price,
            btc_price,
            writer_accounts: manifest.writers.iter().map(|w| w.writer_account).collect(),
            series: manifest.series.iter().map(|s| s.address).collect(),
            more_underlyings: Vec::new(),
            more_collaterals: Vec::new(),
        };
        Ok((env, writers))
    }

    /// Publish `price` (Pyth units, exponent -8, confidence 0.1 %) for SOL or BTC through the
    /// test oracle program, stamped by the program with the chain's clock: how a price moves on
    /// any chain, a local validator included. Test-oracle worlds only (a Pyth world's prices are
    /// written into the bank: [`Env::move_sol`]); remembered as the scenario's price.
    pub fn publish_price(
        &mut self,
        underlying: &Pubkey,
        price: i64,
    ) -> Result<TxOutcome, ChainError> {
        if self.oracle_setup != OracleSetup::TestOracle {
            return Err(ChainError::Backend(
                "scenario: publish_price needs the test oracle; a Pyth world's prices are \
                 written into the bank (move_sol, set_sol_oracle)"
                    .into(),
            ));
        }
        let name = if *underlying == self.sol.key {
            self.sol_price = price;
            "SOL"
        } else if *underlying == self.btc.key {
            self.btc_price = price;
            "BTC"
        } else if let Some(more) = self
            .more_underlyings
            .iter_mut()
            .find(|u| u.fixture.key == *underlying)
        {
            more.price = price;
            let symbol = more.symbol.clone();
            return self.send_test_oracle(&symbol, price, price as u64 / 1_000, 0);
        } else {
            return Err(ChainError::Backend(format!(
                "scenario: {underlying} is not an underlying of the scenario"
            )));
        };
        // publish time 0: the program stamps the update with the chain's clock
        self.send_test_oracle(name, price, price as u64 / 1_000, 0)
    }

    /// Open margin account `index` of `w`'s owner, with `w`'s wallets: a writer for it and the
    /// transaction's outcome.
    pub fn open_account(
        &mut self,
        w: &Writer,
        index: u32,
    ) -> Result<(Writer, TxOutcome), ChainError> {
        let owner = w.owner.insecure_clone();
        let account = pda::writer_account(&self.ch.clearinghouse, &owner.pubkey(), index);
        let ix = ix::open_writer_account(
            self.ch.clearinghouse,
            self.chain.payer(),
            owner.pubkey(),
            index,
        );
        let out = self.chain.send(&[ix], &[&owner])?;
        self.writer_accounts.push(account);
        let writer = Writer {
            owner,
            account,
            quote_ata: w.quote_ata,
            sol_ata: w.sol_ata,
        };
        Ok((writer, out))
    }

    /// The scenario's SOL listing (pull feed, $1 strike tick, one SOL per contract) as
    /// underlying `id` of any clearing house.
    pub fn sol_underlying_args(&self, id: u16) -> greekhouse::args::ListUnderlyingArgs {
        let oracle = match self.oracle_setup {
            OracleSetup::PythAccounts => pull_oracle(SOL_FEED_ID),
            OracleSetup::TestOracle => legacy_oracle(test_oracle::ID, self.sol.oracle),
        };
        underlying_args(
            id,
            "SOL",
            oracle,
            self.vol_updater.pubkey(),
            USDC,
            1_000_000,
        )
    }

    fn list_default_underlyings(&mut self) {
        let sol_args = self.sol_underlying_args(0);
        let btc_args = underlying_args(
            1,
            "BTC",
            legacy_oracle(self.legacy_oracle_program, self.btc.oracle),
            self.vol_updater.pubkey(),
            100 * USDC,
            10_000, // 0.01 BTC per contract
        );
        for args in [sol_args, btc_args] {
            self.send_admin(ix::list_underlying(
                self.ch.clearinghouse,
                self.chain.payer(),
                self.admin.pubkey(),
                args,
            ))
            .expect("list_underlying");
        }
    }

    fn list_sol_collateral(&mut self) {
        let args = ListCollateralArgs {
            price_source: PriceSource::Underlying as u8,
            init_weight_bps: 8_000,
            maint_weight_bps: 9_000,
            deposit_cap: u64::MAX / 4,
        };
        let ix = ix::list_collateral(
            self.ch.clearinghouse,
            self.chain.payer(),
            self.admin.pubkey(),
            self.sol_mint,
            SPL_TOKEN,
            Some(self.sol.key),
            args,
        );
        self.send_admin(ix).expect("list_collateral SOL");
    }

    pub fn send_admin(
        &mut self,
        ix: anchor_lang::solana_program::instruction::Instruction,
    ) -> Result<TxOutcome, ChainError> {
        let admin = self.admin.insecure_clone();
        self.chain.send(&[ix], &[&admin])
    }

    pub fn now(&mut self) -> i64 {
        self.chain.unix_timestamp().expect("scenario: bank call")
    }
}

impl Env<BankChain> {
    pub fn advance(&mut self, secs: i64) {
        self.chain.advance(secs).expect("scenario: bank call");
    }

    /// Publish the current SOL and BTC prices with publish time = now and 0.1 % confidence.
    pub fn publish_prices(&mut self) {
        let now = self.now();
        self.set_sol_oracle(
            PriceObservation {
                price: self.sol_price,
                conf: self.sol_price as u64 / 1_000,
                expo: PYTH_EXPO,
                publish_time: now,
            },
            VerificationLevel::Full,
        );
        self.set_btc_oracle(
            PriceObservation {
                price: self.btc_price,
                conf: self.btc_price as u64 / 1_000,
                expo: PYTH_EXPO,
                publish_time: now,
            },
            pyth_sdk_solana::state::PriceStatus::Trading,
        );
        self.publish_more_prices(now);
    }

    /// Set SOL's price (in whole dollars x 1e8) and publish.
    pub fn move_sol(&mut self, price: i64) {
        self.sol_price = price;
        self.publish_prices();
    }

    pub fn set_sol_oracle(&mut self, obs: PriceObservation, verification: VerificationLevel) {
        if self.oracle_setup == OracleSetup::TestOracle {
            return self.publish_test_oracle("SOL", obs);
        }
        let prev = self.prev_publish_time(&self.sol.oracle.clone(), obs.publish_time);
        let account = pyth::price_update_v2_after(SOL_FEED_ID, obs, prev, verification);
        self.chain.set_account(&self.sol.oracle, account);
    }
}

impl<C: ChainOps> Env<C> {
    /// The previous publish time a feed's next update at `publish_time` carries, as a real feed
    /// would: the publish time of the update the oracle account holds now (one second before
    /// `publish_time` when there is none, or when it is not earlier).
    pub(crate) fn prev_publish_time(&mut self, oracle: &Pubkey, publish_time: i64) -> i64 {
        self.chain
            .account(oracle)
            .expect("scenario: bank call")
            .and_then(|a| pyth::publish_time_of(&a.data))
            .filter(|t| *t < publish_time)
            .unwrap_or(publish_time.saturating_sub(1))
    }
}

impl Env<BankChain> {
    pub fn set_btc_oracle(
        &mut self,
        obs: PriceObservation,
        status: pyth_sdk_solana::state::PriceStatus,
    ) {
        if self.oracle_setup == OracleSetup::TestOracle {
            return self.publish_test_oracle("BTC", obs);
        }
        let prev = self.prev_publish_time(&self.btc.oracle.clone(), obs.publish_time);
        let account = pyth::legacy_price_after(self.legacy_oracle_program, obs, prev, status);
        self.chain.set_account(&self.btc.oracle, account);
    }
}

impl<C: ChainOps> Env<C> {
    /// Publish through the test oracle program (a transaction signed by the oracle authority).
    pub(crate) fn publish_test_oracle(&mut self, name: &str, obs: PriceObservation) {
        self.send_test_oracle(name, obs.price, obs.conf, obs.publish_time)
            .expect("test oracle publish");
    }

    fn send_test_oracle(
        &mut self,
        name: &str,
        price: i64,
        conf: u64,
        publish_time: i64,
    ) -> Result<TxOutcome, ChainError> {
        let ix = test_oracle::publish(
            self.oracle_authority.pubkey(),
            test_oracle::label(name),
            price,
            conf,
            publish_time,
        );
        let authority = self.oracle_authority.insecure_clone();
        self.chain.send(&[ix], &[&authority])
    }

    /// The oracle account of an underlying of the fixture.
    pub fn oracle_for(&self, underlying: &Pubkey) -> Option<Pubkey> {
        self.underlying_fixtures()
            .into_iter()
            .find(|u| u.key == *underlying)
            .map(|u| u.oracle)
    }

    /// A program account of the scenario, decoded (panics when it is missing: a scenario bug).
    pub fn state<T: ZeroCopy + Discriminator + bytemuck::Pod>(&mut self, key: &Pubkey) -> T {
        let a = self
            .chain
            .account(key)
            .expect("scenario: bank call")
            .unwrap_or_else(|| panic!("scenario: account {key} missing"));
        accounts::decode(&a.data).expect("scenario: account decodes")
    }

    /// [`Env::state`] with a failed read, a missing account or a bad decode as the error.
    pub fn try_state<T: ZeroCopy + Discriminator + bytemuck::Pod>(
        &mut self,
        key: &Pubkey,
    ) -> Result<T, ChainError> {
        let a = self
            .chain
            .account(key)?
            .ok_or_else(|| ChainError::Backend(format!("scenario: account {key} missing")))?;
        accounts::decode(&a.data).map_err(|e| ChainError::Backend(format!("{key}: {e}")))
    }

    pub fn clearinghouse(&mut self) -> Clearinghouse {
        let key = self.ch.clearinghouse;
        self.state(&key)
    }

    pub fn underlying(&mut self, key: &Pubkey) -> Underlying {
        self.state(key)
    }

    pub fn writer_state(&mut self, key: &Pubkey) -> WriterAccount {
        self.state(key)
    }

    pub fn series_state(&mut self, key: &Pubkey) -> OptionSeries {
        self.state(key)
    }

    pub fn collateral_state(&mut self, mint: &Pubkey) -> CollateralAsset {
        let key = pda::collateral_asset(&self.ch.clearinghouse, mint);
        self.state(&key)
    }

    /// A writer with an open account, `quote` USDC native and `sol` lamports in its wallets.
    pub fn writer(&mut self, quote: u64, sol: u64) -> Writer {
        let owner = self
            .chain
            .funded_keypair(LAMPORTS_PER_SOL)
            .expect("scenario: bank call");
        let account = pda::writer_account(&self.ch.clearinghouse, &owner.pubkey(), 0);
        self.chain
            .send(
                &[ix::open_writer_account(
                    self.ch.clearinghouse,
                    self.chain.payer(),
                    owner.pubkey(),
                    0,
                )],
                &[&owner],
            )
            .expect("open_writer_account");
        let quote_ata = self
            .chain
            .token_account(&owner.pubkey(), &self.ch.quote_mint, &SPL_TOKEN)
            .expect("scenario: bank call");
        let sol_ata = self
            .chain
            .token_account(&owner.pubkey(), &self.sol_mint, &SPL_TOKEN)
            .expect("scenario: bank call");
        let auth = self.mint_authority.insecure_clone();
        if quote > 0 {
            self.chain
                .mint_to(&SPL_TOKEN, &self.ch.quote_mint, &quote_ata, &auth, quote)
                .expect("scenario: bank call");
        }
        if sol > 0 {
            self.chain
                .mint_to(&SPL_TOKEN, &self.sol_mint, &sol_ata, &auth, sol)
                .expect("scenario: bank call");
        }
        self.writer_accounts.push(account);
        Writer {
            owner,
            account,
            quote_ata,
            sol_ata,
        }
    }

    /// The hot ledger of an underlying (open interest, accrued fees).
    pub fn underlying_ledger(&mut self, underlying: &Pubkey) -> UnderlyingLedger {
        self.state(&pda::underlying_ledger(underlying))
    }

    /// The vol updater re-sets an underlying's current surface, so it is fresh again.
    pub fn refresh_surface(&mut self, underlying: &Pubkey) {
        let surface = self.underlying(underlying).surface;
        let updater = self.vol_updater.insecure_clone();
        self.chain
            .send(
                &[ix::set_vol_surface(*underlying, updater.pubkey(), surface)],
                &[&updater],
            )
            .expect("scenario: refresh the vol surface");
    }

    /// Fees accrued on every underlying of the scenario (SOL, BTC and those listed since) and
    /// not yet swept.
    pub fn fees_accrued_total(&mut self) -> u64 {
        let keys: Vec<Pubkey> = self.underlying_fixtures().iter().map(|u| u.key).collect();
        keys.iter()
            .map(|k| self.underlying_ledger(k).fees_accrued)
            .sum()
    }

    /// The insurance fund.
    pub fn insurance_fund(&mut self) -> InsuranceFund {
        let key = pda::insurance_fund(&self.ch.clearinghouse);
        self.state(&key)
    }

    /// Insurance vault balance.
    pub fn insurance_vault_balance(&mut self) -> u64 {
        let v = pda::insurance_vault(&self.ch.clearinghouse);
        self.chain.token_balance(&v).expect("scenario: bank call")
    }

    /// Every ledger claim on the quote vault: the scenario's writers' quote balances, the
    /// writing fees accrued on the scenario's underlyings and not yet swept, and the series'
    /// quote.
    pub fn quote_claims(&mut self) -> i128 {
        let writers = self.writer_accounts.clone();
        let underlyings: Vec<Pubkey> = self.underlying_fixtures().iter().map(|u| u.key).collect();
        let series = self.series.clone();
        greekhouse_sdk::flows::quote_claims(&mut self.chain, &writers, &underlyings, &series)
            .expect("claims")
    }

    /// Every writer's SOL collateral balance, summed (the SOL vault's claims).
    pub fn sol_claims(&mut self) -> u128 {
        let asset = pda::collateral_asset(&self.ch.clearinghouse, &self.sol_mint);
        let writers = self.writer_accounts.clone();
        writers
            .iter()
            .map(|w| self.writer_state(w).collateral_amount(&asset) as u128)
            .sum()
    }

    /// SOL collateral vault balance.
    pub fn sol_vault_balance(&mut self) -> u64 {
        let asset = pda::collateral_asset(&self.ch.clearinghouse, &self.sol_mint);
        self.chain
            .token_balance(&pda::collateral_vault(&asset))
            .expect("scenario: bank call")
    }

    /// Sweep an underlying's accrued fees into the insurance fund.
    pub fn sweep_fees(&mut self, underlying: &Pubkey) -> Result<TxOutcome, ChainError> {
        let ix = ix::sweep_fees(&self.ch, *underlying);
        self.chain.send(&[ix], &[])
    }

    pub fn quote_ledger(&self) -> TokenLedger {
        TokenLedger::quote(&self.ch)
    }

    pub fn sol_ledger(&self) -> TokenLedger {
        TokenLedger::collateral(&self.ch.clearinghouse, self.sol_mint, SPL_TOKEN)
    }

    pub fn deposit_quote(&mut self, w: &Writer, amount: u64) -> Result<TxOutcome, ChainError> {
        let ledger = self.quote_ledger();
        self.deposit_from(w, &ledger, w.quote_ata, amount)
    }

    pub fn deposit_sol(&mut self, w: &Writer, amount: u64) -> Result<TxOutcome, ChainError> {
        let ledger = self.sol_ledger();
        self.deposit_from(w, &ledger, w.sol_ata, amount)
    }

    /// Deposit `amount` of `ledger`'s token from `w`'s token account `from`.
    fn deposit_from(
        &mut self,
        w: &Writer,
        ledger: &TokenLedger,
        from: Pubkey,
        amount: u64,
    ) -> Result<TxOutcome, ChainError> {
        let ix = ix::deposit(
            self.ch.clearinghouse,
            w.account,
            w.owner.pubkey(),
            ledger,
            from,
            amount,
        );
        self.chain.send(&[ix], &[&w.owner])
    }

    /// Everything the margin of `state` depends on, fetched through the SDK.
    pub fn margin_inputs(&mut self, state: WriterAccount) -> MarginInputs {
        let fixtures = self.underlying_fixtures();
        let oracle_for = move |k: &Pubkey| fixtures.iter().find(|u| u.key == *k).map(|u| u.oracle);
        MarginInputs::fetch(&mut self.chain, &self.ch.clearinghouse, state, &oracle_for)
            .expect("margin inputs")
    }

    /// The margin remaining accounts of an account in the given `state`.
    pub fn margin_accounts(
        &mut self,
        state: WriterAccount,
    ) -> Vec<anchor_lang::solana_program::instruction::AccountMeta> {
        self.margin_inputs(state).remaining_accounts()
    }

    /// The margin the program computes for `writer` now, through the SDK.
    pub fn margin_of(&mut self, account: &Pubkey) -> greekhouse_risk::MarginSummary {
        let state = self.writer_state(account);
        let inputs = self.margin_inputs(state);
        let now = self.now();
        inputs
            .compute(
                &mut self.chain,
                now,
                greekhouse::oracle::PriceUse::RiskIncreasing,
            )
            .expect("margin")
    }

    pub fn withdraw_quote(&mut self, w: &Writer, amount: u64) -> Result<TxOutcome, ChainError> {
        let ledger = self.quote_ledger();
        self.withdraw(w, &ledger, w.quote_ata, amount)
    }

    pub fn withdraw_sol(&mut self, w: &Writer, amount: u64) -> Result<TxOutcome, ChainError> {
        let ledger = self.sol_ledger();
        self.withdraw(w, &ledger, w.sol_ata, amount)
    }

    /// Withdraw from `ledger` to `destination`. The margin accounts describe the account as it
    /// will be: a collateral slot that the withdrawal empties is gone (the quote balance is not
    /// a slot, so a quote withdrawal keeps the layout).
    pub fn withdraw(
        &mut self,
        w: &Writer,
        ledger: &TokenLedger,
        destination: Pubkey,
        amount: u64,
    ) -> Result<TxOutcome, ChainError> {
        let mut state = self.writer_state(&w.account);
        if let Some(asset) = ledger.collateral_asset {
            // an over-ask is left for the program to refuse
            let _ = state.debit_collateral(&asset, amount);
        }
        let remaining = self.margin_accounts(state);
        let ix = ix::withdraw(
            self.ch.clearinghouse,
            w.account,
            w.owner.pubkey(),
            ledger,
            destination,
            amount,
            remaining,
        );
        self.chain.send(&[ix], &[&w.owner])
    }

    /// Create a series on `u` (kind 0 call / 1 put, strike in quote native); returns its key.
    pub fn create_series(
        &mut self,
        u: UnderlyingFixture,
        kind: u8,
        strike: u64,
        expiry: i64,
    ) -> Result<Pubkey, ChainError> {
        self.create_series_out(u, kind, strike, expiry)
            .map(|(series, _)| series)
    }

    /// As [`Env::create_series`], with the transaction's outcome.
    pub fn create_series_out(
        &mut self,
        u: UnderlyingFixture,
        kind: u8,
        strike: u64,
        expiry: i64,
    ) -> Result<(Pubkey, TxOutcome), ChainError> {
        let args = CreateSeriesArgs {
            kind,
            strike,
            expiry,
            style: 0,
        };
        let ix = ix::create_series(
            self.ch.clearinghouse,
            self.chain.payer(),
            u.key,
            u.oracle,
            args,
        );
        let out = self.chain.send(&[ix], &[])?;
        let series = pda::series(&u.key, expiry, strike, kind);
        self.series.push(series);
        Ok((series, out))
    }

    /// Create an American series on `u` (exercisable before expiry less the cut-off); returns
    /// its key.
    pub fn create_american_series(
        &mut self,
        u: UnderlyingFixture,
        kind: u8,
        strike: u64,
        expiry: i64,
    ) -> Result<Pubkey, ChainError> {
        let args = CreateSeriesArgs {
            kind,
            strike,
            expiry,
            style: 1,
        };
        let ix = ix::create_series(
            self.ch.clearinghouse,
            self.chain.payer(),
            u.key,
            u.oracle,
            args,
        );
        self.chain.send(&[ix], &[])?;
        let series = pda::american_series(&u.key, expiry, strike, kind);
        self.series.push(series);
        Ok(series)
    }

    /// The fixture of the underlying `key`.
    pub fn fixture_of(&self, key: &Pubkey) -> UnderlyingFixture {
        self.underlying_fixtures()
            .into_iter()
            .find(|u| u.key == *key)
            .expect("scenario: unknown underlying")
    }

    /// `holder` exercises `contracts` tokens of the American `series` (from its own option
    /// token account), paid into `holder_quote`.
    pub fn exercise(
        &mut self,
        holder: &Keypair,
        holder_quote: &Pubkey,
        series: &Pubkey,
        contracts: u64,
    ) -> Result<TxOutcome, ChainError> {
        let s = self.series_state(series);
        let u = self.fixture_of(&s.underlying);
        let option_account = self
            .chain
            .token_account(&holder.pubkey(), &s.option_mint, &SPL_TOKEN)
            .expect("scenario: bank call");
        let ix = ix::exercise(
            &self.ch,
            holder.pubkey(),
            u.key,
            u.oracle,
            *series,
            option_account,
            *holder_quote,
            contracts,
        );
        self.chain.send(&[ix], &[holder])
    }

    /// Accrue `writer_account`'s American short in `series` to the series' exercise index.
    pub fn accrue_exercise(
        &mut self,
        writer_account: &Pubkey,
        series: &Pubkey,
    ) -> Result<TxOutcome, ChainError> {
        let s = self.series_state(series);
        let ix = ix::accrue_exercise(*writer_account, *series, s.underlying);
        self.chain.send(&[ix], &[])
    }

    /// Accrue every American short of `writer_account` that is behind its underlying's exercise
    /// epoch (what a margin check needs first); returns how many accrued.
    pub fn accrue_all(&mut self, writer_account: &Pubkey) -> usize {
        let w = self.writer_state(writer_account);
        let mut n = 0;
        for p in w.positions.iter().filter(|p| p.is_american_short()) {
            let u: greekhouse::state::Underlying = self.state(&p.underlying);
            if p.exercise_epoch != u.exercise_epoch {
                self.accrue_exercise(writer_account, &p.series)
                    .expect("scenario: accrue_exercise");
                n += 1;
            }
        }
        n
    }

    /// Write `contracts` of `series` from `w` into `w`'s own option token account.
    pub fn write(
        &mut self,
        w: &Writer,
        series: &Pubkey,
        contracts: u64,
    ) -> Result<TxOutcome, ChainError> {
        let s = self.series_state(series);
        let recipient = self
            .chain
            .token_account(&w.owner.pubkey(), &s.option_mint, &SPL_TOKEN)
            .expect("scenario: bank call");
        self.write_to(w, series, contracts, recipient)
    }

    pub fn write_to(
        &mut self,
        w: &Writer,
        series: &Pubkey,
        contracts: u64,
        recipient: Pubkey,
    ) -> Result<TxOutcome, ChainError> {
        let ix = self.write_instruction(w, series, contracts, recipient);
        self.chain.send(&[ix], &[&w.owner])
    }

    /// The write instruction [`Env::write_to`] sends, with the margin accounts of the account as
    /// the write will leave it (for tests that tamper with it before sending).
    pub fn write_instruction(
        &mut self,
        w: &Writer,
        series: &Pubkey,
        contracts: u64,
        recipient: Pubkey,
    ) -> greekhouse_sdk::Instruction {
        let s = self.series_state(series);
        let state = self.writer_state(&w.account);
        let template = s.short_template(*series);
        let after =
            greekhouse_sdk::margin::with_added_short(&state, &template, contracts).unwrap_or(state);
        let remaining = self.margin_accounts(after);
        ix::write_options(
            self.ch.clearinghouse,
            w.account,
            w.owner.pubkey(),
            s.underlying,
            *series,
            recipient,
            contracts,
            remaining,
        )
    }

    /// Burn `contracts` of `series` back from `w`'s own option token account. A failed read
    /// is the returned error (as on a node that stopped answering), not a panic.
    pub fn burn(
        &mut self,
        w: &Writer,
        series: &Pubkey,
        contracts: u64,
    ) -> Result<TxOutcome, ChainError> {
        let s: OptionSeries = self.try_state(series)?;
        let ata = self
            .chain
            .token_account(&w.owner.pubkey(), &s.option_mint, &SPL_TOKEN)?;
        let ix = ix::burn_options(
            w.account,
            w.owner.pubkey(),
            s.underlying,
            *series,
            ata,
            contracts,
        );
        self.chain.send(&[ix], &[&w.owner])
    }

    /// Deposit `contracts` of `series` from `w`'s own option token account into its writer
    /// account (against its short first, the rest a long).
    pub fn deposit_options(
        &mut self,
        w: &Writer,
        series: &Pubkey,
        contracts: u64,
    ) -> Result<TxOutcome, ChainError> {
        let s: OptionSeries = self.try_state(series)?;
        let ata = self
            .chain
            .token_account(&w.owner.pubkey(), &s.option_mint, &SPL_TOKEN)?;
        let ix = ix::deposit_options(
            w.account,
            w.owner.pubkey(),
            s.underlying,
            *series,
            ata,
            contracts,
        );
        self.chain.send(&[ix], &[&w.owner])
    }

    /// Withdraw `contracts` of `w`'s long in `series` into `w`'s own option token account, with
    /// the margin accounts of the account as the withdrawal leaves it.
    pub fn withdraw_options(
        &mut self,
        w: &Writer,
        series: &Pubkey,
        contracts: u64,
    ) -> Result<TxOutcome, ChainError> {
        let s: OptionSeries = self.try_state(series)?;
        let ata = self
            .chain
            .token_account(&w.owner.pubkey(), &s.option_mint, &SPL_TOKEN)?;
        let mut state = self.writer_state(&w.account);
        // an over-ask is left for the program to refuse
        let _ = state.reduce_position(series, greekhouse::state::Side::Long, contracts);
        let remaining = self.margin_accounts(state);
        let ix = ix::withdraw_options(
            self.ch.clearinghouse,
            w.account,
            w.owner.pubkey(),
            *series,
            ata,
            contracts,
            remaining,
        );
        self.chain.send(&[ix], &[&w.owner])
    }

    /// Write `contracts` of `series` from `w` into `w`'s own option token account through the
    /// SDK's flow (`flows::write`: the program's own action on the fetched accounts builds the
    /// instruction and projects its fee and margin); the projection and the outcome. The
    /// instruction is sent even when the projection expects a refusal, so the program refuses.
    /// A failed read is the returned error, not a panic.
    pub fn write_projected(
        &mut self,
        w: &Writer,
        series: &Pubkey,
        contracts: u64,
    ) -> Result<(Projected, TxOutcome), ChainError> {
        let s: OptionSeries = self.try_state(series)?;
        let recipient = self
            .chain
            .token_account(&w.owner.pubkey(), &s.option_mint, &SPL_TOKEN)?;
        let (account, owner) = (w.account, w.owner.pubkey());
        let p = self
            .with_flow(|chain, cx| {
                greekhouse_sdk::flows::write(
                    chain, cx, account, owner, *series, recipient, contracts,
                )
            })
            .map_err(|e| ChainError::Backend(format!("scenario: projecting the write: {e}")))?;
        let out = self
            .chain
            .send(std::slice::from_ref(&p.instruction), &[&w.owner])?;
        Ok((p, out))
    }

    /// The margin of `account` now, priced for `use_` (the SDK's `flows::margin_of`).
    pub fn margin_for(
        &mut self,
        account: &Pubkey,
        use_: greekhouse::oracle::PriceUse,
    ) -> greekhouse_risk::MarginSummary {
        let account = *account;
        self.with_flow(|chain, cx| greekhouse_sdk::flows::margin_of(chain, cx, account, use_))
            .expect("scenario: margin")
    }

    /// Quote vault balance.
    pub fn quote_vault_balance(&mut self) -> u64 {
        let v = self.ch.quote_vault;
        self.chain.token_balance(&v).expect("scenario: bank call")
    }

    /// The flow context of the scenario (its clearing house and oracles).
    pub fn with_flow<R>(
        &mut self,
        f: impl FnOnce(&mut C, &greekhouse_sdk::flows::FlowContext<'_>) -> R,
    ) -> R {
        let fixtures = self.underlying_fixtures();
        let oracle_for = move |k: &Pubkey| fixtures.iter().find(|u| u.key == *k).map(|u| u.oracle);
        let ch = self.ch;
        let cx = greekhouse_sdk::flows::FlowContext {
            ch: &ch,
            oracle_for: &oracle_for,
        };
        f(&mut self.chain, &cx)
    }

    /// Start the liquidation of `target`; `caller`'s account receives the tip.
    pub fn start_liquidation(
        &mut self,
        caller: &Writer,
        target: &Pubkey,
    ) -> Result<TxOutcome, ChainError> {
        // the instruction without the SDK's projection, so the program's own refusals show
        let state = self.writer_state(target);
        let remaining = self.margin_inputs(state).remaining_accounts_recording();
        let ix = ix::start_liquidation(
            self.ch.clearinghouse,
            caller.owner.pubkey(),
            *target,
            caller.account,
            remaining,
        );
        self.chain
            .send(&[ix::compute_unit_limit(400_000), ix], &[&caller.owner])
    }

    /// Check `target`'s margin against its warning level (anyone; the crank pays).
    pub fn check_margin(&mut self, target: &Pubkey) -> Result<TxOutcome, ChainError> {
        // a closed account is sent as it is: the program refuses it
        let remaining = match self.try_state::<WriterAccount>(target) {
            Ok(state) => self.margin_inputs(state).remaining_accounts(),
            Err(_) => vec![],
        };
        let ix = ix::check_margin(self.ch.clearinghouse, *target, remaining);
        self.chain.send(&[ix::compute_unit_limit(400_000), ix], &[])
    }

    /// The program's projection of a bid by `bidder` for `liquidated` now.
    pub fn quote_bid(
        &mut self,
        bidder: &Writer,
        liquidated: &Pubkey,
        size: greekhouse_sdk::liquidation::BidSize,
    ) -> Result<greekhouse_sdk::liquidation::BidQuote, greekhouse_sdk::margin::MarginError> {
        let (owner, account) = (bidder.owner.pubkey(), bidder.account);
        self.with_flow(|chain, cx| {
            greekhouse_sdk::liquidation::quote_bid(chain, cx, *liquidated, account, owner, size, 0)
        })
    }

    /// Bid for `size` of `liquidated` from `bidder`, with the payment limit at the quoted
    /// payment; returns the outcome and the projection it was sent with.
    pub fn bid(
        &mut self,
        bidder: &Writer,
        liquidated: &Pubkey,
        size: greekhouse_sdk::liquidation::BidSize,
    ) -> Result<(TxOutcome, greekhouse_sdk::liquidation::BidProjection), ChainError> {
        let quote = self
            .quote_bid(bidder, liquidated, size)
            .map_err(|e| ChainError::Backend(e.to_string()))?;
        let out = self.chain.send(&quote.instructions, &[&bidder.owner])?;
        Ok((out, quote.projection))
    }

    /// Bid with explicit arguments (for refusals), margin accounts from the shared layout.
    pub fn bid_with(
        &mut self,
        bidder: &Writer,
        liquidated: &Pubkey,
        args: greekhouse::args::BidArgs,
    ) -> Result<TxOutcome, ChainError> {
        let liq = self.writer_state(liquidated);
        let bidder_state = self.writer_state(&bidder.account);
        let fixtures = self.underlying_fixtures();
        let oracle_for = move |k: &Pubkey| fixtures.iter().find(|u| u.key == *k).map(|u| u.oracle);
        let inputs = MarginInputs::fetch_many(
            &mut self.chain,
            &self.ch.clearinghouse,
            liq,
            vec![bidder_state],
            &oracle_for,
        )
        .expect("margin inputs");
        let ix = ix::bid(
            &self.ch,
            bidder.owner.pubkey(),
            *liquidated,
            bidder.account,
            args,
            inputs.remaining_accounts_recording(),
        );
        self.chain
            .send(&[ix::compute_unit_limit(1_400_000), ix], &[&bidder.owner])
    }

    /// End the liquidation of `target` (the payer calls).
    pub fn end_liquidation(&mut self, target: &Pubkey) -> Result<TxOutcome, ChainError> {
        let payer = self.chain.payer();
        let (ixs, _) = self
            .with_flow(|chain, cx| {
                greekhouse_sdk::liquidation::end_liquidation(chain, cx, payer, *target)
            })
            .map_err(|e| ChainError::Backend(e.to_string()))?;
        self.chain.send(&ixs, &[])
    }

    /// Resolve the bankruptcy of `target` (the payer calls).
    pub fn resolve_bankruptcy(&mut self, target: &Pubkey) -> Result<TxOutcome, ChainError> {
        let payer = self.chain.payer();
        let ixs = self
            .with_flow(|chain, cx| {
                greekhouse_sdk::liquidation::resolve_bankruptcy(chain, cx, payer, *target)
            })
            .map_err(|e| ChainError::Backend(e.to_string()))?;
        self.chain.send(&ixs, &[])
    }

    /// A staker with an open stake account and `quote` USDC native in its wallet.
    pub fn staker(&mut self, quote: u64) -> Staker {
        let owner = self
            .chain
            .funded_keypair(LAMPORTS_PER_SOL)
            .expect("scenario: bank call");
        let quote_ata = self
            .chain
            .token_account(&owner.pubkey(), &self.ch.quote_mint, &SPL_TOKEN)
            .expect("scenario: bank call");
        if quote > 0 {
            let auth = self.mint_authority.insecure_clone();
            self.chain
                .mint_to(&SPL_TOKEN, &self.ch.quote_mint, &quote_ata, &auth, quote)
                .expect("scenario: bank call");
        }
        let payer = self.chain.payer();
        self.chain
            .send(
                &[ix::open_insurance_stake(
                    self.ch.clearinghouse,
                    payer,
                    owner.pubkey(),
                )],
                &[&owner],
            )
            .expect("open_insurance_stake");
        let fund = pda::insurance_fund(&self.ch.clearinghouse);
        Staker {
            stake: pda::insurance_stake(&fund, &owner.pubkey()),
            owner,
            quote_ata,
        }
    }

    pub fn stake(&mut self, s: &Staker, amount: u64) -> Result<TxOutcome, ChainError> {
        let count = self.clearinghouse().underlying_count;
        let ix = ix::stake(&self.ch, s.owner.pubkey(), s.quote_ata, amount, count);
        self.chain.send(&[ix], &[&s.owner])
    }

    pub fn request_unstake(&mut self, s: &Staker, shares: u64) -> Result<TxOutcome, ChainError> {
        let ix = ix::request_unstake(self.ch.clearinghouse, s.owner.pubkey(), shares);
        self.chain.send(&[ix], &[&s.owner])
    }

    pub fn cancel_unstake(&mut self, s: &Staker) -> Result<TxOutcome, ChainError> {
        let ix = ix::cancel_unstake(self.ch.clearinghouse, s.owner.pubkey());
        self.chain.send(&[ix], &[&s.owner])
    }

    pub fn unstake(&mut self, s: &Staker) -> Result<TxOutcome, ChainError> {
        let ix = ix::unstake(&self.ch, s.owner.pubkey(), s.quote_ata);
        self.chain.send(&[ix], &[&s.owner])
    }

    /// Donate `amount` from the staker's wallet.
    pub fn donate(&mut self, s: &Staker, amount: u64) -> Result<TxOutcome, ChainError> {
        let ix = ix::donate(&self.ch, s.owner.pubkey(), s.quote_ata, amount);
        self.chain.send(&[ix], &[&s.owner])
    }

    pub fn insurance_stake(&mut self, s: &Staker) -> InsuranceStake {
        self.state(&s.stake)
    }

    /// Quote in `owner`'s wallet token account.
    pub fn wallet_quote(&mut self, ata: &Pubkey) -> u64 {
        self.chain.token_balance(ata).expect("scenario: bank call")
    }

    /// The most `series` contracts `w` could write now within initial margin (the SDK's
    /// projection of `write_options`, by bisection; nothing is sent).
    pub fn max_writable(&mut self, w: &Writer, series: &Pubkey) -> u64 {
        let s = self.series_state(series);
        let recipient = self
            .chain
            .token_account(&w.owner.pubkey(), &s.option_mint, &SPL_TOKEN)
            .expect("scenario: bank call");
        let (account, owner) = (w.account, w.owner.pubkey());
        self.with_flow(|chain, cx| {
            greekhouse_sdk::flows::max_writable(chain, cx, account, owner, *series, recipient)
        })
        .expect("scenario: projecting write_options")
    }

    /// Write as many `series` contracts from `w` as initial margin allows
    /// ([`Env::max_writable`]); returns it.
    pub fn write_to_initial_margin(
        &mut self,
        w: &Writer,
        series: &Pubkey,
    ) -> Result<u64, ChainError> {
        let n = self.max_writable(w, series);
        if n > 0 {
            self.write(w, series, n)?;
        }
        Ok(n)
    }
}

impl Env<BankChain> {
    /// Move SOL by `step_bps` per step (positive: up) until `account`'s equity at maintenance
    /// is below zero; returns the price reached (Pyth units). Panics after 500 steps.
    pub fn move_sol_until_liquidatable(&mut self, account: &Pubkey, step_bps: i64) -> i64 {
        for _ in 0..500 {
            if self.margin_of(account).maintenance.equity.is_negative() {
                return self.sol_price;
            }
            let next = self.sol_price + self.sol_price * step_bps / 10_000;
            self.move_sol(next);
        }
        panic!("scenario: account {account} never became liquidatable");
    }

    /// Publish a SOL price with a chosen publish time (for settlement); its previous publish
    /// time is that of the update the oracle held until now.
    pub fn publish_sol_at(&mut self, price: i64, publish_time: i64) {
        self.set_sol_oracle(
            PriceObservation {
                price,
                conf: price as u64 / 1_000,
                expo: PYTH_EXPO,
                publish_time,
            },
            VerificationLevel::Full,
        );
    }

    /// Put a chosen SOL update in the oracle account, carrying `prev_publish_time`, as anyone can
    /// post any verified historical update of a pull feed (confidence 0.1 %).
    pub fn publish_sol_update(&mut self, price: i64, publish_time: i64, prev_publish_time: i64) {
        self.publish_sol_update_with_conf(
            price,
            price as u64 / 1_000,
            publish_time,
            prev_publish_time,
        )
    }

    /// [`Env::publish_sol_update`] with a chosen confidence. Pull oracle setups only.
    pub fn publish_sol_update_with_conf(
        &mut self,
        price: i64,
        conf: u64,
        publish_time: i64,
        prev_publish_time: i64,
    ) {
        assert!(
            self.oracle_setup != OracleSetup::TestOracle,
            "scenario: the test oracle sets the previous publish time itself"
        );
        let obs = PriceObservation {
            price,
            conf,
            expo: PYTH_EXPO,
            publish_time,
        };
        let account = pyth::price_update_v2_after(
            SOL_FEED_ID,
            obs,
            prev_publish_time,
            VerificationLevel::Full,
        );
        self.chain.set_account(&self.sol.oracle, account);
    }
}

impl<C: ChainOps> Env<C> {
    /// Post SOL's settlement price at `expiry` from the oracle as it is now (the update at
    /// expiry, or the one after an update passed over).
    pub fn propose_settlement(&mut self, expiry: i64) -> Result<TxOutcome, ChainError> {
        let payer = self.chain.payer();
        let ix = ix::propose_settlement_price(
            self.ch.clearinghouse,
            payer,
            self.sol.key,
            self.sol.oracle,
            expiry,
        );
        self.chain.send(&[ix], &[])
    }

    /// SOL's settlement price at `expiry`, decoded.
    pub fn settlement_price(&mut self, expiry: i64) -> SettlementPrice {
        let key = pda::settlement_price(&self.sol.key, expiry);
        self.state(&key)
    }

    /// Settle `series` at its final price.
    pub fn settle_series(&mut self, series: &Pubkey) -> Result<TxOutcome, ChainError> {
        let s = self.series_state(series);
        let ix = ix::settle_series(&self.ch, *series, s.underlying, s.expiry);
        self.chain.send(&[ix], &[])
    }

    /// Settle `writer_account`'s short in `series`.
    pub fn settle_position(
        &mut self,
        writer_account: &Pubkey,
        series: &Pubkey,
    ) -> Result<TxOutcome, ChainError> {
        let ix = ix::settle_position(*writer_account, *series);
        self.chain.send(&[ix], &[])
    }

    /// Pay `writer_account`'s long in the finalized `series` into its quote balance.
    pub fn settle_long(
        &mut self,
        writer_account: &Pubkey,
        series: &Pubkey,
    ) -> Result<TxOutcome, ChainError> {
        let ix = ix::settle_long(*writer_account, *series);
        self.chain.send(&[ix], &[])
    }

    /// Resolve `writer_account`'s settlement debt (its markers' series from its state).
    pub fn resolve_debt(&mut self, writer_account: &Pubkey) -> Result<TxOutcome, ChainError> {
        let ix = self
            .with_flow(|chain, cx| {
                greekhouse_sdk::liquidation::resolve_debt(chain, cx, *writer_account)
            })
            .map_err(|e| ChainError::Backend(e.to_string()))?;
        self.chain.send(&[ix::compute_unit_limit(400_000), ix], &[])
    }

    pub fn open_backstop(&mut self, series: &Pubkey) -> Result<TxOutcome, ChainError> {
        let ix = ix::open_backstop(self.ch.clearinghouse, *series);
        self.chain.send(&[ix], &[])
    }

    /// Buy up to `amount` of `series`' backstop at any price up to `max_price`.
    pub fn buy_backstop(
        &mut self,
        s: &Staker,
        series: &Pubkey,
        amount: u64,
        max_price: u64,
    ) -> Result<TxOutcome, ChainError> {
        let count = self.clearinghouse().underlying_count;
        let ix = ix::buy_backstop(
            &self.ch,
            s.owner.pubkey(),
            s.quote_ata,
            *series,
            greekhouse::args::BuyBackstopArgs { amount, max_price },
            count,
        );
        self.chain.send(&[ix], &[&s.owner])
    }

    pub fn finalize_series(&mut self, series: &Pubkey) -> Result<TxOutcome, ChainError> {
        let ix = ix::finalize_series(self.ch.clearinghouse, *series);
        self.chain.send(&[ix], &[])
    }

    /// Redeem `contracts` of `series` from `holder`'s option token account into its quote wallet.
    pub fn redeem(
        &mut self,
        holder: &Keypair,
        holder_quote: &Pubkey,
        series: &Pubkey,
        contracts: u64,
    ) -> Result<TxOutcome, ChainError> {
        let s = self.series_state(series);
        let option_account = self
            .chain
            .token_account(&holder.pubkey(), &s.option_mint, &SPL_TOKEN)
            .expect("scenario: bank call");
        let ix = ix::redeem(
            &self.ch,
            holder.pubkey(),
            *series,
            option_account,
            *holder_quote,
            contracts,
        );
        self.chain.send(&[ix], &[holder])
    }

    /// A finalized series' dust now (what `sweep_series_dust` would move; zero before
    /// finalization).
    pub fn series_dust(&mut self, series: &Pubkey) -> u64 {
        let s = self.series_state(series);
        if s.status != greekhouse::state::SeriesStatus::Finalized as u8 {
            return 0;
        }
        let supply = self
            .chain
            .mint_supply(&s.option_mint)
            .expect("scenario: bank call");
        let claims = s.claims(supply).expect("scenario: claims overflow");
        greekhouse::engine::settlement::series_dust(s.settlement_ledger, claims, s.payout_final)
            .unwrap_or(0)
            // an American series' exercise surplus goes with it
            + s.exercise_collected.saturating_sub(s.exercise_advanced)
    }

    pub fn sweep_series_dust(&mut self, series: &Pubkey) -> Result<TxOutcome, ChainError> {
        let ix = ix::sweep_series_dust(&self.ch, *series);
        self.chain.send(&[ix], &[])
    }

    /// Option tokens `owner` holds of `series`.
    pub fn option_balance(&mut self, owner: &Pubkey, series: &Pubkey) -> u64 {
        let s = self.series_state(series);
        let ata = self
            .chain
            .token_account(owner, &s.option_mint, &SPL_TOKEN)
            .expect("scenario: bank call");
        self.chain.token_balance(&ata).expect("scenario: bank call")
    }

    pub fn genesis() -> i64 {
        GENESIS_UNIX_TIMESTAMP
    }
}

// ---- governance (docs/governance.md) ----

impl<C: ChainOps> Env<C> {
    /// The clearing house's next change id (where a loosening change is queued).
    pub fn next_change_id(&mut self) -> u64 {
        self.clearinghouse().change_count
    }

    /// The admin proposes `change` of `target`: applied at once when tightening, queued at the
    /// next change id when loosening.
    pub fn queue_change(
        &mut self,
        target: ix::ChangeTarget,
        change: GovValue,
    ) -> Result<TxOutcome, ChainError> {
        let admin = self.admin.insecure_clone();
        self.queue_change_as(&admin, target, change)
    }

    /// `signer` proposes `change` as if it were the admin.
    pub fn queue_change_as(
        &mut self,
        signer: &Keypair,
        target: ix::ChangeTarget,
        change: GovValue,
    ) -> Result<TxOutcome, ChainError> {
        let id = self.next_change_id();
        let ix = ix::queue_change(
            self.ch.clearinghouse,
            self.chain.payer(),
            signer.pubkey(),
            id,
            target,
            change,
        );
        self.chain.send(&[ix], &[signer])
    }

    /// Anyone (here the bank's payer) executes queued change `change_id`.
    pub fn execute_change(
        &mut self,
        change_id: u64,
        target: ix::ChangeTarget,
    ) -> Result<TxOutcome, ChainError> {
        let ix = ix::execute_change(self.ch.clearinghouse, self.chain.payer(), change_id, target);
        self.chain.send(&[ix], &[])
    }

    /// `authority` (the admin or the guardian) cancels queued change `change_id`.
    pub fn cancel_change(
        &mut self,
        authority: &Keypair,
        change_id: u64,
    ) -> Result<TxOutcome, ChainError> {
        let ix = ix::cancel_change(self.ch.clearinghouse, authority.pubkey(), change_id);
        self.chain.send(&[ix], &[authority])
    }

    /// A queued (or resolved) change.
    pub fn param_change(&mut self, change_id: u64) -> ParamChange {
        let key = greekhouse_sdk::pda::param_change(&self.ch.clearinghouse, change_id);
        self.state(&key)
    }
}

impl Env<BankChain> {
    /// Queue a loosening `change`, wait out the timelock (the clock moves forward) and execute
    /// it; returns the change id. Panics when any step fails.
    pub fn loosen(&mut self, target: ix::ChangeTarget, change: GovValue) -> u64 {
        let id = self.next_change_id();
        self.queue_change(target, change).expect("queue_change");
        let timelock = self.clearinghouse().params.timelock_secs as i64;
        self.advance(timelock);
        self.execute_change(id, target).expect("execute_change");
        id
    }

    /// Fixture shortcut: enable a listing through the real queue and execute, with the queueing
    /// dated one timelock in the past so the scenario's clock does not move (the bank's clock is
    /// set by the caller). Panics when a step fails.
    pub fn enable_listing(&mut self, target: ix::ChangeTarget, change: GovValue) {
        let (clearinghouse, admin) = (self.ch.clearinghouse, self.admin.insecure_clone());
        self.enable_listing_of(clearinghouse, &admin, target, change);
    }

    /// [`Env::enable_listing`] on any clearing house of the bank, with its admin.
    pub fn enable_listing_of(
        &mut self,
        clearinghouse: Pubkey,
        admin: &Keypair,
        target: ix::ChangeTarget,
        change: GovValue,
    ) {
        let now = self.now();
        let ch: Clearinghouse = self.state(&clearinghouse);
        let (id, timelock) = (ch.change_count, ch.params.timelock_secs as i64);
        let payer = self.chain.payer();
        self.chain
            .set_unix_timestamp(now - timelock)
            .expect("scenario: bank call");
        self.chain
            .send(
                &[ix::queue_change(
                    clearinghouse,
                    payer,
                    admin.pubkey(),
                    id,
                    target,
                    change,
                )],
                &[admin],
            )
            .expect("queue_change (enable listing)");
        self.chain
            .set_unix_timestamp(now)
            .expect("scenario: bank call");
        self.chain
            .send(&[ix::execute_change(clearinghouse, payer, id, target)], &[])
            .expect("execute_change (enable listing)");
    }

    /// Enable a listed underlying (fixture shortcut, see [`Env::enable_listing`]).
    pub fn enable_underlying(&mut self, underlying: Pubkey) {
        self.enable_listing(
            ix::ChangeTarget::underlying(underlying),
            GovValue::UnderlyingEnabled(true),
        );
    }

    /// Enable a listed collateral asset (fixture shortcut, see [`Env::enable_listing`]).
    pub fn enable_collateral(&mut self, mint: Pubkey) {
        let key = greekhouse_sdk::pda::collateral_asset(&self.ch.clearinghouse, &mint);
        self.enable_listing(
            ix::ChangeTarget::collateral(key, None),
            GovValue::CollateralEnabled(true),
        );
    }

    fn enable_fixture_listings(&mut self) {
        let (sol, btc, sol_mint) = (self.sol.key, self.btc.key, self.sol_mint);
        self.enable_underlying(sol);
        self.enable_underlying(btc);
        self.enable_collateral(sol_mint);
    }
}
