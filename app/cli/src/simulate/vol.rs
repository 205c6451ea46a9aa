//! The vol updater of a run: a mean-reverting implied-vol process tied to realized moves, posted
//! through the program's `set_vol_surface` within what the program accepts.
//!
//! Realized variance `v` is an exponentially weighted average of squared log returns (annualized)
//! with a half-life; it starts at the surface's own ATM variance, so a path whose realized vol
//! matches the surface leaves it where it is (no ratchet). Each tenor's ATM vol targets
//! `start * ((1 - w) + w * sqrt(v) / ref)`, with `ref` the first tenor's starting vol: a crash
//! lifts the whole term structure, and the lift decays with the half-life once moves calm down.

use greekhouse::engine::actions::vol_surface::check_vol_surface;
use greekhouse::state::{StoredVolSurface, Underlying};

use super::config::VolModel;

const HOURS_PER_YEAR: f64 = 365.0 * 24.0;
/// The surface's ATM vols are kept in this range (bps).
const VOL_RANGE_BPS: (f64, f64) = (2_000.0, 40_000.0);

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

/// The underlying's surface with its ATM vols moved towards `target_bps` as far as the program
/// accepts at `now`: the point of the segment from the current surface to the target furthest
/// along that `set_vol_surface`'s own rules pass (`check_vol_surface`: the per-update step and
/// the window), found by bisection. The limits are the program's, never restated here; each
/// limit is an interval per tenor, so what passes along the segment is one interval from 0.
pub fn clipped(u: &Underlying, target_bps: &[f64], now: i64) -> StoredVolSurface {
    let current = u.surface;
    let n = (current.tenor_count as usize).min(target_bps.len());
    let at = |lambda: f64| {
        let mut s = current;
        for (i, t) in target_bps.iter().enumerate().take(n) {
            let cur = current.atm_vol_bps[i] as f64;
            s.atm_vol_bps[i] = (cur + lambda * (t - cur)).round().max(1.0) as u32;
        }
        s
    };
    let accepted = |s: &StoredVolSurface| check_vol_surface(u, s, now).is_ok();
    if accepted(&at(1.0)) {
        return at(1.0);
    }
    let (mut lo, mut hi) = (0.0, 1.0);
    for _ in 0..40 {
        let mid = 0.5 * (lo + hi);
        if accepted(&at(mid)) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    at(lo)
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
    fn clipping_goes_as_far_as_the_programs_own_check_accepts() {
        let mut u: Underlying = bytemuck::Zeroable::zeroed();
        // a surface the program validates (the scenario kit's), at 80 % ATM
        let valid = |bps: u32| {
            let mut s = greekhouse_testkit::scenario::default_surface();
            for v in s.atm_vol_bps.iter_mut().take(s.tenor_count as usize) {
                *v = bps;
            }
            s
        };
        u.surface = valid(8_000);
        u.surface_max_change_bps = 2_000;
        u.surface_anchor_interval_secs = 86_400;
        let now = 1_000_000;
        assert_eq!(
            check_vol_surface(&u, &u.surface, now).map_err(|e| e.to_string()),
            Ok(())
        );
        // no window yet: the step limit binds, +-20 % of the current vols
        let s = clipped(&u, &[20_000.0, 5_000.0, 8_100.0], now);
        assert!(check_vol_surface(&u, &s, now).is_ok());
        assert!(
            s.atm_vol_bps[0] > 9_400 && s.atm_vol_bps[0] <= 9_600,
            "{s:?}"
        );
        assert!(
            s.atm_vol_bps[2] > 8_000 && s.atm_vol_bps[2] <= 8_100,
            "{s:?}"
        );
        // a target the program accepts as it is
        let n = u.surface.tenor_count as usize;
        let s = clipped(&u, &vec![8_100.0; n], now);
        assert!(s.atm_vol_bps[..n].iter().all(|v| *v == 8_100), "{s:?}");
        // a running window anchored lower: the window binds before the step
        u.surface_anchor = valid(6_000);
        u.surface_anchor_at = now - 60;
        let s = clipped(&u, &[20_000.0, 20_000.0, 20_000.0], now);
        assert!(check_vol_surface(&u, &s, now).is_ok());
        assert!(s.atm_vol_bps[0] <= 8_400, "{s:?}");
    }
}
