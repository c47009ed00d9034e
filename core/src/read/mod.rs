//! The read path: every figure the tray, the windows and the CLI show, read over a read-only connection
//! beside the writer, from the day and hour aggregates where they cover a span and the rollups for the rest.
//! Usage and sessions (`query`), the facet breakdowns (`facets`), what only events carry (`event_stats`), the
//! dashboard's breakdowns (`insights`, `session_mix`), the logs, the prices estimates use (`prices`), the tray's
//! glance, `ccmeter report`, the exports' formats, the recorded alerts and the diagnostics.

pub mod alerts;
mod cover;
pub mod diagnostics;
pub mod event_stats;
pub mod export;
pub mod facets;
pub mod glance;
pub mod insights;
pub mod logs;
pub mod prices;
pub mod prometheus;
pub mod query;
pub mod report;
pub mod session_mix;
pub(crate) mod timings;
