//! See Cargo.toml: only its dependency's rlib is used (memcpy/memset/memmove/memcmp through the
//! `sol_mem*_` syscalls, 128-bit integer and f64 soft-float builtins).
#![no_std]
pub use solana_compiler_builtins as _;
