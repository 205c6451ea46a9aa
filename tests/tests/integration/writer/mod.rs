//! The writer's instructions: accounts, deposits and withdrawals, series and writing, and the
//! SDK's flows and projections of them.

mod accounts;
mod flows;
mod projections;
mod writing;
