//! Test kit shared by the end-to-end tests and the store's tests: the captured Claude Code fixtures
//! (`../shared/fixtures`, or `$CCMETER_FIXTURES`) and what they should add up to.

use std::io::Read;
use std::path::{Path, PathBuf};

use ccmeter_proto::opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use ccmeter_proto::opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use ccmeter_proto::opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use ccmeter_proto::{Batch, decode, json};
use prost::Message;
use serde::Deserialize;
use serde_json::Value;

pub fn fixtures_dir() -> PathBuf {
    std::env::var_os("CCMETER_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures"))
}

/// Every captured scenario, as `protocol/scenario`.
pub fn scenarios() -> Vec<String> {
    let mut found = Vec::new();
    for protocol in ["grpc", "http-protobuf", "http-json"] {
        let Ok(entries) = std::fs::read_dir(fixtures_dir().join(protocol)) else { continue };
        for entry in entries.flatten() {
            if entry.path().join("manifest.json").exists() {
                found.push(format!("{protocol}/{}", entry.file_name().to_string_lossy()));
            }
        }
    }
    found.sort();
    assert!(!found.is_empty(), "no fixtures under {}", fixtures_dir().display());
    found
}

/// One request exactly as Claude Code sent it.
#[derive(Debug, Clone, Deserialize)]
pub struct Request {
    pub path: String,
    pub signal: String,
    pub transport: String,
    pub request_path: String,
    pub content_type: String,
    pub content_encoding: String,
    pub encoding: String,
    #[serde(skip)]
    pub body: Vec<u8>,
}

impl Request {
    /// The body with any gzip undone.
    pub fn plain_body(&self) -> Vec<u8> {
        if self.content_encoding == "gzip" {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(self.body.as_slice()).read_to_end(&mut out).expect("fixture gunzips");
            out
        } else {
            self.body.clone()
        }
    }

    /// Decodes the request in-process, the way the receiver does.
    pub fn decode(&self) -> Batch {
        let body = self.plain_body();
        let json = self.encoding == "otlp-json";
        match self.signal.as_str() {
            "logs" => {
                let request = if json {
                    json::logs_request(&body).expect("fixture JSON decodes")
                } else {
                    ExportLogsServiceRequest::decode(body.as_slice()).expect("fixture protobuf decodes")
                };
                decode::decode_logs(&request, 0)
            }
            "metrics" => {
                let request = if json {
                    json::metrics_request(&body).expect("fixture JSON decodes")
                } else {
                    ExportMetricsServiceRequest::decode(body.as_slice()).expect("fixture protobuf decodes")
                };
                decode::decode_metrics(&request)
            }
            "traces" => {
                let request = if json {
                    json::traces_request(&body).expect("fixture JSON decodes")
                } else {
                    ExportTraceServiceRequest::decode(body.as_slice()).expect("fixture protobuf decodes")
                };
                decode::decode_traces(&request)
            }
            other => panic!("unknown signal {other}"),
        }
    }
}

#[derive(Deserialize)]
struct Manifest {
    files: Vec<Request>,
}

/// A scenario's requests in the order they were sent (order matters for cumulative metrics).
pub fn requests(scenario: &str) -> Vec<Request> {
    let dir = fixtures_dir().join(scenario);
    let text = std::fs::read_to_string(dir.join("manifest.json")).expect("manifest.json readable");
    let manifest: Manifest = serde_json::from_str(&text).expect("manifest.json parses");
    manifest
        .files
        .into_iter()
        .map(|mut request| {
            request.body = std::fs::read(dir.join(&request.path)).expect("raw fixture readable");
            request
        })
        .collect()
}

pub fn expected(scenario: &str) -> Value {
    let text = std::fs::read_to_string(fixtures_dir().join(scenario).join("expected.json")).expect("expected.json");
    serde_json::from_str(&text).expect("expected.json parses")
}

/// Dollars → nano-dollars, the unit ccmeter sums in.
pub fn nanos(usd: f64) -> i64 {
    (usd * 1e9).round() as i64
}

/// The totals a scenario must add up to.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpectedTotals {
    pub cost_nanos: i64,
    pub input: i64,
    pub output: i64,
    pub cache_read: i64,
    pub cache_creation: i64,
    pub lines_added: i64,
    pub lines_removed: i64,
    pub sessions: i64,
    pub commits: i64,
    pub pull_requests: i64,
    pub active_cli_us: i64,
    pub active_user_us: i64,
    pub event_counts: std::collections::BTreeMap<String, i64>,
}

pub fn expected_totals(scenario: &str) -> ExpectedTotals {
    let e = expected(scenario);
    let t = &e["totals_all_sessions"];
    let int = |v: &Value| v.as_i64().unwrap_or_else(|| v.as_f64().unwrap_or(0.0) as i64);
    let mut commits = 0;
    let mut pull_requests = 0;
    let mut active_cli_us = 0;
    let mut active_user_us = 0;
    for session in e["sessions"].as_object().expect("sessions").values() {
        let m = &session["metrics"];
        commits += int(&m["commits"]);
        pull_requests += int(&m["pull_requests"]);
        active_cli_us += (m["active_time_s"]["cli"].as_f64().unwrap_or(0.0) * 1e6).round() as i64;
        active_user_us += (m["active_time_s"]["user"].as_f64().unwrap_or(0.0) * 1e6).round() as i64;
    }
    ExpectedTotals {
        cost_nanos: nanos(t["cost_usd"].as_f64().expect("cost_usd")),
        input: int(&t["tokens"]["input"]),
        output: int(&t["tokens"]["output"]),
        cache_read: int(&t["tokens"]["cacheRead"]),
        cache_creation: int(&t["tokens"]["cacheCreation"]),
        lines_added: int(&t["lines_of_code"]["added"]),
        lines_removed: int(&t["lines_of_code"]["removed"]),
        sessions: int(&e["session_count"]),
        commits,
        pull_requests,
        active_cli_us,
        active_user_us,
        event_counts: t["event_counts"].as_object().expect("event_counts").iter().map(|(k, v)| (k.clone(), int(v))).collect(),
    }
}
