//! ccmeter's engine: the SQLite store, the write path that turns telemetry into rows and rollups, the read
//! path every figure comes from, budgets, and the collector that runs the receiver and the store together.
//! No GUI dependency: builds and tests without a display.
//!
//! The layers, each using only those before it:
//!
//! ```text
//! words      the shared vocabulary: periods, time and ranges, money, sources, settings (no SQL, no IO)
//! store      the database file: connection, schema, migrations, the settings row, the one-source rule
//! write      the single writer, what it writes, the day and hour aggregates
//! read       every figure, read-only (beside write: neither uses the other)
//! budget     where each budget stands, and its alerts (reads figures, records alerts)
//! limits     where a subscriber's plan-limit windows stand, and their alerts
//! forecast   where the limit windows and the daily budget are heading at the last hour's pace
//! dashboard  the dashboard window's whole picture
//! statusline what `ccmeter statusline` shows beside its payload's own figures
//! apply_settings  saving settings that prune and erase
//! transcripts what Claude Code's own transcripts say of each session (its folder, its responses' usage)
//! pricing    what tokens cost when Claude Code did not say: rates learned from telemetry, the bundled table
//! history    the transcripts' requests imported as estimated history, each request once
//! collector  the OTLP receiver and the store running together, headless or inside the tray app
//! ```
//!
//! Beside them: `error` (the one error type), `paths` (where files live), `fs` (whole-file writes),
//! `connect` (Claude Code's own settings file), `spool` (statusline snapshots waiting for the app) and `logging` (the processes' log setup).

pub mod apply_settings;
pub mod budget;
pub mod collector;
pub mod connect;
pub mod dashboard;
pub mod error;
pub mod forecast;
pub mod fs;
pub mod history;
pub mod limits;
pub mod logging;
pub mod paths;
pub mod pricing;
pub mod read;
pub mod spool;
pub mod statusline;
pub mod store;
pub mod transcripts;
pub mod words;
pub mod write;

pub use error::{Result, StoreError};
pub use words::settings::Settings;
pub use words::time::TimeContext;
pub use write::writer::{Committed, Store};
