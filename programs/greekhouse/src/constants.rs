//! Seeds, precisions, capacities and the hard bounds of every governance parameter.
//!
//! Precisions are decimal exponents: a value `v` stored "in bps" means `v * 10^-4`.

/// PDA seed of the [`crate::state::Clearinghouse`].
pub const CLEARINGHOUSE_SEED: &[u8] = b"clearinghouse";
/// PDA seed of the clearing house's quote vault (token account owned by the clearing house).
pub const QUOTE_VAULT_SEED: &[u8] = b"quote_vault";
/// PDA seed of an [`crate::state::Underlying`].
pub const UNDERLYING_SEED: &[u8] = b"underlying";
/// PDA seed of an [`crate::state::UnderlyingLedger`].
pub const UNDERLYING_LEDGER_SEED: &[u8] = b"underlying_ledger";
/// PDA seed of the [`crate::state::InsuranceFund`].
pub const INSURANCE_FUND_SEED: &[u8] = b"insurance_fund";
/// PDA seed of the insurance fund's quote vault.
pub const INSURANCE_VAULT_SEED: &[u8] = b"insurance_vault";
/// PDA seed of a [`crate::state::CollateralAsset`].
pub const COLLATERAL_SEED: &[u8] = b"collateral";
/// PDA seed of a collateral asset's vault.
pub const COLLATERAL_VAULT_SEED: &[u8] = b"collateral_vault";
/// PDA seed of a [`crate::state::WriterAccount`].
pub const WRITER_SEED: &[u8] = b"writer";
/// PDA seed of an [`crate::state::InsuranceStake`].
pub const INSURANCE_STAKE_SEED: &[u8] = b"insurance_stake";
/// PDA seed of a [`crate::state::SettlementPrice`].
pub const SETTLEMENT_PRICE_SEED: &[u8] = b"settlement_price";
/// PDA seed of an [`crate::state::OptionSeries`].
pub const SERIES_SEED: &[u8] = b"series";
/// PDA seed of a series' option mint.
pub const OPTION_MINT_SEED: &[u8] = b"option_mint";

/// PDA seed of a [`crate::state::ParamChange`].
pub const PARAM_CHANGE_SEED: &[u8] = b"param_change";

/// Layout version written into every account's `version` byte.
pub const ACCOUNT_VERSION: u8 = 1;

/// Short positions one writer account holds. Chosen so a full margin check fits one
/// transaction's compute budget (see docs/accounts.md and docs/performance.md).
pub const MAX_POSITIONS: usize = 16;
/// Series a writer account's settlement debt can be attributed to at once (docs/settlement.md):
/// one per position slot. An account with an open marker can neither write nor bid, so it gains
/// no position, and each settled position opens at most one marker: positions plus markers never
/// exceed [`MAX_POSITIONS`], and settling can never run out of markers.
pub const MAX_DEBT_MARKERS: usize = MAX_POSITIONS;
/// Collateral worth at most this many whole quote units at the oracle price is dust: a write-off
/// (`resolve_bankruptcy`, `resolve_debt`) proceeds past it, so neither a floored slice remainder
/// nor a dust deposit can block one (docs/liquidation.md). The dust stays the owner's.
pub const WRITE_OFF_DUST_QUOTE: i64 = 1;
/// Collateral balances (other than the quote balance) one writer account holds.
pub const MAX_COLLATERALS: usize = 4;

/// Basis points: 10^4 bps = 1 (exponent 4).
pub const BPS_EXP: u32 = 4;
/// `10^BPS_EXP`.
pub const BPS_ONE: u64 = 10_000;
/// Contract sizes are in underlying units at exponent 6: 1_000_000 = one whole unit.
pub const CONTRACT_SIZE_EXP: u32 = 6;
/// `10^CONTRACT_SIZE_EXP`.
pub const CONTRACT_SIZE_ONE: u64 = 1_000_000;

/// Largest accepted oracle exponent magnitude (Pyth uses -5..-10 in practice).
pub const MAX_ORACLE_EXPONENT: i32 = 18;
/// How far a publish time may run ahead of the cluster clock (seconds). Pyth's publishers and the
/// cluster clock drift by a few seconds; a price dated further ahead is refused, because once
/// accepted it would make every correctly dated later price look like a rollback.
pub const MAX_ORACLE_CLOCK_SKEW_SECS: i64 = 60;
/// Largest decimals gap between the quote mint and a collateral mint the pricing supports.
pub const MAX_DECIMALS_GAP: u8 = 12;

/// Hard bounds of governance parameters. Each parameter is checked against these at
/// initialisation and on every change; nothing outside them can ever be configured.
pub mod bounds {
    /// Oracle `max_age`: 5 s to 5 min.
    pub const MAX_AGE_SECS: (u32, u32) = (5, 300);
    /// Oracle `liq_max_age`: 5 s to 1 h (liquidations may use older prices than writes).
    pub const LIQ_MAX_AGE_SECS: (u32, u32) = (5, 3_600);
    /// Oracle `max_conf` (conf / price): 0.1 % to 10 %.
    pub const MAX_CONF_BPS: (u32, u32) = (10, 1_000);
    /// Collateral weights: 0 to 100 %, init <= maint.
    pub const WEIGHT_BPS: (u16, u16) = (0, 10_000);
    /// Conf multiplier k of collateral pricing (`price - k * conf`): 0 to 5.
    pub const CONF_MULTIPLIER_BPS: (u32, u32) = (0, 50_000);
    /// End-level buffer between MM and IM: 0 to 100 %.
    pub const END_BUFFER_BPS: (u32, u32) = (0, 10_000);
    /// Margin warning level between MM (0) and IM (10,000).
    pub const MARGIN_WARNING_BPS: (u32, u32) = (0, 10_000);
    /// Spot shocks of a margin level: 1 % to 90 %.
    pub const SPOT_SHOCK_BPS: (u32, u32) = (100, 9_000);
    /// Relative vol shock of a margin level at the reference tenor: 0 to +200 %.
    pub const VOL_SHOCK_BPS: (u32, u32) = (0, 20_000);
    /// Reference tenor of the vol shock's term factor: 1 hour to 365 days.
    pub const VOL_REF_SECS: (u32, u32) = (3_600, 31_536_000);
    /// Power of the term factor `(T_ref / T)^p`: 0 to 1.
    pub const VOL_POWER_BPS: (u32, u32) = (0, 10_000);
    /// Cap of the term factor: 1 to 10.
    pub const VOL_TERM_CAP_BPS: (u32, u32) = (10_000, 100_000);
    /// Per-contract floor: 0 to 100 % of spot.
    pub const FLOOR_BPS: (u32, u32) = (0, 10_000);
    /// Stale-surface penalty: relative vol increase per hour of staleness, 0 to 100 %.
    pub const STALE_VOL_PER_HOUR_BPS: (u32, u32) = (0, 10_000);
    /// Cap of the stale-surface penalty: 0 to 100 %.
    pub const STALE_VOL_CAP_BPS: (u32, u32) = (0, 10_000);
    /// Rate: 0 to +50 % (the risk engine prices with non-negative rates only).
    pub const RATE_BPS: (i32, i32) = (0, 5_000);
    /// Predictive shock: multiple of realized vol, 0 (off) to 10.
    pub const REALIZED_MULTIPLE_BPS: (u32, u32) = (0, 100_000);
    /// Predictive shock: horizon the realized vol is scaled to, 1 min to 7 days.
    pub const REALIZED_HORIZON_SECS: (u32, u32) = (60, 604_800);
    /// Predictive shock: its largest value, 1 % to 99 %.
    pub const REALIZED_MAX_SHOCK_BPS: (u32, u32) = (100, 9_900);
    /// Realized-vol estimate: half-life, 15 min to 30 days.
    pub const REALIZED_HALF_LIFE_SECS: (u32, u32) = (900, 2_592_000);
    /// Realized-vol estimate: least time between samples, 1 s to 1 h.
    pub const REALIZED_SAMPLE_SECS: (u32, u32) = (1, 3_600);
    /// Realized-vol estimate: cap of one sample's absolute log return, 1 % to 100 %.
    pub const REALIZED_MAX_RETURN_BPS: (u32, u32) = (100, 10_000);
    /// Vol-surface max age: 1 min to 7 days.
    pub const SURFACE_MAX_AGE_SECS: (u32, u32) = (60, 604_800);
    /// Largest relative change of one surface update: 1 % to 100 %.
    pub const SURFACE_MAX_CHANGE_BPS: (u32, u32) = (100, 10_000);
    /// Writing fee: 0 to 5 % of premium.
    pub const WRITE_FEE_BPS: (u32, u32) = (0, 500);
    /// Time-to-expiry floor used in pricing: 1 min to 1 h.
    pub const MIN_TIME_TO_EXPIRY_SECS: (u32, u32) = (60, 3_600);
    /// Governance timelock on loosening: 1 h to 30 days.
    pub const TIMELOCK_SECS: (u32, u32) = (3_600, 2_592_000);
    /// Auction discount at the start: 0 to 20 %.
    pub const START_DISCOUNT_BPS: (u32, u32) = (0, 2_000);
    /// Auction discount at the end of the fast phase: 0 to 50 % (and at least the start).
    pub const FAST_DISCOUNT_BPS: (u32, u32) = (0, 5_000);
    /// Fast phase: 1 min to 1 day.
    pub const AUCTION_FAST_SECS: (u32, u32) = (60, 86_400);
    /// Slow phase: 10 min to 7 days.
    pub const AUCTION_SLOW_SECS: (u32, u32) = (600, 604_800);
    /// Liquidation fee: 0 to 25 % of the slice's maintenance add-on.
    pub const LIQUIDATION_FEE_BPS: (u32, u32) = (0, 2_500);
    /// Keeper tip: 0 to 1 % of the maintenance add-on.
    pub const KEEPER_TIP_BPS: (u32, u32) = (0, 100);
    /// Largest keeper tip: 0 to 1,000 whole quote units.
    pub const KEEPER_TIP_MAX_QUOTE: (u32, u32) = (0, 1_000);
    /// Add-on below which no tip is paid: 1 to 1,000,000 whole quote units.
    pub const KEEPER_TIP_DUST_MIN_QUOTE: (u32, u32) = (1, 1_000_000);
    /// `k`: what the fund adds beyond a liquidated account's deficit, per unit of add-on.
    pub const FUND_PREMIUM_BPS: (u32, u32) = (0, 2_000);
    /// Unstake cooldown: 1 to 30 days.
    pub const UNSTAKE_COOLDOWN_SECS: (u32, u32) = (86_400, 2_592_000);
    /// Settlement price confidence (conf / price): 0.1 % to 2 % (never looser than the
    /// oracle's default `max_conf`).
    pub const SETTLEMENT_MAX_CONF_BPS: (u32, u32) = (10, 200);
    /// Grace before a settlement debt's collateral is sold: 0 to 7 days.
    pub const DEBT_GRACE_SECS: (u32, u32) = (0, 604_800);
    /// Backstop auction window: 1 hour to 7 days.
    pub const BACKSTOP_WINDOW_SECS: (u32, u32) = (3_600, 604_800);
    /// Backstop floor price as a share of the start price: 1 % to 100 %.
    pub const BACKSTOP_MIN_PRICE_BPS: (u32, u32) = (100, 10_000);
    /// American exercise cut-off before expiry (seconds): zero (up to expiry) to a week.
    pub const EXERCISE_CUTOFF_SECS: (u32, u32) = (0, 604_800);
    /// Unstake window after the cooldown: 1 hour to 14 days.
    pub const UNSTAKE_WINDOW_SECS: (u32, u32) = (3_600, 1_209_600);
    /// Anchor window of vol-surface updates: 10 min to 1 day.
    pub const SURFACE_ANCHOR_INTERVAL_SECS: (u32, u32) = (600, 86_400);
    /// One writer account's open-interest cap, as a share of the underlying's cap: 1 % to 100 %.
    pub const WRITER_OPEN_INTEREST_SHARE_BPS: (u32, u32) = (100, 10_000);
    /// IM's tail shocks (down and up): 0 to 95 % of spot (the risk engine's `MAX_TAIL_SHOCK`).
    pub const TAIL_SHOCK_BPS: (u32, u32) = (0, 9_500);
    /// IM's tail weight: 0 (no tail) to 100 % (the risk engine's `MAX_TAIL_WEIGHT`).
    pub const TAIL_WEIGHT_BPS: (u32, u32) = (0, 10_000);
    /// IM's size charge `k`: 0 (none) to 10 (the risk engine's `MAX_SIZE_CHARGE`).
    pub const SIZE_CHARGE_BPS: (u32, u32) = (0, 100_000);
}

/// Governance defaults and limits that are not themselves governed (docs/governance.md).
pub mod governance {
    /// Tightenings of one account's risk parameters are at least this far apart (seconds), so a
    /// compromised admin cannot walk margins up step after step in one transaction.
    pub const TIGHTEN_INTERVAL_SECS: i64 = 3_600;
    /// Default anchor window of vol-surface updates at listing (seconds).
    pub const DEFAULT_SURFACE_ANCHOR_INTERVAL_SECS: u32 = 3_600;
    /// Default share of the underlying's open-interest cap one writer may hold at listing (bps):
    /// a quarter, so no single account holds more of a market at its cap than one auction can
    /// be expected to absorb (issue 21, concentration).
    pub const DEFAULT_WRITER_OPEN_INTEREST_SHARE_BPS: u32 = 2_500;
    /// Largest move of a weight in one change (bps; `i128`, the unit of step limits).
    pub const WEIGHT_STEP_BPS: i128 = 2_000;
}

/// PDA seed of a writer [`crate::state::Vault`] (clearinghouse, index u32 LE).
pub const VAULT_SEED: &[u8] = b"vault";
/// PDA seed of a vault's share mint (vault).
pub const VAULT_SHARE_MINT_SEED: &[u8] = b"vault_share_mint";
/// PDA seed of an LP's pending [`crate::state::VaultWithdrawal`] (vault, owner).
pub const VAULT_WITHDRAWAL_SEED: &[u8] = b"vault_withdrawal";
/// Index of the vault's own writer account among the vault PDA's accounts.
pub const VAULT_WRITER_INDEX: u32 = 0;

/// Writer vaults (docs/vaults.md): the first-depositor inflation guard and the policy's bounds.
pub mod vault {
    /// Shares (native units; the share mint has the quote's decimals) minted by the first
    /// deposit into an empty vault and kept by nobody: they stay in the share total for ever, so
    /// raising the value per share enough to round a later deposit to nothing costs this many
    /// times the deposit. The first deposit must exceed it.
    pub const LOCKED_SHARES: u64 = 1_000_000;
    /// Spread over (buys) and under (sell-backs) the surface's mark: 0 to 50 %.
    pub const SPREAD_BPS: (u16, u16) = (0, 5_000);
    /// Largest utilisation (IM requirement / IM collateral value): 1 % to 100 %.
    pub const MAX_UTILISATION_BPS: (u16, u16) = (100, 10_000);
    /// Withdrawal cooldown: 0 to 30 days.
    pub const COOLDOWN_SECS: (u32, u32) = (0, 2_592_000);
    /// Strike band as moneyness `K / S` in bps: 1 % to 1,000 %.
    pub const STRIKE_BAND_BPS: (u32, u32) = (100, 100_000);
}
