//! The words every layer shares, with no SQL and no IO: budget periods, time (clocks, the user's zone, the
//! 15-minute buckets), ranges of time, money, who made a request, the facets of the breakdowns, duration histograms, the
//! settings value, an alert and a statusline snapshot.

pub mod alert;
pub mod facet;
pub mod histogram;
pub mod money;
pub mod period;
pub mod project;
pub mod range;
pub mod settings;
pub mod source;
pub mod statusline;
pub mod time;
