//! The vol updater of a run: a mean-reverting implied-vol process tied to realized moves, posted
//! through the program's `set_vol_surface` within what the program accepts.
//!
//! Realized variance `v` is an exponentially weighted average of squared log returns (annualized)
//! with a half-life; it starts at the surface's own ATM variance, so a path whose realized vol
//! matches the surface leaves it where it is (no ratchet). Each tenor's ATM vol targets
//! `start * ((1 - w) + w * sqrt(v) / ref)`, with `ref` the first tenor's starting vol: a crash
//! lifts the whole term structure, and the lift decays with the half-life once moves calm down.

use greekhouse::state::StoredVolSurface;

use super::config::VolModel;

const HOURS_PER_YEAR: f64 = 365.0 * 24.0;
/// The surface's ATM vols are kept in this range (bps).
const VOL_RANGE_BPS: (f64, f64) = (2_000.0, 40_000.0);
/// Share of the program's step and window limits the updater uses (a margin for rounding).
const LIMIT_SHARE: f64 = 0.9;

pub struct VolProcess {
    start_bps: Vec<f64>,
    ref_vol: f64,
    realized_var: f64,
    half_life_hours: f64,
    weight: f64,
}

impl VolProcess {
    pub fn new(model: &VolModel, surface: &StoredVolSurface) -> Self {
        let start_bps: Vec<f64> = surface.atm_vol_bps[..surface.tenor_count as usize]
            .iter()
            .map(|v| *v as f64)
            .collect();
        let ref_vol = start_bps.first().copied().unwrap_or(8_000.0) / 10_000.0;
        Self {
            start_bps,
            ref_vol,
            realized_var: ref_vol * ref_vol,
            half_life_hours: model.half_life_hours,
            weight: model.realized_weight,
        }
    }

    /// Realized vol so far (annualized).
    pub fn realized(&self) -> f64 {
        self.realized_var.sqrt()
    }

    /// Feed one step's log return over `hours`; the ATM vols the updater now wants (bps).
    pub fn step(&mut self, log_return: f64, hours: f64) -> Vec<f64> {
        let keep = 0.5f64.powf(hours / self.half_life_hours);
        let annualized = log_return * log_return * HOURS_PER_YEAR / hours;
        self.realized_var = keep * self.realized_var + (1.0 - keep) * annualized;
        let factor = (1.0 - self.weight) + self.weight * self.realized() / self.ref_vol;
        self.start_bps
            .iter()
            .map(|v| (v * factor).clamp(VOL_RANGE_BPS.0, VOL_RANGE_BPS.1))
            .collect()
    }
}

/// `current` with its ATM vols moved towards `target_bps`, clipped to what the program accepts:
/// a relative step of at most `max_change_bps` from `current`, and within `1 + 2 x` that ratio
/// of the window's `anchor` both ways (`set_vol_surface`; a share of each limit is kept back).
pub fn clipped(
    current: &StoredVolSurface,
    anchor: &StoredVolSurface,
    target_bps: &[f64],
    max_change_bps: u32,
) -> StoredVolSurface {
    let c = max_change_bps as f64 / 10_000.0 * LIMIT_SHARE;
    let w = 2.0 * c;
    let mut s = *current;
    for (i, t) in target_bps.iter().enumerate().take(s.tenor_count as usize) {
        let cur = current.atm_vol_bps[i] as f64;
        let anc = anchor.atm_vol_bps[i] as f64;
        let lo = (cur * (1.0 - c)).max(anc / (1.0 + w));
        let hi = (cur * (1.0 + c)).min(anc * (1.0 + w));
        // a window already moved past the current vol: stay put
        let v = if lo <= hi { t.clamp(lo, hi) } else { cur };
        s.atm_vol_bps[i] = v.round() as u32;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulate::paths::Rng;

    fn surface(bps: u32) -> StoredVolSurface {
        StoredVolSurface {
            tenor_secs: [86_400, 7 * 86_400, 30 * 86_400, 0],
            atm_vol_bps: [bps, bps, bps, 0],
            tenor_count: 3,
            ..Default::default()
        }
    }

    #[test]
    fn a_calm_path_at_the_surfaces_vol_leaves_it_near_its_start() {
        let mut p = VolProcess::new(&VolModel::default(), &surface(8_000));
        let mut rng = Rng::new(3);
        let hours = 1.0 / 6.0;
        let sd = 0.8 * (hours / HOURS_PER_YEAR).sqrt();
        let mut last = vec![];
        for _ in 0..7 * 24 * 6 {
            last = p.step(sd * rng.normal(), hours);
        }
        // the old updater drifted 80 % to ~260 % over such a week
        assert!((last[0] - 8_000.0).abs() < 1_000.0, "{last:?}");
    }

    #[test]
    fn a_crash_spikes_the_vols_and_the_spike_decays_with_the_half_life() {
        let mut p = VolProcess::new(&VolModel::default(), &surface(8_000));
        let hours = 1.0 / 6.0;
        // -40 % over 6 hours
        let r = (0.6f64).ln() / 36.0;
        let mut v = vec![];
        for _ in 0..36 {
            v = p.step(r, hours);
        }
        let peak = v[0];
        assert!(peak > 10_000.0, "{peak}");
        for _ in 0..24 * 6 {
            v = p.step(0.0, hours);
        }
        let excess_after = v[0] - 8_000.0 * 0.5;
        let excess_peak = peak - 8_000.0 * 0.5;
        // a flat day: the realized variance halves, so the vol falls well below its peak
        assert!(
            v[0] < peak && excess_after < 0.75 * excess_peak,
            "{peak} {}",
            v[0]
        );
    }

    #[test]
    fn clipping_keeps_each_step_and_the_window_within_the_limits() {
        let cur = surface(8_000);
        let s = clipped(&cur, &cur, &[20_000.0, 5_000.0, 8_100.0], 2_000);
        assert_eq!(s.atm_vol_bps[0], 9_440); // +18 %
        assert_eq!(s.atm_vol_bps[1], 6_560); // -18 %
        assert_eq!(s.atm_vol_bps[2], 8_100);
        // window: at most 1 + 2 x 18 % of the anchor
        let anchor = surface(6_000);
        let s = clipped(&cur, &anchor, &[20_000.0, 20_000.0, 20_000.0], 2_000);
        assert_eq!(s.atm_vol_bps[0], 8_160);
    }
}
