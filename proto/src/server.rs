//! Binding is separate from serving: tests bind port 0 and ask for the address, the app reports a busy
//! port before anything else starts, and each protocol can fail to bind without taking the other down.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::auth::Token;
use crate::sink::Sink;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Grpc,
    Http,
    /// The Prometheus scrape endpoint (`/metrics`), not OTLP but bound by the same rules.
    Metrics,
}

impl Protocol {
    pub fn label(self) -> &'static str {
        match self {
            Protocol::Grpc => "OTLP/gRPC",
            Protocol::Http => "OTLP/HTTP",
            Protocol::Metrics => "the Prometheus endpoint",
        }
    }

    pub fn flag(self) -> &'static str {
        match self {
            Protocol::Grpc => "--grpc",
            Protocol::Http => "--http",
            Protocol::Metrics => "--metrics",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BindError {
    #[error(
        "cannot listen for {} on {addr}: the port is already in use. Another collector (an OpenTelemetry Collector, Docker stack or a second ccmeter) is probably running: stop it, or pass {} with another address such as 127.0.0.1:0",
        protocol.label(), protocol.flag()
    )]
    InUse { protocol: Protocol, addr: SocketAddr },
    #[error("cannot listen for {} on {addr}: {source}", protocol.label())]
    Io { protocol: Protocol, addr: SocketAddr, source: std::io::Error },
    #[error(
        "refusing to listen for {} on {addr} without a token: that address is reachable from other machines, which could then write to your cost history. Listen on 127.0.0.1, or pass --token <TOKEN> (or set CCMETER_TOKEN) and give Claude Code OTEL_EXPORTER_OTLP_HEADERS=\"Authorization=Bearer <TOKEN>\"",
        protocol.label()
    )]
    NeedsToken { protocol: Protocol, addr: SocketAddr },
}

/// Binds `addr`; an address beyond loopback only with a token (checked before anything is bound).
pub async fn bind(protocol: Protocol, addr: SocketAddr, token: Option<&Token>) -> Result<TcpListener, BindError> {
    if !addr.ip().is_loopback() && token.is_none() {
        return Err(BindError::NeedsToken { protocol, addr });
    }
    TcpListener::bind(addr).await.map_err(|source| match source.kind() {
        std::io::ErrorKind::AddrInUse => BindError::InUse { protocol, addr },
        _ => BindError::Io { protocol, addr, source },
    })
}

/// Serves OTLP/gRPC until `cancel` fires, then finishes the requests in flight. With a token, every
/// export must carry it (`authorization: Bearer …`).
pub async fn serve_grpc(
    listener: TcpListener,
    sink: Arc<dyn Sink>,
    token: Option<Token>,
    cancel: CancellationToken,
) -> std::io::Result<()> {
    let incoming = tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true));
    crate::grpc::router(sink, token)
        .serve_with_incoming_shutdown(incoming, cancel.cancelled_owned())
        .await
        .map_err(std::io::Error::other)
}

/// Serves OTLP/HTTP until `cancel` fires, then finishes the requests in flight. With a token, every
/// request must carry it (`Authorization: Bearer …`).
pub async fn serve_http(
    listener: TcpListener,
    sink: Arc<dyn Sink>,
    token: Option<Token>,
    cancel: CancellationToken,
) -> std::io::Result<()> {
    axum::serve(listener, crate::http::router(sink, token)).with_graceful_shutdown(cancel.cancelled_owned()).await
}
