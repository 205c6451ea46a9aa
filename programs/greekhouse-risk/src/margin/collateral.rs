//! Which underlyings an account references, and its collateral values at the three levels.

use super::*;

/// Indices of the underlyings referenced by the positions, ascending.
pub(super) fn referenced(account: &AccountRisk<'_>) -> RiskResult<([u8; MAX_UNDERLYINGS], usize)> {
    let len = account.underlyings.len();
    if account
        .positions
        .iter()
        .any(|p| p.underlying as usize >= len)
    {
        return Err(RiskError::UnknownUnderlying);
    }
    // distinct indices, kept sorted by insertion
    let mut out = [0u8; MAX_UNDERLYINGS];
    let mut n = 0;
    for p in account.positions {
        let u = p.underlying;
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

/// Collateral values: (weighted at IM, at end, at MM, at the oracle price), raw.
#[inline(never)]
pub(super) fn collateral_values(ctx: &MarginCtx<'_>) -> RiskResult<[i128; 4]> {
    let (account, config) = (&ctx.account, &ctx.config);
    let mut out = [0i128; 4];
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
        let w_end = c.maint_weight.checked_sub(mul_small(
            c.maint_weight.checked_sub(c.init_weight)?,
            config.end_buffer,
            true,
        )?)?;
        // amount x (weighted, conf-adjusted price rounded down): exact in the amount, so the
        // value scales exactly with it
        for (slot, w) in [c.init_weight, w_end, c.maint_weight].iter().enumerate() {
            let unit = mul_small(adj, *w, false)?.raw() as u128;
            let v = wide::mul_u128_u64(unit, c.amount).ok_or(RiskError::Overflow)?;
            out[slot] = out[slot]
                .checked_add(wide::signed(v, false)?)
                .ok_or(RiskError::Overflow)?;
        }
        let mark =
            wide::mul_u128_u64(c.price.raw() as u128, c.amount).ok_or(RiskError::Overflow)?;
        out[3] = out[3]
            .checked_add(wide::signed(mark, false)?)
            .ok_or(RiskError::Overflow)?;
    }
    Ok(out)
}
