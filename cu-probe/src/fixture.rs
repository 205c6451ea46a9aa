//! The measured inputs, as `const` data so the sBPF probe keeps them in .rodata.
//!
//! The one fixture of every risk-engine measurement: the single option and the 16-position
//! account (8 positions on SOL, 8 on BTC, 3 collateral assets, SOL and wBTC linked to their
//! underlyings), plus the inputs of the liquidation and insurance-fund arithmetic. The host-side runner and the
//! criterion bench (`programs/greekhouse-risk/benches/risk.rs`) include this file by path.
//!
//! Units are the on-chain ones: quote = USDC in native micro-units, so SOL spot 150 USDC is
//! 150_000_000 quote native units per whole SOL.

use greekhouse_risk::{
    AccountRisk, BidInputs, BsInput, CollateralRisk, Fixed, FundShares, LevelParams, MarginConfig,
    MarginParams, OptionKind, PositionRisk, TenorPoint, TipLimits, UnderlyingRisk, VolSurface,
};

/// `v * 10^-decimals` as a [`Fixed`] (scale 10^12), usable in `const` context.
pub const fn fx(v: i128, decimals: u32) -> Fixed {
    Fixed::from_raw(v * 10i128.pow(12 - decimals))
}

/// `days / 365` years.
pub const fn years(days: i128) -> Fixed {
    Fixed::from_raw(days * 1_000_000_000_000 / 365)
}

const DAY: u32 = 86_400;

/// Quote native units per whole SOL / BTC.
pub const SOL_SPOT: Fixed = fx(150_000_000, 0);
pub const BTC_SPOT: Fixed = fx(95_000_000_000, 0);

/// The single option of case (a): 30-day SOL call, strike 160, vol 70 %, r 5 %.
pub const OPTION: BsInput = BsInput {
    kind: OptionKind::Call,
    spot: SOL_SPOT,
    strike: fx(160_000_000, 0),
    vol: fx(70, 2),
    time_years: years(30),
    rate: fx(5, 2),
};

const fn surface(
    t: [(u32, i128); 4],
    n: u8,
    skew: Fixed,
    smile: Fixed,
    min_vol: Fixed,
) -> VolSurface {
    VolSurface {
        tenors: [
            TenorPoint {
                seconds: t[0].0,
                atm_vol: fx(t[0].1, 2),
            },
            TenorPoint {
                seconds: t[1].0,
                atm_vol: fx(t[1].1, 2),
            },
            TenorPoint {
                seconds: t[2].0,
                atm_vol: fx(t[2].1, 2),
            },
            TenorPoint {
                seconds: t[3].0,
                atm_vol: fx(t[3].1, 2),
            },
        ],
        tenor_count: n,
        skew,
        smile,
        min_vol,
    }
}

pub const PARAMS: MarginParams = MarginParams {
    initial: LevelParams {
        spot_shock: fx(20, 2),
        vol_shock: fx(40, 2),
        floor_pct: fx(10, 3),
        realized_multiple: fx(4, 0),
        realized_horizon_secs: 4 * 3_600,
        max_spot_shock: fx(50, 2),
    },
    maintenance: LevelParams {
        spot_shock: fx(15, 2),
        vol_shock: fx(30, 2),
        floor_pct: fx(75, 4),
        realized_multiple: fx(59, 1),
        realized_horizon_secs: 3_600,
        max_spot_shock: fx(35, 2),
    },
    vol_ref_secs: 30 * DAY,
    vol_power: fx(5, 1),
    vol_term_cap: fx(4, 0),
    stale_vol_per_hour: fx(5, 2),
    stale_vol_cap: fx(5, 1),
    // IM's tail at the engine's defaults (-33 % / +33 %, weight 0.5)
    tail_down: MarginParams::DEFAULT.tail_down,
    tail_up: MarginParams::DEFAULT.tail_up,
    tail_weight: MarginParams::DEFAULT.tail_weight,
    // a size charge that is on and binds nothing here (the program's default: a tenth of a
    // large open-interest cap), so its short-unit sum is measured
    size_capacity: Fixed::from_raw(1_000_000 * 1_000_000_000_000),
    size_charge: MarginParams::DEFAULT.size_charge,
};

pub static UNDERLYINGS: [UnderlyingRisk; 2] = [
    UnderlyingRisk {
        spot: SOL_SPOT,
        conf: fx(50_000, 0),
        surface: surface(
            [(7 * DAY, 75), (30 * DAY, 70), (90 * DAY, 65), (0, 0)],
            3,
            fx(-10, 2),
            fx(50, 2),
            fx(20, 2),
        ),
        surface_stale_secs: 0,
        realized_vol: Fixed::ZERO,
        rate: fx(5, 2),
        params: PARAMS,
    },
    UnderlyingRisk {
        spot: BTC_SPOT,
        conf: fx(20_000_000, 0),
        surface: surface(
            [
                (7 * DAY, 55),
                (30 * DAY, 52),
                (90 * DAY, 50),
                (180 * DAY, 50),
            ],
            4,
            fx(-5, 2),
            fx(30, 2),
            fx(15, 2),
        ),
        surface_stale_secs: 0,
        realized_vol: Fixed::ZERO,
        rate: fx(5, 2),
        params: PARAMS,
    },
];

const fn pos(
    u: u8,
    kind: OptionKind,
    strike: i128,
    days: i128,
    contracts: u64,
    size: Fixed,
) -> PositionRisk {
    PositionRisk {
        underlying: u,
        kind,
        strike: fx(strike, 0),
        time_years: years(days),
        contracts,
        contract_size: size,
        side: greekhouse_risk::Side::Short,
        american: false,
    }
}

const C: OptionKind = OptionKind::Call;
const P: OptionKind = OptionKind::Put;
const SOL_SIZE: Fixed = fx(1, 0); // 1 SOL per contract
const BTC_SIZE: Fixed = fx(1, 2); // 0.01 BTC per contract

/// 16 short positions: strikes from 75 % to 125 % of spot, 3 to 120 days, calls and puts.
pub static POSITIONS: [PositionRisk; 16] = [
    pos(0, C, 150_000_000, 7, 20, SOL_SIZE),
    pos(0, P, 150_000_000, 7, 20, SOL_SIZE),
    pos(0, C, 165_000_000, 30, 50, SOL_SIZE),
    pos(0, P, 135_000_000, 30, 50, SOL_SIZE),
    pos(0, C, 187_500_000, 90, 10, SOL_SIZE),
    pos(0, P, 112_500_000, 90, 10, SOL_SIZE),
    pos(0, C, 155_000_000, 3, 40, SOL_SIZE),
    pos(0, P, 140_000_000, 120, 5, SOL_SIZE),
    pos(1, C, 95_000_000_000, 7, 30, BTC_SIZE),
    pos(1, P, 95_000_000_000, 7, 30, BTC_SIZE),
    pos(1, C, 105_000_000_000, 30, 20, BTC_SIZE),
    pos(1, P, 85_000_000_000, 30, 20, BTC_SIZE),
    pos(1, C, 118_750_000_000, 120, 8, BTC_SIZE),
    pos(1, P, 71_250_000_000, 120, 8, BTC_SIZE),
    pos(1, C, 100_000_000_000, 14, 12, BTC_SIZE),
    pos(1, P, 90_000_000_000, 60, 12, BTC_SIZE),
];

const fn long(p: PositionRisk) -> PositionRisk {
    PositionRisk {
        side: greekhouse_risk::Side::Long,
        ..p
    }
}

/// 8 vertical spreads (16 legs, half of them longs): on SOL and BTC, puts below and calls
/// above spot, at 7 and 30 days. Margin v3's grid, per-leg vols and payoff cap.
pub static POSITIONS_SPREADS: [PositionRisk; 16] = [
    pos(0, P, 140_000_000, 7, 20, SOL_SIZE),
    long(pos(0, P, 130_000_000, 7, 20, SOL_SIZE)),
    pos(0, C, 160_000_000, 7, 20, SOL_SIZE),
    long(pos(0, C, 170_000_000, 7, 20, SOL_SIZE)),
    pos(0, P, 135_000_000, 30, 50, SOL_SIZE),
    long(pos(0, P, 120_000_000, 30, 50, SOL_SIZE)),
    pos(0, C, 165_000_000, 30, 50, SOL_SIZE),
    long(pos(0, C, 180_000_000, 30, 50, SOL_SIZE)),
    pos(1, P, 90_000_000_000, 7, 30, BTC_SIZE),
    long(pos(1, P, 85_000_000_000, 7, 30, BTC_SIZE)),
    pos(1, C, 100_000_000_000, 7, 30, BTC_SIZE),
    long(pos(1, C, 105_000_000_000, 7, 30, BTC_SIZE)),
    pos(1, P, 85_000_000_000, 30, 20, BTC_SIZE),
    long(pos(1, P, 75_000_000_000, 30, 20, BTC_SIZE)),
    pos(1, C, 105_000_000_000, 30, 20, BTC_SIZE),
    long(pos(1, C, 115_000_000_000, 30, 20, BTC_SIZE)),
];

/// USDC (6 decimals), SOL (9 decimals), wBTC (8 decimals). Prices are quote native units per
/// collateral native unit.
pub static COLLATERALS: [CollateralRisk; 3] = [
    CollateralRisk {
        amount: 60_000_000_000, // 60,000 USDC
        price: fx(1, 0),
        conf: fx(1, 4),
        init_weight: fx(1, 0),
        maint_weight: fx(1, 0),
        linked_underlying: None,
    },
    CollateralRisk {
        amount: 300_000_000_000, // 300 SOL
        price: fx(15, 2),        // 150e6 / 1e9
        conf: fx(5, 5),
        init_weight: fx(80, 2),
        maint_weight: fx(90, 2),
        linked_underlying: Some(0), // priced by the SOL feed: shocked with the SOL options
    },
    CollateralRisk {
        amount: 50_000_000, // 0.5 BTC
        price: fx(950, 0),  // 95,000e6 / 1e8
        conf: fx(2, 1),
        init_weight: fx(85, 2),
        maint_weight: fx(92, 2),
        linked_underlying: Some(1), // priced by the BTC feed
    },
];

/// As the program computes it: no Greeks (nothing on chain reads them).
pub const CONFIG: MarginConfig = MarginConfig {
    conf_multiplier: fx(2, 0),
    end_buffer: fx(50, 2),
    greeks: false,
};

/// Quote balance: 2,500 USDC of debt.
pub const QUOTE_BALANCE: i128 = -2_500_000_000;

/// The 16-position account over the given slices.
pub fn account<'a>(
    positions: &'a [PositionRisk],
    underlyings: &'a [UnderlyingRisk],
    collaterals: &'a [CollateralRisk],
) -> AccountRisk<'a> {
    AccountRisk {
        quote_balance: QUOTE_BALANCE,
        collaterals,
        positions,
        underlyings,
    }
}

// ---------------------------------------------------------------------------------------------
// Liquidation and insurance-fund inputs (on-chain units as above)
// ---------------------------------------------------------------------------------------------

/// A bid on a solvent liquidated account: MtM 12,345.678901 USDC, maintenance add-on
/// 8,765.4321 USDC, discount 23.7123456789 % (a point of the slow phase), fee 0.5 % of the add-on,
/// the fund's premium `k` 5 % of it.
pub const BID_SOLVENT: BidInputs = BidInputs {
    mark_to_market: fx(12_345_678_901, 0),
    addon_maintenance: fx(8_765_432_100, 0),
    discount: fx(237_123_456_789, 12),
    fee_rate: fx(5, 3),
    fund_premium: fx(5, 2),
};

/// The same add-on and discount on an insolvent account (MtM -3,210.987654 USDC): the
/// insurance fund pays the bidder.
pub const BID_INSOLVENT: BidInputs = BidInputs {
    mark_to_market: fx(-3_210_987_654, 0),
    ..BID_SOLVENT
};

/// The fraction bid for (37.1234567891 %).
pub const BID_FRACTION: Fixed = fx(371_234_567_891, 12);

/// The liquidated account's `equity(end)`: -4,567.890123 USDC.
pub const EQUITY_END: Fixed = fx(-4_567_890_123, 0);

/// Keeper tip: 10 bps of the add-on, at most 50 USDC, dust below 10 USDC of add-on, from a
/// quote balance of 1,234 USDC.
pub const TIP_RATE: Fixed = fx(1, 3);
pub const TIP_LIMITS: TipLimits = TipLimits {
    tip_max: 50_000_000,
    dust_min: 10_000_000,
    quote_balance: 1_234_000_000,
};

/// An insurance fund of 1,234,567.891234 USDC with 1.1e15 shares outstanding.
pub const FUND: FundShares = FundShares {
    fund: 1_234_567_891_234,
    total_shares: 1_100_000_000_000_000,
};

/// A stake of 25,000 USDC.
pub const STAKE: u64 = 25_000_000_000;

/// An unstake of 10^13 shares requested when they were worth 11,000 USDC.
pub const UNSTAKE_SHARES: u64 = 10_000_000_000_000;
pub const UNSTAKE_VALUE_AT_REQUEST: u64 = 11_000_000_000;
