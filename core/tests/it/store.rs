//! The store against real Claude Code telemetry: every fixture must add up to Claude Code's own totals,
//! whatever the protocol, temporality, order or number of retries.

use ccmeter_core::read::query::{self, SessionFilter, SessionSort};

use ccmeter_core::words::range::Range;
use ccmeter_core::{Store, TimeContext};
use ccmeter_proto::{Batch, Signal};
use ccmeter_tests::{ExpectedTotals, expected_totals, requests, scenarios};
use rusqlite::Connection;

use crate::common::temp_store;

async fn write_all(store: &Store, batches: Vec<Batch>) {
    for batch in batches {
        assert!(batch.rejected.is_empty(), "fixture records rejected: {:?}", batch.rejected);
        store.write(batch).await.expect("batch stored");
    }
}

fn batches(scenario: &str, keep: impl Fn(Signal) -> bool) -> Vec<Batch> {
    requests(scenario).iter().map(|r| r.decode()).filter(|b| keep(b.signal)).collect()
}

fn totals(conn: &Connection) -> ExpectedTotals {
    let s = query::summary(conn, Range::ALL).expect("summary");
    ExpectedTotals {
        cost_nanos: s.usage.cost_nanos,
        input: s.usage.tokens.input,
        output: s.usage.tokens.output,
        cache_read: s.usage.tokens.cache_read,
        cache_creation: s.usage.tokens.cache_creation,
        lines_added: s.usage.lines_added,
        lines_removed: s.usage.lines_removed,
        sessions: s.sessions,
        commits: s.usage.commits,
        pull_requests: s.usage.pull_requests,
        active_cli_us: (s.usage.active_time_cli_s * 1e6).round() as i64,
        active_user_us: (s.usage.active_time_user_s * 1e6).round() as i64,
        event_counts: query::event_counts(conn, Range::ALL).expect("event counts"),
    }
}

#[tokio::test]
async fn every_fixture_adds_up_to_claude_codes_own_totals() {
    for scenario in scenarios() {
        let (_dir, store) = temp_store();
        write_all(&store, batches(&scenario, |_| true)).await;
        let conn = store.reader().expect("reader");
        assert_eq!(totals(&conn), expected_totals(&scenario), "{scenario}");
    }
}

#[tokio::test]
async fn replaying_every_request_again_changes_no_total() {
    for scenario in scenarios() {
        let (_dir, store) = temp_store();
        write_all(&store, batches(&scenario, |_| true)).await;
        let conn = store.reader().expect("reader");
        let once = totals(&conn);
        let counts_once = query::record_counts(&conn).expect("counts");
        write_all(&store, batches(&scenario, |_| true)).await;
        assert_eq!(totals(&conn), once, "{scenario}: a retried export changed a total");
        assert_eq!(query::record_counts(&conn).expect("counts"), counts_once, "{scenario}: rows duplicated");
    }
}

#[tokio::test]
async fn a_session_with_metrics_only_is_counted_from_its_metrics() {
    for scenario in scenarios() {
        let (_dir, store) = temp_store();
        write_all(&store, batches(&scenario, |s| s == Signal::Metrics)).await;
        let conn = store.reader().expect("reader");
        let got = totals(&conn);
        let want = expected_totals(&scenario);
        assert_eq!(got.cost_nanos, want.cost_nanos, "{scenario}: metric cost");
        assert_eq!(
            (got.input, got.output, got.cache_read, got.cache_creation),
            (want.input, want.output, want.cache_read, want.cache_creation),
            "{scenario}: metric tokens"
        );
        let sessions = query::sessions(&conn, &SessionFilter::default()).expect("sessions");
        assert!(sessions.rows.iter().all(|s| s.cost_source == query::CostSource::Metrics));
    }
}

#[tokio::test]
async fn metrics_arriving_before_or_after_events_count_once() {
    for scenario in scenarios() {
        let (_dir, store) = temp_store();
        // All metrics first, then all logs: the opposite of the usual order.
        write_all(&store, batches(&scenario, |s| s == Signal::Metrics)).await;
        write_all(&store, batches(&scenario, |s| s != Signal::Metrics)).await;
        let conn = store.reader().expect("reader");
        assert_eq!(totals(&conn), expected_totals(&scenario), "{scenario}");
    }
}

#[tokio::test]
async fn metrics_without_a_session_id_are_kept_under_no_session_and_not_double_counted() {
    let scenario = "claude-code-2.1.197/grpc/success";
    let strip = |mut batch: Batch| {
        for point in &mut batch.points {
            point.attributes.remove("session.id");
            point.session_id = None;
        }
        batch
    };
    // Metrics only: the cost is there, under "no session".
    let (_dir, store) = temp_store();
    write_all(&store, batches(scenario, |s| s == Signal::Metrics).into_iter().map(strip).collect()).await;
    let conn = store.reader().expect("reader");
    let want = expected_totals(scenario);
    assert_eq!(totals(&conn).cost_nanos, want.cost_nanos);
    let page = query::sessions(&conn, &SessionFilter::default()).expect("sessions");
    assert_eq!(page.rows.len(), 1);
    assert_eq!(page.rows[0].id, None);
    // With the events too (they carry session.id), the cost is counted once.
    write_all(&store, batches(scenario, |s| s != Signal::Metrics)).await;
    assert_eq!(totals(&conn).cost_nanos, want.cost_nanos);
}

#[tokio::test]
async fn sessions_timeline_tools_and_errors_read_back() {
    let (_dir, store) = temp_store();
    write_all(&store, batches("claude-code-2.1.197/grpc/success", |_| true)).await;
    write_all(&store, batches("claude-code-2.1.197/grpc/api-errors", |_| true)).await;
    let conn = store.reader().expect("reader");

    let page = query::sessions(
        &conn,
        &SessionFilter { sort: SessionSort::Cost, descending: true, limit: 3, ..Default::default() },
    )
    .expect("sessions");
    assert_eq!(page.total, 7);
    assert_eq!(page.rows.len(), 3);
    assert_eq!(page.rows[0].id.as_deref(), Some("5b901130-a759-486a-a3cd-102d9d462d0f"));
    assert_eq!(page.rows[0].usage.cost_nanos, 210_920_000);
    assert_eq!(page.rows[0].models, vec!["claude-haiku-4-5-20251001", "claude-opus-4-8"]);
    assert!(page.rows[0].usage.cost_nanos >= page.rows[1].usage.cost_nanos);

    let haiku = query::sessions(
        &conn,
        &SessionFilter { model: Some("claude-haiku-4-5-20251001".into()), ..Default::default() },
    )
    .expect("filtered");
    assert_eq!(haiku.total, 1);
    let by_text =
        query::sessions(&conn, &SessionFilter { text: Some("92267FE2".into()), ..Default::default() }).expect("search");
    assert_eq!(by_text.total, 1);

    let detail = query::session(&conn, "5b901130-a759-486a-a3cd-102d9d462d0f").expect("query").expect("session exists");
    assert_eq!(detail.timeline.len(), 37);
    let sequences: Vec<i64> = detail.timeline.iter().filter_map(|e| e.sequence).collect();
    let mut sorted = sequences.clone();
    sorted.sort();
    assert_eq!(sequences, sorted, "timeline is in event order");
    assert_eq!(detail.timeline.iter().filter(|e| e.name == "api_request").count(), 10);
    assert!(query::session(&conn, "no-such-session").expect("query").is_none());

    let tools = query::tool_stats(&conn, Range::ALL).expect("tools");
    let total_calls: i64 = tools.iter().map(|t| t.calls).sum();
    assert_eq!(total_calls, 7);
    let webfetch = tools.iter().find(|t| t.tool == "WebFetch").expect("WebFetch stats");
    assert_eq!(webfetch.failed, 1);
    assert!(tools.iter().all(|t| t.p50_ms <= t.p95_ms));

    let errors = query::errors_by_status(&conn, Range::ALL).expect("errors");
    assert_eq!(errors.iter().map(|e| e.count).sum::<i64>(), 4);
}

#[tokio::test]
async fn days_and_hours_are_local_and_never_depend_on_todays_date() {
    let (_dir, store) = temp_store();
    write_all(&store, batches("claude-code-2.1.197/grpc/success", |_| true)).await;
    let conn = store.reader().expect("reader");
    // The capture was made on 2026-11-24 around 11:28 UTC: 12:28 in Berlin, 00:28 next day in Auckland.
    let at = |zone: &str| TimeContext::fixed(chrono::Utc::now(), zone.parse().expect("zone"));
    let days = query::by_day(&conn, &at("Europe/Berlin"), Range::ALL).expect("by day");
    assert_eq!(days.len(), 1);
    assert_eq!(days[0].0.to_string(), "2026-11-24");
    assert_eq!(days[0].1.cost_nanos, 210_920_000);
    let days = query::by_day(&conn, &at("Pacific/Auckland"), Range::ALL).expect("by day");
    assert_eq!(days[0].0.to_string(), "2026-11-25");
    let berlin = at("Europe/Berlin");
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).expect("date");
    let next = day.succ_opt().expect("next day");
    let range = Range::local_days(&berlin, Some(day), Some(next));
    assert_eq!(query::summary(&conn, range).expect("summary").usage.cost_nanos, 210_920_000);
    let range = Range::local_days(&berlin, Some(next), None);
    assert_eq!(query::summary(&conn, range).expect("summary").usage.cost_nanos, 0);
    let hours =
        query::over_time(&conn, &berlin, Range::ALL, ccmeter_core::words::range::Granularity::Hour).expect("hours");
    let cost: i64 = hours.iter().map(|h| h.usage.cost_nanos).sum();
    assert_eq!(cost, 210_920_000);
}

#[tokio::test]
async fn prompt_text_is_not_stored_unless_the_user_asks() {
    let (_dir, store) = temp_store();
    write_all(&store, batches("claude-code-2.1.197/grpc/success", |_| true)).await;
    let conn = store.reader().expect("reader");
    let prompt: String = conn
        .query_row("SELECT attributes FROM events WHERE name = 'user_prompt'", [], |r| r.get(0))
        .expect("prompt event");
    assert!(!prompt.contains("create hello.py"), "{prompt}");
    assert!(prompt.contains("\"prompt_length\""), "{prompt}");
}

#[test]
fn a_database_from_a_newer_ccmeter_is_refused_not_corrupted() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("ccmeter.db");
    {
        let conn = Connection::open(&path).expect("open");
        conn.pragma_update(None, "user_version", 99).expect("set version");
    }
    let error = Store::open(&path).err().expect("refused");
    assert!(error.to_string().contains("newer ccmeter"), "{error}");
    let conn = Connection::open(&path).expect("reopen");
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).expect("version");
    assert_eq!(version, 99, "left as the newer version wrote it");
    let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0)).expect("schema objects");
    assert_eq!(tables, 0, "no table of this version was added");
    assert!(ccmeter_core::store::migration_backups(&path).is_empty(), "nothing to back up: nothing changed");
}

fn cumulative_cost_point(start_ns: i64, time_ns: i64, usd: f64) -> ccmeter_proto::MetricPoint {
    let mut attributes = serde_json::Map::new();
    attributes.insert("session.id".into(), "reset-session".into());
    attributes.insert("model".into(), "claude-opus-4-8[1m]".into());
    ccmeter_proto::MetricPoint {
        metric: ccmeter_proto::MetricName::CostUsage,
        kind: ccmeter_proto::PointKind::Sum { monotonic: true },
        temporality: ccmeter_proto::Temporality::Cumulative,
        unit: "USD".into(),
        start_ns,
        time_ns,
        value: usd,
        session_id: Some("reset-session".into()),
        attributes,
        detail: None,
        resource: Default::default(),
    }
}

#[tokio::test]
async fn cumulative_sums_become_increments_and_resets_are_not_negative() {
    let (_dir, store) = temp_store();
    let t0 = 1_795_519_800_000_000_000_i64;
    let second = 1_000_000_000;
    let points = vec![
        cumulative_cost_point(t0, t0 + second, 0.5),
        cumulative_cost_point(t0, t0 + 2 * second, 0.8), // +0.3
        cumulative_cost_point(t0, t0 + 2 * second, 0.8), // a replay: nothing
        cumulative_cost_point(t0, t0 + 3 * second, 0.2), // dropped under the same start: a reset, +0.2
        cumulative_cost_point(t0 + 4 * second, t0 + 5 * second, 0.4), // a new start time: a new series, +0.4
        cumulative_cost_point(t0, t0 + second, 0.5),     // a straggler older than the last point: nothing
    ];
    for point in points {
        let mut batch = Batch::new(Signal::Metrics);
        batch.points.push(point);
        store.write(batch).await.expect("stored");
    }
    let conn = store.reader().expect("reader");
    assert_eq!(totals(&conn).cost_nanos, 1_400_000_000, "0.5 + 0.3 + 0.2 + 0.4");
    let models = query::by_model(&conn, Range::ALL).expect("models");
    assert_eq!(models.len(), 1);
    assert_eq!(models[0].model, "claude-opus-4-8", "grouped under the normalised name");
}

#[test]
fn a_version_2_database_keeps_its_alerts_when_upgraded() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("ccmeter.db");
    {
        let conn = Connection::open(&path).expect("open");
        for sql in
            [include_str!("../../migrations/0001_initial.sql"), include_str!("../../migrations/0002_budgets.sql")]
        {
            conn.execute_batch(sql).expect("old schema");
        }
        conn.pragma_update(None, "user_version", 2).expect("set version");
        conn.execute(
            "INSERT INTO alerts VALUES ('day', '2026-11-24', 80, 1, 8040000000, 10000000000, 0,
                                        'Daily budget 80 % used', '$8.04 of $10.00 spent today')",
            [],
        )
        .expect("an alert of version 2");
    }
    // Backups of earlier upgrades: only the newest few are kept.
    for stamp in ["20250101T000000Z", "20250201T000000Z", "20250301T000000Z"] {
        std::fs::write(dir.path().join(format!("ccmeter.db.schema1-{stamp}.bak")), b"old").expect("old backup");
    }
    let store = Store::open(&path).expect("upgraded");
    let alerts = ccmeter_core::read::alerts::history(&store.reader().expect("reader"), 0).expect("history");
    assert_eq!(alerts.len(), 1);
    assert_eq!((alerts[0].threshold, alerts[0].limit_nanos), (80, 10_000_000_000));
    assert_eq!(alerts[0].body, "$8.04 of $10.00 spent today");

    // The version-2 file was copied, as it stood, before the migration touched it.
    let backups = ccmeter_core::store::migration_backups(&path);
    let names: Vec<String> = backups.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(names.len(), 3, "the oldest backup was removed: {names:?}");
    assert!(names[0].ends_with("20250201T000000Z.bak") && names[1].ends_with("20250301T000000Z.bak"), "{names:?}");
    let backup = &backups[2];
    assert!(names[2].starts_with("ccmeter.db.schema2-"), "{names:?}");
    let old = Connection::open(backup).expect("the backup opens");
    let version: i64 = old.pragma_query_value(None, "user_version", |r| r.get(0)).expect("version");
    assert_eq!(version, 2, "the backup is the database before the upgrade");
    let body: String = old.query_row("SELECT body FROM alerts", [], |r| r.get(0)).expect("its alert");
    assert_eq!(body, "$8.04 of $10.00 spent today");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(backup).expect("backup metadata").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the backup is as private as the database");
    }

    // An up-to-date database is opened without another copy.
    drop(store);
    Store::open(&path).expect("reopened");
    assert_eq!(ccmeter_core::store::migration_backups(&path).len(), 3);
}

#[tokio::test]
async fn a_full_disk_refuses_the_batch_whole_says_why_and_ingest_resumes_when_space_returns() {
    let (_dir, store) = temp_store();
    let mut batches = batches("claude-code-2.1.197/grpc/success", |_| true).into_iter();
    let first = batches.next().expect("a first batch");
    store.write(first).await.expect("stored while there is room");
    let conn = store.reader().expect("reader");
    let before = totals(&conn);
    let records = |conn: &Connection| -> i64 {
        conn.query_row(
            "SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM metric_points)
                    + (SELECT count(*) FROM usage_rollup) + (SELECT count(*) FROM facet_rollup)",
            [],
            |r| r.get(0),
        )
        .expect("count")
    };
    let stored_before = records(&conn);

    // The disk is full: the database may not grow by a single page.
    let pages: i64 = conn.query_row("PRAGMA page_count", [], |r| r.get(0)).expect("page count");
    store
        .exec(move |tx| Ok(tx.pragma_update(None, "max_page_count", pages)?))
        .await
        .expect("limit the database's size");
    let rest: Vec<Batch> = batches.collect();
    let mut refused = 0;
    for batch in &rest {
        let stored = records(&conn);
        match store.write(batch.clone()).await {
            Ok(_) => {}
            Err(ccmeter_proto::SinkError::Unavailable { reason }) => {
                assert!(reason.contains("disk holding the ccmeter database is full"), "{reason}");
                assert_eq!(records(&conn), stored, "a refused batch leaves no record and no rollup row behind");
                refused += 1;
            }
            Err(other) => panic!("a full disk is 'unavailable' (retry later), not {other:?}"),
        }
    }
    assert!(refused > 0, "some batch needed room");
    assert!(records(&conn) >= stored_before);
    let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).expect("integrity");
    assert_eq!(integrity, "ok");
    let after_refusal = totals(&conn);

    // Space returns; the exporter retries everything it was refused (and what it was not: duplicates).
    store.exec(|tx| Ok(tx.pragma_update(None, "max_page_count", 1_073_741_823_i64)?)).await.expect("room again");
    for batch in rest {
        store.write(batch).await.expect("stored once there is room");
    }
    let after = totals(&conn);
    assert_eq!(
        after,
        expected_totals("claude-code-2.1.197/grpc/success"),
        "every figure as if the disk had never filled"
    );
    assert!(before.cost_nanos <= after_refusal.cost_nanos && after_refusal.cost_nanos <= after.cost_nanos);
}

#[cfg(unix)]
#[tokio::test]
async fn the_database_and_its_journal_files_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, store) = temp_store();
    write_all(&store, batches("claude-code-2.1.197/grpc/success", |_| true)).await;
    let _reader = store.reader().expect("a reader keeps the WAL open");
    for name in ["ccmeter.db", "ccmeter.db-wal", "ccmeter.db-shm"] {
        let path = dir.path().join(name);
        let mode = std::fs::metadata(&path).unwrap_or_else(|e| panic!("{name}: {e}")).permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{name} is {mode:o}");
    }
}

#[tokio::test]
async fn the_schema_6_migration_rekeys_every_event_without_losing_or_doubling_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("ccmeter.db");
    let scenarios = ["claude-code-2.1.332/http-json/resume", "claude-code-2.1.332/http-protobuf/subagent"];
    let count = |conn: &Connection, sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).expect(sql) };
    let before = {
        let store = Store::open(&path).expect("store");
        for scenario in scenarios {
            write_all(&store, batches(scenario, |_| true)).await;
        }
        totals(&store.reader().expect("reader"))
    };
    let events = {
        let conn = Connection::open(&path).expect("open");
        conn.execute_batch(ccmeter_tests::BACK_TO_SCHEMA_5).expect("back to schema 5");
        assert_eq!(count(&conn, "SELECT count(*) FROM events WHERE dedup_key LIKE 'seq:%:' || time_ns"), 0, "old keys");
        count(&conn, "SELECT count(*) FROM events")
    };

    let store = Store::open(&path).expect("migrated");
    let conn = store.reader().expect("reader");
    assert_eq!(count(&conn, "SELECT count(*) FROM events"), events, "no row lost or added");
    assert_eq!(count(&conn, "SELECT count(DISTINCT dedup_key) FROM events"), events);
    assert_eq!(
        count(&conn, "SELECT count(*) FROM events WHERE dedup_key LIKE 'seq:%' AND dedup_key NOT LIKE '%:' || time_ns"),
        0,
        "every sequence key carries the record's time"
    );
    assert_eq!(totals(&conn), before);
    // The new columns are filled from what was stored, as ingest fills them.
    let requests = count(&conn, "SELECT count(*) FROM events WHERE name = 'api_request'");
    assert_eq!(
        count(&conn, "SELECT count(*) FROM events WHERE name = 'api_request' AND ttft_ms IS NOT NULL"),
        requests
    );
    assert_eq!(count(&conn, "SELECT count(*) FROM events WHERE agent_name = 'general-purpose'"), 3, "the subagent");
    assert_eq!(count(&conn, "SELECT count(*) FROM sessions WHERE vcs_revision IS NOT NULL"), 1, "the resumed commit");

    // Exporters retrying after the upgrade change nothing.
    for scenario in scenarios {
        write_all(&store, batches(scenario, |_| true)).await;
    }
    assert_eq!(count(&conn, "SELECT count(*) FROM events"), events);
    assert_eq!(totals(&conn), before);
}

/// With `OTEL_METRICS_INCLUDE_REPOSITORY=true` every metric point names the repository: a session seen through
/// metrics alone shows it too, straight from ingest and after the schema 6 migration fills it in.
#[tokio::test]
async fn a_sessions_repository_comes_from_its_metric_points_at_ingest_and_in_the_migration() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("ccmeter.db");
    let url = "https://github.com/fixture-org/demo-repo";
    let mut input = batches("claude-code-2.1.332/grpc/success", |s| s == Signal::Metrics);
    for point in input.iter_mut().flat_map(|b| &mut b.points) {
        point.attributes.insert("vcs.repository.url.full".into(), url.into());
        point.attributes.insert("vcs.repository.name".into(), "demo-repo".into());
    }
    let repository = |store: &Store| {
        let page = query::sessions(&store.reader().expect("reader"), &SessionFilter::default()).expect("sessions");
        page.rows.iter().map(|r| r.repository.clone()).collect::<Vec<_>>()
    };
    {
        let store = Store::open(&path).expect("store");
        write_all(&store, input).await;
        assert_eq!(repository(&store), [Some(url.to_owned())], "from ingest");
    }
    Connection::open(&path).expect("open").execute_batch(ccmeter_tests::BACK_TO_SCHEMA_5).expect("back to 5");
    let store = Store::open(&path).expect("migrated");
    assert_eq!(repository(&store), [Some(url.to_owned())], "from the migration");
}
