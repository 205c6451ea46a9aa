//! A vol surface the vol updater wants, brought within what `set_vol_surface` accepts now: each
//! value (every ATM vol, the floor, the skew, the curvature) is moved from the current surface
//! towards the wanted one as far as the program's own rule accepts
//! (`greekhouse::engine::actions::vol_surface::check_vol_surface`: the surface's ranges, the
//! per-update step, the window bound), and every value that stops short is reported with the rule
//! that stopped it. The limits are the program's, never restated here: each is an interval per
//! value that contains the current surface, so a binary search on each value in turn finds its
//! furthest accepted point.

use greekhouse::engine::actions::vol_surface::check_vol_surface;
use greekhouse::errors::GreekhouseError;
use greekhouse::state::{StoredVolSurface, Underlying};

use crate::margin::{program_error, MarginError};

/// One value moved to stay within a bound.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Clip {
    /// `atm[i]`, `min_vol`, `skew` or `smile`.
    pub field: String,
    pub wanted_bps: i64,
    pub published_bps: i64,
    /// The rule that stopped it: `step` (per update), `window`, or `range` (the surface's own).
    pub bound: &'static str,
}

/// The surface to publish and what was clipped to get it.
#[derive(Clone, Debug)]
pub struct Bounded {
    pub surface: StoredVolSurface,
    pub clips: Vec<Clip>,
}

/// One value of a stored surface, read and written as i64 basis points.
#[derive(Clone, Copy)]
enum Field {
    Atm(usize),
    MinVol,
    Skew,
    Smile,
}

impl Field {
    fn name(self) -> String {
        match self {
            Field::Atm(i) => format!("atm[{i}]"),
            Field::MinVol => "min_vol".into(),
            Field::Skew => "skew".into(),
            Field::Smile => "smile".into(),
        }
    }
    fn get(self, s: &StoredVolSurface) -> i64 {
        match self {
            Field::Atm(i) => i64::from(s.atm_vol_bps[i]),
            Field::MinVol => i64::from(s.min_vol_bps),
            Field::Skew => i64::from(s.skew_bps),
            Field::Smile => i64::from(s.smile_bps),
        }
    }
    /// `None` when `v` does not fit the stored type (outside every range anyway).
    fn set(self, s: &mut StoredVolSurface, v: i64) -> Option<()> {
        match self {
            Field::Atm(i) => s.atm_vol_bps[i] = u32::try_from(v).ok()?,
            Field::MinVol => s.min_vol_bps = u32::try_from(v).ok()?,
            Field::Skew => s.skew_bps = i32::try_from(v).ok()?,
            Field::Smile => s.smile_bps = i32::try_from(v).ok()?,
        }
        Some(())
    }
}

/// The rule `check_vol_surface` names when it refuses.
fn bound_of(e: &anchor_lang::error::Error) -> &'static str {
    let is = |g: GreekhouseError| *e == anchor_lang::error::Error::from(g);
    if is(GreekhouseError::VolSurfaceStepTooLarge) {
        "step"
    } else if is(GreekhouseError::VolSurfaceWindowExceeded) {
        "window"
    } else {
        "range"
    }
}

/// `wanted`, clipped to what `u`'s vol updater may set at `now`, then checked whole by the
/// program's rule. The tenor grid is the underlying's (a new grid needs governance): a `wanted`
/// surface on another grid is refused with the program's error, not clipped.
pub fn within_bounds(
    u: &Underlying,
    wanted: &StoredVolSurface,
    now: i64,
) -> Result<Bounded, MarginError> {
    let n = usize::from(u.surface.tenor_count);
    let same_grid = wanted.tenor_count == u.surface.tenor_count
        && wanted.tenor_secs[..n] == u.surface.tenor_secs[..n];
    let mut out = u.surface;
    let mut clips = Vec::new();
    // from the current surface (which the rules accept), one value at a time
    if same_grid && check_vol_surface(u, &out, now).is_ok() {
        let fields = (0..n)
            .map(Field::Atm)
            .chain([Field::MinVol, Field::Skew, Field::Smile]);
        for f in fields {
            let (from, to) = (f.get(&out), f.get(wanted));
            let at = |v: i64| {
                let mut s = out;
                f.set(&mut s, v).map(|_| s)
            };
            let verdict = |v: i64| match at(v) {
                Some(s) => check_vol_surface(u, &s, now),
                None => Err(GreekhouseError::InvalidVolSurface.into()),
            };
            let refusal = match verdict(to) {
                Ok(()) => {
                    f.set(&mut out, to);
                    continue;
                }
                Err(e) => e,
            };
            // the furthest accepted value between `from` (accepted) and `to` (refused)
            let (mut ok, mut bad) = (from, to);
            while (bad - ok).abs() > 1 {
                let mid = ok + (bad - ok) / 2;
                if verdict(mid).is_ok() {
                    ok = mid;
                } else {
                    bad = mid;
                }
            }
            let stopped_by = verdict(bad).err().unwrap_or(refusal);
            f.set(&mut out, ok);
            clips.push(Clip {
                field: f.name(),
                wanted_bps: to,
                published_bps: ok,
                bound: bound_of(&stopped_by),
            });
        }
    } else {
        out = *wanted;
    }
    check_vol_surface(u, &out, now).map_err(program_error)?;
    Ok(Bounded {
        surface: out,
        clips,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn surface(atm: [u32; 2], skew: i32, smile: i32) -> StoredVolSurface {
        let mut s: StoredVolSurface = bytemuck::Zeroable::zeroed();
        s.tenor_count = 2;
        s.tenor_secs[..2].copy_from_slice(&[7 * 86_400, 30 * 86_400]);
        s.atm_vol_bps[..2].copy_from_slice(&atm);
        s.skew_bps = skew;
        s.smile_bps = smile;
        s.min_vol_bps = 2_000;
        s
    }

    /// Steps of at most 10 %, a window of an hour.
    fn underlying(current: StoredVolSurface) -> Underlying {
        let mut u: Underlying = bytemuck::Zeroable::zeroed();
        u.surface = current;
        u.surface_max_change_bps = 1_000;
        u.surface_anchor_interval_secs = 3_600;
        u
    }

    #[test]
    fn a_surface_within_bounds_is_published_as_wanted() {
        let u = underlying(surface([6_000, 5_500], -1_000, 2_000));
        let wanted = surface([6_300, 5_400], -1_500, 2_500);
        let b = within_bounds(&u, &wanted, 0).unwrap();
        assert_eq!(b.surface, wanted);
        assert!(b.clips.is_empty());
    }

    #[test]
    fn each_value_is_clipped_to_its_tightest_bound_and_the_program_accepts_the_result() {
        let u = underlying(surface([6_000, 5_500], -1_000, 2_000));
        // +50 % ATM, a floor below the range, skew and smile far off
        let mut wanted = surface([9_000, 5_500], -9_000, 200_000);
        wanted.min_vol_bps = 50;
        let b = within_bounds(&u, &wanted, 0).unwrap();
        assert_eq!(b.surface.atm_vol_bps[0], 6_600, "10 % above 60 %");
        assert_eq!(b.surface.atm_vol_bps[1], 5_500);
        assert_eq!(b.surface.min_vol_bps, 1_800, "10 % below 20 %");
        assert_eq!(b.surface.skew_bps, -2_000, "10 % of 1.0 below -0.1");
        assert_eq!(b.surface.smile_bps, 3_000);
        let fields: Vec<&str> = b.clips.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["atm[0]", "min_vol", "skew", "smile"]);
        assert!(b.clips.iter().all(|c| c.bound == "step"), "{:?}", b.clips);
        assert_eq!(
            (b.clips[0].wanted_bps, b.clips[0].published_bps),
            (9_000, 6_600)
        );

        // inside a window that already moved 18 % up from its anchor, the window binds first
        let mut u = underlying(surface([7_080, 5_500], -1_000, 2_000));
        u.surface_anchor = surface([6_000, 5_500], -1_000, 2_000);
        u.surface_anchor_at = 0;
        let b = within_bounds(&u, &surface([8_000, 5_500], -1_000, 2_000), 10).unwrap();
        assert_eq!(
            b.surface.atm_vol_bps[0], 7_200,
            "20 % above the 60 % anchor"
        );
        assert_eq!(b.clips[0].bound, "window");
    }

    #[test]
    fn another_tenor_grid_is_the_programs_refusal() {
        let u = underlying(surface([6_000, 5_500], -1_000, 2_000));
        let mut wanted = surface([6_000, 5_500], -1_000, 2_000);
        wanted.tenor_secs[1] = 60 * 86_400;
        let e = within_bounds(&u, &wanted, 0).unwrap_err();
        assert!(
            e.is(greekhouse::errors::GreekhouseError::VolSurfaceStepTooLarge),
            "{e}"
        );
    }
}
