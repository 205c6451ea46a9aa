//! Liquidation and insurance flows: each fetches what the instruction depends on, builds its
//! remaining accounts from the program's own layout, and projects the outcome through the
//! program's own engine (`greekhouse::engine::liquidation`, `greekhouse::engine::ledger`) and the
//! risk engine, so a bot knows the payment, fee and margins of a bid to the token unit before
//! it sends it.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use greekhouse::args::BidArgs;
use greekhouse::engine::actions;
use greekhouse::engine::liquidation::{self as engine, FRACTION_ONE};
use greekhouse::engine::margin::LoadedMargin;
use greekhouse::errors::GreekhouseError;
use greekhouse::events::SliceBought;
use greekhouse::oracle::PriceUse;
use greekhouse::state::{InsuranceFund, WriterAccount};
use greekhouse_risk::auction::BidInputs;
use greekhouse_risk::{Fixed, MarginSummary, SliceSettlement};

use crate::chain::Chain;
use crate::flows::FlowContext;
use crate::margin::{program_error, FetchedPrices, MarginError, MarginInputs};
use crate::{accounts, budget, ix, pda};

fn risk(e: greekhouse_risk::RiskError) -> MarginError {
    MarginError::Program(format!("{e:?}"))
}

fn fetch_writer<C: Chain + ?Sized>(
    chain: &mut C,
    key: &Pubkey,
) -> Result<WriterAccount, MarginError> {
    let data = chain
        .account(key)?
        .ok_or(MarginError::MissingAccount(*key))?;
    accounts::writer_account(&data.data).map_err(|e| MarginError::Decode(*key, e))
}

/// The insurance fund of a clearing house, decoded.
pub fn fetch_fund<C: Chain + ?Sized>(
    chain: &mut C,
    clearinghouse: &Pubkey,
) -> Result<InsuranceFund, MarginError> {
    let key = pda::insurance_fund(clearinghouse);
    let data = chain
        .account(&key)?
        .ok_or(MarginError::MissingAccount(key))?;
    accounts::insurance_fund(&data.data).map_err(|e| MarginError::Decode(key, e))
}

/// The compute-unit limit instruction for `instruction` (snake case) over a margin layout,
/// naming `writers` as they are before it runs: its measured cost at that shape
/// ([`budget::limit`]).
fn budget_for(instruction: &str, inputs: &MarginInputs, writers: &[&WriterAccount]) -> Instruction {
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let shape = budget::Shape {
        writers: count(writers.len()),
        positions: count(writers.iter().map(|w| w.position_count()).sum()),
        underlyings: count(inputs.underlyings.len()),
        assets: count(inputs.assets.len()),
    };
    ix::compute_unit_limit(budget::limit(instruction, shape))
}

/// `start_liquidation`, ready to send, with what the program will find.
pub struct StartPlan {
    /// A compute-unit limit, then the instruction.
    pub instructions: Vec<Instruction>,
    pub margin: MarginSummary,
    /// Whether the program will accept it: the program's own start action ran on copies of
    /// the accounts (below maintenance, or a settlement debt past its grace period).
    pub liquidatable: bool,
    /// The program's refusal when it is not liquidatable.
    pub refusal: Option<MarginError>,
    /// The keeper tip the caller's account will receive (zero when refused).
    pub tip: u64,
}

/// Plan the liquidation start of `writer_account`, tip to `tip_account`.
pub fn start_liquidation<C: Chain + ?Sized>(
    chain: &mut C,
    cx: &FlowContext<'_>,
    caller: Pubkey,
    writer_account: Pubkey,
    tip_account: Pubkey,
) -> Result<StartPlan, MarginError> {
    let now = chain.unix_timestamp()?;
    let w = fetch_writer(chain, &writer_account)?;
    let mut tipped = fetch_writer(chain, &tip_account)?;
    let tipped_before = tipped;
    let inputs = MarginInputs::fetch(chain, &cx.ch.clearinghouse, w, cx.oracle_for)?;
    let priced = inputs.priced(chain, now, PriceUse::Liquidation)?;
    let margin = inputs.compute_with(&w, &priced, now)?;
    let loaded = LoadedMargin::new(inputs.assets.clone(), priced);
    let mut frozen = w;
    let outcome = actions::start_liquidation::start_liquidation(
        &inputs.clearinghouse,
        &mut frozen,
        &mut tipped,
        &loaded,
        now,
    )
    .map_err(program_error);
    let instruction = ix::start_liquidation(
        cx.ch.clearinghouse,
        caller,
        writer_account,
        tip_account,
        inputs.remaining_accounts_recording(),
    );
    let (tip, refusal) = match outcome {
        Ok(o) => (o.tip, None),
        Err(e) => (0, Some(e)),
    };
    Ok(StartPlan {
        instructions: vec![
            budget_for(
                budget::names::START_LIQUIDATION,
                &inputs,
                &[&w, &tipped_before],
            ),
            instruction,
        ],
        liquidatable: refusal.is_none(),
        refusal,
        margin,
        tip,
    })
}

/// How much of the account to bid for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BidSize {
    /// The largest fraction the program allows now (the one that restores the end level).
    Max,
    /// A fraction at exponent 12, capped at the maximum.
    Fraction(u64),
}

/// A bid as the program will execute it: the program's own bid action
/// (`greekhouse::engine::actions::bid`) run on copies of the accounts.
#[derive(Clone, Debug)]
pub struct BidProjection {
    pub fraction: u64,
    pub max_fraction: u64,
    pub inputs: BidInputs,
    pub settlement: SliceSettlement,
    pub end_equity_before: Fixed,
    pub end_equity_after: Fixed,
    pub bidder_initial_after: Fixed,
    pub liquidated_after: WriterAccount,
    pub bidder_after: WriterAccount,
    pub fund_balance_after: u64,
    /// A settlement debtor's collateral sale (no end-level limit).
    pub debt_sale: bool,
    /// The event the program will emit, field for field.
    pub event: SliceBought,
}

impl BidProjection {
    /// The bidder's gain at mark: what it receives in value minus what it pays,
    /// `fraction * MtM - payment` (quote native, before its own margin costs).
    pub fn gain_at_mark(&self) -> Result<i128, MarginError> {
        let f = Fixed::from_raw(i128::from(self.fraction));
        let value = self
            .inputs
            .mark_to_market
            .checked_mul(f, greekhouse_risk::Rounding::Down)
            .and_then(|v| v.to_int(greekhouse_risk::Rounding::Down))
            .map_err(risk)?;
        Ok(value - self.settlement.payment)
    }
}

/// Project a bid of `size` from `inputs` (the writer is the liquidated account, `others[0]` the
/// bidder), priced with `priced` at `now`, against `fund`: the program's bid action itself, so
/// a bid the program refuses is refused here with the program's error. The projection pays any
/// price (no payment limit); the quote sets the limit from it.
pub fn project_bid(
    inputs: &MarginInputs,
    priced: &[greekhouse::engine::margin::PricedUnderlying],
    fund: &InsuranceFund,
    now: i64,
    size: BidSize,
) -> Result<BidProjection, MarginError> {
    let (mut liq, mut bidder) = (
        inputs.writer,
        *inputs
            .others
            .first()
            .ok_or_else(|| MarginError::Program("no bidder account".into()))?,
    );
    let loaded = LoadedMargin::new(inputs.assets.clone(), priced.to_vec());
    let ch = &inputs.clearinghouse;
    let quote = actions::bid::quote_auction(ch, &liq, &loaded, now).map_err(program_error)?;
    let max_fraction = engine::unit_raw(quote.max_fraction).map_err(program_error)?;
    let fraction = match size {
        BidSize::Max => max_fraction,
        BidSize::Fraction(f) => f.min(max_fraction),
    }
    .min(FRACTION_ONE);
    if fraction == 0 {
        // nothing to bid for: the program's refusal of any positive fraction now
        return Err(program_error(anchor_lang::error!(
            GreekhouseError::AccountAboveEndLevel
        )));
    }
    let mut fund_after = *fund;
    let outcome = actions::bid::bid(
        ch,
        &mut liq,
        &mut bidder,
        &mut fund_after,
        &loaded,
        fraction,
        i64::MAX,
        now,
    )
    .map_err(program_error)?;
    let event = outcome
        .event(Pubkey::default(), Pubkey::default())
        .map_err(program_error)?;
    Ok(BidProjection {
        fraction,
        max_fraction: event.max_fraction,
        inputs: outcome.quote.inputs,
        settlement: outcome.settlement,
        end_equity_before: outcome.quote.margin.end.equity,
        end_equity_after: outcome.margin_after.end.equity,
        bidder_initial_after: outcome.bidder_margin_after.initial.equity,
        liquidated_after: liq,
        bidder_after: bidder,
        fund_balance_after: outcome.fund_balance_after,
        debt_sale: outcome.quote.debt_sale,
        event,
    })
}

/// A bid, ready to send, with its projection.
pub struct BidQuote {
    /// A compute-unit limit, then the bid.
    pub instructions: Vec<Instruction>,
    pub projection: BidProjection,
    /// The fund's balance when quoted.
    pub fund_balance: u64,
}

/// Quote a bid of `size` for `liquidated` from `bidder_account` (owned by `owner`). The
/// payment limit is the projected payment plus `slack` (quote native): with zero slack the bid
/// fails rather than pay more than quoted.
pub fn quote_bid<C: Chain + ?Sized>(
    chain: &mut C,
    cx: &FlowContext<'_>,
    liquidated: Pubkey,
    bidder_account: Pubkey,
    owner: Pubkey,
    size: BidSize,
    slack: i64,
) -> Result<BidQuote, MarginError> {
    let now = chain.unix_timestamp()?;
    let liq = fetch_writer(chain, &liquidated)?;
    let bidder = fetch_writer(chain, &bidder_account)?;
    let fund = fetch_fund(chain, &cx.ch.clearinghouse)?;
    let inputs = MarginInputs::fetch_many(
        chain,
        &cx.ch.clearinghouse,
        liq,
        vec![bidder],
        cx.oracle_for,
    )?;
    let priced = inputs.priced(chain, now, PriceUse::Liquidation)?;
    let projection = project_bid(&inputs, &priced, &fund, now, size)?;
    let payment = i64::try_from(projection.settlement.payment)
        .map_err(|_| MarginError::Program("payment overflow".into()))?;
    let args = BidArgs {
        fraction: projection.fraction,
        payment_limit: payment.saturating_add(slack),
    };
    let instructions = vec![
        budget_for(budget::names::BID, &inputs, &[&liq, &bidder]),
        ix::bid(
            cx.ch,
            owner,
            liquidated,
            bidder_account,
            args,
            inputs.remaining_accounts_recording(),
        ),
    ];
    Ok(BidQuote {
        instructions,
        projection,
        fund_balance: fund.balance,
    })
}

/// `end_liquidation` for `writer_account` with its margin accounts (none when it has no
/// shorts and no debt) and whether the program will accept it now: the program's own end action
/// ran on a copy of the account.
pub fn end_liquidation<C: Chain + ?Sized>(
    chain: &mut C,
    cx: &FlowContext<'_>,
    caller: Pubkey,
    writer_account: Pubkey,
) -> Result<(Vec<Instruction>, bool), MarginError> {
    let now = chain.unix_timestamp()?;
    let mut w = fetch_writer(chain, &writer_account)?;
    let before = w;
    let ch = {
        let data = chain
            .account(&cx.ch.clearinghouse)?
            .ok_or(MarginError::MissingAccount(cx.ch.clearinghouse))?;
        accounts::clearinghouse(&data.data)
            .map_err(|e| MarginError::Decode(cx.ch.clearinghouse, e))?
    };
    let mut prices = FetchedPrices::new(
        chain,
        cx.ch.clearinghouse,
        cx.oracle_for,
        now,
        PriceUse::Liquidation,
    );
    let outcome = actions::end_liquidation::end_liquidation(&ch, &mut w, &mut prices, now);
    let (outcome, _refusal) = prices.finish_or_refusal(outcome)?;
    let mut instructions = Vec::new();
    let remaining = match prices.inputs.as_ref() {
        Some(inputs) => {
            instructions.push(budget_for(
                budget::names::END_LIQUIDATION,
                inputs,
                &[&before],
            ));
            inputs.remaining_accounts()
        }
        None => Vec::new(),
    };
    instructions.push(ix::end_liquidation(
        cx.ch.clearinghouse,
        caller,
        writer_account,
        remaining,
    ));
    Ok((instructions, outcome.is_some()))
}

/// `resolve_bankruptcy` for `writer_account`: its series in slot order, then its margin
/// accounts.
/// `resolve_debt` for `writer_account`: its markers' series and, when its unpaid debt's
/// account still holds collateral, the margin layout that prices it (the program writes the
/// debt off past dust only).
pub fn resolve_debt<C: Chain + ?Sized>(
    chain: &mut C,
    cx: &FlowContext<'_>,
    writer_account: Pubkey,
) -> Result<Instruction, MarginError> {
    let w = fetch_writer(chain, &writer_account)?;
    let series: Vec<Pubkey> = w
        .debt_markers
        .iter()
        .filter(|m| m.owed > 0)
        .map(|m| m.series)
        .collect();
    let layout = if w.quote_balance < 0 && w.collateral_count() > 0 {
        MarginInputs::fetch(chain, &cx.ch.clearinghouse, w, cx.oracle_for)?.remaining_accounts()
    } else {
        Vec::new()
    };
    Ok(ix::resolve_debt(cx.ch, writer_account, &series, layout))
}

pub fn resolve_bankruptcy<C: Chain + ?Sized>(
    chain: &mut C,
    cx: &FlowContext<'_>,
    caller: Pubkey,
    writer_account: Pubkey,
) -> Result<Vec<Instruction>, MarginError> {
    let w = fetch_writer(chain, &writer_account)?;
    let series = w.position_series();
    let inputs = MarginInputs::fetch(chain, &cx.ch.clearinghouse, w, cx.oracle_for)?;
    let ix = ix::resolve_bankruptcy(
        cx.ch.clearinghouse,
        caller,
        writer_account,
        &series,
        inputs.remaining_accounts(),
    );
    // the margin, plus a mark per position for the pro-rata cover: counted as a second margin
    Ok(vec![
        budget_for(budget::names::RESOLVE_BANKRUPTCY, &inputs, &[&w]),
        ix,
    ])
}
