//! `kill -9` at random moments while a real OTLP gRPC client streams Claude Code events: every record the
//! server acknowledged is stored exactly once, every batch is all there or not at all, and the database
//! passes `PRAGMA integrity_check` (DESIGN.md, quality bar "Crash").

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ccmeter_proto::opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use ccmeter_proto::opentelemetry_proto::tonic::collector::logs::v1::logs_service_client::LogsServiceClient;
use ccmeter_tests::{Server, api_request_template, with_request_ids};
use rusqlite::Connection;

const ROUNDS: u64 = 20;
const RECORDS_PER_BATCH: usize = 64;

/// Batch `number` of the run: RECORDS_PER_BATCH api_request records with their own request ids.
fn batch(template: &ExportLogsServiceRequest, number: u64) -> ExportLogsServiceRequest {
    let mut message = with_request_ids(template, (0..RECORDS_PER_BATCH).map(|i| format!("crash-{number}-{i}")));
    for (i, record) in message.resource_logs[0].scope_logs[0].log_records.iter_mut().enumerate() {
        record.time_unix_nano += number * 1_000_000 + i as u64;
    }
    message
}

/// Deterministic pauses (xorshift): the same kill moments on every run, spread over 30–400 ms.
struct Pauses(u64);

impl Pauses {
    fn next(&mut self) -> Duration {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        Duration::from_millis(30 + self.0 % 370)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_record_survives_kill_9_exactly_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("ccmeter.db");
    let template = api_request_template();
    let acknowledged: Arc<Mutex<BTreeSet<u64>>> = Arc::default();
    let mut next_batch = 0_u64;
    let mut unacknowledged: Option<u64> = None;
    let mut pauses = Pauses(0x9e37_79b9_7f4a_7c15);
    let mut kills_mid_stream = 0;

    for _ in 0..ROUNDS {
        let mut server =
            Server::start_on(&db, "127.0.0.1:0", "127.0.0.1:0").expect("ccmeter serve starts after a kill");
        let url = format!("http://{}", server.grpc);
        let acked = acknowledged.clone();
        let template = template.clone();
        // The exporter retries what it never saw acknowledged, then goes on with new batches.
        let first = unacknowledged.take();
        let start = next_batch;
        let stream = tokio::spawn(async move {
            let mut client = LogsServiceClient::connect(url).await.expect("connect");
            let mut sent = start;
            let order = first.into_iter().chain(start..);
            for number in order {
                if number >= start {
                    sent = number + 1;
                }
                match client.export(batch(&template, number)).await {
                    Ok(answer) => {
                        assert!(answer.into_inner().partial_success.is_none(), "batch {number} partly refused");
                        acked.lock().expect("lock").insert(number);
                    }
                    // The server died under the request: its fate is unknown, the exporter will retry it.
                    Err(_) => return (sent, Some(number)),
                }
            }
            unreachable!("the stream ends when the server is killed")
        });
        tokio::time::sleep(pauses.next()).await;
        server.child.kill().expect("kill -9");
        server.child.wait().expect("reaped");
        let (sent, in_flight) = tokio::time::timeout(Duration::from_secs(30), stream)
            .await
            .expect("the client notices the kill")
            .expect("the client task");
        kills_mid_stream += usize::from(in_flight.is_some());
        next_batch = sent;
        unacknowledged = in_flight;
    }
    assert!(kills_mid_stream >= (ROUNDS as usize) / 2, "most kills hit a request in flight: {kills_mid_stream}");

    // A last clean start: recovery runs, then the server stops politely.
    let server = Server::start_on(&db, "127.0.0.1:0", "127.0.0.1:0").expect("starts once more");
    assert!(server.stop().success());

    let conn = Connection::open(&db).expect("open the database");
    let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).expect("integrity check");
    assert_eq!(integrity, "ok");
    eprintln!(
        "kills mid-request: {kills_mid_stream} of {ROUNDS}; batches acknowledged: {}",
        acknowledged.lock().expect("lock").len()
    );
    let mut per_request: BTreeMap<String, i64> = BTreeMap::new();
    let mut statement = conn
        .prepare("SELECT request_id, count(*) FROM events WHERE request_id LIKE 'crash-%' GROUP BY request_id")
        .expect("select");
    for row in statement.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))).expect("rows") {
        let (id, count) = row.expect("row");
        per_request.insert(id, count);
    }
    let acknowledged = acknowledged.lock().expect("lock").clone();
    assert!(acknowledged.len() > ROUNDS as usize, "batches were acknowledged: {}", acknowledged.len());
    for number in &acknowledged {
        for i in 0..RECORDS_PER_BATCH {
            let id = format!("crash-{number}-{i}");
            assert_eq!(per_request.get(&id), Some(&1), "acknowledged record {id} stored exactly once");
        }
    }
    // Nothing half-written: a batch is stored whole or not at all, acknowledged or not.
    let mut per_batch: BTreeMap<u64, usize> = BTreeMap::new();
    for (id, count) in &per_request {
        assert_eq!(*count, 1, "{id} stored once");
        let number: u64 = id.split('-').nth(1).and_then(|n| n.parse().ok()).expect("batch number");
        *per_batch.entry(number).or_default() += 1;
    }
    for (number, records) in &per_batch {
        assert_eq!(*records, RECORDS_PER_BATCH, "batch {number} stored whole");
    }
    // The rollup agrees with the records that survived: nothing counted for a rolled-back batch.
    let (requests, rolled): (i64, i64) = conn
        .query_row(
            "SELECT (SELECT count(*) FROM events WHERE name = 'api_request'),
                    (SELECT coalesce(sum(api_requests), 0) FROM usage_rollup)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("counts");
    assert_eq!(requests, rolled, "the usage rollup counts exactly the stored requests");
}
