//! Governance changes (docs/governance.md): one path for every governed value.
//! `queue_change` applies a tightening at once and queues a loosening behind the timelock;
//! `execute_change` (anyone, after the timelock) and `cancel_change` (admin or guardian).

pub mod cancel_change;
pub mod execute_change;
pub mod queue_change;

pub use cancel_change::*;
pub use execute_change::*;
pub use queue_change::*;
