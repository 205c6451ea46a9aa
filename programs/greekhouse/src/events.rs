//! One event per state change. Emitted through Anchor's event CPI, so indexers (and the
//! native test bank, which drops program logs) read them from the inner instructions.

use crate::prelude::*;

use crate::state::{GlobalParams, OracleConfig, SeriesRules, StoredMarginParams, StoredVolSurface};

#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct ClearinghouseInitialized {
    pub clearinghouse: Pubkey,
    /// Part of the clearing house's address seeds.
    pub creator: Pubkey,
    pub quote_token_program: Pubkey,
    pub admin: Pubkey,
    pub guardian: Pubkey,
    pub quote_mint: Pubkey,
    pub quote_vault: Pubkey,
    pub insurance_fund: Pubkey,
    pub insurance_vault: Pubkey,
    pub params: GlobalParams,
}

#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct AdminProposed {
    pub clearinghouse: Pubkey,
    pub admin: Pubkey,
    pub pending_admin: Pubkey,
}

#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct AdminAccepted {
    pub clearinghouse: Pubkey,
    pub previous_admin: Pubkey,
    pub admin: Pubkey,
}

#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct PauseFlagsChanged {
    pub clearinghouse: Pubkey,
    pub by: Pubkey,
    pub previous: u32,
    pub paused: u32,
}

#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct UnderlyingListed {
    pub clearinghouse: Pubkey,
    pub underlying: Pubkey,
    pub underlying_ledger: Pubkey,
    pub id: u16,
    pub symbol: [u8; 16],
    pub oracle: OracleConfig,
    pub margin: StoredMarginParams,
    pub series_rules: SeriesRules,
    pub open_interest_cap: u64,
    pub vol_updater: Pubkey,
    pub surface: StoredVolSurface,
    pub surface_max_age_secs: u32,
    pub surface_max_change_bps: u32,
}

#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct VolSurfaceSet {
    pub underlying: Pubkey,
    pub surface: StoredVolSurface,
    pub updated_at: i64,
}

#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct CollateralListed {
    pub clearinghouse: Pubkey,
    pub collateral_asset: Pubkey,
    pub mint: Pubkey,
    pub token_program: Pubkey,
    pub vault: Pubkey,
    pub price_source: u8,
    pub price_underlying: Pubkey,
    pub init_weight_bps: u16,
    pub maint_weight_bps: u16,
    pub deposit_cap: u64,
}

#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct OraclePriceAccepted {
    pub underlying: Pubkey,
    pub price: i64,
    pub conf: u64,
    pub expo: i32,
    pub publish_time: i64,
}

#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct WriterAccountOpened {
    pub clearinghouse: Pubkey,
    pub writer_account: Pubkey,
    pub owner: Pubkey,
    pub index: u32,
}

#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct WriterAccountClosed {
    pub writer_account: Pubkey,
    pub owner: Pubkey,
}

#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct Deposited {
    pub writer_account: Pubkey,
    pub mint: Pubkey,
    pub amount: u64,
    /// Quote balance (quote deposits) or the asset's balance after the deposit.
    pub balance_after: i64,
}

#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct Withdrawn {
    pub writer_account: Pubkey,
    pub mint: Pubkey,
    pub amount: u64,
    pub balance_after: i64,
    /// Equity at initial margin after the withdrawal (quote native, rounded down); `None` when
    /// the account has no shorts and no debt, so no margin check (and no price) was needed.
    pub initial_equity_after: Option<i64>,
}

#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct SeriesCreated {
    pub series: Pubkey,
    pub underlying: Pubkey,
    pub option_mint: Pubkey,
    pub kind: u8,
    pub strike: u64,
    pub expiry: i64,
    pub contract_size: u64,
    /// 0 European, 1 American.
    pub style: u8,
}

#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct OptionsWritten {
    pub writer_account: Pubkey,
    pub series: Pubkey,
    pub contracts: u64,
    pub recipient: Pubkey,
    pub fee: u64,
    /// Of `contracts`, how many came out of the account's own long in the series (the long
    /// shrank, no short was written for them, no fee charged on them).
    pub from_long: u64,
    pub short_after: u64,
    pub initial_equity_after: i64,
}

/// Option tokens burned into a writer account: first against its own short in the series
/// (`netted`, closing it as `burn_options` would), the rest recorded as a long.
#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct OptionsDeposited {
    pub writer_account: Pubkey,
    pub series: Pubkey,
    pub contracts: u64,
    pub netted: u64,
    pub short_after: u64,
    pub long_after: u64,
}

/// Option tokens minted out of a writer account's long to a token account.
#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct OptionsWithdrawn {
    pub writer_account: Pubkey,
    pub series: Pubkey,
    pub contracts: u64,
    pub recipient: Pubkey,
    pub long_after: u64,
    /// Equity at IM afterwards when the account has liabilities (checked), else `None`.
    pub initial_equity_after: Option<i64>,
}

/// A long in a finalized series paid into its account at the final payout.
#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct LongSettled {
    pub writer_account: Pubkey,
    pub series: Pubkey,
    pub contracts: u64,
    /// `contracts * payout_final`, quote native units, from the series' ledger.
    pub amount: u64,
    pub quote_balance_after: i64,
}

#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct OptionsBurned {
    pub writer_account: Pubkey,
    pub series: Pubkey,
    pub contracts: u64,
    pub short_after: u64,
}

#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct FeesSwept {
    pub underlying: Pubkey,
    /// Quote native units moved from the quote vault into the insurance fund's vault.
    pub amount: u64,
    /// The insurance fund's balance afterwards.
    pub fund_balance_after: u64,
}

// ---- liquidation (docs/liquidation.md) ----

#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct LiquidationStarted {
    pub writer_account: Pubkey,
    /// Who started it.
    pub caller: Pubkey,
    /// Writer account credited with the keeper tip.
    pub tip_account: Pubkey,
    pub tip: u64,
    /// Equity at maintenance (negative), quote native, rounded down.
    pub maintenance_equity: i64,
    pub mark_to_market: i64,
    /// Maintenance add-on of the whole account, quote native, rounded up.
    pub addon_maintenance: u64,
    /// Earliest expiry among the positions (zero when none): the discount reaches 100 % by then.
    pub earliest_expiry: i64,
    pub start_time: i64,
}

#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct SliceBought {
    pub liquidated: Pubkey,
    pub bidder_account: Pubkey,
    /// Fraction taken, exponent 12.
    pub fraction: u64,
    /// Largest fraction allowed at this bid, exponent 12.
    pub max_fraction: u64,
    /// Discount `d(t)`, exponent 12.
    pub discount: u64,
    pub mark_to_market: i64,
    pub addon_maintenance: u64,
    /// Signed payment: positive from the bidder, negative from the insurance fund.
    pub payment: i64,
    /// Liquidation fee into the insurance fund.
    pub fee: u64,
    /// Quote the liquidated account received.
    pub to_account: u64,
    /// Quote the insurance fund paid the bidder.
    pub from_fund: u64,
    pub end_equity_before: i64,
    pub end_equity_after: i64,
    pub bidder_initial_equity_after: i64,
    pub fund_balance_after: u64,
}

#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct LiquidationEnded {
    pub writer_account: Pubkey,
    pub caller: Pubkey,
    /// Equity at the end level; none for an account without shorts or debt (no price needed).
    pub end_equity: Option<i64>,
    pub slices: u64,
    pub received_from_bidders: u64,
    pub paid_by_fund: u64,
    pub fees_paid: u64,
    pub tip_paid: u64,
}

/// One series' share of a bankruptcy.
#[derive(AnchorSerialize, AnchorDeserialize, Debug, Clone, PartialEq, Eq)]
pub struct UnbackedShort {
    pub series: Pubkey,
    /// The contracts the series now counts as unbacked: the account's short, less in an
    /// American series the part its accruals rounded up beyond what tokens stand against.
    pub contracts: u64,
    /// Quote moved from the account towards this series' unbacked contracts.
    pub cover: u64,
}

/// A bankrupt account's long, forfeited to the insurance fund: its claim leaves the series'
/// custody count, and its payout reaches the fund with the series' dust (docs/liquidation.md).
#[derive(AnchorSerialize, AnchorDeserialize, Debug, Clone, PartialEq, Eq)]
pub struct ForfeitedLong {
    pub series: Pubkey,
    pub contracts: u64,
}

#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct BankruptcyResolved {
    pub writer_account: Pubkey,
    pub caller: Pubkey,
    pub unbacked: Vec<UnbackedShort>,
    pub forfeited: Vec<ForfeitedLong>,
    /// Fund balance at the time (below what the whole account needed from it).
    pub fund_balance: u64,
    /// What a bid for the whole account would have needed from the fund.
    pub fund_needed: u64,
}

// ---- insurance staking (docs/insurance.md) ----

#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct Staked {
    pub insurance_stake: Pubkey,
    pub owner: Pubkey,
    pub amount: u64,
    pub shares: u64,
    pub fund_balance_after: u64,
    pub total_shares_after: u64,
}

/// The insurance fund's shares were rebased before a mint (docs/insurance.md, "Rebase"): every
/// share count divided by `10^digits`, rounded down; stakes catch up when next touched.
#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct InsuranceSharesRebased {
    pub insurance_fund: Pubkey,
    pub digits: u32,
    pub shares_base_after: u32,
    pub total_shares_after: u64,
    pub fund_balance: u64,
}

/// A stake caught up with the fund's rebases (its shares and pending shares rounded down; a
/// request whose shares rounded to nothing is dropped).
#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct StakeRebased {
    pub insurance_stake: Pubkey,
    pub shares_base_after: u32,
    pub shares_after: u64,
    pub pending_shares_after: u64,
}

#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct UnstakeRequested {
    pub insurance_stake: Pubkey,
    pub shares: u64,
    /// Value of the shares at the request: the most the unstake will pay.
    pub value: u64,
    /// Earliest unstake time.
    pub unlocks_at: i64,
    /// Latest unstake time (the request lapses after).
    pub lapses_at: i64,
}

#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct UnstakeCancelled {
    pub insurance_stake: Pubkey,
    pub shares: u64,
}

#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct Unstaked {
    pub insurance_stake: Pubkey,
    pub shares: u64,
    /// Paid: the lower of the value at request and the value now.
    pub amount: u64,
    pub value_at_request: u64,
    pub fund_balance_after: u64,
    pub total_shares_after: u64,
}

#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct Donated {
    pub insurance_fund: Pubkey,
    pub donor: Pubkey,
    pub amount: u64,
    pub fund_balance_after: u64,
}

#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct InsuranceStakeOpened {
    pub insurance_fund: Pubkey,
    pub insurance_stake: Pubkey,
    pub owner: Pubkey,
}

// ---- settlement (docs/settlement.md) ----

#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct SettlementPricePosted {
    pub settlement_price: Pubkey,
    pub underlying: Pubkey,
    pub expiry: i64,
    pub price: i64,
    pub conf: u64,
    pub expo: i32,
    pub publish_time: i64,
    pub prev_publish_time: i64,
    /// Within the settlement confidence bound: this is the settlement price. Otherwise the update
    /// is passed over and the next one is awaited.
    pub is_final: bool,
    /// Updates passed over so far for their confidence, this one included when it is not final.
    pub passed_over: u32,
}

#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct SeriesSettled {
    pub series: Pubkey,
    /// Quote native per whole underlying unit, rounded down (reporting).
    pub settlement_price: u64,
    pub payout_per_contract: u64,
    pub obligation_per_contract: u64,
    pub shorts_to_settle: u64,
    pub unbacked_contracts: u64,
    pub unbacked_cover: u64,
    /// Paid by the insurance fund towards the unbacked contracts.
    pub fund_cover: u64,
    pub fund_balance_after: u64,
}

#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct PositionSettled {
    pub writer_account: Pubkey,
    pub series: Pubkey,
    pub contracts: u64,
    pub owed: u64,
    /// The part of `owed` the account could not pay (its debt to this series).
    pub debt: u64,
    pub quote_balance_after: i64,
    pub shorts_to_settle: u64,
}

/// One series' share of an unpaid debt.
#[derive(AnchorSerialize, AnchorDeserialize, Debug, Clone, PartialEq, Eq)]
pub struct DebtCharge {
    pub series: Pubkey,
    /// Debt marked against the series.
    pub owed: u64,
    /// Charged to the series (its holders' loss).
    pub charged: u64,
}

#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct DebtResolved {
    pub writer_account: Pubkey,
    /// Debt outstanding when resolved (zero when repaid).
    pub debt: u64,
    /// Paid by the insurance fund.
    pub from_fund: u64,
    pub charges: Vec<DebtCharge>,
    pub fund_balance_after: u64,
}

#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct BackstopOpened {
    pub series: Pubkey,
    pub shortfall: u64,
    /// Quote native per share, exponent 12.
    pub start_price: u64,
    pub start_time: i64,
    pub end_time: i64,
}

#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct BackstopBought {
    pub series: Pubkey,
    pub insurance_stake: Pubkey,
    pub amount: u64,
    /// Quote native per share, exponent 12.
    pub price: u64,
    pub shares: u64,
    pub shortfall_after: u64,
    pub total_shares_after: u64,
}

#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct SeriesFinalized {
    pub series: Pubkey,
    pub payout_per_contract: u64,
    pub payout_final: u64,
    pub haircut_bps: u32,
    pub outstanding: u64,
    pub ledger: u64,
    pub shortfall_charged: u64,
    pub backstop_raised: u64,
    pub fund_cover: u64,
}

#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct Redeemed {
    pub series: Pubkey,
    pub holder: Pubkey,
    pub contracts: u64,
    pub amount: u64,
    pub payout_final: u64,
    pub ledger_after: u64,
}

/// Option tokens of an American series exercised before expiry (docs/protocol.md 5b): the
/// holder's tokens burned and the intrinsic value paid out of the quote vault; the writers'
/// shorts shrink and their exercise debt grows pro rata through the series' exercise index.
#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct OptionsExercised {
    pub series: Pubkey,
    pub holder: Pubkey,
    pub contracts: u64,
    /// The price exercised at (Pyth units).
    pub price: i64,
    pub conf: u64,
    pub expo: i32,
    pub publish_time: i64,
    /// Paid to the holder per contract (rounded down).
    pub payout_per_contract: u64,
    /// Charged to the writers per contract through the index (rounded up).
    pub obligation_per_contract: u64,
    /// Paid to the holder in all.
    pub amount: u64,
    /// Writers' short contracts before the exercise (`N`; each short shrinks by `contracts / N`).
    pub writer_shorts_before: u64,
    pub exercise_scale_after: u64,
    pub exercise_payout_index_after: u64,
    /// The underlying's exercise epoch after this exercise.
    pub exercise_epoch: u32,
}

/// An American short's pending exercises accrued into its writer account: the short shrinks
/// to its surviving share (rounded up) and its exercise debt (rounded up) leaves the quote
/// balance.
#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct ExerciseAccrued {
    pub writer_account: Pubkey,
    pub series: Pubkey,
    pub contracts_before: u64,
    pub contracts_after: u64,
    pub debt: u64,
    pub quote_balance_after: i64,
    pub exercise_epoch: u32,
}

#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct SeriesDustSwept {
    pub series: Pubkey,
    pub amount: u64,
    pub fund_balance_after: u64,
}

// ---- governance (docs/governance.md) ----

/// A tightening change applied at once by the admin (or a key rotation).
#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct ChangeApplied {
    pub clearinghouse: Pubkey,
    pub target: Pubkey,
    pub old: crate::state::GovValue,
    pub new: crate::state::GovValue,
}

/// A loosening change queued behind the timelock.
#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct ChangeQueued {
    pub clearinghouse: Pubkey,
    pub param_change: Pubkey,
    pub change_id: u64,
    pub target: Pubkey,
    pub old: crate::state::GovValue,
    pub new: crate::state::GovValue,
    pub queued_at: i64,
    pub eta: i64,
}

/// A queued change executed after its timelock.
#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct ChangeExecuted {
    pub clearinghouse: Pubkey,
    pub param_change: Pubkey,
    pub change_id: u64,
    pub target: Pubkey,
    pub old: crate::state::GovValue,
    pub new: crate::state::GovValue,
    pub by: Pubkey,
}

/// A queued change cancelled by the admin or the guardian.
#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct ChangeCancelled {
    pub clearinghouse: Pubkey,
    pub param_change: Pubkey,
    pub change_id: u64,
    pub target: Pubkey,
    pub old: crate::state::GovValue,
    pub new: crate::state::GovValue,
    pub by: Pubkey,
}

/// An account crossed its warning level, maintenance, or back (`check_margin`): the status
/// stored before and after, and the equities the check found (whole quote native units,
/// rounded down). Warning level = MM + `margin_warning_bps` of the way to IM.
#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct MarginWarning {
    pub writer_account: Pubkey,
    pub owner: Pubkey,
    /// `MarginStatus` as u8: 0 healthy, 1 below the warning level, 2 below maintenance.
    pub status_before: u8,
    pub status_after: u8,
    pub warning_equity: i64,
    pub maintenance_equity: i64,
    pub initial_equity: i64,
}

/// A writer vault listed with its policy, share mint and writer account (docs/vaults.md).
#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct VaultCreated {
    pub clearinghouse: Pubkey,
    pub vault: Pubkey,
    pub index: u32,
    pub underlying: Pubkey,
    pub share_mint: Pubkey,
    pub writer_account: Pubkey,
    pub policy: crate::state::VaultPolicy,
}

/// Quote deposited into a vault for shares at its value at mark.
#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct VaultDeposited {
    pub vault: Pubkey,
    pub depositor: Pubkey,
    pub amount: u64,
    /// Shares minted to the depositor (the locked shares of a first deposit excluded).
    pub shares: u64,
    /// The vault's value at mark before the deposit (quote native, rounded up).
    pub nav_before: i64,
    pub total_shares_after: u64,
}

/// Shares burned into a pending withdrawal, payable from `matures_at`.
#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct VaultWithdrawRequested {
    pub vault: Pubkey,
    pub withdrawal: Pubkey,
    pub owner: Pubkey,
    pub shares: u64,
    pub matures_at: i64,
}

/// A pending withdrawal cancelled: its shares minted back.
#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct VaultWithdrawCancelled {
    pub vault: Pubkey,
    pub owner: Pubkey,
    pub shares: u64,
}

/// A matured withdrawal paid at the vault's value per share at the payment.
#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct VaultWithdrawn {
    pub vault: Pubkey,
    pub owner: Pubkey,
    pub shares: u64,
    pub amount: u64,
    /// The vault's value at mark before the payment (quote native, rounded down).
    pub nav_before: i64,
    pub total_shares_after: u64,
}

/// A buyer bought options the vault wrote, at mark plus the spread.
#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct VaultSold {
    pub vault: Pubkey,
    pub series: Pubkey,
    pub buyer: Pubkey,
    pub recipient: Pubkey,
    pub contracts: u64,
    /// What the buyer paid (quote native, rounded up).
    pub price: u64,
    /// The surface's mark of the contracts (quote native, rounded up).
    pub mark: u64,
    /// Writing fee the vault's account paid.
    pub fee: u64,
    pub short_after: u64,
    /// IM requirement over IM collateral value afterwards (bps, rounded up).
    pub utilisation_bps: u64,
}

/// A holder sold options back to the vault at mark minus the spread; they closed its short.
#[cfg_attr(feature = "anchor", event)]
#[derive(Debug, Clone)]
pub struct VaultBoughtBack {
    pub vault: Pubkey,
    pub series: Pubkey,
    pub holder: Pubkey,
    pub contracts: u64,
    /// What the holder received (quote native, rounded down).
    pub price: u64,
    pub short_after: u64,
}

/// Calls `$m!(Event, Event, ...)` with every event above, in declaration order: the one list the
/// SDK's decoder (`greekhouse_sdk::events`) is generated from. A test there checks it against
/// this file's `#[event]` structs and the IDL, so an event added here without its name below
/// fails it.
#[macro_export]
macro_rules! for_each_event {
    ($m:ident) => {
        $m!(
            ClearinghouseInitialized,
            AdminProposed,
            AdminAccepted,
            PauseFlagsChanged,
            UnderlyingListed,
            VolSurfaceSet,
            CollateralListed,
            OraclePriceAccepted,
            WriterAccountOpened,
            WriterAccountClosed,
            Deposited,
            Withdrawn,
            SeriesCreated,
            OptionsWritten,
            OptionsDeposited,
            OptionsWithdrawn,
            LongSettled,
            OptionsBurned,
            FeesSwept,
            LiquidationStarted,
            SliceBought,
            LiquidationEnded,
            BankruptcyResolved,
            Staked,
            InsuranceSharesRebased,
            StakeRebased,
            UnstakeRequested,
            UnstakeCancelled,
            Unstaked,
            Donated,
            InsuranceStakeOpened,
            SettlementPricePosted,
            SeriesSettled,
            PositionSettled,
            DebtResolved,
            BackstopOpened,
            BackstopBought,
            SeriesFinalized,
            Redeemed,
            OptionsExercised,
            ExerciseAccrued,
            SeriesDustSwept,
            ChangeApplied,
            ChangeQueued,
            ChangeExecuted,
            ChangeCancelled,
            MarginWarning,
            VaultCreated,
            VaultDeposited,
            VaultWithdrawRequested,
            VaultWithdrawCancelled,
            VaultWithdrawn,
            VaultSold,
            VaultBoughtBack,
        );
    };
}
