//! Budgets with an injected clock: local periods (midnight, week start, month end, DST), per-session
//! budgets, alerts sent once (also across a restart), pauses, and the settings record they live in.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use ccmeter_core::budget::{self, BudgetState, BudgetStatus, Check, Pause, Period};
use ccmeter_core::words::alert::Alert;
use ccmeter_core::words::settings::{self, Budget, Settings};

use ccmeter_core::error::SettingsField;
use ccmeter_core::words::time::ns;
use ccmeter_core::{Store, StoreError, TimeContext};
use ccmeter_proto::{ApiRequest, Attributes, Batch, Event, EventDetail, EventName, Nanos, Resource, Signal};
use chrono::{DateTime, Duration, Utc, Weekday};
use chrono_tz::Tz;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const SESSION: &str = "5b901130-a759-486a-a3cd-102d9d462d0f";

/// An instant written with its offset, e.g. "2026-11-24T23:59:59+01:00".
fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).expect("RFC 3339 instant").with_timezone(&Utc)
}

fn zone(name: &str) -> Tz {
    name.parse().expect("IANA zone")
}

fn berlin(now: &str) -> TimeContext {
    TimeContext::fixed(at(now), zone("Europe/Berlin"))
}

struct Db {
    dir: tempfile::TempDir,
    store: Store,
}

impl Db {
    fn new() -> Db {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path().join("ccmeter.db")).expect("store opens");
        Db { dir, store }
    }

    /// Closes the store and opens the same file again, as a restarted app does.
    fn restart(self) -> Db {
        let Db { dir, store } = self;
        drop(store);
        let store = Store::open(dir.path().join("ccmeter.db")).expect("store reopens");
        Db { dir, store }
    }

    /// Writes one batch of `api_request` events: (session, time, USD).
    async fn spend(&self, requests: &[(&str, &str, f64)]) {
        let mut batch = Batch::new(Signal::Logs);
        batch.events = requests.iter().map(|(session, time, usd)| api_request(session, at(time), *usd)).collect();
        let summary = self.store.write(batch).await.expect("batch stored");
        assert_eq!(summary.events, requests.len() as u64, "every request stored");
    }

    /// Writes one batch of `api_request` events of sessions working in a repository: (repository URL, session,
    /// time, USD).
    async fn spend_in(&self, requests: &[(&str, &str, &str, f64)]) {
        let mut batch = Batch::new(Signal::Logs);
        batch.events = requests
            .iter()
            .map(|(repository, session, time, usd)| {
                let mut event = api_request(session, at(time), *usd);
                event.attributes.insert("vcs.repository.url.full".into(), (*repository).into());
                event
            })
            .collect();
        self.store.write(batch).await.expect("batch stored");
    }

    async fn configure(&self, change: impl FnOnce(&mut Settings)) {
        let mut settings = self.settings();
        change(&mut settings);
        self.store.exec(move |tx| ccmeter_core::store::settings::save(tx, &settings)).await.expect("settings saved");
    }

    fn settings(&self) -> Settings {
        ccmeter_core::store::settings::load(&self.store.reader().expect("reader")).expect("settings load")
    }

    async fn check(&self, ctx: &TimeContext) -> Check {
        let ctx = ctx.clone();
        self.store.exec(move |tx| budget::check_and_record(tx, &ctx)).await.expect("budget check")
    }

    fn evaluate(&self, ctx: &TimeContext) -> Vec<BudgetStatus> {
        let conn = self.store.reader().expect("reader");
        budget::evaluate(&conn, ctx, &self.settings()).expect("evaluate")
    }

    fn history(&self) -> Vec<Alert> {
        ccmeter_core::read::alerts::history(&self.store.reader().expect("reader"), 0).expect("history")
    }
}

/// An `api_request` event as Claude Code sends it, with a fresh request id.
fn api_request(session: &str, time: DateTime<Utc>, usd: f64) -> Event {
    static NEXT: AtomicI64 = AtomicI64::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let mut attributes = Attributes::new();
    attributes.insert("session.id".into(), session.into());
    attributes.insert("event.name".into(), "api_request".into());
    attributes.insert("cost_usd".into(), usd.into());
    Event {
        time_ns: ns(time),
        time_received: false,
        name: EventName::ApiRequest,
        session_id: Some(session.into()),
        sequence: Some(n),
        prompt_id: None,
        detail: EventDetail::ApiRequest(ApiRequest {
            model: Some("claude-opus-4-8".into()),
            request_id: Some(format!("req_budget_{n}")),
            cost: Nanos::from_usd(usd).expect("a valid cost"),
            ..Default::default()
        }),
        attributes,
        body: Some("claude_code.api_request".into()),
        severity: None,
        trace_id: None,
        span_id: None,
        resource: Arc::new(Resource::default()),
    }
}

fn usd(dollars: f64) -> i64 {
    Nanos::from_usd(dollars).expect("amount").0
}

fn day_budget(limit_usd: f64) -> impl FnOnce(&mut Settings) {
    move |s| s.budgets.day = Some(Budget::new(limit_usd))
}

fn status_of(statuses: &[BudgetStatus], period: Period) -> &BudgetStatus {
    statuses.iter().find(|s| s.period == period).expect("a status for the period")
}

// ---- periods ----

#[test]
fn a_day_ends_at_local_midnight_not_at_utc_midnight() {
    let before = budget::window(Period::Day, &berlin("2026-11-24T23:59:59+01:00"), Weekday::Mon);
    assert_eq!(before.key, "2026-11-24");
    assert_eq!(before.start, at("2026-11-24T00:00:00+01:00"));
    assert_eq!(before.end, at("2026-11-25T00:00:00+01:00"));
    let after = budget::window(Period::Day, &berlin("2026-11-25T00:00:00+01:00"), Weekday::Mon);
    assert_eq!(after.key, "2026-11-25");
    assert_eq!(after.start, before.end);
}

#[tokio::test]
async fn spend_a_minute_before_midnight_counts_for_that_day_and_a_minute_after_for_the_next() -> TestResult {
    let db = Db::new();
    db.configure(|s| {
        s.budgets.day = Some(Budget::new(10.0));
        s.budgets.week = Some(Budget::new(100.0));
    })
    .await;
    db.spend(&[(SESSION, "2026-11-24T23:59:00+01:00", 1.0), (SESSION, "2026-11-25T00:01:00+01:00", 2.0)]).await;

    let late = db.evaluate(&berlin("2026-11-24T23:59:59+01:00"));
    assert_eq!(status_of(&late, Period::Day).spent_nanos, usd(1.0));
    let early = db.evaluate(&berlin("2026-11-25T00:02:00+01:00"));
    assert_eq!(status_of(&early, Period::Day).key, "2026-11-25");
    assert_eq!(status_of(&early, Period::Day).spent_nanos, usd(2.0));
    assert_eq!(status_of(&early, Period::Week).spent_nanos, usd(3.0), "one week holds both days");
    Ok(())
}

#[test]
fn a_week_starts_on_the_configured_day() {
    let tuesday = berlin("2026-11-24T12:00:00+01:00");
    let monday_week = budget::window(Period::Week, &tuesday, Weekday::Mon);
    assert_eq!(monday_week.key, "2026-11-23");
    assert_eq!(monday_week.start, at("2026-11-23T00:00:00+01:00"));
    assert_eq!(monday_week.end, at("2026-11-30T00:00:00+01:00"));
    let sunday_week = budget::window(Period::Week, &tuesday, Weekday::Sun);
    assert_eq!(sunday_week.key, "2026-11-22");
    assert_eq!(sunday_week.end, at("2026-11-29T00:00:00+01:00"));

    let sunday = berlin("2026-11-29T08:00:00+01:00");
    assert_eq!(budget::window(Period::Week, &sunday, Weekday::Mon).key, "2026-11-23", "Sunday ends a Monday week");
    assert_eq!(budget::window(Period::Week, &sunday, Weekday::Sun).key, "2026-11-29", "Sunday begins a Sunday week");
    let monday_midnight = berlin("2026-11-30T00:00:00+01:00");
    assert_eq!(budget::window(Period::Week, &monday_midnight, Weekday::Mon).key, "2026-11-30");
}

#[tokio::test]
async fn a_sunday_week_counts_sunday_spend_that_a_monday_week_leaves_in_the_previous_week() -> TestResult {
    let db = Db::new();
    db.configure(|s| s.budgets.week = Some(Budget::new(100.0))).await;
    db.spend(&[(SESSION, "2026-11-29T10:00:00+01:00", 4.0), (SESSION, "2026-11-30T10:00:00+01:00", 1.0)]).await;
    let monday = berlin("2026-11-30T12:00:00+01:00");
    assert_eq!(status_of(&db.evaluate(&monday), Period::Week).spent_nanos, usd(1.0));
    db.configure(|s| s.week_start = Weekday::Sun).await;
    let week = db.evaluate(&monday);
    assert_eq!(status_of(&week, Period::Week).key, "2026-11-29");
    assert_eq!(status_of(&week, Period::Week).spent_nanos, usd(5.0));
    Ok(())
}

#[test]
fn a_month_ends_on_its_last_day_including_february_and_december() {
    let feb = budget::window(Period::Month, &berlin("2026-02-28T23:59:59+01:00"), Weekday::Mon);
    assert_eq!(feb.key, "2026-02");
    assert_eq!(feb.start, at("2026-02-01T00:00:00+01:00"));
    assert_eq!(feb.end, at("2026-03-01T00:00:00+01:00"));
    assert_eq!((feb.end - feb.start).num_days(), 28);
    let leap = budget::window(Period::Month, &berlin("2028-02-29T12:00:00+01:00"), Weekday::Mon);
    assert_eq!(leap.key, "2028-02");
    assert_eq!((leap.end - leap.start).num_days(), 29);
    let march = budget::window(Period::Month, &berlin("2026-03-01T00:00:00+01:00"), Weekday::Mon);
    assert_eq!(march.key, "2026-03");
    let december = budget::window(Period::Month, &berlin("2026-12-31T23:30:00+01:00"), Weekday::Mon);
    assert_eq!(december.key, "2026-12");
    assert_eq!(december.end, at("2027-01-01T00:00:00+01:00"));
}

#[test]
fn days_weeks_and_months_across_a_dst_change_start_at_local_midnight_and_have_the_real_length() {
    let cases = [
        // (zone, an instant on the change day, its key, hours in its day, week (from Monday) and month)
        ("Europe/Berlin", "2026-03-29T12:00:00+02:00", "2026-03-29", 23, 167, 31 * 24 - 1),
        ("Europe/Berlin", "2026-10-25T12:00:00+01:00", "2026-10-25", 25, 169, 31 * 24 + 1),
        ("America/New_York", "2026-03-08T12:00:00-04:00", "2026-03-08", 23, 167, 31 * 24 - 1),
        ("America/New_York", "2026-11-01T12:00:00-05:00", "2026-11-01", 25, 169, 30 * 24 + 1),
    ];
    for (name, now, key, day_hours, week_hours, month_hours) in cases {
        let ctx = TimeContext::fixed(at(now), zone(name));
        let local_time = |instant: DateTime<Utc>| instant.with_timezone(&ctx.zone).format("%H:%M").to_string();
        let day = budget::window(Period::Day, &ctx, Weekday::Mon);
        assert_eq!(day.key, key, "{name}");
        assert_eq!((day.end - day.start).num_hours(), day_hours, "{name} {key}");
        assert_eq!((local_time(day.start), local_time(day.end)), ("00:00".into(), "00:00".into()), "{name}");
        let week = budget::window(Period::Week, &ctx, Weekday::Mon);
        assert_eq!((week.end - week.start).num_hours(), week_hours, "{name} week of {key}");
        assert_eq!(local_time(week.start), "00:00", "{name}");
        let month = budget::window(Period::Month, &ctx, Weekday::Mon);
        assert_eq!((month.end - month.start).num_hours(), month_hours, "{name} month of {key}");
        assert_eq!(local_time(month.start), "00:00", "{name}");
    }
}

#[tokio::test]
async fn spend_late_on_a_25_hour_day_counts_for_that_day() -> TestResult {
    let db = Db::new();
    db.configure(day_budget(10.0)).await;
    // New York falls back on 2026-11-01: 23:30 that evening is 04:30 UTC the next day.
    db.spend(&[(SESSION, "2026-11-01T23:30:00-05:00", 2.5), (SESSION, "2026-11-02T00:30:00-05:00", 1.0)]).await;
    let ctx = TimeContext::fixed(at("2026-11-01T23:45:00-05:00"), zone("America/New_York"));
    let statuses = db.evaluate(&ctx);
    assert_eq!(status_of(&statuses, Period::Day).key, "2026-11-01");
    assert_eq!(status_of(&statuses, Period::Day).spent_nanos, usd(2.5));
    Ok(())
}

// ---- states ----

#[tokio::test]
async fn a_budget_warns_from_its_first_threshold_below_100_and_is_over_at_its_limit() -> TestResult {
    let db = Db::new();
    db.configure(day_budget(10.0)).await;
    let now = berlin("2026-11-24T18:00:00+01:00");
    let day = |db: &Db| status_of(&db.evaluate(&now), Period::Day).clone();
    assert_eq!((day(&db).state, day(&db).reached, day(&db).used), (BudgetState::Ok, None, 0.0));

    db.spend(&[(SESSION, "2026-11-24T10:00:00+01:00", 4.99)]).await;
    assert_eq!((day(&db).state, day(&db).reached), (BudgetState::Ok, None));
    db.spend(&[(SESSION, "2026-11-24T10:01:00+01:00", 0.01)]).await;
    assert_eq!((day(&db).state, day(&db).reached, day(&db).used), (BudgetState::Warning, Some(50), 0.5));
    db.spend(&[(SESSION, "2026-11-24T10:02:00+01:00", 5.0)]).await;
    let over = day(&db);
    assert_eq!((over.state, over.reached, over.used), (BudgetState::Over, Some(100), 1.0));
    assert_eq!((over.spent_nanos, over.limit_nanos), (usd(10.0), usd(10.0)));

    // With 100 % as the only threshold there is no warning before the limit.
    db.configure(|s| s.budgets.day = Some(Budget { limit_usd: 20.0, thresholds: vec![100] })).await;
    assert_eq!((day(&db).state, day(&db).reached), (BudgetState::Ok, None));
    Ok(())
}

#[test]
fn the_worst_state_is_the_most_severe_one_and_ok_without_budgets() {
    let with = |state| BudgetStatus {
        period: Period::Day,
        key: "2026-11-24".into(),
        project: None,
        spent_nanos: 0,
        limit_nanos: 1,
        spent_usd: 0.0,
        limit_usd: 1e-9,
        used: 0.0,
        reached: None,
        state,
    };
    assert_eq!(budget::worst_state(&[]), BudgetState::Ok);
    assert_eq!(budget::worst_state(&[with(BudgetState::Ok), with(BudgetState::Warning)]), BudgetState::Warning);
    assert_eq!(
        budget::worst_state(&[with(BudgetState::Over), with(BudgetState::Warning), with(BudgetState::Ok)]),
        BudgetState::Over
    );
}

#[tokio::test]
async fn no_budget_means_no_status_and_no_alert() -> TestResult {
    let db = Db::new();
    db.spend(&[(SESSION, "2026-11-24T10:00:00+01:00", 500.0)]).await;
    let check = db.check(&berlin("2026-11-24T18:00:00+01:00")).await;
    assert_eq!((check.statuses.len(), check.notify.len()), (0, 0));
    assert!(db.history().is_empty());
    Ok(())
}

// ---- per-session budgets ----

#[tokio::test]
async fn a_session_budget_covers_each_session_active_today_with_its_whole_cost() -> TestResult {
    let db = Db::new();
    db.configure(|s| s.budgets.session = Some(Budget::new(4.0))).await;
    let (long, short, yesterday) = (
        "aaaaaaaa-0000-4000-8000-000000000001",
        "bbbbbbbb-0000-4000-8000-000000000002",
        "cccccccc-0000-4000-8000-000000000003",
    );
    db.spend(&[
        (long, "2026-11-23T20:00:00+01:00", 3.0),
        (long, "2026-11-24T09:00:00+01:00", 2.0),
        (short, "2026-11-24T10:00:00+01:00", 1.0),
        (yesterday, "2026-11-23T21:00:00+01:00", 9.0),
    ])
    .await;
    let now = berlin("2026-11-24T12:00:00+01:00");
    let statuses = db.evaluate(&now);
    let figures: Vec<(&str, i64, BudgetState)> =
        statuses.iter().map(|s| (s.key.as_str(), s.spent_nanos, s.state)).collect();
    assert_eq!(
        figures,
        vec![(short, usd(1.0), BudgetState::Ok), (long, usd(5.0), BudgetState::Over)],
        "most recent first; the session started yesterday counts its whole cost; yesterday's alone is not here"
    );
    assert!(statuses.iter().all(|s| s.period == Period::Session));

    let check = db.check(&now).await;
    assert_eq!(check.notify.len(), 1);
    assert_eq!(check.notify[0].key, long);
    assert_eq!(check.notify[0].summary, "Session budget 100 % used");
    assert_eq!(check.notify[0].body, "$5.00 of $4.00 spent in session aaaaaaaa");

    // Each session has its own alerts: the other one reaching 50 % is sent too.
    db.spend(&[(short, "2026-11-24T12:30:00+01:00", 1.5)]).await;
    let check = db.check(&berlin("2026-11-24T13:00:00+01:00")).await;
    let sent: Vec<(&str, u32)> = check.notify.iter().map(|a| (a.key.as_str(), a.threshold)).collect();
    assert_eq!(sent, vec![(short, 50)]);
    Ok(())
}

// ---- alerts ----

#[tokio::test]
async fn thresholds_crossed_by_one_batch_send_one_alert_for_the_highest_and_record_them_all() -> TestResult {
    let db = Db::new();
    db.configure(day_budget(10.0)).await;
    db.spend(&[(SESSION, "2026-11-24T10:00:00+01:00", 5.0), (SESSION, "2026-11-24T10:05:00+01:00", 3.04)]).await;
    let now = berlin("2026-11-24T10:06:00+01:00");
    let check = db.check(&now).await;
    assert_eq!(check.notify.len(), 1, "{:?}", check.notify);
    let alert = &check.notify[0];
    assert_eq!((alert.period, alert.key.as_str(), alert.threshold), (Period::Day, "2026-11-24", 80));
    assert_eq!((alert.spent_nanos, alert.limit_nanos, alert.at), (usd(8.04), usd(10.0), now.now()));
    assert!(!alert.suppressed);
    assert_eq!(alert.summary, "Daily budget 80 % used");
    assert_eq!(alert.body, "$8.04 of $10.00 spent today");
    assert_eq!(check.statuses.len(), 1);
    assert_eq!(check.statuses[0].state, BudgetState::Warning);

    let history = db.history();
    let recorded: Vec<(u32, bool)> = history.iter().map(|a| (a.threshold, a.suppressed)).collect();
    assert_eq!(recorded, vec![(80, false), (50, true)], "newest first; the 50 % passed over is recorded, not sent");
    assert!(history.iter().all(|a| a.at == now.now()));
    Ok(())
}

#[tokio::test]
async fn an_alert_is_never_sent_twice_not_even_after_a_restart() -> TestResult {
    let db = Db::new();
    db.configure(day_budget(10.0)).await;
    db.spend(&[(SESSION, "2026-11-24T10:00:00+01:00", 6.0)]).await;
    let now = berlin("2026-11-24T10:01:00+01:00");
    assert_eq!(db.check(&now).await.notify.len(), 1);
    assert!(db.check(&now).await.notify.is_empty(), "checked again");

    let db = db.restart();
    let later = berlin("2026-11-24T11:00:00+01:00");
    assert!(db.check(&later).await.notify.is_empty(), "checked after a restart");

    db.spend(&[(SESSION, "2026-11-24T11:30:00+01:00", 4.5)]).await;
    let check = db.check(&berlin("2026-11-24T11:31:00+01:00")).await;
    let sent: Vec<u32> = check.notify.iter().map(|a| a.threshold).collect();
    assert_eq!(sent, vec![100], "80 % and 100 % crossed together: only 100 % is sent");
    assert!(db.check(&berlin("2026-11-24T11:32:00+01:00")).await.notify.is_empty());
    assert_eq!(db.history().len(), 3);

    // The next day is a new period: its thresholds fire again.
    db.spend(&[(SESSION, "2026-11-25T09:00:00+01:00", 5.0)]).await;
    let check = db.check(&berlin("2026-11-25T09:01:00+01:00")).await;
    let sent: Vec<(&str, u32)> = check.notify.iter().map(|a| (a.key.as_str(), a.threshold)).collect();
    assert_eq!(sent, vec![("2026-11-25", 50)]);
    Ok(())
}

#[tokio::test]
async fn alerts_reached_during_a_pause_are_recorded_suppressed_and_never_sent_later() -> TestResult {
    let db = Db::new();
    let now = berlin("2026-11-24T10:00:00+01:00");
    let until = now.now() + Duration::hours(1);
    db.configure(|s| {
        s.budgets.day = Some(Budget::new(10.0));
        s.alerts_paused_until = Some(until);
    })
    .await;
    db.spend(&[(SESSION, "2026-11-24T09:30:00+01:00", 5.5)]).await;
    let check = db.check(&now).await;
    assert!(check.notify.is_empty(), "paused");
    let history = db.history();
    assert_eq!(history.len(), 1);
    assert_eq!((history[0].threshold, history[0].suppressed), (50, true));
    assert_eq!(history[0].summary, "Daily budget 50 % used");

    let after = berlin("2026-11-24T11:00:00+01:00");
    assert_eq!(after.now(), until, "the pause ends exactly now");
    assert!(db.check(&after).await.notify.is_empty(), "what fell in the pause is not sent when it ends");

    db.spend(&[(SESSION, "2026-11-24T11:10:00+01:00", 3.0)]).await;
    let check = db.check(&berlin("2026-11-24T11:11:00+01:00")).await;
    let sent: Vec<u32> = check.notify.iter().map(|a| a.threshold).collect();
    assert_eq!(sent, vec![80], "a threshold crossed after the pause is sent");
    Ok(())
}

#[test]
fn a_pause_lasts_an_hour_or_until_local_midnight_even_across_a_dst_change() {
    let now = berlin("2026-11-24T22:15:00+01:00");
    assert_eq!(Pause::Hour.until(&now), at("2026-11-24T23:15:00+01:00"));
    assert_eq!(Pause::UntilTomorrow.until(&now), at("2026-11-25T00:00:00+01:00"));
    // The night Berlin falls back (25 October 2026): midnight is still midnight, an hour still 60 minutes.
    let before_change = berlin("2026-10-24T23:30:00+02:00");
    assert_eq!(Pause::UntilTomorrow.until(&before_change), at("2026-10-25T00:00:00+02:00"));
    let in_the_repeated_hour = berlin("2026-10-25T02:30:00+02:00");
    assert_eq!(Pause::Hour.until(&in_the_repeated_hour), at("2026-10-25T02:30:00+01:00"));
    assert_eq!(Pause::UntilTomorrow.until(&in_the_repeated_hour), at("2026-10-26T00:00:00+01:00"));

    let mut settings = Settings { alerts_paused_until: Some(at("2026-11-24T23:15:00+01:00")), ..Settings::default() };
    assert_eq!(settings.paused_until(now.now()), Some(at("2026-11-24T23:15:00+01:00")));
    assert_eq!(settings.paused_until(at("2026-11-24T23:15:00+01:00")), None, "over when it ends");
    settings.alerts_paused_until = None;
    assert_eq!(settings.paused_until(now.now()), None);
}

#[tokio::test]
async fn a_limit_changed_mid_period_alerts_at_its_own_thresholds_and_an_old_limit_does_not_repeat() -> TestResult {
    let db = Db::new();
    db.configure(day_budget(10.0)).await;
    db.spend(&[(SESSION, "2026-11-24T10:00:00+01:00", 8.5)]).await;
    let sent = |check: Check| check.notify.iter().map(|a| (a.threshold, a.limit_nanos)).collect::<Vec<_>>();
    assert_eq!(sent(db.check(&berlin("2026-11-24T10:01:00+01:00")).await), vec![(80, usd(10.0))]);

    // Raised to $20: $8.50 is 42.5 % of it, nothing to say until 50 %.
    db.configure(day_budget(20.0)).await;
    assert!(db.check(&berlin("2026-11-24T10:02:00+01:00")).await.notify.is_empty());
    db.spend(&[(SESSION, "2026-11-24T10:30:00+01:00", 8.0)]).await;
    let check = db.check(&berlin("2026-11-24T10:31:00+01:00")).await;
    assert_eq!(check.notify[0].body, "$16.50 of $20.00 spent today");
    assert_eq!(sent(check), vec![(80, usd(20.0))], "50 % and 80 % of the new limit crossed: the highest is sent");

    // Back to $10: its 50 % and 80 % were said already; only 100 % is new.
    db.configure(day_budget(10.0)).await;
    assert_eq!(sent(db.check(&berlin("2026-11-24T10:32:00+01:00")).await), vec![(100, usd(10.0))]);
    let db = db.restart();
    assert!(db.check(&berlin("2026-11-24T10:33:00+01:00")).await.notify.is_empty(), "nothing repeats");
    Ok(())
}

#[tokio::test]
async fn alerts_turned_off_are_recorded_suppressed_and_not_sent() -> TestResult {
    let db = Db::new();
    db.configure(|s| {
        s.budgets.day = Some(Budget::new(10.0));
        s.alerts_enabled = false;
    })
    .await;
    db.spend(&[(SESSION, "2026-11-24T09:30:00+01:00", 12.0)]).await;
    let check = db.check(&berlin("2026-11-24T10:00:00+01:00")).await;
    assert!(check.notify.is_empty());
    assert_eq!(check.statuses[0].state, BudgetState::Over, "the state still shows");
    let recorded: Vec<(u32, bool)> = db.history().iter().map(|a| (a.threshold, a.suppressed)).collect();
    assert_eq!(recorded, vec![(100, true), (80, true), (50, true)]);

    db.configure(|s| s.alerts_enabled = true).await;
    assert!(
        db.check(&berlin("2026-11-24T10:05:00+01:00")).await.notify.is_empty(),
        "turning alerts on sends nothing old"
    );
    Ok(())
}

#[tokio::test]
async fn alert_texts_name_the_period_and_threshold_and_give_spent_and_limit() -> TestResult {
    let db = Db::new();
    db.configure(|s| {
        s.budgets.day = Some(Budget { limit_usd: 10.0, thresholds: vec![80] });
        s.budgets.week = Some(Budget { limit_usd: 8.0, thresholds: vec![100] });
        s.budgets.month = Some(Budget { limit_usd: 16.0, thresholds: vec![50] });
        s.budgets.session = Some(Budget { limit_usd: 10.0, thresholds: vec![80] });
    })
    .await;
    db.spend(&[(SESSION, "2026-11-24T10:00:00+01:00", 8.04)]).await;
    let check = db.check(&berlin("2026-11-24T10:01:00+01:00")).await;
    let texts: Vec<(&str, &str)> = check.notify.iter().map(|a| (a.summary.as_str(), a.body.as_str())).collect();
    assert_eq!(
        texts,
        vec![
            ("Daily budget 80 % used", "$8.04 of $10.00 spent today"),
            ("Weekly budget 100 % used", "$8.04 of $8.00 spent this week"),
            ("Monthly budget 50 % used", "$8.04 of $16.00 spent this month"),
            ("Session budget 80 % used", "$8.04 of $10.00 spent in session 5b901130"),
        ]
    );
    let keys: Vec<&str> = check.notify.iter().map(|a| a.key.as_str()).collect();
    assert_eq!(keys, vec!["2026-11-24", "2026-11-23", "2026-11", SESSION]);
    assert_eq!(ccmeter_core::words::money::money(1_234_567_890_123), "$1234.57");
    assert_eq!(ccmeter_core::words::money::money(4_999_999), "$0.00");
    assert_eq!(ccmeter_core::words::money::money(5_000_000), "$0.01");
    Ok(())
}

#[tokio::test]
async fn budgets_count_the_same_cost_as_the_totals_when_metrics_and_events_both_arrive() -> TestResult {
    let db = Db::new();
    db.configure(|s| {
        s.budgets.day = Some(Budget::new(1.0));
        s.budgets.session = Some(Budget::new(1.0));
    })
    .await;
    // A real capture (2026-11-24, around 12:28 in Berlin) with both the cost metric and api_request events.
    for request in ccmeter_tests::requests("claude-code-2.1.197/grpc/success") {
        db.store.write(request.decode()).await?;
    }
    let statuses = db.evaluate(&berlin("2026-11-24T20:00:00+01:00"));
    assert_eq!(status_of(&statuses, Period::Day).spent_nanos, 210_920_000);
    let session = statuses.iter().find(|s| s.key == SESSION).expect("the captured session is active today");
    assert_eq!(session.spent_nanos, 210_920_000);
    assert_eq!(ccmeter_tests::expected_totals("claude-code-2.1.197/grpc/success").cost_nanos, 210_920_000);
    Ok(())
}

// ---- project budgets ----

const API: &str = "https://github.com/acme/api.git";
const WEB: &str = "git@github.com:acme/web";

#[tokio::test]
async fn a_project_budget_counts_only_its_projects_sessions_within_its_window() -> TestResult {
    let db = Db::new();
    db.configure(|s| {
        s.budgets.day = Some(Budget::new(100.0));
        s.budgets.set_project("acme/api", Period::Day, Some(Budget::new(5.0)));
        s.budgets.set_project("acme/api", Period::Week, Some(Budget { limit_usd: 20.0, thresholds: vec![50] }));
        s.budgets.set_project("acme/web", Period::Month, Some(Budget::new(2.0)));
        s.budgets.set_project("acme/idle", Period::Day, Some(Budget::new(1.0)));
    })
    .await;
    let (api, api_monday, web, elsewhere) = (
        "aaaaaaaa-0000-4000-8000-00000000000a",
        "aaaaaaaa-0000-4000-8000-00000000000b",
        "bbbbbbbb-0000-4000-8000-00000000000c",
        "cccccccc-0000-4000-8000-00000000000d",
    );
    db.spend_in(&[
        // Monday (the week's first day): the week's budget counts it, today's does not.
        (API, api_monday, "2026-11-23T15:00:00+01:00", 6.0),
        (API, api, "2026-11-24T09:00:00+01:00", 3.0),
        (API, api, "2026-11-24T11:00:00+01:00", 1.5),
        (WEB, web, "2026-11-24T10:00:00+01:00", 1.0),
        // Last month: outside every window.
        (WEB, web, "2026-10-31T10:00:00+01:00", 40.0),
    ])
    .await;
    db.spend(&[(elsewhere, "2026-11-24T10:30:00+01:00", 50.0)]).await;

    let statuses = db.evaluate(&berlin("2026-11-24T12:00:00+01:00"));
    let figures: Vec<(Period, &str, Option<&str>, i64, BudgetState)> =
        statuses.iter().map(|s| (s.period, s.key.as_str(), s.project.as_deref(), s.spent_nanos, s.state)).collect();
    assert_eq!(
        figures,
        vec![
            (Period::Day, "2026-11-24", None, usd(55.5), BudgetState::Warning),
            (Period::Day, "2026-11-24", Some("acme/api"), usd(4.5), BudgetState::Warning),
            (Period::Week, "2026-11-23", Some("acme/api"), usd(10.5), BudgetState::Warning),
            (Period::Month, "2026-11", Some("acme/web"), usd(1.0), BudgetState::Warning),
            (Period::Day, "2026-11-24", Some("acme/idle"), 0, BudgetState::Ok),
        ],
        "all projects' budget first, then each project's in the order set; the session without a project counts \
         for the overall budget only; last month's spend for none"
    );
    assert_eq!(budget::overall(&statuses, Period::Day).map(|s| s.spent_nanos), Some(usd(55.5)));
    assert_eq!(budget::overall(&statuses, Period::Week), None, "a project's week is not everyone's");
    Ok(())
}

#[tokio::test]
async fn a_project_budget_alerts_once_under_its_own_name_beside_the_overall_budget() -> TestResult {
    let db = Db::new();
    db.configure(|s| {
        s.budgets.day = Some(Budget { limit_usd: 10.0, thresholds: vec![80] });
        s.budgets.set_project("acme/api", Period::Day, Some(Budget { limit_usd: 10.0, thresholds: vec![80] }));
    })
    .await;
    db.spend_in(&[(API, SESSION, "2026-11-24T10:00:00+01:00", 8.04)]).await;
    let now = berlin("2026-11-24T10:01:00+01:00");
    let check = db.check(&now).await;
    let sent: Vec<(&str, &str, &str)> =
        check.notify.iter().map(|a| (a.key.as_str(), a.summary.as_str(), a.body.as_str())).collect();
    assert_eq!(
        sent,
        vec![
            ("2026-11-24", "Daily budget 80 % used", "$8.04 of $10.00 spent today"),
            ("2026-11-24 · acme/api", "acme/api: daily budget 80 % used", "$8.04 of $10.00 spent today on acme/api"),
        ],
        "the same spend reaching both budgets is two alerts, each saying whose budget it is"
    );
    let db = db.restart();
    db.spend_in(&[(API, SESSION, "2026-11-24T10:30:00+01:00", 0.5)]).await;
    assert!(db.check(&berlin("2026-11-24T10:31:00+01:00")).await.notify.is_empty(), "never sent twice");
    assert_eq!(db.history().len(), 2);

    // A session whose repository is reported only later moves its whole day to the project's budget then.
    let late = "dddddddd-0000-4000-8000-00000000000e";
    db.spend(&[(late, "2026-11-24T11:00:00+01:00", 2.0)]).await;
    let before = db.evaluate(&berlin("2026-11-24T11:01:00+01:00"));
    assert_eq!(before[1].spent_nanos, usd(8.54));
    db.spend_in(&[(API, late, "2026-11-24T11:05:00+01:00", 0.01)]).await;
    let after = db.evaluate(&berlin("2026-11-24T11:06:00+01:00"));
    assert_eq!(after[1].spent_nanos, usd(10.55));
    assert_eq!(after[1].state, BudgetState::Over);
    Ok(())
}

#[tokio::test]
async fn the_status_line_shows_a_project_budget_only_in_that_projects_sessions() -> TestResult {
    let db = Db::new();
    db.configure(|s| {
        s.budgets.day = Some(Budget::new(100.0));
        s.budgets.set_project("acme/api", Period::Week, Some(Budget::new(10.0)));
        s.budgets.set_project("acme/web", Period::Day, Some(Budget::new(1.0)));
    })
    .await;
    let (api, web, loose) = (
        "aaaaaaaa-0000-4000-8000-0000000000f1",
        "bbbbbbbb-0000-4000-8000-0000000000f2",
        "cccccccc-0000-4000-8000-0000000000f3",
    );
    db.spend_in(&[(API, api, "2026-11-24T09:00:00+01:00", 6.0), (WEB, web, "2026-11-24T09:30:00+01:00", 2.0)]).await;
    db.spend(&[(loose, "2026-11-24T10:00:00+01:00", 1.0)]).await;
    let now = berlin("2026-11-24T12:00:00+01:00");
    let conn = db.store.reader()?;
    let gauge = |session: &str| {
        let figures = ccmeter_core::statusline::line_figures(&conn, &now, Some(session)).expect("figures");
        figures.budget.map(|b| (b.period, b.of_project, (b.used * 100.0).round() as i64))
    };
    assert_eq!(gauge(api), Some((Period::Week, true, 60)), "its project's week, nearer its limit than the day");
    assert_eq!(gauge(web), Some((Period::Day, true, 200)));
    assert_eq!(gauge(loose), Some((Period::Day, false, 9)), "acme/web's 200 % is not this session's business");
    Ok(())
}

#[test]
fn project_budgets_are_set_replaced_and_cleared_by_project_and_period() {
    let mut budgets = settings::Budgets::default();
    budgets.set_project("acme/api", Period::Day, Some(Budget::new(5.0)));
    budgets.set_project("acme/web", Period::Day, Some(Budget::new(7.0)));
    budgets.set_project("acme/api", Period::Week, Some(Budget::new(20.0)));
    budgets.set_project("acme/api", Period::Day, Some(Budget::new(6.0)));
    let listed: Vec<(&str, Period, f64)> =
        budgets.projects.iter().map(|p| (p.project.as_str(), p.period, p.budget.limit_usd)).collect();
    assert_eq!(
        listed,
        vec![("acme/api", Period::Day, 6.0), ("acme/web", Period::Day, 7.0), ("acme/api", Period::Week, 20.0)],
        "a replaced budget keeps its place"
    );
    assert_eq!(budgets.of_project("acme/web", Period::Day).map(|b| b.limit_usd), Some(7.0));
    assert_eq!(budgets.of_project("acme/web", Period::Week), None);
    budgets.set_project("acme/api", Period::Day, None);
    budgets.set_project("acme/none", Period::Day, None);
    assert_eq!(budgets.projects.len(), 2);
    assert_eq!(budgets.iter().count(), 0, "project budgets are not the overall ones");
}

// ---- settings ----

fn open_db() -> (tempfile::TempDir, rusqlite::Connection) {
    let dir = tempfile::tempdir().expect("temp dir");
    let conn = ccmeter_core::store::open_connection(&dir.path().join("ccmeter.db")).expect("database opens");
    (dir, conn)
}

fn raw_settings(conn: &rusqlite::Connection) -> Option<String> {
    conn.query_row("SELECT json FROM settings WHERE id = 1", [], |r| r.get(0)).ok()
}

#[test]
fn without_a_saved_row_the_settings_are_the_documented_defaults() -> TestResult {
    let (_dir, conn) = open_db();
    let settings = ccmeter_core::store::settings::load(&conn)?;
    assert_eq!(settings, Settings::default());
    assert_eq!(settings.budgets, settings::Budgets::default());
    assert_eq!(settings.active_window_minutes, 5);
    assert!(!settings.store_prompt_text);
    assert_eq!(settings.retention_days, None);
    assert_eq!(settings.week_start, Weekday::Mon);
    assert!(settings.alerts_enabled);
    assert_eq!(settings.alerts_paused_until, None);
    assert!(!settings.start_at_login);
    assert!(!settings.icon_shows_amount);
    assert_eq!((settings.grpc_addr.as_str(), settings.http_addr.as_str()), ("127.0.0.1:4317", "127.0.0.1:4318"));
    assert_eq!(Budget::new(3.0).thresholds, vec![50, 80, 100]);
    Ok(())
}

#[test]
fn settings_saved_read_back_equal_and_the_privacy_switch_reaches_ingest() -> TestResult {
    let (_dir, conn) = open_db();
    let settings = Settings {
        budgets: settings::Budgets {
            day: Some(Budget::new(10.0)),
            week: Some(Budget { limit_usd: 50.5, thresholds: vec![25, 75, 100, 150] }),
            month: None,
            session: Some(Budget { limit_usd: 2.0, thresholds: vec![100] }),
            projects: vec![settings::ProjectBudget {
                project: "acme/api".into(),
                period: Period::Week,
                budget: Budget::new(25.0),
            }],
        },
        active_window_minutes: 15,
        store_prompt_text: true,
        retention_days: Some(90),
        week_start: Weekday::Sun,
        alerts_enabled: false,
        alerts_paused_until: Some(at("2026-11-24T18:00:00+01:00")),
        limit_alerts: vec![50, 90, 100],
        start_at_login: true,
        icon_shows_amount: true,
        grpc_addr: "0.0.0.0:14317".into(),
        http_addr: "[::1]:14318".into(),
        metrics_addr: Some("127.0.0.1:19466".into()),
        welcomed: true,
        follow_transcripts: Some(false),
        price_overrides: vec![settings::PriceOverride {
            model: "claude-opus-5-5".into(),
            input: 5.0,
            output: 25.0,
            cache_read: Some(0.25),
            cache_write_5m: None,
            cache_write_1h: Some(10.0),
        }],
    };
    ccmeter_core::store::settings::save(&conn, &settings)?;
    assert_eq!(ccmeter_core::store::settings::load(&conn)?, settings);
    assert!(ccmeter_core::write::ingest::load_privacy(&conn)?.store_content);
    Ok(())
}

#[test]
fn an_old_row_takes_defaults_for_missing_fields_and_unknown_fields_are_ignored_then_kept() -> TestResult {
    let (_dir, conn) = open_db();
    conn.execute(
        "INSERT INTO settings (id, json) VALUES (1, ?1)",
        [r#"{"store_prompt_text": true, "budgets": {"day": {"limit_usd": 5}}, "from_a_newer_version": {"x": 1}}"#],
    )?;
    let settings = ccmeter_core::store::settings::load(&conn)?;
    let expected = Settings {
        budgets: settings::Budgets { day: Some(Budget::new(5.0)), ..Default::default() },
        store_prompt_text: true,
        ..Settings::default()
    };
    assert_eq!(settings, expected);

    ccmeter_core::store::settings::save(&conn, &Settings { active_window_minutes: 10, ..settings })?;
    let raw = raw_settings(&conn).expect("saved row");
    assert!(raw.contains(r#""from_a_newer_version":{"x":1}"#), "{raw}");
    assert_eq!(ccmeter_core::store::settings::load(&conn)?.active_window_minutes, 10);
    Ok(())
}

#[test]
fn invalid_settings_are_refused_with_a_reason_and_change_nothing() -> TestResult {
    let (_dir, conn) = open_db();
    let good = Settings {
        budgets: settings::Budgets { day: Some(Budget::new(10.0)), ..Default::default() },
        ..Default::default()
    };
    ccmeter_core::store::settings::save(&conn, &good)?;
    let saved = raw_settings(&conn);
    let day = |limit_usd: f64, thresholds: &[u32]| Settings {
        budgets: settings::Budgets {
            day: Some(Budget { limit_usd, thresholds: thresholds.to_vec() }),
            ..Default::default()
        },
        ..Default::default()
    };
    let project = |name: &str, period: Period, limit_usd: f64| Settings {
        budgets: settings::Budgets {
            projects: vec![settings::ProjectBudget { project: name.into(), period, budget: Budget::new(limit_usd) }],
            ..Default::default()
        },
        ..Default::default()
    };
    let price = |model: &str, input: f64, cache_read: Option<f64>| settings::PriceOverride {
        model: model.into(),
        input,
        output: 25.0,
        cache_read,
        cache_write_5m: None,
        cache_write_1h: None,
    };
    let prices =
        |overrides: Vec<settings::PriceOverride>| Settings { price_overrides: overrides, ..Default::default() };
    let cases = [
        (prices(vec![price("", 5.0, None)]), SettingsField::PriceOverride, "needs the model's name"),
        (prices(vec![price("   ", 5.0, None)]), SettingsField::PriceOverride, "needs the model's name"),
        (prices(vec![price("claude\u{7}", 5.0, None)]), SettingsField::PriceOverride, "needs the model's name"),
        (prices(vec![price(&"m".repeat(201), 5.0, None)]), SettingsField::PriceOverride, "at most 200 characters"),
        (prices(vec![price("m", -1.0, None)]), SettingsField::PriceOverride, "m's input price must be"),
        (prices(vec![price("m", f64::NAN, None)]), SettingsField::PriceOverride, "(got NaN)"),
        (prices(vec![price("m", 10_000.5, None)]), SettingsField::PriceOverride, "from 0 to 10000"),
        (prices(vec![price("m", 5.0, Some(f64::INFINITY))]), SettingsField::PriceOverride, "m's cache read price"),
        (
            prices(vec![price("claude-opus-5-5", 5.0, None), price("Claude-Opus-5-5[1m]", 6.0, None)]),
            SettingsField::PriceOverride,
            "Claude-Opus-5-5[1m] has two prices: keep one",
        ),
        (day(-5.0, &[50]), SettingsField::Budget, "from 0.01 to 1000000"),
        (day(0.0, &[50]), SettingsField::Budget, "from 0.01 to 1000000"),
        (day(f64::NAN, &[50]), SettingsField::Budget, "got NaN"),
        (day(f64::INFINITY, &[50]), SettingsField::Budget, "got inf"),
        (day(2_000_000.0, &[50]), SettingsField::Budget, "from 0.01 to 1000000"),
        (day(10.0, &[]), SettingsField::Budget, "at least one alert threshold"),
        (day(10.0, &[0, 50]), SettingsField::Budget, "has 0"),
        (day(10.0, &[50, 1001]), SettingsField::Budget, "has 1001"),
        (day(10.0, &[80, 50]), SettingsField::Budget, "ascending order without repeats (got 80, 50)"),
        (day(10.0, &[50, 50]), SettingsField::Budget, "ascending order without repeats"),
        (project("", Period::Day, 5.0), SettingsField::Budget, "needs the project's name"),
        (project(" acme/api", Period::Day, 5.0), SettingsField::Budget, "needs the project's name"),
        (project("acme/\napi", Period::Day, 5.0), SettingsField::Budget, "needs the project's name"),
        (project(&"x".repeat(513), Period::Day, 5.0), SettingsField::Budget, "at most 512 characters (got 513)"),
        (project("acme/api", Period::Session, 5.0), SettingsField::Budget, "a day, a week or a month"),
        (project("acme/api", Period::Week, 0.0), SettingsField::Budget, "the weekly budget of acme/api must be"),
        (
            Settings {
                budgets: settings::Budgets {
                    projects: vec![
                        settings::ProjectBudget {
                            project: "acme/api".into(),
                            period: Period::Day,
                            budget: Budget::new(5.0),
                        },
                        settings::ProjectBudget {
                            project: "acme/api".into(),
                            period: Period::Day,
                            budget: Budget::new(6.0),
                        },
                    ],
                    ..Default::default()
                },
                ..Default::default()
            },
            SettingsField::Budget,
            "acme/api has two daily budgets",
        ),
        (
            Settings { active_window_minutes: 0, ..Default::default() },
            SettingsField::ActiveWindow,
            "1 to 1440 minutes (got 0)",
        ),
        (
            Settings { active_window_minutes: 1441, ..Default::default() },
            SettingsField::ActiveWindow,
            "1 to 1440 minutes (got 1441)",
        ),
        (Settings { retention_days: Some(0), ..Default::default() }, SettingsField::Retention, "at least 1 day"),
        (
            Settings { limit_alerts: vec![0, 80], ..Default::default() },
            SettingsField::LimitAlerts,
            "from 1 to 100 (got 0)",
        ),
        (
            Settings { limit_alerts: vec![80, 101], ..Default::default() },
            SettingsField::LimitAlerts,
            "from 1 to 100 (got 101)",
        ),
        (
            Settings { limit_alerts: vec![95, 80], ..Default::default() },
            SettingsField::LimitAlerts,
            "ascending order without repeats (got 95, 80)",
        ),
        (
            Settings { grpc_addr: "localhost".into(), ..Default::default() },
            SettingsField::GrpcAddr,
            "OTLP/gRPC address \"localhost\"",
        ),
        (
            Settings { http_addr: "127.0.0.1".into(), ..Default::default() },
            SettingsField::HttpAddr,
            "OTLP/HTTP address \"127.0.0.1\"",
        ),
        (
            Settings { metrics_addr: Some("localhost:9466".into()), ..Default::default() },
            SettingsField::MetricsAddr,
            "the Prometheus address \"localhost:9466\" must be an IP address and port, e.g. 127.0.0.1:9466",
        ),
    ];
    for (settings, field, reason) in cases {
        let error = settings.validate().expect_err("refused");
        assert!(matches!(error, StoreError::InvalidSettings { field: f, .. } if f == field), "{error:?}");
        assert!(error.to_string().contains(reason), "{error} should say {reason:?}");
        assert!(ccmeter_core::store::settings::save(&conn, &settings).is_err());
        assert_eq!(raw_settings(&conn), saved, "nothing changed after {error}");
    }
    Ok(())
}

#[test]
fn a_price_is_read_as_people_type_it_and_refused_with_the_field_named() {
    use settings::PriceOverride;
    let price = PriceOverride::from_text(" claude-opus-5-5 ", "$5", " 25 ", Some("0.5"), Some(""), None);
    assert_eq!(
        price.ok(),
        Some(PriceOverride {
            model: "claude-opus-5-5".into(),
            input: 5.0,
            output: 25.0,
            cache_read: Some(0.5),
            cache_write_5m: None,
            cache_write_1h: None,
        })
    );
    let cases = [
        (("m", "five", "25", None), "m's input price is in US dollars per million tokens"),
        (("m", "5", "", None), "m's output price is in US dollars per million tokens, e.g. 5"),
        (("m", "5", "25", Some("-1")), "m's cache read price is"),
        (("m", "5", "25", Some("0.0000001")), "at most six decimals"),
        (("", "5", "25", None), "needs the model's name"),
        (("m", "10001", "25", None), "from 0 to 10000"),
    ];
    for ((model, input, output, cache_read), expected) in cases {
        match PriceOverride::from_text(model, input, output, cache_read, None, None) {
            Err(StoreError::InvalidSettings { field, problem: message }) => {
                assert_eq!(field, SettingsField::PriceOverride);
                assert!(message.contains(expected), "{message:?} should contain {expected:?}");
            }
            other => panic!("{model} {input} {output} {cache_read:?}: expected a refusal, got {other:?}"),
        }
    }
}

#[test]
fn a_saved_row_this_version_cannot_read_is_an_error_that_says_how_to_reset() -> TestResult {
    let (_dir, conn) = open_db();
    conn.execute("INSERT INTO settings (id, json) VALUES (1, ?1)", [r#"{"week_start": "Someday"}"#])?;
    let error = ccmeter_core::store::settings::load(&conn).expect_err("unreadable");
    assert!(matches!(error, StoreError::InvalidSettings { field: SettingsField::Stored, .. }));
    assert!(error.to_string().contains("DELETE FROM settings"), "{error}");
    Ok(())
}

#[test]
fn a_settings_patch_changes_only_the_fields_it_names_and_null_clears_one() {
    let patch: settings::SettingsPatch = serde_json::from_str(
        r#"{"budgets": {"day": {"limit_usd": 5, "thresholds": [100]}, "month": null}, "alerts_paused_until": null}"#,
    )
    .expect("a patch");
    let paused = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 12, 1, 20, 0, 0).single().expect("instant");
    let mut stored = Settings {
        budgets: settings::Budgets {
            week: Some(Budget::new(40.0)),
            month: Some(Budget::new(150.0)),
            ..Default::default()
        },
        retention_days: Some(30),
        alerts_paused_until: Some(paused),
        ..Default::default()
    };
    patch.apply_to(&mut stored);
    assert_eq!(stored.budgets.day, Some(Budget { limit_usd: 5.0, thresholds: vec![100] }), "set");
    assert_eq!(stored.budgets.week, Some(Budget::new(40.0)), "not named: kept");
    assert_eq!(stored.budgets.month, None, "null: removed");
    assert_eq!(stored.alerts_paused_until, None, "null: cleared");
    assert_eq!(stored.retention_days, Some(30), "not named: kept");
    // A patch of every field is the record itself.
    let mut other = Settings::default();
    settings::SettingsPatch::from(&stored).apply_to(&mut other);
    assert_eq!(other, stored);
    assert_eq!(serde_json::to_string(&settings::SettingsPatch::default()).expect("json"), "{}", "nothing to send");
}

#[tokio::test]
async fn two_writers_patching_the_settings_keep_each_others_changes() {
    let (_dir, store) = crate::common::temp_store();
    let ctx = TimeContext::system();
    // The Settings window read the settings when it opened…
    let opened = store.exec(|tx| ccmeter_core::store::settings::load(tx)).await.expect("read");
    // …the tray pauses alerts meanwhile…
    let until = Utc::now() + Duration::hours(1);
    let pause = settings::SettingsPatch { alerts_paused_until: Some(Some(until)), ..Default::default() };
    store
        .exec(move |tx| ccmeter_core::apply_settings::patch_and_apply(tx, &TimeContext::system(), &pause))
        .await
        .expect("paused");
    // …and the window saves the one budget the user changed.
    let mut edited = opened.clone();
    edited.budgets.week = Some(Budget::new(40.0));
    let window = settings::SettingsPatch {
        budgets: Some(settings::BudgetsPatch { week: Some(edited.budgets.week.clone()), ..Default::default() }),
        ..Default::default()
    };
    let (saved, erased) = store
        .exec(move |tx| ccmeter_core::apply_settings::patch_and_apply(tx, &ctx, &window))
        .await
        .expect("window saved");
    assert!(!erased);
    assert_eq!(saved.budgets.week, Some(Budget::new(40.0)));
    assert_eq!(saved.alerts_paused_until.map(|t| t.timestamp()), Some(until.timestamp()), "the pause is kept");
    assert_eq!(
        store.exec(|tx| ccmeter_core::store::settings::load(tx)).await.expect("read"),
        saved,
        "what was returned is what is stored"
    );
}
