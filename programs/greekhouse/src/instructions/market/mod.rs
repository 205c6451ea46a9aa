pub mod create_series;

pub use create_series::*;
