//! Which underlyings an account references, its collateral values at the three levels (and
//! per underlying the linked part), and the rule for collateral weights.

use super::*;

/// Indices of the underlyings referenced by the positions and the linked collateral, ascending.
pub(super) fn referenced(account: &AccountRisk<'_>) -> RiskResult<([u8; MAX_UNDERLYINGS], usize)> {
    let len = account.underlyings.len();
    let links = account
        .collaterals
        .iter()
        .filter_map(|c| c.linked_underlying);
    let all = account.positions.iter().map(|p| p.underlying).chain(links);
    if all.clone().any(|u| u as usize >= len) {
        return Err(RiskError::UnknownUnderlying);
    }
    // distinct indices, kept sorted by insertion
    let mut out = [0u8; MAX_UNDERLYINGS];
    let mut n = 0;
    for u in all {
        let mut i = 0;
        while i < n && out[i] < u {
            i += 1;
        }
        if i < n && out[i] == u {
            continue;
        }
        if n == MAX_UNDERLYINGS {
            return Err(RiskError::TooManyUnderlyings);
        }
        let mut k = n;
        while k > i {
            out[k] = out[k - 1];
            k -= 1;
        }
        out[i] = u;
        n += 1;
    }
    Ok((out, n))
}

/// `x * f` for `x >= 0` and a validated `0 <= f <= 10` (raw below 2^64), rounded up or down:
/// one 128x64 product and a division by 10^12 in 32-bit digits.
#[inline(always)]
pub(super) fn mul_small(x: Fixed, f: Fixed, up: bool) -> RiskResult<Fixed> {
    if let Some(p) = wide::mul_u128_u64(x.raw() as u128, f.raw() as u64) {
        let (q, inexact) = wide::div_pow10_u128(p, 12);
        return Ok(Fixed::from_raw(wide::signed(
            wide::bump(q, inexact, up)?,
            false,
        )?));
    }
    let r = if up { Rounding::Up } else { Rounding::Down };
    x.checked_mul(f, r)
}

/// The collateral linked to one underlying: credit at (IM, MM) and value at the oracle, raw.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Linked {
    pub(super) credit: [i128; 2],
    pub(super) oracle: i128,
}

/// All collateral values of an account.
pub(super) struct CollValues {
    /// Weighted at IM, at end, at MM, and at the oracle price (no haircut, no conf), raw.
    pub(super) total: [i128; 4],
    /// The linked part per referenced underlying (same slots as [`referenced`]).
    pub(super) linked: [Linked; MAX_UNDERLYINGS],
}

/// Collateral values; `idxs` are the referenced underlyings (every link is among them).
#[inline(never)]
pub(super) fn collateral_values(ctx: &MarginCtx<'_>, idxs: &[u8]) -> RiskResult<CollValues> {
    let (account, config) = (&ctx.account, &ctx.config);
    let mut out = CollValues {
        total: [0; 4],
        linked: [Linked::default(); MAX_UNDERLYINGS],
    };
    let add = |x: &mut i128, v: i128| -> RiskResult<()> {
        *x = x.checked_add(v).ok_or(RiskError::Overflow)?;
        Ok(())
    };
    for c in account.collaterals {
        if c.price.is_negative() {
            return Err(RiskError::NonPositivePrice);
        }
        let w_ok = |w: Fixed| !w.is_negative() && w <= Fixed::ONE;
        if c.conf.is_negative()
            || !w_ok(c.init_weight)
            || !w_ok(c.maint_weight)
            || c.init_weight > c.maint_weight
        {
            return Err(RiskError::InvalidMarginParams);
        }
        let haircut = mul_small(c.conf, config.conf_multiplier, true)?;
        let adj = c.price.checked_sub(haircut)?.max_of(Fixed::ZERO);
        // equal weights: the end weight is the same (b (maint - init) = 0), exactly
        let w_end = if c.init_weight == c.maint_weight {
            c.maint_weight
        } else {
            c.maint_weight.checked_sub(mul_small(
                c.maint_weight.checked_sub(c.init_weight)?,
                config.end_buffer,
                true,
            )?)?
        };
        // amount x (weighted, conf-adjusted price rounded down): exact in the amount, so the
        // value scales exactly with it
        let mut v = [0i128; 4];
        for (slot, w) in [c.init_weight, w_end, c.maint_weight].iter().enumerate() {
            // a weight of one keeps the price exactly (no product)
            let unit = if *w == Fixed::ONE {
                adj.raw() as u128
            } else {
                mul_small(adj, *w, false)?.raw() as u128
            };
            v[slot] = wide::signed(
                wide::mul_u128_u64(unit, c.amount).ok_or(RiskError::Overflow)?,
                false,
            )?;
        }
        v[3] = wide::signed(
            wide::mul_u128_u64(c.price.raw() as u128, c.amount).ok_or(RiskError::Overflow)?,
            false,
        )?;
        for (t, x) in out.total.iter_mut().zip(v) {
            add(t, x)?;
        }
        if let Some(u) = c.linked_underlying {
            let slot = idxs
                .iter()
                .position(|&x| x == u)
                .ok_or(RiskError::UnknownUnderlying)?;
            let l = &mut out.linked[slot];
            add(&mut l.credit[0], v[0])?;
            add(&mut l.credit[1], v[2])?;
            add(&mut l.oracle, v[3])?;
        }
    }
    Ok(out)
}

/// How a collateral asset's price moves, for [`validate_collateral_weights`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CollateralClass {
    /// Pegged to the quote asset (a stablecoin): not shocked.
    Pegged,
    /// Priced by a listed underlying's feed and passed with
    /// [`CollateralRisk::linked_underlying`] set: shocked inside that underlying's box, so its
    /// weight covers only liquidity (its confidence is deducted from its price and widens the
    /// box).
    Linked,
    /// Volatile but not shocked in any box (a feed that is not a listed underlying's): its
    /// haircut must cover the spot shock itself.
    Volatile,
}

/// Check a collateral asset's weights (the program calls this in its parameter checks).
///
/// Always `0 <= init_weight <= maint_weight <= 1`. A [`CollateralClass::Volatile`] asset is
/// not shocked with any box, so its haircuts must cover the box it is not in plus the
/// oracle confidence: `1 - maint_weight >= MM spot shock + max_conf` and
/// `1 - init_weight >= IM spot shock + max_conf`, with the shocks of `params` (the
/// parameters of the underlying whose shocks apply, e.g. the largest listed) and `max_conf`
/// the largest accepted `conf / price` of its feed. `Pegged` and `Linked` assets may have
/// weights up to 1.
pub fn validate_collateral_weights(
    init_weight: Fixed,
    maint_weight: Fixed,
    class: CollateralClass,
    params: &MarginParams,
    max_conf: Fixed,
) -> RiskResult<()> {
    let w_ok = |w: Fixed| !w.is_negative() && w <= Fixed::ONE;
    if !w_ok(init_weight) || !w_ok(maint_weight) || init_weight > maint_weight {
        return Err(RiskError::InvalidCollateralWeight);
    }
    if class == CollateralClass::Volatile {
        params.validate()?;
        if max_conf.is_negative() || max_conf > Fixed::ONE {
            return Err(RiskError::InvalidCollateralWeight);
        }
        let need = |l: &LevelParams| l.spot_shock.checked_add(max_conf);
        let haircut = |w: Fixed| Fixed::ONE.checked_sub(w);
        if haircut(maint_weight)? < need(&params.maintenance)?
            || haircut(init_weight)? < need(&params.initial)?
        {
            return Err(RiskError::InvalidCollateralWeight);
        }
    }
    Ok(())
}
