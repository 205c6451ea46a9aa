//! The vol surface's window limit: updates cannot compound past the step.
use super::*;

pub(super) fn scaled(s: StoredVolSurface, num: u32, den: u32) -> StoredVolSurface {
    let mut s = s;
    for v in s.atm_vol_bps.iter_mut().take(s.tenor_count as usize) {
        *v = *v * num / den;
    }
    s
}

#[test]
fn vol_updates_in_one_window_cannot_compound_past_twice_the_step() {
    let mut env = Env::new();
    let sol = env.sol.key;
    let base = env.underlying(&sol).surface;
    let updater = env.vol_updater.insecure_clone();
    let set = |s| ix::set_vol_surface(sol, updater.pubkey(), s);
    // max change 50 %: x1.5 then x1.33 (= x2.0 of the anchor) pass; one more step fails, even
    // inside one transaction
    let (a, b, c) = (scaled(base, 3, 2), scaled(base, 2, 1), scaled(base, 5, 2));
    expect_err(
        env.chain.send(&[set(a), set(b), set(c)], &[&updater]),
        E::VolSurfaceWindowExceeded,
    );
    env.chain.send(&[set(a), set(b)], &[&updater]).unwrap();
    expect_err(
        env.send_ix(set(c), &[&updater]),
        E::VolSurfaceWindowExceeded,
    );
    // after the window, the current surface becomes the anchor
    env.advance(3_600);
    env.send_ix(set(c), &[&updater]).unwrap();
    let u = env.underlying(&sol);
    assert_eq!(u.surface_anchor, b);
    assert_eq!(u.surface_anchor_at, env.now());
    assert_eq!(u.surface, c);
}

/// With `c = 50 %`, `|new - anchor| <= 2c * anchor` had no lower bound: x1/2, x1/4, x1/8 each
/// stayed within `c` of the previous surface and within 100 % of the anchor. The window is a
/// ratio both ways: within `[anchor / (1 + 2c), anchor * (1 + 2c)]`.
#[test]
fn vol_updates_in_one_window_cannot_halve_the_surface_three_times() {
    let mut env = Env::new();
    let sol = env.sol.key;
    assert_eq!(env.underlying(&sol).surface_max_change_bps, 5_000);
    let base = env.underlying(&sol).surface;
    let updater = env.vol_updater.insecure_clone();
    let set = |s| ix::set_vol_surface(sol, updater.pubkey(), s);
    let (half, quarter, eighth) = (scaled(base, 1, 2), scaled(base, 1, 4), scaled(base, 1, 8));
    expect_err(
        env.chain
            .send(&[set(half), set(quarter), set(eighth)], &[&updater]),
        E::VolSurfaceWindowExceeded,
    );
    assert_eq!(env.underlying(&sol).surface, base);
    // x1/2 then x1/4 alone (each within c of the one before): a quarter is beyond the floor
    expect_err(
        env.chain.send(&[set(half), set(quarter)], &[&updater]),
        E::VolSurfaceWindowExceeded,
    );
    // half is the window's floor (anchor / (1 + 2c)); a quarter is beyond it
    env.send_ix(set(half), &[&updater]).unwrap();
    expect_err(
        env.send_ix(set(quarter), &[&updater]),
        E::VolSurfaceWindowExceeded,
    );
    // upwards, as before: twice the anchor at most
    env.chain
        .send(&[set(scaled(base, 3, 4)), set(base)], &[&updater])
        .unwrap();
    // the next window starts from the surface then
    env.advance(3_600);
    env.send_ix(set(half), &[&updater]).unwrap();
    assert_eq!(env.underlying(&sol).surface, half);
}
