//! Harness extensions for the ext_market test files (owned by their author).
#![allow(dead_code)]
use super::*;
