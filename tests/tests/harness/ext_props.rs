//! Harness extensions for the ext_props test files (owned by their author).
#![allow(dead_code)]
use super::*;
