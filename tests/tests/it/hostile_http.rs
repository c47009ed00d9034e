//! Property test of the HTTP receiver as exporters meet it: random and mutated OTLP bodies, with random
//! content types, encodings and paths, POSTed over a real socket to `ccmeter serve`. Every answer is one an
//! exporter understands (200, 400, 404, 413, 415), never a server error or a hang; the server stays up and
//! the database sound.

use std::io::Write;

use ccmeter_tests::{Server, http_post, requests, scenarios};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

#[derive(Debug, Clone)]
struct Post {
    path: &'static str,
    content_type: &'static str,
    encoding: &'static str,
    gzip: bool,
    chunked: bool,
    body: Vec<u8>,
}

fn captured() -> Vec<Vec<u8>> {
    scenarios().iter().flat_map(|s| requests(s)).filter(|r| r.transport == "http").map(|r| r.plain_body()).collect()
}

fn post(bodies: Vec<Vec<u8>>) -> impl Strategy<Value = Post> {
    let body = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..2048),
        (prop::sample::select(bodies), any::<prop::sample::Index>(), any::<u8>(), any::<bool>()).prop_map(
            |(mut body, at, byte, truncate)| {
                if !body.is_empty() {
                    let at = at.index(body.len());
                    if truncate { body.truncate(at) } else { body[at] ^= byte }
                }
                body
            }
        ),
    ];
    (
        prop::sample::select(vec!["/v1/logs", "/v1/metrics", "/v1/traces", "/v1/unknown", "/"]),
        prop::sample::select(vec![
            "application/x-protobuf",
            "application/json",
            "application/json; charset=utf-8",
            "text/plain",
            "",
            "application/x-protobuf; boundary=\u{1}",
        ]),
        prop::sample::select(vec!["", "identity", "gzip", "br", "gzip, gzip"]),
        any::<bool>(),
        any::<bool>(),
        body,
    )
        .prop_map(|(path, content_type, encoding, gzip, chunked, body)| Post {
            path,
            content_type,
            encoding,
            gzip,
            chunked,
            body,
        })
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(data).expect("gzip");
    encoder.finish().expect("gzip")
}

#[test]
fn random_and_mutated_posts_get_an_answer_exporters_understand_and_the_server_stays_up() {
    let server = Server::start();
    let mut runner = TestRunner::new(Config { cases: 300, failure_persistence: None, ..Config::default() });
    runner
        .run(&post(captured()), |case| {
            let body = if case.gzip { gzip(&case.body) } else { case.body.clone() };
            let mut headers = Vec::new();
            if !case.content_type.is_empty() {
                headers.push(("Content-Type", case.content_type));
            }
            if !case.encoding.is_empty() {
                headers.push(("Content-Encoding", case.encoding));
            }
            let answer = http_post(server.http, case.path, &headers, &body, case.chunked);
            prop_assert!(
                [200, 400, 404, 405, 413, 415].contains(&answer.status),
                "{} for {case:?}: {:?}",
                answer.status,
                String::from_utf8_lossy(&answer.body)
            );
            Ok(())
        })
        .expect("every post answered sensibly");
    // Still up, still answering, and the database sound.
    let report = server.report(&[]);
    assert!(report["total"].is_object());
    let conn = rusqlite::Connection::open(&server.db).expect("open");
    let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).expect("check");
    assert_eq!(integrity, "ok");
}
