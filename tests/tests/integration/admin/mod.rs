//! The admin's instructions: the clearing house, its admin key and pauses; listings and the
//! vol updater's surface.

mod clearinghouse;
mod listing;
