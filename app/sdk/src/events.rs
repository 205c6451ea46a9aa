//! Decoding of the events the program emits through Anchor's event CPI: each is a self-invoked
//! instruction whose data is `EVENT_IX_TAG || discriminator || borsh(event)`.

use anchor_lang::{AnchorDeserialize, Discriminator};
use greekhouse::events::*;

macro_rules! events {
    ($($name:ident),* $(,)?) => {
        /// Every event of the program.
        #[derive(Debug, Clone)]
        pub enum GreekhouseEvent {
            $($name($name),)*
        }

        impl GreekhouseEvent {
            /// Decode one event from the event-CPI instruction data; `None` when the data is not
            /// an event of this program.
            pub fn decode(ix_data: &[u8]) -> Option<Self> {
                let tag = anchor_lang::event::EVENT_IX_TAG_LE;
                let rest = ix_data.strip_prefix(tag)?;
                $(
                    if let Some(mut body) = rest.strip_prefix($name::DISCRIMINATOR) {
                        return $name::deserialize(&mut body).ok().map(GreekhouseEvent::$name);
                    }
                )*
                None
            }

            /// The event's type name.
            pub fn name(&self) -> &'static str {
                match self {
                    $(GreekhouseEvent::$name(_) => stringify!($name),)*
                }
            }
        }

        $(
            impl ProgramEvent for $name {
                fn from_event(event: &GreekhouseEvent) -> Option<&Self> {
                    match event {
                        GreekhouseEvent::$name(e) => Some(e),
                        _ => None,
                    }
                }
            }
        )*
    };
}

/// One event type of the program, to pick out of a transaction's events
/// ([`crate::chain::TxOutcome::event`]).
pub trait ProgramEvent: Sized + Clone {
    fn from_event(event: &GreekhouseEvent) -> Option<&Self>;
}

events!(
    ClearinghouseInitialized,
    AdminProposed,
    AdminAccepted,
    PauseFlagsChanged,
    UnderlyingListed,
    VolSurfaceSet,
    CollateralListed,
    OraclePriceAccepted,
    WriterAccountOpened,
    WriterAccountClosed,
    Deposited,
    Withdrawn,
    SeriesCreated,
    OptionsWritten,
    OptionsBurned,
    FeesSwept,
    LiquidationStarted,
    SliceBought,
    LiquidationEnded,
    BankruptcyResolved,
    InsuranceStakeOpened,
    Staked,
    InsuranceSharesRebased,
    StakeRebased,
    UnstakeRequested,
    UnstakeCancelled,
    Unstaked,
    Donated,
    SettlementPricePosted,
    SeriesSettled,
    PositionSettled,
    DebtResolved,
    BackstopOpened,
    BackstopBought,
    SeriesFinalized,
    Redeemed,
    SeriesDustSwept,
    ChangeApplied,
    ChangeQueued,
    ChangeExecuted,
    ChangeCancelled,
);
