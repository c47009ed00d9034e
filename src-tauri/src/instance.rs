//! One app per database: a local socket beside the database file, private to its owner. A second launch
//! on the same database hands its request (focus, open a window, reload settings) to the running app and
//! exits; launches on other databases (tests run several side by side) never meet.
//!
//! The same socket is how a window process works with the app, which owns the database's one writer: it
//! asks for each write (`Request::Write`, answered with what was written or why not), for where the receivers
//! listen, and attaches (`Request::Attach`) to hear of each commit and of windows to open. Every exchange is
//! JSON lines: one request line, then one answer line (or, attached, one line per event).

use std::io::{BufRead, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::IpcError;
use crate::window::WindowKind;
use crate::writes::{Write, Written};

/// What a second launch, a CLI command or a window process asks of the running app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "request", content = "with")]
pub enum Request {
    /// A plain second launch: show that ccmeter is already running.
    Focus,
    /// `ccmeter open <window>` or `--show <window>`.
    Open(WindowKind),
    /// Settings changed in the database (`ccmeter budget …`): take them into account now.
    ReloadSettings,
    /// History was added to the database (`ccmeter import`): refresh the tray and the open windows.
    HistoryChanged,
    /// A write a window asks for; answered with a [`WriteAnswer`].
    Write(Box<Write>),
    /// Where the receivers listen, or why not; answered with [`Receivers`].
    Receivers,
    /// A window process: the connection stays open and the app sends it an [`Event`] per line.
    Attach,
    /// What Claude Code handed `ccmeter statusline`; answered with the line's recorded figures
    /// ([`ccmeter_core::statusline::LineFigures`]) before it is recorded.
    Statusline(Box<ccmeter_core::words::statusline::Snapshot>),
    /// Quit the app, as its menu's "Quit" does.
    Quit,
}

/// The answer to a [`Request::Write`].
pub type WriteAnswer = Result<Written, IpcError>;

/// Where each receiver listens (`127.0.0.1:4317`), or why it does not, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receivers {
    pub grpc: Result<String, String>,
    pub http: Result<String, String>,
}

impl Receivers {
    /// Where `collector`'s receivers listen, or why not.
    pub fn of(collector: &ccmeter_core::collector::Collector) -> Receivers {
        let words = |listening: &ccmeter_core::collector::Listening| match listening {
            Ok(addr) => Ok(addr.to_string()),
            Err(error) => Err(error.to_string()),
        };
        Receivers { grpc: words(&collector.grpc), http: words(&collector.http) }
    }
}

/// What the app tells an attached window process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "event", content = "window")]
pub enum Event {
    /// A batch was committed, or history changed: the open windows read their figures again.
    Committed,
    /// The user asked for a window (the tray menu, a notification, `ccmeter open`).
    Open(WindowKind),
    /// An import of Claude Code's transcripts has read `read` of its `all` files.
    ImportProgress { read: usize, all: usize },
    /// The app is quitting: so are its windows.
    Quit,
}

/// How long a request waits for the app's answer: a write waits behind the writer's queue.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);

/// The socket's path: beside the database, so each database has its own app.
pub fn socket_path(db: &Path) -> PathBuf {
    let mut name = db.file_name().map(|n| n.to_os_string()).unwrap_or_else(|| "ccmeter.db".into());
    name.push(".ipc");
    db.with_file_name(name)
}

#[cfg(unix)]
type Stream = std::os::unix::net::UnixStream;

/// A connection to the app running on `db`, the request sent; `None` when none is running.
#[cfg(unix)]
fn connect(db: &Path, request: &Request) -> std::io::Result<Option<Stream>> {
    let mut stream = match Stream::connect(socket_path(db)) {
        Ok(stream) => stream,
        Err(error) if matches!(error.kind(), std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused) => {
            return Ok(None);
        }
        Err(error) => return Err(error),
    };
    let mut line = serde_json::to_string(request).map_err(std::io::Error::other)?;
    line.push('\n');
    stream.write_all(line.as_bytes())?;
    Ok(Some(stream))
}

/// Hands `request` to the app running on `db`. `Ok(false)` when none is running.
#[cfg(unix)]
pub fn send(db: &Path, request: Request) -> std::io::Result<bool> {
    let Some(stream) = connect(db, &request)? else { return Ok(false) };
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    // The app answers "ok" once it has taken the request.
    let mut answer = String::new();
    BufReader::new(stream).read_line(&mut answer)?;
    Ok(answer.trim() == "ok")
}

/// Asks the app running on `db` and reads its one-line JSON answer; `Ok(None)` when none is running.
#[cfg(unix)]
pub fn call<T: DeserializeOwned>(db: &Path, request: Request) -> std::io::Result<Option<T>> {
    call_within(db, request, ANSWER_TIMEOUT)
}

/// [`call`], giving up (an error) when the answer takes longer than `timeout`.
#[cfg(unix)]
pub fn call_within<T: DeserializeOwned>(db: &Path, request: Request, timeout: Duration) -> std::io::Result<Option<T>> {
    let Some(stream) = connect(db, &request)? else { return Ok(None) };
    stream.set_read_timeout(Some(timeout))?;
    let mut answer = String::new();
    BufReader::new(stream).read_line(&mut answer)?;
    let value = serde_json::from_str(answer.trim())
        .map_err(|error| std::io::Error::new(std::io::ErrorKind::InvalidData, error))?;
    Ok(Some(value))
}

/// Attaches to the app running on `db`: its events, one at a time, until it quits or the connection ends.
#[cfg(unix)]
pub fn attach(db: &Path) -> std::io::Result<Option<impl Iterator<Item = Event>>> {
    let Some(stream) = connect(db, &Request::Attach)? else { return Ok(None) };
    let lines = BufReader::new(stream).lines();
    Ok(Some(lines.map_while(Result::ok).filter_map(|line| serde_json::from_str(&line).ok())))
}

/// Where the app sends its answer to one request.
#[cfg(unix)]
pub struct Reply(Stream);

#[cfg(unix)]
impl Reply {
    /// The request was taken.
    pub fn ok(mut self) {
        let _ = self.0.write_all(b"ok\n");
    }

    /// The request's answer, as one JSON line.
    pub fn json<T: Serialize>(mut self, value: &T) {
        match serde_json::to_string(value) {
            Ok(mut line) => {
                line.push('\n');
                let _ = self.0.write_all(line.as_bytes());
            }
            Err(error) => tracing::error!(%error, "cannot encode an answer on the instance socket"),
        }
    }

    /// An attached window process: where its events go.
    pub fn events(self) -> Events {
        Events(self.0)
    }
}

/// An attached window process's connection.
#[cfg(unix)]
pub struct Events(Stream);

#[cfg(unix)]
impl Events {
    /// Sends `event`; `false` once the window process has gone.
    pub fn send(&mut self, event: &Event) -> bool {
        let Ok(mut line) = serde_json::to_string(event) else { return false };
        line.push('\n');
        self.0.write_all(line.as_bytes()).is_ok()
    }
}

/// Becomes the app for `db`: listens on its socket and hands each request with its [`Reply`] to `handle`, on a
/// thread per connection (a write waits for the writer; an attached window keeps its connection). A socket
/// file left by an app that crashed is replaced.
#[cfg(unix)]
pub fn listen(db: &Path, handle: impl Fn(Request, Reply) + Send + Sync + 'static) -> std::io::Result<()> {
    use std::os::unix::net::UnixListener;
    let path = socket_path(db);
    let listener = match UnixListener::bind(&path) {
        Ok(listener) => listener,
        Err(error) if error.kind() == std::io::ErrorKind::AddrInUse => {
            // Nobody answered `send` a moment ago: the file is stale.
            std::fs::remove_file(&path)?;
            UnixListener::bind(&path)?
        }
        Err(error) => return Err(error),
    };
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    }
    let handle = std::sync::Arc::new(handle);
    std::thread::Builder::new().name("ccmeter-instance".into()).spawn(move || {
        for stream in listener.incoming().flatten() {
            let handle = handle.clone();
            let spawned = std::thread::Builder::new().name("ccmeter-request".into()).spawn(move || {
                let mut line = String::new();
                // A peer that never finishes its request line does not keep a thread forever.
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let Ok(reader_stream) = stream.try_clone() else { return };
                if BufReader::new(reader_stream).read_line(&mut line).is_err() {
                    return;
                }
                let _ = stream.set_read_timeout(None);
                match serde_json::from_str::<Request>(line.trim()) {
                    Ok(request) => handle(request, Reply(stream)),
                    Err(error) => {
                        tracing::warn!(%error, "unreadable request on the instance socket");
                        let _ = (&stream).write_all(b"error\n");
                    }
                }
            });
            if let Err(error) = spawned {
                tracing::warn!(%error, "cannot take a request on the instance socket");
            }
        }
    })?;
    Ok(())
}

#[cfg(not(unix))]
pub fn send(_db: &Path, _request: Request) -> std::io::Result<bool> {
    Ok(false)
}

#[cfg(not(unix))]
pub fn call_within<T: DeserializeOwned>(
    _db: &Path,
    _request: Request,
    _timeout: Duration,
) -> std::io::Result<Option<T>> {
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_socket_sits_beside_its_database() {
        assert_eq!(socket_path(Path::new("/tmp/x/ccmeter.db")), Path::new("/tmp/x/ccmeter.db.ipc"));
    }

    #[cfg(unix)]
    #[test]
    fn a_request_reaches_the_app_on_the_same_database_only() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (db, other) = (dir.path().join("a.db"), dir.path().join("b.db"));
        assert!(!send(&db, Request::Focus).expect("no app yet"));
        let (tx, rx) = std::sync::mpsc::channel();
        let tx = std::sync::Mutex::new(tx);
        listen(&db, move |request, reply| {
            tx.lock().expect("test channel").send(request).expect("test channel");
            reply.ok();
        })
        .expect("listen");
        assert!(send(&db, Request::Open(WindowKind::History)).expect("delivered"));
        assert_eq!(rx.recv().expect("request"), Request::Open(WindowKind::History));
        assert!(!send(&other, Request::Focus).expect("another database has no app"));
    }

    #[cfg(unix)]
    #[test]
    fn answers_and_events_come_back_as_json_lines() {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("a.db");
        assert_eq!(call::<Receivers>(&db, Request::Receivers).expect("no app yet"), None);
        listen(&db, |request, reply| match request {
            Request::Receivers => {
                reply.json(&Receivers { grpc: Ok("127.0.0.1:4317".into()), http: Err("in use".into()) })
            }
            Request::Attach => {
                let mut events = reply.events();
                assert!(events.send(&Event::Committed));
                assert!(events.send(&Event::Open(WindowKind::Settings)));
                assert!(events.send(&Event::Quit));
            }
            _ => reply.ok(),
        })
        .expect("listen");
        let receivers = call::<Receivers>(&db, Request::Receivers).expect("answered").expect("an app");
        assert_eq!(receivers.http, Err("in use".into()));
        let events: Vec<Event> = attach(&db).expect("attached").expect("an app").collect();
        assert_eq!(events, [Event::Committed, Event::Open(WindowKind::Settings), Event::Quit]);
    }
}
