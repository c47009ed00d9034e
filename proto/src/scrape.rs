//! The Prometheus scrape endpoint, `GET /metrics`: the wire only. What it answers is rendered by the caller (the
//! store's totals, `ccmeter_core::read::prometheus`) on a blocking thread, at each scrape: nothing is kept in
//! memory between scrapes and nothing runs between them.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::auth::{Token, allows};

/// The exposition text of one scrape, or why it cannot be read now.
pub type Render = Arc<dyn Fn() -> Result<String, String> + Send + Sync>;

/// The text format's content type (version 0.0.4), which every Prometheus reads.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

#[derive(Clone)]
struct Scrape {
    render: Render,
    token: Option<Token>,
}

/// Serves `/metrics` until `cancel` fires. With a token, a scrape must carry it (`Authorization: Bearer …`,
/// Prometheus's `authorization: { credentials: … }`).
pub async fn serve_metrics(
    listener: TcpListener,
    render: Render,
    token: Option<Token>,
    cancel: CancellationToken,
) -> std::io::Result<()> {
    let router = Router::new().route("/metrics", get(scrape)).with_state(Scrape { render, token });
    axum::serve(listener, router).with_graceful_shutdown(cancel.cancelled_owned()).await
}

async fn scrape(State(scrape): State<Scrape>, headers: HeaderMap) -> Response {
    let authorization = headers.get(header::AUTHORIZATION).map(|value| value.as_bytes());
    if !allows(scrape.token.as_ref(), authorization) {
        return (StatusCode::UNAUTHORIZED, "a scrape of ccmeter needs its token: Authorization: Bearer <TOKEN>\n")
            .into_response();
    }
    let render = scrape.render.clone();
    match tokio::task::spawn_blocking(move || render()).await {
        Ok(Ok(text)) => ([(header::CONTENT_TYPE, CONTENT_TYPE)], text).into_response(),
        Ok(Err(reason)) => {
            (StatusCode::SERVICE_UNAVAILABLE, format!("ccmeter cannot read its totals now: {reason}\n")).into_response()
        }
        Err(error) => {
            (StatusCode::INTERNAL_SERVER_ERROR, format!("ccmeter failed to read its totals: {error}\n")).into_response()
        }
    }
}
