//! ccmeter's engine: the SQLite store (schema, migrations, single writer, rollups), the queries the
//! windows and the CLI read, and settings. No GUI dependency: builds and tests without a display.

pub mod apply_settings;
pub mod budget;
pub mod connect;
pub mod dashboard;
pub mod delete;
pub mod diagnostics;
pub mod erase;
pub mod error;
pub mod event_stats;
pub mod export;
pub mod facet;
pub mod glance;
pub mod ingest;
pub mod insights;
pub mod logs;
pub mod paths;
pub mod period;
pub mod query;
pub mod report;
pub mod session_mix;
pub mod settings;
pub mod source;
pub mod store;
pub mod time;
pub mod transfer;

pub use error::{Result, StoreError};
pub use settings::Settings;
pub use store::{Committed, Store};
pub use time::TimeContext;
