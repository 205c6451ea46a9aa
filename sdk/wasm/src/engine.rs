//! The operations of `gh_call`, each the program's own code on decoded accounts.

use greekhouse_risk::{auction, bs, BsInput, Fixed, LevelRisk, MarginSummary};
use greekhouse_rulebook::engine::actions::{bid, withdraw, write};
use greekhouse_rulebook::engine::margin::{
    compute_margin, equity_native, needed_by_position, usable_for_margin, LoadedMargin,
    PricedUnderlying,
};
use greekhouse_rulebook::engine::{convert, layout, liquidation, pricing};
use greekhouse_rulebook::errors::GreekhouseError;
use greekhouse_rulebook::oracle::{parse_oracle_account, PriceUse};
use greekhouse_rulebook::prelude::Pubkey;
use greekhouse_rulebook::state::{
    Clearinghouse, CollateralAsset, InsuranceFund, OptionSeries, Underlying, UnderlyingLedger,
    WriterAccount,
};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::request::{b58, pubkey, RawAccount};

/// Why a request produced no result.
pub enum Failure {
    /// The program's rules refuse it: the error the program would return.
    Refused(GreekhouseError),
    /// The request itself is wrong (bad encoding, a missing account).
    Fault(String),
}

impl From<GreekhouseError> for Failure {
    fn from(e: GreekhouseError) -> Self {
        Failure::Refused(e)
    }
}
impl From<String> for Failure {
    fn from(e: String) -> Self {
        Failure::Fault(e)
    }
}

type Answer = Result<Value, Failure>;

/// Run the JSON request `bytes` and encode the answer.
pub fn dispatch(bytes: &[u8]) -> String {
    let answer = serde_json::from_slice::<Value>(bytes)
        .map_err(|e| Failure::Fault(format!("request is not JSON: {e}")))
        .and_then(run);
    let value = match answer {
        Ok(v) => json!({ "ok": v }),
        Err(Failure::Refused(e)) => json!({ "refused": refusal(e) }),
        Err(Failure::Fault(message)) => json!({ "fault": message }),
    };
    value.to_string()
}

fn refusal(e: GreekhouseError) -> Value {
    json!({ "code": e.code(), "name": e.name(), "message": e.message() })
}

fn parse<T: for<'de> Deserialize<'de>>(value: Value) -> Result<T, Failure> {
    serde_json::from_value(value).map_err(|e| Failure::Fault(format!("bad request: {e}")))
}

fn run(request: Value) -> Answer {
    let op = request
        .get("op")
        .and_then(Value::as_str)
        .ok_or_else(|| Failure::Fault("request without \"op\"".into()))?
        .to_owned();
    match op.as_str() {
        "version" => Ok(json!({ "engine": env!("CARGO_PKG_VERSION") })),
        "layout" => layout_op(parse(request)?),
        "margin" => margin_op(parse(request)?),
        "write" => write_op(parse(request)?),
        "max_writable" => max_writable_op(parse(request)?),
        "withdraw" => withdraw_op(parse(request)?),
        "max_withdrawable" => max_withdrawable_op(parse(request)?),
        "option" => option_op(parse(request)?),
        "auction" => auction_op(parse(request)?),
        "bid" => bid_op(parse(request)?),
        "fund" => fund_op(parse(request)?),
        "decode" => decode_op(parse(request)?),
        other => Err(Failure::Fault(format!("unknown op {other}"))),
    }
}

// ------------------------------------------------------------------ shared inputs

/// An underlying of the margin layout with its oracle account.
#[derive(Deserialize, Clone)]
pub struct UnderlyingWithOracle {
    pub account: RawAccount,
    pub oracle: RawAccount,
}

/// The accounts a margin check reads: the clearing house, the layout's collateral assets and
/// underlyings with their oracles (as the program's remaining accounts carry them; extra ones
/// are fine, each is found by key).
#[derive(Deserialize, Clone)]
pub struct MarginAccounts {
    pub now: i64,
    #[serde(default)]
    pub price_use: Option<String>,
    pub clearinghouse: RawAccount,
    #[serde(default)]
    pub assets: Vec<RawAccount>,
    #[serde(default)]
    pub underlyings: Vec<UnderlyingWithOracle>,
}

struct Decoded {
    ch_key: Pubkey,
    ch: Clearinghouse,
    assets: Vec<(Pubkey, CollateralAsset)>,
    underlyings: Vec<(Pubkey, Underlying, RawAccount)>,
    now: i64,
    price_use: PriceUse,
}

fn price_use(text: Option<&str>) -> Result<PriceUse, Failure> {
    match text {
        None | Some("risk_increasing") => Ok(PriceUse::RiskIncreasing),
        Some("liquidation") => Ok(PriceUse::Liquidation),
        Some(other) => Err(Failure::Fault(format!("unknown price_use {other}"))),
    }
}

impl MarginAccounts {
    fn decode(&self) -> Result<Decoded, Failure> {
        let (ch_key, ch) = self
            .clearinghouse
            .decode::<Clearinghouse>("Clearinghouse")?;
        let mut assets = Vec::new();
        for a in &self.assets {
            assets.push(a.decode::<CollateralAsset>("CollateralAsset")?);
        }
        let mut underlyings = Vec::new();
        for u in &self.underlyings {
            let (key, state) = u.account.decode::<Underlying>("Underlying")?;
            underlyings.push((key, state, u.oracle.clone()));
        }
        Ok(Decoded {
            ch_key,
            ch,
            assets,
            underlyings,
            now: self.now,
            price_use: price_use(self.price_use.as_deref())?,
        })
    }
}

impl Decoded {
    /// The program's `load_margin_accounts` for `writers`, on these accounts: the layout's
    /// assets and underlyings, each of this clearing house, each oracle parsed and checked for
    /// the price use. A layout account missing from the request is a fault, not a refusal.
    fn load(&self, writers: &[&WriterAccount]) -> Result<LoadedMargin, Failure> {
        let mut assets = Vec::new();
        for key in layout::collateral_assets(writers) {
            let found = self.assets.iter().find(|(k, _)| *k == key).ok_or_else(|| {
                Failure::Fault(format!("collateral asset {} is missing", b58(&key)))
            })?;
            if found.1.clearinghouse != self.ch_key {
                return Err(GreekhouseError::WrongClearinghouse.into());
            }
            assets.push(*found);
        }
        let mut underlyings = Vec::new();
        for key in layout::underlyings(writers, &assets) {
            let (_, underlying, oracle) = self
                .underlyings
                .iter()
                .find(|(k, _, _)| *k == key)
                .ok_or_else(|| Failure::Fault(format!("underlying {} is missing", b58(&key))))?;
            if underlying.clearinghouse != self.ch_key {
                return Err(GreekhouseError::WrongClearinghouse.into());
            }
            let fetched = oracle.fetched()?;
            let price =
                parse_oracle_account(underlying, &fetched.key, &fetched.owner, &fetched.data)?;
            let usable = usable_for_margin(
                underlying,
                &price,
                self.now,
                self.price_use,
                needed_by_position(writers, &key),
            )?;
            underlyings.push(PricedUnderlying {
                key,
                underlying: *underlying,
                price,
                usable,
            });
        }
        Ok(LoadedMargin::new(assets, underlyings))
    }

    fn margin(&self, writer: &WriterAccount) -> Result<MarginSummary, Failure> {
        let loaded = self.load(&[writer])?;
        Ok(with_greeks(&loaded, &self.ch, writer, self.now)?)
    }
}

/// Prices for an action: [`Decoded::load`], with a fault kept aside so the action's placeholder
/// refusal is reported as what it was (as the Rust SDK's `FetchedPrices` does).
struct Prices<'a> {
    decoded: &'a Decoded,
    fault: Option<String>,
}

impl greekhouse_rulebook::engine::actions::MarginPrices for Prices<'_> {
    fn load(&mut self, writers: &[&WriterAccount]) -> Result<LoadedMargin, GreekhouseError> {
        match self.decoded.load(writers) {
            Ok(loaded) => Ok(loaded),
            Err(Failure::Refused(e)) => Err(e),
            Err(Failure::Fault(message)) => {
                self.fault = Some(message);
                Err(GreekhouseError::MarginAccountsMismatch)
            }
        }
    }
}

impl Prices<'_> {
    fn finish<T>(&mut self, result: Result<T, GreekhouseError>) -> Result<T, Failure> {
        match self.fault.take() {
            Some(message) => Err(Failure::Fault(message)),
            None => result.map_err(Failure::Refused),
        }
    }
}

// ------------------------------------------------------------------ encoding of results

fn raw(value: Fixed) -> Value {
    Value::String(value.raw().to_string())
}

fn level_json(level: &LevelRisk) -> Value {
    json!({
        "addon": raw(level.addon),
        "requirement": raw(level.requirement),
        "collateral_value": raw(level.collateral_value),
        "equity": raw(level.equity),
    })
}

/// A margin summary with every `Fixed` as its raw value (scale 10^12, quote native units) in a
/// decimal string, plus the initial equity in whole quote native units as the program rounds it
/// for its events (`equity_native`).
pub fn summary_json(summary: &MarginSummary, underlying_keys: &[Pubkey]) -> Value {
    let count = usize::from(summary.underlying_count);
    let underlyings: Vec<Value> = summary.underlyings[..count]
        .iter()
        .map(|u| {
            json!({
                "underlying": underlying_keys.get(usize::from(u.underlying)).map(b58),
                "liability": raw(u.liability),
                "delta": raw(u.delta),
                "cash_gamma": raw(u.cash_gamma),
                "vega": raw(u.vega),
                "theta": raw(u.theta),
                "addon_initial": raw(u.addon_initial),
                "addon_maintenance": raw(u.addon_maintenance),
                "linked_collateral": raw(u.linked_collateral),
                "calls_covered": u.calls_covered,
            })
        })
        .collect();
    json!({
        "liability": raw(summary.liability),
        "mark_to_market": raw(summary.mark_to_market),
        "initial": level_json(&summary.initial),
        "end": level_json(&summary.end),
        "maintenance": level_json(&summary.maintenance),
        "initial_equity_native": equity_native(summary.initial.equity).ok().map(|v| v.to_string()),
        "maintenance_equity_native": equity_native(summary.maintenance.equity).ok().map(|v| v.to_string()),
        "underlyings": underlyings,
    })
}

/// The keys the summary's underlying indices refer to: the usable underlyings of the writer's
/// own layout, in layout order (as `compute_margin` indexes them).
fn margin_underlying_keys(loaded: &LoadedMargin, writer: &WriterAccount) -> Vec<Pubkey> {
    let own_assets: Vec<(Pubkey, CollateralAsset)> = layout::collateral_assets(&[writer])
        .into_iter()
        .filter_map(|k| loaded.assets.iter().find(|(a, _)| *a == k).copied())
        .collect();
    layout::underlyings(&[writer], &own_assets)
        .into_iter()
        .filter(|k| loaded.underlyings.iter().any(|u| u.key == *k && u.usable))
        .collect()
}

// ------------------------------------------------------------------ operations

#[derive(Deserialize)]
struct LayoutRequest {
    writers: Vec<RawAccount>,
    /// The collateral assets, once fetched: needed for the underlyings that price them.
    #[serde(default)]
    assets: Option<Vec<RawAccount>>,
    /// A write the first writer account makes first: the layout is the account's after it (a new
    /// position takes the first free slot, which decides its underlying's place).
    #[serde(default)]
    write: Option<LayoutWrite>,
}

#[derive(Deserialize)]
struct LayoutWrite {
    series: RawAccount,
    contracts: u64,
}

/// The remaining-accounts layout (`engine::layout`) of one or several writer accounts: the
/// collateral assets, then (when the assets are given) the underlyings whose `Underlying` and
/// oracle accounts follow them.
fn layout_op(r: LayoutRequest) -> Answer {
    let mut writers = Vec::new();
    for w in &r.writers {
        writers.push(w.decode::<WriterAccount>("WriterAccount")?.1);
    }
    if let Some(write) = &r.write {
        let (series_key, series) = write.series.decode::<OptionSeries>("OptionSeries")?;
        let first = writers
            .first_mut()
            .ok_or_else(|| Failure::Fault("a write needs a writer account".into()))?;
        first.add_short(&series.short_template(series_key), write.contracts)?;
    }
    let refs: Vec<&WriterAccount> = writers.iter().collect();
    let asset_keys = layout::collateral_assets(&refs);
    let underlyings = match &r.assets {
        None => None,
        Some(raw_assets) => {
            let mut decoded = Vec::new();
            for key in &asset_keys {
                let account = raw_assets
                    .iter()
                    .find(|a| pubkey(&a.key).ok() == Some(*key))
                    .ok_or_else(|| {
                        Failure::Fault(format!("collateral asset {} is missing", b58(key)))
                    })?;
                decoded.push(account.decode::<CollateralAsset>("CollateralAsset")?);
            }
            Some(layout::underlyings(&refs, &decoded))
        }
    };
    let strings = |keys: &[Pubkey]| keys.iter().map(b58).collect::<Vec<_>>();
    Ok(json!({
        "assets": strings(&asset_keys),
        "underlyings": underlyings.as_deref().map(strings),
    }))
}

#[derive(Deserialize)]
struct MarginRequest {
    writer: RawAccount,
    #[serde(flatten)]
    accounts: MarginAccounts,
}

/// The program's margin of `writer` over `loaded` with the book's Greeks reported (the program
/// computes without them; every other field is the same either way).
fn with_greeks(
    loaded: &LoadedMargin,
    ch: &Clearinghouse,
    writer: &WriterAccount,
    now: i64,
) -> greekhouse_rulebook::prelude::Result<MarginSummary> {
    compute_margin(
        &ch.params,
        ch.quote_decimals,
        writer,
        &loaded.assets,
        &loaded.underlyings,
        now,
        true,
    )
}

/// `engine::margin::compute_margin` of a writer account (the program's margin check, with its
/// oracle checks for the price use).
fn margin_op(r: MarginRequest) -> Answer {
    let decoded = r.accounts.decode()?;
    let (_, writer) = r.writer.decode::<WriterAccount>("WriterAccount")?;
    let loaded = decoded.load(&[&writer])?;
    let summary = with_greeks(&loaded, &decoded.ch, &writer, decoded.now)?;
    Ok(summary_json(
        &summary,
        &margin_underlying_keys(&loaded, &writer),
    ))
}

#[derive(Deserialize)]
struct WriteRequest {
    writer: RawAccount,
    series: RawAccount,
    /// The series' `Underlying` (also in `underlyings` when the margin needs it).
    underlying: RawAccount,
    underlying_ledger: RawAccount,
    #[serde(default)]
    contracts: u64,
    #[serde(flatten)]
    accounts: MarginAccounts,
}

struct WriteInputs {
    decoded: Decoded,
    writer: WriterAccount,
    series_key: Pubkey,
    series: OptionSeries,
    underlying: Underlying,
    book: UnderlyingLedger,
}

impl WriteRequest {
    fn inputs(&self) -> Result<WriteInputs, Failure> {
        let (series_key, series) = self.series.decode::<OptionSeries>("OptionSeries")?;
        Ok(WriteInputs {
            decoded: self.accounts.decode()?,
            writer: self.writer.decode::<WriterAccount>("WriterAccount")?.1,
            series_key,
            series,
            underlying: self.underlying.decode::<Underlying>("Underlying")?.1,
            book: self
                .underlying_ledger
                .decode::<UnderlyingLedger>("UnderlyingLedger")?
                .1,
        })
    }
}

/// The program's `write` action on copies of the accounts: the fee, the short afterwards and
/// the margin afterwards, or the program's refusal.
fn write_once(
    inputs: &WriteInputs,
    contracts: u64,
) -> Result<(write::WriteOutcome, WriterAccount), Failure> {
    let mut writer = inputs.writer;
    let mut series = inputs.series;
    let mut book = inputs.book;
    let mut prices = Prices {
        decoded: &inputs.decoded,
        fault: None,
    };
    let outcome = write::write(
        &inputs.decoded.ch,
        &inputs.underlying,
        &mut writer,
        inputs.series_key,
        &mut series,
        &mut book,
        &mut prices,
        contracts,
        inputs.decoded.now,
    );
    Ok((prices.finish(outcome)?, writer))
}

fn write_op(r: WriteRequest) -> Answer {
    let inputs = r.inputs()?;
    let (outcome, after) = write_once(&inputs, r.contracts)?;
    let loaded = inputs.decoded.load(&[&after])?;
    Ok(json!({
        "contracts": r.contracts.to_string(),
        "fee": outcome.fee.to_string(),
        "short_after": outcome.short_after.to_string(),
        "initial_equity_after": outcome.initial_equity_after.to_string(),
        "margin_after": summary_json(&outcome.margin_after, &margin_underlying_keys(&loaded, &after)),
    }))
}

/// The largest `n` in `[0, limit]` for which `passes(n)`, assuming it passes up to some size
/// and fails above (doubling, then bisection: the search of the Rust SDK's
/// `flows::max_writable`). A fault stops the search.
fn largest_passing(
    limit: u64,
    mut passes: impl FnMut(u64) -> Result<bool, Failure>,
) -> Result<u64, Failure> {
    let (mut lo, mut hi) = (0u64, 1u64);
    while hi <= limit && passes(hi)? {
        lo = hi;
        hi = match hi.checked_mul(2) {
            Some(h) => h,
            None => return Ok(lo),
        };
    }
    let mut hi = hi.min(limit.saturating_add(1));
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if passes(mid)? {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Ok(lo)
}

/// A refusal by the program's rules means "too many"; a fault stops the search.
fn passes<T>(result: Result<T, Failure>) -> Result<bool, Failure> {
    match result {
        Ok(_) => Ok(true),
        Err(Failure::Refused(_)) => Ok(false),
        Err(fault) => Err(fault),
    }
}

/// The most contracts the program's `write` accepts now (margin, caps and fee included).
fn max_writable_op(r: WriteRequest) -> Answer {
    let inputs = r.inputs()?;
    let max = largest_passing(u64::MAX, |n| passes(write_once(&inputs, n)))?;
    Ok(json!({ "contracts": max.to_string() }))
}

#[derive(Deserialize)]
struct WithdrawRequest {
    writer: RawAccount,
    /// The collateral asset withdrawn from; the quote when absent.
    #[serde(default)]
    collateral_asset: Option<RawAccount>,
    #[serde(default)]
    amount: u64,
    #[serde(flatten)]
    accounts: MarginAccounts,
}

struct WithdrawInputs {
    decoded: Decoded,
    writer: WriterAccount,
    ledger: withdraw::TokenLedger,
    balance: u64,
}

impl WithdrawRequest {
    fn inputs(&self) -> Result<WithdrawInputs, Failure> {
        let writer = self.writer.decode::<WriterAccount>("WriterAccount")?.1;
        let (ledger, balance) = match &self.collateral_asset {
            None => (
                withdraw::TokenLedger::Quote,
                u64::try_from(writer.quote_balance).unwrap_or(0),
            ),
            Some(a) => {
                let (asset, state) = a.decode::<CollateralAsset>("CollateralAsset")?;
                (
                    withdraw::TokenLedger::Collateral {
                        asset,
                        deposit_cap: state.deposit_cap,
                    },
                    writer.collateral_amount(&asset),
                )
            }
        };
        Ok(WithdrawInputs {
            decoded: self.accounts.decode()?,
            writer,
            ledger,
            balance,
        })
    }
}

fn withdraw_once(
    inputs: &WithdrawInputs,
    amount: u64,
) -> Result<(withdraw::WithdrawOutcome, WriterAccount), Failure> {
    let mut writer = inputs.writer;
    let mut prices = Prices {
        decoded: &inputs.decoded,
        fault: None,
    };
    let outcome = withdraw::withdraw(
        &inputs.decoded.ch,
        &mut writer,
        inputs.ledger,
        amount,
        &mut prices,
        inputs.decoded.now,
    );
    Ok((prices.finish(outcome)?, writer))
}

/// The program's `withdraw` action on a copy of the account.
fn withdraw_op(r: WithdrawRequest) -> Answer {
    let inputs = r.inputs()?;
    let (outcome, after) = withdraw_once(&inputs, r.amount)?;
    let margin_after = match &outcome.margin_after {
        None => Value::Null,
        Some(m) => {
            let loaded = inputs.decoded.load(&[&after])?;
            summary_json(m, &margin_underlying_keys(&loaded, &after))
        }
    };
    Ok(json!({
        "amount": r.amount.to_string(),
        "balance_after": outcome.balance_after.to_string(),
        "initial_equity_after": outcome.initial_equity_after.map(|v| v.to_string()),
        "margin_after": margin_after,
    }))
}

/// The most the program's `withdraw` lets out of the ledger now (at most its balance).
fn max_withdrawable_op(r: WithdrawRequest) -> Answer {
    let inputs = r.inputs()?;
    let max = largest_passing(inputs.balance, |n| passes(withdraw_once(&inputs, n)))?;
    Ok(json!({ "amount": max.to_string(), "balance": inputs.balance.to_string() }))
}

#[derive(Deserialize)]
struct OptionRequest {
    now: i64,
    clearinghouse: RawAccount,
    series: RawAccount,
    underlying: RawAccount,
    oracle: RawAccount,
}

/// Price and Greeks of one unit of underlying of a series, and the premium of one contract, at
/// the oracle's checked-for-parsing spot and the underlying's surface: the inputs the program's
/// `pricing::premium` uses (spot in quote, pricing time floor, surface vol, stored rate).
fn option_op(r: OptionRequest) -> Answer {
    let (_, ch) = r.clearinghouse.decode::<Clearinghouse>("Clearinghouse")?;
    let (series_key, series) = r.series.decode::<OptionSeries>("OptionSeries")?;
    let (underlying_key, underlying) = r.underlying.decode::<Underlying>("Underlying")?;
    let oracle = r.oracle.fetched()?;
    let price = parse_oracle_account(&underlying, &oracle.key, &oracle.owner, &oracle.data)?;
    let risk = |e: greekhouse_risk::RiskError| Failure::Refused(GreekhouseError::from(e));
    let (spot, conf) = price.spot_in_quote(ch.quote_decimals)?;
    let strike = Fixed::from_u64(series.strike);
    let time_years =
        convert::time_to_expiry(series.expiry, r.now, ch.params.min_time_to_expiry_secs)
            .map_err(risk)?;
    let vol = convert::vol_surface(&underlying.surface)
        .vol(strike, spot, time_years)
        .map_err(risk)?;
    let kind = convert::option_kind(series.kind).ok_or(GreekhouseError::InvalidOptionKind)?;
    let input = BsInput {
        kind,
        spot,
        strike,
        vol,
        time_years,
        rate: Fixed::from_bps(i64::from(underlying.margin.rate_bps)),
    };
    let greeks = bs::greeks(&input).map_err(risk)?;
    let mut position = series.short_template(series_key);
    position.contracts = 1;
    let priced = PricedUnderlying {
        key: underlying_key,
        underlying,
        price,
        usable: true,
    };
    let premium = pricing::premium(
        &priced,
        &position,
        1,
        r.now,
        ch.params.min_time_to_expiry_secs,
        ch.quote_decimals,
    )?;
    Ok(json!({
        "spot": raw(spot),
        "conf": raw(conf),
        "publish_time": price.publish_time,
        "vol": raw(vol),
        "time_years": raw(time_years),
        "price": raw(greeks.price),
        "delta": raw(greeks.delta),
        "gamma18": greeks.gamma.raw().to_string(),
        "vega": raw(greeks.vega),
        "theta": raw(greeks.theta),
        "premium_per_contract": raw(premium),
    }))
}

/// The auction of a liquidating account now: the program's `bid_inputs` (discount of the curve,
/// MtM and maintenance add-on at liquidation prices) and what selling the whole account would
/// settle (`slice_settlement` of the whole): the bidder's payment, or the insurance fund's.
fn auction_op(r: MarginRequest) -> Answer {
    let decoded = r.accounts.decode()?;
    let (_, writer) = r.writer.decode::<WriterAccount>("WriterAccount")?;
    liquidation::require_liquidating(&writer, decoded.now)?;
    let summary = decoded.margin(&writer)?;
    let inputs = liquidation::bid_inputs(
        &decoded.ch.params.liquidation,
        &writer,
        &summary,
        decoded.now,
    )?;
    let risk = |e: greekhouse_risk::RiskError| Failure::Refused(GreekhouseError::from(e));
    let whole = auction::slice_settlement(&inputs, Fixed::ONE).map_err(risk)?;
    let max_fraction = auction::bid_max_fraction(&inputs, summary.end.equity).map_err(risk)?;
    Ok(json!({
        "discount": raw(inputs.discount),
        "mark_to_market": raw(inputs.mark_to_market),
        "addon_maintenance": raw(inputs.addon_maintenance),
        "whole_payment": whole.payment.to_string(),
        "whole_fee": whole.fee.to_string(),
        "whole_from_fund": whole.from_fund.to_string(),
        "max_fraction": raw(max_fraction),
        "end_equity": raw(summary.end.equity),
    }))
}

#[derive(Deserialize)]
struct BidRequest {
    liquidated: RawAccount,
    bidder: RawAccount,
    insurance_fund: RawAccount,
    fraction: u64,
    payment_limit: i64,
    #[serde(flatten)]
    accounts: MarginAccounts,
}

/// The program's `bid` action on copies of the accounts (both priced for a liquidation, in their
/// shared layout, as before the bid): the `SliceBought` event the program would emit, or its
/// refusal.
fn bid_op(r: BidRequest) -> Answer {
    let mut decoded = r.accounts.decode()?;
    decoded.price_use = PriceUse::Liquidation;
    let (liquidated_key, mut liquidated) = r.liquidated.decode::<WriterAccount>("WriterAccount")?;
    let (bidder_key, mut bidder) = r.bidder.decode::<WriterAccount>("WriterAccount")?;
    let (_, mut fund) = r.insurance_fund.decode::<InsuranceFund>("InsuranceFund")?;
    let loaded = decoded.load(&[&liquidated, &bidder])?;
    let outcome = bid::bid(
        &decoded.ch,
        &mut liquidated,
        &mut bidder,
        &mut fund,
        &loaded,
        r.fraction,
        r.payment_limit,
        decoded.now,
    )?;
    let e = outcome.event(liquidated_key, bidder_key)?;
    Ok(json!({
        "liquidated": b58(&e.liquidated),
        "bidder_account": b58(&e.bidder_account),
        "fraction": e.fraction.to_string(),
        "max_fraction": e.max_fraction.to_string(),
        "discount": e.discount.to_string(),
        "mark_to_market": e.mark_to_market.to_string(),
        "addon_maintenance": e.addon_maintenance.to_string(),
        "payment": e.payment.to_string(),
        "fee": e.fee.to_string(),
        "to_account": e.to_account.to_string(),
        "from_fund": e.from_fund.to_string(),
        "end_equity_before": e.end_equity_before.to_string(),
        "end_equity_after": e.end_equity_after.to_string(),
        "bidder_initial_equity_after": e.bidder_initial_equity_after.to_string(),
        "fund_balance_after": e.fund_balance_after.to_string(),
    }))
}

#[derive(Deserialize)]
struct FundRequest {
    insurance_fund: RawAccount,
}

/// The insurance fund's share price as the program prices shares (`FundShares`, with its
/// virtual shares and quote): quote native units per share at exponent 12, rounded up (a
/// backstop auction's starting price), and the value of the shares waiting in cooldown.
fn fund_op(r: FundRequest) -> Answer {
    let (_, fund) = r.insurance_fund.decode::<InsuranceFund>("InsuranceFund")?;
    let shares = fund.shares();
    let risk = |e: greekhouse_risk::RiskError| Failure::Refused(GreekhouseError::from(e));
    Ok(json!({
        "balance": fund.balance.to_string(),
        "total_shares": fund.total_shares.to_string(),
        "pending_unstake_shares": fund.pending_unstake_shares.to_string(),
        "price_per_share": shares.price_per_share().map_err(risk)?.to_string(),
        "pending_unstake_value": shares.value_of(fund.pending_unstake_shares).map_err(risk)?.to_string(),
    }))
}

#[derive(Deserialize)]
struct DecodeRequest {
    now: i64,
    underlying: RawAccount,
    #[serde(default)]
    oracle: Option<RawAccount>,
}

/// What the dashboard shows of an underlying's feeds, by the program's own rules: the oracle's
/// parsed price and the verdict of `check_price` for each use, and the vol surface's staleness.
fn decode_op(r: DecodeRequest) -> Answer {
    let (_, u) = r.underlying.decode::<Underlying>("Underlying")?;
    let verdict = |result: Result<(), GreekhouseError>| match result {
        Ok(()) => Value::Null,
        Err(e) => Value::String(e.name().to_string()),
    };
    let oracle = match &r.oracle {
        None => Value::Null,
        Some(o) => {
            let f = o.fetched()?;
            match parse_oracle_account(&u, &f.key, &f.owner, &f.data) {
                Err(e) => json!({ "refused": refusal(e) }),
                Ok(p) => json!({
                    "price": p.price.to_string(),
                    "conf": p.conf.to_string(),
                    "expo": p.expo,
                    "publish_time": p.publish_time,
                    "age_secs": r.now.saturating_sub(p.publish_time),
                    "risk_increasing": verdict(greekhouse_rulebook::oracle::check_price(&u, &p, r.now, PriceUse::RiskIncreasing)),
                    "liquidation": verdict(greekhouse_rulebook::oracle::check_price(&u, &p, r.now, PriceUse::Liquidation)),
                }),
            }
        }
    };
    Ok(json!({
        "max_age_secs": u.oracle.max_age_secs,
        "liq_max_age_secs": u.oracle.liq_max_age_secs,
        "surface_updated_at": u.surface_updated_at,
        "surface_age_secs": r.now.saturating_sub(u.surface_updated_at),
        "surface_max_age_secs": u.surface_max_age_secs,
        "surface_stale_secs": u.surface_stale_secs(r.now),
        "oracle": oracle,
    }))
}
