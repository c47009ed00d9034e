//! Where decoded batches go. The receiver knows only this trait; the store implements it.

use std::future::Future;
use std::pin::Pin;

use crate::model::Batch;

/// What the sink did with a batch it accepted: records it refused on its own account (beyond the ones
/// the decoder already rejected).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stored {
    pub rejected: u64,
    pub message: Option<String>,
}

/// Why a batch could not be stored *now*. Both answer OTLP "unavailable" (gRPC UNAVAILABLE, HTTP 503),
/// which tells the exporter to retry the same batch later: nothing is lost.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum SinkError {
    #[error("ccmeter's store is busy with earlier batches; retry shortly")]
    Busy,
    #[error("ccmeter could not store the batch: {reason}")]
    Unavailable { reason: String },
}

pub type SinkFuture = Pin<Box<dyn Future<Output = Result<Stored, SinkError>> + Send>>;

/// Accepts a batch and resolves only once it is durably stored (the receiver acknowledges after that).
pub trait Sink: Send + Sync + 'static {
    fn ingest(&self, batch: Batch) -> SinkFuture;

    /// Whether batches should carry the export request they came in ([`Batch::request`]): asked of each
    /// request, so forwarding turned on or off applies to the next one. Keeping costs a copy (gRPC) or an
    /// encoding (JSON); a sink that forwards nothing asks for none.
    fn keeps_requests(&self) -> bool {
        false
    }
}
