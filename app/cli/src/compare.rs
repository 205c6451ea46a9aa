//! `greekhouse margin PORTFOLIO.json --compare`: beside Greekhouse's IM and MM, what two public
//! designs would require for the same shorts, computed by the `peers` module's functions (this
//! module only maps the portfolio to their inputs and formats the result). With long positions,
//! Opyn's spread vaults too: each short paired with the long of the same expiry and kind that
//! needs the least collateral, one pair per vault, the rest naked (longs alone earn no credit).
//!
//! Parameters (`docs/risk-model.md`, section 11, and `docs/cli.md`):
//! - Opyn Gamma naked margin: spot shock `h = 20 %`, upper bound value
//!   `UB(T) = min(1, 0.4 sqrt(T))` (T in years): assumed, Opyn's are governance values on chain.
//! - Zeta-style: IM `dynamic 25 %, floor 10 %` (Zeta's source comment), MM assumed half
//!   (`12.5 %, 5 %`), put cap 100 % of the strike; charged on top of the book's mark.

use greekhouse_risk::margin::MarginSummary;
use greekhouse_risk::math;
use greekhouse_risk::{Fixed, OptionKind, PositionRisk, RiskError, RiskResult, Rounding};
use serde_json::{json, Value};

use crate::fmt;
use crate::peers::{
    opyn_naked_margin, opyn_spread_margin, zeta_short_margin, OpynParams, ZetaParams,
};
use crate::portfolio::Portfolio;
use greekhouse_risk::Side;

const fn permille(v: i128) -> Fixed {
    Fixed::from_raw(v * 1_000_000_000)
}

/// Opyn's spot shock `h` (assumed).
pub const OPYN_SPOT_SHOCK: Fixed = permille(200);
/// `UB(T) = min(1, OPYN_UB_PER_SQRT_YEAR * sqrt(T))` (assumed: an ATM option at 100 % vol as
/// a fraction of its collateral).
pub const OPYN_UB_PER_SQRT_YEAR: Fixed = permille(400);
/// Zeta IM (`dynamic`, `floor` from Zeta's source comment; put cap: the maximum payoff).
pub const ZETA_INITIAL: ZetaParams = ZetaParams {
    dynamic_pct: permille(250),
    spot_pct: permille(100),
    put_cap_pct: Fixed::ONE,
};
/// Zeta MM (assumed: half the IM percentages).
pub const ZETA_MAINTENANCE: ZetaParams = ZetaParams {
    dynamic_pct: permille(125),
    spot_pct: permille(50),
    put_cap_pct: Fixed::ONE,
};

/// The Opyn parameters of an option with `time_years` to expiry (expired: `UB = 0`).
pub fn opyn_params(time_years: Fixed) -> RiskResult<OpynParams> {
    let ub = if time_years.is_positive() {
        OPYN_UB_PER_SQRT_YEAR
            .checked_mul(math::sqrt(time_years)?, Rounding::Up)?
            .min_of(Fixed::ONE)
    } else {
        Fixed::ZERO
    };
    Ok(OpynParams {
        spot_shock: OPYN_SPOT_SHOCK,
        upper_bound: ub,
    })
}

/// The peers' figures for one position (quote native units).
#[derive(Clone, Copy, Debug)]
pub struct PositionPeers {
    /// Underlying units (`contracts * contract_size`).
    pub quantity: Fixed,
    pub opyn_upper_bound: Fixed,
    pub opyn_naked: Fixed,
    /// Zeta margins on top of the mark.
    pub zeta_initial_margin: Fixed,
    pub zeta_maintenance_margin: Fixed,
}

/// Greekhouse and the peers for one underlying's book (quote native units, requirements).
#[derive(Clone, Copy, Debug, Default)]
pub struct UnderlyingPeers {
    pub underlying: u8,
    /// The book's mark (Greekhouse liability).
    pub mark: Fixed,
    /// Greekhouse requirement (liability + add-on).
    pub greekhouse_initial: Fixed,
    pub greekhouse_maintenance: Fixed,
    pub opyn_naked: Fixed,
    /// Opyn with spread vaults (the naked figure when the book holds no long).
    pub opyn_spreads: Fixed,
    /// Mark + Zeta margins.
    pub zeta_initial: Fixed,
    pub zeta_maintenance: Fixed,
}

#[derive(Clone, Debug)]
pub struct Comparison {
    /// One per position of the portfolio, in file order.
    pub positions: Vec<PositionPeers>,
    /// One per underlying the engine margined, in the summary's order.
    pub underlyings: Vec<UnderlyingPeers>,
    pub total: UnderlyingPeers,
}

pub fn position_peers(p: &PositionRisk, spot: Fixed) -> RiskResult<PositionPeers> {
    let quantity = Fixed::from_u64(p.contracts).checked_mul(p.contract_size, Rounding::Up)?;
    let opyn = opyn_params(p.time_years)?;
    if p.side == Side::Long {
        // a long needs no margin of its own in either design
        return Ok(PositionPeers {
            quantity,
            opyn_upper_bound: opyn.upper_bound,
            opyn_naked: Fixed::ZERO,
            zeta_initial_margin: Fixed::ZERO,
            zeta_maintenance_margin: Fixed::ZERO,
        });
    }
    Ok(PositionPeers {
        quantity,
        opyn_upper_bound: opyn.upper_bound,
        opyn_naked: opyn_naked_margin(p.kind, spot, p.strike, quantity, &opyn)?,
        zeta_initial_margin: zeta_short_margin(p.kind, spot, p.strike, quantity, &ZETA_INITIAL)?,
        zeta_maintenance_margin: zeta_short_margin(
            p.kind,
            spot,
            p.strike,
            quantity,
            &ZETA_MAINTENANCE,
        )?,
    })
}

/// The comparison for the portfolio `p` whose Greekhouse margin is `m`.
pub fn compare(p: &Portfolio, m: &MarginSummary) -> RiskResult<Comparison> {
    let positions = p
        .positions
        .iter()
        .map(|pos| {
            let und = p
                .underlyings
                .get(pos.underlying as usize)
                .ok_or(RiskError::UnknownUnderlying)?;
            position_peers(pos, und.spot)
        })
        .collect::<RiskResult<Vec<_>>>()?;
    let mut underlyings = Vec::new();
    let mut total = UnderlyingPeers::default();
    for u in &m.underlyings[..m.underlying_count as usize] {
        let mut row = UnderlyingPeers {
            underlying: u.underlying,
            mark: u.liability,
            greekhouse_initial: u.liability.checked_add(u.addon_initial)?,
            greekhouse_maintenance: u.liability.checked_add(u.addon_maintenance)?,
            opyn_naked: Fixed::ZERO,
            opyn_spreads: Fixed::ZERO,
            zeta_initial: u.liability,
            zeta_maintenance: u.liability,
        };
        let spot = p
            .underlyings
            .get(u.underlying as usize)
            .ok_or(RiskError::UnknownUnderlying)?
            .spot;
        row.opyn_spreads = opyn_spread_vaults(p, u.underlying, spot, &positions)?;
        for (pos, peers) in p.positions.iter().zip(&positions) {
            if pos.underlying == u.underlying {
                row.opyn_naked = row.opyn_naked.checked_add(peers.opyn_naked)?;
                row.zeta_initial = row.zeta_initial.checked_add(peers.zeta_initial_margin)?;
                row.zeta_maintenance = row
                    .zeta_maintenance
                    .checked_add(peers.zeta_maintenance_margin)?;
            }
        }
        total.mark = total.mark.checked_add(row.mark)?;
        total.opyn_naked = total.opyn_naked.checked_add(row.opyn_naked)?;
        total.opyn_spreads = total.opyn_spreads.checked_add(row.opyn_spreads)?;
        total.zeta_initial = total.zeta_initial.checked_add(row.zeta_initial)?;
        total.zeta_maintenance = total.zeta_maintenance.checked_add(row.zeta_maintenance)?;
        underlyings.push(row);
    }
    total.greekhouse_initial = m.initial.requirement;
    total.greekhouse_maintenance = m.maintenance.requirement;
    Ok(Comparison {
        positions,
        underlyings,
        total,
    })
}

/// Opyn's collateral for underlying `u`'s shorts in spread vaults: each short (file order)
/// paired, as far as its quantity goes, with the long of the same expiry and kind whose vault
/// needs the least collateral per unit; what is left of a short is naked.
fn opyn_spread_vaults(
    p: &Portfolio,
    u: u8,
    spot: Fixed,
    peers: &[PositionPeers],
) -> RiskResult<Fixed> {
    let mut long_left: Vec<Fixed> = p
        .positions
        .iter()
        .zip(peers)
        .map(|(pos, r)| {
            if pos.side == Side::Long && pos.underlying == u {
                r.quantity
            } else {
                Fixed::ZERO
            }
        })
        .collect();
    let mut total = Fixed::ZERO;
    for (short, r) in p.positions.iter().zip(peers) {
        if short.side != Side::Short || short.underlying != u {
            continue;
        }
        let mut left = r.quantity;
        while left.is_positive() {
            // the cheapest partner per unit among the longs still unpaired
            let mut best: Option<(usize, Fixed)> = None;
            for (i, l) in p.positions.iter().enumerate() {
                let partner = l.side == Side::Long
                    && l.underlying == u
                    && l.kind == short.kind
                    && l.time_years == short.time_years
                    && long_left[i].is_positive();
                if !partner {
                    continue;
                }
                let unit = opyn_spread_margin(
                    short.kind,
                    spot,
                    short.strike,
                    Fixed::ONE,
                    l.strike,
                    Fixed::ONE,
                )?;
                if best.is_none_or(|(_, b)| unit < b) {
                    best = Some((i, unit));
                }
            }
            let Some((i, _)) = best else {
                // no partner left: naked for the rest
                let opyn = opyn_params(short.time_years)?;
                let naked = opyn_naked_margin(short.kind, spot, short.strike, left, &opyn)?;
                total = total.checked_add(naked)?;
                break;
            };
            let paired = left.min_of(long_left[i]);
            let l = &p.positions[i];
            total = total.checked_add(opyn_spread_margin(
                short.kind,
                spot,
                short.strike,
                paired,
                l.strike,
                paired,
            )?)?;
            long_left[i] = long_left[i].checked_sub(paired)?;
            left = left.checked_sub(paired)?;
        }
    }
    Ok(total)
}

/// Whether the portfolio holds a long (the table then shows Opyn's spread vaults).
fn has_long(p: &Portfolio) -> bool {
    p.positions.iter().any(|pos| pos.side == Side::Long)
}

/// Where the peers' parameters come from (the table's footer; also in the JSON).
pub const SOURCES: [&str; 4] = [
    "Opyn naked: Opyn Gamma's naked margin (MarginCalculator._getNakedMarginRequired, opynfinance/GammaProtocol), the whole vault collateral; h = 20 % and UB(T) = min(1, 0.4 sqrt(T years)) are assumed (Opyn's are governance values on chain, not retrieved).",
    "Zeta IM / MM: the book's mark + max(dynamic - OTM/S, floor) x S x q per short, puts capped at K x q (Zeta's MarginParameters); IM dynamic 25 %, floor 10 % (Zeta's source comment), MM assumed half (12.5 %, 5 %).",
    "Peers margin each short alone (no netting, no collateral credit), except Opyn spreads: one short series and one long series of the same expiry and kind per vault (MarginCalculator's spread rules: puts max(q_s K_s - K_l min(q_s, q_l), 0); calls max((K_l - K_s) q_s / K_l, q_s - q_l) underlying units), each short paired with the cheapest such long, the rest naked. Greekhouse's figures are the requirements (liability + add-on), which include the shock of linked collateral, the payoff cap and the longs' offsets.",
    "Details and a worked table: docs/risk-model.md, section 11; peers' code: app/cli/src/peers.rs.",
];

fn name(p: &Portfolio, u: u8) -> String {
    p.underlying_names
        .get(u as usize)
        .cloned()
        .unwrap_or_default()
}

pub fn text(p: &Portfolio, c: &Comparison) -> String {
    let money = |v: Fixed| fmt::money(v, p.quote_decimals);
    let spreads = has_long(p);
    let mut header: Vec<String> = vec![
        "underlying".into(),
        "mark".into(),
        "Greekhouse IM".into(),
        "Greekhouse MM".into(),
        "Opyn naked".into(),
    ];
    if spreads {
        header.push("Opyn spreads".into());
    }
    header.extend(["Zeta IM".into(), "Zeta MM".into()]);
    let mut rows = vec![header];
    let row = |label: String, r: &UnderlyingPeers| {
        let mut cells = vec![
            label,
            money(r.mark),
            money(r.greekhouse_initial),
            money(r.greekhouse_maintenance),
            money(r.opyn_naked),
        ];
        if spreads {
            cells.push(money(r.opyn_spreads));
        }
        cells.extend([money(r.zeta_initial), money(r.zeta_maintenance)]);
        cells
    };
    for r in &c.underlyings {
        rows.push(row(name(p, r.underlying), r));
    }
    rows.push(row("total".into(), &c.total));
    let mut out = format!(
        "\nCompared with two public designs (requirements for the same shorts, in {})\n",
        p.quote_symbol
    );
    out.push_str(&fmt::table(&rows));
    out.push('\n');
    for s in SOURCES {
        out.push_str("- ");
        out.push_str(s);
        out.push('\n');
    }
    out
}

pub fn json(p: &Portfolio, c: &Comparison) -> Value {
    let qd = p.quote_decimals;
    let money = |v: Fixed| fmt::money_f64(v, qd);
    let row = |r: &UnderlyingPeers| {
        json!({
            "mark": money(r.mark),
            "greekhouse_initial": money(r.greekhouse_initial),
            "greekhouse_maintenance": money(r.greekhouse_maintenance),
            "opyn_naked": money(r.opyn_naked),
            "opyn_spreads": money(r.opyn_spreads),
            "zeta_initial": money(r.zeta_initial),
            "zeta_maintenance": money(r.zeta_maintenance),
        })
    };
    let underlyings: Vec<Value> = c
        .underlyings
        .iter()
        .map(|r| {
            let mut v = row(r);
            v["name"] = json!(name(p, r.underlying));
            v
        })
        .collect();
    let positions: Vec<Value> = p
        .positions
        .iter()
        .zip(&c.positions)
        .enumerate()
        .map(|(i, (pos, r))| {
            json!({
                "index": i,
                "underlying": name(p, pos.underlying),
                "kind": match pos.kind { OptionKind::Call => "call", OptionKind::Put => "put" },
                "side": match pos.side { Side::Short => "short", Side::Long => "long" },
                "strike": money(pos.strike),
                "quantity": fmt::f64_of(r.quantity),
                "opyn_upper_bound": fmt::f64_of(r.opyn_upper_bound),
                "opyn_naked": money(r.opyn_naked),
                "zeta_initial_margin": money(r.zeta_initial_margin),
                "zeta_maintenance_margin": money(r.zeta_maintenance_margin),
            })
        })
        .collect();
    let f = fmt::f64_of;
    json!({
        "total": row(&c.total),
        "underlyings": underlyings,
        "positions": positions,
        "params": {
            "opyn": {
                "spot_shock": f(OPYN_SPOT_SHOCK),
                "upper_bound": "min(1, 0.4 sqrt(T years))",
            },
            "zeta_initial": {
                "dynamic_pct": f(ZETA_INITIAL.dynamic_pct),
                "spot_pct": f(ZETA_INITIAL.spot_pct),
                "put_cap_pct": f(ZETA_INITIAL.put_cap_pct),
            },
            "zeta_maintenance": {
                "dynamic_pct": f(ZETA_MAINTENANCE.dynamic_pct),
                "spot_pct": f(ZETA_MAINTENANCE.spot_pct),
                "put_cap_pct": f(ZETA_MAINTENANCE.put_cap_pct),
            },
        },
        "sources": SOURCES,
    })
}
