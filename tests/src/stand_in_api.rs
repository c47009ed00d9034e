//! A local stand-in for the Anthropic Messages API, enough for the real Claude Code CLI to run a `-p` prompt
//! offline: `POST /v1/messages` (streamed as server-sent events, or plain JSON), `/v1/messages/count_tokens`,
//! and a 404 for anything else. Every answer's usage is scripted and recorded, so a test can hold ccmeter's
//! tokens and cost to exactly what was served.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

/// One answer's usage, as the API reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Usage {
    pub input: i64,
    pub output: i64,
    pub cache_read: i64,
    pub cache_creation: i64,
}

/// An answer the stand-in served: the model it was asked for and the usage it reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Served {
    pub model: String,
    pub usage: Usage,
}

/// The running stand-in; it stops with the test's runtime.
pub struct StandInApi {
    pub addr: SocketAddr,
    served: Arc<Mutex<Vec<Served>>>,
}

impl StandInApi {
    /// Listens on an ephemeral loopback port.
    pub async fn start() -> StandInApi {
        let served = Arc::new(Mutex::new(Vec::new()));
        let app = Router::new()
            .route("/v1/messages", post(messages))
            .route("/v1/messages/count_tokens", post(count_tokens))
            .fallback(not_found)
            .with_state(Arc::clone(&served));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the stand-in API");
        let addr = listener.local_addr().expect("address");
        tokio::spawn(async move { axum::serve(listener, app).await.expect("stand-in API") });
        StandInApi { addr, served }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What it has served so far, in order.
    pub fn served(&self) -> Vec<Served> {
        self.served.lock().expect("served").clone()
    }
}

/// The n-th answer's usage: every kind of token, different each time, so a miscounted one shows.
fn usage_of(n: usize) -> Usage {
    let n = n as i64;
    Usage { input: 7 + n, output: 41 + 3 * n, cache_read: 1_536 + 1_000 * n, cache_creation: 2_048 + 16 * n }
}

fn usage_json(usage: Usage, output: i64) -> Value {
    json!({
        "input_tokens": usage.input,
        "output_tokens": output,
        "cache_read_input_tokens": usage.cache_read,
        "cache_creation_input_tokens": usage.cache_creation,
    })
}

fn event(name: &str, data: Value) -> String {
    format!("event: {name}\ndata: {data}\n\n")
}

async fn messages(State(served): State<Arc<Mutex<Vec<Served>>>>, body: Bytes) -> Response {
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return error(StatusCode::BAD_REQUEST, "invalid_request_error", "body is not JSON");
    };
    let model = request["model"].as_str().unwrap_or("claude-sonnet-4-5").to_owned();
    let usage = {
        let mut served = served.lock().expect("served");
        let usage = usage_of(served.len());
        served.push(Served { model: model.clone(), usage });
        usage
    };
    let id = format!("msg_standin_{:016x}", rand_id());
    let text = "Hello from the stand-in API.";
    if request["stream"].as_bool() != Some(true) {
        let answer = json!({
            "id": id, "type": "message", "role": "assistant", "model": model,
            "content": [{"type": "text", "text": text}], "stop_reason": "end_turn", "stop_sequence": null,
            "usage": usage_json(usage, usage.output),
        });
        return (StatusCode::OK, request_id(), [(header::CONTENT_TYPE, "application/json")], answer.to_string())
            .into_response();
    }
    let mut stream = String::new();
    stream += &event(
        "message_start",
        json!({"type": "message_start", "message": {"id": id, "type": "message", "role": "assistant", "model": model,
            "content": [], "stop_reason": null, "stop_sequence": null, "usage": usage_json(usage, 1)}}),
    );
    stream += &event("ping", json!({"type": "ping"}));
    stream += &event(
        "content_block_start",
        json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
    );
    stream += &event(
        "content_block_delta",
        json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text}}),
    );
    stream += &event("content_block_stop", json!({"type": "content_block_stop", "index": 0}));
    stream += &event(
        "message_delta",
        json!({"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": null},
            "usage": usage_json(usage, usage.output)}),
    );
    stream += &event("message_stop", json!({"type": "message_stop"}));
    (StatusCode::OK, request_id(), [(header::CONTENT_TYPE, "text/event-stream; charset=utf-8")], stream).into_response()
}

async fn count_tokens(body: Bytes) -> Response {
    let tokens = (body.len() / 4).max(1);
    (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], json!({"input_tokens": tokens}).to_string())
        .into_response()
}

async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "not_found_error", "not served by the stand-in API")
}

fn error(status: StatusCode, kind: &str, message: &str) -> Response {
    let body = json!({"type": "error", "error": {"type": kind, "message": message}});
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

/// The `request-id` header Claude Code reports as an api_request's `request_id`.
fn request_id() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("request-id", format!("req_standin_{:016x}", rand_id()).parse().expect("header"));
    headers
}

/// Unique enough for ids within one test run.
fn rand_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
    nanos ^ NEXT.fetch_add(0x9e37_79b9_7f4a_7c15, Ordering::Relaxed)
}
