//! The history from before telemetry, as a user meets it: Claude Code's real transcripts imported into a real
//! database, before or after the same sessions' real telemetry, each request counted once whatever the order.

use std::path::PathBuf;

use ccmeter_core::Store;
use ccmeter_core::history::{Imported, import};
use ccmeter_core::read::query;
use ccmeter_core::words::range::Range;

const CAPTURES: [&str; 4] = ["grpc/success", "http-json/resume", "http-protobuf/subagent", "http-protobuf/traces-beta"];

/// Every run's `projects` folder of the 2.1.332 transcripts.
fn transcript_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    for capture in CAPTURES {
        let root = ccmeter_tests::fixtures_dir().join("transcripts-2.1.332").join(capture);
        for run in std::fs::read_dir(&root).expect("runs").flatten() {
            dirs.push(run.path().join("projects"));
        }
    }
    dirs.sort();
    dirs
}

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("dir");
    let store = Store::open(dir.path().join("ccmeter.db")).expect("store");
    (dir, store)
}

async fn send_telemetry(store: &Store) {
    for capture in CAPTURES {
        for request in ccmeter_tests::requests(&format!("claude-code-2.1.332/{capture}")) {
            store.write(request.decode()).await.expect("stored");
        }
    }
}

async fn import_all(store: &Store) -> Imported {
    import(store, &transcript_dirs(), None, |_, _| {}).await.expect("imported")
}

/// (cost, input, output, cache read, cache write, requests) of everything stored.
fn totals(store: &Store) -> (i64, i64, i64, i64, i64, i64) {
    let summary = query::summary(&store.reader().expect("reader"), Range::default()).expect("summary");
    let u = summary.usage;
    (u.cost_nanos, u.tokens.input, u.tokens.output, u.tokens.cache_read, u.tokens.cache_creation, u.api_requests)
}

fn estimated_rows(store: &Store) -> i64 {
    store
        .reader()
        .expect("reader")
        .query_row("SELECT count(*) FROM events WHERE estimated <> 0", [], |r| r.get(0))
        .expect("count")
}

/// What Claude Code's own telemetry says of all four captures.
fn telemetry_totals() -> (i64, i64, i64, i64, i64, i64) {
    let mut sum = (0, 0, 0, 0, 0, 0);
    for capture in CAPTURES {
        let e = ccmeter_tests::expected_totals(&format!("claude-code-2.1.332/{capture}"));
        let requests = e.event_counts.get("api_request").copied().unwrap_or(0);
        sum = (
            sum.0 + e.cost_nanos,
            sum.1 + e.input,
            sum.2 + e.output,
            sum.3 + e.cache_read,
            sum.4 + e.cache_creation,
            sum.5 + requests,
        );
    }
    sum
}

#[tokio::test]
async fn transcripts_alone_give_claude_codes_own_tokens_and_its_cost_estimated_exactly() {
    let (_dir, store) = open();
    let imported = import_all(&store).await;
    println!("{imported:?}");
    assert_eq!((imported.files, imported.unreadable_files, imported.skipped.total()), (8, 0, 0));
    assert_eq!((imported.responses, imported.sessions, imported.added, imported.known), (40, 4, 40, 0));
    assert_eq!(
        (imported.priced_table, imported.priced_learned, imported.no_price),
        (40, 0, 0),
        "no telemetry to learn from"
    );
    assert_eq!(totals(&store), telemetry_totals(), "tokens are Claude Code's; the table prices them as it did");
    assert_eq!(imported.estimated_nanos, telemetry_totals().0);
    assert_eq!(estimated_rows(&store), 40);

    let again = import_all(&store).await;
    assert_eq!((again.added, again.known, again.estimated_nanos), (0, 40, 0), "a second import changes nothing");
    assert_eq!(totals(&store), telemetry_totals());
}

#[tokio::test]
async fn a_request_telemetry_already_has_is_not_added_again_from_its_transcript() {
    let (_dir, store) = open();
    send_telemetry(&store).await;
    let before = totals(&store);
    assert_eq!(before, telemetry_totals());
    let imported = import_all(&store).await;
    assert_eq!((imported.added, imported.known), (0, 40));
    assert_eq!(totals(&store), before);
    assert_eq!(estimated_rows(&store), 0);
}

#[tokio::test]
async fn telemetry_arriving_after_the_transcript_takes_the_estimates_place() {
    let (_dir, store) = open();
    import_all(&store).await;
    send_telemetry(&store).await;
    assert_eq!(totals(&store), telemetry_totals(), "each request once, at Claude Code's own cost");
    assert_eq!(estimated_rows(&store), 0, "no estimate left");
    // The day and hour aggregates agree with the rollup they are built from.
    let (_other_dir, reference) = open();
    send_telemetry(&reference).await;
    let conn = store.reader().expect("reader");
    let by_model = query::by_model(&conn, Range::default()).expect("models");
    let reference_models = query::by_model(&reference.reader().expect("reader"), Range::default()).expect("models");
    assert_eq!(by_model, reference_models, "the same as telemetry alone, model by model");
    let facets = |conn: &rusqlite::Connection| -> Vec<(String, String, i64, i64)> {
        conn.prepare(
            "SELECT facet, value, sum(records), sum(ev_cost_nanos) FROM facet_rollup GROUP BY 1, 2 ORDER BY 1, 2",
        )
        .expect("query")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .expect("rows")
        .collect::<rusqlite::Result<_>>()
        .expect("facets")
    };
    assert_eq!(facets(&conn), facets(&reference.reader().expect("reader")), "the facets too, with no empty value left");

    // Read once, a request is never added again, even after its records are deleted.
    let conn = store.reader().expect("reader");
    drop(conn);
    store.exec(|tx| ccmeter_core::write::delete::range(tx, Range::default()).map(|_| ())).await.expect("deleted");
    let imported = import_all(&store).await;
    assert_eq!((imported.added, imported.known), (0, 40));
    assert_eq!(totals(&store).5, 0);
}
