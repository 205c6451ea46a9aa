//! Integration tests live in tests/tests; the shared harness is tests/tests/harness.
