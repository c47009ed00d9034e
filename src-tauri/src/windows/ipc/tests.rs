//! The commands as the windows call them, without Tauri: a real store in a temporary folder, a desktop that
//! records what it is asked, and a fixed clock.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use ccmeter_core::collector::Collector;
use ccmeter_core::read::export::Format;
use ccmeter_core::words::settings::{Budget, BudgetsPatch, SettingsPatch};
use ccmeter_core::{Store, TimeContext};
use chrono::{TimeZone, Utc};
use tokio::task::JoinSet;

use super::commands;
use super::state::{AppState, Desktop, InProcess};
use crate::window::WindowKind;
use ccmeter_app::error::ErrorKind;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Asked {
    Open(WindowKind),
    SettingsChanged,
    HistoryChanged,
}

#[derive(Default)]
struct RecordingDesktop(Mutex<Vec<Asked>>);

impl Desktop for RecordingDesktop {
    fn open_window(&self, kind: WindowKind) {
        self.0.lock().unwrap().push(Asked::Open(kind));
    }
    fn settings_changed(&self) {
        self.0.lock().unwrap().push(Asked::SettingsChanged);
    }
    fn history_changed(&self) {
        self.0.lock().unwrap().push(Asked::HistoryChanged);
    }
}

struct App {
    state: AppState,
    desktop: Arc<RecordingDesktop>,
    _dir: tempfile::TempDir,
}

impl App {
    /// 2026-11-24 15:00 in Berlin; the gRPC receiver "listening" on 127.0.0.1:4317, HTTP not.
    fn new() -> App {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("ccmeter.db");
        let store = Store::open(&db).expect("store opens");
        let grpc: SocketAddr = "127.0.0.1:4317".parse().expect("address");
        let http = Err(ccmeter_proto::BindError::InUse {
            protocol: ccmeter_proto::Protocol::Http,
            addr: "127.0.0.1:4318".parse().expect("address"),
        });
        let collector = Collector { store, db, grpc: Ok(grpc), http, metrics: None, tasks: JoinSet::new() };
        let desktop = Arc::new(RecordingDesktop::default());
        let time = TimeContext::fixed(Utc.with_ymd_and_hms(2026, 11, 24, 14, 0, 0).unwrap(), chrono_tz::Europe::Berlin);
        App {
            state: AppState::with_fixed_time(Arc::new(InProcess(collector)), desktop.clone(), time),
            desktop,
            _dir: dir,
        }
    }

    fn asked(&self) -> Vec<Asked> {
        self.desktop.0.lock().unwrap().clone()
    }
}

#[tokio::test]
async fn a_day_budget_saved_is_evaluated_for_the_local_day_of_the_apps_clock() {
    let app = App::new();
    let day = Budget { limit_usd: 10.0, thresholds: vec![50, 100] };
    let patch = SettingsPatch {
        budgets: Some(BudgetsPatch { day: Some(Some(day.clone())), ..Default::default() }),
        ..Default::default()
    };
    let saved = commands::save_settings(&app.state, patch).await.expect("saved");
    assert_eq!(saved.budgets.day, Some(day));
    assert_eq!(app.asked(), [Asked::SettingsChanged], "the tray follows the saved settings");

    let dashboard = commands::dashboard(&app.state, "2026-11-24".into(), "2026-11-25".into()).await.expect("dashboard");
    assert_eq!(dashboard.budgets.len(), 1);
    assert_eq!(dashboard.budgets[0].key, "2026-11-24", "today in Berlin by the fixed clock");
    assert_eq!((dashboard.budgets[0].spent_usd, dashboard.budgets[0].limit_usd), (0.0, 10.0));
}

#[tokio::test]
async fn settings_that_cannot_be_saved_come_back_typed_with_what_to_change() {
    let app = App::new();
    let patch = SettingsPatch { active_window_minutes: Some(0), ..Default::default() };
    let error = commands::save_settings(&app.state, patch).await.expect_err("refused");
    assert_eq!(error.kind, ErrorKind::InvalidSettings);
    assert_eq!(error.message, "the active-session window must be from 1 to 1440 minutes (got 0)");
    assert!(app.asked().is_empty(), "nothing saved, nothing to follow");
    let stored = commands::settings(&app.state).await.expect("settings");
    assert_eq!(stored.active_window_minutes, ccmeter_core::Settings::default().active_window_minutes);
}

#[tokio::test]
async fn dates_and_spans_a_window_cannot_use_are_invalid_ranges() {
    let app = App::new();
    let not_a_date = commands::dashboard(&app.state, "24.11.2026".into(), "2026-11-25".into()).await.expect_err("no");
    assert_eq!(not_a_date.kind, ErrorKind::InvalidRange);
    assert!(not_a_date.message.contains("\"24.11.2026\" is not a date"), "{}", not_a_date.message);
    let backwards = commands::dashboard(&app.state, "2026-11-25".into(), "2026-11-24".into()).await.expect_err("no");
    assert_eq!(backwards.kind, ErrorKind::InvalidRange);
    let empty = commands::delete_days(&app.state, "2026-11-24".into(), "2026-11-24".into()).await.expect_err("no");
    assert_eq!(empty.kind, ErrorKind::InvalidRange);
    assert!(app.asked().is_empty(), "nothing deleted, no window told");
}

#[tokio::test]
async fn deleting_tells_the_tray_and_the_windows() {
    let app = App::new();
    let deleted = commands::delete_days(&app.state, "2026-11-01".into(), "2026-11-24".into()).await.expect("deleted");
    assert_eq!(deleted, Default::default(), "an empty store has nothing to delete");
    commands::delete_session(&app.state, "no-such-session".into()).await.expect("deleted");
    assert_eq!(app.asked(), [Asked::HistoryChanged, Asked::HistoryChanged]);
}

#[tokio::test]
async fn a_session_that_is_not_there_is_none_and_cannot_be_exported() {
    let app = App::new();
    assert!(commands::session(&app.state, "gone".into()).await.expect("read").is_none());
    let path = app._dir.path().join("gone.csv").display().to_string();
    let error = commands::export_session(&app.state, "gone".into(), path, Format::Csv).await.expect_err("none");
    assert_eq!(error.kind, ErrorKind::NoSuchSession);
    assert_eq!(error.message, "there is no session \"gone\" (deleted?)");
}

#[tokio::test]
async fn an_export_to_a_folder_that_is_not_there_says_so() {
    let app = App::new();
    let query = commands::SessionsQuery {
        since: None,
        until: None,
        model: None,
        text: None,
        project: None,
        sort: ccmeter_core::read::query::SessionSort::Start,
        descending: true,
        limit: 50,
        offset: 0,
    };
    let path = app._dir.path().join("no/such/folder/sessions.csv").display().to_string();
    let error = commands::export_sessions(&app.state, query, path, Format::Csv).await.expect_err("no folder");
    assert_eq!(error.kind, ErrorKind::WriteFile);
    assert!(error.message.contains("does not exist"), "{}", error.message);
}

#[tokio::test]
async fn status_and_about_say_where_the_receivers_listen_or_why_not() {
    let app = App::new();
    let status = commands::status(&app.state).await.expect("status");
    assert_eq!(status.grpc.as_deref(), Some("127.0.0.1:4317"));
    assert_eq!(status.http, None);
    assert_eq!(status.errors.len(), 1, "{:?}", status.errors);
    assert_eq!(status.last_data, None, "nothing received yet");
    let about = commands::about(&app.state).await.expect("about");
    assert_eq!(about.receivers[0], "gRPC 127.0.0.1:4317 (listening)");
    assert!(about.receivers[1].starts_with("HTTP: "), "{:?}", about.receivers);
    assert!(about.text.contains("gRPC 127.0.0.1:4317 (listening)"), "{}", about.text);
}

#[tokio::test]
async fn open_window_asks_the_desktop() {
    let app = App::new();
    commands::open_window(&app.state, WindowKind::History).await.expect("asked");
    assert_eq!(app.asked(), [Asked::Open(WindowKind::History)]);
}

#[test]
fn errors_cross_ipc_as_kind_and_message() {
    let error = ccmeter_app::error::IpcError::from(ccmeter_core::StoreError::NoSuchSession { id: "a".into() });
    assert_eq!(
        serde_json::to_value(&error).expect("serialises"),
        serde_json::json!({"kind": "no_such_session", "message": "there is no session \"a\" (deleted?)"})
    );
}

#[tokio::test]
async fn a_budget_typed_in_the_settings_window_is_read_by_the_clis_rules() {
    use ccmeter_core::words::period::Period;
    let app = App::new();
    let read = commands::read_budget(&app.state, Period::Week, "$40".into(), "100, 50 %".into()).await;
    assert_eq!(read.expect("a budget"), Budget { limit_usd: 40.0, thresholds: vec![50, 100] });
    let words = commands::read_budget(&app.state, Period::Day, "10".into(), "50, lots".into()).await;
    let error = words.expect_err("not percentages");
    assert_eq!(error.kind, ErrorKind::InvalidSettings);
    assert!(error.message.starts_with("the daily budget's alerts are whole percentages"), "{}", error.message);
    let negative = commands::read_budget(&app.state, Period::Month, "-3".into(), "50".into()).await;
    assert!(negative.expect_err("negative").message.contains("from 0.01 to 1000000"));
}

#[tokio::test]
async fn a_price_typed_in_the_window_is_read_by_the_clis_rules() {
    let app = App::new();
    let fields = |input: &str, cache_read: &str| commands::PriceFields {
        model: "claude-opus-5-5".into(),
        input: input.into(),
        output: "25".into(),
        cache_read: cache_read.into(),
        cache_write_5m: String::new(),
        cache_write_1h: " ".into(),
    };
    let read = commands::read_price(&app.state, fields("$5", "0.5")).await.expect("a price");
    assert_eq!(
        (read.input, read.output, read.cache_read, read.cache_write_5m, read.cache_write_1h),
        (5.0, 25.0, Some(0.5), None, None)
    );
    let words = commands::read_price(&app.state, fields("five", "")).await.expect_err("not a price");
    assert_eq!(words.kind, ErrorKind::InvalidSettings);
    assert!(
        words.message.starts_with("claude-opus-5-5's input price is in US dollars per million tokens"),
        "{}",
        words.message
    );
}
