//! OTLP/gRPC: the three collector services from opentelemetry-proto, gzip accepted and sent.

use std::sync::Arc;

use opentelemetry_proto::tonic::collector::logs::v1::logs_service_server::{LogsService, LogsServiceServer};
use opentelemetry_proto::tonic::collector::logs::v1::{
    ExportLogsPartialSuccess, ExportLogsServiceRequest, ExportLogsServiceResponse,
};
use opentelemetry_proto::tonic::collector::metrics::v1::metrics_service_server::{
    MetricsService, MetricsServiceServer,
};
use opentelemetry_proto::tonic::collector::metrics::v1::{
    ExportMetricsPartialSuccess, ExportMetricsServiceRequest, ExportMetricsServiceResponse,
};
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{TraceService, TraceServiceServer};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTracePartialSuccess, ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use tonic::codec::CompressionEncoding;
use tonic::{Request, Response, Status};

use crate::auth::Token;
use crate::decode;
use crate::export::{Outcome, export};
use crate::sink::{Sink, SinkError};
use tonic::service::interceptor::InterceptedService;

#[derive(Clone)]
pub struct Receiver {
    sink: Arc<dyn Sink>,
}

fn now_ns() -> i64 {
    chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0)
}

fn status(error: SinkError) -> Status {
    Status::unavailable(error.to_string())
}

fn rejected(outcome: &Outcome) -> bool {
    outcome.rejected > 0 || !outcome.message.is_empty()
}

#[tonic::async_trait]
impl LogsService for Receiver {
    async fn export(
        &self,
        request: Request<ExportLogsServiceRequest>,
    ) -> Result<Response<ExportLogsServiceResponse>, Status> {
        let batch = decode::decode_logs(request.get_ref(), now_ns());
        let outcome = export(self.sink.as_ref(), batch).await.map_err(status)?;
        Ok(Response::new(ExportLogsServiceResponse {
            partial_success: rejected(&outcome).then_some(ExportLogsPartialSuccess {
                rejected_log_records: outcome.rejected as i64,
                error_message: outcome.message,
            }),
        }))
    }
}

#[tonic::async_trait]
impl MetricsService for Receiver {
    async fn export(
        &self,
        request: Request<ExportMetricsServiceRequest>,
    ) -> Result<Response<ExportMetricsServiceResponse>, Status> {
        let batch = decode::decode_metrics(request.get_ref());
        let outcome = export(self.sink.as_ref(), batch).await.map_err(status)?;
        Ok(Response::new(ExportMetricsServiceResponse {
            partial_success: rejected(&outcome).then_some(ExportMetricsPartialSuccess {
                rejected_data_points: outcome.rejected as i64,
                error_message: outcome.message,
            }),
        }))
    }
}

#[tonic::async_trait]
impl TraceService for Receiver {
    async fn export(
        &self,
        request: Request<ExportTraceServiceRequest>,
    ) -> Result<Response<ExportTraceServiceResponse>, Status> {
        let batch = decode::decode_traces(request.get_ref());
        let outcome = export(self.sink.as_ref(), batch).await.map_err(status)?;
        Ok(Response::new(ExportTraceServiceResponse {
            partial_success: rejected(&outcome).then_some(ExportTracePartialSuccess {
                rejected_spans: outcome.rejected as i64,
                error_message: outcome.message,
            }),
        }))
    }
}

/// The gRPC router with the three services, each bounded in message size (tonic applies the bound
/// after gzip is undone, so a gzip bomb is refused too) and, with a token, guarded by it.
pub fn router(sink: Arc<dyn Sink>, token: Option<Token>) -> tonic::transport::server::Router {
    let receiver = Receiver { sink };
    let limit = crate::MAX_DECODED_BYTES;
    let guard = move |request: Request<()>| {
        let authorization = request.metadata().get("authorization").map(|v| v.as_bytes());
        if crate::auth::allows(token.as_ref(), authorization) {
            Ok(request)
        } else {
            Err(Status::unauthenticated(
                "missing or wrong bearer token: set OTEL_EXPORTER_OTLP_HEADERS=\"Authorization=Bearer <token>\"",
            ))
        }
    };
    tonic::transport::Server::builder()
        .add_service(InterceptedService::new(
            LogsServiceServer::new(receiver.clone())
                .accept_compressed(CompressionEncoding::Gzip)
                .send_compressed(CompressionEncoding::Gzip)
                .max_decoding_message_size(limit),
            guard.clone(),
        ))
        .add_service(InterceptedService::new(
            MetricsServiceServer::new(receiver.clone())
                .accept_compressed(CompressionEncoding::Gzip)
                .send_compressed(CompressionEncoding::Gzip)
                .max_decoding_message_size(limit),
            guard.clone(),
        ))
        .add_service(InterceptedService::new(
            TraceServiceServer::new(receiver)
                .accept_compressed(CompressionEncoding::Gzip)
                .send_compressed(CompressionEncoding::Gzip)
                .max_decoding_message_size(limit),
            guard,
        ))
}
