//! Claude Code's captured telemetry, sent over real sockets to a running `ccmeter serve` with the
//! protocol it was captured with, must add up to Claude Code's own totals in `ccmeter report`.

use ccmeter_proto::opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use ccmeter_proto::opentelemetry_proto::tonic::collector::logs::v1::logs_service_client::LogsServiceClient;
use ccmeter_proto::opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use ccmeter_proto::opentelemetry_proto::tonic::collector::metrics::v1::metrics_service_client::MetricsServiceClient;
use ccmeter_tests::{Server, expected, expected_totals, report_totals, requests, scenarios, send_fixture};
use prost::Message;
use tonic::codec::CompressionEncoding;

fn expected_spans(scenario: &str) -> i64 {
    let e = expected(scenario);
    e["sessions"]
        .as_object()
        .expect("sessions")
        .values()
        .filter_map(|s| s["traces"]["counts"].as_object())
        .flat_map(|counts| counts.values())
        .map(|n| n.as_i64().unwrap_or(0))
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fixture_replayed_over_its_protocol_reports_claude_codes_totals() {
    for scenario in scenarios() {
        let server = Server::start();
        for request in requests(&scenario) {
            send_fixture(&server, &request).await;
        }
        let report = server.report(&[]);
        assert_eq!(report_totals(&report), expected_totals(&scenario), "{scenario}");
        assert_eq!(
            report["total"]["spans"],
            expected_spans(&scenario),
            "{scenario}: beta spans are accepted and counted"
        );
        let t = &report["total"];
        println!(
            "{scenario}: cost ${} · tokens {} · lines +{}/-{} · commits {} · PRs {} · sessions {} · events {}",
            t["cost_usd"],
            t["tokens"],
            t["lines_added"],
            t["lines_removed"],
            t["commits"],
            t["pull_requests"],
            t["sessions"],
            t["events_by_name"]
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exporter_retrying_every_request_changes_no_total() {
    for scenario in scenarios() {
        let scenario = scenario.as_str();
        let server = Server::start();
        let requests = requests(scenario);
        for request in &requests {
            send_fixture(&server, request).await;
        }
        let once = server.report(&[]);
        for request in &requests {
            send_fixture(&server, request).await;
        }
        let twice = server.report(&[]);
        assert_eq!(once["total"], twice["total"], "{scenario}");
        assert_eq!(once["sessions"], twice["sessions"], "{scenario}");
        assert_eq!(report_totals(&twice), expected_totals(scenario), "{scenario}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_json_has_sessions_models_and_grouped_rows() {
    let server = Server::start();
    for request in requests("claude-code-2.1.197/grpc/success") {
        send_fixture(&server, &request).await;
    }
    let report = server.report(&["--by", "model"]);
    let session = &report["sessions"][0];
    assert_eq!(session["id"], "5b901130-a759-486a-a3cd-102d9d462d0f");
    assert_eq!(session["cost_usd"], 0.21092);
    assert_eq!(session["tokens"]["cacheRead"], 124960);
    assert!(session["started_at"].as_str().is_some_and(|t| t.starts_with("2026-11-24T") && t.ends_with('Z')));
    let models: Vec<&str> = report["models"].as_array().unwrap().iter().map(|m| m["model"].as_str().unwrap()).collect();
    assert_eq!(models, ["claude-opus-4-8", "claude-haiku-4-5-20251001"]);
    assert_eq!(report["rows"].as_array().unwrap().len(), 2);
    assert_eq!(report["rows"][0]["cost_usd"], 0.21068);
    // Local days: the capture was made on 2026-11-24 (Berlin time in these tests).
    let by_day = server.report(&["--by", "day", "--since", "2026-11-24", "--until", "2026-11-25"]);
    assert_eq!(by_day["rows"][0]["key"], "2026-11-24");
    assert_eq!(by_day["total"]["cost_usd"], 0.21092);
    let later = server.report(&["--since", "2026-11-25"]);
    assert_eq!(later["total"]["cost_usd"], 0.0);
    assert_eq!(later["sessions"].as_array().unwrap().len(), 0);
}

/// `--json` is indented for a person at a terminal and one line for a program; both are the same JSON.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_json_is_indented_at_a_terminal_and_one_line_in_a_pipe() {
    let server = Server::start();
    for request in requests("claude-code-2.1.197/grpc/success") {
        send_fixture(&server, &request).await;
    }
    let piped = server.report(&["--by", "model"]);
    let bin = ccmeter_tests::ccmeter_bin();
    let command = format!("{} report --json --by model --db {}", bin.display(), server.db.display());
    let run = |terminal: bool| -> String {
        // util-linux's `script` runs the command on a pseudo-terminal of its own (Debian's bsdutils, always there).
        let output = if terminal {
            std::process::Command::new("script")
                .args(["-qec", &command, "/dev/null"])
                .env("CCMETER_TZ", "Europe/Berlin")
                .output()
        } else {
            std::process::Command::new("sh").args(["-c", &command]).env("CCMETER_TZ", "Europe/Berlin").output()
        }
        .expect("run ccmeter report");
        assert!(output.status.success(), "terminal {terminal}: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).expect("UTF-8")
    };
    let one_line = run(false);
    assert_eq!(one_line.lines().count(), 1, "{one_line}");
    let indented = run(true);
    assert!(indented.lines().count() > 20, "{indented}");
    assert!(indented.contains("\n  \"total\": {"), "{indented}");
    let parsed: serde_json::Value = serde_json::from_str(&indented.replace("\r\n", "\n")).expect("JSON");
    let strip = |mut report: serde_json::Value| {
        report.as_object_mut().expect("an object").remove("generated_at");
        report
    };
    let parsed_line: serde_json::Value = serde_json::from_str(&one_line).expect("JSON");
    assert_eq!(strip(parsed), strip(parsed_line.clone()));
    assert_eq!(strip(piped), strip(parsed_line));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_whose_reader_has_gone_ends_quietly() {
    let server = Server::start();
    for request in requests("claude-code-2.1.197/grpc/success") {
        send_fixture(&server, &request).await;
    }
    // `ccmeter report --json | true`: the reader is gone before the report is written (the report takes a few
    // ms to build; the pipe's read end is closed at once).
    for format in [&["--json"][..], &[]] {
        let mut child = std::process::Command::new(ccmeter_tests::ccmeter_bin())
            .arg("report")
            .args(format)
            .arg("--db")
            .arg(&server.db)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run ccmeter report");
        drop(child.stdout.take());
        let output = child.wait_with_output().expect("ccmeter report ends");
        assert!(output.status.success(), "{format:?}: {:?}", output.status);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{format:?}: {stderr}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grpc_exports_compressed_with_gzip_are_accepted() {
    let server = Server::start();
    let mut logs = LogsServiceClient::connect(server.grpc_url())
        .await
        .expect("connect")
        .send_compressed(CompressionEncoding::Gzip);
    let mut metrics = MetricsServiceClient::connect(server.grpc_url())
        .await
        .expect("connect")
        .send_compressed(CompressionEncoding::Gzip);
    for request in requests("claude-code-2.1.197/grpc/success") {
        let body = request.plain_body();
        if request.signal == "logs" {
            logs.export(ExportLogsServiceRequest::decode(body.as_slice()).expect("decode")).await.expect("accepted");
        } else {
            metrics
                .export(ExportMetricsServiceRequest::decode(body.as_slice()).expect("decode"))
                .await
                .expect("accepted");
        }
    }
    assert_eq!(report_totals(&server.report(&[])), expected_totals("claude-code-2.1.197/grpc/success"));
}
