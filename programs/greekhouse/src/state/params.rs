//! Global parameters of the clearing house, stored in integer units with named precisions,
//! and their hard bounds.

use crate::prelude::*;

use crate::constants::bounds;
use crate::errors::GreekhouseError;

/// Actions the guardian can pause. Only risk-increasing actions have a flag: deposits, burns,
/// repayments and liquidations have none, so nothing can pause them.
pub mod pause {
    /// `write_options`.
    pub const WRITE: u32 = 1 << 0;
    /// `withdraw`.
    pub const WITHDRAW: u32 = 1 << 1;
    /// `create_series`.
    pub const CREATE_SERIES: u32 = 1 << 2;
    /// `buy_backstop` (buying new insurance shares adds capital, but at a price the guardian may
    /// judge wrong during an incident, as for writing).
    pub const BACKSTOP: u32 = 1 << 3;
    /// `exercise` of American series (an exercise advances quote out of the quote vault against
    /// the writers' exercise debt at an oracle price: not risk-reducing for the clearing house,
    /// so the guardian may stop it during an incident, as writing).
    pub const EXERCISE: u32 = 1 << 4;
    /// Every flag that may be set.
    pub const PAUSABLE: u32 = WRITE | WITHDRAW | CREATE_SERIES | BACKSTOP | EXERCISE;
}

/// Clearing-house-wide parameters. Amounts in bps are at exponent 4 (10_000 = 1).
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    bytemuck::Pod,
    bytemuck::Zeroable,
    AnchorSerialize,
    AnchorDeserialize,
)]
#[repr(C)]
pub struct GlobalParams {
    /// k in `collateral price - k * conf` (bps).
    pub conf_multiplier_bps: u32,
    /// End level = MM + buffer * (IM - MM) (bps).
    pub end_buffer_bps: u32,
    /// Floor on time to expiry in pricing, so near-expiry Greeks stay bounded (seconds).
    pub min_time_to_expiry_secs: u32,
    /// Writing fee as a share of the premium, paid into the insurance fund (bps).
    pub write_fee_bps: u32,
    /// Governance timelock applied to loosening changes (seconds).
    pub timelock_secs: u32,
    /// Warning level of an account's margin = MM + this share of (IM - MM) (bps): crossing it
    /// emits `MarginWarning` (`check_margin`), so writers are told before a liquidation.
    /// Zero warns only at MM. Informational: no requirement depends on it.
    pub margin_warning_bps: u32,
    /// Dutch auction of liquidated accounts (docs/liquidation.md).
    pub liquidation: LiquidationParams,
    /// Insurance-fund staking (docs/insurance.md).
    pub insurance: InsuranceParams,
    /// Settlement, debt and backstop (docs/settlement.md).
    pub settlement: SettlementParams,
}

/// Parameters of settlement, debt resolution and the backstop auction.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    bytemuck::Pod,
    bytemuck::Zeroable,
    AnchorSerialize,
    AnchorDeserialize,
)]
#[repr(C)]
pub struct SettlementParams {
    /// Largest confidence of a settlement price, `conf / price` (bps). The settlement price is
    /// the feed's update with `prev_publish_time < expiry <= publish_time`; when its confidence
    /// is wider, the next updates are walked one by one until one is within it
    /// (docs/settlement.md §1).
    pub max_conf_bps: u32,
    /// Unused (formerly the dispute period); zero.
    pub _reserved: u32,
    /// How long a writer may take to repay a settlement debt before its collateral is sold (seconds).
    pub debt_grace_secs: u32,
    /// Length of a series' backstop auction of new insurance shares (seconds).
    pub backstop_window_secs: u32,
    /// The backstop's share price falls to this share of its starting price (bps).
    pub backstop_min_price_bps: u32,
    /// American series: `exercise` closes this long before expiry (seconds), so an exercise
    /// never races the settlement price (docs/protocol.md section 5b).
    pub exercise_cutoff_secs: u32,
}

/// Parameters of the liquidation auction, keeper tip and liquidation fee.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    bytemuck::Pod,
    bytemuck::Zeroable,
    AnchorSerialize,
    AnchorDeserialize,
)]
#[repr(C)]
pub struct LiquidationParams {
    /// Discount `d` at the auction's start (bps).
    pub start_discount_bps: u32,
    /// Discount at the end of the fast phase (bps).
    pub fast_discount_bps: u32,
    /// Length of the fast phase (seconds).
    pub fast_secs: u32,
    /// Length of the slow phase, from the fast discount to 100 % (seconds).
    pub slow_secs: u32,
    /// Liquidation fee on each slice, as a share of the slice's maintenance add-on, paid out of
    /// the bidder's payment into the insurance fund (bps).
    pub fee_bps: u32,
    /// Keeper tip for starting a liquidation, as a share of the maintenance add-on (bps).
    pub tip_bps: u32,
    /// Largest keeper tip (whole quote units).
    pub tip_max_quote: u32,
    /// Smallest maintenance add-on for which a tip is paid (whole quote units): dust accounts
    /// pay no tip, so nobody profits from splitting an account to farm tips.
    pub tip_dust_min_quote: u32,
    /// `k` in the bid payment: what the insurance fund adds beyond the account's deficit is at
    /// most `k` times the slice's maintenance add-on (bps; docs/liquidation.md).
    pub fund_premium_bps: u32,
    pub _padding: u32,
}

/// Parameters of insurance-fund staking.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    bytemuck::Pod,
    bytemuck::Zeroable,
    AnchorSerialize,
    AnchorDeserialize,
)]
#[repr(C)]
pub struct InsuranceParams {
    /// Time between `request_unstake` and the earliest `unstake` (seconds).
    pub cooldown_secs: u32,
    /// How long after the cooldown a request may be executed before it lapses (seconds).
    pub unstake_window_secs: u32,
}

impl LiquidationParams {
    /// Defaults of docs/liquidation.md: 0 % to 20 % over 10 minutes, then to 100 % over
    /// 6 hours; a fee of 5 % of the add-on; a tip of 0.1 % of the add-on, at most 50 quote,
    /// from an add-on of 100 quote.
    pub const DEFAULT: LiquidationParams = LiquidationParams {
        start_discount_bps: 0,
        fast_discount_bps: 2_000,
        fast_secs: 600,
        slow_secs: 21_600,
        fee_bps: 500,
        tip_bps: 10,
        tip_max_quote: 50,
        tip_dust_min_quote: 100,
        fund_premium_bps: 500,
        _padding: 0,
    };

    pub fn validate(&self) -> Result<()> {
        in_bounds(self.start_discount_bps, bounds::START_DISCOUNT_BPS)?;
        in_bounds(self.fast_discount_bps, bounds::FAST_DISCOUNT_BPS)?;
        require!(
            self.start_discount_bps <= self.fast_discount_bps,
            GreekhouseError::ParameterOutOfBounds
        );
        in_bounds(self.fast_secs, bounds::AUCTION_FAST_SECS)?;
        in_bounds(self.slow_secs, bounds::AUCTION_SLOW_SECS)?;
        in_bounds(self.fee_bps, bounds::LIQUIDATION_FEE_BPS)?;
        in_bounds(self.tip_bps, bounds::KEEPER_TIP_BPS)?;
        in_bounds(self.tip_max_quote, bounds::KEEPER_TIP_MAX_QUOTE)?;
        in_bounds(self.tip_dust_min_quote, bounds::KEEPER_TIP_DUST_MIN_QUOTE)?;
        in_bounds(self.fund_premium_bps, bounds::FUND_PREMIUM_BPS)?;
        Ok(())
    }

    /// The risk engine's auction curve.
    pub fn auction(&self) -> greekhouse_risk::AuctionParams {
        use greekhouse_risk::Fixed;
        greekhouse_risk::AuctionParams {
            start_discount: Fixed::from_bps(self.start_discount_bps as i64),
            fast_discount: Fixed::from_bps(self.fast_discount_bps as i64),
            fast_duration_secs: self.fast_secs as i64,
            slow_duration_secs: self.slow_secs as i64,
        }
    }
}

impl SettlementParams {
    /// Defaults of docs/settlement.md: a settlement confidence of at most 0.5 %, an hour of
    /// grace for debts, a 24-hour backstop falling to 10 % of its starting price; American
    /// exercise closing an hour before expiry.
    pub const DEFAULT: SettlementParams = SettlementParams {
        max_conf_bps: 50,
        _reserved: 0,
        debt_grace_secs: 3_600,
        backstop_window_secs: 86_400,
        backstop_min_price_bps: 1_000,
        exercise_cutoff_secs: 3_600,
    };

    pub fn validate(&self) -> Result<()> {
        in_bounds(self.max_conf_bps, bounds::SETTLEMENT_MAX_CONF_BPS)?;
        in_bounds(self.debt_grace_secs, bounds::DEBT_GRACE_SECS)?;
        in_bounds(self.backstop_window_secs, bounds::BACKSTOP_WINDOW_SECS)?;
        in_bounds(self.backstop_min_price_bps, bounds::BACKSTOP_MIN_PRICE_BPS)?;
        in_bounds(self.exercise_cutoff_secs, bounds::EXERCISE_CUTOFF_SECS)?;
        Ok(())
    }
}

impl InsuranceParams {
    /// Defaults of docs/insurance.md: a 7-day cooldown, then 48 hours to unstake.
    pub const DEFAULT: InsuranceParams = InsuranceParams {
        cooldown_secs: 604_800,
        unstake_window_secs: 172_800,
    };

    pub fn validate(&self) -> Result<()> {
        in_bounds(self.cooldown_secs, bounds::UNSTAKE_COOLDOWN_SECS)?;
        in_bounds(self.unstake_window_secs, bounds::UNSTAKE_WINDOW_SECS)?;
        Ok(())
    }
}

impl GlobalParams {
    /// Defaults of docs/protocol.md, each inside its bounds.
    pub const DEFAULT: GlobalParams = GlobalParams {
        conf_multiplier_bps: 10_000, // 1 conf below the price
        end_buffer_bps: 5_000,       // halfway between MM and IM
        min_time_to_expiry_secs: 300,
        write_fee_bps: 30,         // 0.3 % of premium
        timelock_secs: 172_800,    // 48 h
        margin_warning_bps: 5_000, // halfway between MM and IM, as the end level
        liquidation: LiquidationParams::DEFAULT,
        insurance: InsuranceParams::DEFAULT,
        settlement: SettlementParams::DEFAULT,
    };

    /// Reject any value outside the hard bounds.
    pub fn validate(&self) -> Result<()> {
        in_bounds(self.conf_multiplier_bps, bounds::CONF_MULTIPLIER_BPS)?;
        in_bounds(self.end_buffer_bps, bounds::END_BUFFER_BPS)?;
        in_bounds(
            self.min_time_to_expiry_secs,
            bounds::MIN_TIME_TO_EXPIRY_SECS,
        )?;
        in_bounds(self.write_fee_bps, bounds::WRITE_FEE_BPS)?;
        in_bounds(self.timelock_secs, bounds::TIMELOCK_SECS)?;
        in_bounds(self.margin_warning_bps, bounds::MARGIN_WARNING_BPS)?;
        self.liquidation.validate()?;
        self.insurance.validate()?;
        self.settlement.validate()?;
        Ok(())
    }
}

/// `Ok` when `lo <= value <= hi`, else `ParameterOutOfBounds`.
pub fn in_bounds<T: PartialOrd>(value: T, (lo, hi): (T, T)) -> Result<()> {
    require!(
        value >= lo && value <= hi,
        GreekhouseError::ParameterOutOfBounds
    );
    Ok(())
}
