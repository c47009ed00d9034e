//! Moving history between machines: an export imported into an empty database reads back identically, a
//! merge takes each session once, importing again changes nothing, and every bad file is refused with the
//! database left as it was.

use std::path::{Path, PathBuf};

use ccmeter_core::read::report::{self, GroupBy, ReportRequest};
use ccmeter_core::store::open_connection;
use ccmeter_core::write::transfer::{self, Imported};
use ccmeter_core::{Store, StoreError, TimeContext};
use ccmeter_proto::{Batch, Signal};
use ccmeter_tests::{expected_totals, requests, scenarios};
use rusqlite::Connection;

async fn store_with(dir: &Path, scenarios: &[&str], keep: impl Fn(&mut Batch)) -> PathBuf {
    let path = dir.join("ccmeter.db");
    let store = Store::open(&path).expect("store opens");
    for scenario in scenarios {
        for request in requests(scenario) {
            let mut batch = request.decode();
            keep(&mut batch);
            store.write(batch).await.expect("stored");
        }
    }
    path
}

/// Everything `ccmeter report --json` prints (all time, by day and by model), and each session's timeline.
fn fingerprint(path: &Path) -> String {
    let conn = open_connection(path).expect("open");
    let ctx = TimeContext::fixed("2026-11-24T12:00:00Z".parse().expect("time"), chrono_tz::Europe::Paris);
    let mut parts = Vec::new();
    for by in [None, Some(GroupBy::Day), Some(GroupBy::Model), Some(GroupBy::Session)] {
        let mut report = report::build(&conn, &ctx, &ReportRequest { since: None, until: None, by }).expect("report");
        report.generated_at = chrono::DateTime::UNIX_EPOCH;
        parts.push(serde_json::to_string(&report).expect("json"));
        if by.is_none() {
            for session in &report.sessions {
                let id = session.id.clone().unwrap_or_default();
                let detail = ccmeter_core::read::query::session(&conn, &id).expect("session");
                parts.push(serde_json::to_string(&detail).expect("json"));
            }
        }
    }
    parts.join("\n")
}

fn count(path: &Path, sql: &str) -> i64 {
    Connection::open(path).expect("open").query_row(sql, [], |r| r.get(0)).expect("count")
}

fn export_to(path: &Path, out: &Path) -> transfer::Exported {
    let conn = open_connection(path).expect("open");
    transfer::export(&conn, path, out).expect("exported")
}

fn import_into(path: &Path, file: &Path) -> Result<Imported, StoreError> {
    let mut conn = open_connection(path).expect("open");
    transfer::import(&mut conn, path, file)
}

#[tokio::test]
async fn an_export_imported_into_an_empty_database_reads_back_identically() {
    let all = scenarios();
    let names: Vec<&str> = all.iter().map(String::as_str).collect();
    let (from, to) = (tempfile::tempdir().expect("dir"), tempfile::tempdir().expect("dir"));
    let source = store_with(from.path(), &names, |_| {}).await;
    let file = from.path().join("history.ccmeter");
    let exported = export_to(&source, &file);
    assert!(exported.bytes > 0 && exported.sessions >= names.len() as i64, "{exported:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).expect("metadata").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "an export holds the same history as the database");
    }

    let target = to.path().join("ccmeter.db");
    drop(Store::open(&target).expect("an empty database"));
    let imported = import_into(&target, &file).expect("imported");
    assert_eq!(imported.sessions_added, exported.sessions);
    assert_eq!((imported.sessions_updated, imported.sessions_unchanged), (0, 0));
    let records = "SELECT (SELECT count(*) FROM events) || '/' || (SELECT count(*) FROM metric_points)";
    assert_eq!(
        (imported.events, imported.metric_points),
        (count(&source, "SELECT count(*) FROM events"), count(&source, "SELECT count(*) FROM metric_points"))
    );
    assert!(imported.events > 0, "{records}");
    assert_eq!(fingerprint(&target), fingerprint(&source));
    let rollups = "SELECT count(*) || ':' || total(ev_cost_nanos) || ':' || total(m_cost_nanos) FROM usage_rollup";
    let rollup_of = |p: &Path| {
        Connection::open(p).expect("open").query_row(rollups, [], |r| r.get::<_, String>(0)).expect("rollups")
    };
    assert_eq!(rollup_of(&target), rollup_of(&source));

    // Importing the same file again changes nothing.
    let again = import_into(&target, &file).expect("imported again");
    assert_eq!(again.sessions_added + again.sessions_updated + again.events + again.metric_points, 0, "{again:?}");
    assert_eq!(again.sessions_unchanged, exported.sessions);
    assert_eq!(fingerprint(&target), fingerprint(&source));
}

#[tokio::test]
async fn two_machines_merge_and_a_later_export_of_the_same_machine_brings_only_what_is_new() {
    let (a, b) = (tempfile::tempdir().expect("dir"), tempfile::tempdir().expect("dir"));
    // Machine A ran one scenario; machine B another.
    let machine_a = store_with(a.path(), &["claude-code-2.1.197/grpc/success"], |_| {}).await;
    let machine_b = store_with(b.path(), &["claude-code-2.1.197/http-json/interactive"], |_| {}).await;
    let want_a = expected_totals("claude-code-2.1.197/grpc/success").cost_nanos;
    let want_b = expected_totals("claude-code-2.1.197/http-json/interactive").cost_nanos;
    let cost = |p: &Path| {
        let conn = open_connection(p).expect("open");
        ccmeter_core::read::query::summary(&conn, ccmeter_core::words::range::Range::ALL)
            .expect("summary")
            .usage
            .cost_nanos
    };

    let first = a.path().join("first.ccmeter");
    export_to(&machine_a, &first);
    let imported = import_into(&machine_b, &first).expect("imported");
    assert_eq!(imported.sessions_added, 1);
    assert_eq!(cost(&machine_b), want_a + want_b, "both machines' history, each counted once");

    // A goes on with another session; the one B already has is unchanged.
    let store = Store::open(&machine_a).expect("reopen A");
    for request in requests("claude-code-2.1.197/grpc/api-errors") {
        store.write(request.decode()).await.expect("stored");
    }
    drop(store);
    let later = a.path().join("later.ccmeter");
    export_to(&machine_a, &later);
    let imported = import_into(&machine_b, &later).expect("imported");
    let sessions_of_a = count(&machine_a, "SELECT count(*) FROM sessions WHERE id <> ''");
    assert!(sessions_of_a > 1);
    assert_eq!((imported.sessions_unchanged, imported.sessions_added), (1, sessions_of_a - 1), "{imported:?}");
    assert_eq!(
        cost(&machine_b),
        want_a + want_b + expected_totals("claude-code-2.1.197/grpc/api-errors").cost_nanos,
        "only what A added since the first export"
    );
    // And the older export, imported after the newer one, takes nothing back.
    let imported = import_into(&machine_b, &first).expect("imported");
    assert_eq!((imported.sessions_added, imported.sessions_updated, imported.events), (0, 0, 0), "{imported:?}");
}

#[tokio::test]
async fn a_session_seen_further_in_the_file_replaces_the_shorter_copy_whole() {
    let (a, b) = (tempfile::tempdir().expect("dir"), tempfile::tempdir().expect("dir"));
    let scenario = "claude-code-2.1.197/grpc/success";
    let all = requests(scenario);
    let half = all.len() / 2;
    // B holds the first half of a session (an export taken midway); A the whole of it.
    let machine_a = store_with(a.path(), &[scenario], |_| {}).await;
    let machine_b = b.path().join("ccmeter.db");
    let store = Store::open(&machine_b).expect("open B");
    for request in &all[..half] {
        store.write(request.decode()).await.expect("stored");
    }
    drop(store);
    let file = a.path().join("whole.ccmeter");
    export_to(&machine_a, &file);
    let imported = import_into(&machine_b, &file).expect("imported");
    assert_eq!(imported.sessions_updated, 1, "{imported:?}");
    assert_eq!(fingerprint(&machine_b), fingerprint(&machine_a), "the whole session, never half added twice");
}

#[tokio::test]
async fn records_without_a_session_merge_per_quarter_hour_and_never_count_twice() {
    let strip = |batch: &mut Batch| {
        for point in &mut batch.points {
            point.attributes.remove("session.id");
            point.session_id = None;
        }
    };
    let metrics_only = |batch: &mut Batch| {
        if batch.signal != Signal::Metrics {
            batch.points.clear();
            batch.events.clear();
            batch.spans.clear();
        }
        strip(batch);
    };
    let (a, b) = (tempfile::tempdir().expect("dir"), tempfile::tempdir().expect("dir"));
    let machine_a = store_with(a.path(), &["claude-code-2.1.197/grpc/success"], metrics_only).await;
    let machine_b = store_with(b.path(), &["claude-code-2.1.197/grpc/success"], metrics_only).await;
    let before = fingerprint(&machine_b);
    let file = a.path().join("a.ccmeter");
    export_to(&machine_a, &file);
    // The same quarter hours already hold records without a session: nothing is added to them.
    let imported = import_into(&machine_b, &file).expect("imported");
    assert_eq!(imported.metric_points, 0, "{imported:?}");
    assert_eq!(fingerprint(&machine_b), before);
    // Into an empty database they all come.
    let c = tempfile::tempdir().expect("dir");
    let empty = c.path().join("ccmeter.db");
    drop(Store::open(&empty).expect("empty"));
    let imported = import_into(&empty, &file).expect("imported");
    assert!(imported.metric_points > 0, "{imported:?}");
    assert_eq!(fingerprint(&empty), fingerprint(&machine_a));
}

#[tokio::test]
async fn imported_prompt_text_follows_this_databases_privacy_setting() {
    let (a, b) = (tempfile::tempdir().expect("dir"), tempfile::tempdir().expect("dir"));
    let machine_a = a.path().join("ccmeter.db");
    {
        let conn = open_connection(&machine_a).expect("open A");
        let mut settings = ccmeter_core::store::settings::load(&conn).expect("settings");
        settings.store_prompt_text = true;
        ccmeter_core::store::settings::save(&conn, &settings).expect("keep prompt text on A");
    }
    let store = Store::open(&machine_a).expect("reopen A");
    for request in requests("claude-code-2.1.197/grpc/success") {
        store.write(request.decode()).await.expect("stored");
    }
    drop(store);
    let kept = "SELECT count(*) FROM events WHERE attributes LIKE '%create hello.py%'";
    assert!(count(&machine_a, kept) > 0, "A keeps the prompt text");

    let file = a.path().join("a.ccmeter");
    export_to(&machine_a, &file);
    let machine_b = b.path().join("ccmeter.db");
    drop(Store::open(&machine_b).expect("B, prompt text off by default"));
    import_into(&machine_b, &file).expect("imported");
    assert_eq!(count(&machine_b, kept), 0, "B does not keep prompt text, so none is imported");
    assert!(count(&machine_b, "SELECT count(*) FROM events WHERE attributes LIKE '%[not stored: %'") > 0);
}

#[tokio::test]
async fn an_export_from_an_older_ccmeter_is_migrated_as_it_is_imported() {
    let (a, b) = (tempfile::tempdir().expect("dir"), tempfile::tempdir().expect("dir"));
    let machine_a = store_with(a.path(), &["claude-code-2.1.197/grpc/success"], |_| {}).await;
    let file = a.path().join("old.ccmeter");
    export_to(&machine_a, &file);
    {
        // What schema 3 looked like: no facet rollup, the narrower event index.
        let conn = Connection::open(&file).expect("open");
        conn.execute_batch(ccmeter_tests::BACK_TO_SCHEMA_3).expect("back to schema 3");
    }
    let machine_b = b.path().join("ccmeter.db");
    drop(Store::open(&machine_b).expect("empty"));
    import_into(&machine_b, &file).expect("imported");
    assert_eq!(fingerprint(&machine_b), fingerprint(&machine_a));
    let facets = "SELECT count(*) FROM facet_rollup";
    assert_eq!(count(&machine_b, facets), count(&machine_a, facets), "the facet rollup rebuilt on the way in");
    let version: i64 =
        Connection::open(&file).expect("open").pragma_query_value(None, "user_version", |r| r.get(0)).expect("v");
    assert_eq!(version, 3, "the file itself is only read");
}

#[tokio::test]
async fn bad_files_are_refused_with_a_reason_and_the_database_is_left_as_it_was() {
    let dir = tempfile::tempdir().expect("dir");
    let db = store_with(dir.path(), &["claude-code-2.1.197/grpc/success"], |_| {}).await;
    let before = fingerprint(&db);
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).expect("write");
        path
    };
    let good = dir.path().join("good.ccmeter");
    export_to(&db, &good);
    let bytes = std::fs::read(&good).expect("read export");

    let not_sqlite = write("notes.txt", b"these are not the rows you are looking for");
    let empty = write("empty.ccmeter", b"");
    let truncated = write("truncated.ccmeter", &bytes[..bytes.len() / 3]);
    let mut flipped = bytes.clone();
    for byte in flipped.iter_mut().skip(4096).step_by(97) {
        *byte ^= 0x5a;
    }
    let corrupt = write("corrupt.ccmeter", &flipped);
    let other_app = dir.path().join("other.sqlite");
    Connection::open(&other_app).expect("open").execute_batch("CREATE TABLE notes (text TEXT)").expect("table");
    let newer = dir.path().join("newer.ccmeter");
    export_to(&db, &newer);
    Connection::open(&newer).expect("open").pragma_update(None, "user_version", 99).expect("newer");

    let cases: [(&Path, &str); 8] = [
        (&not_sqlite, "not a ccmeter export"),
        (&empty, "not a ccmeter export"),
        (&truncated, ""),
        (&corrupt, ""),
        (&other_app, "not a ccmeter export"),
        (&newer, "newer ccmeter"),
        (&db, "the database ccmeter is using"),
        (Path::new("/nonexistent/history.ccmeter"), "no such file"),
    ];
    for (file, reason) in cases {
        let error = import_into(&db, file).expect_err(&format!("{} refused", file.display()));
        let message = error.to_string();
        assert!(message.starts_with("import failed: "), "{message}");
        assert!(message.contains(reason), "{}: {message}", file.display());
        assert_eq!(fingerprint(&db), before, "{} changed nothing", file.display());
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".ccmeter-import") || n.ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "no scratch file left behind: {leftovers:?}");
}

#[tokio::test]
async fn an_export_never_overwrites_the_database_or_leaves_half_a_file() {
    let dir = tempfile::tempdir().expect("dir");
    let db = store_with(dir.path(), &["claude-code-2.1.197/grpc/success"], |_| {}).await;
    let conn = open_connection(&db).expect("open");
    let error = transfer::export(&conn, &db, &db).expect_err("refused");
    assert!(error.to_string().contains("the database ccmeter is using"), "{error}");
    let error = transfer::export(&conn, &db, &dir.path().join("missing/out.ccmeter")).expect_err("refused");
    assert!(error.to_string().contains("does not exist"), "{error}");
    // An existing file is replaced whole.
    let out = dir.path().join("out.ccmeter");
    std::fs::write(&out, b"an older export").expect("write");
    transfer::export(&conn, &db, &out).expect("exported");
    assert_eq!(fingerprint(&out), fingerprint(&db));
}

#[tokio::test]
async fn imported_metric_series_keep_their_own_resource_whatever_ids_this_database_gave_out() {
    let (a, b) = (tempfile::tempdir().expect("dir"), tempfile::tempdir().expect("dir"));
    // The same metrics without a session on both machines, from different resources (projects): B's own
    // resource takes the id A's has, so keys hashed with local ids would meet.
    // A a day later than B, so no quarter hour holds both.
    let project = |name: &'static str, shift_ns: i64| {
        move |batch: &mut Batch| {
            for point in &mut batch.points {
                point.start_ns += shift_ns;
                point.time_ns += shift_ns;
                point.attributes.remove("session.id");
                point.session_id = None;
                let mut resource = (*point.resource).clone();
                resource.attributes.insert("project".into(), name.into());
                point.resource = std::sync::Arc::new(resource);
            }
            if batch.signal != Signal::Metrics {
                batch.points.clear();
                batch.events.clear();
                batch.spans.clear();
            }
        }
    };
    let machine_a =
        store_with(a.path(), &["claude-code-2.1.197/grpc/success"], project("alpha", 86_400_000_000_000)).await;
    let machine_b = store_with(b.path(), &["claude-code-2.1.197/grpc/success"], project("beta", 0)).await;
    let projects = |path: &Path| -> Vec<(String, i64)> {
        let conn = Connection::open(path).expect("open");
        let mut statement = conn
            .prepare(
                "SELECT json_extract(r.attributes, '$.project'), count(*) FROM metric_points p
                 JOIN metric_series s ON s.id = p.series_id JOIN resources r ON r.id = s.resource_id
                 GROUP BY 1 ORDER BY 1",
            )
            .expect("prepare");
        statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).expect("query").collect::<Result<_, _>>().expect("rows")
    };
    let (from_a, before_b) = (projects(&machine_a), projects(&machine_b));
    assert_eq!(from_a.len(), 1, "{from_a:?}");
    let file = a.path().join("a.ccmeter");
    export_to(&machine_a, &file);
    import_into(&machine_b, &file).expect("imported");
    let merged = projects(&machine_b);
    assert!(merged.contains(&from_a[0]), "A's points keep A's project: {merged:?}");
    assert_eq!(merged.iter().map(|(_, n)| n).sum::<i64>(), from_a[0].1 + before_b.iter().map(|(_, n)| n).sum::<i64>());
}

#[tokio::test]
async fn a_staged_copy_left_by_a_killed_import_is_cleared_by_the_next() {
    let dir = tempfile::tempdir().expect("dir");
    let db = store_with(dir.path(), &["claude-code-2.1.197/grpc/success"], |_| {}).await;
    let leftover = dir.path().join(".ccmeter-import-999999.db");
    std::fs::write(&leftover, b"a prompt a killed import left behind").expect("leftover");
    let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    std::fs::File::options().write(true).open(&leftover).expect("open").set_modified(two_hours_ago).expect("age it");
    // Another import's copy, still in use, is left alone.
    let running = dir.path().join(".ccmeter-import-999998.db");
    std::fs::write(&running, b"another import at work").expect("running");
    let file = dir.path().join("x.ccmeter");
    export_to(&db, &file);
    import_into(&db, &file).expect("imported");
    assert!(!leftover.exists(), "the old staged copy is gone");
    assert!(running.exists(), "a recent one may belong to an import running now");
}
