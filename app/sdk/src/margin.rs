//! A writer account's margin from fetched accounts, through the program's own engine
//! (`greekhouse::engine::margin::compute_margin`, which calls `greekhouse-risk`): the SDK, the
//! bot and the simulator get the program's numbers, not an imitation of them.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::AccountMeta;
use greekhouse::engine::actions::MarginPrices;
use greekhouse::engine::layout;
use greekhouse::engine::margin::{
    compute_margin, needed_by_position, usable_for_margin, LoadedMargin, PricedUnderlying,
};
use greekhouse::errors::GreekhouseError;
use greekhouse::oracle::{parse_oracle_account, PriceUse};
use greekhouse::state::{Clearinghouse, CollateralAsset, Position, Underlying, WriterAccount};
use greekhouse_risk::MarginSummary;

use crate::accounts;
use crate::chain::{Chain, ChainError};

/// Errors of the off-chain margin computation.
#[derive(Debug, thiserror::Error)]
pub enum MarginError {
    #[error(transparent)]
    Chain(#[from] ChainError),
    #[error("account {0} is missing")]
    MissingAccount(Pubkey),
    #[error("account {0} does not decode: {1}")]
    Decode(Pubkey, accounts::DecodeError),
    #[error("no oracle account known for underlying {0}")]
    NoOracle(Pubkey),
    #[error("program check failed: {0}")]
    Program(String),
    /// The program's own rule refused the action, with the error code and name the program
    /// would return (the same action ran here).
    #[error("the program refuses it: {name} ({code})")]
    Refused { code: u32, name: String },
}

impl MarginError {
    /// The program's error code of a refusal (`None` for a chain or decoding failure).
    pub fn code(&self) -> Option<u32> {
        match self {
            MarginError::Refused { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// Whether this is the program's refusal `error`.
    pub fn is(&self, error: GreekhouseError) -> bool {
        self.code() == Some(anchor_lang::error::ERROR_CODE_OFFSET + error as u32)
    }

    /// Whether the program's own checks refused it (the action is invalid, not the fetch).
    pub fn is_refusal(&self) -> bool {
        matches!(self, MarginError::Refused { .. } | MarginError::Program(_))
    }
}

/// A program error as the SDK reports it: a coded refusal keeps its code and name.
pub fn program_error(e: anchor_lang::error::Error) -> MarginError {
    match e {
        anchor_lang::error::Error::AnchorError(a) => MarginError::Refused {
            code: a.error_code_number,
            name: a.error_name,
        },
        other => MarginError::Program(other.to_string()),
    }
}

/// The margin prices an action asks for ([`MarginPrices`]), fetched from a [`Chain`]: the
/// accounts of the layout of the writers the action passes, priced through the program's own
/// parser and checks. Keeps what it fetched (for the instruction's remaining accounts) and the
/// first fetch failure (an action sees it as a refusal; [`FetchedPrices::finish`] returns it).
pub struct FetchedPrices<'a, C: Chain + ?Sized> {
    chain: &'a mut C,
    clearinghouse: Pubkey,
    oracle_for: &'a dyn Fn(&Pubkey) -> Option<Pubkey>,
    now: i64,
    price_use: PriceUse,
    /// The inputs of the last load, for the instruction's remaining accounts.
    pub inputs: Option<MarginInputs>,
    priced: Option<Vec<PricedUnderlying>>,
    failure: Option<MarginError>,
}

impl<'a, C: Chain + ?Sized> FetchedPrices<'a, C> {
    pub fn new(
        chain: &'a mut C,
        clearinghouse: Pubkey,
        oracle_for: &'a dyn Fn(&Pubkey) -> Option<Pubkey>,
        now: i64,
        price_use: PriceUse,
    ) -> Self {
        Self {
            chain,
            clearinghouse,
            oracle_for,
            now,
            price_use,
            inputs: None,
            priced: None,
            failure: None,
        }
    }

    /// The action's result, with a fetch failure reported as itself rather than as the
    /// placeholder refusal the action saw.
    pub fn finish<T>(&mut self, result: anchor_lang::Result<T>) -> Result<T, MarginError> {
        match self.failure.take() {
            Some(e) => Err(e),
            None => result.map_err(program_error),
        }
    }

    /// Like [`Self::finish`], but a refusal by the program's rules is returned beside the
    /// outcome (`None`) rather than as the error; only a fetch failure is an error.
    #[allow(clippy::type_complexity)]
    pub fn finish_or_refusal<T>(
        &mut self,
        result: anchor_lang::Result<T>,
    ) -> Result<(Option<T>, Option<MarginError>), MarginError> {
        match self.finish(result) {
            Ok(t) => Ok((Some(t), None)),
            Err(e @ (MarginError::Refused { .. } | MarginError::Program(_))) => Ok((None, Some(e))),
            Err(e) => Err(e),
        }
    }

    /// The remaining accounts of the instruction: the layout the action asked prices for (none
    /// when it was refused before it asked).
    pub fn remaining_accounts(&self) -> Vec<AccountMeta> {
        self.inputs
            .as_ref()
            .map(MarginInputs::remaining_accounts)
            .unwrap_or_default()
    }

    /// The margin of `account` with the prices this source loaded (`None` when the action was
    /// refused before it asked for any, or a price was refused): what the program computed
    /// before refusing.
    pub fn margin_of(
        &self,
        account: &WriterAccount,
        now: i64,
    ) -> Result<Option<MarginSummary>, MarginError> {
        // no margin when the action was refused before pricing, or a price itself was refused
        let (Some(inputs), Some(priced)) = (self.inputs.as_ref(), self.priced.as_ref()) else {
            return Ok(None);
        };
        inputs.compute_with(account, priced, now).map(Some)
    }

    fn fetch(&mut self, writers: &[&WriterAccount]) -> Result<LoadedMargin, MarginError> {
        let (first, rest) = writers
            .split_first()
            .ok_or_else(|| MarginError::Program("no writer account to price".into()))?;
        let inputs = MarginInputs::fetch_many(
            self.chain,
            &self.clearinghouse,
            **first,
            rest.iter().map(|w| **w).collect(),
            self.oracle_for,
        )?;
        // the layout is known before the prices are checked: a refused price still leaves an
        // instruction with its margin accounts, which the program refuses the same way
        let priced = inputs.priced(self.chain, self.now, self.price_use);
        let assets = inputs.assets.clone();
        self.inputs = Some(inputs);
        let underlyings = priced?;
        let loaded = LoadedMargin::new(assets, underlyings.clone());
        self.priced = Some(underlyings);
        Ok(loaded)
    }
}

impl<C: Chain + ?Sized> MarginPrices for FetchedPrices<'_, C> {
    fn load(&mut self, writers: &[&WriterAccount]) -> anchor_lang::Result<LoadedMargin> {
        self.fetch(writers).map_err(|e| {
            // the action stops here on a placeholder; `finish` reports the real failure
            self.failure = Some(e);
            anchor_lang::error!(GreekhouseError::MarginAccountsMismatch)
        })
    }
}

fn fetch<C: Chain + ?Sized>(
    chain: &mut C,
    key: &Pubkey,
) -> Result<solana_account::Account, MarginError> {
    chain.account(key)?.ok_or(MarginError::MissingAccount(*key))
}

/// The account at `key` decoded by `decode` (one of [`crate::accounts`]' decoders): a missing
/// account or one that does not decode is the error that names it. The flows read every
/// program account through this.
pub fn fetch_decoded<C: Chain + ?Sized, T>(
    chain: &mut C,
    key: &Pubkey,
    decode: fn(&[u8]) -> Result<T, crate::accounts::DecodeError>,
) -> Result<T, MarginError> {
    decode(&fetch(chain, key)?.data).map_err(|e| MarginError::Decode(*key, e))
}

/// Everything the margin of one writer account (and optionally more, e.g. a liquidation
/// bidder, in `others`) depends on, as fetched, in the program's margin-account layout
/// (`greekhouse::engine::layout`, the same function the program checks against).
pub struct MarginInputs {
    pub clearinghouse: Clearinghouse,
    pub writer: WriterAccount,
    /// Further writer accounts sharing the same instruction's margin accounts.
    pub others: Vec<WriterAccount>,
    pub assets: Vec<(Pubkey, CollateralAsset)>,
    /// Underlyings in the layout's order, each with its oracle account key.
    pub underlyings: Vec<(Pubkey, Underlying, Pubkey)>,
}

impl MarginInputs {
    /// Fetch the clearing house, the writer account's collateral assets and the underlyings its
    /// margin needs. `oracle_for` names the oracle account of an underlying (the legacy price
    /// account, or the `PriceUpdateV2` account to use).
    pub fn fetch<C: Chain + ?Sized>(
        chain: &mut C,
        clearinghouse: &Pubkey,
        writer: WriterAccount,
        oracle_for: &dyn Fn(&Pubkey) -> Option<Pubkey>,
    ) -> Result<Self, MarginError> {
        Self::fetch_many(chain, clearinghouse, writer, Vec::new(), oracle_for)
    }

    /// Like [`MarginInputs::fetch`], for `writer` and `others` in one shared layout.
    pub fn fetch_many<C: Chain + ?Sized>(
        chain: &mut C,
        clearinghouse: &Pubkey,
        writer: WriterAccount,
        others: Vec<WriterAccount>,
        oracle_for: &dyn Fn(&Pubkey) -> Option<Pubkey>,
    ) -> Result<Self, MarginError> {
        let ch_data = fetch(chain, clearinghouse)?;
        let clearinghouse_state = accounts::clearinghouse(&ch_data.data)
            .map_err(|e| MarginError::Decode(*clearinghouse, e))?;
        let mut all: Vec<&WriterAccount> = vec![&writer];
        all.extend(others.iter());
        let mut assets = Vec::new();
        for key in layout::collateral_assets(&all) {
            let data = fetch(chain, &key)?;
            let asset =
                accounts::collateral_asset(&data.data).map_err(|e| MarginError::Decode(key, e))?;
            assets.push((key, asset));
        }
        let mut underlyings = Vec::new();
        for key in layout::underlyings(&all, &assets) {
            let data = fetch(chain, &key)?;
            let u = accounts::underlying(&data.data).map_err(|e| MarginError::Decode(key, e))?;
            let oracle = oracle_for(&key).ok_or(MarginError::NoOracle(key))?;
            underlyings.push((key, u, oracle));
        }
        Ok(Self {
            clearinghouse: clearinghouse_state,
            writer,
            others,
            assets,
            underlyings,
        })
    }

    /// The remaining accounts of a margin-checked instruction, in the program's layout. All
    /// read-only: margin checks never write-lock what they read.
    pub fn remaining_accounts(&self) -> Vec<AccountMeta> {
        let mut metas: Vec<AccountMeta> = self
            .assets
            .iter()
            .map(|(k, _)| AccountMeta::new_readonly(*k, false))
            .collect();
        for (key, _, oracle) in &self.underlyings {
            metas.push(AccountMeta::new_readonly(*key, false));
            metas.push(AccountMeta::new_readonly(*oracle, false));
        }
        metas
    }

    /// [`Self::remaining_accounts`] with the underlyings writable: liquidation records the prices
    /// it uses (`start_liquidation`, `bid`).
    pub fn remaining_accounts_recording(&self) -> Vec<AccountMeta> {
        let underlyings: Vec<Pubkey> = self.underlyings.iter().map(|(k, _, _)| *k).collect();
        self.remaining_accounts()
            .into_iter()
            .map(|m| {
                if underlyings.contains(&m.pubkey) {
                    AccountMeta::new(m.pubkey, false)
                } else {
                    m
                }
            })
            .collect()
    }

    /// The underlyings with their prices read and checked through the program's own parser
    /// and checks (for `price_use`).
    pub fn priced<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        now: i64,
        price_use: PriceUse,
    ) -> Result<Vec<PricedUnderlying>, MarginError> {
        let mut priced = Vec::with_capacity(self.underlyings.len());
        let writers: Vec<&WriterAccount> = std::iter::once(&self.writer)
            .chain(self.others.iter())
            .collect();
        for (key, underlying, oracle) in &self.underlyings {
            let data = fetch(chain, oracle)?;
            let price = parse_oracle_account(underlying, oracle, &data.owner, &data.data)
                .map_err(program_error)?;
            let usable = usable_for_margin(
                underlying,
                &price,
                now,
                price_use,
                needed_by_position(&writers, key),
            )
            .map_err(program_error)?;
            priced.push(PricedUnderlying {
                key: *key,
                underlying: *underlying,
                price,
                usable,
            });
        }
        Ok(priced)
    }

    /// The margin the program would compute for `writer` at `now`.
    pub fn compute<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        now: i64,
        price_use: PriceUse,
    ) -> Result<MarginSummary, MarginError> {
        let priced = self.priced(chain, now, price_use)?;
        self.compute_with(&self.writer, &priced, now)
    }

    /// The margin of `account` (the writer, one of `others`, or either as an action would
    /// leave it) from already priced underlyings.
    pub fn compute_with(
        &self,
        account: &WriterAccount,
        priced: &[PricedUnderlying],
        now: i64,
    ) -> Result<MarginSummary, MarginError> {
        compute_margin(
            &self.clearinghouse.params,
            self.clearinghouse.quote_decimals,
            account,
            &self.assets,
            priced,
            now,
            true,
        )
        .map_err(program_error)
    }
}

/// The writer account as it will be after writing `contracts` of `series` (for the write's
/// remaining accounts and a pre-trade margin check).
pub fn with_added_short(
    writer: &WriterAccount,
    template: &Position,
    contracts: u64,
) -> Result<WriterAccount, MarginError> {
    let mut w = *writer;
    w.add_short(template, contracts)
        .map_err(|e| MarginError::Program(e.to_string()))?;
    Ok(w)
}
