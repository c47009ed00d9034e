//! The tray's figures at a glance, at fixed instants around a captured session.

use ccmeter_core::read::glance::{self, glance};
use ccmeter_core::{Store, TimeContext};
use ccmeter_tests::requests;
use chrono::{DateTime, Duration, Utc};

/// The Claude Code version that made the captures.
const CAPTURED_VERSION: &str = "2.1.197";

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

fn at(instant: &str) -> TimeContext {
    let now: DateTime<Utc> = instant.parse().expect("instant");
    TimeContext::fixed(now, "Europe/Berlin".parse().expect("zone"))
}

#[tokio::test]
async fn an_active_session_shows_its_running_cost_then_today_once_it_goes_idle() {
    let (_dir, store) = store_with(&["claude-code-2.1.197/grpc/success"]).await;
    let conn = store.reader().expect("reader");
    let window = Duration::minutes(5);
    let last = glance::last_data(&conn).expect("query").expect("data");

    let during = glance(&conn, &at(&(last + Duration::minutes(1)).to_rfc3339()), window).expect("glance");
    assert_eq!(during.label, "$0.21");
    assert_eq!(during.active.len(), 1);
    assert_eq!(during.next_change, Some(last + window), "the label changes when the session goes idle");

    let after = glance(&conn, &at(&(last + Duration::minutes(6)).to_rfc3339()), window).expect("glance");
    assert_eq!(after.label, "today $0.21");
    assert!(after.active.is_empty());
    assert_eq!(after.shown_nanos(), 210_920_000);
    assert_eq!(glance::claude_code_version(&conn).expect("query").as_deref(), Some(CAPTURED_VERSION));
    // Next change: Berlin midnight after 2026-11-24, i.e. 23:00 UTC.
    assert_eq!(after.next_change, Some("2026-11-24T23:00:00Z".parse().expect("instant")));

    let next_day = glance(&conn, &at("2026-11-25T08:00:00Z"), window).expect("glance");
    assert_eq!(next_day.label, "today $0.00");
}

#[tokio::test]
async fn several_active_sessions_are_summed_with_their_count() {
    let (_dir, store) =
        store_with(&["claude-code-2.1.197/grpc/success", "claude-code-2.1.197/http-json/interactive"]).await;
    let conn = store.reader().expect("reader");
    // Both captures were made minutes apart on 2026-11-24: with a 1-hour window both are active.
    let last = glance::last_data(&conn).expect("query").expect("data");
    let both = glance(&conn, &at(&(last + Duration::minutes(1)).to_rfc3339()), Duration::hours(1)).expect("glance");
    assert_eq!(both.active.len(), 2);
    assert_eq!(both.label, "$0.42 (2)", "0.21092 + 0.21212");
    assert_eq!(both.shown_nanos(), 210_920_000 + 212_120_000, "what an icon showing the amount draws");
}

#[test]
fn labels_follow_the_tray_format() {
    assert_eq!(glance::label(&[], 7_800_000_000), "today $7.80");
}
