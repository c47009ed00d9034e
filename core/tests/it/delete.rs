//! Deleting history keeps every total consistent: a deleted session is gone from every figure, a deleted
//! span of time takes its records and rollups with it, sessions that keep records are recomputed, and
//! retention deletes only what is older than the days to keep.

use std::sync::Arc;

use ccmeter_core::read::query::{self, SessionFilter};

use ccmeter_core::read::logs;
use ccmeter_core::words::range::Range;
use ccmeter_core::words::time::ns;
use ccmeter_core::write::delete;
use ccmeter_core::{Store, TimeContext};
use ccmeter_proto::{ApiRequest, Attributes, Batch, Event, EventDetail, EventName, Nanos, Resource, Signal};
use ccmeter_tests::{expected_totals, requests};
use chrono::{DateTime, Utc};

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).expect("instant").with_timezone(&Utc)
}

async fn store_with(scenarios: &[&str]) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path().join("ccmeter.db")).expect("store");
    for scenario in scenarios {
        for request in requests(scenario) {
            store.write(request.decode()).await.expect("stored");
        }
    }
    (dir, store)
}

fn total(store: &Store) -> i64 {
    query::summary(&store.reader().expect("reader"), Range::ALL).expect("summary").usage.cost_nanos
}

fn session_ids(store: &Store) -> Vec<Option<String>> {
    let page = query::sessions(&store.reader().expect("reader"), &SessionFilter::default()).expect("sessions");
    page.rows.into_iter().map(|r| r.id).collect()
}

#[tokio::test]
async fn a_deleted_session_leaves_every_figure_and_the_others_stay_exact() {
    let (_dir, store) =
        store_with(&["claude-code-2.1.197/grpc/success", "claude-code-2.1.197/http-json/interactive"]).await;
    let before = session_ids(&store);
    assert_eq!(before.len(), 2);
    let gone = query::sessions(&store.reader().expect("reader"), &SessionFilter::default())
        .expect("sessions")
        .rows
        .into_iter()
        .find(|r| (r.usage.cost_nanos - expected_totals("claude-code-2.1.197/grpc/success").cost_nanos).abs() < 1)
        .and_then(|r| r.id)
        .expect("the grpc/success session");
    let deleted = store
        .exec({
            let gone = gone.clone();
            move |tx| delete::session(tx, &gone)
        })
        .await
        .expect("deleted");
    assert_eq!(deleted.sessions, 1);
    assert!(deleted.events > 0 && deleted.metric_points > 0, "{deleted:?}");
    assert_eq!(total(&store), expected_totals("claude-code-2.1.197/http-json/interactive").cost_nanos);
    assert!(!session_ids(&store).contains(&Some(gone.clone())));
    assert!(query::session(&store.reader().expect("reader"), &gone).expect("query").is_none());
}

#[tokio::test]
async fn deleting_the_day_of_a_capture_empties_it_and_another_day_changes_nothing() {
    let (_dir, store) = store_with(&["claude-code-2.1.197/grpc/success"]).await;
    let ctx = TimeContext::fixed(at("2026-11-30T12:00:00Z"), "Europe/Berlin".parse().expect("zone"));
    let day = |d: &str| Some(d.parse().expect("date"));
    let other = store
        .exec({
            let ctx = ctx.clone();
            move |tx| delete::range(tx, Range::local_days(&ctx, day("2026-11-25"), day("2026-11-26")))
        })
        .await
        .expect("deleted");
    assert_eq!(other, delete::Deleted::default());
    assert_eq!(total(&store), expected_totals("claude-code-2.1.197/grpc/success").cost_nanos);

    let deleted = store
        .exec(move |tx| delete::range(tx, Range::local_days(&ctx, day("2026-11-24"), day("2026-11-25"))))
        .await
        .expect("deleted");
    assert_eq!(deleted.sessions, 1);
    assert_eq!(total(&store), 0);
    assert!(session_ids(&store).is_empty());
    let conn = store.reader().expect("reader");
    let rollups: i64 = conn.query_row("SELECT count(*) FROM usage_rollup", [], |r| r.get(0)).expect("count");
    assert_eq!(rollups, 0, "the rollups went with their records");
    let empty = store.exec(|tx| delete::range(tx, Range { from_ns: Some(10), to_ns: Some(20) })).await;
    assert!(empty.is_err_and(|e| e.to_string().contains("must end after it starts")));
}

fn api_request(session: &str, time: DateTime<Utc>, usd: f64, id: &str) -> Event {
    let mut attributes = Attributes::new();
    attributes.insert("session.id".into(), session.into());
    Event {
        time_ns: ns(time),
        time_received: false,
        name: EventName::ApiRequest,
        session_id: Some(session.into()),
        sequence: Some(ns(time)),
        prompt_id: None,
        detail: EventDetail::ApiRequest(ApiRequest {
            model: Some("claude-opus-4-8".into()),
            request_id: Some(id.into()),
            cost: Nanos::from_usd(usd).expect("cost"),
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

#[tokio::test]
async fn a_session_spanning_two_days_keeps_its_later_day_and_retention_keeps_recent_days() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path().join("ccmeter.db")).expect("store");
    let mut batch = Batch::new(Signal::Logs);
    batch.events = vec![
        api_request("long", at("2026-11-20T23:50:00Z"), 1.25, "r1"),
        api_request("long", at("2026-11-21T00:10:00Z"), 2.5, "r2"),
        api_request("short", at("2026-11-10T10:00:00Z"), 4.0, "r3"),
    ];
    store.write(batch).await.expect("stored");
    let utc = TimeContext::fixed(at("2026-11-24T12:00:00Z"), chrono_tz::UTC);

    // Keep 7 days (17 November onwards): the request of the 10th goes, what it added to the totals stays.
    let deleted = store
        .exec({
            let utc = utc.clone();
            move |tx| delete::prune_details_older_than(tx, &utc, 7)
        })
        .await
        .expect("retention");
    assert_eq!((deleted.events, deleted.sessions), (1, 0));
    assert_eq!(total(&store), 7_750_000_000, "totals keep every day");
    let conn = store.reader().expect("reader");
    let short = query::session(&conn, "short").expect("query").expect("the session stays in the history");
    assert_eq!(short.session.usage.cost_nanos, 4_000_000_000, "with its cost");
    assert!(short.timeline.is_empty(), "but not its records");
    let page = logs::log(&conn, &logs::LogFilter { kind: logs::LogKind::Tools, ..Default::default() }).expect("log");
    assert_eq!(page.total, 0);
    drop(conn);
    store.exec(|tx| delete::session(tx, "short")).await.expect("deleted");

    // Delete the 20th: the long session keeps its request of the 21st and starts there now.
    let day = |d: &str| Some(d.parse().expect("date"));
    store
        .exec({
            let utc = utc.clone();
            move |tx| delete::range(tx, Range::local_days(&utc, day("2026-11-20"), day("2026-11-21")))
        })
        .await
        .expect("deleted");
    let conn = store.reader().expect("reader");
    let long = query::session(&conn, "long").expect("query").expect("the session is still there");
    assert_eq!(long.session.usage.cost_nanos, 2_500_000_000);
    assert_eq!(long.session.started_at, at("2026-11-21T00:10:00Z"));
    assert_eq!(long.timeline.len(), 1);
    assert_eq!(total(&store), 2_500_000_000);
}

fn statusline_snapshot(
    session: &str,
    received: &str,
    five_hour_pct: f64,
    resets: &str,
) -> ccmeter_core::words::statusline::Snapshot {
    use ccmeter_core::words::statusline::{LimitKind, LimitReading, Snapshot};
    Snapshot {
        received_at: at(received),
        session_id: Some(session.into()),
        cwd: Some("/home/dev/project".into()),
        limits: vec![LimitReading { kind: LimitKind::FiveHour, used_pct: five_hour_pct, resets_at: at(resets) }],
        ..Default::default()
    }
}

#[tokio::test]
async fn deleting_takes_the_statusline_records_of_the_session_or_the_span_with_it() {
    let (_dir, store) = store_with(&[]).await;
    let snapshots = [
        statusline_snapshot("early", "2026-11-20T10:00:00Z", 20.0, "2026-11-20T14:00:00Z"),
        statusline_snapshot("late", "2026-11-22T10:00:00Z", 10.0, "2026-11-22T14:00:00Z"),
        statusline_snapshot("late", "2026-11-22T11:00:00Z", 30.0, "2026-11-22T14:00:00Z"),
    ];
    store
        .exec(move |tx| snapshots.iter().try_for_each(|s| ccmeter_core::write::statusline::record(tx, s)))
        .await
        .expect("recorded");
    let count = |sql: &str| -> i64 { store.reader().expect("reader").query_row(sql, [], |r| r.get(0)).expect(sql) };
    assert_eq!(count("SELECT count(*) FROM session_workspaces"), 2);

    // The first day's window and workspace go with the first day; the later window loses its point in the
    // span and keeps the highest of the rest.
    let span = Range { from_ns: Some(ns(at("2026-11-20T00:00:00Z"))), to_ns: Some(ns(at("2026-11-22T10:30:00Z"))) };
    store.exec(move |tx| delete::range(tx, span)).await.expect("deleted");
    assert_eq!(count("SELECT count(*) FROM limit_windows"), 1);
    assert_eq!(count("SELECT count(*) FROM limit_points"), 1);
    assert_eq!(count("SELECT CAST(used_pct AS INTEGER) FROM limit_windows"), 30);
    assert_eq!(count("SELECT count(*) FROM session_workspaces WHERE session_id = 'early'"), 0);
    assert_eq!(
        count("SELECT count(*) FROM session_workspaces WHERE session_id = 'late'"),
        1,
        "reported after the span too"
    );

    store.exec(|tx| delete::session(tx, "late")).await.expect("deleted");
    assert_eq!(count("SELECT count(*) FROM session_workspaces"), 0);
    assert_eq!(count("SELECT count(*) FROM limit_windows"), 1, "the plan's windows are not the session's");
}
