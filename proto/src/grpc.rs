//! OTLP/gRPC: the three collector services' `Export` methods, gzip accepted and sent.
//!
//! The services are served here rather than by opentelemetry-proto's generated servers so that the codec is
//! ours: a message that does not decode is the client's fault and answers `INVALID_ARGUMENT`, as the OTLP
//! spec asks (tonic's stock codec answers `INTERNAL`, which tells an exporter the receiver broke).

use std::convert::Infallible;
use std::marker::PhantomData;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Buf;
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
use tonic::codec::{Codec, CompressionEncoding, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::codegen::{Body, BoxFuture, Service, StdError, http};
use tonic::server::{Grpc, NamedService, UnaryService};
use tonic::service::interceptor::InterceptedService;
use tonic::{Request, Status};

use crate::auth::Token;
use crate::decode;
use crate::export::{Outcome, export};
use crate::model::Batch;
use crate::sink::{Sink, SinkError};

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

/// One signal's collector service: its name, its messages, how a request becomes a batch and an outcome an
/// answer.
trait ExportMethod: Send + Sync + 'static {
    const SERVICE: &'static str;
    const PATH: &'static str;
    type Request: Message + Default + Send + 'static;
    type Response: Message + Send + 'static;
    fn decode(request: &Self::Request) -> Batch;
    fn answer(outcome: Outcome) -> Self::Response;
}

struct Logs;
struct Metrics;
struct Traces;

impl ExportMethod for Logs {
    const SERVICE: &'static str = "opentelemetry.proto.collector.logs.v1.LogsService";
    const PATH: &'static str = "/opentelemetry.proto.collector.logs.v1.LogsService/Export";
    type Request = ExportLogsServiceRequest;
    type Response = ExportLogsServiceResponse;
    fn decode(request: &Self::Request) -> Batch {
        decode::decode_logs(request, now_ns())
    }
    fn answer(outcome: Outcome) -> Self::Response {
        ExportLogsServiceResponse {
            partial_success: rejected(&outcome).then_some(ExportLogsPartialSuccess {
                rejected_log_records: outcome.rejected as i64,
                error_message: outcome.message,
            }),
        }
    }
}

impl ExportMethod for Metrics {
    const SERVICE: &'static str = "opentelemetry.proto.collector.metrics.v1.MetricsService";
    const PATH: &'static str = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";
    type Request = ExportMetricsServiceRequest;
    type Response = ExportMetricsServiceResponse;
    fn decode(request: &Self::Request) -> Batch {
        decode::decode_metrics(request)
    }
    fn answer(outcome: Outcome) -> Self::Response {
        ExportMetricsServiceResponse {
            partial_success: rejected(&outcome).then_some(ExportMetricsPartialSuccess {
                rejected_data_points: outcome.rejected as i64,
                error_message: outcome.message,
            }),
        }
    }
}

impl ExportMethod for Traces {
    const SERVICE: &'static str = "opentelemetry.proto.collector.trace.v1.TraceService";
    const PATH: &'static str = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
    type Request = ExportTraceServiceRequest;
    type Response = ExportTraceServiceResponse;
    fn decode(request: &Self::Request) -> Batch {
        decode::decode_traces(request)
    }
    fn answer(outcome: Outcome) -> Self::Response {
        ExportTraceServiceResponse {
            partial_success: rejected(&outcome).then_some(ExportTracePartialSuccess {
                rejected_spans: outcome.rejected as i64,
                error_message: outcome.message,
            }),
        }
    }
}

/// Protobuf both ways; a request that does not decode is `INVALID_ARGUMENT`. With `keep`, the request's own
/// bytes come along (gzip undone), to be forwarded as they came.
struct OtlpCodec<M> {
    keep: bool,
    method: PhantomData<fn() -> M>,
}

/// A decoded request and, when kept, its bytes.
struct Received<R> {
    message: R,
    bytes: Option<bytes::Bytes>,
}

impl<M: ExportMethod> Codec for OtlpCodec<M> {
    type Encode = M::Response;
    type Decode = Received<M::Request>;
    type Encoder = ResponseEncoder<M>;
    type Decoder = RequestDecoder<M>;

    fn encoder(&mut self) -> Self::Encoder {
        ResponseEncoder(PhantomData)
    }

    fn decoder(&mut self) -> Self::Decoder {
        RequestDecoder { keep: self.keep, method: PhantomData }
    }
}

struct ResponseEncoder<M>(PhantomData<fn() -> M>);

impl<M: ExportMethod> Encoder for ResponseEncoder<M> {
    type Item = M::Response;
    type Error = Status;

    fn encode(&mut self, item: Self::Item, buf: &mut EncodeBuf<'_>) -> Result<(), Status> {
        item.encode(buf).map_err(|e| Status::internal(format!("the answer does not encode: {e}")))
    }
}

struct RequestDecoder<M> {
    keep: bool,
    method: PhantomData<fn() -> M>,
}

impl<M: ExportMethod> Decoder for RequestDecoder<M> {
    type Item = Received<M::Request>;
    type Error = Status;

    fn decode(&mut self, buf: &mut DecodeBuf<'_>) -> Result<Option<Self::Item>, Status> {
        let invalid =
            |e: prost::DecodeError| Status::invalid_argument(format!("invalid OTLP protobuf in {}: {e}", M::PATH));
        if self.keep {
            let bytes = buf.copy_to_bytes(buf.remaining());
            let message = M::Request::decode(bytes.clone()).map_err(invalid)?;
            return Ok(Some(Received { message, bytes: Some(bytes) }));
        }
        Ok(Some(Received { message: M::Request::decode(buf).map_err(invalid)?, bytes: None }))
    }
}

/// The method's handler: decode, store, answer once committed.
struct Handler<M> {
    sink: Arc<dyn Sink>,
    method: PhantomData<fn() -> M>,
}

impl<M: ExportMethod> UnaryService<Received<M::Request>> for Handler<M> {
    type Response = M::Response;
    type Future = BoxFuture<tonic::Response<M::Response>, Status>;

    fn call(&mut self, request: Request<Received<M::Request>>) -> Self::Future {
        let sink = Arc::clone(&self.sink);
        Box::pin(async move {
            let received = request.into_inner();
            let mut batch = M::decode(&received.message);
            batch.request = received.bytes;
            let outcome = export(sink.as_ref(), batch).await.map_err(status)?;
            Ok(tonic::Response::new(M::answer(outcome)))
        })
    }
}

/// One collector service as tonic's router serves it.
struct ExportService<M> {
    receiver: Receiver,
    method: PhantomData<fn() -> M>,
}

impl<M> Clone for ExportService<M> {
    fn clone(&self) -> Self {
        ExportService { receiver: self.receiver.clone(), method: PhantomData }
    }
}

impl<M: ExportMethod> NamedService for ExportService<M> {
    const NAME: &'static str = M::SERVICE;
}

impl<M, B> Service<http::Request<B>> for ExportService<M>
where
    M: ExportMethod,
    B: Body + Send + 'static,
    B::Error: Into<StdError> + Send + 'static,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    type Future = BoxFuture<Self::Response, Infallible>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let sink = Arc::clone(&self.receiver.sink);
        Box::pin(async move {
            if request.uri().path() != M::PATH {
                let method = request.uri().path().to_owned();
                return Ok(Status::unimplemented(format!("no method {method}: OTLP services have Export")).into_http());
            }
            // tonic applies the size bound after gzip is undone, so a gzip bomb is refused too.
            let codec = OtlpCodec::<M> { keep: sink.keeps_requests(), method: PhantomData };
            let mut grpc = Grpc::new(codec)
                .accept_compressed(CompressionEncoding::Gzip)
                .send_compressed(CompressionEncoding::Gzip)
                .max_decoding_message_size(crate::MAX_DECODED_BYTES);
            Ok(grpc.unary(Handler::<M> { sink, method: PhantomData }, request).await)
        })
    }
}

fn service<M: ExportMethod>(receiver: &Receiver) -> ExportService<M> {
    ExportService { receiver: receiver.clone(), method: PhantomData }
}

/// The gRPC router with the three services, each bounded in message size and, with a token, guarded by it.
pub fn router(sink: Arc<dyn Sink>, token: Option<Token>) -> tonic::transport::server::Router {
    let receiver = Receiver { sink };
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
        .add_service(InterceptedService::new(service::<Logs>(&receiver), guard.clone()))
        .add_service(InterceptedService::new(service::<Metrics>(&receiver), guard.clone()))
        .add_service(InterceptedService::new(service::<Traces>(&receiver), guard))
}
