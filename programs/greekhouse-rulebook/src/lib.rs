//! The rulebook of the Greekhouse program as a `no_std + alloc` library: its zero-copy accounts
//! (`state`), the engine with one action per value-moving or margin-checked instruction
//! (`engine::actions`), the oracle checks, the instructions' arguments (`args`), `errors`,
//! `events` and `constants`.
//!
//! Nothing here is a copy. Each module below is the program's own source file
//! (`programs/greekhouse/src/...`), compiled a second time without the program's `anchor`
//! feature: Anchor's derives and the code that touches `AccountInfo`s, CPIs or Pyth's crates
//! drop out (`#[cfg(feature = "anchor")]` in those files), and `prelude` supplies the few names
//! the rules take from Anchor with the same meaning (`Pubkey`, `Result`, `require!`, ...).
//! Refusals keep the program's error codes ([`errors::GreekhouseError::code`]).
//!
//! Built for the targets the program's Anchor build cannot reach: the sBPF probe
//! (`bpfel-unknown-none` with only `core` and `alloc`) and WebAssembly. Being a plain library
//! (no `cdylib`), it links into either. `cargo clippy --workspace` checks it on every run.
#![no_std]
// The program's crate-level lint settings (lib.rs), for the same files.
#![allow(unexpected_cfgs)]
#![allow(clippy::result_large_err, clippy::too_many_arguments)]
// Here `Error` is `GreekhouseError` itself, so the program's `GreekhouseError::X.into()` (into
// Anchor's error) is an identity conversion in this build.
#![allow(clippy::useless_conversion)]

extern crate alloc;

#[path = "../../greekhouse/src/args.rs"]
pub mod args;
#[path = "../../greekhouse/src/constants.rs"]
pub mod constants;
#[path = "../../greekhouse/src/engine/mod.rs"]
#[deny(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap,
    clippy::cast_lossless
)]
pub mod engine;
#[path = "../../greekhouse/src/errors.rs"]
pub mod errors;
#[path = "../../greekhouse/src/events.rs"]
pub mod events;
#[path = "../../greekhouse/src/oracle/mod.rs"]
pub mod oracle;
#[path = "../../greekhouse/src/prelude.rs"]
pub mod prelude;
#[path = "../../greekhouse/src/state/mod.rs"]
pub mod state;
