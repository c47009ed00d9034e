//! The write path, all of it run by the single writer (`writer`) in its transactions: telemetry batches
//! into raw records and rollups (`ingest`), the day and hour aggregates kept from the rollups (`daily`),
//! deletions and retention (`delete`), erasing content (`erase`), alert records (`alerts`), statusline
//! snapshots (`statusline`), sessions' projects (`projects`), and moving history between databases (`transfer`).

pub mod alerts;
pub mod daily;
pub mod delete;
pub mod erase;
pub mod ingest;
pub mod projects;
pub mod statusline;
pub mod transfer;
pub mod writer;
