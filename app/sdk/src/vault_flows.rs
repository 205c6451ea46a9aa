//! Complete vault sales, sell-backs, deposits and withdrawals with the program's projection:
//! the program's own actions (`greekhouse::engine::actions::vault_trade` and `vault`) run on
//! copies of the fetched accounts, so the price a buyer will pay (or a holder will get), the
//! shares a deposit mints, the quote a withdrawal pays, and every refusal (policy, utilisation,
//! IM, cap, maturity) are the program's, and the margin accounts come from the program's
//! layout. [`view`] values a vault as a withdrawal would.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use greekhouse::engine::actions::vault_trade;
use greekhouse::oracle::PriceUse;

use crate::accounts;
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
    crate::margin::fetch_decoded(chain, key, accounts::decode::<T>)
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

/// The SPL token supply of `mint` (bytes 36..44 of a mint account).
fn mint_supply<C: Chain + ?Sized>(chain: &mut C, mint: &Pubkey) -> Result<u64, MarginError> {
    let data = chain
        .account(mint)?
        .ok_or(MarginError::MissingAccount(*mint))?;
    data.data
        .get(36..44)
        .and_then(|b| b.try_into().ok())
        .map(u64::from_le_bytes)
        .ok_or(MarginError::MissingAccount(*mint))
}

/// What a liquidity provider's action reads: the node's clock, the clearing house, the vault, its
/// writer account and the share mint's supply.
struct LpAccounts {
    now: i64,
    ch: greekhouse::state::Clearinghouse,
    vault: greekhouse::state::Vault,
    writer: greekhouse::state::WriterAccount,
    supply: u64,
}

fn lp_accounts<C: Chain + ?Sized>(
    chain: &mut C,
    cx: &FlowContext<'_>,
    v: &VaultRef,
) -> Result<LpAccounts, MarginError> {
    Ok(LpAccounts {
        now: chain.unix_timestamp()?,
        ch: fetch(chain, &cx.ch.clearinghouse)?,
        vault: fetch(chain, &v.vault)?,
        writer: fetch(chain, &v.writer_account)?,
        supply: mint_supply(chain, &v.share_mint)?,
    })
}

/// A vault deposit or withdrawal ready to send, with the program's projection.
pub struct ProjectedLp {
    pub instruction: Instruction,
    /// Deposit: the shares minted; withdrawal: the quote paid (native units). Zero when refused.
    pub amount: u64,
    /// The vault's net asset value before (quote native units; rounded as the program rounds
    /// for this action: up for a deposit, down for a withdrawal).
    pub nav_before: i64,
    /// The program's refusal, when the action breaks one of its rules.
    pub refusal: Option<MarginError>,
}

/// `depositor` deposits `amount` quote (native units) from `depositor_quote` into the vault
/// `v`, its shares minted to `share_recipient`.
pub fn deposit<C: Chain + ?Sized>(
    chain: &mut C,
    cx: &FlowContext<'_>,
    v: &VaultRef,
    depositor: Pubkey,
    depositor_quote: Pubkey,
    share_recipient: Pubkey,
    amount: u64,
) -> Result<ProjectedLp, MarginError> {
    let LpAccounts {
        now,
        ch,
        mut vault,
        mut writer,
        supply,
    } = lp_accounts(chain, cx, v)?;
    let mut prices = FetchedPrices::new(
        chain,
        cx.ch.clearinghouse,
        cx.oracle_for,
        now,
        PriceUse::RiskIncreasing,
    );
    let outcome = greekhouse::engine::actions::vault::deposit(
        &ch,
        &mut vault,
        &mut writer,
        supply,
        amount,
        &mut prices,
        now,
    );
    let (outcome, refusal) = prices.finish_or_refusal(outcome)?;
    let instruction = vx::vault_deposit(
        v,
        depositor,
        depositor_quote,
        share_recipient,
        amount,
        prices.remaining_accounts(),
    );
    Ok(ProjectedLp {
        instruction,
        amount: outcome.as_ref().map_or(0, |o| o.shares),
        nav_before: outcome.map_or(0, |o| o.nav_before),
        refusal,
    })
}

/// `owner`'s matured withdrawal request from the vault `v`, paid into `recipient`.
pub fn withdraw<C: Chain + ?Sized>(
    chain: &mut C,
    cx: &FlowContext<'_>,
    v: &VaultRef,
    owner: Pubkey,
    recipient: Pubkey,
) -> Result<ProjectedLp, MarginError> {
    let LpAccounts {
        now,
        ch,
        mut vault,
        mut writer,
        supply,
    } = lp_accounts(chain, cx, v)?;
    let request: greekhouse::state::VaultWithdrawal =
        fetch(chain, &vx::withdrawal(&v.vault, &owner))?;
    let mut prices = FetchedPrices::new(
        chain,
        cx.ch.clearinghouse,
        cx.oracle_for,
        now,
        PriceUse::RiskIncreasing,
    );
    let outcome = greekhouse::engine::actions::vault::withdraw(
        &ch,
        &mut vault,
        &mut writer,
        &request,
        supply,
        &mut prices,
        now,
    );
    let (outcome, refusal) = prices.finish_or_refusal(outcome)?;
    let instruction = vx::vault_withdraw(v, owner, recipient, prices.remaining_accounts());
    Ok(ProjectedLp {
        instruction,
        amount: outcome.as_ref().map_or(0, |o| o.amount),
        nav_before: outcome.map_or(0, |o| o.nav_before),
        refusal,
    })
}

/// A vault as its LPs see it: the account, its writer account's net asset value (marked to
/// market, rounded down, as a withdrawal values it) and its share total.
pub struct VaultView {
    pub vault: greekhouse::state::Vault,
    pub writer: greekhouse::state::WriterAccount,
    pub nav: i64,
    /// Shares in circulation plus the locked and pending ones (the program's share total).
    pub total_shares: u64,
}

/// Read the vault `v` and value it at the node's clock.
pub fn view<C: Chain + ?Sized>(
    chain: &mut C,
    cx: &FlowContext<'_>,
    v: &VaultRef,
) -> Result<VaultView, MarginError> {
    let LpAccounts {
        now,
        ch,
        vault,
        writer,
        supply,
    } = lp_accounts(chain, cx, v)?;
    let mut prices = FetchedPrices::new(
        chain,
        cx.ch.clearinghouse,
        cx.oracle_for,
        now,
        PriceUse::Liquidation,
    );
    let nav = greekhouse::engine::actions::vault::load_if_needed(&writer, &mut prices).and_then(
        |loaded| {
            greekhouse::engine::actions::vault::nav(
                &ch,
                &writer,
                loaded.as_ref(),
                now,
                greekhouse_risk::Rounding::Down,
            )
        },
    );
    let (nav, refusal) = prices.finish_or_refusal(nav)?;
    if let Some(e) = refusal {
        return Err(e);
    }
    let total_shares = vault
        .total_shares(supply)
        .map_err(|e| MarginError::Program(e.to_string()))?;
    Ok(VaultView {
        vault,
        writer,
        nav: nav.unwrap_or_default(),
        total_shares,
    })
}
