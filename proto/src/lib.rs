//! ccmeter's wire: OTLP receivers (gRPC on 4317, HTTP on 4318) and the decoding of Claude Code's
//! telemetry into typed records. Knows nothing of SQLite or windows: it hands batches to a [`Sink`].

pub mod attrs;
pub mod auth;
pub mod decode;
mod export;
pub mod grpc;
pub mod http;
pub mod json;
pub mod model;
pub mod scrape;
pub mod server;
pub mod sink;

pub use auth::{Token, TokenError};
pub use model::*;
pub use scrape::serve_metrics;
pub use server::{BindError, Protocol, bind, serve_grpc, serve_http};
pub use sink::{Sink, SinkError, SinkFuture, Stored};

/// Re-exported so tests and benchmarks build requests with the exact types the receiver decodes.
pub use opentelemetry_proto;

/// Largest request body accepted on the wire (compressed), and largest after gzip is undone.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
pub const MAX_DECODED_BYTES: usize = 64 * 1024 * 1024;
