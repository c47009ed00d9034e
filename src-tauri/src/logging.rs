//! Logging and error reporting shared by the app and the headless collector.

use std::process::ExitCode;

use tracing_subscriber::EnvFilter;

pub fn init_logging() {
    // The HTTP/2 and gRPC stacks are chatty at debug; our own logs are what a user reads.
    let filter = EnvFilter::try_from_env("CCMETER_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,h2=warn,hyper=warn,tonic=warn,tower=warn"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false).init();
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
