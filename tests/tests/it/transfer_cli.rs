//! `ccmeter export` and `ccmeter import` as a user runs them: telemetry received over real sockets by a
//! running `ccmeter serve`, exported while it runs, imported into a fresh database on "another machine", and
//! `ccmeter report --json` identical on both.

use std::path::Path;
use std::process::Output;

use ccmeter_tests::{Server, ccmeter_bin, report, requests, scenarios, send_fixture};
use serde_json::Value;

fn ccmeter(args: &[&str], db: &Path) -> Output {
    std::process::Command::new(ccmeter_bin())
        .args(args)
        .arg("--db")
        .arg(db)
        .env("CCMETER_LOG", "warn")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run ccmeter")
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// The report with the moment it was made left out.
fn report_without_time(db: &Path, extra: &[&str]) -> Value {
    let mut report = report(db, extra);
    report.as_object_mut().expect("object").remove("generated_at");
    report
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_exported_while_serving_imports_into_an_empty_database_with_an_identical_report() {
    let server = Server::start();
    for scenario in scenarios() {
        for request in requests(&scenario) {
            send_fixture(&server, &request).await;
        }
    }
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("history.ccmeter");
    let file_arg = file.to_str().expect("utf-8 path");
    let exported = ccmeter(&["export", "--out", file_arg], &server.db);
    assert!(exported.status.success(), "{}", text(&exported));
    assert!(text(&exported).contains("Exported") && text(&exported).contains("sessions"), "{}", text(&exported));

    let other = dir.path().join("other-machine").join("ccmeter.db");
    let imported = ccmeter(&["import", file_arg], &other);
    assert!(imported.status.success(), "{}", text(&imported));
    println!("{}", text(&imported).trim());
    assert!(text(&imported).contains("sessions added"), "{}", text(&imported));
    for by in [&[][..], &["--by", "day"], &["--by", "model"], &["--by", "session"]] {
        assert_eq!(report_without_time(&other, by), report_without_time(&server.db, by), "report {by:?}");
    }
    let cost = report(&other, &[])["total"]["cost_usd"].as_f64().expect("cost");
    assert!(cost > 0.0);

    // Again: nothing new.
    let again = ccmeter(&["import", file_arg], &other);
    assert!(again.status.success(), "{}", text(&again));
    assert!(text(&again).contains("0 sessions added") && text(&again).contains("0 events"), "{}", text(&again));
    assert_eq!(report_without_time(&other, &[]), report_without_time(&server.db, &[]));
    server.stop();
}

#[test]
fn a_bad_file_exits_non_zero_with_the_reason_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("ccmeter.db");
    let junk = dir.path().join("junk.ccmeter");
    std::fs::write(&junk, b"{\"not\": \"a database\"}").expect("write");
    let output = ccmeter(&["import", junk.to_str().expect("utf-8")], &db);
    assert!(!output.status.success());
    assert!(text(&output).contains("not a ccmeter export"), "{}", text(&output));
    let empty = report(&db, &[]);
    assert_eq!(empty["total"]["sessions"], 0);

    let nowhere = dir.path().join("missing.db");
    let output = ccmeter(&["export", "--out", dir.path().join("x.ccmeter").to_str().expect("utf-8")], &nowhere);
    assert!(!output.status.success());
    assert!(text(&output).contains("no database"), "{}", text(&output));
    assert!(!nowhere.exists(), "exporting does not create a database");
}
