//! Governance: queued and immediate changes of every governed value, key rotation, the
//! compromised-key scenarios, and the verdict the SDK projects.

mod changes;
mod verdict;
