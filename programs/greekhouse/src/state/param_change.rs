//! Governance: the value of a governed change ([`GovValue`]) and the queued loosening change
//! ([`ParamChange`]), executable by anyone after its timelock (docs/governance.md).

use crate::prelude::*;

use super::{
    GlobalParams, OracleConfig, SeriesRules, StoredMarginParams, StoredRealizedVol,
    StoredTailAndSize,
};
use crate::constants::ACCOUNT_VERSION;
use crate::errors::GreekhouseError;

/// Whether a listed underlying or collateral asset may be used. A listing starts `Pending`;
/// enabling it is a loosening change behind the timelock, disabling it a tightening.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ListingState {
    /// Listed, waiting for its timelocked enabling (or disabled again by governance).
    Pending = 0,
    /// Usable: series, writes (underlying), deposits (collateral).
    Enabled = 1,
}

impl ListingState {
    pub fn from_u8(v: u8) -> Result<Self> {
        match v {
            0 => Ok(ListingState::Pending),
            1 => Ok(ListingState::Enabled),
            _ => err!(GreekhouseError::InvariantViolated),
        }
    }
}

/// Open-interest limits of an underlying.
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
pub struct OpenInterestLimits {
    /// The underlying's cap (underlying units, exponent 6).
    pub open_interest_cap: u64,
    /// One writer account's cap as a share of `open_interest_cap` (bps).
    pub writer_share_bps: u32,
    pub _padding: u32,
}

/// Vol-surface limits of an underlying.
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
pub struct SurfaceLimits {
    /// A surface older than this is stale (seconds).
    pub max_age_secs: u32,
    /// Largest relative change of one update (bps); `2x` of it against the window's anchor.
    pub max_change_bps: u32,
    /// Length of the anchor window (seconds).
    pub anchor_interval_secs: u32,
    pub _padding: u32,
}

/// Weights of a collateral asset.
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
pub struct CollateralWeights {
    pub init_weight_bps: u16,
    pub maint_weight_bps: u16,
}

/// Price source of a collateral asset.
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
pub struct PriceSourceConfig {
    /// The underlying whose oracle prices the asset (default when pegged).
    pub price_underlying: Pubkey,
    /// [`PriceSource`](super::PriceSource) as u8.
    pub price_source: u8,
}

/// One governed value, with the account kind it lives in. A change names its target account
/// (the clearing house for `GlobalParams` and `Guardian`, an `Underlying`, or a
/// `CollateralAsset`) and the complete new value of one of these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, AnchorSerialize, AnchorDeserialize)]
pub enum GovValue {
    /// Clearing house: every global parameter.
    GlobalParams(GlobalParams),
    /// Clearing house: the guardian (default = none).
    Guardian(Pubkey),
    /// Underlying: margin parameters.
    MarginParams(StoredMarginParams),
    /// Underlying: oracle configuration.
    OracleConfig(OracleConfig),
    /// Underlying: open-interest cap and per-writer share.
    OpenInterest(OpenInterestLimits),
    /// Underlying: series rules.
    SeriesRules(SeriesRules),
    /// Underlying: vol-surface limits.
    SurfaceLimits(SurfaceLimits),
    /// Underlying: the vol updater (default = none).
    VolUpdater(Pubkey),
    /// Underlying: listing enabled.
    UnderlyingEnabled(bool),
    /// Collateral asset: weights.
    CollateralWeights(CollateralWeights),
    /// Collateral asset: deposit cap (native units).
    DepositCap(u64),
    /// Collateral asset: price source.
    PriceSource(PriceSourceConfig),
    /// Collateral asset: listing enabled.
    CollateralEnabled(bool),
    /// Underlying: the predictive spot shock and its realized-vol estimate's parameters.
    RealizedVol(StoredRealizedVol),
    /// Underlying: IM's tail scenario and size charge.
    TailAndSize(StoredTailAndSize),
}

/// Which account a [`GovValue`] lives in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetKind {
    Clearinghouse,
    Underlying,
    CollateralAsset,
}

/// Bytes of the largest encoded value.
pub const GOV_VALUE_BYTES: usize = 128;

impl GovValue {
    /// Stable tag of the variant (stored in [`ParamChange::kind`]).
    pub fn kind(&self) -> u8 {
        match self {
            GovValue::GlobalParams(_) => 0,
            GovValue::Guardian(_) => 1,
            GovValue::MarginParams(_) => 2,
            GovValue::OracleConfig(_) => 3,
            GovValue::OpenInterest(_) => 4,
            GovValue::SeriesRules(_) => 5,
            GovValue::SurfaceLimits(_) => 6,
            GovValue::VolUpdater(_) => 7,
            GovValue::UnderlyingEnabled(_) => 8,
            GovValue::CollateralWeights(_) => 9,
            GovValue::DepositCap(_) => 10,
            GovValue::PriceSource(_) => 11,
            GovValue::CollateralEnabled(_) => 12,
            GovValue::RealizedVol(_) => 13,
            GovValue::TailAndSize(_) => 14,
        }
    }

    /// The account kind the value lives in.
    pub fn target_kind(&self) -> TargetKind {
        match self {
            GovValue::GlobalParams(_) | GovValue::Guardian(_) => TargetKind::Clearinghouse,
            GovValue::CollateralWeights(_)
            | GovValue::DepositCap(_)
            | GovValue::PriceSource(_)
            | GovValue::CollateralEnabled(_) => TargetKind::CollateralAsset,
            _ => TargetKind::Underlying,
        }
    }

    /// Fixed-size encoding stored in a [`ParamChange`].
    pub fn to_bytes(&self) -> [u8; GOV_VALUE_BYTES] {
        let mut out = [0u8; GOV_VALUE_BYTES];
        let mut w = &mut out[..];
        // the borsh encoding of every variant fits (checked by a unit test)
        self.serialize(&mut w)
            .expect("GovValue fits GOV_VALUE_BYTES");
        out
    }

    pub fn from_bytes(bytes: &[u8; GOV_VALUE_BYTES]) -> Result<Self> {
        let mut r = &bytes[..];
        GovValue::deserialize(&mut r).map_err(|_| error!(GreekhouseError::InvariantViolated))
    }
}

/// Status of a [`ParamChange`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ChangeStatus {
    Queued = 0,
    Executed = 1,
    Cancelled = 2,
}

/// PDA [`PARAM_CHANGE_SEED`](crate::constants::PARAM_CHANGE_SEED), clearinghouse, change id
/// (u64 LE). One queued loosening change: its target, the value at queue time (`old`, the
/// change is stale when the target no longer holds it), the new value and its earliest
/// execution time. Kept after execution or cancellation as a record.
#[cfg_attr(feature = "anchor", account(zero_copy))]
#[cfg_attr(
    not(feature = "anchor"),
    derive(Copy, Clone, bytemuck::Pod, bytemuck::Zeroable),
    repr(C)
)]
#[derive(Debug)]
pub struct ParamChange {
    pub version: u8,
    pub bump: u8,
    /// [`ChangeStatus`] as u8.
    pub status: u8,
    /// [`GovValue::kind`] of the change.
    pub kind: u8,
    pub _padding: [u8; 4],
    pub change_id: u64,
    pub clearinghouse: Pubkey,
    /// The account the value lives in (the clearing house, an underlying or a collateral asset).
    pub target: Pubkey,
    /// The admin that queued it.
    pub proposer: Pubkey,
    pub queued_at: i64,
    /// Earliest execution time: `queued_at + timelock`.
    pub eta: i64,
    /// When it was executed or cancelled (0 while queued).
    pub resolved_at: i64,
    /// Borsh encoding of the old and the new [`GovValue`], zero padded.
    pub old_value: [u8; GOV_VALUE_BYTES],
    pub new_value: [u8; GOV_VALUE_BYTES],
    pub reserved: [u8; 64],
}

const _: () = assert!(core::mem::size_of::<ParamChange>() == 8 + 8 + 32 * 3 + 8 * 3 + 2 * 128 + 64);

impl ParamChange {
    pub const SPACE: usize = 8 + core::mem::size_of::<ParamChange>();

    pub fn old(&self) -> Result<GovValue> {
        GovValue::from_bytes(&self.old_value)
    }

    pub fn new_value(&self) -> Result<GovValue> {
        GovValue::from_bytes(&self.new_value)
    }

    pub fn is_queued(&self) -> bool {
        self.status == ChangeStatus::Queued as u8
    }

    pub fn invariant(&self) -> Result<()> {
        require!(
            self.version == ACCOUNT_VERSION,
            GreekhouseError::UnsupportedVersion
        );
        require!(
            self.status <= ChangeStatus::Cancelled as u8,
            GreekhouseError::InvariantViolated
        );
        let (old, new) = (self.old()?, self.new_value()?);
        require!(
            old.kind() == self.kind && new.kind() == self.kind,
            GreekhouseError::InvariantViolated
        );
        require!(
            self.eta >= self.queued_at,
            GreekhouseError::InvariantViolated
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_fits_and_round_trips() {
        let values = [
            GovValue::GlobalParams(GlobalParams::DEFAULT),
            GovValue::Guardian(Pubkey::new_unique()),
            GovValue::MarginParams(StoredMarginParams::default()),
            GovValue::OracleConfig(OracleConfig {
                oracle_program: Pubkey::new_unique(),
                feed: [9; 32],
                max_age_secs: 30,
                liq_max_age_secs: 60,
                max_conf_bps: 200,
                kind: 1,
                _padding: [0; 3],
            }),
            GovValue::OpenInterest(OpenInterestLimits::default()),
            GovValue::SeriesRules(SeriesRules::default()),
            GovValue::SurfaceLimits(SurfaceLimits::default()),
            GovValue::VolUpdater(Pubkey::new_unique()),
            GovValue::UnderlyingEnabled(true),
            GovValue::CollateralWeights(CollateralWeights::default()),
            GovValue::DepositCap(u64::MAX),
            GovValue::PriceSource(PriceSourceConfig::default()),
            GovValue::CollateralEnabled(false),
            GovValue::RealizedVol(StoredRealizedVol::default_params()),
            GovValue::TailAndSize(StoredTailAndSize::default_params(u64::MAX)),
        ];
        for (i, v) in values.iter().enumerate() {
            assert_eq!(v.kind() as usize, i);
            let mut buf = Vec::new();
            v.serialize(&mut buf).unwrap();
            assert!(buf.len() <= GOV_VALUE_BYTES, "{v:?}");
            assert_eq!(GovValue::from_bytes(&v.to_bytes()).unwrap(), *v);
        }
    }
}
