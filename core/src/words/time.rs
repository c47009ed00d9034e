//! Clocks and the user's time zone. "Today", "active" and chart buckets are local; the clock is
//! injectable so tests with old fixtures never depend on the date they run.

use std::sync::Arc;

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock stopped at one instant, for tests.
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

/// The clock and zone every local-time computation uses.
#[derive(Clone)]
pub struct TimeContext {
    pub clock: Arc<dyn Clock>,
    pub zone: Tz,
}

impl TimeContext {
    pub fn system() -> Self {
        TimeContext { clock: Arc::new(SystemClock), zone: local_zone() }
    }

    pub fn fixed(now: DateTime<Utc>, zone: Tz) -> Self {
        TimeContext { clock: Arc::new(FixedClock(now)), zone }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn today(&self) -> NaiveDate {
        self.now().with_timezone(&self.zone).date_naive()
    }

    /// The instant a local day starts. A day whose midnight is skipped by a DST change starts at the
    /// first instant that exists.
    pub fn start_of_day(&self, day: NaiveDate) -> DateTime<Utc> {
        local_to_utc(self.zone, day.and_time(NaiveTime::MIN))
    }

    pub fn day_of(&self, instant: DateTime<Utc>) -> NaiveDate {
        instant.with_timezone(&self.zone).date_naive()
    }

    /// The start of the local hour containing `instant`.
    pub fn start_of_hour(&self, instant: DateTime<Utc>) -> DateTime<Utc> {
        let local = instant.with_timezone(&self.zone);
        let hour = local.date_naive().and_hms_opt(local.hour(), 0, 0);
        hour.map(|h| local_to_utc(self.zone, h)).unwrap_or(instant)
    }
}

/// Local wall time → UTC, DST-safe: an ambiguous time takes its earlier instant, a skipped one moves
/// forward to the first instant after the gap.
pub fn local_to_utc(zone: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    let mut probe = local;
    for _ in 0..8 {
        match zone.from_local_datetime(&probe) {
            LocalResult::Single(t) => return t.with_timezone(&Utc),
            LocalResult::Ambiguous(early, _) => return early.with_timezone(&Utc),
            LocalResult::None => probe += Duration::minutes(15),
        }
    }
    Utc.from_utc_datetime(&local)
}

/// The system's zone: `CCMETER_TZ` or `TZ` when set to an IANA name, else what the OS says, else UTC.
pub fn local_zone() -> Tz {
    for var in ["CCMETER_TZ", "TZ"] {
        if let Ok(name) = std::env::var(var)
            && let Ok(zone) = name.trim_start_matches(':').parse::<Tz>()
        {
            return zone;
        }
    }
    iana_time_zone::get_timezone().ok().and_then(|name| name.parse::<Tz>().ok()).unwrap_or(Tz::UTC)
}

pub fn ns(instant: DateTime<Utc>) -> i64 {
    instant.timestamp_nanos_opt().unwrap_or(if instant.year() < 1970 { i64::MIN } else { i64::MAX })
}

pub fn from_ns(ns: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_nanos(ns)
}

/// Length of a rollup bucket. Every zone offset in use is a multiple of 15 minutes.
pub const BUCKET_NS: i64 = 15 * 60 * 1_000_000_000;

pub fn bucket_of(time_ns: i64) -> i64 {
    time_ns.div_euclid(BUCKET_NS)
}

/// A local hour's slot in the week: weekday (0 = Monday) × 24 + wall-clock hour, of its first instant.
pub fn week_slot(ctx: &TimeContext, start: DateTime<Utc>) -> u8 {
    use chrono::{Datelike, Timelike};
    let local = start.with_timezone(&ctx.zone);
    // Both are small by construction: num_days_from_monday() < 7, hour() < 24.
    (local.weekday().num_days_from_monday() * 24 + local.hour()) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_skipped_at_midnight_by_dst_starts_at_the_first_real_instant() {
        // Chile (America/Santiago) springs forward at 00:00 local in September: 00:00 does not exist.
        let zone: Tz = "America/Santiago".parse().unwrap();
        let ctx = TimeContext::fixed(Utc::now(), zone);
        let start = ctx.start_of_day(NaiveDate::from_ymd_opt(2026, 9, 6).unwrap());
        assert_eq!(start.with_timezone(&zone).format("%H:%M").to_string(), "01:00");
    }

    #[test]
    fn local_days_have_23_or_25_hours_across_dst() {
        let zone: Tz = "Europe/Berlin".parse().unwrap();
        let ctx = TimeContext::fixed(Utc::now(), zone);
        let day = |d| ctx.start_of_day(NaiveDate::from_ymd_opt(2026, 3, d).unwrap());
        assert_eq!((day(30) - day(29)).num_hours(), 23);
        let oct = |d| ctx.start_of_day(NaiveDate::from_ymd_opt(2026, 10, d).unwrap());
        assert_eq!((oct(26) - oct(25)).num_hours(), 25);
    }
}
