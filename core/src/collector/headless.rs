//! `ccmeter serve`: the collector headless, until Ctrl-C or SIGTERM; a receiver that cannot listen is fatal.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use ccmeter_proto::Protocol;
use tokio_util::sync::CancellationToken;

use super::pickup::{self, SPOOL_TAKEN_EVERY};

/// How long a stop waits for the requests in flight before it closes the connections still open.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(3);
use crate::Store;

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Store(#[from] crate::StoreError),
    #[error(transparent)]
    Bind(#[from] ccmeter_proto::BindError),
    #[error("the {protocol} receiver stopped: {source}", protocol = protocol.label())]
    Serve { protocol: Protocol, source: std::io::Error },
    #[error("a receiver task failed: {0}")]
    Task(tokio::task::JoinError),
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
}

pub fn run(
    db: &Path,
    grpc: Option<SocketAddr>,
    http: Option<SocketAddr>,
    metrics: Option<SocketAddr>,
    token: Option<ccmeter_proto::Token>,
) -> Result<(), ServeError> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(ServeError::Runtime)?;
    runtime.block_on(async {
        let cancel = CancellationToken::new();
        let collector = super::start(db, grpc, http, metrics, token, &cancel).await?;
        // Headless, a receiver that cannot listen is fatal: there is no tray to say why.
        let grpc_addr = collector.grpc?;
        let http_addr = collector.http?;
        let metrics = match collector.metrics {
            Some(listening) => format!(" metrics={}", listening?),
            None => String::new(),
        };
        // Handlers first: a signal sent as soon as the "listening" line is read must already be caught.
        let shutdown = shutdown_signal().map_err(ServeError::Runtime)?;
        tracing::info!(%grpc_addr, %http_addr, db = %db.display(), "ccmeter is listening");
        // One line on stdout that scripts (and the tests) can read the bound addresses from.
        println!("ccmeter listening: grpc={grpc_addr} http={http_addr}{metrics} db={}", db.display());
        tokio::spawn(pick_up(collector.store.clone(), db.to_owned(), cancel.clone()));

        let mut tasks = collector.tasks;
        // A receiver that stops on its own is an error; a signal is a clean stop.
        let early = tokio::select! {
            () = shutdown => None,
            Some(finished) = tasks.join_next() => Some(finished),
        };
        cancel.cancel();
        if let Some(finished) = early {
            return Err(serve_error(finished));
        }
        tracing::info!("shutting down: finishing requests in flight");
        // An exporter keeps its connection open between exports (Claude Code's does, for as long as it runs): the
        // requests in flight get a moment, the idle connections do not hold the stop up. Every acknowledged
        // record is committed already.
        let drained = tokio::time::timeout(SHUTDOWN_GRACE, async {
            while let Some(finished) = tasks.join_next().await {
                if !matches!(finished, Ok((_, Ok(())))) {
                    return Err(serve_error(finished));
                }
            }
            Ok(())
        })
        .await;
        match drained {
            Ok(result) => result?,
            Err(_) => {
                tracing::info!(grace = ?SHUTDOWN_GRACE, "clients still connected after the grace period: closing them");
                tasks.abort_all();
            }
        }
        tracing::info!("stopped");
        Ok(())
    })
}

/// The status line's spool and Claude Code's transcripts, as the tray app takes them in. With no socket here for
/// a status line run to hand its snapshot over, its spool is taken every few seconds instead of once at start.
async fn pick_up(store: Store, db: PathBuf, cancel: CancellationToken) {
    if let Some(dir) = crate::transcripts::projects_dir() {
        tokio::spawn(pickup::follow_transcripts(store.clone(), dir, cancel.clone(), || {}));
    }
    loop {
        pickup::take_spool(&store, &db).await;
        tokio::select! {
            () = tokio::time::sleep(SPOOL_TAKEN_EVERY) => {}
            () = cancel.cancelled() => return,
        }
    }
}

fn serve_error(finished: Result<(Protocol, std::io::Result<()>), tokio::task::JoinError>) -> ServeError {
    match finished {
        Ok((protocol, Ok(()))) => {
            ServeError::Serve { protocol, source: std::io::Error::other("it stopped unexpectedly") }
        }
        Ok((protocol, Err(source))) => ServeError::Serve { protocol, source },
        Err(join) => ServeError::Task(join),
    }
}

/// Registers SIGINT and SIGTERM now and resolves when either arrives.
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}
