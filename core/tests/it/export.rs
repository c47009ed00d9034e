//! Exports: the CSV of sessions and of a timeline sums to Claude Code's own totals exactly, JSON reads back,
//! and a file is written whole or not at all.

use ccmeter_core::Store;
use ccmeter_core::read::export::{self, Format};
use ccmeter_core::read::query::{self, SessionFilter};
use ccmeter_tests::{expected_totals, requests, scenarios};

/// "0.210920000" → 210920000 nano-dollars, exactly (no float in between).
fn nanos(text: &str) -> i64 {
    let (whole, fraction) = text.split_once('.').expect("a decimal");
    whole.parse::<i64>().expect("dollars") * 1_000_000_000 + fraction.parse::<i64>().expect("nano-dollars")
}

async fn store_with_every_fixture() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path().join("ccmeter.db")).expect("store");
    for scenario in scenarios() {
        for request in requests(&scenario) {
            store.write(request.decode()).await.expect("stored");
        }
    }
    (dir, store)
}

#[tokio::test]
async fn the_sessions_csv_sums_to_the_total_of_every_capture() {
    let (_dir, store) = store_with_every_fixture().await;
    let conn = store.reader().expect("reader");
    let page = query::sessions(&conn, &SessionFilter::default()).expect("sessions");
    let bytes = export::sessions(&page.rows, Format::Csv).expect("csv");
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let headers = reader.headers().expect("headers").clone();
    let cost = headers.iter().position(|h| h == "cost_usd").expect("a cost column");
    let requests_column = headers.iter().position(|h| h == "api_requests").expect("a requests column");
    let mut total = 0;
    let mut api_requests = 0;
    let mut rows = 0;
    for record in reader.records() {
        let record = record.expect("a row");
        total += nanos(&record[cost]);
        api_requests += record[requests_column].parse::<i64>().expect("a count");
        rows += 1;
    }
    let expected: i64 = scenarios().iter().map(|s| expected_totals(s).cost_nanos).sum();
    assert_eq!(total, expected, "exact to the nano-dollar");
    assert_eq!(rows, page.rows.len());
    assert_eq!(api_requests, page.rows.iter().map(|r| r.usage.api_requests).sum::<i64>());

    let json: serde_json::Value =
        serde_json::from_slice(&export::sessions(&page.rows, Format::Json).expect("json")).expect("JSON");
    assert_eq!(json.as_array().map(Vec::len), Some(page.rows.len()));
}

#[tokio::test]
async fn a_session_timeline_csv_has_every_event_and_its_cost() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path().join("ccmeter.db")).expect("store");
    for request in requests("claude-code-2.1.197/http-json/interactive") {
        store.write(request.decode()).await.expect("stored");
    }
    let conn = store.reader().expect("reader");
    let page = query::sessions(&conn, &SessionFilter::default()).expect("sessions");
    let id = page.rows[0].id.clone().expect("a session id");
    let detail = query::session(&conn, &id).expect("query").expect("the session");
    let bytes = export::session(&detail, Format::Csv).expect("csv");
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(records.len(), detail.timeline.len(), "one row per event");
    let cost: i64 = records.iter().filter(|r| &r[1] == "api_request").map(|r| nanos(&r[5])).sum();
    assert_eq!(cost, expected_totals("claude-code-2.1.197/http-json/interactive").cost_nanos);
    let sources: Vec<&str> =
        records.iter().filter(|r| &r[1] == "api_request").map(|r| r.get(15).unwrap_or("")).collect();
    assert!(sources.contains(&"repl_main_thread") && sources.contains(&"generate_session_title"), "{sources:?}");

    let json: serde_json::Value =
        serde_json::from_slice(&export::session(&detail, Format::Json).expect("json")).expect("JSON");
    assert_eq!(json["id"], id);
    assert_eq!(json["timeline"].as_array().map(Vec::len), Some(detail.timeline.len()));
    assert!(
        json["timeline"].as_array().into_iter().flatten().any(|e| e["source"] == "subagent"),
        "classes in the JSON"
    );
}

#[test]
fn text_with_commas_quotes_and_newlines_stays_in_its_column() {
    let row = ccmeter_core::read::query::SessionRow {
        id: Some("a,\"b\"\nc".into()),
        started_at: chrono::DateTime::UNIX_EPOCH,
        ended_at: chrono::DateTime::UNIX_EPOCH,
        duration_s: 0.0,
        models: vec!["model, with comma".into(), "other".into()],
        app_version: None,
        terminal_type: None,
        user_email: None,
        repository: None,
        branch: None,
        commit: None,
        project: Some("owner/name, with comma".into()),
        cost_source: ccmeter_core::read::query::CostSource::Metrics,
        estimated_cost_usd: 0.0,
        unpriced_requests: 0,
        usage: Default::default(),
    };
    let bytes = export::sessions(&[row], Format::Csv).expect("csv");
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let record = reader.records().next().expect("a row").expect("parses");
    assert_eq!(&record[0], "a,\"b\"\nc");
    assert_eq!(&record[4], "model, with comma;other");
    assert_eq!(&record[5], "0.000000000");
    assert_eq!(&record[19], "owner/name, with comma");
}

#[test]
fn a_file_is_written_whole_or_not_at_all_and_bad_paths_say_why() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("sessions.csv");
    ccmeter_core::fs::write_file(&path, b"a,b\n1,2\n").expect("written");
    ccmeter_core::fs::write_file(&path, b"a,b\n3,4\n").expect("replaced");
    assert_eq!(std::fs::read(&path).expect("read"), b"a,b\n3,4\n");
    let leftovers: Vec<_> =
        std::fs::read_dir(dir.path()).expect("list").map(|e| e.expect("entry").file_name()).collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left: {leftovers:?}");

    let missing = ccmeter_core::fs::write_file(&dir.path().join("no/such/folder/x.csv"), b"x").expect_err("no folder");
    assert!(missing.to_string().contains("does not exist"), "{missing}");
    let folder = ccmeter_core::fs::write_file(dir.path(), b"x").expect_err("a folder");
    assert!(folder.to_string().contains("is a folder"), "{folder}");
}
