//! Harness extensions for the ext_admin test files (owned by their author).
#![allow(dead_code)]
use super::*;
