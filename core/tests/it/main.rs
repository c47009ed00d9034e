//! ccmeter-core's integration tests, one binary (one link), a module per subject: the store against real
//! Claude Code telemetry, the queries, budgets, deletion, export and import.

mod breakdowns;
mod budget;
mod common;
mod connect;
mod daily;
mod dashboard;
mod delete;
mod export;
mod first_run;
mod glance;
mod history;
mod insights;
mod privacy;
mod store;
mod transcripts;
mod transfer;
