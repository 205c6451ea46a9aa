//! Margin of a writer account: gathers the accounts it depends on, checks their oracles, and
//! feeds the risk engine. The assembly from decoded accounts ([`compute_margin`]) is pure, so
//! the SDK, bot and simulator call it with the accounts they fetched and get the program's
//! numbers exactly.
//!
//! Remaining accounts: the layout of [`super::layout`], for one or several writer accounts.
//! Every account in it is read-only: a margin check refuses a price older than the
//! underlying's last recorded one (no rollback) but does not record it, so margin checks of
//! different writers never contend on an underlying (`docs/accounts.md`).

use crate::prelude::*;
use greekhouse_risk::{
    margin, AccountRisk, CollateralRisk, Fixed, MarginSummary, Rounding, UnderlyingRisk,
};

use crate::engine::safe_math::Cast;
use crate::engine::{convert, layout};
use crate::errors::GreekhouseError;
#[cfg(feature = "anchor")]
use crate::oracle::parse_oracle_account;
use crate::oracle::{check_price, OraclePrice, PriceUse};
use crate::state::{
    Clearinghouse, CollateralAsset, GlobalParams, OracleKind, PriceSource, Underlying,
    WriterAccount,
};

/// An underlying with the oracle price the margin check uses.
#[derive(Clone, Copy)]
pub struct PricedUnderlying {
    pub key: Pubkey,
    pub underlying: Underlying,
    pub price: OraclePrice,
    /// False when the price failed its checks for a liquidation and no position of the
    /// checked accounts needs it: the collateral it prices then counts for nothing
    /// ([`usable_for_margin`]).
    pub usable: bool,
}

/// Whether `price` may enter a margin check. A price that passes [`check_price`] always may.
/// One that fails may not, and the failure stands, unless the check is for a liquidation, no
/// position depends on this underlying (`needed_by_position` false) and its feed is a legacy
/// price account: its collateral then counts for nothing, in the house's favour, so a stale or
/// wide push feed pricing some collateral never stops an account from being liquidated
/// (docs/liquidation.md).
///
/// Only a legacy feed: its account is fixed, so its staleness is the feed's, not the caller's
/// choice. A pull feed's update is any account the caller brings; tolerating a failed one would
/// let a liquidator zero a victim's collateral with an old update. A stale pull feed is
/// refreshed by anyone posting a current update instead.
pub fn usable_for_margin(
    underlying: &Underlying,
    price: &OraclePrice,
    now: i64,
    price_use: PriceUse,
    needed_by_position: bool,
) -> Result<bool> {
    match check_price(underlying, price, now, price_use) {
        Ok(()) => Ok(true),
        Err(_)
            if price_use == PriceUse::Liquidation
                && !needed_by_position
                && underlying.oracle_kind()? == OracleKind::Legacy =>
        {
            Ok(false)
        }
        Err(e) => Err(e),
    }
}

/// True when a position of one of `writers` is on `underlying`.
pub fn needed_by_position(writers: &[&WriterAccount], underlying: &Pubkey) -> bool {
    writers.iter().any(|w| {
        w.positions
            .iter()
            .any(|p| p.contracts > 0 && p.underlying == *underlying)
    })
}

/// Whether the account's margin can be negative at all (see
/// [`WriterAccount::has_liabilities`]): without shorts and debt no price is needed (docs/protocol.md §4:
/// no oracle failure may block a harmless withdrawal).
pub fn needs_margin_check(writer: &WriterAccount) -> bool {
    writer.has_liabilities()
}

/// The account's margin from decoded accounts. `assets` and `underlyings` may hold more than
/// this writer needs (the layout of several writers); each is found by key, and only the
/// underlyings of this writer's own layout enter its margin. `greeks`: whether the summary
/// carries the book's Greeks (the program passes false: no rule reads them; every other field is
/// the same either way).
pub fn compute_margin(
    params: &GlobalParams,
    quote_decimals: u8,
    writer: &WriterAccount,
    assets: &[(Pubkey, CollateralAsset)],
    all_underlyings: &[PricedUnderlying],
    now: i64,
    greeks: bool,
) -> Result<MarginSummary> {
    MarginScratch::default().compute(
        params,
        quote_decimals,
        writer,
        assets,
        all_underlyings,
        now,
        greeks,
    )
}

/// The buffers one margin computation fills with the risk engine's inputs, kept for the next.
///
/// On sBPF the heap is 32 KiB and its bump allocator never frees: an instruction that computes
/// several margins (a bid: the liquidated account before and after the slice, and the bidder
/// after) would allocate these inputs once per margin, about 7 KB at 16 positions on eight
/// underlyings with four collaterals, and the third ran out of heap (docs/performance.md,
/// "Heap"). Cleared and refilled, they allocate once per instruction.
#[derive(Default)]
pub struct MarginScratch {
    asset_keys: Vec<Pubkey>,
    own_assets: Vec<(Pubkey, CollateralAsset)>,
    underlying_keys: Vec<Pubkey>,
    /// Indices into the loaded underlyings of this writer's usable ones, in layout order.
    usable: Vec<usize>,
    unusable: Vec<Pubkey>,
    underlying_risks: Vec<UnderlyingRisk>,
    collaterals: Vec<CollateralRisk>,
    positions: Vec<greekhouse_risk::margin::PositionRisk>,
}

impl MarginScratch {
    /// [`compute_margin`] in these buffers.
    #[allow(clippy::too_many_arguments)]
    pub fn compute(
        &mut self,
        params: &GlobalParams,
        quote_decimals: u8,
        writer: &WriterAccount,
        assets: &[(Pubkey, CollateralAsset)],
        all_underlyings: &[PricedUnderlying],
        now: i64,
        greeks: bool,
    ) -> Result<MarginSummary> {
        let risk = |e: greekhouse_risk::RiskError| error!(GreekhouseError::from(e));
        let mismatch = || error!(GreekhouseError::MarginAccountsMismatch);
        layout::collateral_assets_into(&[writer], &mut self.asset_keys);
        self.own_assets.clear();
        // reserved to the size, so a buffer is allocated once rather than grown
        self.own_assets.reserve(self.asset_keys.len());
        for key in &self.asset_keys {
            let found = assets.iter().find(|(k, _)| k == key).ok_or_else(mismatch)?;
            self.own_assets.push(*found);
        }
        // an unusable price (see `usable_for_margin`) enters no scenario: its collateral is
        // dropped
        layout::underlyings_into(&[writer], &self.own_assets, &mut self.underlying_keys);
        self.usable.clear();
        self.usable.reserve(self.underlying_keys.len());
        self.unusable.clear();
        for key in &self.underlying_keys {
            let i = all_underlyings
                .iter()
                .position(|u| u.key == *key)
                .ok_or_else(mismatch)?;
            if all_underlyings[i].usable {
                self.usable.push(i);
            } else {
                self.unusable.push(*key);
            }
        }
        let usable = &self.usable;
        let index_of = |key: &Pubkey| -> Result<u8> {
            usable
                .iter()
                .position(|&i| all_underlyings[i].key == *key)
                .ok_or_else(mismatch)?
                .cast::<u8>()
        };

        self.underlying_risks.clear();
        self.underlying_risks.reserve(usable.len());
        for &i in usable {
            let u = &all_underlyings[i];
            let (spot, conf) = u.price.spot_in_quote(quote_decimals)?;
            self.underlying_risks.push(UnderlyingRisk {
                spot,
                conf,
                surface: convert::vol_surface(&u.underlying.surface),
                surface_stale_secs: u.underlying.surface_stale_secs(now),
                // the estimate with the price this check uses (what recording it will store);
                // not computed while the predictive shock is off
                realized_vol: if u.underlying.realized.predictive() {
                    u.underlying.realized_vol_for_margin(
                        u.price.price,
                        u.price.expo,
                        u.price.publish_time,
                    )
                } else {
                    Fixed::ZERO
                },
                rate: Fixed::from_bps(i64::from(u.underlying.margin.rate_bps)),
                params: convert::margin_params(&u.underlying),
            });
        }

        self.collaterals.clear();
        self.collaterals.reserve(self.own_assets.len());
        for (key, asset) in &self.own_assets {
            let amount = writer.collateral_amount(key);
            if asset.source()? == PriceSource::Underlying
                && self.unusable.contains(&asset.price_underlying)
            {
                continue;
            }
            // collateral priced by an underlying's feed moves with that underlying's spot in its
            // scenarios (linked); pegged collateral is not shocked
            let (price, conf, linked_underlying) = match asset.source()? {
                PriceSource::Pegged => {
                    let p = pegged_price(quote_decimals, asset.decimals).map_err(risk)?;
                    (p, Fixed::ZERO, None)
                }
                PriceSource::Underlying => {
                    let i = index_of(&asset.price_underlying)?;
                    let (p, c) = all_underlyings[usable[usize::from(i)]]
                        .price
                        .per_native_unit(quote_decimals, asset.decimals)?;
                    (p, c, Some(i))
                }
            };
            self.collaterals.push(CollateralRisk {
                amount,
                price,
                conf,
                init_weight: Fixed::from_bps(i64::from(asset.init_weight_bps)),
                maint_weight: Fixed::from_bps(i64::from(asset.maint_weight_bps)),
                linked_underlying,
            });
        }
        self.positions.clear();
        self.positions.reserve(writer.position_count());
        for p in writer.positions.iter().filter(|p| p.contracts > 0) {
            let i = index_of(&p.underlying)?;
            // an American short behind its underlying's exercise epoch may owe an exercise
            // the account does not show yet: no margin is computed until it accrued
            require!(
                !p.is_american_short()
                    || p.exercise_epoch
                        == all_underlyings[usable[usize::from(i)]]
                            .underlying
                            .exercise_epoch,
                GreekhouseError::ExerciseNotAccrued
            );
            self.positions.push(convert::position(
                p,
                i,
                now,
                params.min_time_to_expiry_secs,
            )?);
        }

        let account = AccountRisk {
            quote_balance: i128::from(writer.quote_balance),
            collaterals: &self.collaterals,
            positions: &self.positions,
            underlyings: &self.underlying_risks,
        };
        margin::account_margin(&account, &convert::margin_config(params, greeks)).map_err(risk)
    }
}

/// A deposit of `asset` (key `asset_key`) keeps the account's margin computable: a new
/// collateral priced by an underlying that no position of the account is on adds at most one
/// underlying to its margin check, and each held collateral at most one more, so the deposit is
/// refused when that bound would pass what one margin check prices ([`margin::MAX_UNDERLYINGS`];
/// an account no margin check can price could never be liquidated). Needs no other account.
pub fn require_priceable_after_deposit(
    writer: &WriterAccount,
    asset_key: &Pubkey,
    asset: &CollateralAsset,
) -> Result<()> {
    if writer.collateral_slot(asset_key).is_some() || asset.source()? == PriceSource::Pegged {
        return Ok(());
    }
    let mut position_underlyings: Vec<Pubkey> = Vec::new();
    for p in writer.positions.iter().filter(|p| p.contracts > 0) {
        if !position_underlyings.contains(&p.underlying) {
            position_underlyings.push(p.underlying);
        }
    }
    if position_underlyings.contains(&asset.price_underlying) {
        return Ok(());
    }
    let bound = position_underlyings.len() + writer.collateral_count() + 1;
    require!(
        bound <= margin::MAX_UNDERLYINGS,
        GreekhouseError::RiskTooManyUnderlyings
    );
    Ok(())
}

/// Quote native units per native unit of a token pegged 1:1 to the quote (whole for whole).
pub fn pegged_price(
    quote_decimals: u8,
    token_decimals: u8,
) -> core::result::Result<Fixed, greekhouse_risk::RiskError> {
    let shift = i32::from(quote_decimals) - i32::from(token_decimals);
    if shift >= 0 {
        let factor = greekhouse_risk::fixed::pow10(shift.unsigned_abs())
            .ok_or(greekhouse_risk::RiskError::Overflow)?;
        Fixed::from_int(1).checked_mul_int(factor)
    } else {
        Fixed::from_scaled(1, shift.unsigned_abs(), Rounding::Down)
    }
}

/// Accounts loaded for a margin check of one or several writer accounts.
pub struct LoadedMargin {
    pub assets: Vec<(Pubkey, CollateralAsset)>,
    pub underlyings: Vec<PricedUnderlying>,
    /// Shared by every margin computed over these accounts ([`MarginScratch`]: the sBPF heap).
    scratch: core::cell::RefCell<MarginScratch>,
}

impl LoadedMargin {
    /// Loaded `assets` and `underlyings` (in the layout's order).
    pub fn new(assets: Vec<(Pubkey, CollateralAsset)>, underlyings: Vec<PricedUnderlying>) -> Self {
        Self {
            assets,
            underlyings,
            scratch: Default::default(),
        }
    }

    /// The loaded underlying `key` with its checked price.
    pub fn underlying(&self, key: &Pubkey) -> Result<&PricedUnderlying> {
        self.underlyings
            .iter()
            .find(|u| u.key == *key)
            .ok_or_else(|| error!(GreekhouseError::MarginAccountsMismatch))
    }

    /// The margin of `writer` (one of the accounts these were loaded for) at `now` under
    /// `ch`'s parameters: [`compute_margin`] over these accounts.
    pub fn margin_of(
        &self,
        ch: &Clearinghouse,
        writer: &WriterAccount,
        now: i64,
    ) -> Result<MarginSummary> {
        self.scratch.borrow_mut().compute(
            &ch.params,
            ch.quote_decimals,
            writer,
            &self.assets,
            &self.underlyings,
            now,
            false,
        )
    }

    /// [`Self::margin_of`], on the heap. A summary is about 1.4 KB and an sBPF stack frame
    /// 4 KiB: an instruction that keeps several summaries boxes them, and computing one in its
    /// own frame keeps the temporary out of the caller's.
    #[inline(never)]
    pub fn boxed_margin_of(
        &self,
        ch: &Clearinghouse,
        writer: &WriterAccount,
        now: i64,
    ) -> Result<Box<MarginSummary>> {
        Ok(Box::new(self.margin_of(ch, writer, now)?))
    }
}

#[cfg(feature = "anchor")]
/// Load and check, read-only, the margin accounts of `writers` from `remaining` (the layout of
/// [`super::layout`]): each account must be the expected key, belong to `clearinghouse`, and
/// each oracle must pass the checks for `price_use`. Extra accounts are refused.
#[inline(never)] // its own sBPF stack frame (docs/performance.md, "Stack frames")
pub fn load_margin_accounts<'info>(
    clearinghouse: &Pubkey,
    writers: &[&WriterAccount],
    remaining: &'info [AccountInfo<'info>],
    now: i64,
    price_use: PriceUse,
) -> Result<LoadedMargin> {
    let mut next = remaining.iter();
    let mut take = || {
        next.next()
            .ok_or_else(|| error!(GreekhouseError::MarginAccountsMismatch))
    };

    let asset_keys = layout::collateral_assets(writers);
    let mut assets = Vec::with_capacity(asset_keys.len());
    for key in asset_keys {
        let info = take()?;
        require_keys_eq!(*info.key, key, GreekhouseError::MarginAccountsMismatch);
        let asset = *AccountLoader::<CollateralAsset>::try_from(info)?.load()?;
        require_keys_eq!(
            asset.clearinghouse,
            *clearinghouse,
            GreekhouseError::WrongClearinghouse
        );
        assets.push((key, asset));
    }

    let keys = layout::underlyings(writers, &assets);
    let mut underlyings = Vec::with_capacity(keys.len());
    for key in keys {
        let info = take()?;
        require_keys_eq!(*info.key, key, GreekhouseError::MarginAccountsMismatch);
        let oracle = take()?;
        let underlying = *AccountLoader::<Underlying>::try_from(info)?.load()?;
        require_keys_eq!(
            underlying.clearinghouse,
            *clearinghouse,
            GreekhouseError::WrongClearinghouse
        );
        let price = {
            let data = oracle.try_borrow_data()?;
            parse_oracle_account(&underlying, oracle.key, oracle.owner, &data)?
        };
        let usable = usable_for_margin(
            &underlying,
            &price,
            now,
            price_use,
            needed_by_position(writers, &key),
        )?;
        underlyings.push(PricedUnderlying {
            key,
            underlying,
            price,
            usable,
        });
    }
    require!(
        next.next().is_none(),
        GreekhouseError::MarginAccountsMismatch
    );
    Ok(LoadedMargin::new(assets, underlyings))
}

#[cfg(feature = "anchor")]
/// The prices an action asks for, from an instruction's remaining accounts: the margin layout of
/// the writer accounts the action names, checked for `price_use` ([`load_margin_accounts`]).
pub fn prices_from<'info>(
    clearinghouse: Pubkey,
    remaining: &'info [AccountInfo<'info>],
    now: i64,
    price_use: PriceUse,
) -> impl FnMut(&[&WriterAccount]) -> Result<LoadedMargin> + 'info {
    move |writers: &[&WriterAccount]| {
        load_margin_accounts(&clearinghouse, writers, remaining, now, price_use)
    }
}

#[cfg(feature = "anchor")]
/// [`load_margin_accounts`] then [`compute_margin`] for one writer account: the accounts of
/// its layout checked for `price_use`, and its margin.
pub fn load_and_compute<'info>(
    clearinghouse_key: &Pubkey,
    clearinghouse: &Clearinghouse,
    writer: &WriterAccount,
    remaining: &'info [AccountInfo<'info>],
    now: i64,
    price_use: PriceUse,
) -> Result<(LoadedMargin, MarginSummary)> {
    let loaded = load_margin_accounts(clearinghouse_key, &[writer], remaining, now, price_use)?;
    let summary = compute_margin(
        &clearinghouse.params,
        clearinghouse.quote_decimals,
        writer,
        &loaded.assets,
        &loaded.underlyings,
        now,
        false,
    )?;
    Ok((loaded, summary))
}

#[cfg(feature = "anchor")]
/// Record, on each underlying of `loaded`, the price the margin check used: the no-rollback
/// floor moves up to it, so nobody (the liquidated account's owner included) can later use an
/// older, more favourable price for that underlying. Liquidation (`start_liquidation`, `bid`)
/// records as it goes; its layout's underlyings are passed writable for that.
#[inline(never)] // its own sBPF stack frame (docs/performance.md, "Stack frames")
pub fn record_used_prices<'info>(
    loaded: &LoadedMargin,
    remaining: &'info [AccountInfo<'info>],
) -> Result<()> {
    for priced in loaded.underlyings.iter().filter(|u| u.usable) {
        let info = remaining
            .iter()
            .find(|i| *i.key == priced.key)
            .ok_or_else(|| error!(GreekhouseError::MarginAccountsMismatch))?;
        require!(info.is_writable, GreekhouseError::UnderlyingNotWritable);
        let loader = AccountLoader::<Underlying>::try_from(info)?;
        let mut u = loader.load_mut()?;
        crate::oracle::record_price(&mut u, &priced.price)?;
        u.invariant()?;
    }
    Ok(())
}

/// Whether the account's collateral is dust a write-off may pass over: every price it needs was
/// usable and its value at the oracle price (no haircut) is at most
/// [`WRITE_OFF_DUST_QUOTE`](crate::constants::WRITE_OFF_DUST_QUOTE) whole quote units. An
/// account without collateral always is.
pub fn collateral_is_dust(
    writer: &WriterAccount,
    loaded: &LoadedMargin,
    summary: &MarginSummary,
    quote_decimals: u8,
) -> Result<bool> {
    if writer.collateral_count() == 0 {
        return Ok(true);
    }
    if loaded.underlyings.iter().any(|u| !u.usable) {
        return Ok(false);
    }
    let risk = |e: greekhouse_risk::RiskError| error!(GreekhouseError::from(e));
    // MtM = collateral at oracle + quote - liability
    let collateral = summary
        .mark_to_market
        .checked_sub(Fixed::from_int(writer.quote_balance))
        .and_then(|v| v.checked_add(summary.liability))
        .map_err(risk)?;
    let whole = i64::try_from(crate::engine::safe_math::pow10(u32::from(quote_decimals))?)
        .map_err(|_| error!(GreekhouseError::MathOverflow))?;
    let dust = Fixed::from_int(crate::constants::WRITE_OFF_DUST_QUOTE.saturating_mul(whole));
    Ok(collateral <= dust)
}

/// Equity at a level as whole quote native units, rounded down (in the house's favour).
pub fn equity_native(equity: Fixed) -> Result<i64> {
    let whole = equity
        .to_int(Rounding::Down)
        .map_err(|e| error!(GreekhouseError::from(e)))?;
    i64::try_from(whole).map_err(|_| error!(GreekhouseError::MathOverflow))
}

/// `Ok(initial equity)` when the account stands at IM >= 0, else `InitialMarginBreach`.
pub fn require_initial_margin(summary: &MarginSummary) -> Result<i64> {
    require!(
        !summary.initial.equity.is_negative(),
        GreekhouseError::InitialMarginBreach
    );
    equity_native(summary.initial.equity)
}
