//! The dashboard's one read: every part agrees with the totals for the same local days, and a period that
//! is not one is refused with a reason.

use ccmeter_core::dashboard::dashboard;
use ccmeter_core::words::range::Granularity;
use ccmeter_core::{Store, TimeContext};
use ccmeter_tests::{expected_totals, requests};
use chrono::NaiveDate;

fn day(text: &str) -> NaiveDate {
    text.parse().expect("a date")
}

#[tokio::test]
async fn a_day_of_real_telemetry_adds_up_in_every_part_of_the_dashboard() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path().join("ccmeter.db")).expect("store");
    for request in requests("claude-code-2.1.197/http-json/interactive") {
        store.write(request.decode()).await.expect("stored");
    }
    let ctx =
        TimeContext::fixed("2026-11-24T20:00:00Z".parse().expect("instant"), "Europe/Berlin".parse().expect("zone"));
    let conn = store.reader().expect("reader");
    let board = dashboard(&conn, &ctx, day("2026-11-24"), day("2026-11-25")).expect("dashboard");
    let expected = expected_totals("claude-code-2.1.197/http-json/interactive").cost_nanos;

    assert_eq!(board.granularity, Granularity::Hour, "one day is drawn by the hour");
    let nanos = |usd: f64| (usd * 1e9).round() as i64;
    assert_eq!(nanos(board.summary.usage.cost_usd), expected);
    assert_eq!(nanos(board.series.iter().map(|p| p.usage.cost_usd).sum()), expected, "the cost chart");
    assert_eq!(nanos(board.by_model.iter().map(|m| m.cost_usd).sum()), expected, "cost by model");
    assert_eq!(board.by_source.iter().map(|s| s.cost_nanos).sum::<i64>(), expected, "cost by source");
    assert_eq!(board.heatmap.iter().map(|c| c.cost_nanos).sum::<i64>(), expected, "the heatmap");
    assert!(!board.tools.is_empty(), "the capture ran tools");
    assert_eq!(board.by_effort.iter().map(|e| e.cost_nanos).sum::<i64>(), expected, "cost by effort");
    assert_eq!(board.top_sessions.len(), 1, "the capture's one session");
    assert_eq!(board.top_sessions[0].usage.cost_nanos, expected);
    assert_eq!(board.sessions.started.iter().map(|s| s.sessions).sum::<i64>(), 1);
    assert_eq!(board.sessions.by_terminal.iter().map(|s| s.cost_nanos).sum::<i64>(), expected, "by terminal");
    assert!(board.latency.by_model.iter().all(|m| m.requests > 0 && m.p50_ms <= m.p95_ms));
    assert_eq!(
        board.latency.by_model.iter().map(|m| m.requests).sum::<i64>(),
        board.summary.usage.api_requests,
        "every request was timed"
    );
    assert_eq!(
        board.tools_over_time.iter().map(|t| t.calls).sum::<i64>(),
        board.tools.iter().map(|t| t.calls).sum::<i64>()
    );
    assert_eq!(
        board.events_over_time.iter().filter(|e| e.name == "api_request").map(|e| e.count).sum::<i64>(),
        board.summary.usage.api_requests
    );

    let week = dashboard(&conn, &ctx, day("2026-11-18"), day("2026-11-25")).expect("a week");
    assert_eq!(week.granularity, Granularity::Day);
    let range = ccmeter_core::words::range::Range::local_days(&ctx, Some(day("2026-11-18")), Some(day("2026-11-25")));
    assert_eq!(
        week.series,
        ccmeter_core::read::query::over_time(&conn, &ctx, range, Granularity::Day).expect("days"),
        "days summed from hours are the days read directly"
    );
    assert_eq!(nanos(week.summary.usage.cost_usd), expected);
    let before = dashboard(&conn, &ctx, day("2026-11-01"), day("2026-11-24")).expect("before the capture");
    assert_eq!(before.summary.usage.cost_usd, 0.0);
    assert!(before.series.is_empty() && before.heatmap.is_empty());
    assert!(before.top_sessions.is_empty() && before.events_over_time.is_empty() && before.latency.series.is_empty());
}

#[test]
fn a_period_that_ends_before_it_starts_or_spans_centuries_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path().join("ccmeter.db")).expect("store");
    let conn = store.reader().expect("reader");
    let ctx = TimeContext::system();
    let backwards = dashboard(&conn, &ctx, day("2026-11-24"), day("2026-11-24")).expect_err("empty");
    assert!(backwards.to_string().contains("must end after it starts"), "{backwards}");
    let huge = dashboard(&conn, &ctx, day("1900-01-01"), day("2026-11-24")).expect_err("too long");
    assert!(huge.to_string().contains("at most 3660 days"), "{huge}");
}
