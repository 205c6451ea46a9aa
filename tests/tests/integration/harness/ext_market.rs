//! Harness extensions for the ext_market test files (owned by their author): series terms,
//! raw mint and token-account decoding, the fee and margin the program should report, custom
//! write/burn instructions, a second clearing house and extra underlyings.
#![allow(dead_code)]
use super::*;

use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
use greekhouse::engine::margin::{equity_native, PricedUnderlying};
use greekhouse::engine::pricing;
use greekhouse::oracle::parse_oracle_account;

/// A mint as decoded from its raw SPL Token layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MintView {
    pub mint_authority: Option<Pubkey>,
    pub supply: u64,
    pub decimals: u8,
    pub is_initialized: bool,
    pub freeze_authority: Option<Pubkey>,
}

fn coption_pubkey(bytes: &[u8]) -> Option<Pubkey> {
    let tag = u32::from_le_bytes(bytes[..4].try_into().unwrap());
    (tag == 1).then(|| Pubkey::new_from_array(bytes[4..36].try_into().unwrap()))
}

/// A token account's mint, owner and amount (raw SPL Token layout).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenAccountView {
    pub mint: Pubkey,
    pub owner: Pubkey,
    pub amount: u64,
}

/// The short-position template of a series, as the program copies it into a writer account.
pub fn template_of(series: &Pubkey, s: &OptionSeries) -> Position {
    Position {
        series: *series,
        underlying: s.underlying,
        strike: s.strike,
        expiry: s.expiry,
        contract_size: s.contract_size,
        contracts: 0,
        kind: s.kind,
        side: 0,
        style: 0,
        _padding: 0,
        exercise_epoch: 0,
    }
}

/// An extra underlying listed by a test, with its own pull feed.
#[derive(Clone, Copy, Debug)]
pub struct ExtraUnderlying {
    pub fixture: UnderlyingFixture,
    pub feed: [u8; 32],
}

/// A second clearing house (another creator, same quote mint) with one listed underlying.
pub struct ForeignClearinghouse {
    pub ch: ClearinghouseRef,
    pub creator: Keypair,
    pub admin: Keypair,
    pub underlying: UnderlyingFixture,
}

/// Market helpers of the tests on the scenario kit's world.
pub trait MarketOps {
    /// Send one instruction signed by `signers` (besides the payer).
    fn send_ix(&mut self, ix: Instruction, signers: &[&Keypair]) -> Result<TxOutcome, ChainError>;
    /// Raw decoding of a mint account.
    fn mint_view(&mut self, mint: &Pubkey) -> MintView;
    /// Raw decoding of a token account.
    fn token_view(&mut self, account: &Pubkey) -> TokenAccountView;
    /// Option mint supply of a series.
    fn series_supply(&mut self, series: &Pubkey) -> u64;
    /// The owner's associated token account of a series' option mint (created if missing).
    fn option_ata(&mut self, owner: &Pubkey, series: &Pubkey) -> Pubkey;
    /// Short contracts of `account` in `series` (0 when none).
    fn short_of(&mut self, account: &Pubkey, series: &Pubkey) -> u64;
    /// The writing fee the program charges for `contracts` of `series` at the current oracle
    /// price, computed with the program's own pricing code (premium rounded up, fee rounded up).
    fn expected_write_fee(&mut self, series: &Pubkey, contracts: u64) -> u64;
    /// As [`Env::expected_write_fee`], naming the oracle account.
    fn expected_write_fee_with(
        &mut self,
        series: &Pubkey,
        contracts: u64,
        s: &OptionSeries,
        u: Underlying,
        oracle: Pubkey,
    ) -> u64;
    /// The SDK's equity at IM of `account`, in quote native units rounded down (as the
    /// program reports it in events).
    fn initial_equity_native(&mut self, account: &Pubkey) -> i64;
    /// The write instruction exactly as [`Env::write_to`] builds it (margin accounts of the
    /// account after the write), for tests that tamper with it.
    fn write_ix(
        &mut self,
        w: &Writer,
        series: &Pubkey,
        contracts: u64,
        recipient: Pubkey,
    ) -> Instruction;
    /// Pause `flags` with the guardian key.
    fn pause(&mut self, flags: u32);
    /// Lift `flags` with the admin key.
    fn unpause(&mut self, flags: u32);
    /// Re-set an underlying's current surface (unchanged values, fresh timestamp).
    fn refresh_surface(&mut self, underlying: &Pubkey);
    /// List another underlying priced by a pull feed `feed` at `price` (exponent -8),
    /// with SOL-like series rules ($1 tick, 1 unit per contract) and `open_interest_cap`.
    fn list_pull_underlying(
        &mut self,
        symbol: &str,
        feed: [u8; 32],
        price: i64,
        open_interest_cap: u64,
    ) -> ExtraUnderlying;
    /// Publish `price` (exponent -8, 0.1 % conf, publish time now) for an extra underlying.
    fn publish_extra(&mut self, extra: &ExtraUnderlying, price: i64);
    /// A second clearing house on the same quote mint, created by another key, with one
    /// underlying (id 0) priced by the fixture's SOL oracle account.
    fn foreign_clearinghouse(&mut self) -> ForeignClearinghouse;
    /// Raw data of every account in `keys` (None when missing), to show a failed transaction
    /// changed nothing.
    fn snapshot(&mut self, keys: &[Pubkey]) -> Vec<Option<Vec<u8>>>;
}

impl MarketOps for Env {
    /// Send one instruction signed by `signers` (besides the payer).
    fn send_ix(&mut self, ix: Instruction, signers: &[&Keypair]) -> Result<TxOutcome, ChainError> {
        self.chain.send(&[ix], signers)
    }

    /// Raw decoding of a mint account.
    fn mint_view(&mut self, mint: &Pubkey) -> MintView {
        let a = self.chain.account(mint).unwrap().expect("mint exists");
        assert_eq!(a.owner, SPL_TOKEN, "mint owned by SPL Token");
        let d = &a.data;
        assert!(d.len() >= 82, "mint layout");
        MintView {
            mint_authority: coption_pubkey(&d[0..36]),
            supply: u64::from_le_bytes(d[36..44].try_into().unwrap()),
            decimals: d[44],
            is_initialized: d[45] == 1,
            freeze_authority: coption_pubkey(&d[46..82]),
        }
    }

    /// Raw decoding of a token account.
    fn token_view(&mut self, account: &Pubkey) -> TokenAccountView {
        let a = self
            .chain
            .account(account)
            .unwrap()
            .expect("token account exists");
        let d = &a.data;
        TokenAccountView {
            mint: Pubkey::new_from_array(d[0..32].try_into().unwrap()),
            owner: Pubkey::new_from_array(d[32..64].try_into().unwrap()),
            amount: u64::from_le_bytes(d[64..72].try_into().unwrap()),
        }
    }

    /// Option mint supply of a series.
    fn series_supply(&mut self, series: &Pubkey) -> u64 {
        let s = self.series_state(series);
        self.chain.mint_supply(&s.option_mint).unwrap()
    }

    /// The owner's associated token account of a series' option mint (created if missing).
    fn option_ata(&mut self, owner: &Pubkey, series: &Pubkey) -> Pubkey {
        let s = self.series_state(series);
        self.chain
            .token_account(owner, &s.option_mint, &SPL_TOKEN)
            .unwrap()
    }

    /// Short contracts of `account` in `series` (0 when none).
    fn short_of(&mut self, account: &Pubkey, series: &Pubkey) -> u64 {
        let w = self.writer_state(account);
        w.position_slot(series, greekhouse::state::Side::Short)
            .map(|i| w.positions[i].contracts)
            .unwrap_or(0)
    }

    /// The writing fee the program charges for `contracts` of `series` at the current oracle
    /// price, computed with the program's own pricing code (premium rounded up, fee rounded up).
    fn expected_write_fee(&mut self, series: &Pubkey, contracts: u64) -> u64 {
        let s = self.series_state(series);
        let u = self.underlying(&s.underlying);
        let oracle = self.oracle_for(&s.underlying).expect("fixture underlying");
        self.expected_write_fee_with(series, contracts, &s, u, oracle)
    }

    /// As [`Env::expected_write_fee`], naming the oracle account.
    fn expected_write_fee_with(
        &mut self,
        series: &Pubkey,
        contracts: u64,
        s: &OptionSeries,
        u: Underlying,
        oracle: Pubkey,
    ) -> u64 {
        let ch = self.clearinghouse();
        let acc = self
            .chain
            .account(&oracle)
            .unwrap()
            .expect("oracle account");
        let price =
            parse_oracle_account(&u, &oracle, &acc.owner, &acc.data).expect("oracle parses");
        let priced = PricedUnderlying {
            key: s.underlying,
            underlying: u,
            price,
            usable: true,
        };
        let now = self.now();
        let premium = pricing::premium(
            &priced,
            &template_of(series, s),
            contracts,
            now,
            ch.params.min_time_to_expiry_secs,
            ch.quote_decimals,
        )
        .expect("premium");
        pricing::fee_native(premium, ch.params.write_fee_bps).expect("fee")
    }

    /// The SDK's equity at IM of `account`, in quote native units rounded down (as the
    /// program reports it in events).
    fn initial_equity_native(&mut self, account: &Pubkey) -> i64 {
        let m = self.margin_of(account);
        equity_native(m.initial.equity).expect("equity fits")
    }

    /// The write instruction exactly as [`Env::write_to`] builds it, for tests that tamper with
    /// it.
    fn write_ix(
        &mut self,
        w: &Writer,
        series: &Pubkey,
        contracts: u64,
        recipient: Pubkey,
    ) -> Instruction {
        self.write_instruction(w, series, contracts, recipient)
    }

    /// Pause `flags` with the guardian key.
    fn pause(&mut self, flags: u32) {
        let guardian = self.guardian.insecure_clone();
        self.chain
            .send(
                &[ix::pause(self.ch.clearinghouse, guardian.pubkey(), flags)],
                &[&guardian],
            )
            .expect("pause");
    }

    /// Lift `flags` with the admin key.
    fn unpause(&mut self, flags: u32) {
        self.send_admin(ix::unpause(
            self.ch.clearinghouse,
            self.admin.pubkey(),
            flags,
        ))
        .expect("unpause");
    }

    /// Re-set an underlying's current surface (unchanged values, fresh timestamp).
    fn refresh_surface(&mut self, underlying: &Pubkey) {
        let u = self.underlying(underlying);
        let updater = self.vol_updater.insecure_clone();
        self.chain
            .send(
                &[ix::set_vol_surface(
                    *underlying,
                    updater.pubkey(),
                    u.surface,
                )],
                &[&updater],
            )
            .expect("set_vol_surface");
    }

    /// List another underlying priced by a pull feed `feed` at `price` (exponent -8),
    /// with SOL-like series rules ($1 tick, 1 unit per contract) and `open_interest_cap`.
    fn list_pull_underlying(
        &mut self,
        symbol: &str,
        feed: [u8; 32],
        price: i64,
        open_interest_cap: u64,
    ) -> ExtraUnderlying {
        let id = self.clearinghouse().underlying_count;
        let mut args = underlying_args(
            id,
            symbol,
            pull_oracle(feed),
            self.vol_updater.pubkey(),
            USDC,
            1_000_000,
        );
        args.open_interest_cap = open_interest_cap;
        self.send_admin(ix::list_underlying(
            self.ch.clearinghouse,
            self.chain.payer(),
            self.admin.pubkey(),
            args,
        ))
        .expect("list_underlying");
        self.enable_underlying(pda::underlying(&self.ch.clearinghouse, id));
        let fixture = UnderlyingFixture {
            key: pda::underlying(&self.ch.clearinghouse, id),
            id,
            oracle: Pubkey::new_unique(),
            kind: OracleKind::PullV2,
            oracle_program: pyth_solana_receiver_sdk::ID,
        };
        let extra = ExtraUnderlying { fixture, feed };
        self.publish_extra(&extra, price);
        extra
    }

    /// Publish `price` (exponent -8, 0.1 % conf, publish time now) for an extra underlying.
    fn publish_extra(&mut self, extra: &ExtraUnderlying, price: i64) {
        let now = self.now();
        let account = pyth::price_update_v2(
            extra.feed,
            PriceObservation {
                price,
                conf: price as u64 / 1_000,
                expo: PYTH_EXPO,
                publish_time: now,
            },
            VerificationLevel::Full,
        );
        self.chain.set_account(&extra.fixture.oracle, account);
    }

    /// A second clearing house on the same quote mint, created by another key, with one
    /// underlying (id 0) priced by the fixture's SOL oracle account.
    fn foreign_clearinghouse(&mut self) -> ForeignClearinghouse {
        let creator = self.chain.funded_keypair(10 * LAMPORTS_PER_SOL).unwrap();
        let admin = self.chain.funded_keypair(LAMPORTS_PER_SOL).unwrap();
        let ch = ClearinghouseRef::new(self.ch.quote_mint, creator.pubkey(), SPL_TOKEN);
        assert_ne!(ch.clearinghouse, self.ch.clearinghouse);
        self.chain
            .send(
                &[ix::initialize_clearinghouse(
                    &ch,
                    creator.pubkey(),
                    InitializeClearinghouseArgs {
                        admin: admin.pubkey(),
                        guardian: admin.pubkey(),
                        params: default_params(),
                    },
                )],
                &[&creator],
            )
            .expect("second initialize_clearinghouse");
        let args = self.sol_underlying_args(0);
        self.chain
            .send(
                &[ix::list_underlying(
                    ch.clearinghouse,
                    self.chain.payer(),
                    admin.pubkey(),
                    args,
                )],
                &[&admin],
            )
            .expect("foreign list_underlying");
        self.enable_listing_of(
            ch.clearinghouse,
            &admin,
            ix::ChangeTarget::underlying(pda::underlying(&ch.clearinghouse, 0)),
            GovValue::UnderlyingEnabled(true),
        );
        let underlying = UnderlyingFixture {
            key: pda::underlying(&ch.clearinghouse, 0),
            id: 0,
            oracle: self.sol.oracle,
            kind: OracleKind::PullV2,
            oracle_program: pyth_solana_receiver_sdk::ID,
        };
        ForeignClearinghouse {
            ch,
            creator,
            admin,
            underlying,
        }
    }

    /// Raw data of every account in `keys` (None when missing), to show a failed transaction
    /// changed nothing.
    fn snapshot(&mut self, keys: &[Pubkey]) -> Vec<Option<Vec<u8>>> {
        keys.iter()
            .map(|k| self.chain.account(k).unwrap().map(|a| a.data))
            .collect()
    }
}

/// The remaining accounts of a writer holding only quote (no collateral assets) whose
/// positions depend on exactly `underlyings` (in canonical order).
pub fn quote_only_margin_accounts(underlyings: &[(Pubkey, Pubkey)]) -> Vec<AccountMeta> {
    let mut metas = Vec::new();
    for (u, oracle) in underlyings {
        metas.push(AccountMeta::new(*u, false));
        metas.push(AccountMeta::new_readonly(*oracle, false));
    }
    metas
}

/// Whole dollars as quote native units.
pub const fn usd(dollars: u64) -> u64 {
    dollars * USDC
}

/// Whole dollars as a Pyth price at exponent -8.
pub const fn pyth_usd(dollars: i64) -> i64 {
    dollars * 100_000_000
}
