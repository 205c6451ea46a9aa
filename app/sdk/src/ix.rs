//! One builder per instruction. Each returns a ready [`Instruction`]; signers are the keys
//! named in the arguments.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
use anchor_lang::{InstructionData, ToAccountMetas};
use greekhouse::args::{
    BidArgs, BuyBackstopArgs, CreateSeriesArgs, InitializeClearinghouseArgs, ListCollateralArgs,
    ListUnderlyingArgs,
};
use greekhouse::state::StoredVolSurface;
use greekhouse::{accounts as acc, instruction as data};

pub use crate::ix_program::In;
use crate::pda;

fn build(
    accounts: impl ToAccountMetas,
    data: impl InstructionData,
    remaining: Vec<AccountMeta>,
) -> Instruction {
    let mut metas = accounts.to_account_metas(None);
    metas.extend(remaining);
    Instruction {
        program_id: greekhouse::ID,
        accounts: metas,
        data: data.data(),
    }
}

fn system() -> Pubkey {
    anchor_lang::system_program::ID
}

/// The clearing house a writer or admin talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClearinghouseRef {
    pub clearinghouse: Pubkey,
    pub quote_mint: Pubkey,
    pub quote_vault: Pubkey,
    pub quote_token_program: Pubkey,
}

impl ClearinghouseRef {
    pub fn new(quote_mint: Pubkey, creator: Pubkey, quote_token_program: Pubkey) -> Self {
        let clearinghouse = pda::clearinghouse(&quote_mint, &creator);
        Self {
            clearinghouse,
            quote_mint,
            quote_vault: pda::quote_vault(&clearinghouse),
            quote_token_program,
        }
    }
}

pub fn initialize_clearinghouse(
    ch: &ClearinghouseRef,
    creator: Pubkey,
    args: InitializeClearinghouseArgs,
) -> Instruction {
    In::COMPILED.initialize_clearinghouse(ch, creator, args)
}

pub fn propose_admin(clearinghouse: Pubkey, admin: Pubkey, new_admin: Pubkey) -> Instruction {
    In::COMPILED.propose_admin(clearinghouse, admin, new_admin)
}

pub fn accept_admin(clearinghouse: Pubkey, pending_admin: Pubkey) -> Instruction {
    In::COMPILED.accept_admin(clearinghouse, pending_admin)
}

pub fn pause(clearinghouse: Pubkey, authority: Pubkey, flags: u32) -> Instruction {
    build(
        acc::Pause {
            authority,
            clearinghouse,
            event_authority: pda::event_authority(),
            program: greekhouse::ID,
        },
        data::Pause { flags },
        vec![],
    )
}

pub fn unpause(clearinghouse: Pubkey, admin: Pubkey, flags: u32) -> Instruction {
    build(
        acc::Unpause {
            admin,
            clearinghouse,
            event_authority: pda::event_authority(),
            program: greekhouse::ID,
        },
        data::Unpause { flags },
        vec![],
    )
}

pub fn list_underlying(
    clearinghouse: Pubkey,
    payer: Pubkey,
    admin: Pubkey,
    args: ListUnderlyingArgs,
) -> Instruction {
    In::COMPILED.list_underlying(clearinghouse, payer, admin, args)
}

pub fn list_collateral(
    clearinghouse: Pubkey,
    payer: Pubkey,
    admin: Pubkey,
    mint: Pubkey,
    token_program: Pubkey,
    price_underlying: Option<Pubkey>,
    args: ListCollateralArgs,
) -> Instruction {
    In::COMPILED.list_collateral(
        clearinghouse,
        payer,
        admin,
        mint,
        token_program,
        price_underlying,
        args,
    )
}

pub fn set_vol_surface(
    underlying: Pubkey,
    vol_updater: Pubkey,
    surface: StoredVolSurface,
) -> Instruction {
    build(
        acc::SetVolSurface {
            vol_updater,
            underlying,
            event_authority: pda::event_authority(),
            program: greekhouse::ID,
        },
        data::SetVolSurface { surface },
        vec![],
    )
}

pub fn open_writer_account(
    clearinghouse: Pubkey,
    payer: Pubkey,
    owner: Pubkey,
    index: u32,
) -> Instruction {
    build(
        acc::OpenWriterAccount {
            payer,
            owner,
            clearinghouse,
            writer_account: pda::writer_account(&clearinghouse, &owner, index),
            system_program: system(),
            event_authority: pda::event_authority(),
            program: greekhouse::ID,
        },
        data::OpenWriterAccount { index },
        vec![],
    )
}

pub fn close_writer_account(writer_account: Pubkey, owner: Pubkey) -> Instruction {
    build(
        acc::CloseWriterAccount {
            owner,
            writer_account,
            event_authority: pda::event_authority(),
            program: greekhouse::ID,
        },
        data::CloseWriterAccount {},
        vec![],
    )
}

/// Where a deposit or withdrawal goes: the quote balance, or a listed collateral asset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenLedger {
    pub mint: Pubkey,
    pub vault: Pubkey,
    pub token_program: Pubkey,
    /// `None` for the quote mint.
    pub collateral_asset: Option<Pubkey>,
}

impl TokenLedger {
    pub fn quote(ch: &ClearinghouseRef) -> Self {
        Self {
            mint: ch.quote_mint,
            vault: ch.quote_vault,
            token_program: ch.quote_token_program,
            collateral_asset: None,
        }
    }
    pub fn collateral(clearinghouse: &Pubkey, mint: Pubkey, token_program: Pubkey) -> Self {
        let asset = pda::collateral_asset(clearinghouse, &mint);
        Self {
            mint,
            vault: pda::collateral_vault(&asset),
            token_program,
            collateral_asset: Some(asset),
        }
    }
}

pub fn deposit(
    clearinghouse: Pubkey,
    writer_account: Pubkey,
    owner: Pubkey,
    ledger: &TokenLedger,
    owner_token_account: Pubkey,
    amount: u64,
) -> Instruction {
    build(
        acc::Deposit {
            owner,
            clearinghouse,
            writer_account,
            mint: ledger.mint,
            vault: ledger.vault,
            owner_token_account,
            collateral_asset: ledger.collateral_asset,
            token_program: ledger.token_program,
            event_authority: pda::event_authority(),
            program: greekhouse::ID,
        },
        data::Deposit { amount },
        vec![],
    )
}

/// `margin_accounts` from [`crate::margin::remaining_accounts`] for the account after the withdrawal.
pub fn withdraw(
    clearinghouse: Pubkey,
    writer_account: Pubkey,
    owner: Pubkey,
    ledger: &TokenLedger,
    destination: Pubkey,
    amount: u64,
    margin_accounts: Vec<AccountMeta>,
) -> Instruction {
    build(
        acc::Withdraw {
            owner,
            clearinghouse,
            writer_account,
            mint: ledger.mint,
            vault: ledger.vault,
            destination,
            collateral_asset: ledger.collateral_asset,
            token_program: ledger.token_program,
            event_authority: pda::event_authority(),
            program: greekhouse::ID,
        },
        data::Withdraw { amount },
        margin_accounts,
    )
}

pub fn create_series(
    clearinghouse: Pubkey,
    payer: Pubkey,
    underlying: Pubkey,
    oracle: Pubkey,
    args: CreateSeriesArgs,
) -> Instruction {
    let series = pda::series(
        &underlying,
        args.expiry,
        args.strike,
        greekhouse::state::OptionSeries::seed_kind(args.kind, args.style),
    );
    build(
        acc::CreateSeries {
            payer,
            clearinghouse,
            underlying,
            underlying_ledger: pda::underlying_ledger(&underlying),
            oracle,
            series,
            option_mint: pda::option_mint(&series),
            token_program: anchor_spl::token::ID,
            system_program: system(),
            event_authority: pda::event_authority(),
            program: greekhouse::ID,
        },
        data::CreateSeries { args },
        vec![],
    )
}

/// `margin_accounts` for the account *after* the write (it includes the series' underlying).
#[allow(clippy::too_many_arguments)] // one argument per account the caller chooses
pub fn write_options(
    clearinghouse: Pubkey,
    writer_account: Pubkey,
    owner: Pubkey,
    underlying: Pubkey,
    series: Pubkey,
    recipient: Pubkey,
    contracts: u64,
    margin_accounts: Vec<AccountMeta>,
) -> Instruction {
    build(
        acc::WriteOptions {
            owner,
            clearinghouse,
            writer_account,
            underlying,
            underlying_ledger: pda::underlying_ledger(&underlying),
            series,
            option_mint: pda::option_mint(&series),
            recipient,
            token_program: anchor_spl::token::ID,
            event_authority: pda::event_authority(),
            program: greekhouse::ID,
        },
        data::WriteOptions { contracts },
        margin_accounts,
    )
}

pub fn burn_options(
    writer_account: Pubkey,
    owner: Pubkey,
    underlying: Pubkey,
    series: Pubkey,
    owner_token_account: Pubkey,
    contracts: u64,
) -> Instruction {
    build(
        acc::BurnOptions {
            owner,
            writer_account,
            underlying_ledger: pda::underlying_ledger(&underlying),
            series,
            option_mint: pda::option_mint(&series),
            owner_token_account,
            token_program: anchor_spl::token::ID,
            event_authority: pda::event_authority(),
            program: greekhouse::ID,
        },
        data::BurnOptions { contracts },
        vec![],
    )
}

/// Deposit `contracts` option tokens of `series` from `owner_token_account` into
/// `writer_account`: burned against its own short first, the rest held as a long.
pub fn deposit_options(
    writer_account: Pubkey,
    owner: Pubkey,
    underlying: Pubkey,
    series: Pubkey,
    owner_token_account: Pubkey,
    contracts: u64,
) -> Instruction {
    build(
        acc::DepositOptions {
            owner,
            writer_account,
            underlying_ledger: pda::underlying_ledger(&underlying),
            series,
            option_mint: pda::option_mint(&series),
            owner_token_account,
            token_program: anchor_spl::token::ID,
            event_authority: pda::event_authority(),
            program: greekhouse::ID,
        },
        data::DepositOptions { contracts },
        vec![],
    )
}

/// Withdraw `contracts` of `writer_account`'s long in `series` as tokens minted to
/// `recipient`; `margin_accounts`: the layout of the account after the withdrawal (empty when
/// it has no shorts and no debt). [`crate::flows::withdraw_options`] builds it with them.
pub fn withdraw_options(
    clearinghouse: Pubkey,
    writer_account: Pubkey,
    owner: Pubkey,
    series: Pubkey,
    recipient: Pubkey,
    contracts: u64,
    margin_accounts: Vec<AccountMeta>,
) -> Instruction {
    build(
        acc::WithdrawOptions {
            owner,
            clearinghouse,
            writer_account,
            series,
            option_mint: pda::option_mint(&series),
            recipient,
            token_program: anchor_spl::token::ID,
            event_authority: pda::event_authority(),
            program: greekhouse::ID,
        },
        data::WithdrawOptions { contracts },
        margin_accounts,
    )
}

/// Sweep an underlying's accrued writing fees into the insurance fund (anyone).
pub fn sweep_fees(ch: &ClearinghouseRef, underlying: Pubkey) -> Instruction {
    build(
        acc::SweepFees {
            clearinghouse: ch.clearinghouse,
            underlying_ledger: pda::underlying_ledger(&underlying),
            insurance_fund: pda::insurance_fund(&ch.clearinghouse),
            insurance_vault: pda::insurance_vault(&ch.clearinghouse),
            quote_vault: ch.quote_vault,
            quote_mint: ch.quote_mint,
            token_program: ch.quote_token_program,
            event_authority: pda::event_authority(),
            program: greekhouse::ID,
        },
        data::SweepFees {},
        vec![],
    )
}

/// Record an underlying's newest oracle price (anyone).
pub fn record_price(underlying: Pubkey, oracle: Pubkey) -> Instruction {
    build(
        acc::RecordPrice {
            underlying,
            oracle,
            event_authority: pda::event_authority(),
            program: greekhouse::ID,
        },
        data::RecordPrice {},
        vec![],
    )
}

/// Check `writer_account`'s margin against its warning level (anyone): `MarginWarning` when
/// it crossed a level since the last check. `margin_accounts`: the account's margin layout
/// (read-only; empty when it has no shorts and no debt).
pub fn check_margin(
    clearinghouse: Pubkey,
    writer_account: Pubkey,
    margin_accounts: Vec<AccountMeta>,
) -> Instruction {
    build(
        acc::CheckMargin {
            clearinghouse,
            writer_account,
            event_authority: pda::event_authority(),
            program: greekhouse::ID,
        },
        data::CheckMargin {},
        margin_accounts,
    )
}

/// A compute-budget instruction raising the transaction's limit to `units` (place it first).
pub fn compute_unit_limit(units: u32) -> Instruction {
    solana_compute_budget_interface::ComputeBudgetInstruction::set_compute_unit_limit(units)
}

/// Start the liquidation of `writer_account` (anyone); the tip goes to `tip_account`.
/// `margin_accounts`: the account's margin layout.
pub fn start_liquidation(
    clearinghouse: Pubkey,
    caller: Pubkey,
    writer_account: Pubkey,
    tip_account: Pubkey,
    margin_accounts: Vec<AccountMeta>,
) -> Instruction {
    build(
        acc::StartLiquidation {
            caller,
            clearinghouse,
            writer_account,
            tip_account,
            event_authority: pda::event_authority(),
            program: greekhouse::ID,
        },
        data::StartLiquidation {},
        margin_accounts,
    )
}

/// Bid for a slice of `liquidated` from `bidder_account` (owned by `owner`).
/// `margin_accounts`: the shared margin layout of `[liquidated, bidder_account]` before the bid.
pub fn bid(
    ch: &ClearinghouseRef,
    owner: Pubkey,
    liquidated: Pubkey,
    bidder_account: Pubkey,
    args: BidArgs,
    margin_accounts: Vec<AccountMeta>,
) -> Instruction {
    build(
        acc::Bid {
            owner,
            clearinghouse: ch.clearinghouse,
            liquidated,
            bidder_account,
            insurance_fund: pda::insurance_fund(&ch.clearinghouse),
            insurance_vault: pda::insurance_vault(&ch.clearinghouse),
            quote_vault: ch.quote_vault,
            quote_mint: ch.quote_mint,
            token_program: ch.quote_token_program,
            event_authority: pda::event_authority(),
            program: greekhouse::ID,
        },
        data::Bid { args },
        margin_accounts,
    )
}

/// End the liquidation of `writer_account` (anyone). `margin_accounts`: its margin layout
/// (empty when it has no shorts and no debt).
pub fn end_liquidation(
    clearinghouse: Pubkey,
    caller: Pubkey,
    writer_account: Pubkey,
    margin_accounts: Vec<AccountMeta>,
) -> Instruction {
    build(
        acc::EndLiquidation {
            caller,
            clearinghouse,
            writer_account,
            event_authority: pda::event_authority(),
            program: greekhouse::ID,
        },
        data::EndLiquidation {},
        margin_accounts,
    )
}

/// Resolve the bankruptcy of `writer_account` (anyone). `series`: the series of its positions
/// (writable), once each in the order of `WriterAccount::position_series`; `margin_accounts`:
/// its margin layout.
pub fn resolve_bankruptcy(
    clearinghouse: Pubkey,
    caller: Pubkey,
    writer_account: Pubkey,
    series: &[Pubkey],
    margin_accounts: Vec<AccountMeta>,
) -> Instruction {
    let mut remaining: Vec<AccountMeta> =
        series.iter().map(|s| AccountMeta::new(*s, false)).collect();
    remaining.extend(margin_accounts);
    build(
        acc::ResolveBankruptcy {
            caller,
            clearinghouse,
            writer_account,
            insurance_fund: pda::insurance_fund(&clearinghouse),
            event_authority: pda::event_authority(),
            program: greekhouse::ID,
        },
        data::ResolveBankruptcy {},
        remaining,
    )
}

/// Open `owner`'s stake account in the clearing house's insurance fund.
pub fn open_insurance_stake(clearinghouse: Pubkey, payer: Pubkey, owner: Pubkey) -> Instruction {
    let insurance_fund = pda::insurance_fund(&clearinghouse);
    build(
        acc::OpenInsuranceStake {
            payer,
            owner,
            insurance_fund,
            insurance_stake: pda::insurance_stake(&insurance_fund, &owner),
            system_program: system(),
            event_authority: pda::event_authority(),
            program: greekhouse::ID,
        },
        data::OpenInsuranceStake {},
        vec![],
    )
}

/// Every underlying ledger of `clearinghouse` (ids `0..underlying_count`), writable: the
/// remaining accounts of `stake` and `buy_backstop`, which sweep their pending fees first.
pub fn underlying_ledgers(clearinghouse: &Pubkey, underlying_count: u16) -> Vec<AccountMeta> {
    (0..underlying_count)
        .map(|id| {
            let underlying = pda::underlying(clearinghouse, id);
            AccountMeta::new(pda::underlying_ledger(&underlying), false)
        })
        .collect()
}

/// Stake `amount` of quote from `owner_token_account`. `underlying_count` is the clearing
/// house's (every underlying's pending fees are swept in first).
pub fn stake(
    ch: &ClearinghouseRef,
    owner: Pubkey,
    owner_token_account: Pubkey,
    amount: u64,
    underlying_count: u16,
) -> Instruction {
    let insurance_fund = pda::insurance_fund(&ch.clearinghouse);
    build(
        acc::Stake {
            owner,
            clearinghouse: ch.clearinghouse,
            insurance_fund,
            insurance_vault: pda::insurance_vault(&ch.clearinghouse),
            insurance_stake: pda::insurance_stake(&insurance_fund, &owner),
            owner_token_account,
            quote_vault: ch.quote_vault,
            quote_mint: ch.quote_mint,
            token_program: ch.quote_token_program,
            event_authority: pda::event_authority(),
            program: greekhouse::ID,
        },
        data::Stake { amount },
        underlying_ledgers(&ch.clearinghouse, underlying_count),
    )
}

/// Request to unstake `shares`.
pub fn request_unstake(clearinghouse: Pubkey, owner: Pubkey, shares: u64) -> Instruction {
    let insurance_fund = pda::insurance_fund(&clearinghouse);
    build(
        acc::RequestUnstake {
            owner,
            clearinghouse,
            insurance_fund,
            insurance_stake: pda::insurance_stake(&insurance_fund, &owner),
            event_authority: pda::event_authority(),
            program: greekhouse::ID,
        },
        data::RequestUnstake { shares },
        vec![],
    )
}

/// Cancel `owner`'s pending unstake request.
pub fn cancel_unstake(clearinghouse: Pubkey, owner: Pubkey) -> Instruction {
    let insurance_fund = pda::insurance_fund(&clearinghouse);
    build(
        acc::CancelUnstake {
            owner,
            insurance_fund,
            insurance_stake: pda::insurance_stake(&insurance_fund, &owner),
            event_authority: pda::event_authority(),
            program: greekhouse::ID,
        },
        data::CancelUnstake {},
        vec![],
    )
}

/// Execute `owner`'s pending unstake into `recipient`.
pub fn unstake(ch: &ClearinghouseRef, owner: Pubkey, recipient: Pubkey) -> Instruction {
    let insurance_fund = pda::insurance_fund(&ch.clearinghouse);
    build(
        acc::Unstake {
            owner,
            clearinghouse: ch.clearinghouse,
            insurance_fund,
            insurance_vault: pda::insurance_vault(&ch.clearinghouse),
            insurance_stake: pda::insurance_stake(&insurance_fund, &owner),
            recipient,
            quote_mint: ch.quote_mint,
            token_program: ch.quote_token_program,
            event_authority: pda::event_authority(),
            program: greekhouse::ID,
        },
        data::Unstake {},
        vec![],
    )
}

/// Donate `amount` of quote to the insurance fund.
pub fn donate(
    ch: &ClearinghouseRef,
    donor: Pubkey,
    donor_token_account: Pubkey,
    amount: u64,
) -> Instruction {
    build(
        acc::Donate {
            donor,
            clearinghouse: ch.clearinghouse,
            insurance_fund: pda::insurance_fund(&ch.clearinghouse),
            insurance_vault: pda::insurance_vault(&ch.clearinghouse),
            donor_token_account,
            quote_mint: ch.quote_mint,
            token_program: ch.quote_token_program,
            event_authority: pda::event_authority(),
            program: greekhouse::ID,
        },
        data::Donate { amount },
        vec![],
    )
}

/// Post the settlement price of `underlying` at `expiry` from `oracle` (anyone): the update
/// with `prev_publish_time < expiry <= publish_time`, or the one after an update passed over.
pub fn propose_settlement_price(
    clearinghouse: Pubkey,
    payer: Pubkey,
    underlying: Pubkey,
    oracle: Pubkey,
    expiry: i64,
) -> Instruction {
    build(
        acc::ProposeSettlementPrice {
            payer,
            clearinghouse,
            underlying,
            oracle,
            settlement_price: pda::settlement_price(&underlying, expiry),
            system_program: system(),
            event_authority: pda::event_authority(),
            program: greekhouse::ID,
        },
        data::ProposeSettlementPrice { expiry },
        vec![],
    )
}

/// Settle `series` (of `underlying`, expiring at `expiry`) at its final price (anyone).
pub fn settle_series(
    ch: &ClearinghouseRef,
    series: Pubkey,
    underlying: Pubkey,
    expiry: i64,
) -> Instruction {
    build(
        acc::SettleSeries {
            clearinghouse: ch.clearinghouse,
            series,
            underlying_ledger: pda::underlying_ledger(&underlying),
            settlement_price: pda::settlement_price(&underlying, expiry),
            insurance_fund: pda::insurance_fund(&ch.clearinghouse),
            insurance_vault: pda::insurance_vault(&ch.clearinghouse),
            quote_vault: ch.quote_vault,
            quote_mint: ch.quote_mint,
            token_program: ch.quote_token_program,
            event_authority: pda::event_authority(),
            program: greekhouse::ID,
        },
        data::SettleSeries {},
        vec![],
    )
}

/// Settle `writer_account`'s short in `series` (anyone).
pub fn settle_position(writer_account: Pubkey, series: Pubkey) -> Instruction {
    build(
        acc::SettlePosition {
            writer_account,
            series,
            event_authority: pda::event_authority(),
            program: greekhouse::ID,
        },
        data::SettlePosition {},
        vec![],
    )
}

/// Pay `writer_account`'s long in the finalized `series` into its quote balance (anyone).
pub fn settle_long(writer_account: Pubkey, series: Pubkey) -> Instruction {
    build(
        acc::SettleLong {
            writer_account,
            series,
            event_authority: pda::event_authority(),
            program: greekhouse::ID,
        },
        data::SettleLong {},
        vec![],
    )
}

/// Resolve `writer_account`'s settlement debt; `series`: its debt markers' series, in order.
/// `series`: the account's debt markers' series in marker order; `layout`: its margin accounts
/// when an unpaid debt's account holds collateral (priced to show it is dust), else empty
/// ([`crate::liquidation::resolve_debt`] picks both).
pub fn resolve_debt(
    ch: &ClearinghouseRef,
    writer_account: Pubkey,
    series: &[Pubkey],
    layout: Vec<AccountMeta>,
) -> Instruction {
    build(
        acc::ResolveDebt {
            clearinghouse: ch.clearinghouse,
            writer_account,
            insurance_fund: pda::insurance_fund(&ch.clearinghouse),
            insurance_vault: pda::insurance_vault(&ch.clearinghouse),
            quote_vault: ch.quote_vault,
            quote_mint: ch.quote_mint,
            token_program: ch.quote_token_program,
            event_authority: pda::event_authority(),
            program: greekhouse::ID,
        },
        data::ResolveDebt {},
        series
            .iter()
            .map(|s| AccountMeta::new(*s, false))
            .chain(layout)
            .collect(),
    )
}

/// Open `series`' backstop auction (anyone).
pub fn open_backstop(clearinghouse: Pubkey, series: Pubkey) -> Instruction {
    build(
        acc::OpenBackstop {
            clearinghouse,
            series,
            event_authority: pda::event_authority(),
            program: greekhouse::ID,
        },
        data::OpenBackstop {},
        vec![],
    )
}

/// Buy backstop shares of `series` into `owner`'s stake, paying from `owner_token_account`.
/// `underlying_count` is the clearing house's (every underlying's pending fees are swept in
/// first).
pub fn buy_backstop(
    ch: &ClearinghouseRef,
    owner: Pubkey,
    owner_token_account: Pubkey,
    series: Pubkey,
    args: BuyBackstopArgs,
    underlying_count: u16,
) -> Instruction {
    let insurance_fund = pda::insurance_fund(&ch.clearinghouse);
    build(
        acc::BuyBackstop {
            owner,
            clearinghouse: ch.clearinghouse,
            series,
            insurance_fund,
            insurance_vault: pda::insurance_vault(&ch.clearinghouse),
            insurance_stake: pda::insurance_stake(&insurance_fund, &owner),
            owner_token_account,
            quote_vault: ch.quote_vault,
            quote_mint: ch.quote_mint,
            token_program: ch.quote_token_program,
            event_authority: pda::event_authority(),
            program: greekhouse::ID,
        },
        data::BuyBackstop { args },
        underlying_ledgers(&ch.clearinghouse, underlying_count),
    )
}

/// Finalize `series` (anyone).
pub fn finalize_series(clearinghouse: Pubkey, series: Pubkey) -> Instruction {
    build(
        acc::FinalizeSeries {
            clearinghouse,
            series,
            event_authority: pda::event_authority(),
            program: greekhouse::ID,
        },
        data::FinalizeSeries {},
        vec![],
    )
}

/// Redeem `contracts` of `series` held in `holder_option_account`, paying `recipient`.
pub fn redeem(
    ch: &ClearinghouseRef,
    holder: Pubkey,
    series: Pubkey,
    holder_option_account: Pubkey,
    recipient: Pubkey,
    contracts: u64,
) -> Instruction {
    build(
        acc::Redeem {
            holder,
            clearinghouse: ch.clearinghouse,
            series,
            option_mint: pda::option_mint(&series),
            holder_option_account,
            recipient,
            quote_vault: ch.quote_vault,
            quote_mint: ch.quote_mint,
            quote_token_program: ch.quote_token_program,
            token_program: anchor_spl::token::ID,
            event_authority: pda::event_authority(),
            program: greekhouse::ID,
        },
        data::Redeem { contracts },
        vec![],
    )
}

/// Exercise `contracts` tokens of the American `series` (on `underlying`, priced by `oracle`)
/// before its cut-off: the holder's tokens burned, their intrinsic value paid to `recipient`.
#[allow(clippy::too_many_arguments)] // one argument per account the caller chooses
pub fn exercise(
    ch: &ClearinghouseRef,
    holder: Pubkey,
    underlying: Pubkey,
    oracle: Pubkey,
    series: Pubkey,
    holder_option_account: Pubkey,
    recipient: Pubkey,
    contracts: u64,
) -> Instruction {
    build(
        acc::Exercise {
            holder,
            clearinghouse: ch.clearinghouse,
            underlying,
            underlying_ledger: pda::underlying_ledger(&underlying),
            oracle,
            series,
            option_mint: pda::option_mint(&series),
            holder_option_account,
            recipient,
            quote_vault: ch.quote_vault,
            quote_mint: ch.quote_mint,
            quote_token_program: ch.quote_token_program,
            token_program: anchor_spl::token::ID,
            event_authority: pda::event_authority(),
            program: greekhouse::ID,
        },
        data::Exercise { contracts },
        vec![],
    )
}

/// Accrue `writer_account`'s American short in `series` (on `underlying`) to the series'
/// exercise index (anyone).
pub fn accrue_exercise(writer_account: Pubkey, series: Pubkey, underlying: Pubkey) -> Instruction {
    build(
        acc::AccrueExercise {
            writer_account,
            series,
            underlying,
            event_authority: pda::event_authority(),
            program: greekhouse::ID,
        },
        data::AccrueExercise {},
        vec![],
    )
}

/// Sweep a finalized `series`' dust (rounding, and the payout of tokens burned outside the
/// program) into the insurance fund (anyone).
pub fn sweep_series_dust(ch: &ClearinghouseRef, series: Pubkey) -> Instruction {
    build(
        acc::SweepSeriesDust {
            clearinghouse: ch.clearinghouse,
            series,
            option_mint: pda::option_mint(&series),
            insurance_fund: pda::insurance_fund(&ch.clearinghouse),
            insurance_vault: pda::insurance_vault(&ch.clearinghouse),
            quote_vault: ch.quote_vault,
            quote_mint: ch.quote_mint,
            token_program: ch.quote_token_program,
            event_authority: pda::event_authority(),
            program: greekhouse::ID,
        },
        data::SweepSeriesDust {},
        vec![],
    )
}

// ---- governance changes (docs/governance.md) ----

/// The accounts a governed value lives in: none besides the clearing house for global values
/// and the guardian, the underlying for an underlying's values, the collateral asset (and, for
/// weights and price source, the underlying pricing it) for a collateral asset's values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChangeTarget {
    pub underlying: Option<Pubkey>,
    pub collateral_asset: Option<Pubkey>,
    pub price_underlying: Option<Pubkey>,
}

impl ChangeTarget {
    /// A value of the clearing house itself.
    pub fn clearinghouse() -> Self {
        Self::default()
    }

    pub fn underlying(key: Pubkey) -> Self {
        Self {
            underlying: Some(key),
            ..Self::default()
        }
    }

    /// A collateral asset, with the underlying that prices it (if any).
    pub fn collateral(key: Pubkey, price_underlying: Option<Pubkey>) -> Self {
        Self {
            collateral_asset: Some(key),
            price_underlying,
            ..Self::default()
        }
    }
}

/// `change_id` names the `ParamChange` a loosening is queued at (any id not used yet: the
/// clearing house's `change_count` when nothing is pending, see `gov::free_change_id`); a
/// tightening leaves it unused.
pub fn queue_change(
    clearinghouse: Pubkey,
    payer: Pubkey,
    admin: Pubkey,
    change_id: u64,
    target: ChangeTarget,
    change: greekhouse::state::GovValue,
) -> Instruction {
    In::COMPILED.queue_change(clearinghouse, payer, admin, change_id, target, change)
}

pub fn execute_change(
    clearinghouse: Pubkey,
    executor: Pubkey,
    change_id: u64,
    target: ChangeTarget,
) -> Instruction {
    In::COMPILED.execute_change(clearinghouse, executor, change_id, target)
}

pub fn cancel_change(clearinghouse: Pubkey, authority: Pubkey, change_id: u64) -> Instruction {
    In::COMPILED.cancel_change(clearinghouse, authority, change_id)
}
