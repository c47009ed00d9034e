//! Claude Code's real transcripts (`tests/fixtures/transcripts-2.1.332/`, the same sessions as the telemetry
//! captures): the usage read from them, each response once, is Claude Code's own per session, subagents
//! included, exactly as its telemetry counted it.

use std::collections::{BTreeMap, BTreeSet};

use ccmeter_core::transcripts::transcript_files;
use ccmeter_core::transcripts::usage::{Responses, read_file};
use ccmeter_proto::EventDetail;
use serde_json::Value;

/// (input, output, cache read, cache write, responses) per session.
type Totals = BTreeMap<String, (i64, i64, i64, i64, usize)>;

/// The request ids of a capture's responses, from its transcripts.
fn transcript_request_ids(capture: &str) -> BTreeSet<String> {
    let root = ccmeter_tests::fixtures_dir().join("transcripts-2.1.332").join(capture);
    let mut responses = Responses::default();
    for run in std::fs::read_dir(&root).expect("the capture's runs").flatten() {
        for path in transcript_files(&run.path().join("projects")) {
            read_file(&path, 0).expect("readable").snapshots.into_iter().for_each(|r| responses.add(r));
        }
    }
    responses.into_sorted().into_iter().filter_map(|r| r.request_id).collect()
}

/// The `request_id` of every `api_request` event a capture's telemetry sent.
fn telemetry_request_ids(capture: &str) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for request in ccmeter_tests::requests(&format!("claude-code-2.1.332/{capture}")) {
        for event in request.decode().events {
            if let EventDetail::ApiRequest(api) = event.detail {
                ids.extend(api.request_id);
            }
        }
    }
    ids
}

/// Every transcript of one capture's runs (`<protocol>/<scenario>/<run>/projects`), read and counted.
fn read_capture(capture: &str) -> (Totals, usize) {
    let root = ccmeter_tests::fixtures_dir().join("transcripts-2.1.332").join(capture);
    let mut responses = Responses::default();
    let mut files = 0;
    for run in std::fs::read_dir(&root).expect("the capture's runs").flatten() {
        for path in transcript_files(&run.path().join("projects")) {
            let read = read_file(&path, 0).expect("a readable transcript");
            assert_eq!(read.skipped.total(), 0, "{}: {:?}", path.display(), read.skipped);
            read.snapshots.into_iter().for_each(|r| responses.add(r));
            files += 1;
        }
    }
    let mut totals = Totals::new();
    for response in responses.into_sorted() {
        let t = totals.entry(response.session_id).or_default();
        let tokens = response.tokens;
        *t = (t.0 + tokens.input, t.1 + tokens.output, t.2 + tokens.cache_read, t.3 + tokens.cache_creation, t.4 + 1);
    }
    (totals, files)
}

/// Claude Code's own tokens and API requests per session, from its telemetry (`expected.json`).
fn telemetry(capture: &str) -> Totals {
    let path = ccmeter_tests::fixtures_dir().join("claude-code-2.1.332").join(capture).join("expected.json");
    let expected: Value = serde_json::from_slice(&std::fs::read(path).expect("expected.json")).expect("JSON");
    let mut totals = Totals::new();
    for (id, session) in expected["sessions"].as_object().expect("sessions") {
        let tokens = &session["metrics"]["tokens"];
        let count = |key: &str| tokens[key].as_i64().expect("a count");
        let requests = session["events"]["counts"]["api_request"].as_u64().unwrap_or(0) as usize;
        if requests > 0 {
            totals.insert(
                id.clone(),
                (count("input"), count("output"), count("cacheRead"), count("cacheCreation"), requests),
            );
        }
    }
    totals
}

#[test]
fn each_sessions_tokens_from_its_transcripts_are_claude_codes_own() {
    for (capture, files) in
        [("grpc/success", 2), ("http-json/resume", 2), ("http-protobuf/subagent", 2), ("http-protobuf/traces-beta", 2)]
    {
        let (read, seen) = read_capture(capture);
        println!("{capture}: {read:?}");
        assert_eq!(seen, files, "{capture}: the session's transcript and its subagent's");
        assert_eq!(read, telemetry(capture), "{capture}");
    }
}

#[test]
fn a_transcripts_request_ids_are_the_ones_telemetry_sends_so_a_request_is_known_from_both() {
    for capture in ["grpc/success", "http-json/resume", "http-protobuf/subagent", "http-protobuf/traces-beta"] {
        let ids = transcript_request_ids(capture);
        assert!(!ids.is_empty(), "{capture}");
        assert_eq!(ids, telemetry_request_ids(capture), "{capture}");
    }
}

#[test]
fn priced_by_the_bundled_table_each_sessions_transcripts_cost_what_claude_code_said() {
    use ccmeter_core::pricing::Billed;
    use ccmeter_core::pricing::table::PriceTable;
    let table = PriceTable::bundled();
    for capture in ["grpc/success", "http-json/resume", "http-protobuf/subagent", "http-protobuf/traces-beta"] {
        let root = ccmeter_tests::fixtures_dir().join("transcripts-2.1.332").join(capture);
        let mut responses = Responses::default();
        for run in std::fs::read_dir(&root).expect("the capture's runs").flatten() {
            for path in transcript_files(&run.path().join("projects")) {
                read_file(&path, 0).expect("readable").snapshots.into_iter().for_each(|r| responses.add(r));
            }
        }
        let mut cost = 0;
        for response in responses.into_sorted() {
            let billed = Billed::from(response.tokens);
            let day = chrono::DateTime::from_timestamp_nanos(response.time_ns).date_naive();
            cost += table.rates(&response.model, day, &billed).expect("a price").cost_nanos(&billed);
        }
        let telemetry = ccmeter_tests::expected_totals(&format!("claude-code-2.1.332/{capture}")).cost_nanos;
        assert_eq!(cost, telemetry, "{capture}");
    }
}

#[tokio::test]
async fn rates_learned_from_the_stored_telemetry_are_the_ones_claude_code_priced_with() {
    use ccmeter_core::pricing::learned;
    let dir = tempfile::tempdir().expect("dir");
    let store = ccmeter_core::Store::open(dir.path().join("ccmeter.db")).expect("store");
    for scenario in ccmeter_tests::scenarios() {
        for request in ccmeter_tests::requests(&scenario) {
            store.write(request.decode()).await.expect("stored");
        }
    }
    let learned = learned::from_store(&store.reader().expect("reader")).expect("learned");
    println!("{learned:#?}");
    let models: Vec<&str> = learned.keys().map(String::as_str).collect();
    assert_eq!(models, ["claude-opus-4-8", "claude-opus-5-5"], "the models with enough varied requests");
    let table = ccmeter_core::pricing::table::PriceTable::bundled();
    let day: chrono::NaiveDate = "2026-12-01".parse().expect("day");
    for (model, rates) in &learned {
        let listed = table.rates(model, day, &Default::default()).expect("a listed model");
        assert_eq!(rates.rates, listed, "{model}, from {} requests", rates.requests);
    }
}
