//! Property tests of the decoders: random bytes and mutated captures of real Claude Code telemetry, as
//! protobuf and as OTLP/JSON, never panic and never hang. (The HTTP layer's properties run against the real
//! binary: tests/tests/it/hostile_http.rs.)

use std::time::{Duration, Instant};

use ccmeter_proto::decode::{decode_logs, decode_metrics, decode_traces};
use ccmeter_proto::json;
use ccmeter_proto::opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use ccmeter_proto::opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use ccmeter_proto::opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use ccmeter_tests::{requests, scenarios};
use proptest::prelude::*;
use prost::Message;

/// Every captured body, plain (gunzipped), with its signal and whether it is JSON.
fn captured() -> Vec<(String, bool, Vec<u8>)> {
    scenarios()
        .iter()
        .flat_map(|s| requests(s))
        .map(|r| (r.signal.clone(), r.encoding == "otlp-json", r.plain_body()))
        .collect()
}

/// Decodes a body the way a receiver does, returning how many records and rejections came out (`None`:
/// refused as a whole).
fn decode(signal: &str, is_json: bool, body: &[u8]) -> Option<(usize, usize)> {
    let batch = match (signal, is_json) {
        ("logs", false) => decode_logs(&ExportLogsServiceRequest::decode(body).ok()?, 0),
        ("metrics", false) => decode_metrics(&ExportMetricsServiceRequest::decode(body).ok()?),
        ("traces", false) => decode_traces(&ExportTraceServiceRequest::decode(body).ok()?),
        ("logs", true) => decode_logs(&json::logs_request(body).ok()?, 0),
        ("metrics", true) => decode_metrics(&json::metrics_request(body).ok()?),
        _ => decode_traces(&json::traces_request(body).ok()?),
    };
    Some((batch.events.len() + batch.points.len() + batch.spans.len(), batch.rejected.len()))
}

/// Each decode of a few kilobytes must be quick: a pathological input must not stall the receiver.
fn timed(signal: &str, is_json: bool, body: &[u8]) -> Option<(usize, usize)> {
    let start = Instant::now();
    let result = decode(signal, is_json, body);
    assert!(start.elapsed() < Duration::from_secs(2), "decoding {} bytes took {:?}", body.len(), start.elapsed());
    result
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip { at: usize, bit: u8 },
    Truncate { at: usize },
    Insert { at: usize, bytes: Vec<u8> },
    Remove { at: usize, len: usize },
    Duplicate { at: usize, len: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0u8..8).prop_map(|(at, bit)| Mutation::Flip { at, bit }),
        any::<usize>().prop_map(|at| Mutation::Truncate { at }),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        (any::<usize>(), 1usize..64).prop_map(|(at, len)| Mutation::Remove { at, len }),
        (any::<usize>(), 1usize..256).prop_map(|(at, len)| Mutation::Duplicate { at, len }),
    ]
}

fn mutate(body: &mut Vec<u8>, mutation: &Mutation) {
    if body.is_empty() {
        return;
    }
    let len = body.len();
    match mutation {
        Mutation::Flip { at, bit } => body[at % len] ^= 1 << bit,
        Mutation::Truncate { at } => body.truncate(at % len),
        Mutation::Insert { at, bytes } => {
            let at = at % len;
            body.splice(at..at, bytes.iter().copied());
        }
        Mutation::Remove { at, len: n } => {
            let at = at % len;
            body.drain(at..(at + n).min(len));
        }
        Mutation::Duplicate { at, len: n } => {
            let at = at % len;
            let copy: Vec<u8> = body[at..(at + n).min(len)].to_vec();
            body.splice(at..at, copy);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic_as_protobuf_or_json(body in prop::collection::vec(any::<u8>(), 0..4096)) {
        for signal in ["logs", "metrics", "traces"] {
            for is_json in [false, true] {
                timed(signal, is_json, &body);
            }
        }
    }

    #[test]
    fn mutated_captures_never_panic_or_hang(
        pick in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let bodies = captured();
        let (signal, is_json, body) = pick.get(&bodies);
        let mut mutated = body.clone();
        for m in &mutations {
            mutate(&mut mutated, m);
        }
        timed(signal, *is_json, &mutated);
        // The same body under the other encoding and the other signals: a decoder meets whatever is sent.
        for other in ["logs", "metrics", "traces"] {
            timed(other, !is_json, &mutated);
        }
    }

    #[test]
    fn json_with_hostile_values_in_place_of_any_value_never_panics(
        pick in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
        replacement in prop_oneof![
            Just("NaN".to_owned()), Just("-1e309".to_owned()), Just("1e999".to_owned()), Just("null".to_owned()),
            Just("\"\\ud800\"".to_owned()), Just("18446744073709551616".to_owned()), Just("[[[[[[[[[[]]]]]]]]]]".to_owned()),
            Just("{\"stringValue\":{}}".to_owned()), Just("\"\u{0}\"".to_owned()), Just("-0".to_owned()),
            Just("{\"intValue\":\"99999999999999999999\"}".to_owned()), Just("{\"doubleValue\":\"Infinity\"}".to_owned()),
        ],
    ) {
        let bodies: Vec<(String, Vec<u8>)> =
            captured().into_iter().filter(|(_, is_json, _)| *is_json).map(|(s, _, b)| (s, b)).collect();
        let (signal, body) = pick.get(&bodies);
        let text = String::from_utf8_lossy(body);
        // Replace one JSON value (whatever follows a `":`) with a hostile one.
        let colons: Vec<usize> = text.match_indices("\":").map(|(i, _)| i + 2).collect();
        prop_assume!(!colons.is_empty());
        let start = *at.get(&colons);
        let rest = &text[start..];
        let end = start + rest.find([',', '}', ']']).unwrap_or(rest.len());
        let hostile = format!("{}{}{}", &text[..start], replacement, &text[end..]);
        timed(signal, true, hostile.as_bytes());
    }
}

#[test]
fn deeply_nested_json_is_refused_without_overflowing_the_stack() {
    for depth in [1_000, 100_000] {
        let body = format!(
            "{{\"resourceLogs\":[{{\"scopeLogs\":[{{\"logRecords\":[{{\"body\":{}1{}}}]}}]}}]}}",
            "{\"arrayValue\":{\"values\":[".repeat(depth),
            "]}}".repeat(depth)
        );
        let result = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || decode("logs", true, body.as_bytes()).is_some())
            .expect("spawn")
            .join();
        assert!(result.is_ok(), "depth {depth}: the decoder overflowed a small stack");
    }
}
