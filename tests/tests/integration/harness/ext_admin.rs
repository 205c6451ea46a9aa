//! Harness extensions for the ext_admin test files (owned by their author): a bare bank with no
//! clearing house yet (for `initialize_clearinghouse`), governance and listing helpers that let
//! any key sign, Token-2022 mints with extensions, token-account decoding and event pickers.
#![allow(dead_code)]
use super::*;

use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::solana_program::system_instruction;
use anchor_spl::token_2022::spl_token_2022;
use spl_token_2022::extension::ExtensionType;

// ---------------------------------------------------------------- Anchor's own error codes

/// `ConstraintSeeds`: an account is not the PDA its seeds name.
pub const ANCHOR_CONSTRAINT_SEEDS: u32 = 2006;
/// `AccountDiscriminatorMismatch`: an account of another type was passed.
pub const ANCHOR_DISCRIMINATOR_MISMATCH: u32 = 3002;
/// `AccountOwnedByWrongProgram`.
pub const ANCHOR_OWNED_BY_WRONG_PROGRAM: u32 = 3007;
/// `AccountNotInitialized`.
pub const ANCHOR_NOT_INITIALIZED: u32 = 3012;

// ---------------------------------------------------------------- failures and pre-funding

/// Assert a transaction failed, for any reason; returns the error.
#[track_caller]
pub fn expect_tx_failure<T: std::fmt::Debug>(result: Result<T, ChainError>) -> ChainError {
    match result {
        Err(e) => e,
        Ok(v) => panic!("expected the transaction to fail, it succeeded: {v:?}"),
    }
}

/// Send the rent-exempt minimum of an empty account to `address` from the payer, as anyone
/// can do to any address (a "pre-funded" PDA).
pub fn prefund(chain: &mut BankChain, address: &Pubkey) {
    chain.transfer_lamports(address, 890_880).unwrap();
}

// ---------------------------------------------------------------- a bank without a clearing house

/// A bank with funded governance keys and a USDC-like quote mint, before any clearing house
/// exists: the fixture of `initialize_clearinghouse` tests.
pub struct Bare {
    pub chain: BankChain,
    pub creator: Keypair,
    pub admin: Keypair,
    pub guardian: Keypair,
    pub mint_authority: Keypair,
    pub quote_mint: Pubkey,
}

impl Bare {
    pub fn new() -> Self {
        let mut chain = BankChain::start().expect("bank starts");
        let creator = chain.funded_keypair(100 * LAMPORTS_PER_SOL).unwrap();
        let admin = chain.funded_keypair(LAMPORTS_PER_SOL).unwrap();
        let guardian = chain.funded_keypair(LAMPORTS_PER_SOL).unwrap();
        let mint_authority = Keypair::new();
        let quote_mint = chain
            .create_mint(&SPL_TOKEN, QUOTE_DECIMALS, &mint_authority.pubkey())
            .unwrap();
        Bare {
            chain,
            creator,
            admin,
            guardian,
            mint_authority,
            quote_mint,
        }
    }

    /// Valid arguments: the fixture's admin and guardian, default parameters.
    pub fn args(&self) -> InitializeClearinghouseArgs {
        InitializeClearinghouseArgs {
            admin: self.admin.pubkey(),
            guardian: self.guardian.pubkey(),
            params: default_params(),
        }
    }

    /// The clearing house of the fixture's creator for its quote mint (SPL Token).
    pub fn ch(&self) -> ClearinghouseRef {
        ClearinghouseRef::new(self.quote_mint, self.creator.pubkey(), SPL_TOKEN)
    }

    /// `initialize_clearinghouse` of `ch`, signed by `creator`.
    pub fn initialize_as(
        &mut self,
        creator: &Keypair,
        ch: &ClearinghouseRef,
        args: InitializeClearinghouseArgs,
    ) -> Result<TxOutcome, ChainError> {
        let ix = ix::initialize_clearinghouse(ch, creator.pubkey(), args);
        self.chain.send(&[ix], &[creator])
    }

    /// `initialize_clearinghouse` by the fixture's creator for its quote mint.
    pub fn initialize(
        &mut self,
        args: InitializeClearinghouseArgs,
    ) -> Result<TxOutcome, ChainError> {
        let (creator, ch) = (self.creator.insecure_clone(), self.ch());
        self.initialize_as(&creator, &ch, args)
    }

    /// Initialize with the default arguments except `params`.
    pub fn initialize_with_params(
        &mut self,
        params: GlobalParams,
    ) -> Result<TxOutcome, ChainError> {
        let mut args = self.args();
        args.params = params;
        self.initialize(args)
    }

    pub fn clearinghouse(&mut self, key: &Pubkey) -> Clearinghouse {
        let a = self
            .chain
            .account(key)
            .unwrap()
            .expect("clearing house exists");
        accounts::clearinghouse(&a.data).unwrap()
    }
}

// ---------------------------------------------------------------- governance and listing

/// Governance and listing instructions with an explicit signer, so tests can sign with the
/// wrong key. A trait (not inherent methods) so names never clash with other harness files.
pub trait AdminOps {
    fn send_as(&mut self, ix: Instruction, signer: &Keypair) -> Result<TxOutcome, ChainError>;
    fn propose_admin_as(
        &mut self,
        signer: &Keypair,
        new_admin: Pubkey,
    ) -> Result<TxOutcome, ChainError>;
    fn accept_admin_as(&mut self, signer: &Keypair) -> Result<TxOutcome, ChainError>;
    fn pause_as(&mut self, signer: &Keypair, flags: u32) -> Result<TxOutcome, ChainError>;
    fn unpause_as(&mut self, signer: &Keypair, flags: u32) -> Result<TxOutcome, ChainError>;
    fn list_underlying_as(
        &mut self,
        signer: &Keypair,
        args: ListUnderlyingArgs,
    ) -> Result<TxOutcome, ChainError>;
    fn list_collateral_as(
        &mut self,
        signer: &Keypair,
        mint: Pubkey,
        token_program: Pubkey,
        price_underlying: Option<Pubkey>,
        args: ListCollateralArgs,
    ) -> Result<TxOutcome, ChainError>;
    fn set_vol_surface_as(
        &mut self,
        signer: &Keypair,
        underlying: Pubkey,
        surface: StoredVolSurface,
    ) -> Result<TxOutcome, ChainError>;

    /// The admin key (cloned, to sign with while borrowing the environment mutably).
    fn admin_kp(&self) -> Keypair;
    fn guardian_kp(&self) -> Keypair;
    fn vol_updater_kp(&self) -> Keypair;
    /// A fresh funded key that holds no role.
    fn stranger(&mut self) -> Keypair;

    /// Valid arguments for the next underlying (a pull-oracle feed, the fixture's vol updater).
    fn next_underlying_args(&mut self, symbol: &str) -> ListUnderlyingArgs;
    /// List `args` as the admin.
    fn list_underlying(&mut self, args: ListUnderlyingArgs) -> Result<TxOutcome, ChainError>;
    /// List `mint` as the admin.
    fn list_collateral(
        &mut self,
        mint: Pubkey,
        token_program: Pubkey,
        price_underlying: Option<Pubkey>,
        args: ListCollateralArgs,
    ) -> Result<TxOutcome, ChainError>;
    /// A fresh mint under `token_program` without extensions.
    fn fresh_mint(&mut self, token_program: Pubkey, decimals: u8) -> Pubkey;
}

impl AdminOps for Env {
    fn send_as(&mut self, ix: Instruction, signer: &Keypair) -> Result<TxOutcome, ChainError> {
        self.chain.send(&[ix], &[signer])
    }

    fn propose_admin_as(
        &mut self,
        signer: &Keypair,
        new_admin: Pubkey,
    ) -> Result<TxOutcome, ChainError> {
        let ix = ix::propose_admin(self.ch.clearinghouse, signer.pubkey(), new_admin);
        self.send_as(ix, signer)
    }

    fn accept_admin_as(&mut self, signer: &Keypair) -> Result<TxOutcome, ChainError> {
        let ix = ix::accept_admin(self.ch.clearinghouse, signer.pubkey());
        self.send_as(ix, signer)
    }

    fn pause_as(&mut self, signer: &Keypair, flags: u32) -> Result<TxOutcome, ChainError> {
        let ix = ix::pause(self.ch.clearinghouse, signer.pubkey(), flags);
        self.send_as(ix, signer)
    }

    fn unpause_as(&mut self, signer: &Keypair, flags: u32) -> Result<TxOutcome, ChainError> {
        let ix = ix::unpause(self.ch.clearinghouse, signer.pubkey(), flags);
        self.send_as(ix, signer)
    }

    fn list_underlying_as(
        &mut self,
        signer: &Keypair,
        args: ListUnderlyingArgs,
    ) -> Result<TxOutcome, ChainError> {
        let ix = ix::list_underlying(
            self.ch.clearinghouse,
            self.chain.payer(),
            signer.pubkey(),
            args,
        );
        self.send_as(ix, signer)
    }

    fn list_collateral_as(
        &mut self,
        signer: &Keypair,
        mint: Pubkey,
        token_program: Pubkey,
        price_underlying: Option<Pubkey>,
        args: ListCollateralArgs,
    ) -> Result<TxOutcome, ChainError> {
        let ix = ix::list_collateral(
            self.ch.clearinghouse,
            self.chain.payer(),
            signer.pubkey(),
            mint,
            token_program,
            price_underlying,
            args,
        );
        self.send_as(ix, signer)
    }

    fn set_vol_surface_as(
        &mut self,
        signer: &Keypair,
        underlying: Pubkey,
        surface: StoredVolSurface,
    ) -> Result<TxOutcome, ChainError> {
        let ix = ix::set_vol_surface(underlying, signer.pubkey(), surface);
        self.send_as(ix, signer)
    }

    fn admin_kp(&self) -> Keypair {
        self.admin.insecure_clone()
    }

    fn guardian_kp(&self) -> Keypair {
        self.guardian.insecure_clone()
    }

    fn vol_updater_kp(&self) -> Keypair {
        self.vol_updater.insecure_clone()
    }

    fn stranger(&mut self) -> Keypair {
        self.chain.funded_keypair(LAMPORTS_PER_SOL).unwrap()
    }

    fn next_underlying_args(&mut self, symbol: &str) -> ListUnderlyingArgs {
        let id = self.clearinghouse().underlying_count;
        let mut feed = [0u8; 32];
        feed[..symbol.len()].copy_from_slice(symbol.as_bytes());
        underlying_args(
            id,
            symbol,
            pull_oracle(feed),
            self.vol_updater.pubkey(),
            USDC,
            1_000_000,
        )
    }

    fn list_underlying(&mut self, args: ListUnderlyingArgs) -> Result<TxOutcome, ChainError> {
        let admin = self.admin_kp();
        self.list_underlying_as(&admin, args)
    }

    fn list_collateral(
        &mut self,
        mint: Pubkey,
        token_program: Pubkey,
        price_underlying: Option<Pubkey>,
        args: ListCollateralArgs,
    ) -> Result<TxOutcome, ChainError> {
        let admin = self.admin_kp();
        self.list_collateral_as(&admin, mint, token_program, price_underlying, args)
    }

    fn fresh_mint(&mut self, token_program: Pubkey, decimals: u8) -> Pubkey {
        let auth = self.mint_authority.pubkey();
        self.chain
            .create_mint(&token_program, decimals, &auth)
            .unwrap()
    }
}

/// Collateral arguments with `price_source` as given, weights 80 % / 90 % and a large cap.
pub fn collateral_args(price_source: u8) -> ListCollateralArgs {
    ListCollateralArgs {
        price_source,
        init_weight_bps: 8_000,
        maint_weight_bps: 9_000,
        deposit_cap: 1_000_000 * LAMPORTS_PER_SOL,
    }
}

/// A symbol zero-padded to the 16 bytes the program stores.
pub fn symbol16(symbol: &str) -> [u8; 16] {
    let mut s = [0u8; 16];
    s[..symbol.len()].copy_from_slice(symbol.as_bytes());
    s
}

// ---------------------------------------------------------------- token accounts and mints

/// The base fields of a token account (same layout in SPL Token and Token-2022) and the
/// program that owns it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenAccountInfo {
    pub mint: Pubkey,
    pub owner: Pubkey,
    pub amount: u64,
    pub program: Pubkey,
}

pub fn token_account_info(chain: &mut BankChain, key: &Pubkey) -> TokenAccountInfo {
    let a = chain.account(key).unwrap().expect("token account exists");
    assert!(
        a.data.len() >= 165,
        "not a token account: {} bytes",
        a.data.len()
    );
    TokenAccountInfo {
        mint: Pubkey::try_from(&a.data[0..32]).unwrap(),
        owner: Pubkey::try_from(&a.data[32..64]).unwrap(),
        amount: u64::from_le_bytes(a.data[64..72].try_into().unwrap()),
        program: a.owner,
    }
}

/// A Token-2022 mint extension a test can put on a fresh mint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MintExt {
    TransferFee,
    PermanentDelegate,
    DefaultFrozen,
    NonTransferable,
    CloseAuthority,
    TransferHook,
    Pausable,
    ConfidentialTransfer,
    MetadataPointer,
    InterestBearing,
    ScaledUiAmount,
}

impl MintExt {
    fn extension_type(self) -> ExtensionType {
        match self {
            MintExt::TransferFee => ExtensionType::TransferFeeConfig,
            MintExt::PermanentDelegate => ExtensionType::PermanentDelegate,
            MintExt::DefaultFrozen => ExtensionType::DefaultAccountState,
            MintExt::NonTransferable => ExtensionType::NonTransferable,
            MintExt::CloseAuthority => ExtensionType::MintCloseAuthority,
            MintExt::TransferHook => ExtensionType::TransferHook,
            MintExt::Pausable => ExtensionType::Pausable,
            MintExt::ConfidentialTransfer => ExtensionType::ConfidentialTransferMint,
            MintExt::MetadataPointer => ExtensionType::MetadataPointer,
            MintExt::InterestBearing => ExtensionType::InterestBearingConfig,
            MintExt::ScaledUiAmount => ExtensionType::ScaledUiAmount,
        }
    }

    /// The instruction that initialises the extension on `mint` (before `initialize_mint2`).
    fn init_ix(self, mint: &Pubkey, authority: &Pubkey) -> Instruction {
        use spl_token_2022::extension as x;
        let p = &TOKEN_2022;
        match self {
            MintExt::TransferFee => x::transfer_fee::instruction::initialize_transfer_fee_config(
                p,
                mint,
                Some(authority),
                Some(authority),
                100, // 1 %
                u64::MAX,
            ),
            MintExt::PermanentDelegate => {
                spl_token_2022::instruction::initialize_permanent_delegate(p, mint, authority)
            }
            MintExt::DefaultFrozen => {
                x::default_account_state::instruction::initialize_default_account_state(
                    p,
                    mint,
                    &spl_token_2022::state::AccountState::Frozen,
                )
            }
            MintExt::NonTransferable => {
                spl_token_2022::instruction::initialize_non_transferable_mint(p, mint)
            }
            MintExt::CloseAuthority => {
                spl_token_2022::instruction::initialize_mint_close_authority(
                    p,
                    mint,
                    Some(authority),
                )
            }
            MintExt::TransferHook => x::transfer_hook::instruction::initialize(
                p,
                mint,
                Some(*authority),
                Some(Pubkey::new_unique()),
            ),
            MintExt::Pausable => x::pausable::instruction::initialize(p, mint, authority),
            MintExt::ConfidentialTransfer => {
                x::confidential_transfer::instruction::initialize_mint(
                    p,
                    mint,
                    Some(*authority),
                    true,
                    None,
                )
            }
            MintExt::MetadataPointer => {
                x::metadata_pointer::instruction::initialize(p, mint, Some(*authority), Some(*mint))
            }
            MintExt::InterestBearing => {
                x::interest_bearing_mint::instruction::initialize(p, mint, Some(*authority), 500)
            }
            MintExt::ScaledUiAmount => {
                x::scaled_ui_amount::instruction::initialize(p, mint, Some(*authority), 2.0)
            }
        }
        .expect("extension instruction")
    }
}

/// A fresh Token-2022 mint with `exts` (mint and freeze authority: `authority`).
pub fn token_2022_mint(
    chain: &mut BankChain,
    authority: &Pubkey,
    decimals: u8,
    exts: &[MintExt],
) -> Result<Pubkey, ChainError> {
    let mint = Keypair::new();
    let types: Vec<ExtensionType> = exts.iter().map(|e| e.extension_type()).collect();
    let space = ExtensionType::try_calculate_account_len::<spl_token_2022::state::Mint>(&types)
        .expect("mint length");
    let payer = chain.payer();
    let mut ixs = vec![system_instruction::create_account(
        &payer,
        &mint.pubkey(),
        LAMPORTS_PER_SOL / 10, // far above rent exemption for any mint
        space as u64,
        &TOKEN_2022,
    )];
    for e in exts {
        ixs.push(e.init_ix(&mint.pubkey(), authority));
    }
    ixs.push(
        spl_token_2022::instruction::initialize_mint2(
            &TOKEN_2022,
            &mint.pubkey(),
            authority,
            Some(authority),
            decimals,
        )
        .unwrap(),
    );
    chain.send(&ixs, &[&mint])?;
    Ok(mint.pubkey())
}

// ---------------------------------------------------------------- events
