//! Soak: `ccmeter serve` under a realistic stream of Claude Code api_request records (a steady rate plus a
//! burst every minute) for a bounded time, sampling its memory and the database's size. After the warm-up
//! the memory must stay flat, the database must grow only with the records stored (bytes per record
//! steady), and nothing may be logged at warning level or above. Loopback only.
//!
//! ```text
//! cargo build --release -p ccmeter
//! cargo bench -p ccmeter-tests --bench soak          # CCMETER_SOAK_SECS=600 by default
//! ```

use std::io::Read;
use std::time::{Duration, Instant};

use ccmeter_proto::opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use ccmeter_proto::opentelemetry_proto::tonic::collector::logs::v1::logs_service_client::LogsServiceClient;
use ccmeter_tests::{api_request_template, with_request_ids};

/// Records per second between bursts: a busy user runs several sessions' worth of requests and tool calls.
const STEADY_PER_SECOND: usize = 20;
/// Every minute, a burst: an exporter flushing after a network hiccup.
const BURST: usize = 5_000;
const SAMPLE_EVERY: Duration = Duration::from_secs(15);

/// `size` records with fresh request ids, stamped now (so they land in today's rollup buckets).
fn batch(template: &ExportLogsServiceRequest, next_id: &mut u64, size: usize) -> ExportLogsServiceRequest {
    let first = *next_id;
    *next_id += size as u64;
    let mut message = with_request_ids(template, (first..*next_id).map(|id| format!("soak-{id}")));
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_nanos() as u64;
    for record in &mut message.resource_logs[0].scope_logs[0].log_records {
        record.time_unix_nano = now;
        // Without its own timestamp attribute the record is placed at its time: now.
        record.attributes.retain(|kv| kv.key != "event.timestamp");
    }
    message
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

fn db_bytes(db: &std::path::Path) -> u64 {
    ["", "-wal", "-shm"]
        .iter()
        .filter_map(|suffix| std::fs::metadata(format!("{}{suffix}", db.display())).ok())
        .map(|m| m.len())
        .sum()
}

fn main() {
    let seconds: u64 = std::env::var("CCMETER_SOAK_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(600);
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("ccmeter.db");
    let mut child = std::process::Command::new(ccmeter_tests::ccmeter_bin())
        .args(["serve", "--grpc", "127.0.0.1:0", "--http", "127.0.0.1:0", "--db"])
        .arg(&db)
        .env("CCMETER_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start ccmeter serve");
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.take().expect("stdout")), &mut line)
        .expect("listening line");
    let grpc = line.split_whitespace().find_map(|f| f.strip_prefix("grpc=")).expect("grpc address").to_owned();
    let pid = child.id();

    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let samples = runtime.block_on(async {
        let mut client = LogsServiceClient::connect(format!("http://{grpc}")).await.expect("connect");
        let template = api_request_template();
        let (mut next_id, mut samples) = (0_u64, Vec::new());
        let start = Instant::now();
        let (mut last_sample, mut last_burst) = (start, start);
        while start.elapsed() < Duration::from_secs(seconds) {
            let tick = Instant::now();
            client.export(batch(&template, &mut next_id, STEADY_PER_SECOND)).await.expect("steady export");
            if last_burst.elapsed() >= Duration::from_secs(60) {
                for _ in 0..BURST / 500 {
                    client.export(batch(&template, &mut next_id, 500)).await.expect("burst export");
                }
                last_burst = Instant::now();
            }
            if last_sample.elapsed() >= SAMPLE_EVERY || samples.is_empty() {
                samples.push((start.elapsed(), rss_kib(pid), db_bytes(&db), next_id));
                last_sample = Instant::now();
            }
            tokio::time::sleep(Duration::from_secs(1).saturating_sub(tick.elapsed())).await;
        }
        samples.push((start.elapsed(), rss_kib(pid), db_bytes(&db), next_id));
        samples
    });
    let _ = std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status();
    let status = child.wait().expect("stopped");
    let mut logged = String::new();
    child.stderr.take().expect("stderr").read_to_string(&mut logged).expect("stderr");

    println!("| elapsed s | records sent | RSS MiB | database MiB | bytes per record |");
    println!("|---:|---:|---:|---:|---:|");
    for (elapsed, rss, bytes, records) in &samples {
        println!(
            "| {:.0} | {records} | {:.1} | {:.1} | {:.0} |",
            elapsed.as_secs_f64(),
            *rss as f64 / 1024.0,
            *bytes as f64 / 1_048_576.0,
            *bytes as f64 / (*records).max(1) as f64
        );
    }
    // Flat: the highest RSS of the second half is within 10 % of the highest of the first half after warm-up.
    let half = samples.len() / 2;
    let peak = |part: &[(Duration, u64, u64, u64)]| part.iter().map(|s| s.1).max().unwrap_or(0);
    let (early, late) = (peak(&samples[2.min(half)..half]), peak(&samples[half..]));
    println!(
        "\nRSS peak after warm-up: {:.1} MiB (first half) → {:.1} MiB (second half); exit {status}; warnings or errors logged: {}",
        early as f64 / 1024.0,
        late as f64 / 1024.0,
        if logged.trim().is_empty() { "none".to_owned() } else { logged.lines().count().to_string() }
    );
    if !logged.trim().is_empty() {
        eprintln!("{logged}");
    }
}
