//! Query latency on a large history: every dashboard and history query, p50 and p95, on a deterministic
//! dataset of 1,000,000 Claude Code events in 10,000 sessions over a year (DESIGN.md's bar: under 25 ms
//! at p95). Each query is reported next to a baseline measured in the same run on the same database: one
//! plain aggregate over the raw api_request events of the same range (what a store without rollups
//! reads for its cost figure alone).
//!
//! `cargo bench -p ccmeter-core --bench queries` (release build). Set `CCMETER_BENCH_EVENTS` to a
//! smaller count for a quick run, `CCMETER_BENCH_DB` to keep (and reuse) the generated database.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ccmeter_core::TimeContext;
use ccmeter_core::dashboard::dashboard;
use ccmeter_core::read::logs::{self, LogFilter, LogKind};
use ccmeter_core::read::query::{self, SessionFilter, SessionSort};
use ccmeter_core::read::{event_stats, insights, session_mix};
use ccmeter_core::store::open_connection;
use ccmeter_core::words::period::Period;
use ccmeter_core::words::range::{Granularity, Range};
use ccmeter_core::words::settings::Budget;
use ccmeter_core::write::ingest::{self, Privacy};
use ccmeter_proto::{
    ApiError, ApiRequest, Batch, Event, EventDetail, EventName, MetricName, MetricPoint, Nanos, PointKind, Resource,
    Signal, Temporality, Tokens, ToolDecision, ToolResult, UserPrompt,
};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rusqlite::Connection;
use serde_json::{Map, Value, json};

const SESSIONS: usize = 10_000;
/// One part of the dashboard, run by name.
type Part<'a> = Box<dyn Fn() + 'a>;
const RUNS: usize = 40;

/// A small deterministic generator (xorshift64*): the same dataset on every machine and run.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 18, 0, 0).single().expect("a valid instant")
}

fn attrs(pairs: &[(&str, Value)]) -> Map<String, Value> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect()
}

const MODELS: [&str; 3] = ["claude-opus-4-8", "claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001"];
const TOOLS: [&str; 8] = ["Read", "Bash", "Edit", "Grep", "Write", "Glob", "WebFetch", "TodoWrite"];
const SOURCES: [&str; 4] = ["repl_main_thread", "sdk", "agent:builtin:Explore", "generate_session_title"];

/// One session's events and metric points, about `per_session` events.
fn session(dice: &mut Dice, index: usize, per_session: usize, resource: &Arc<Resource>) -> Batch {
    let mut batch = Batch::new(Signal::Logs);
    let year_ns = 365 * 86_400 * 1_000_000_000_i64;
    let start = now().timestamp_nanos_opt().expect("in range") - year_ns + index as i64 * (year_ns / SESSIONS as i64);
    let id = format!("{:08x}-0000-4000-8000-{:012x}", index, dice.below(1 << 40));
    let mut time = start;
    let mut sequence = 0;
    let mut event = |name: EventName, detail: EventDetail, extra: &[(&str, Value)], time: i64| {
        sequence += 1;
        let mut attributes = attrs(&[
            ("session.id", json!(id)),
            ("terminal.type", json!(if index.is_multiple_of(3) { "vscode" } else { "xterm-256color" })),
            ("event.sequence", json!(sequence)),
            // Eight repositories, each session in one: the projects the project budgets limit.
            ("vcs.repository.url.full", json!(format!("https://github.com/bench/repo-{}", index % 8))),
        ]);
        attributes.extend(attrs(extra));
        Event {
            time_ns: time,
            time_received: false,
            name,
            session_id: Some(id.clone()),
            sequence: Some(sequence),
            prompt_id: None,
            detail,
            attributes,
            body: None,
            severity: None,
            trace_id: None,
            span_id: None,
            resource: resource.clone(),
        }
    };
    while batch.events.len() < per_session {
        time += 20_000_000_000 + dice.below(60_000_000_000) as i64;
        batch.events.push(event(
            EventName::UserPrompt,
            EventDetail::UserPrompt(UserPrompt { prompt_length: Some(40) }),
            &[("prompt_length", json!("40"))],
            time,
        ));
        for _ in 0..(2 + dice.below(5)) {
            time += 1_000_000_000 + dice.below(20_000_000_000) as i64;
            let model = MODELS[dice.below(3) as usize];
            let source = SOURCES[dice.below(4) as usize];
            let input = 5 + dice.below(50) as i64;
            let output = 100 + dice.below(2000) as i64;
            let cache_read = dice.below(60_000) as i64;
            let cost = Nanos((input * 5 + output * 25 + cache_read / 2) * 1_000);
            if dice.chance(2) {
                batch.events.push(event(
                    EventName::ApiError,
                    EventDetail::ApiError(ApiError {
                        model: Some(model.into()),
                        status_code: Some([529, 429, 500][dice.below(3) as usize]),
                        duration_ms: Some(dice.below(30_000) as i64),
                        query_source: Some(source.into()),
                    }),
                    &[("model", json!(model)), ("error", json!("Overloaded"))],
                    time,
                ));
                continue;
            }
            batch.events.push(event(
                EventName::ApiRequest,
                EventDetail::ApiRequest(ApiRequest {
                    model: Some(model.into()),
                    request_id: Some(format!("req_{index}_{time}")),
                    cost,
                    cost_from_micros: false,
                    tokens: Tokens { input, output, cache_read, cache_creation: dice.below(3000) as i64 },
                    duration_ms: Some(800 + dice.below(20_000) as i64),
                    query_source: Some(source.into()),
                    ..ApiRequest::default()
                }),
                &[("model", json!(model)), ("effort", json!(if model.contains("haiku") { "" } else { "high" }))],
                time,
            ));
            let tool = TOOLS[dice.below(8) as usize];
            time += dice.below(3_000_000_000) as i64;
            batch.events.push(event(
                EventName::ToolDecision,
                EventDetail::ToolDecision(ToolDecision {
                    tool_name: Some(tool.into()),
                    decision: Some(if dice.chance(95) { "accept" } else { "reject" }.into()),
                    source: Some("config".into()),
                }),
                &[("tool_name", json!(tool))],
                time,
            ));
            time += dice.below(5_000_000_000) as i64;
            batch.events.push(event(
                EventName::ToolResult,
                EventDetail::ToolResult(ToolResult {
                    tool_name: Some(tool.into()),
                    success: Some(dice.chance(94)),
                    duration_ms: Some(dice.below(if tool == "Bash" { 30_000 } else { 300 }) as i64),
                    decision: Some("accept".into()),
                }),
                &[("tool_name", json!(tool))],
                time,
            ));
        }
    }
    let point = |metric: MetricName, value: f64, extra: &[(&str, Value)]| MetricPoint {
        metric,
        kind: PointKind::Sum { monotonic: true },
        temporality: Temporality::Delta,
        unit: String::new(),
        start_ns: start,
        time_ns: time,
        value,
        session_id: Some(id.clone()),
        attributes: {
            let mut a = attrs(&[("session.id", json!(id))]);
            a.extend(attrs(extra));
            a
        },
        detail: None,
        resource: resource.clone(),
    };
    batch.points.push(point(MetricName::LinesOfCode, dice.below(300) as f64, &[("type", json!("added"))]));
    batch.points.push(point(MetricName::ActiveTime, dice.below(3000) as f64, &[("type", json!("cli"))]));
    if dice.chance(40) {
        batch.points.push(point(MetricName::Commits, 1.0, &[]));
    }
    batch.points.push(point(
        MetricName::CodeEditToolDecision,
        1.0 + dice.below(5) as f64,
        &[("decision", json!("accept")), ("language", json!(["Rust", "TypeScript", "Python"][dice.below(3) as usize]))],
    ));
    batch
}

fn generate(conn: &mut Connection, events: usize) {
    let mut dice = Dice(0x00c0_ffee_d00d_f00d);
    let per_session = events / SESSIONS;
    let resources: Vec<Arc<Resource>> = ["ccmeter", "website", "infra"]
        .iter()
        .map(|project| {
            Arc::new(Resource {
                attributes: attrs(&[("service.name", json!("claude-code")), ("project", json!(project))]),
            })
        })
        .collect();
    let started = Instant::now();
    let privacy = Privacy::default();
    for chunk in (0..SESSIONS).collect::<Vec<_>>().chunks(50) {
        let batches: Vec<Batch> =
            chunk.iter().map(|&i| session(&mut dice, i, per_session, &resources[i % resources.len()])).collect();
        let refs: Vec<&Batch> = batches.iter().collect();
        ingest::write_batches(conn, &refs, &privacy).expect("dataset written");
    }
    let stored: i64 = conn.query_row("SELECT count(*) FROM events", [], |r| r.get(0)).expect("count");
    eprintln!("generated {stored} events in {SESSIONS} sessions in {:.1} s", started.elapsed().as_secs_f64());
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1]
}

fn measure(mut run: impl FnMut()) -> (Duration, Duration) {
    run(); // warm the page cache and the statement cache
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed()
        })
        .collect();
    times.sort();
    (percentile(&times, 50.0), percentile(&times, 95.0))
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1e3)
}

fn main() {
    let events: usize = std::env::var("CCMETER_BENCH_EVENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = std::env::var_os("CCMETER_BENCH_DB").map_or_else(|| dir.path().join("bench.db"), Into::into);
    let fresh = !path.exists();
    let mut conn = open_connection(&path).expect("database");
    if fresh {
        generate(&mut conn, events);
    }
    let ctx = TimeContext::fixed(now(), "Europe/Berlin".parse().expect("zone"));
    // The daily aggregates, built as the writer builds them behind the receiver (all steps in a row here).
    let started = Instant::now();
    let tx = conn.transaction().expect("transaction");
    ccmeter_core::write::daily::fill_all(&tx, ctx.zone).expect("daily aggregates built");
    tx.commit().expect("committed");
    eprintln!("daily aggregates built in {:.2} s", started.elapsed().as_secs_f64());
    let aggregates = |on: bool| {
        conn.execute("UPDATE usage_by_day_state SET fill_from = ?1", [(!on).then_some(0)]).expect("aggregates on/off");
    };
    let today = ctx.today();
    let days_back = |n: u64| today.checked_sub_days(chrono::Days::new(n)).expect("a day");
    let tomorrow = today.succ_opt().expect("a day");
    let baseline = |since: NaiveDate| {
        let range = Range::local_days(&ctx, Some(since), Some(tomorrow));
        let conn = &conn;
        move || {
            let _: (i64, i64, i64) = conn
                .query_row(
                    "SELECT count(*), coalesce(sum(cost_nanos), 0), coalesce(sum(input_tokens + output_tokens), 0)
                     FROM events WHERE name = 'api_request' AND time_ns >= ?1 AND time_ns < ?2",
                    [range.from_ns.unwrap_or(i64::MIN), range.to_ns.unwrap_or(i64::MAX)],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .expect("baseline");
        }
    };
    let busiest: String = conn
        .query_row("SELECT session_id FROM events GROUP BY session_id ORDER BY count(*) DESC LIMIT 1", [], |r| r.get(0))
        .expect("a session");

    println!("| query | p50 ms | p95 ms | baseline p95 ms | ratio (p95 ÷ baseline p95) |");
    println!("|---|---:|---:|---:|---:|");
    let report = |name: &str, (p50, p95): (Duration, Duration), (_, base95): (Duration, Duration)| {
        println!(
            "| {name} | {} | {} | {} | {:.2} |",
            ms(p50),
            ms(p95),
            ms(base95),
            p95.as_secs_f64() / base95.as_secs_f64()
        );
    };
    for (label, since) in [
        ("today", today),
        ("7 days", days_back(6)),
        ("30 days", days_back(29)),
        ("90 days", days_back(89)),
        ("365 days", days_back(364)),
    ] {
        let base = measure(baseline(since));
        report(
            &format!("dashboard, {label}"),
            measure(|| {
                dashboard(&conn, &ctx, since, tomorrow).expect("dashboard");
            }),
            base,
        );
    }
    // The usage figures read from the rollup alone (the aggregates set aside, as before they existed or while
    // they are built) and through the daily aggregates, in the same run.
    for (label, since) in [("30 days", days_back(29)), ("365 days", days_back(364))] {
        let range = Range::local_days(&ctx, Some(since), Some(tomorrow));
        let base = measure(baseline(since));
        for (source, on) in [("rollup", false), ("daily aggregates", true)] {
            aggregates(on);
            report(&format!("{label}, {source}: summary"), measure(|| drop(query::summary(&conn, range))), base);
            report(
                &format!("{label}, {source}: over_time by day"),
                measure(|| drop(query::over_time(&conn, &ctx, range, Granularity::Day))),
                base,
            );
            report(&format!("{label}, {source}: by_model"), measure(|| drop(query::by_model(&conn, range))), base);
            report(
                &format!("{label}, {source}: whole dashboard"),
                measure(|| drop(dashboard(&conn, &ctx, since, tomorrow))),
                base,
            );
        }
    }
    aggregates(true);
    // The dashboard's parts, over 30 and 365 days: where its time goes.
    for (label, since) in [("30 days", days_back(29)), ("365 days", days_back(364))] {
        let range = Range::local_days(&ctx, Some(since), Some(tomorrow));
        let base = measure(baseline(since));
        let day = Granularity::Day;
        let settings = ccmeter_core::store::settings::load(&conn).expect("settings");
        let parts: Vec<(&str, Part)> = vec![
            ("summary", Box::new(|| drop(query::summary(&conn, range)))),
            ("over_time", Box::new(|| drop(query::over_time(&conn, &ctx, range, day)))),
            ("by_model", Box::new(|| drop(query::by_model(&conn, range)))),
            ("tool_stats", Box::new(|| drop(query::tool_stats(&conn, range)))),
            ("errors_by_status", Box::new(|| drop(query::errors_by_status(&conn, range)))),
            ("cost_by_source", Box::new(|| drop(insights::cost_by_source(&conn, range)))),
            ("cost_by_effort", Box::new(|| drop(insights::cost_by_effort(&conn, range)))),
            ("edits_by_language", Box::new(|| drop(insights::edits_by_language(&conn, range)))),
            ("activity_heatmap", Box::new(|| drop(insights::activity_heatmap(&conn, &ctx, range)))),
            ("events_over_time", Box::new(|| drop(insights::events_over_time(&conn, &ctx, range, day)))),
            ("api_latency", Box::new(|| drop(event_stats::api_latency(&conn, &ctx, range, day)))),
            ("tools_over_time", Box::new(|| drop(event_stats::tools_over_time(&conn, &ctx, range, day)))),
            ("errors_over_time", Box::new(|| drop(event_stats::errors_over_time(&conn, &ctx, range, day)))),
            ("session_mix", Box::new(|| drop(session_mix::session_mix(&conn, &ctx, range, day)))),
            ("budgets", Box::new(|| drop(ccmeter_core::budget::evaluate(&conn, &ctx, &settings)))),
        ];
        for (name, part) in parts {
            report(&format!("dashboard part, {label}: {name}"), measure(part), base);
        }
    }

    let month = Range::local_days(&ctx, Some(days_back(29)), Some(tomorrow));
    let base_month = measure(baseline(days_back(29)));
    // Every budget there is, as the writer's check after each commit evaluates them: the four of all projects,
    // then three project budgets besides (one per period, each a different one of the eight repositories).
    let mut overall = ccmeter_core::store::settings::load(&conn).expect("settings");
    for period in Period::ALL {
        overall.budgets.set(period, Some(Budget::new(100.0)));
    }
    let mut with_projects = overall.clone();
    for (project, period) in
        [("bench/repo-1", Period::Day), ("bench/repo-2", Period::Week), ("bench/repo-3", Period::Month)]
    {
        with_projects.budgets.set_project(project, period, Some(Budget::new(50.0)));
    }
    report(
        "budgets: day, week, month and session",
        measure(|| drop(ccmeter_core::budget::evaluate(&conn, &ctx, &overall))),
        base_month,
    );
    report(
        "budgets: the same and three project budgets",
        measure(|| drop(ccmeter_core::budget::evaluate(&conn, &ctx, &with_projects))),
        base_month,
    );
    let base_year = measure(baseline(days_back(364)));
    let page = |range: Range, sort: SessionSort, text: Option<&str>, model: Option<&str>| SessionFilter {
        range,
        sort,
        descending: true,
        limit: 50,
        text: text.map(str::to_owned),
        model: model.map(str::to_owned),
        ..Default::default()
    };
    let sessions = |filter: SessionFilter| {
        let conn = &conn;
        move || {
            query::sessions(conn, &filter).expect("sessions");
        }
    };
    report(
        "history: 30 days, newest first",
        measure(sessions(page(month, SessionSort::Start, None, None))),
        base_month,
    );
    report("history: all, by cost", measure(sessions(page(Range::ALL, SessionSort::Cost, None, None))), base_year);
    report(
        "history: all, one model, search",
        measure(sessions(page(Range::ALL, SessionSort::Start, Some("0000-4000"), Some("claude-haiku-4-5")))),
        base_year,
    );
    report(
        "history: last page of all (offset 9950)",
        measure(sessions(SessionFilter { offset: 9_950, ..page(Range::ALL, SessionSort::Start, None, None) })),
        base_year,
    );
    report(
        "session page (busiest session)",
        measure(|| {
            query::session(&conn, &busiest).expect("session");
            query::session_series(&conn, &busiest).expect("series");
        }),
        base_month,
    );
    let log = |kind: LogKind, range: Range, failed_only: bool| {
        let conn = &conn;
        move || {
            logs::log(conn, &LogFilter { kind, range, failed_only, limit: 50, ..Default::default() }).expect("log");
        }
    };
    // What `ccmeter report --since <a year ago> --by day|model --json` does after opening the file: build the
    // report (every session of the year listed) and write its JSON.
    for by in [ccmeter_core::read::report::GroupBy::Day, ccmeter_core::read::report::GroupBy::Model] {
        let request =
            ccmeter_core::read::report::ReportRequest { since: Some(days_back(365)), until: None, by: Some(by) };
        report(
            &format!("report, a year, by {by:?}, JSON"),
            measure(|| {
                let built = ccmeter_core::read::report::build(&conn, &ctx, &request).expect("report");
                drop(serde_json::to_string_pretty(&built).expect("json"));
            }),
            base_year,
        );
    }
    report("tool log: 30 days", measure(log(LogKind::Tools, month, false)), base_month);
    report("tool log: all, failed only", measure(log(LogKind::Tools, Range::ALL, true)), base_year);
    report("API-error log: all", measure(log(LogKind::ApiErrors, Range::ALL, false)), base_year);
}
