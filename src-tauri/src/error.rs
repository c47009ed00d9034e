//! An error as it crosses IPC (to a window's script, and from the app to a window process): `{kind, message}`,
//! so a window can act on what went wrong by its kind and show the message as it is.

use ccmeter_core::StoreError;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What went wrong, for a window to act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The database cannot be opened, migrated or read; or its writer has stopped.
    Database,
    /// The database was written by a newer ccmeter.
    TooNew,
    /// A date or a span of days that cannot be used (the message says why).
    InvalidRange,
    /// Settings that cannot be saved; the message says what to change.
    InvalidSettings,
    /// The session asked for does not exist (any more).
    NoSuchSession,
    /// A file could not be written where the user asked.
    WriteFile,
    /// Claude Code's settings file cannot be read or changed.
    ClaudeConfig,
    /// History that cannot be exported or imported.
    Transfer,
    /// The app could not finish the request (a task failed); trying again may work.
    Internal,
}

/// An error as a window receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct IpcError {
    pub kind: ErrorKind,
    /// In words, ready to show.
    pub message: String,
}

impl IpcError {
    pub fn internal(error: impl std::fmt::Display) -> IpcError {
        IpcError { kind: ErrorKind::Internal, message: error.to_string() }
    }
}

impl From<StoreError> for IpcError {
    fn from(error: StoreError) -> IpcError {
        let kind = match &error {
            StoreError::Open { .. }
            | StoreError::CreateDir { .. }
            | StoreError::Migrate { .. }
            | StoreError::Backup { .. }
            | StoreError::Sql(_)
            | StoreError::WriterGone
            | StoreError::Write(_) => ErrorKind::Database,
            StoreError::TooNew { .. } => ErrorKind::TooNew,
            StoreError::InvalidDate { .. } | StoreError::InvalidRange(_) => ErrorKind::InvalidRange,
            StoreError::InvalidSettings { problem, .. } => {
                // The window shows the problem beside the form: the words, without the "invalid settings" prefix.
                return IpcError { kind: ErrorKind::InvalidSettings, message: problem.clone() };
            }
            StoreError::NoSuchSession { .. } => ErrorKind::NoSuchSession,
            StoreError::WriteFile { .. } | StoreError::Encode(_) => ErrorKind::WriteFile,
            StoreError::ClaudeConfig { .. } => ErrorKind::ClaudeConfig,
            StoreError::Export { .. } | StoreError::Import { .. } | StoreError::NoTranscripts { .. } => {
                ErrorKind::Transfer
            }
        };
        IpcError { kind, message: error.to_string() }
    }
}
