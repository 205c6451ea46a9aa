//! Every integration test in one binary: linking the Solana runtime dominates build time, so
//! one test binary instead of one per capability. Modules by capability; `harness` is the
//! shared world (built on the SDK's scenario kit).

mod harness;

mod flows;
mod gov_changes;
mod gov_verdict;
mod governance;
mod insurance;
mod invariants;
mod keeper;
mod lifecycle;
mod liquidation;
mod liquidator;
mod listing;
mod locks;
mod oracle;
mod projections;
mod rpc;
mod settlement;
mod smoke;
mod test_oracle;
mod waterfall;
mod writer_accounts;
mod writing;
