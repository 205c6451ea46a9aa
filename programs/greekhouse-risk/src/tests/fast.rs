//! Unit tests of `fast.rs` (host only; f64 references live here, never in the on-chain code).

use super::*;
use crate::bs::{evaluate_raw, moneyness, EvalIn, OptionKind, SpotShock};

struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    fn log_uniform(&mut self, lo: f64, hi: f64) -> f64 {
        libm::exp(libm::log(lo) + self.next() * (libm::log(hi) - libm::log(lo)))
    }
}

/// The fast normalised price against the precise core at the same shocked point, over the
/// margin's domain (K/S 0.01..100, T 1 minute..5 years, vols 1 %..1000 %, shocks +-99 %).
#[test]
fn fast_error_below_bound() {
    let mut rng = Lcg(99);
    let (mut lo, mut hi) = (i128::MAX, i128::MIN);
    for i in 0..40_000 {
        let s = (rng.log_uniform(1e-3, 1e8) * 1e12) as u128;
        let k = ((s as f64) * rng.log_uniform(0.01, 100.0)) as u128 + 1;
        let t = (rng.log_uniform(1.0 / 525_600.0, 5.0) * 1e12) as u128;
        let vol = (rng.log_uniform(0.01, 10.0) * 1e12) as u128;
        let r = (rng.next() * 0.2 * 1e12) as u128;
        let sp = crate::bs::SpotPrep::new(s, r);
        let (x, lnx) = moneyness(sp.inv_s, k);
        let tt = crate::bs::time_terms(t, r);
        let e = evaluate_raw(&EvalIn {
            sp: &sp,
            k,
            x,
            lnx,
            vol_raw: vol,
            tt,
        })
        .unwrap();
        let h = rng.next() * 0.99;
        let up = i % 2 == 0;
        let mult = if up { 1.0 + h } else { 1.0 - h };
        let m = Bf::from_u128((mult * 2f64.powi(62)) as u128).shl(-62);
        let sh = SpotShock {
            s_raw: s,
            inv1s: m.recip(),
            ln1s: crate::math::ln_q55(m),
        };
        let sig = Bf::from_fixed_raw(vol + (rng.next() * 0.5e12) as u128);
        let fs = FastScen {
            ln1s: sh.ln1s,
            inv1s_q56: sh.inv1s.to_q64(56),
            vol_idx: 1,
        };
        let mut legs = LegShocks::BLANK;
        shocked_leg(
            &LegIn {
                e: &e,
                vs: &[Bf::ONE, sig.mul(e.tt.sqrt_t)],
                scens: &[fs],
            },
            &mut legs,
        );
        if !legs.fast {
            continue;
        }
        let (fc, fp) = legs.vals[0];
        for kind in [OptionKind::Call, OptionKind::Put] {
            let fast = if kind == OptionKind::Call { fc } else { fp };
            let v = sig.mul(e.tt.sqrt_t);
            let n = crate::bs::Norm {
                kp: e.n.kp.mul(sh.inv1s),
                lnkp: e.n.lnkp.saturating_sub(sh.ln1s),
                v,
                w: v.recip(),
            };
            let c = crate::bs::core(&n).unwrap();
            let precise = (c.price(kind) >> 31) as u64; // Q32
                                                        // the fast value must be an upper bound, within allowance + error bound
            let d = fast as i128 - precise as i128;
            lo = lo.min(d);
            hi = hi.max(d);
        }
    }
    std::println!("fast - precise at Q32: min {lo}, max {hi} (allowance {FAST_ALLOWANCE_Q32})");
    assert!(lo >= 0, "fast evaluator below the precise value: {lo}");
    assert!(
        hi <= (FAST_ALLOWANCE_Q32 + FAST_MAX_ERR_Q32) as i128,
        "{hi}"
    );
}
