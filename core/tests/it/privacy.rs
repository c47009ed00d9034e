//! Content is kept only while the user chooses to keep it: turning "store prompt text" off erases what was
//! stored (prompts, tool input, error text…), down to the bytes of the database file and its WAL, and keeps
//! every length, name and figure.

use ccmeter_core::words::settings::{self, Settings};
use ccmeter_core::{Store, TimeContext};
use ccmeter_tests::requests;
use rusqlite::Connection;

/// Texts the captures carry only in content attributes: a prompt and a subagent's tool input.
const PROMPT: &str = "create hello.py";
const TOOL_INPUT: &str = "list any issues briefly";

fn keep_content(keep: bool) -> Settings {
    Settings { store_prompt_text: keep, ..Settings::default() }
}

async fn apply(store: &Store, settings: Settings) -> bool {
    let patch = settings::SettingsPatch::from(&settings);
    store
        .exec(move |tx| ccmeter_core::apply_settings::patch_and_apply(tx, &TimeContext::system(), &patch))
        .await
        .expect("settings saved")
        .1
}

fn stored_with(conn: &Connection, text: &str) -> i64 {
    conn.query_row(
        "SELECT (SELECT count(*) FROM events WHERE instr(attributes, ?1) > 0 OR instr(coalesce(body, ''), ?1) > 0)
              + (SELECT count(*) FROM spans WHERE instr(attributes, ?1) > 0)",
        [text],
        |r| r.get(0),
    )
    .expect("count")
}

fn on_disk(dir: &std::path::Path, text: &str) -> bool {
    ["ccmeter.db", "ccmeter.db-wal"].iter().any(|name| {
        std::fs::read(dir.join(name)).is_ok_and(|bytes| bytes.windows(text.len()).any(|w| w == text.as_bytes()))
    })
}

#[tokio::test]
async fn turning_content_off_erases_what_was_stored_down_to_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path().join("ccmeter.db")).expect("store");
    assert!(!apply(&store, keep_content(true)).await, "turning content on erases nothing");
    for scenario in ["claude-code-2.1.197/grpc/api-errors", "claude-code-2.1.197/grpc/success"] {
        for request in requests(scenario) {
            store.write(request.decode()).await.expect("stored");
        }
    }
    let conn = store.reader().expect("reader");
    assert!(stored_with(&conn, PROMPT) > 0 && stored_with(&conn, TOOL_INPUT) > 0, "kept while the user asked");
    assert!(on_disk(dir.path(), PROMPT) && on_disk(dir.path(), TOOL_INPUT), "the file holds it now");
    let cost = |conn: &Connection| -> i64 {
        conn.query_row("SELECT sum(ev_cost_nanos) FROM usage_rollup", [], |r| r.get(0)).expect("cost")
    };
    let cost_before = cost(&conn);
    let events_before: i64 = conn.query_row("SELECT count(*) FROM events", [], |r| r.get(0)).expect("count");

    assert!(apply(&store, keep_content(false)).await, "turning content off erases");
    store.checkpoint().await.expect("checkpoint");

    assert_eq!((stored_with(&conn, PROMPT), stored_with(&conn, TOOL_INPUT)), (0, 0));
    let prompt: String = conn
        .query_row(
            "SELECT json_extract(attributes, '$.prompt') FROM events WHERE name = 'user_prompt' LIMIT 1",
            [],
            |r| r.get(0),
        )
        .expect("the prompt's length stays");
    assert_eq!(prompt, format!("[not stored: {} characters]", PROMPT.chars().count()));
    assert_eq!(cost(&conn), cost_before, "figures are untouched");
    let events_after: i64 = conn.query_row("SELECT count(*) FROM events", [], |r| r.get(0)).expect("count");
    assert_eq!(events_after, events_before, "no event goes, only its content");
    drop(conn);
    assert!(!on_disk(dir.path(), PROMPT) && !on_disk(dir.path(), TOOL_INPUT), "gone from the file and its WAL");

    assert!(!apply(&store, keep_content(false)).await, "saving again erases nothing more");
}
