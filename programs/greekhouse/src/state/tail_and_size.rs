//! IM's extended (tail) scenario and size charge of an underlying as stored (docs/risk-model.md
//! 6.9 and 6.10): governed like the margin levels, kept in the
//! [`Underlying`](super::Underlying). The arithmetic is the risk engine's
//! (`greekhouse_risk::margin`: `tail.rs`, `size.rs`).

use crate::prelude::*;
use greekhouse_risk::{Fixed, MarginParams};

use crate::constants::bounds;
use crate::errors::GreekhouseError;
use crate::state::params::in_bounds;

/// Governed: IM's tail scenario and size charge of one underlying.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    bytemuck::Pod,
    bytemuck::Zeroable,
    AnchorSerialize,
    AnchorDeserialize,
)]
#[repr(C)]
pub struct StoredTailAndSize {
    /// The tail's spot shocks down and up (bps of spot; at most 95 %).
    pub tail_down_bps: u32,
    pub tail_up_bps: u32,
    /// IM's add-on is at least this share of the worst loss at the two tail points (bps;
    /// 0 = no tail).
    pub tail_weight_bps: u32,
    /// The size charge `k` (bps; 0 = no charge): IM's add-on is multiplied by
    /// `1 + k (q - C) / C` for live short units `q` above the capacity `C`.
    pub size_charge_bps: u32,
    /// The liquidation capacity `C`: the short units (underlying units at exponent 6, like the
    /// open-interest cap) one auction is expected to absorb at its usual discount. Never zero
    /// (turn the charge off with `size_charge_bps`), so a smaller capacity is always tighter.
    pub size_capacity: u64,
}

const _: () = assert!(core::mem::size_of::<StoredTailAndSize>() == 24);

/// A listing's default liquidation capacity, as a share of its open-interest cap (bps): a
/// tenth, below one writer's default share (a quarter), so an account at its own cap pays
/// the charge.
pub const DEFAULT_SIZE_CAPACITY_SHARE_BPS: u64 = 1_000;

impl StoredTailAndSize {
    /// The risk engine's tail and charge (-33 % / +33 % weighted 0.5; `k` = 0.5), with the
    /// capacity a tenth of `open_interest_cap` (at least one unit).
    pub fn default_params(open_interest_cap: u64) -> StoredTailAndSize {
        let m = MarginParams::DEFAULT;
        let bps = |f: Fixed| (f.raw() / 100_000_000) as u32;
        let capacity = (u128::from(open_interest_cap) * u128::from(DEFAULT_SIZE_CAPACITY_SHARE_BPS)
            / u128::from(crate::constants::BPS_ONE)) as u64;
        StoredTailAndSize {
            tail_down_bps: bps(m.tail_down),
            tail_up_bps: bps(m.tail_up),
            tail_weight_bps: bps(m.tail_weight),
            size_charge_bps: bps(m.size_charge),
            size_capacity: capacity.max(1),
        }
    }

    /// True for an underlying listed before the value existed (every field zero, which no
    /// governed value can be: its capacity is never zero).
    pub fn is_unset(&self) -> bool {
        *self == StoredTailAndSize::default()
    }

    /// The value margin and governance use: the stored one, or for an unset one the listing
    /// defaults over the current open-interest cap (so such an underlying keeps the tail it had
    /// at the engine's defaults, and governance moves it in steps from there).
    pub fn effective(&self, open_interest_cap: u64) -> StoredTailAndSize {
        if self.is_unset() {
            StoredTailAndSize::default_params(open_interest_cap)
        } else {
            *self
        }
    }

    /// Within its bounds, or unset.
    pub fn validate(&self) -> Result<()> {
        if self.is_unset() {
            return Ok(());
        }
        in_bounds(self.tail_down_bps, bounds::TAIL_SHOCK_BPS)?;
        in_bounds(self.tail_up_bps, bounds::TAIL_SHOCK_BPS)?;
        in_bounds(self.tail_weight_bps, bounds::TAIL_WEIGHT_BPS)?;
        in_bounds(self.size_charge_bps, bounds::SIZE_CHARGE_BPS)?;
        require!(
            self.size_capacity > 0,
            GreekhouseError::ParameterOutOfBounds
        );
        Ok(())
    }

    /// Write the tail and the charge into the engine's parameters.
    pub fn apply(&self, p: &mut MarginParams) {
        let bps = |v: u32| Fixed::from_bps(i64::from(v));
        p.tail_down = bps(self.tail_down_bps);
        p.tail_up = bps(self.tail_up_bps);
        p.tail_weight = bps(self.tail_weight_bps);
        p.size_charge = bps(self.size_charge_bps);
        // exponent 6 to the engine's 12
        p.size_capacity = Fixed::from_raw(i128::from(self.size_capacity) * 1_000_000);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_validate_and_out_of_bound_values_are_refused() {
        let d = StoredTailAndSize::default_params(1_000_000);
        assert_eq!(d.size_capacity, 100_000);
        d.validate().unwrap();
        // a tiny cap still has a capacity of one unit
        assert_eq!(StoredTailAndSize::default_params(5).size_capacity, 1);
        // unset (an underlying listed before the value existed): valid, effective as listed
        let unset = StoredTailAndSize::default();
        unset.validate().unwrap();
        assert_eq!(unset.effective(1_000_000), d);
        assert_eq!(d.effective(5), d);
        let bad = [
            StoredTailAndSize {
                size_capacity: 0,
                ..d
            },
            StoredTailAndSize {
                tail_down_bps: 9_501,
                ..d
            },
            StoredTailAndSize {
                tail_up_bps: 9_501,
                ..d
            },
            StoredTailAndSize {
                tail_weight_bps: 10_001,
                ..d
            },
            StoredTailAndSize {
                size_charge_bps: 100_001,
                ..d
            },
        ];
        for b in bad {
            assert!(b.validate().is_err(), "{b:?}");
        }
        // the engine agrees with the stored bounds at their edges
        let edge = StoredTailAndSize {
            tail_down_bps: 9_500,
            tail_up_bps: 9_500,
            tail_weight_bps: 10_000,
            size_charge_bps: 100_000,
            size_capacity: 1,
        };
        edge.validate().unwrap();
        let mut p = MarginParams::DEFAULT;
        edge.apply(&mut p);
        p.validate().unwrap();
    }
}
