//! The one path every protocol shares: decoded batch → sink → what to tell the exporter.

use crate::model::Batch;
use crate::sink::{Sink, SinkError};

/// The OTLP answer to a request that was understood: how many records were refused, and why.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub rejected: u64,
    pub message: String,
}

/// How many rejection reasons the answer spells out; the count covers them all.
const REASONS_SHOWN: usize = 3;

pub async fn export(sink: &dyn Sink, mut batch: Batch) -> Result<Outcome, SinkError> {
    let decode_rejections = std::mem::take(&mut batch.rejected);
    let stored = if batch.record_count() > 0 { sink.ingest(batch).await? } else { Default::default() };
    let mut reasons: Vec<String> = decode_rejections.iter().take(REASONS_SHOWN).map(|r| r.reason.clone()).collect();
    if decode_rejections.len() > REASONS_SHOWN {
        reasons.push(format!("and {} more", decode_rejections.len() - REASONS_SHOWN));
    }
    reasons.extend(stored.message);
    if !decode_rejections.is_empty() {
        tracing::warn!(rejected = decode_rejections.len(), first = %decode_rejections[0].reason, "records rejected");
    }
    Ok(Outcome { rejected: decode_rejections.len() as u64 + stored.rejected, message: reasons.join("; ") })
}
