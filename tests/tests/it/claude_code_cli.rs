//! The real Claude Code CLI end to end: a pinned release from npm runs `claude -p` against a local stand-in for
//! the Anthropic API, with ccmeter itself as its OTLP receiver, over each protocol. ccmeter's tokens must be
//! the usage the stand-in served and its cost that usage at the model's list price, to the nano-dollar.
//!
//! CI installs the CLI (and keeps it in `~/.cache/ccmeter` for the next run); elsewhere the test is skipped,
//! saying why, when npm or the registry is not there.

use std::time::{Duration, Instant};

use ccmeter_tests::stand_in_api::{StandInApi, Usage};
use ccmeter_tests::{Server, claude_code};

/// List prices in nano-dollars per token (input, output, cache read, cache write), as Claude Code prices the
/// models it defaults to (the same table the captures under `tests/fixtures/` were checked against).
fn list_price(model: &str) -> Option<[i64; 4]> {
    Some(match model {
        "claude-opus-5-5" => [4_000, 20_000, 200, 5_000],
        "claude-sonnet-5-5" => [2_000, 10_000, 100, 2_500],
        "claude-opus-4-8" | "claude-opus-4-5" => [5_000, 25_000, 500, 6_250],
        "claude-sonnet-5" | "claude-sonnet-4-5" => [3_000, 15_000, 300, 3_750],
        "claude-haiku-4-5" | "claude-haiku-4-5-20251001" => [1_000, 5_000, 100, 1_250],
        _ => return None,
    })
}

fn cost_nanos(model: &str, usage: Usage) -> i64 {
    let [input, output, cache_read, cache_write] =
        list_price(model).unwrap_or_else(|| panic!("no list price for {model}: add it to the table"));
    usage.input * input + usage.output * output + usage.cache_read * cache_read + usage.cache_creation * cache_write
}

fn claude_or_skip() -> Option<std::path::PathBuf> {
    match claude_code::installed() {
        Ok(claude) => Some(claude),
        Err(why) if std::env::var_os("CI").is_some() => panic!("CI runs the real Claude Code: {why}"),
        Err(why) => {
            eprintln!("skipped: the real Claude Code CLI is not available here ({why})");
            None
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_claude_code_cli_exports_exactly_what_the_api_served_over_every_protocol() {
    let Some(claude) = claude_or_skip() else { return };
    for protocol in ["grpc", "http/protobuf", "http/json"] {
        let api = StandInApi::start().await;
        let server = Server::start();
        let endpoint = if protocol == "grpc" { server.grpc_url() } else { format!("http://{}", server.http) };
        let dir = tempfile::tempdir().expect("temp dir");
        let (home, work) = claude_code::prepare_home(dir.path());
        let mut command = claude_code::print_command(&claude, &home, &work, &api.base_url(), protocol, &endpoint);
        let output = tokio::task::spawn_blocking(move || command.output()).await.expect("join").expect("run claude");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{protocol}: claude -p failed: {stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(stdout.contains("Hello from the stand-in API."), "{protocol}: the answer was the stand-in's: {stdout}");

        let served = api.served();
        assert!(!served.is_empty(), "{protocol}: Claude Code asked the stand-in API");
        let want = served.iter().fold(Usage::default(), |sum, s| Usage {
            input: sum.input + s.usage.input,
            output: sum.output + s.usage.output,
            cache_read: sum.cache_read + s.usage.cache_read,
            cache_creation: sum.cache_creation + s.usage.cache_creation,
        });
        let want_cost: i64 = served.iter().map(|s| cost_nanos(&s.model, s.usage)).sum();

        // Claude Code exports its last batch as it exits; the report follows within moments.
        let start = Instant::now();
        let report = loop {
            let report = server.report(&[]);
            if report["total"]["api_requests"].as_u64() == Some(served.len() as u64) {
                break report;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "{protocol}: {} requests served, report: {report}",
                served.len()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        let total = &report["total"];
        let tokens = &total["tokens"];
        assert_eq!(
            (
                tokens["input"].as_i64(),
                tokens["output"].as_i64(),
                tokens["cacheRead"].as_i64(),
                tokens["cacheCreation"].as_i64()
            ),
            (Some(want.input), Some(want.output), Some(want.cache_read), Some(want.cache_creation)),
            "{protocol}: tokens as served"
        );
        assert_eq!(
            ccmeter_tests::nanos(total["cost_usd"].as_f64().expect("cost")),
            want_cost,
            "{protocol}: list price"
        );
        assert_eq!(total["sessions"], 1, "{protocol}");
        assert_eq!(total["events_by_name"]["api_request"].as_u64(), Some(served.len() as u64), "{protocol}");
        let app_version = report["sessions"][0]["app_version"].as_str().unwrap_or_default().to_owned();
        assert_eq!(app_version, claude_code::VERSION, "{protocol}: the session says which Claude Code");
        println!(
            "{protocol}: Claude Code {app_version}, {} API requests ({}), ccmeter ${} = list price, tokens {tokens}",
            served.len(),
            served.iter().map(|s| s.model.as_str()).collect::<Vec<_>>().join(", "),
            total["cost_usd"]
        );
        server.stop();
    }
}
