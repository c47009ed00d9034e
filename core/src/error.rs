//! The one error type of the engine.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database {path}: {source}")]
    Open { path: PathBuf, source: rusqlite::Error },
    #[error("cannot create the folder {path} for the database: {source}")]
    CreateDir { path: PathBuf, source: std::io::Error },
    #[error("the database {path} could not be migrated: {source}")]
    Migrate { path: PathBuf, source: rusqlite_migration::Error },
    #[error(
        "the database {path} was written by a newer ccmeter (schema {found}, this version knows {known}); upgrade ccmeter"
    )]
    TooNew { path: PathBuf, found: usize, known: usize },
    #[error("cannot back up the database to {path} before upgrading it (nothing was changed): {reason}")]
    Backup { path: PathBuf, reason: String },
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("the database writer has stopped")]
    WriterGone,
    #[error("invalid query: {0}")]
    InvalidQuery(String),
    /// An export that could not be made or written.
    #[error("export failed: {0}")]
    Export(String),
    /// An import that was refused or failed; the database is as it was.
    #[error("import failed: {0}")]
    Import(String),
    /// Settings that cannot be saved or read; the message says what to change.
    #[error("invalid settings: {0}")]
    InvalidSettings(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
