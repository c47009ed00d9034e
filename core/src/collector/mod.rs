//! The receiver and the store running together, with the retention setting enforced: what `ccmeter serve`
//! runs headless (`headless`) and the tray app runs inside. No GUI dependency: `ccmeter`, which runs both,
//! links no GTK or WebKit.

pub mod headless;
pub mod pickup;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use ccmeter_proto::{BindError, Protocol, Token};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::Store;
use crate::store::settings;
use crate::words::settings::Settings;

/// One receiver's state: where it listens, or why it cannot.
pub type Listening = Result<SocketAddr, BindError>;

pub struct Collector {
    pub store: Store,
    /// The database file the store is on.
    pub db: PathBuf,
    pub grpc: Listening,
    pub http: Listening,
    /// The Prometheus endpoint, when one was asked for (`serve --metrics ADDR`).
    pub metrics: Option<Listening>,
    /// The serving tasks; each ends when `cancel` fires (or with the error that stopped it).
    pub tasks: JoinSet<(Protocol, std::io::Result<()>)>,
}

/// Opens the store and starts whichever receivers can bind. A receiver that cannot bind is reported in
/// its `Listening`, and the other one still runs: the tray app stays up and says why.
///
/// An address not given (`None`) is the one saved in the settings, else the OTLP standard port. An address
/// beyond loopback needs a `token`; with one, both receivers require it of every export. `metrics`: where to
/// serve the store's totals to Prometheus (`/metrics`), else the saved setting, else nowhere; under the same rule.
pub async fn start(
    db: &Path,
    grpc: Option<SocketAddr>,
    http: Option<SocketAddr>,
    metrics: Option<SocketAddr>,
    token: Option<Token>,
    cancel: &CancellationToken,
) -> Result<Collector, crate::StoreError> {
    let store = Store::open(db)?;
    let saved = store.reader().and_then(|conn| settings::load(&conn)).unwrap_or_else(|error| {
        tracing::warn!(%error, "cannot read the saved settings; listening on the standard ports");
        Settings::default()
    });
    let or_saved = |flag: Option<SocketAddr>, saved: &str, standard: &str| {
        flag.or_else(|| saved.parse().ok())
            .or_else(|| standard.parse().ok())
            .unwrap_or(SocketAddr::from(([127, 0, 0, 1], 0)))
    };
    let defaults = Settings::default();
    let grpc = or_saved(grpc, &saved.grpc_addr, &defaults.grpc_addr);
    let http = or_saved(http, &saved.http_addr, &defaults.http_addr);
    let metrics = metrics.or_else(|| saved.metrics_addr.as_deref().and_then(|addr| addr.parse().ok()));
    let sink = crate::write::writer::sink(&store);
    let mut tasks = JoinSet::new();
    let store_for_scrapes = store.clone();
    let mut listen = async |protocol: Protocol, addr: SocketAddr| -> Listening {
        let listener = ccmeter_proto::bind(protocol, addr, token.as_ref()).await?;
        let bound = listener.local_addr().map_err(|source| BindError::Io { protocol, addr, source })?;
        let (sink, token, cancel) = (sink.clone(), token.clone(), cancel.clone());
        let store_for_scrapes = store_for_scrapes.clone();
        tasks.spawn(async move {
            let result = match protocol {
                Protocol::Grpc => ccmeter_proto::serve_grpc(listener, sink, token, cancel).await,
                Protocol::Http => ccmeter_proto::serve_http(listener, sink, token, cancel).await,
                Protocol::Metrics => {
                    ccmeter_proto::serve_metrics(listener, totals(&store_for_scrapes), token, cancel).await
                }
            };
            (protocol, result)
        });
        Ok(bound)
    };
    let grpc = listen(Protocol::Grpc, grpc).await;
    let http = listen(Protocol::Http, http).await;
    let metrics = match metrics {
        Some(addr) => Some(listen(Protocol::Metrics, addr).await),
        None => None,
    };
    tokio::spawn(enforce_retention(store.clone(), cancel.clone()));
    Ok(Collector { store, db: db.to_owned(), grpc, http, metrics, tasks })
}

/// A scrape's answer: the store's totals read afresh, labelled with this computer's name.
fn totals(store: &Store) -> ccmeter_proto::scrape::Render {
    let store = store.clone();
    let machine = gethostname::gethostname().to_string_lossy().into_owned();
    std::sync::Arc::new(move || {
        let conn = store.reader().map_err(|error| error.to_string())?;
        crate::read::prometheus::exposition(&conn, &machine).map_err(|error| error.to_string())
    })
}

/// Prunes the records the retention setting no longer keeps (their rollups stay): at start, then after each
/// local midnight. (Saving a
/// shorter retention in the Settings window applies it at once as well.)
async fn enforce_retention(store: Store, cancel: CancellationToken) {
    loop {
        let ctx = crate::TimeContext::system();
        let days = store.reader().and_then(|conn| settings::load(&conn)).map(|s| s.retention_days);
        match days {
            Ok(Some(days)) => {
                let now = ctx.clone();
                match store.exec(move |tx| crate::write::delete::prune_details_older_than(tx, &now, days)).await {
                    Ok(deleted) if deleted != crate::write::delete::Deleted::default() => {
                        tracing::info!(?deleted, days, "pruned records older than the retention");
                    }
                    Ok(_) => {}
                    Err(error) => tracing::warn!(%error, "cannot apply the retention setting"),
                }
            }
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "cannot read the retention setting"),
        }
        let today = ctx.today();
        let midnight = ctx.start_of_day(today.succ_opt().unwrap_or(today));
        let wait = (midnight - ctx.now()).to_std().unwrap_or_default() + std::time::Duration::from_secs(60);
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = cancel.cancelled() => return,
        }
    }
}
