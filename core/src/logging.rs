//! Logging and error reporting shared by the app and the headless collector.

use std::process::ExitCode;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

/// Log files kept: one a day, a week of them.
const LOG_FILES_KEPT: usize = 7;

fn filter() -> EnvFilter {
    // The HTTP/2 and gRPC stacks are chatty at debug; our own logs are what a user reads.
    EnvFilter::try_from_env("CCMETER_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,h2=warn,hyper=warn,tonic=warn,tower=warn"))
}

/// Logs to stderr: the CLI commands and the headless collector, which run in a terminal.
pub fn init_logging() {
    tracing_subscriber::fmt().with_env_filter(filter()).with_writer(std::io::stderr).with_target(false).init();
}

/// The desktop app logs to stderr and to a file rotated daily in the platform's log folder
/// (`crate::paths::log_dir`), which About and `ccmeter diagnostics` name: started from the app menu it
/// has no terminal. Nothing logged carries prompt or tool content (the store keeps that, when it is kept at all).
/// A folder that cannot be created leaves stderr only, said once there.
pub fn init_app_logging() {
    let dir = crate::paths::log_dir();
    // Made first: the appender prunes old files as it starts, and on a first start it printed a bare
    // "Error reading the log directory" to stderr for a folder it was about to create.
    let file = std::fs::create_dir_all(&dir).map_err(|e| e.to_string()).and_then(|()| {
        tracing_appender::rolling::Builder::new()
            .rotation(tracing_appender::rolling::Rotation::DAILY)
            .filename_prefix("ccmeter")
            .filename_suffix("log")
            .max_log_files(LOG_FILES_KEPT)
            .build(&dir)
            .map_err(|e| e.to_string())
    });
    let stderr = tracing_subscriber::fmt::layer().with_writer(std::io::stderr).with_target(false);
    match file {
        Ok(file) => {
            let file = tracing_subscriber::fmt::layer().with_writer(file).with_ansi(false).with_target(false);
            tracing_subscriber::registry().with(filter()).with(stderr).with(file).init();
        }
        Err(error) => {
            tracing_subscriber::registry().with(filter()).with(stderr).init();
            tracing::warn!(%error, dir = %dir.display(), "no log file: the log folder cannot be written");
        }
    }
}

/// Prints an error with its chain of causes, the way a person can act on it.
pub fn fail(error: &dyn std::error::Error) -> ExitCode {
    eprintln!("error: {error}");
    let mut source = error.source();
    while let Some(cause) = source {
        eprintln!("  caused by: {cause}");
        source = cause.source();
    }
    ExitCode::FAILURE
}
