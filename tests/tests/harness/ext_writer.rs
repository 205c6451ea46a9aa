//! Harness extensions for the ext_writer test files (owned by their author).
#![allow(dead_code)]
use super::*;
