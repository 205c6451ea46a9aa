//! What `state/` and `engine/` import instead of `anchor_lang::prelude::*`.
//!
//! In the program (feature `anchor`, the default) this is Anchor's prelude. In the no_std build
//! (`--no-default-features`) it is the handful of names the rulebook uses from it, with the
//! same meaning: `Pubkey` is the very type Anchor re-exports (`solana_address::Address`),
//! `AnchorSerialize`/`AnchorDeserialize` are
//! borsh's, which Anchor re-exports under those names; `Result<T>` fails with the program's own [`GreekhouseError`](crate::errors::GreekhouseError),
//! and `require!`, `require_keys_eq!`, `err!` and `error!` return it. `msg!` logs nothing there.
//! A refusal therefore carries the same error code in both builds.

#[cfg(feature = "anchor")]
pub use anchor_lang::prelude::*;

#[cfg(not(feature = "anchor"))]
pub use bare::*;

#[cfg(not(feature = "anchor"))]
mod bare {
    pub use alloc::boxed::Box;
    pub use alloc::vec;
    pub use alloc::vec::Vec;
    // Anchor's names for borsh's traits and derives, which they are.
    pub use borsh::{BorshDeserialize as AnchorDeserialize, BorshSerialize as AnchorSerialize};
    pub use solana_address::Address as Pubkey;

    /// A refusal of the no_std build: the program error it would return on chain.
    pub type Error = crate::errors::GreekhouseError;
    /// Anchor's `Result`, failing with the program's error.
    pub type Result<T> = core::result::Result<T, Error>;

    /// `require!(condition, error)`: return `error` unless `condition` holds.
    macro_rules! require {
        ($invariant:expr, $error:expr $(,)?) => {
            if !($invariant) {
                return ::core::result::Result::Err($crate::errors::GreekhouseError::from($error));
            }
        };
    }

    /// `require_keys_eq!(a, b, error)`: return `error` unless the two keys are equal.
    macro_rules! require_keys_eq {
        ($a:expr, $b:expr, $error:expr $(,)?) => {
            if $a != $b {
                return ::core::result::Result::Err($crate::errors::GreekhouseError::from($error));
            }
        };
    }

    /// `error!(e)`: the error value itself.
    macro_rules! error {
        ($error:expr $(,)?) => {
            $crate::errors::GreekhouseError::from($error)
        };
    }

    /// `err!(e)`: `Err(e)`.
    macro_rules! err {
        ($error:expr $(,)?) => {
            ::core::result::Result::Err($crate::errors::GreekhouseError::from($error))
        };
    }

    /// `msg!`: type-checks its arguments and logs nothing.
    macro_rules! msg {
        ($($arg:tt)*) => {
            if false {
                let _ = ::core::format_args!($($arg)*);
            }
        };
    }

    pub(crate) use {err, error, msg, require, require_keys_eq};
}
