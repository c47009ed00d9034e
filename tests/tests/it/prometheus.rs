//! `ccmeter serve --metrics`, scraped by a real Prometheus (Debian's `/usr/bin/prometheus`, run here on loopback
//! with a temporary configuration and data folder): its sums over the cost and token series equal
//! `ccmeter report --json`, and a restart of ccmeter shows Prometheus no counter reset.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ccmeter_tests::{Server, nanos, report_totals, requests, send_fixture};
use serde_json::Value;

const PROMETHEUS: &str = "/usr/bin/prometheus";
const CAPTURES: [&str; 2] = ["claude-code-2.1.332/grpc/success", "claude-code-2.1.332/http-protobuf/subagent"];

/// A Prometheus scraping `target` every second, stopped on drop.
struct Prometheus {
    child: Child,
    api: String,
}

impl Prometheus {
    fn start(dir: &Path, target: std::net::SocketAddr) -> Prometheus {
        assert!(
            Path::new(PROMETHEUS).exists(),
            "{PROMETHEUS} is missing: apt-get install --no-install-recommends prometheus (scripts/setup.sh --test does)"
        );
        let port = free_port();
        let config = dir.join("prometheus.yml");
        std::fs::write(
            &config,
            format!(
                "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: ccmeter\n    \
                 scrape_interval: 1s\n    scrape_timeout: 1s\n    static_configs:\n      - targets: ['{target}']\n"
            ),
        )
        .expect("config");
        let child = Command::new(PROMETHEUS)
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.tsdb.path={}", dir.join("data").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start prometheus");
        Prometheus { child, api: format!("http://127.0.0.1:{port}") }
    }

    /// The value of an instant query's single sample, `None` while it has none.
    async fn scalar(&self, query: &str) -> Option<String> {
        let url = format!("{}/api/v1/query", self.api);
        let answer = reqwest::Client::new().get(&url).query(&[("query", query)]).send().await.ok()?;
        let body: Value = serde_json::from_str(&answer.text().await.ok()?).ok()?;
        let result = body["data"]["result"].as_array()?;
        (result.len() == 1).then(|| result[0]["value"][1].as_str().map(str::to_owned)).flatten()
    }

    /// Waits until `query` answers `want`, or says what it answered last.
    async fn expect(&self, query: &str, want: &str) {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut last = None;
        while Instant::now() < deadline {
            last = self.scalar(query).await;
            if last.as_deref() == Some(want) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        panic!("{query}: Prometheus answered {last:?}, expected {want}");
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

#[tokio::test]
async fn prometheus_scraping_ccmeter_sums_to_the_report_and_sees_no_reset_across_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("ccmeter.db");
    let start = |metrics: &str| {
        Server::start_with(&db, &["--grpc", "127.0.0.1:0", "--http", "127.0.0.1:0", "--metrics", metrics])
            .expect("ccmeter serve starts")
    };
    let server = start("127.0.0.1:0");
    let metrics = server.metrics.expect("the listening line names the Prometheus endpoint");
    for capture in CAPTURES {
        for request in requests(capture) {
            send_fixture(&server, &request).await;
        }
    }
    let report = report_totals(&server.report(&[]));
    assert!(report.cost_nanos > 0 && report.output > 0, "{report:?}");

    // The exposition itself: the text format, Prometheus's names for Claude Code's metrics, exact dollars.
    let answer = reqwest::get(format!("http://{metrics}/metrics")).await.expect("scrape");
    assert_eq!(
        answer.headers().get("content-type").and_then(|v| v.to_str().ok()),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    let text = answer.text().await.expect("text");
    assert!(text.contains("# TYPE claude_code_cost_usage_USD_total counter"), "{text}");
    for personal in ["user.email", "user.account_uuid", "session.id", "@"] {
        assert!(!text.contains(personal), "{personal} in the exposition:\n{text}");
    }
    let cost_lines: Vec<&str> = text.lines().filter(|l| l.starts_with("claude_code_cost_usage_USD_total{")).collect();
    assert!(cost_lines.iter().all(|l| l.contains("model=\"") && l.contains("machine=\"")), "{cost_lines:?}");

    let prometheus = Prometheus::start(dir.path(), metrics);
    let usd = |nanos: i64| format!("{}", nanos as f64 / 1e9);
    prometheus.expect("sum(claude_code_cost_usage_USD_total)", &usd(report.cost_nanos)).await;
    for (kind, want) in [
        ("input", report.input),
        ("output", report.output),
        ("cacheRead", report.cache_read),
        ("cacheCreation", report.cache_creation),
    ] {
        prometheus
            .expect(&format!("sum(claude_code_token_usage_tokens_total{{type=\"{kind}\"}})"), &want.to_string())
            .await;
    }
    prometheus.expect("sum(claude_code_session_count_total)", &report.sessions.to_string()).await;
    prometheus.expect("sum(claude_code_commit_count_total)", &report.commits.to_string()).await;
    let scraped = prometheus.scalar("sum(claude_code_cost_usage_USD_total)").await.expect("a value");
    assert_eq!(nanos(scraped.parse().expect("a number")), report.cost_nanos, "full precision");

    // ccmeter restarts on the same port, as Claude Code itself would restart: the counters go on from the store.
    assert!(server.stop().success());
    let restarted = start(&metrics.to_string());
    assert_eq!(restarted.metrics, Some(metrics));
    let up_after = Instant::now();
    prometheus.expect("up{job=\"ccmeter\"}", "1").await;
    // A few scrapes of the restarted ccmeter, then no reset in any series over the whole run.
    tokio::time::sleep(Duration::from_secs(3).saturating_sub(up_after.elapsed())).await;
    prometheus.expect("sum(claude_code_cost_usage_USD_total)", &usd(report.cost_nanos)).await;
    prometheus.expect("sum(resets(claude_code_cost_usage_USD_total[5m]))", "0").await;
    prometheus.expect("sum(resets(claude_code_token_usage_tokens_total[5m]))", "0").await;
    drop(restarted);
}

#[test]
fn a_prometheus_endpoint_beyond_loopback_needs_the_token_and_an_unusable_address_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("ccmeter.db");
    let error = Server::start_with(&db, &["--grpc", "127.0.0.1:0", "--http", "127.0.0.1:0", "--metrics", "0.0.0.0:0"])
        .err()
        .expect("refused");
    assert!(error.contains("refusing to listen for the Prometheus endpoint on 0.0.0.0:0 without a token"), "{error}");
    let output = Command::new(ccmeter_tests::ccmeter_bin())
        .args(["serve", "--metrics", "localhost", "--db"])
        .arg(&db)
        .output()
        .expect("run");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--metrics"), "{output:?}");
}

#[tokio::test]
async fn with_a_token_a_scrape_must_carry_it() {
    const TOKEN: &str = "ccm-test-scrape-5b21e07c9d";
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("ccmeter.db");
    let args = ["--grpc", "127.0.0.1:0", "--http", "127.0.0.1:0", "--metrics", "127.0.0.1:0", "--token", TOKEN];
    let server = Server::start_with(&db, &args).expect("ccmeter serve starts");
    let url = format!("http://{}/metrics", server.metrics.expect("metrics"));
    let client = reqwest::Client::new();
    let status = |request: reqwest::RequestBuilder| async move { request.send().await.expect("answered").status() };
    assert_eq!(status(client.get(&url)).await, 401);
    assert_eq!(status(client.get(&url).bearer_auth("ccm-test-not-the-token")).await, 401);
    let answer = client.get(&url).bearer_auth(TOKEN).send().await.expect("answered");
    assert_eq!(answer.status(), 200);
    let text = answer.text().await.expect("text");
    // Nothing received yet: every counter at 0, none missing.
    assert!(text.contains("claude_code_session_count_total{machine=\""), "{text}");
    assert!(text.contains("} 0\n"), "{text}");
}
