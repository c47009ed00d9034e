//! Driving the real app's windows over WebDriver: tauri-driver in front of WebKitWebDriver, for the windows'
//! end-to-end test and the dashboard's freshness benchmark. Needs a display (scripts/test.sh provides Xvfb).

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use serde_json::{Value, json};

/// tauri-driver, stopped on drop.
pub struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

fn tauri_driver() -> PathBuf {
    if let Some(path) = std::env::var_os("TAURI_DRIVER") {
        return path.into();
    }
    let installed = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::home_dir().map(|home| home.join(".cargo")))
        .map(|home| home.join("bin/tauri-driver"));
    installed.filter(|path| path.exists()).unwrap_or_else(|| "tauri-driver".into())
}

/// Starts tauri-driver on free ports, with the environment the app will inherit.
pub fn start_driver(env: &[(&str, &str)]) -> (Driver, u16) {
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "the windows' end-to-end test needs a display: run it through scripts/test.sh (Xvfb + dbus-run-session)"
    );
    let (port, native) = (free_port(), free_port());
    let child = Command::new(tauri_driver())
        .args(["--port", &port.to_string(), "--native-port", &native.to_string()])
        .args(["--native-driver", "/usr/bin/WebKitWebDriver"])
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start tauri-driver (scripts/setup.sh --test installs it with `cargo install tauri-driver`)");
    let driver = Driver(child);
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(start.elapsed() < Duration::from_secs(20), "tauri-driver did not listen on {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
    (driver, port)
}

/// A WebDriver session on `application` started with `args`: its first window.
pub async fn connect(port: u16, application: &std::path::Path, args: &[String]) -> Client {
    let capabilities = json!({
        "browserName": "wry",
        "tauri:options": { "application": application, "args": args },
    });
    let Value::Object(capabilities) = capabilities else { unreachable!("an object literal") };
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let start = Instant::now();
    loop {
        // tauri-driver answers before WebKitWebDriver behind it is up: retry the first session briefly.
        match ClientBuilder::new(connector.clone())
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => return client,
            Err(error) if start.elapsed() < Duration::from_secs(30) => {
                eprintln!("waiting for the WebDriver session: {error}");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(error) => panic!("no WebDriver session: {error}"),
        }
    }
}

/// Polls `probe` every 200 ms until it returns `Some`; panics after 20 s.
pub async fn eventually<T, F: std::future::Future<Output = Option<T>>>(what: &str, mut probe: impl FnMut() -> F) -> T {
    let start = Instant::now();
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
