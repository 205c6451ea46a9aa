pub mod pause;

pub use pause::*;
