//! The history from before telemetry, as a user meets it: Claude Code's real transcripts imported into a real
//! database, before or after the same sessions' real telemetry, each request counted once whatever the order.

use std::path::PathBuf;

use ccmeter_core::Store;
use ccmeter_core::history::{Imported, import};
use ccmeter_core::pricing::RateSource;
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
    assert_eq!((again.unchanged_files, again.responses), (8, 0), "unchanged files are not read again");
    assert_eq!((again.added, again.known, again.estimated_nanos), (0, 0, 0), "a second import changes nothing");
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
    // Read whole again, as a transcript rewritten in place would be.
    store.exec(|tx| Ok(tx.execute("DELETE FROM transcript_reads", []).map(drop)?)).await.expect("forgotten");
    let imported = import_all(&store).await;
    assert_eq!((imported.added, imported.known), (0, 40));
    assert_eq!(totals(&store).5, 0);
}

/// One `assistant` record of a response, as Claude Code writes it (a streamed response's early records have no
/// `stop_reason` and a partial usage).
fn assistant(message: &str, output: i64, stop_reason: Option<&str>, time: &str) -> String {
    assistant_of("claude-opus-5-5", message, output, stop_reason, time)
}

fn assistant_of(model: &str, message: &str, output: i64, stop_reason: Option<&str>, time: &str) -> String {
    let stop = stop_reason.map_or("null".to_owned(), |r| format!("\"{r}\""));
    format!(
        r#"{{"type":"assistant","sessionId":"5e55a000-0000-4000-8000-000000000001","cwd":"/w","version":"2.1.332","timestamp":"{time}","requestId":"req_{message}","message":{{"id":"msg_{message}","model":"{model}","stop_reason":{stop},"usage":{{"input_tokens":10,"output_tokens":{output},"cache_read_input_tokens":1000,"cache_creation_input_tokens":100}}}}}}"#
    ) + "\n"
}

fn append(path: &std::path::Path, text: &str) {
    use std::io::Write as _;
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path).expect("opened");
    file.write_all(text.as_bytes()).expect("appended");
}

/// (request id, output tokens) of every stored request.
fn requests_stored(store: &Store) -> Vec<(String, i64)> {
    store
        .reader()
        .expect("reader")
        .prepare("SELECT request_id, output_tokens FROM events WHERE name = 'api_request' ORDER BY request_id")
        .expect("query")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("rows")
        .collect::<rusqlite::Result<_>>()
        .expect("requests")
}

#[tokio::test]
async fn a_growing_transcript_is_read_from_where_the_last_import_stopped_and_a_response_waits_for_its_end() {
    let (dir, store) = open();
    let projects = dir.path().join("projects");
    let folder = projects.join("-w");
    std::fs::create_dir_all(&folder).expect("folder");
    let transcript = folder.join("5e55a000-0000-4000-8000-000000000001.jsonl");
    append(&transcript, &assistant("a", 40, Some("end_turn"), "2026-12-01T10:00:00Z"));
    // The second response is still streaming: its first record's usage is partial.
    append(&transcript, &assistant("b", 1, None, "2026-12-01T10:01:00Z"));
    let import = || async { import(&store, std::slice::from_ref(&projects), None, |_, _| {}).await.expect("imported") };

    let first = import().await;
    assert_eq!((first.added, first.held_back), (1, 1), "{first:?}");
    assert_eq!(requests_stored(&store), [("req_a".to_owned(), 40)]);

    let unchanged = import().await;
    assert_eq!((unchanged.added, unchanged.held_back, unchanged.known), (0, 1, 0), "{unchanged:?}");

    // The response ends (its last record carries the final usage), and a third one comes, whole.
    append(&transcript, &assistant("b", 1, None, "2026-12-01T10:01:02Z"));
    append(&transcript, &assistant("b", 77, Some("tool_use"), "2026-12-01T10:01:09Z"));
    append(&transcript, &assistant("c", 5, Some("end_turn"), "2026-12-01T10:02:00Z"));
    let grown = import().await;
    assert_eq!((grown.added, grown.held_back, grown.known), (2, 0, 0), "{grown:?}");
    assert_eq!(
        requests_stored(&store),
        [("req_a".to_owned(), 40), ("req_b".to_owned(), 77), ("req_c".to_owned(), 5)],
        "the response counted once, with its final usage"
    );
    let again = import().await;
    assert_eq!((again.unchanged_files, again.responses, again.added), (1, 0, 0), "{again:?}");

    // A response cut short (the user stopped it) never ends: once the file has been left alone long enough, it
    // is taken as it stands.
    append(&transcript, &assistant("d", 3, None, "2026-12-01T10:03:00Z"));
    assert_eq!(import().await.held_back, 1);
    let long_ago = std::time::SystemTime::now() - ccmeter_core::history::UNFINISHED_WAIT * 2;
    std::fs::File::options().write(true).open(&transcript).expect("opened").set_modified(long_ago).expect("touched");
    let cut = import().await;
    assert_eq!((cut.added, cut.held_back), (1, 0), "{cut:?}");
    assert_eq!(requests_stored(&store).last(), Some(&("req_d".to_owned(), 3)));

    // Rewritten shorter (not Claude Code's way, but a user's copy may be): read whole, each request still once.
    std::fs::write(&transcript, assistant("a", 40, Some("end_turn"), "2026-12-01T10:00:00Z")).expect("rewritten");
    let rewritten = import().await;
    assert_eq!((rewritten.responses, rewritten.added, rewritten.known), (1, 0, 1), "{rewritten:?}");

    // A transcript Claude Code's cleanup removed is forgotten; what was read of it stays.
    std::fs::remove_file(&transcript).expect("removed");
    let after_cleanup = import().await;
    assert_eq!((after_cleanup.files, after_cleanup.added), (0, 0));
    let reads: i64 = store
        .reader()
        .expect("reader")
        .query_row("SELECT count(*) FROM transcript_reads", [], |r| r.get(0))
        .expect("count");
    assert_eq!(reads, 0);
    assert_eq!(requests_stored(&store).len(), 4);
}

#[tokio::test]
async fn a_subagents_response_replayed_in_its_sessions_transcript_is_counted_once_and_at_its_final_size() {
    let (dir, store) = open();
    let projects = dir.path().join("projects");
    let session = projects.join("-w").join("5e55a000-0000-4000-8000-000000000001");
    std::fs::create_dir_all(session.join("subagents")).expect("folders");
    // The subagent's own transcript has the final snapshot; the session's replay only an early one.
    append(&session.join("subagents/agent-1.jsonl"), &assistant("s", 90, Some("end_turn"), "2026-12-01T10:00:05Z"));
    append(&session.with_extension("jsonl"), &assistant("s", 2, None, "2026-12-01T10:00:00Z"));
    let imported = import(&store, std::slice::from_ref(&projects), None, |_, _| {}).await.expect("imported");
    assert_eq!((imported.files, imported.responses, imported.added, imported.held_back), (2, 1, 1, 0), "{imported:?}");
    assert_eq!(requests_stored(&store), [("req_s".to_owned(), 90)]);
}

/// `count` requests of `model` as Claude Code's telemetry reports them, varied as real ones are, each priced at
/// `rates`; returns their total cost.
async fn telemetry_of(store: &Store, model: &str, rates: ccmeter_core::pricing::Rates, count: u64) -> i64 {
    use ccmeter_proto::{ApiRequest, Attributes, Batch, Event, EventDetail, EventName, Nanos, Signal, Tokens};
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = |below: u64| {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) % below) as i64
    };
    let mut batch = Batch::new(Signal::Logs);
    let mut total = 0;
    for n in 0..count {
        let billed = ccmeter_core::pricing::Billed {
            input: 1 + next(50),
            output: 20 + next(3_000),
            cache_read: next(150_000),
            cache_write_5m: next(20_000),
            cache_write_1h: 0,
        };
        let cost = rates.cost_nanos(&billed);
        total += cost;
        let mut attributes = Attributes::new();
        attributes.insert("event.name".into(), "api_request".into());
        attributes.insert("session.id".into(), "telemetry-session".into());
        batch.events.push(Event {
            time_ns: 1_796_000_000_000_000_000 + n as i64 * 1_000_000_000,
            time_received: false,
            name: EventName::ApiRequest,
            session_id: Some("telemetry-session".into()),
            sequence: Some(n as i64),
            prompt_id: None,
            detail: EventDetail::ApiRequest(ApiRequest {
                model: Some(model.into()),
                request_id: Some(format!("req_telemetry_{n}")),
                cost: Nanos(cost),
                tokens: Tokens {
                    input: billed.input,
                    output: billed.output,
                    cache_read: billed.cache_read,
                    cache_creation: billed.cache_write_5m,
                },
                ..ApiRequest::default()
            }),
            attributes,
            body: None,
            severity: None,
            trace_id: None,
            span_id: None,
            resource: std::sync::Arc::default(),
        });
    }
    store.write(batch).await.expect("stored");
    total
}

/// A `projects` folder under `root` with one session of three responses of a model no table knows.
fn future_model_session(root: &std::path::Path) -> (PathBuf, &'static str) {
    let projects = root.join("projects");
    let folder = projects.join("-w");
    std::fs::create_dir_all(&folder).expect("folder");
    let model = "claude-future-9";
    let transcript = folder.join("5e55a000-0000-4000-8000-000000000001.jsonl");
    for (at, output) in [(1, 40), (2, 300), (3, 1_000)] {
        append(&transcript, &assistant_of(model, &format!("f{at}"), output, Some("end_turn"), "2026-12-01T10:00:00Z"));
    }
    (projects, model)
}

#[tokio::test]
async fn rates_learned_after_an_import_price_its_estimates_again_and_every_figure_follows() {
    let (dir, store) = open();
    // A model released after the bundled table: its requests have no price yet.
    let (projects, model) = future_model_session(dir.path());
    let import = || async { import(&store, std::slice::from_ref(&projects), None, |_, _| {}).await.expect("imported") };
    let first = import().await;
    assert_eq!((first.added, first.no_price), (3, 3), "{first:?}");
    assert_eq!(totals(&store).0, 0, "no price is no cost, never $0 passed off as a price");

    // Then the user's telemetry brings Claude Code's own costs of that model's requests.
    let rates = ccmeter_core::pricing::Rates {
        input: 6_000_000,
        output: 30_000_000,
        cache_read: 300_000,
        cache_write_5m: 7_500_000,
        cache_write_1h: 12_000_000,
    };
    let telemetry = telemetry_of(&store, model, rates, 8).await;
    let again = import().await;
    assert_eq!((again.added, again.responses), (0, 0), "the transcript did not change: {again:?}");
    let billed = |output| ccmeter_core::pricing::Billed {
        input: 10,
        output,
        cache_read: 1000,
        cache_write_5m: 100,
        cache_write_1h: 0,
    };
    let estimated: i64 = [40, 300, 1_000].iter().map(|o| rates.cost_nanos(&billed(*o))).sum();
    assert_eq!(totals(&store).0, telemetry + estimated, "the estimates now priced at the learned rates");
    let conn = store.reader().expect("reader");
    let kinds: Vec<(i64, i64)> = conn
        .prepare("SELECT estimated, count(*) FROM events WHERE estimated <> 0 GROUP BY 1")
        .expect("query")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("rows")
        .collect::<rusqlite::Result<_>>()
        .expect("kinds");
    assert_eq!(kinds, [(1, 3)], "priced, no longer 'no price'");
    // Every aggregate follows: the facets add up to the rollup, and the per-model figure is the sum.
    let sum = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).expect("sum") };
    assert_eq!(sum("SELECT sum(ev_cost_nanos) FROM usage_rollup"), telemetry + estimated);
    assert_eq!(sum("SELECT sum(ev_cost_nanos) FROM facet_rollup WHERE facet = 'effort'"), telemetry + estimated);
    let by_model = query::by_model(&conn, Range::default()).expect("models");
    println!("{by_model:?}");
    assert_eq!(by_model.iter().map(|m| m.cost_nanos).sum::<i64>(), telemetry + estimated);
    let ctx = ccmeter_core::TimeContext::system();
    let estimates = query::estimated(&conn, &ctx, Range::default()).expect("estimated");
    assert_eq!((estimates.total, estimates.unpriced), (estimated, 0));
}

/// Saves the user's prices as the Settings window does.
async fn set_prices(store: &Store, overrides: Vec<ccmeter_core::words::settings::PriceOverride>) {
    let patch = ccmeter_core::words::settings::SettingsPatch { price_overrides: Some(overrides), ..Default::default() };
    let ctx = ccmeter_core::TimeContext::system();
    store.exec(move |tx| ccmeter_core::apply_settings::patch_and_apply(tx, &ctx, &patch)).await.expect("saved");
}

#[tokio::test]
async fn a_price_the_user_sets_prices_a_model_no_table_knows_and_a_change_prices_it_again_until_telemetry_teaches_it() {
    let (dir, store) = open();
    let (projects, model) = future_model_session(dir.path());
    let price = |input: f64, output: f64| ccmeter_core::words::settings::PriceOverride {
        model: "Claude-Future-9".into(),
        input,
        output,
        cache_read: None,
        cache_write_5m: None,
        cache_write_1h: None,
    };
    set_prices(&store, vec![price(4.0, 20.0)]).await;
    let imported = import(&store, std::slice::from_ref(&projects), None, |_, _| {}).await.expect("imported");
    assert_eq!((imported.added, imported.priced_override, imported.no_price), (3, 3, 0), "{imported:?}");
    // 10 in, 1,000 cache reads at a tenth of input, 100 written at 1.25× input, and the output.
    let cost = |input: i64, output: i64| -> i64 {
        [40, 300, 1_000]
            .iter()
            .map(|o| (10 * input + o * output + 1_000 * input / 10 + 100 * input * 5 / 4) / 1_000)
            .sum()
    };
    assert_eq!(cost(4_000_000, 20_000_000), 29_620_000);
    assert_eq!(
        (imported.estimated_nanos, totals(&store).0),
        (cost(4_000_000, 20_000_000), cost(4_000_000, 20_000_000))
    );
    // The session's page marks it: all of its cost estimated, each request priced by ccmeter.
    let session_page = || {
        let conn = store.reader().expect("reader");
        query::session(&conn, "5e55a000-0000-4000-8000-000000000001").expect("read").expect("the session")
    };
    let page = session_page();
    assert_eq!(
        (page.session.usage.cost_usd, page.session.estimated_cost_usd, page.session.unpriced_requests),
        (0.02962, 0.02962, 0)
    );
    let marks: Vec<_> = page.timeline.iter().map(|event| event.cost_estimate).collect();
    assert_eq!(marks, [Some(query::CostEstimate::Priced); 3]);

    // The user corrects the price: every estimate follows, the import's transcripts unchanged.
    set_prices(&store, vec![price(5.0, 25.0)]).await;
    assert_eq!(ccmeter_core::history::reprice_now(&store).await.expect("repriced"), 3);
    assert_eq!(totals(&store).0, cost(5_000_000, 25_000_000));
    assert_eq!(
        ccmeter_core::history::reprice_now(&store).await.expect("unchanged"),
        0,
        "prices the same: nothing to do"
    );

    // Removed, the model has no price again: its tokens stay, its cost is not passed off as $0.
    set_prices(&store, Vec::new()).await;
    ccmeter_core::history::reprice_now(&store).await.expect("repriced");
    let conn = store.reader().expect("reader");
    let ctx = ccmeter_core::TimeContext::system();
    let estimates = query::estimated(&conn, &ctx, Range::default()).expect("estimated");
    assert_eq!((totals(&store).0, estimates.unpriced), (0, 3));
    let page = session_page();
    assert_eq!((page.session.estimated_cost_usd, page.session.unpriced_requests), (0.0, 3));
    let marks: Vec<_> = page.timeline.iter().map(|event| event.cost_estimate).collect();
    assert_eq!(marks, [Some(query::CostEstimate::NoPrice); 3], "no price, never $0");
    let today = chrono::Utc::now().date_naive();
    let listed = ccmeter_core::read::prices::model_prices(&conn, today).expect("prices");
    assert_eq!(listed[0].model, model, "the model without a price comes first: {listed:?}");
    assert_eq!((listed[0].source, listed[0].unpriced_requests), (None, 3));

    // Rates learned from telemetry come before the user's.
    set_prices(&store, vec![price(5.0, 25.0)]).await;
    let rates = ccmeter_core::pricing::Rates {
        input: 6_000_000,
        output: 30_000_000,
        cache_read: 600_000,
        cache_write_5m: 7_500_000,
        cache_write_1h: 12_000_000,
    };
    let telemetry = telemetry_of(&store, model, rates, 8).await;
    ccmeter_core::history::reprice_now(&store).await.expect("repriced");
    assert_eq!(totals(&store).0, telemetry + cost(6_000_000, 30_000_000));
    let listed = ccmeter_core::read::prices::model_prices(&conn, today).expect("prices");
    let future = listed.iter().find(|m| m.model == model).expect("listed");
    assert_eq!((future.source, future.learned_from, future.estimated_requests), (Some(RateSource::Learned), 8, 3));
    assert_eq!(future.per_million.map(|p| (p.input, p.output, p.cache_read)), Some((6.0, 30.0, 0.6)));
}

#[tokio::test]
async fn an_export_carries_the_estimates_and_the_requests_read_so_another_database_never_adds_them_again() {
    use ccmeter_core::store::open_connection;
    use ccmeter_core::write::transfer;
    let (dir, store) = open();
    import_all(&store).await;
    let source = dir.path().join("ccmeter.db");
    let file = dir.path().join("history.ccmeter");
    transfer::export(&open_connection(&source).expect("open"), &source, &file).expect("exported");
    // A second export after the user deleted that history: its requests stay read.
    store.exec(|tx| ccmeter_core::write::delete::range(tx, Range::default()).map(|_| ())).await.expect("deleted");
    let emptied = dir.path().join("emptied.ccmeter");
    transfer::export(&open_connection(&source).expect("open"), &source, &emptied).expect("exported");
    drop(store);

    let (other_dir, other) = open();
    drop(other);
    let target = other_dir.path().join("ccmeter.db");
    transfer::import(&mut open_connection(&target).expect("open"), &target, &file).expect("imported");
    let store = Store::open(&target).expect("store");
    assert_eq!(totals(&store), telemetry_totals(), "the same history");
    assert_eq!(estimated_rows(&store), 40, "still marked estimated");
    drop(store);

    let (third_dir, third) = open();
    drop(third);
    let target = third_dir.path().join("ccmeter.db");
    transfer::import(&mut open_connection(&target).expect("open"), &target, &emptied).expect("imported");
    let store = Store::open(&target).expect("store");
    // This disk's transcripts were never read into this database, yet their requests are known: none is added.
    let imported = import_all(&store).await;
    assert_eq!((imported.responses, imported.added, imported.known), (40, 0, 40), "{imported:?}");
    assert_eq!(totals(&store).5, 0);
}
