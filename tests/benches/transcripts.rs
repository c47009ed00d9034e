//! The history from before telemetry, against ccusage on the same folder: a synthetic Claude Code projects
//! folder of at least 1 GB built from the real 2.1.332 transcripts (`ccmeter_tests::corpus`: many sessions, long
//! files, file-history snapshots of 16 MB on one line), read by
//!
//! - `ccmeter import-transcripts` into a fresh database (the first import), then again with nothing changed, then
//!   again after 20 transcripts grew by one response each (the incremental re-scans);
//! - `ccusage session --json --offline` (ccusage 20.0.24, the baseline), which reads every file each run.
//!
//! Wall time and peak memory (VmHWM) of each process, and the tokens each found against what the corpus holds.
//!
//! ```text
//! npm install --prefix /tmp/ccusage ccusage@20.0.24 @ccusage/ccusage-linux-x64@20.0.24
//! cargo build --release -p ccmeter --bin ccmeter
//! CCUSAGE_BIN=/tmp/ccusage/node_modules/.bin/ccusage cargo bench -p ccmeter-tests --bench transcripts
//! ```
//!
//! `CCMETER_CORPUS_MB` (default 1100) sizes the corpus; it is built once under the system's temp folder and kept.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ccmeter_tests::corpus::{Corpus, Shape, build};
use serde_json::Value;

/// A process's wall time and peak resident memory.
struct Run {
    seconds: f64,
    peak_mib: f64,
    stdout: String,
}

fn peak_kib(pid: u32) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
}

/// Runs `command` to its end, reading its peak memory (a high-water mark, so the last look before it exits).
fn measure(command: &mut Command) -> Run {
    let started = Instant::now();
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawned");
    let pid = child.id();
    let stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || std::io::read_to_string(stdout).unwrap_or_default());
    let mut peak = 0;
    loop {
        if let Some(kib) = peak_kib(pid) {
            peak = peak.max(kib);
        }
        if child.try_wait().expect("waited").is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let seconds = started.elapsed().as_secs_f64();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut stderr).expect("stderr");
    let status = child.wait().expect("exit");
    assert!(status.success(), "{command:?} failed: {stderr}");
    Run { seconds, peak_mib: peak as f64 / 1024.0, stdout: reader.join().expect("stdout read") }
}

fn corpus(megabytes: u64) -> (PathBuf, Corpus) {
    let shape = Shape {
        target_bytes: megabytes * 1024 * 1024,
        long_every: 10,
        long_repeats: 30,
        snapshot_every: 50,
        snapshot_bytes: 16 * 1024 * 1024,
        folders: 40,
    };
    let root = std::env::temp_dir().join(format!("ccmeter-transcripts-corpus-{megabytes}mb"));
    let manifest = root.join("corpus.json");
    if let Some(built) = std::fs::read_to_string(&manifest).ok().and_then(|t| serde_json::from_str::<Value>(&t).ok())
        && built["shape"] == format!("{shape:?}")
    {
        let n = |key: &str| built[key].as_i64().expect("a count");
        let corpus = Corpus {
            copies: n("copies") as usize,
            sessions: n("sessions") as usize,
            files: n("files") as usize,
            bytes: n("bytes") as u64,
            requests: n("requests"),
            input: n("input"),
            output: n("output"),
            cache_read: n("cache_read"),
            cache_creation: n("cache_creation"),
        };
        return (root, corpus);
    }
    let _ = std::fs::remove_dir_all(&root);
    let started = Instant::now();
    let corpus = build(&root, &shape);
    eprintln!("built the corpus in {:.0} s: {corpus:?}", started.elapsed().as_secs_f64());
    let written = serde_json::json!({
        "shape": format!("{shape:?}"), "copies": corpus.copies, "sessions": corpus.sessions, "files": corpus.files,
        "bytes": corpus.bytes, "requests": corpus.requests, "input": corpus.input, "output": corpus.output,
        "cache_read": corpus.cache_read, "cache_creation": corpus.cache_creation,
    });
    std::fs::write(&manifest, written.to_string()).expect("manifest");
    (root, corpus)
}

/// Appends one finished response to each of `count` session transcripts, as Claude Code does when a session
/// goes on; returns each file grown with its length before, to put the corpus back as it was.
fn grow(projects: &Path, count: usize) -> Vec<(PathBuf, u64)> {
    let mut grown = Vec::new();
    let mut folders: Vec<PathBuf> = std::fs::read_dir(projects).expect("folders").flatten().map(|e| e.path()).collect();
    folders.sort();
    for file in folders
        .iter()
        .flat_map(|f| std::fs::read_dir(f).expect("folder").flatten().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .take(count)
    {
        let session = file.file_stem().expect("name").to_string_lossy().into_owned();
        let length = std::fs::metadata(&file).expect("a transcript").len();
        let n = grown.len();
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let line = format!(
            r#"{{"type":"assistant","sessionId":"{session}","timestamp":"{now}","requestId":"req_grown_{n}","message":{{"id":"msg_grown_{n}","model":"claude-opus-5-5","stop_reason":"end_turn","usage":{{"input_tokens":10,"output_tokens":100,"cache_read_input_tokens":1000,"cache_creation_input_tokens":0}}}}}}"#
        );
        use std::io::Write as _;
        let mut out = std::fs::OpenOptions::new().append(true).open(&file).expect("opened");
        writeln!(out, "{line}").expect("appended");
        grown.push((file, length));
    }
    grown
}

fn main() {
    let megabytes = std::env::var("CCMETER_CORPUS_MB").ok().and_then(|v| v.parse().ok()).unwrap_or(1100);
    let ccusage = std::env::var("CCUSAGE_BIN").unwrap_or_else(|_| "ccusage".into());
    let (root, corpus) = corpus(megabytes);
    let projects = root.join("projects");
    println!(
        "corpus: {:.0} MiB, {} files, {} sessions, {} requests (expected tokens: {} in, {} out, {} cache read, {} \
         cache write)",
        corpus.bytes as f64 / 1048576.0,
        corpus.files,
        corpus.sessions,
        corpus.requests,
        corpus.input,
        corpus.output,
        corpus.cache_read,
        corpus.cache_creation
    );
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("ccmeter.db");
    let ccmeter = ccmeter_tests::ccmeter_bin();
    let import = || {
        let mut command = Command::new(&ccmeter);
        command.args(["import-transcripts", "--dir"]).arg(&projects).arg("--db").arg(&db).env("CCMETER_LOG", "warn");
        command
    };
    // The corpus's files read once before anything is timed, so both tools read from the page cache.
    let _ = Command::new("sh")
        .arg("-c")
        .arg(format!("find {} -type f -exec cat {{}} + > /dev/null", projects.display()))
        .status();

    let first = measure(&mut import());
    println!("ccmeter first import: {:.2} s, peak {:.0} MiB\n{}", first.seconds, first.peak_mib, first.stdout);
    let unchanged = measure(&mut import());
    println!(
        "ccmeter re-scan, nothing changed: {:.2} s, peak {:.0} MiB\n{}",
        unchanged.seconds, unchanged.peak_mib, unchanged.stdout
    );
    let grown_files = grow(&projects, 20);
    let grown = grown_files.len() as i64;
    let rescan = measure(&mut import());
    for (file, length) in &grown_files {
        std::fs::File::options().write(true).open(file).expect("opened").set_len(*length).expect("put back");
    }
    println!(
        "ccmeter re-scan, {grown} files grown: {:.2} s, peak {:.0} MiB\n{}",
        rescan.seconds, rescan.peak_mib, rescan.stdout
    );
    let report = measure(Command::new(&ccmeter).args(["report", "--json", "--since", "2000-01-01", "--db"]).arg(&db));
    let report: Value = serde_json::from_str(&report.stdout).expect("report JSON");
    let total = &report["total"];
    let tokens = &total["tokens"];
    let found = |key: &str| tokens[key].as_i64().unwrap_or(-1);
    let grown_requests = grown;
    let ccmeter_exact = total["api_requests"].as_i64() == Some(corpus.requests + grown_requests)
        && found("input") == corpus.input + 10 * grown
        && found("output") == corpus.output + 100 * grown
        && found("cacheRead") == corpus.cache_read + 1000 * grown
        && found("cacheCreation") == corpus.cache_creation;
    println!(
        "ccmeter found {} requests, tokens {} in, {} out, {} cache read, {} cache write; cost ${} (estimated ${}): {}",
        total["api_requests"],
        found("input"),
        found("output"),
        found("cacheRead"),
        found("cacheCreation"),
        total["cost_usd"],
        total["estimated_cost_usd"],
        if ccmeter_exact { "exactly the corpus's" } else { "NOT the corpus's" }
    );

    let baseline =
        measure(Command::new(&ccusage).args(["session", "--json", "--offline"]).env("CLAUDE_CONFIG_DIR", &root));
    let usage: Value = serde_json::from_str(&baseline.stdout).expect("ccusage JSON");
    let totals = &usage["totals"];
    println!(
        "ccusage: {:.2} s, peak {:.0} MiB; tokens {} in, {} out, {} cache read, {} cache write; cost ${}",
        baseline.seconds,
        baseline.peak_mib,
        totals["inputTokens"],
        totals["outputTokens"],
        totals["cacheReadTokens"],
        totals["cacheCreationTokens"],
        totals["totalCost"]
    );
    println!();
    println!("| run | seconds | peak MiB | ccusage ÷ ccmeter |");
    println!("|---|---:|---:|---:|");
    for (name, run) in [
        ("ccmeter first import", &first),
        ("ccmeter re-scan, unchanged", &unchanged),
        ("ccmeter re-scan, 20 files grown", &rescan),
    ] {
        println!("| {name} | {:.2} | {:.0} | {:.1} |", run.seconds, run.peak_mib, baseline.seconds / run.seconds);
    }
    println!("| ccusage session --json --offline | {:.2} | {:.0} | 1.0 |", baseline.seconds, baseline.peak_mib);
    assert!(ccmeter_exact, "ccmeter's tokens must be the corpus's");
}
