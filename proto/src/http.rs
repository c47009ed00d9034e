//! OTLP/HTTP: `POST /v1/{logs,metrics,traces}` with protobuf or JSON bodies, gzip or not, chunked or not.
//!
//! Errors are decided here, at the edge, as the OTLP spec asks: 400 for a body that does not decode,
//! 413 for one too large (before or after gzip), 415 for a content type or encoding we do not speak,
//! 503 with `Retry-After` when the store cannot take the batch now. The answer is encoded like the request.
//!
//! A body over the bound is read on and thrown away (up to a further bound) before the 413 goes out: an
//! exporter writes its whole body before it reads, and a socket closed on unread data is reset, so answering
//! early would reach the client as "connection reset" instead of the 413 that tells it why.

use std::io::Read;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use http_body_util::BodyExt;
use opentelemetry_proto::tonic::collector::logs::v1::{
    ExportLogsPartialSuccess, ExportLogsServiceRequest, ExportLogsServiceResponse,
};
use opentelemetry_proto::tonic::collector::metrics::v1::{
    ExportMetricsPartialSuccess, ExportMetricsServiceRequest, ExportMetricsServiceResponse,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTracePartialSuccess, ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use prost::Message;
use serde_json::json;

use crate::auth::Token;
use crate::export::{Outcome, export};
use crate::model::{Batch, Signal};
use crate::sink::Sink;
use crate::{MAX_BODY_BYTES, MAX_DECODED_BYTES, decode, json as otlp_json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Protobuf,
    Json,
}

/// `google.rpc.Status`, the body of every OTLP/HTTP error answer.
#[derive(Clone, PartialEq, Message)]
struct RpcStatus {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    message: String,
}

/// gRPC codes used in `google.rpc.Status`, per the OTLP/HTTP spec.
const CODE_INVALID_ARGUMENT: i32 = 3;
const CODE_UNAVAILABLE: i32 = 14;
const CODE_UNAUTHENTICATED: i32 = 16;

struct Failure {
    status: StatusCode,
    message: String,
}

impl Failure {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Failure { status, message: message.into() }
    }

    fn into_response(self, encoding: Encoding) -> Response {
        let code = match self.status {
            StatusCode::SERVICE_UNAVAILABLE => CODE_UNAVAILABLE,
            StatusCode::UNAUTHORIZED => CODE_UNAUTHENTICATED,
            _ => CODE_INVALID_ARGUMENT,
        };
        tracing::debug!(status = %self.status, message = %self.message, "OTLP/HTTP request refused");
        let mut response = match encoding {
            Encoding::Json => (
                self.status,
                [(header::CONTENT_TYPE, "application/json")],
                json!({"code": code, "message": self.message}).to_string(),
            )
                .into_response(),
            Encoding::Protobuf => (
                self.status,
                [(header::CONTENT_TYPE, "application/x-protobuf")],
                RpcStatus { code, message: self.message }.encode_to_vec(),
            )
                .into_response(),
        };
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        if self.status == StatusCode::PAYLOAD_TOO_LARGE {
            // What is left of an oversized body is not read: the connection cannot carry another request.
            response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// What every request handler needs: where batches go, and the token they must carry (if any).
#[derive(Clone)]
pub struct Receiver {
    sink: Arc<dyn Sink>,
    token: Option<Token>,
}

pub fn router(sink: Arc<dyn Sink>, token: Option<Token>) -> Router {
    Router::new()
        .route("/v1/logs", post(|s: State<Receiver>, h: HeaderMap, b: Body| handle(s, h, b, Signal::Logs)))
        .route("/v1/metrics", post(|s: State<Receiver>, h: HeaderMap, b: Body| handle(s, h, b, Signal::Metrics)))
        .route("/v1/traces", post(|s: State<Receiver>, h: HeaderMap, b: Body| handle(s, h, b, Signal::Traces)))
        .with_state(Receiver { sink, token })
}

/// Most bytes read and thrown away past [`MAX_BODY_BYTES`] so that the client reads its 413; beyond that (or
/// after [`DISCARD_TIME`]) the connection is closed on it.
const MAX_DISCARDED_BYTES: usize = 256 * 1024 * 1024;
const DISCARD_TIME: std::time::Duration = std::time::Duration::from_secs(30);

/// The body, chunked or not, if it is within [`MAX_BODY_BYTES`].
async fn read_body(headers: &HeaderMap, mut body: Body) -> Result<Bytes, Failure> {
    let too_large =
        || Failure::new(StatusCode::PAYLOAD_TOO_LARGE, format!("body over {} MiB", MAX_BODY_BYTES / (1024 * 1024)));
    let declared = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > (MAX_BODY_BYTES + MAX_DISCARDED_BYTES) as u64) {
        return Err(too_large());
    }
    let mut kept = Vec::with_capacity(declared.map_or(64 * 1024, |n| n as usize).min(MAX_BODY_BYTES));
    let mut seen = 0usize;
    let unreadable = |e: axum::Error| Failure::new(StatusCode::BAD_REQUEST, format!("body could not be read: {e}"));
    while seen <= MAX_BODY_BYTES {
        let Some(frame) = body.frame().await else { return Ok(kept.into()) };
        if let Ok(data) = frame.map_err(unreadable)?.into_data() {
            seen += data.len();
            if seen <= MAX_BODY_BYTES {
                kept.extend_from_slice(&data);
            }
        }
    }
    drop(kept);
    let discard = async {
        while let Some(Ok(frame)) = body.frame().await {
            seen += frame.data_ref().map_or(0, Bytes::len);
            if seen > MAX_BODY_BYTES + MAX_DISCARDED_BYTES {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(DISCARD_TIME, discard).await;
    Err(too_large())
}

fn encoding_of(headers: &HeaderMap) -> Result<Encoding, Failure> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    match essence.as_str() {
        "application/x-protobuf" | "application/protobuf" => Ok(Encoding::Protobuf),
        "application/json" => Ok(Encoding::Json),
        "" => Err(Failure::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "missing Content-Type: send application/x-protobuf or application/json",
        )),
        other => Err(Failure::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("unsupported Content-Type {other:?}: send application/x-protobuf or application/json"),
        )),
    }
}

fn decompress(headers: &HeaderMap, body: Bytes) -> Result<Bytes, Failure> {
    let coding = headers.get(header::CONTENT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or("identity");
    match coding.trim().to_ascii_lowercase().as_str() {
        "" | "identity" => Ok(body),
        "gzip" | "x-gzip" => {
            let mut decoded = Vec::with_capacity(body.len() * 4);
            // Read one byte past the bound: if it arrives, the body inflates beyond what we accept.
            let read = flate2::read::MultiGzDecoder::new(body.as_ref())
                .take(MAX_DECODED_BYTES as u64 + 1)
                .read_to_end(&mut decoded)
                .map_err(|e| Failure::new(StatusCode::BAD_REQUEST, format!("gzip body does not decompress: {e}")))?;
            if read > MAX_DECODED_BYTES {
                return Err(Failure::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!("body inflates beyond {} MiB", MAX_DECODED_BYTES / (1024 * 1024)),
                ));
            }
            Ok(decoded.into())
        }
        other => Err(Failure::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("unsupported Content-Encoding {other:?}: send gzip or identity"),
        )),
    }
}

/// The body's records; with `keep`, the request too ([`Batch::request`]): a protobuf body as it came, a JSON one
/// encoded in protobuf.
fn decode_body(signal: Signal, encoding: Encoding, body: &Bytes, keep: bool) -> Result<Batch, Failure> {
    let now = chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0);
    let bad = |e: String| Failure::new(StatusCode::BAD_REQUEST, e);
    let invalid = |e: prost::DecodeError| bad(format!("invalid OTLP protobuf: {e}"));
    let (mut batch, json_request) = match (signal, encoding) {
        (Signal::Logs, Encoding::Protobuf) => {
            (decode::decode_logs(&ExportLogsServiceRequest::decode(body.as_ref()).map_err(invalid)?, now), None)
        }
        (Signal::Logs, Encoding::Json) => {
            let request = otlp_json::logs_request(body).map_err(|e| bad(e.to_string()))?;
            (decode::decode_logs(&request, now), keep.then(|| Bytes::from(request.encode_to_vec())))
        }
        (Signal::Metrics, Encoding::Protobuf) => {
            (decode::decode_metrics(&ExportMetricsServiceRequest::decode(body.as_ref()).map_err(invalid)?), None)
        }
        (Signal::Metrics, Encoding::Json) => {
            let request = otlp_json::metrics_request(body).map_err(|e| bad(e.to_string()))?;
            (decode::decode_metrics(&request), keep.then(|| Bytes::from(request.encode_to_vec())))
        }
        (Signal::Traces, Encoding::Protobuf) => {
            (decode::decode_traces(&ExportTraceServiceRequest::decode(body.as_ref()).map_err(invalid)?), None)
        }
        (Signal::Traces, Encoding::Json) => {
            let request = otlp_json::traces_request(body).map_err(|e| bad(e.to_string()))?;
            (decode::decode_traces(&request), keep.then(|| Bytes::from(request.encode_to_vec())))
        }
    };
    if keep {
        batch.request = json_request.or_else(|| Some(body.clone()));
    }
    Ok(batch)
}

async fn handle(State(receiver): State<Receiver>, headers: HeaderMap, body: Body, signal: Signal) -> Response {
    let Receiver { sink, token } = receiver;
    // The body is read (bounded) before any answer, a refusal decided from the headers included: a client still
    // sending it then reads the answer instead of a reset connection.
    let body = read_body(&headers, body).await;
    let encoding = match encoding_of(&headers) {
        Ok(encoding) => encoding,
        Err(failure) => return failure.into_response(Encoding::Json),
    };
    let authorization = headers.get(header::AUTHORIZATION).map(HeaderValue::as_bytes);
    if !crate::auth::allows(token.as_ref(), authorization) {
        let message = "missing or wrong bearer token: set OTEL_EXPORTER_OTLP_HEADERS=\"Authorization=Bearer <token>\"";
        return Failure::new(StatusCode::UNAUTHORIZED, message).into_response(encoding);
    }
    let result = async {
        let body = decompress(&headers, body?)?;
        let batch = decode_body(signal, encoding, &body, sink.keeps_requests())?;
        export(sink.as_ref(), batch).await.map_err(|e| Failure::new(StatusCode::SERVICE_UNAVAILABLE, e.to_string()))
    }
    .await;
    match result {
        Ok(outcome) => success(signal, encoding, outcome),
        Err(failure) => failure.into_response(encoding),
    }
}

fn success(signal: Signal, encoding: Encoding, outcome: Outcome) -> Response {
    let partial = outcome.rejected > 0 || !outcome.message.is_empty();
    match encoding {
        Encoding::Json => {
            let count_key = match signal {
                Signal::Logs => "rejectedLogRecords",
                Signal::Metrics => "rejectedDataPoints",
                Signal::Traces => "rejectedSpans",
            };
            // int64 as a string, as the OTLP/JSON mapping writes it.
            let body = if partial {
                json!({"partialSuccess": {count_key: outcome.rejected.to_string(), "errorMessage": outcome.message}})
            } else {
                json!({})
            };
            (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
        }
        Encoding::Protobuf => {
            let rejected = outcome.rejected as i64;
            let message = outcome.message;
            let bytes = match signal {
                Signal::Logs => ExportLogsServiceResponse {
                    partial_success: partial
                        .then_some(ExportLogsPartialSuccess { rejected_log_records: rejected, error_message: message }),
                }
                .encode_to_vec(),
                Signal::Metrics => ExportMetricsServiceResponse {
                    partial_success: partial.then_some(ExportMetricsPartialSuccess {
                        rejected_data_points: rejected,
                        error_message: message,
                    }),
                }
                .encode_to_vec(),
                Signal::Traces => ExportTraceServiceResponse {
                    partial_success: partial
                        .then_some(ExportTracePartialSuccess { rejected_spans: rejected, error_message: message }),
                }
                .encode_to_vec(),
            };
            (StatusCode::OK, [(header::CONTENT_TYPE, "application/x-protobuf")], bytes).into_response()
        }
    }
}
