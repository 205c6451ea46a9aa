//! Complete vault sales and sell-backs with the program's projection of their price: the
//! program's own actions (`greekhouse::engine::actions::vault_trade`) run on copies of the
//! fetched accounts, so the price a buyer will pay (or a holder will get) and every refusal
//! (policy, utilisation, IM, limits) are the program's, and the margin accounts come from the
//! program's layout.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use greekhouse::engine::actions::vault_trade;
use greekhouse::oracle::PriceUse;

use crate::accounts::{self, DecodeError};
use crate::chain::Chain;
use crate::flows::FlowContext;
use crate::margin::{FetchedPrices, MarginError};
use crate::pda;
use crate::vault::{self as vx, VaultRef};

fn fetch<
    C: Chain + ?Sized,
    T: anchor_lang::ZeroCopy + anchor_lang::Discriminator + bytemuck::Pod,
>(
    chain: &mut C,
    key: &Pubkey,
) -> Result<T, MarginError> {
    let data = chain
        .account(key)?
        .ok_or(MarginError::MissingAccount(*key))?;
    accounts::decode::<T>(&data.data).map_err(|e: DecodeError| MarginError::Decode(*key, e))
}

/// A vault trade ready to send, with the program's projection of its price.
pub struct ProjectedTrade {
    pub instruction: Instruction,
    /// What the buyer pays, or the holder receives (quote native units); zero when refused.
    pub price: u64,
    /// The program's refusal, when the trade breaks one of its rules (the instruction is still
    /// built, so sending it shows the program refuse it the same way).
    pub refusal: Option<MarginError>,
}

/// `buyer` buys `contracts` of `series` from the vault `v` into `recipient`, paying from
/// `buyer_quote` at most `max_price`.
#[allow(clippy::too_many_arguments)]
pub fn buy<C: Chain + ?Sized>(
    chain: &mut C,
    cx: &FlowContext<'_>,
    v: &VaultRef,
    buyer: Pubkey,
    buyer_quote: Pubkey,
    series: Pubkey,
    recipient: Pubkey,
    contracts: u64,
    max_price: u64,
) -> Result<ProjectedTrade, MarginError> {
    let now = chain.unix_timestamp()?;
    let ch = fetch(chain, &cx.ch.clearinghouse)?;
    let mut vault = fetch(chain, &v.vault)?;
    let mut writer = fetch(chain, &v.writer_account)?;
    let mut terms: greekhouse::state::OptionSeries = fetch(chain, &series)?;
    let underlying = fetch(chain, &terms.underlying)?;
    let mut book = fetch(chain, &pda::underlying_ledger(&terms.underlying))?;
    let mut prices = FetchedPrices::new(
        chain,
        cx.ch.clearinghouse,
        cx.oracle_for,
        now,
        PriceUse::RiskIncreasing,
    );
    let outcome = vault_trade::buy(
        &ch,
        &mut vault,
        &underlying,
        &mut writer,
        series,
        &mut terms,
        &mut book,
        &mut prices,
        contracts,
        max_price,
        now,
    );
    let (outcome, refusal) = prices.finish_or_refusal(outcome)?;
    let instruction = vx::vault_buy(
        v,
        buyer,
        buyer_quote,
        series,
        recipient,
        contracts,
        max_price,
        prices.remaining_accounts(),
    );
    Ok(ProjectedTrade {
        instruction,
        price: outcome.map_or(0, |o| o.price),
        refusal,
    })
}

/// `holder` sells `contracts` of `series` from `holder_options` back to the vault `v`, paid into
/// `recipient`, at least `min_price`.
#[allow(clippy::too_many_arguments)]
pub fn sell_back<C: Chain + ?Sized>(
    chain: &mut C,
    cx: &FlowContext<'_>,
    v: &VaultRef,
    holder: Pubkey,
    holder_options: Pubkey,
    series: Pubkey,
    recipient: Pubkey,
    contracts: u64,
    min_price: u64,
) -> Result<ProjectedTrade, MarginError> {
    let now = chain.unix_timestamp()?;
    let ch = fetch(chain, &cx.ch.clearinghouse)?;
    let mut vault = fetch(chain, &v.vault)?;
    let mut writer = fetch(chain, &v.writer_account)?;
    let mut terms: greekhouse::state::OptionSeries = fetch(chain, &series)?;
    let mut book = fetch(chain, &pda::underlying_ledger(&terms.underlying))?;
    let mut prices = FetchedPrices::new(
        chain,
        cx.ch.clearinghouse,
        cx.oracle_for,
        now,
        PriceUse::RiskIncreasing,
    );
    let outcome = vault_trade::sell_back(
        &ch,
        &mut vault,
        &mut writer,
        series,
        &mut terms,
        &mut book,
        &mut prices,
        contracts,
        min_price,
        now,
    );
    let (outcome, refusal) = prices.finish_or_refusal(outcome)?;
    let instruction = vx::vault_sell_back(
        v,
        holder,
        holder_options,
        series,
        recipient,
        contracts,
        min_price,
        prices.remaining_accounts(),
    );
    Ok(ProjectedTrade {
        instruction,
        price: outcome.map_or(0, |o| o.price),
        refusal,
    })
}
