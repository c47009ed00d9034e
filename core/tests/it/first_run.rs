//! The first start's welcome and the About window's diagnostics, on real databases.

use ccmeter_core::Store;
use ccmeter_core::read::diagnostics;
use ccmeter_core::store::settings::take_welcome;
use ccmeter_tests::requests;

use crate::common::temp_store;

#[tokio::test]
async fn the_welcome_is_due_once_and_never_for_a_database_already_in_use() {
    let (_dir, store) = temp_store();
    assert!(store.exec(take_welcome).await.expect("first start"), "a new database: welcome");
    assert!(!store.exec(take_welcome).await.expect("second start"), "once only");
    let welcomed = ccmeter_core::store::settings::load(&store.reader().expect("reader")).expect("settings").welcomed;
    assert!(welcomed, "remembered in the settings, across restarts");

    // An upgrade from a version without the welcome, on a database with history: not shown.
    let (_dir, store) = temp_store();
    for request in requests("claude-code-2.1.197/grpc/success") {
        store.write(request.decode()).await.expect("stored");
    }
    assert!(!store.exec(take_welcome).await.expect("start"), "a database in use needs no welcome");
    assert!(ccmeter_core::store::settings::load(&store.reader().expect("reader")).expect("settings").welcomed);
}

#[tokio::test]
async fn diagnostics_count_what_is_stored_and_hold_no_personal_data() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("ccmeter.db");
    let store = Store::open(&path).expect("store");
    for scenario in ["claude-code-2.1.197/grpc/success", "claude-code-2.1.197/http-protobuf/oauth-account"] {
        for request in requests(scenario) {
            store.write(request.decode()).await.expect("stored");
        }
    }
    let conn = store.reader().expect("reader");
    let found = diagnostics::collect(&conn, &path, "9.9.9").expect("diagnostics");
    assert_eq!(found.version, "9.9.9");
    assert_eq!(found.schema, 16);
    let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).expect("count");
    assert_eq!(found.sessions, count("SELECT count(*) FROM sessions WHERE id <> ''"));
    assert_eq!(found.events, count("SELECT count(*) FROM events"));
    assert!(found.events > 0 && found.database_bytes > 0 && found.last_data.is_some());
    assert_eq!(found.claude_code_version, ccmeter_core::read::glance::claude_code_version(&conn).expect("version"));

    let text = found.text(&["gRPC 127.0.0.1:4317 (listening)".into()]);
    assert!(text.starts_with("ccmeter 9.9.9 ("), "{text}");
    assert!(text.contains("receiver: gRPC 127.0.0.1:4317 (listening)"), "{text}");
    // The OAuth capture carries an e-mail address and account ids: none of it may reach a bug report.
    let personal: Vec<String> = conn
        .prepare("SELECT DISTINCT value FROM sessions, json_each(json_array(user_email, account_uuid, organization_id, user_id)) WHERE value IS NOT NULL")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert!(!personal.is_empty(), "the capture has personal data to leak");
    let json = serde_json::to_string(&found).expect("json");
    for value in &personal {
        assert!(!text.contains(value.as_str()) && !json.contains(value.as_str()), "{value} leaked");
    }
}
