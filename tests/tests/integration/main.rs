//! Every integration test in one binary: linking the Solana runtime dominates build time, so
//! one test binary instead of one per capability. Modules by capability; `harness` is the
//! shared world (built on the SDK's scenario kit).

mod harness;

mod admin;
mod bank;
mod governance;
mod insurance;
mod invariants;
mod keeper;
mod largest;
mod lifecycle;
mod liquidation;
mod locks;
mod oracle;
mod rpc;
mod rulebook;
mod scenario_chain;
mod settlement;
mod smoke;
mod test_oracle;
mod vault;
mod waterfall;
mod writer;
