//! OTLP export requests (protobuf types, whichever wire they came from) → typed records.
//!
//! A record that cannot be understood is rejected with a reason and the rest of the request is kept.

use std::sync::Arc;

use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::logs::v1::LogRecord;
use opentelemetry_proto::tonic::metrics::v1::{AggregationTemporality, NumberDataPoint, metric, number_data_point};
use opentelemetry_proto::tonic::resource::v1::Resource as ProtoResource;
use serde_json::{Value, json};

use crate::attrs::{any_to_json, get_bool, get_f64, get_i64, get_str, get_string, to_attributes};
use crate::model::*;

const CLAUDE_CODE_EVENT_PREFIX: &str = "claude_code.";
const CLAUDE_CODE_EVENT_SCOPE: &str = "com.anthropic.claude_code.events";

fn resource(proto: Option<&ProtoResource>) -> Result<Arc<Resource>, String> {
    let attributes = proto.map(|r| to_attributes(&r.attributes)).transpose()?.unwrap_or_default();
    Ok(Arc::new(Resource { attributes }))
}

/// OTLP times are u64 nanoseconds; the store keeps i64. Zero means "not set".
fn time_ns(raw: u64) -> Result<Option<i64>, String> {
    match raw {
        0 => Ok(None),
        t => i64::try_from(t).map(Some).map_err(|_| format!("timestamp {t} is out of range")),
    }
}

fn session_id(attrs: &Attributes, resource: &Resource) -> Option<String> {
    get_string(attrs, "session.id").or_else(|| get_string(&resource.attributes, "session.id"))
}

pub fn decode_logs(request: &ExportLogsServiceRequest, received_ns: i64) -> Batch {
    let mut batch = Batch::new(Signal::Logs);
    for resource_logs in &request.resource_logs {
        let resource = match resource(resource_logs.resource.as_ref()) {
            Ok(resource) => resource,
            Err(reason) => {
                let count: usize = resource_logs.scope_logs.iter().map(|s| s.log_records.len()).sum();
                batch.rejected.extend((0..count).map(|_| Rejection { reason: format!("resource: {reason}") }));
                continue;
            }
        };
        for scope_logs in &resource_logs.scope_logs {
            let scope_is_claude_code = scope_logs.scope.as_ref().is_some_and(|s| s.name == CLAUDE_CODE_EVENT_SCOPE);
            for record in &scope_logs.log_records {
                match decode_log_record(record, &resource, scope_is_claude_code, received_ns) {
                    Ok(event) => batch.events.push(event),
                    Err(reason) => batch.rejected.push(Rejection { reason }),
                }
            }
        }
    }
    batch
}

fn decode_log_record(
    record: &LogRecord,
    resource: &Arc<Resource>,
    scope_is_claude_code: bool,
    received_ns: i64,
) -> Result<Event, String> {
    let attributes = to_attributes(&record.attributes)?;
    let body = record.body.as_ref().map(|b| any_to_json(b, 0)).transpose()?.filter(|b| !b.is_null());
    let body_name = body.as_ref().and_then(Value::as_str).and_then(|b| b.strip_prefix(CLAUDE_CODE_EVENT_PREFIX));
    let field_name = (!record.event_name.is_empty()).then_some(record.event_name.as_str());
    let is_claude_code = body_name.is_some()
        || field_name.is_some_and(|n| n.starts_with(CLAUDE_CODE_EVENT_PREFIX))
        || scope_is_claude_code;
    let short_name = get_str(&attributes, "event.name")
        .map(|n| n.strip_prefix(CLAUDE_CODE_EVENT_PREFIX).unwrap_or(n))
        .or(body_name)
        .or_else(|| field_name.map(|n| n.strip_prefix(CLAUDE_CODE_EVENT_PREFIX).unwrap_or(n)))
        .unwrap_or("log");
    let name = EventName::parse(short_name, is_claude_code);

    let event_timestamp = get_str(&attributes, "event.timestamp")
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .and_then(|t| t.timestamp_nanos_opt());
    let own_time = time_ns(record.time_unix_nano)?.or(event_timestamp).or(time_ns(record.observed_time_unix_nano)?);

    let detail = if name.is_claude_code() { event_detail(&name, &attributes)? } else { EventDetail::None };
    let severity = (!record.severity_text.is_empty())
        .then(|| record.severity_text.clone())
        .or_else(|| (record.severity_number != 0).then(|| record.severity_number.to_string()));

    Ok(Event {
        time_ns: own_time.unwrap_or(received_ns),
        time_received: own_time.is_none(),
        session_id: session_id(&attributes, resource),
        sequence: get_i64(&attributes, "event.sequence"),
        prompt_id: get_string(&attributes, "prompt.id"),
        name,
        detail,
        body,
        severity,
        trace_id: (!record.trace_id.is_empty()).then(|| hex::encode(&record.trace_id)),
        span_id: (!record.span_id.is_empty()).then(|| hex::encode(&record.span_id)),
        attributes,
        resource: Arc::clone(resource),
    })
}

/// A count that must be a whole, non-negative number when present.
fn count(attrs: &Attributes, key: &str) -> Result<Option<i64>, String> {
    if !attrs.contains_key(key) {
        return Ok(None);
    }
    match get_i64(attrs, key) {
        Some(n) if n >= 0 => Ok(Some(n)),
        Some(n) => Err(format!("{key} is negative ({n})")),
        None => Err(format!("{key} is not a whole number ({})", attrs[key])),
    }
}

fn event_detail(name: &EventName, attrs: &Attributes) -> Result<EventDetail, String> {
    Ok(match name {
        EventName::ApiRequest => {
            let (cost, cost_from_micros) = match (attrs.contains_key("cost_usd"), count(attrs, "cost_usd_micros")?) {
                (true, _) => {
                    let usd = get_f64(attrs, "cost_usd")
                        .ok_or_else(|| format!("cost_usd is not a number ({})", attrs["cost_usd"]))?;
                    (Nanos::from_usd(usd)?, false)
                }
                (false, Some(micros)) => (Nanos::from_usd(micros as f64 / 1e6)?, true),
                (false, None) => (Nanos(0), false),
            };
            EventDetail::ApiRequest(ApiRequest {
                model: get_string(attrs, "model"),
                request_id: get_string(attrs, "request_id"),
                cost,
                cost_from_micros,
                tokens: Tokens {
                    input: count(attrs, "input_tokens")?.unwrap_or(0),
                    output: count(attrs, "output_tokens")?.unwrap_or(0),
                    cache_read: count(attrs, "cache_read_tokens")?.unwrap_or(0),
                    cache_creation: count(attrs, "cache_creation_tokens")?.unwrap_or(0),
                },
                duration_ms: get_i64(attrs, "duration_ms"),
                ttft_ms: get_i64(attrs, "ttft_ms"),
                cache_creation_5m: count(attrs, "cache_creation_5m_tokens")?,
                cache_creation_1h: count(attrs, "cache_creation_1h_tokens")?,
                query_source: get_string(attrs, "query_source"),
                agent_id: get_string(attrs, "agent_id"),
                agent_name: get_string(attrs, "agent.name"),
                cost_kind: CostKind::Reported,
            })
        }
        EventName::ApiError => EventDetail::ApiError(ApiError {
            model: get_string(attrs, "model"),
            status_code: get_i64(attrs, "status_code"),
            duration_ms: get_i64(attrs, "duration_ms"),
            query_source: get_string(attrs, "query_source"),
        }),
        EventName::ToolResult => EventDetail::ToolResult(ToolResult {
            tool_name: get_string(attrs, "tool_name"),
            success: get_bool(attrs, "success"),
            duration_ms: get_i64(attrs, "duration_ms"),
            decision: get_string(attrs, "decision_type").or_else(|| get_string(attrs, "decision")),
        }),
        EventName::ToolDecision => EventDetail::ToolDecision(ToolDecision {
            tool_name: get_string(attrs, "tool_name"),
            decision: get_string(attrs, "decision"),
            source: get_string(attrs, "source"),
        }),
        EventName::UserPrompt => EventDetail::UserPrompt(UserPrompt { prompt_length: get_i64(attrs, "prompt_length") }),
        _ => EventDetail::None,
    })
}

pub fn decode_metrics(request: &ExportMetricsServiceRequest) -> Batch {
    let mut batch = Batch::new(Signal::Metrics);
    for resource_metrics in &request.resource_metrics {
        let resource = match resource(resource_metrics.resource.as_ref()) {
            Ok(resource) => resource,
            Err(reason) => {
                let count: usize =
                    resource_metrics.scope_metrics.iter().flat_map(|s| &s.metrics).map(point_count).sum();
                batch.rejected.extend((0..count).map(|_| Rejection { reason: format!("resource: {reason}") }));
                continue;
            }
        };
        for scope_metrics in &resource_metrics.scope_metrics {
            for metric in &scope_metrics.metrics {
                decode_metric(metric, &resource, &mut batch);
            }
        }
    }
    batch
}

fn point_count(metric: &opentelemetry_proto::tonic::metrics::v1::Metric) -> usize {
    match &metric.data {
        Some(metric::Data::Sum(s)) => s.data_points.len(),
        Some(metric::Data::Gauge(g)) => g.data_points.len(),
        Some(metric::Data::Histogram(h)) => h.data_points.len(),
        Some(metric::Data::ExponentialHistogram(h)) => h.data_points.len(),
        Some(metric::Data::Summary(s)) => s.data_points.len(),
        None => 0,
    }
}

fn temporality(raw: i32) -> Temporality {
    match AggregationTemporality::try_from(raw) {
        Ok(AggregationTemporality::Delta) => Temporality::Delta,
        Ok(AggregationTemporality::Cumulative) => Temporality::Cumulative,
        _ => Temporality::Unspecified,
    }
}

fn decode_metric(
    metric: &opentelemetry_proto::tonic::metrics::v1::Metric,
    resource: &Arc<Resource>,
    batch: &mut Batch,
) {
    let name = MetricName::parse(&metric.name);
    let mut push = |start: u64,
                    time: u64,
                    attributes: &[opentelemetry_proto::tonic::common::v1::KeyValue],
                    kind: PointKind,
                    temporality: Temporality,
                    value: Result<f64, String>,
                    detail: Option<Value>| {
        let point = (|| {
            let value = value?;
            let attributes = to_attributes(attributes)?;
            let time_ns = time_ns(time)?.ok_or("data point has no time")?;
            let start_ns = time_ns_or(start, time_ns)?;
            if name.is_claude_code() {
                validate_claude_code_value(&name, kind, value)?;
            }
            Ok::<_, String>(MetricPoint {
                session_id: session_id(&attributes, resource),
                metric: name.clone(),
                kind,
                temporality,
                unit: metric.unit.clone(),
                start_ns,
                time_ns,
                value,
                attributes,
                detail,
                resource: Arc::clone(resource),
            })
        })();
        match point {
            Ok(point) => batch.points.push(point),
            Err(reason) => batch.rejected.push(Rejection { reason: format!("{}: {reason}", metric.name) }),
        }
    };
    match &metric.data {
        Some(metric::Data::Sum(sum)) => {
            let kind = PointKind::Sum { monotonic: sum.is_monotonic };
            for p in &sum.data_points {
                push(
                    p.start_time_unix_nano,
                    p.time_unix_nano,
                    &p.attributes,
                    kind,
                    temporality(sum.aggregation_temporality),
                    number(p),
                    None,
                );
            }
        }
        Some(metric::Data::Gauge(gauge)) => {
            for p in &gauge.data_points {
                push(
                    p.start_time_unix_nano,
                    p.time_unix_nano,
                    &p.attributes,
                    PointKind::Gauge,
                    Temporality::Unspecified,
                    number(p),
                    None,
                );
            }
        }
        Some(metric::Data::Histogram(histogram)) => {
            for p in &histogram.data_points {
                let detail = json!({"count": p.count, "bucket_counts": p.bucket_counts, "explicit_bounds": p.explicit_bounds, "min": p.min, "max": p.max});
                push(
                    p.start_time_unix_nano,
                    p.time_unix_nano,
                    &p.attributes,
                    PointKind::Histogram,
                    temporality(histogram.aggregation_temporality),
                    Ok(p.sum.unwrap_or(0.0)),
                    Some(detail),
                );
            }
        }
        Some(metric::Data::ExponentialHistogram(histogram)) => {
            for p in &histogram.data_points {
                let detail =
                    json!({"count": p.count, "scale": p.scale, "zero_count": p.zero_count, "min": p.min, "max": p.max});
                push(
                    p.start_time_unix_nano,
                    p.time_unix_nano,
                    &p.attributes,
                    PointKind::ExponentialHistogram,
                    temporality(histogram.aggregation_temporality),
                    Ok(p.sum.unwrap_or(0.0)),
                    Some(detail),
                );
            }
        }
        Some(metric::Data::Summary(summary)) => {
            for p in &summary.data_points {
                let quantiles: Vec<Value> =
                    p.quantile_values.iter().map(|q| json!({"quantile": q.quantile, "value": q.value})).collect();
                push(
                    p.start_time_unix_nano,
                    p.time_unix_nano,
                    &p.attributes,
                    PointKind::Summary,
                    Temporality::Cumulative,
                    Ok(p.sum),
                    Some(json!({"count": p.count, "quantiles": quantiles})),
                );
            }
        }
        None => batch.rejected.push(Rejection { reason: format!("{}: metric has no data", metric.name) }),
    }
}

fn time_ns_or(raw: u64, fallback: i64) -> Result<i64, String> {
    Ok(time_ns(raw)?.unwrap_or(fallback))
}

fn number(point: &NumberDataPoint) -> Result<f64, String> {
    match point.value {
        Some(number_data_point::Value::AsDouble(d)) => Ok(d),
        Some(number_data_point::Value::AsInt(i)) => Ok(i as f64),
        None => Err("data point has no value".into()),
    }
}

/// Claude Code's metrics are monotonic counters of money, tokens, lines and seconds: anything not a
/// finite, non-negative, plausible number is corrupt and must not reach a total.
fn validate_claude_code_value(name: &MetricName, kind: PointKind, value: f64) -> Result<(), String> {
    if !value.is_finite() {
        return Err(format!("value {value} is not a finite number"));
    }
    if matches!(kind, PointKind::Sum { monotonic: true }) && value < 0.0 {
        return Err(format!("monotonic sum has a negative value ({value})"));
    }
    if *name == MetricName::CostUsage {
        Nanos::from_usd(value)?;
    }
    if value * name.scale() > 9.0e15 {
        return Err(format!("value {value} is implausibly large"));
    }
    Ok(())
}

pub fn decode_traces(request: &ExportTraceServiceRequest) -> Batch {
    let mut batch = Batch::new(Signal::Traces);
    for resource_spans in &request.resource_spans {
        let resource = match resource(resource_spans.resource.as_ref()) {
            Ok(resource) => resource,
            Err(reason) => {
                let count: usize = resource_spans.scope_spans.iter().map(|s| s.spans.len()).sum();
                batch.rejected.extend((0..count).map(|_| Rejection { reason: format!("resource: {reason}") }));
                continue;
            }
        };
        for scope_spans in &resource_spans.scope_spans {
            for span in &scope_spans.spans {
                let decoded = (|| {
                    if span.trace_id.len() != 16 || span.span_id.len() != 8 {
                        return Err(format!("span {:?} has an invalid trace or span id", span.name));
                    }
                    let attributes = to_attributes(&span.attributes)?;
                    let start_ns = time_ns(span.start_time_unix_nano)?.ok_or("span has no start time")?;
                    let end_ns = time_ns(span.end_time_unix_nano)?.unwrap_or(start_ns);
                    Ok(Span {
                        trace_id: hex::encode(&span.trace_id),
                        span_id: hex::encode(&span.span_id),
                        parent_span_id: (!span.parent_span_id.is_empty()).then(|| hex::encode(&span.parent_span_id)),
                        name: span.name.clone(),
                        start_ns,
                        end_ns,
                        session_id: session_id(&attributes, &resource),
                        status_code: span.status.as_ref().map(|s| s.code).unwrap_or(0),
                        status_message: span.status.as_ref().map(|s| s.message.clone()).filter(|m| !m.is_empty()),
                        attributes,
                        resource: Arc::clone(&resource),
                    })
                })();
                match decoded {
                    Ok(span) => batch.spans.push(span),
                    Err(reason) => batch.rejected.push(Rejection { reason }),
                }
            }
        }
    }
    batch
}
