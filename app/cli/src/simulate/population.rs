//! Who trades in a run: the strikes listed across the smile and the writers' sizes. Prices,
//! deltas and vols are the risk engine's (`greekhouse_risk::bs`, the program's vol surface);
//! only the choice of strikes and sizes is the simulator's.

use greekhouse::engine::convert;
use greekhouse::state::StoredVolSurface;
use greekhouse_risk::bs::{self, BsInput, OptionKind};
use greekhouse_risk::Fixed;

use super::paths::Rng;

const ONE: f64 = 1e12;

fn fixed(x: f64) -> Fixed {
    Fixed::from_raw((x * ONE) as i128)
}

/// The engine's Black-Scholes delta (rate zero) of a `kind` at `strike` on `surface` (its smile
/// included) at `spot`, `days` before expiry; `None` when the engine refuses the inputs.
pub fn delta(
    kind: OptionKind,
    spot: f64,
    strike: f64,
    days: f64,
    surface: &StoredVolSurface,
) -> Option<f64> {
    let t = fixed(days / 365.0);
    let vol = convert::vol_surface(surface)
        .vol(fixed(strike), fixed(spot), t)
        .ok()?;
    let g = bs::greeks(&BsInput {
        kind,
        spot: fixed(spot),
        strike: fixed(strike),
        vol,
        time_years: t,
        rate: Fixed::ZERO,
    })
    .ok()?;
    Some(g.delta.raw() as f64 / ONE)
}

/// A strike tick for a spot: a power of ten near 1 % of it ($1 for SOL at 150, $100 for BTC at
/// 90,000).
pub fn strike_tick(spot: f64) -> f64 {
    10f64.powf((spot / 100.0).log10().floor()).max(1e-6)
}

/// The strike, on `strike_tick(spot)`, whose delta's size is nearest `target` (a call's delta
/// falls with the strike, a put's size rises): bisection on the log strike.
pub fn strike_for_delta(
    kind: OptionKind,
    spot: f64,
    target: f64,
    days: f64,
    surface: &StoredVolSurface,
) -> Option<f64> {
    let size = |k: f64| delta(kind, spot, k, days, surface).map(f64::abs);
    let (mut lo, mut hi) = (-2.0f64, 2.0f64);
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        let d = size(spot * mid.exp())?;
        // too much delta: a call goes up in strike, a put down
        let up = match kind {
            OptionKind::Call => d > target,
            OptionKind::Put => d < target,
        };
        if up {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let tick = strike_tick(spot);
    Some(((spot * (0.5 * (lo + hi)).exp() / tick).round() * tick).max(tick))
}

/// A writer's size: log-uniform in `[min, max]` (many small writers, a few large ones).
pub fn log_uniform(rng: &mut Rng, min: f64, max: f64) -> f64 {
    (min.ln() + rng.uniform() * (max.ln() - min.ln())).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strikes_spread_across_the_smile_by_delta() {
        let surface = greekhouse_testkit::scenario::default_surface();
        let atm_call = strike_for_delta(OptionKind::Call, 150.0, 0.5, 5.0, &surface).unwrap();
        let otm_call = strike_for_delta(OptionKind::Call, 150.0, 0.1, 5.0, &surface).unwrap();
        let otm_put = strike_for_delta(OptionKind::Put, 150.0, 0.1, 5.0, &surface).unwrap();
        assert!((atm_call - 150.0).abs() <= 3.0, "{atm_call}");
        assert!(otm_call > 160.0 && otm_put < 140.0, "{otm_call} {otm_put}");
        let d = delta(OptionKind::Call, 150.0, otm_call, 5.0, &surface).unwrap();
        assert!((d - 0.1).abs() < 0.02, "{d}");
        // BTC's tick is $100
        let btc = strike_for_delta(OptionKind::Put, 90_000.0, 0.25, 2.0, &surface).unwrap();
        assert_eq!(btc % 100.0, 0.0);
        assert!(btc < 90_000.0);
    }

    #[test]
    fn sizes_stay_in_their_range_and_are_mostly_small() {
        let mut rng = Rng::new(1);
        let xs: Vec<f64> = (0..1_000)
            .map(|_| log_uniform(&mut rng, 1_000.0, 100_000.0))
            .collect();
        assert!(xs.iter().all(|x| (1_000.0..=100_000.0).contains(x)));
        let below_median_of_range = xs.iter().filter(|x| **x < 50_500.0).count();
        assert!(below_median_of_range > 800, "{below_median_of_range}");
    }
}
