//! One app per database: a local socket beside the database file. A second launch on the same database
//! hands its request (focus, open a window, reload settings) to the running app and exits; launches on
//! other databases (tests run several side by side) never meet.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// What a second launch, or a CLI command, asks of the running app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "request", content = "window")]
pub enum Request {
    /// A plain second launch: show that ccmeter is already running.
    Focus,
    /// `ccmeter open <window>` or `--show <window>`.
    Open(crate::window::WindowKind),
    /// Settings changed in the database (`ccmeter budget …`): take them into account now.
    ReloadSettings,
    /// History was added to the database (`ccmeter import`): refresh the tray and the open windows.
    HistoryChanged,
}

/// The socket's path: beside the database, so each database has its own app.
pub fn socket_path(db: &Path) -> PathBuf {
    let mut name = db.file_name().map(|n| n.to_os_string()).unwrap_or_else(|| "ccmeter.db".into());
    name.push(".ipc");
    db.with_file_name(name)
}

/// Hands `request` to the app running on `db`. `Ok(false)` when none is running.
#[cfg(unix)]
pub fn send(db: &Path, request: Request) -> std::io::Result<bool> {
    use std::os::unix::net::UnixStream;
    let mut stream = match UnixStream::connect(socket_path(db)) {
        Ok(stream) => stream,
        Err(error) if matches!(error.kind(), std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused) => {
            return Ok(false);
        }
        Err(error) => return Err(error),
    };
    stream.set_read_timeout(Some(std::time::Duration::from_secs(5)))?;
    let mut line = serde_json::to_string(&request).map_err(std::io::Error::other)?;
    line.push('\n');
    stream.write_all(line.as_bytes())?;
    // The app answers "ok" once it has taken the request.
    let mut answer = String::new();
    BufReader::new(stream).read_line(&mut answer)?;
    Ok(answer.trim() == "ok")
}

#[cfg(not(unix))]
pub fn send(_db: &Path, _request: Request) -> std::io::Result<bool> {
    Ok(false)
}

/// Becomes the app for `db`: listens on its socket and hands each request to `handle` (on a thread of
/// its own). A socket file left by an app that crashed is replaced.
#[cfg(unix)]
pub fn listen(db: &Path, handle: impl Fn(Request) + Send + 'static) -> std::io::Result<()> {
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
    std::thread::Builder::new().name("ccmeter-instance".into()).spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut line = String::new();
            let mut reader = BufReader::new(&stream);
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            match serde_json::from_str::<Request>(line.trim()) {
                Ok(request) => {
                    handle(request);
                    let _ = (&stream).write_all(b"ok\n");
                }
                Err(error) => {
                    tracing::warn!(%error, "unreadable request on the instance socket");
                    let _ = (&stream).write_all(b"error\n");
                }
            }
        }
    })?;
    Ok(())
}

#[cfg(not(unix))]
pub fn listen(_db: &Path, _handle: impl Fn(Request) + Send + 'static) -> std::io::Result<()> {
    Ok(())
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
        listen(&db, move |request| tx.send(request).expect("test channel")).expect("listen");
        assert!(send(&db, Request::Open(crate::window::WindowKind::History)).expect("delivered"));
        assert_eq!(rx.recv().expect("request"), Request::Open(crate::window::WindowKind::History));
        assert!(!send(&other, Request::Focus).expect("another database has no app"));
    }
}
