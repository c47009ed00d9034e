//! The Debian package as a user meets it: installed with dpkg; on the first start the welcome window's
//! "Connect Claude Code" clicked (WebDriver) and Claude Code's telemetry sent where it was pointed, the cost
//! read from the tray over D-Bus; removed and reinstalled with the history kept; then upgraded over a database
//! an older version left — migrated with a backup, every figure kept — and started from its menu entry.
//!
//! It installs and removes a system package, so it runs only when asked (`--ignored`) as root, with
//! `CCMETER_DEB` and `CCMETER_DEB_NEWER` naming the two packages: scripts/test-install.sh builds them and runs
//! it (scripts/test.sh does in CI).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use ccmeter_tests::tray::{
    api_request_now, grpc_address, http_address, label, menu_labels, tray_connection, wait_for, window_titles,
};
use ccmeter_tests::webdriver::{connect, eventually, start_driver};
use ccmeter_tests::{expected_totals, http_post, nanos, requests, send_fixture_to};
use serde_json::Value;

const INSTALLED: &str = "/usr/bin/ccmeter";
/// The window program the tray app starts (and that, started directly, starts the tray app).
const INSTALLED_WINDOWS: &str = "/usr/bin/ccmeter-windows";
const WELCOME: &str = "\"Welcome to ccmeter\"";

fn run(program: &str, args: &[&str]) -> Output {
    let output = Command::new(program).args(args).output().unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(
        output.status.success(),
        "{program} {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn package(var: &str) -> String {
    let path = std::env::var(var).unwrap_or_else(|_| panic!("{var} must name a .deb (scripts/test-install.sh)"));
    assert!(Path::new(&path).is_file(), "{var}={path} is not a file");
    path
}

fn installed_version() -> Option<String> {
    let output = Command::new("dpkg-query").args(["-W", "-f=${Status} ${Version}", "ccmeter"]).output().ok()?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.strip_prefix("install ok installed ").map(str::to_owned)
}

/// Leaves the machine without the package, whatever the test's outcome.
struct Purge;

impl Drop for Purge {
    fn drop(&mut self) {
        let _ = Command::new("dpkg").args(["--purge", "ccmeter"]).output();
    }
}

/// A user's home: the installed app finds its database in the platform data dir under it.
struct Home(tempfile::TempDir);

impl Home {
    fn database(&self) -> PathBuf {
        self.0.path().join(".local/share/dev.ccmeter.ccmeter/ccmeter.db")
    }

    /// The user's session: their home, and the XDG folders under it written out, so that nothing in the test
    /// runner's own environment redirects where the app keeps its data.
    fn environment(&self) -> Vec<(&'static str, String)> {
        let home = self.0.path().display().to_string();
        vec![
            ("HOME", home.clone()),
            ("XDG_DATA_HOME", format!("{home}/.local/share")),
            ("XDG_CONFIG_HOME", format!("{home}/.config")),
            ("CLAUDE_CONFIG_DIR", format!("{home}/.claude")),
            ("CCMETER_LOG", "warn".into()),
            ("CCMETER_TZ", "Europe/Berlin".into()),
        ]
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(INSTALLED);
        command.args(args).envs(self.environment()).env_remove("CCMETER_DB").stdin(Stdio::null());
        command
    }

    /// `ccmeter report --json` by the installed binary, without the moment it was made.
    fn report(&self) -> Value {
        let output = self.command(&["report", "--json"]).output().expect("report");
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let mut report: Value = serde_json::from_slice(&output.stdout).expect("JSON");
        report.as_object_mut().expect("object").remove("generated_at");
        report
    }
}

/// The installed app's process, however it was started (tauri-driver, the menu entry).
fn find_installed_app() -> u32 {
    wait_for("the installed app's process", Duration::from_secs(20), || {
        std::fs::read_dir("/proc").ok()?.filter_map(|entry| entry.ok()).find_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            (std::fs::read_link(entry.path().join("exe")).ok()? == Path::new(INSTALLED)).then_some(pid)
        })
    })
}

async fn text_of(client: &fantoccini::Client, css: &str) -> Option<String> {
    let found = client
        .execute("return document.querySelector(arguments[0])?.textContent.trim() ?? null;", vec![css.into()])
        .await
        .ok()?;
    found.as_str().map(str::to_owned)
}

/// Clicks the button whose text is `label`, once it is there.
async fn click_button(client: &fantoccini::Client, label: &str) {
    eventually(label, || async {
        let clicked = client
            .execute(
                "const button = [...document.querySelectorAll('button')].find(b => b.textContent.trim() === arguments[0]);
                 if (!button || button.disabled) return false;
                 button.click();
                 return true;",
                vec![label.into()],
            )
            .await
            .ok()?;
        clicked.as_bool().filter(|c| *c)
    })
    .await;
}

/// A running app, killed on drop.
struct App(u32);

impl App {
    fn tray(&self) -> String {
        wait_for("the installed app's tray item", Duration::from_secs(30), || tray_connection(self.0))
    }

    fn quit(self) {
        let _ = Command::new("kill").args(["-TERM", &self.0.to_string()]).status();
        self.exited();
    }

    fn exited(&self) {
        wait_for("the app to exit", Duration::from_secs(10), || {
            (!Path::new(&format!("/proc/{}", self.0)).exists()).then_some(())
        });
    }
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-KILL", &self.0.to_string()]).stderr(Stdio::null()).status();
    }
}

#[test]
#[ignore = "installs a system package: run by scripts/test-install.sh as root"]
fn install_use_remove_reinstall_and_upgrade_keep_the_history() {
    assert!(
        std::env::var_os("DISPLAY").is_some() && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "needs a display and a session bus (scripts/test-install.sh provides both)"
    );
    let (deb, newer) = (package("CCMETER_DEB"), package("CCMETER_DEB_NEWER"));
    let _purge = Purge;
    let home = Home(tempfile::tempdir().expect("home"));

    // Install: the binaries, the menu entry and its icon land where the desktop finds them.
    run("dpkg", &["-i", &deb]);
    let version = installed_version().expect("installed");
    for file in [
        INSTALLED,
        INSTALLED_WINDOWS,
        "/usr/share/applications/ccmeter.desktop",
        "/usr/share/icons/hicolor/128x128/apps/ccmeter.png",
    ] {
        assert!(Path::new(file).exists(), "{file} installed");
    }
    let desktop = std::fs::read_to_string("/usr/share/applications/ccmeter.desktop").expect("desktop entry");
    assert!(desktop.contains("Exec=ccmeter") && desktop.contains("Icon=ccmeter"), "{desktop}");
    if Path::new("/usr/bin/desktop-file-validate").exists() {
        run("desktop-file-validate", &["/usr/share/applications/ccmeter.desktop"]);
    }

    // First start, as a newcomer meets it: the welcome window, "Connect Claude Code" in one click, then
    // Claude Code's telemetry to the address it was given, and the cost in the tray.
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let environment = home.environment();
    let pairs: Vec<(&str, &str)> = environment.iter().map(|(key, value)| (*key, value.as_str())).collect();
    let (driver, port) = start_driver(&pairs);
    let session = runtime.block_on(async {
        // The window program, launched directly, starts the tray app; on this first start it shows the welcome.
        let client = connect(port, Path::new(INSTALLED_WINDOWS), &[]).await;
        eventually("the welcome window", || async {
            text_of(&client, "h1").await.filter(|title| title == "Welcome to ccmeter")
        })
        .await;
        click_button(&client, "Connect Claude Code…").await;
        click_button(&client, "Connect").await;
        eventually("the connection confirmed", || async {
            text_of(&client, ".auto__done").await.filter(|t| t.contains("Restart Claude Code"))
        })
        .await;
        client
    });
    let claude_settings = home.0.path().join(".claude/settings.json");
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(&claude_settings).expect("Claude Code's settings written"))
            .expect("JSON");
    let endpoint = written["env"]["OTEL_EXPORTER_OTLP_ENDPOINT"].as_str().expect("the endpoint").to_owned();
    assert_eq!(endpoint, "http://127.0.0.1:4317", "the standard port, on loopback");
    let app = App(find_installed_app());
    let tray = app.tray();
    let (grpc, http) = (grpc_address(&tray), http_address(&tray));
    assert_eq!(format!("http://{grpc}"), endpoint);
    for request in requests("claude-code-2.1.197/grpc/success") {
        runtime.block_on(send_fixture_to(grpc, http, &request));
    }
    let body = api_request_now("installed", 1, "req_installed", 1.25);
    let answer = http_post(http, "/v1/logs", &[("Content-Type", "application/json")], &body, true);
    assert_eq!(answer.status, 200);
    wait_for("the running session's cost", Duration::from_secs(5), || label(&tray).filter(|l| l == "$1.25"));
    // The fixture's own day may be today: its cost then counts too.
    let today_line = |tray: &str| menu_labels(tray).into_iter().find(|l| l.starts_with("Today $"));
    let today = today_line(&tray).expect("the menu's line for today");
    runtime.block_on(async {
        eventually("the welcome window to see the data", || async {
            text_of(&session, "#connected-title").await.filter(|t| t == "Claude Code is connected")
        })
        .await;
        // Ending the WebDriver session closes the windows; the tray app stays until it is told to quit.
        let _ = session.close().await;
    });
    let quit = Command::new(INSTALLED).arg("quit").envs(home.environment()).status().expect("ccmeter quit");
    assert!(quit.success(), "ccmeter quit");
    app.exited();
    drop(driver);
    let database = home.database();
    assert!(database.is_file(), "the database is in the platform data dir: {}", database.display());
    let report = home.report();
    let want = expected_totals("claude-code-2.1.197/grpc/success").cost_nanos + nanos(1.25);
    assert_eq!(nanos(report["total"]["cost_usd"].as_f64().expect("cost")), want);

    // Remove: the program goes, the history stays.
    run("dpkg", &["-r", "ccmeter"]);
    assert!(!Path::new(INSTALLED).exists(), "removed");
    assert!(database.is_file(), "removing the package keeps the user's data");

    // Reinstall: the same history.
    run("dpkg", &["-i", &deb]);
    assert_eq!(home.report(), report, "the history after a reinstall");

    // The database as the previous schema left it (before the facet rollup), then the newer package.
    {
        let conn = rusqlite::Connection::open(&database).expect("open");
        conn.execute_batch(ccmeter_tests::BACK_TO_SCHEMA_3).expect("back to schema 3");
    }
    run("dpkg", &["-i", &newer]);
    let upgraded = installed_version().expect("upgraded");
    assert_ne!(upgraded, version, "the newer package replaced the installed one");
    // Started from the app menu, the way a desktop launches its .desktop entry.
    let launched = Command::new("gio")
        .args(["launch", "/usr/share/applications/ccmeter.desktop"])
        .envs(home.environment())
        .status()
        .expect("gio launch");
    assert!(launched.success(), "the menu entry launches");
    let app = App(find_installed_app());
    let tray = app.tray();
    std::thread::sleep(Duration::from_secs(1));
    assert!(!window_titles().contains(WELCOME), "the welcome window opened on the first start only");
    wait_for("the same figures after the upgrade", Duration::from_secs(10), || {
        today_line(&tray).filter(|line| *line == today)
    });
    app.quit();
    assert_eq!(home.report(), report, "every figure kept through the upgrade");
    let backups: Vec<PathBuf> = std::fs::read_dir(database.parent().expect("data dir"))
        .expect("data dir")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "bak"))
        .collect();
    assert_eq!(backups.len(), 1, "{backups:?}");
    assert!(backups[0].file_name().expect("name").to_string_lossy().contains(".schema3-"), "{backups:?}");
    let conn = rusqlite::Connection::open(&database).expect("open");
    let facets: i64 = conn.query_row("SELECT count(*) FROM facet_rollup", [], |r| r.get(0)).expect("facets");
    assert!(facets > 0, "the migration rebuilt the facet rollup");
    println!(
        "installed {version}, connected Claude Code from the welcome window, received ${:.2}, removed and \
         reinstalled with the history, upgraded to {upgraded} with a backup ({}), started from the menu entry",
        report["total"]["cost_usd"].as_f64().unwrap_or_default(),
        backups[0].display()
    );
}
