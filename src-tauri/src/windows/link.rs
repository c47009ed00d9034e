//! The window process's way to the app: it reads the database itself (read-only connections; SQLite's WAL
//! lets it read beside the writer) and sends every write, and every question about the receivers, to the
//! tray process that owns the database's one writer, over the instance socket.

use std::path::{Path, PathBuf};

use ccmeter_app::error::IpcError;
use ccmeter_app::instance::{self, Receivers, Request, WriteAnswer};
use ccmeter_app::writes::Write;
use ccmeter_core::store::Connection;
use ccmeter_core::{StoreError, TimeContext};

use crate::ipc::state::{Backend, Pending};

/// The tray process running on one database.
pub struct TrayLink {
    db: PathBuf,
}

impl TrayLink {
    pub fn new(db: PathBuf) -> TrayLink {
        TrayLink { db }
    }
}

/// How long a window waits for an import of the transcripts to finish.
const IMPORT_ANSWER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(6 * 3600);

fn gone() -> String {
    "ccmeter is not running on this database".to_owned()
}

impl Backend for TrayLink {
    fn db(&self) -> &Path {
        &self.db
    }

    fn reader(&self) -> Result<Connection, StoreError> {
        ccmeter_core::store::open_read_only(&self.db)
    }

    fn receivers(&self) -> Receivers {
        match instance::call::<Receivers>(&self.db, Request::Receivers) {
            Ok(Some(receivers)) => receivers,
            Ok(None) => Receivers { grpc: Err(gone()), http: Err(gone()) },
            Err(error) => Receivers { grpc: Err(error.to_string()), http: Err(error.to_string()) },
        }
    }

    fn write(&self, write: Write, _time: TimeContext) -> Pending<'_> {
        let db = self.db.clone();
        Box::pin(async move {
            let answer = tokio::task::spawn_blocking(move || {
                // An import of years of transcripts takes minutes: its answer is waited for that long.
                let wait = match write {
                    Write::ImportTranscripts => IMPORT_ANSWER_TIMEOUT,
                    _ => instance::ANSWER_TIMEOUT,
                };
                instance::call_within::<WriteAnswer>(&db, Request::Write(Box::new(write)), wait)
            })
            .await
            .map_err(IpcError::internal)?;
            match answer {
                Ok(Some(answer)) => answer,
                Ok(None) => Err(IpcError::internal(gone())),
                Err(error) => Err(IpcError::internal(format!("cannot reach ccmeter: {error}"))),
            }
        })
    }
}
