pub mod set_vol_surface;

pub use set_vol_surface::*;
