//! The export requests a forwarding sink keeps ([`Batch::request`]): over each wire Claude Code uses, the bytes
//! kept decode to exactly what the client sent (an HTTP/protobuf body is kept byte for byte), and a sink that
//! forwards nothing is handed none.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use ccmeter_proto::opentelemetry_proto::tonic::collector::{
    logs::v1::ExportLogsServiceRequest, metrics::v1::ExportMetricsServiceRequest, trace::v1::ExportTraceServiceRequest,
};
use ccmeter_proto::{Batch, Protocol, Sink, SinkFuture, Stored};
use ccmeter_tests::{Request, requests, send_fixture_to};
use prost::Message;
use tokio_util::sync::CancellationToken;

const CAPTURES: [&str; 3] = [
    "claude-code-2.1.332/grpc/success",
    "claude-code-2.1.332/http-json/resume",
    "claude-code-2.1.332/http-protobuf/subagent",
];

/// Takes every batch and remembers it.
struct Recording {
    keep: bool,
    batches: Mutex<Vec<Batch>>,
}

impl Sink for Recording {
    fn ingest(&self, batch: Batch) -> SinkFuture {
        self.batches.lock().expect("not poisoned").push(batch);
        Box::pin(async { Ok(Stored::default()) })
    }

    fn keeps_requests(&self) -> bool {
        self.keep
    }
}

/// Both receivers on loopback, handing their batches to `sink`.
async fn receivers(sink: Arc<Recording>, cancel: &CancellationToken) -> (SocketAddr, SocketAddr) {
    let any: SocketAddr = "127.0.0.1:0".parse().expect("address");
    let grpc = ccmeter_proto::bind(Protocol::Grpc, any, None).await.expect("bind gRPC");
    let http = ccmeter_proto::bind(Protocol::Http, any, None).await.expect("bind HTTP");
    let addrs = (grpc.local_addr().expect("addr"), http.local_addr().expect("addr"));
    tokio::spawn(ccmeter_proto::serve_grpc(grpc, sink.clone(), None, cancel.clone()));
    tokio::spawn(ccmeter_proto::serve_http(http, sink, None, cancel.clone()));
    addrs
}

/// A request's content in one canonical form: decoded (from protobuf or OTLP/JSON) and encoded again.
fn canonical(signal: &str, json: bool, body: &[u8]) -> Vec<u8> {
    match (signal, json) {
        ("logs", false) => ExportLogsServiceRequest::decode(body).expect("logs").encode_to_vec(),
        ("logs", true) => ccmeter_proto::json::logs_request(body).expect("logs").encode_to_vec(),
        ("metrics", false) => ExportMetricsServiceRequest::decode(body).expect("metrics").encode_to_vec(),
        ("metrics", true) => ccmeter_proto::json::metrics_request(body).expect("metrics").encode_to_vec(),
        (_, false) => ExportTraceServiceRequest::decode(body).expect("traces").encode_to_vec(),
        (_, true) => ccmeter_proto::json::traces_request(body).expect("traces").encode_to_vec(),
    }
}

fn is_json(request: &Request) -> bool {
    request.content_type.contains("json")
}

#[tokio::test]
async fn a_forwarding_sink_keeps_each_request_equal_in_content_and_http_protobuf_byte_for_byte() {
    let sink = Arc::new(Recording { keep: true, batches: Mutex::new(Vec::new()) });
    let cancel = CancellationToken::new();
    let (grpc, http) = receivers(sink.clone(), &cancel).await;
    let sent: Vec<Request> = CAPTURES.iter().flat_map(|capture| requests(capture)).collect();
    for request in &sent {
        send_fixture_to(grpc, http, request).await;
    }
    let batches = std::mem::take(&mut *sink.batches.lock().expect("not poisoned"));
    assert_eq!(batches.len(), sent.len(), "one batch per request");
    let mut wires = std::collections::BTreeSet::new();
    for (request, batch) in sent.iter().zip(&batches) {
        let kept = batch.request.as_ref().unwrap_or_else(|| panic!("{} kept no request", request.path));
        let plain = request.plain_body();
        assert_eq!(
            canonical(&request.signal, false, kept),
            canonical(&request.signal, is_json(request), &plain),
            "{}: the kept request differs from the one sent",
            request.path
        );
        if request.transport != "grpc" && !is_json(request) {
            assert_eq!(kept.as_ref(), plain.as_slice(), "{}: an HTTP/protobuf body is kept as it came", request.path);
        }
        wires.insert((request.transport.clone(), is_json(request)));
    }
    assert_eq!(wires.len(), 3, "gRPC, HTTP/JSON and HTTP/protobuf were all sent: {wires:?}");
    cancel.cancel();
}

#[tokio::test]
async fn a_sink_that_forwards_nothing_is_handed_no_request() {
    let sink = Arc::new(Recording { keep: false, batches: Mutex::new(Vec::new()) });
    let cancel = CancellationToken::new();
    let (grpc, http) = receivers(sink.clone(), &cancel).await;
    for capture in CAPTURES {
        for request in requests(capture) {
            send_fixture_to(grpc, http, &request).await;
        }
    }
    let batches = sink.batches.lock().expect("not poisoned");
    assert!(!batches.is_empty());
    assert!(batches.iter().all(|batch| batch.request.is_none()));
    cancel.cancel();
}

#[tokio::test]
async fn a_request_that_does_not_decode_is_refused_and_nothing_is_kept_of_it() {
    let sink = Arc::new(Recording { keep: true, batches: Mutex::new(Vec::new()) });
    let cancel = CancellationToken::new();
    let (_grpc, http) = receivers(sink.clone(), &cancel).await;
    for (content_type, body) in [
        ("application/x-protobuf", &b"\xff\xff\xff not protobuf"[..]),
        ("application/json", &b"{\"resourceLogs\": 7}"[..]),
    ] {
        let answer = tokio::task::spawn_blocking(move || {
            ccmeter_tests::http_post(http, "/v1/logs", &[("Content-Type", content_type)], body, false)
        })
        .await
        .expect("posted");
        assert_eq!(answer.status, 400, "{content_type}");
    }
    assert!(sink.batches.lock().expect("not poisoned").is_empty());
    cancel.cancel();
}
