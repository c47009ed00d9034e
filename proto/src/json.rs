//! The OTLP/JSON mapping → the protobuf request types, so one decoder serves every wire.
//!
//! Accepts what exporters really send, as the OTLP spec asks of receivers: lowerCamelCase or original
//! field names; 64-bit integers as strings or numbers; doubles as numbers, integer literals or
//! `"NaN"`/`"Infinity"`; enums as integers or names; trace and span ids as hex (base64 tolerated);
//! unknown fields ignored.

use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{
    AnyValue, ArrayValue, InstrumentationScope, KeyValue, KeyValueList, any_value,
};
use opentelemetry_proto::tonic::logs::v1::{LogRecord, ResourceLogs, ScopeLogs};
use opentelemetry_proto::tonic::metrics::v1::{
    ExponentialHistogram, ExponentialHistogramDataPoint, Gauge, Histogram, HistogramDataPoint, Metric, NumberDataPoint,
    ResourceMetrics, ScopeMetrics, Sum, Summary, SummaryDataPoint, exponential_histogram_data_point, metric,
    number_data_point, summary_data_point,
};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span, Status, span};
use serde_json::{Map, Value};

use base64::Engine as _;

/// Where in the document a value was wrong, and what was wrong with it.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid OTLP/JSON at {path}: {problem}")]
pub struct JsonError {
    pub path: String,
    pub problem: String,
}

type Obj = Map<String, Value>;

/// A step of the path to a value: a field or an index. Every record and attribute is entered on the way, so
/// a step is written out only when an error names it.
#[derive(Clone, Copy)]
enum Step {
    Field(&'static str),
    Index(usize),
}

impl From<&'static str> for Step {
    fn from(name: &'static str) -> Step {
        Step::Field(name)
    }
}

impl From<usize> for Step {
    fn from(index: usize) -> Step {
        Step::Index(index)
    }
}

struct Cursor {
    path: Vec<Step>,
}

impl Cursor {
    fn err(&self, problem: impl Into<String>) -> JsonError {
        let steps: Vec<String> = self
            .path
            .iter()
            .map(|step| match step {
                Step::Field(name) => (*name).to_owned(),
                Step::Index(index) => format!("[{index}]"),
            })
            .collect();
        JsonError { path: if steps.is_empty() { "$".into() } else { steps.join(".") }, problem: problem.into() }
    }

    fn enter<T>(
        &mut self,
        step: impl Into<Step>,
        f: impl FnOnce(&mut Self) -> Result<T, JsonError>,
    ) -> Result<T, JsonError> {
        self.path.push(step.into());
        let result = f(self);
        self.path.pop();
        result
    }
}

/// Looks a field up by its lowerCamelCase name or its original proto name.
fn field<'a>(obj: &'a Obj, camel: &str, snake: &str) -> Option<&'a Value> {
    obj.get(camel).or_else(|| obj.get(snake)).filter(|v| !v.is_null())
}

fn as_obj<'a>(c: &Cursor, value: &'a Value) -> Result<&'a Obj, JsonError> {
    value.as_object().ok_or_else(|| c.err(format!("expected an object, found {}", kind(value))))
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn list<T>(
    c: &mut Cursor,
    obj: &Obj,
    camel: &'static str,
    snake: &str,
    mut each: impl FnMut(&mut Cursor, &Obj) -> Result<T, JsonError>,
) -> Result<Vec<T>, JsonError> {
    let Some(value) = field(obj, camel, snake) else { return Ok(Vec::new()) };
    c.enter(camel, |c| {
        let items = value.as_array().ok_or_else(|| c.err(format!("expected an array, found {}", kind(value))))?;
        items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                c.enter(i, |c| {
                    let obj = as_obj(c, item)?;
                    each(c, obj)
                })
            })
            .collect()
    })
}

fn string(c: &mut Cursor, obj: &Obj, camel: &'static str, snake: &str) -> Result<String, JsonError> {
    match field(obj, camel, snake) {
        None => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => c.enter(camel, |c| Err(c.err(format!("expected a string, found {}", kind(other))))),
    }
}

fn u64_field(c: &mut Cursor, obj: &Obj, camel: &'static str, snake: &str) -> Result<u64, JsonError> {
    match field(obj, camel, snake) {
        None => Ok(0),
        Some(value) => c.enter(camel, |c| parse_u64(c, value)),
    }
}

fn parse_u64(c: &Cursor, value: &Value) -> Result<u64, JsonError> {
    match value {
        Value::Number(n) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < 1.8e19).map(|f| f as u64))
            .ok_or_else(|| c.err(format!("{n} is not an unsigned 64-bit integer"))),
        Value::String(s) => {
            s.trim().parse::<u64>().map_err(|_| c.err(format!("{s:?} is not an unsigned 64-bit integer")))
        }
        other => Err(c.err(format!("expected an integer, found {}", kind(other)))),
    }
}

fn parse_i64(c: &Cursor, value: &Value) -> Result<i64, JsonError> {
    match value {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.2e18).map(|f| f as i64))
            .ok_or_else(|| c.err(format!("{n} is not a 64-bit integer"))),
        Value::String(s) => s.trim().parse::<i64>().map_err(|_| c.err(format!("{s:?} is not a 64-bit integer"))),
        other => Err(c.err(format!("expected an integer, found {}", kind(other)))),
    }
}

fn parse_f64(c: &Cursor, value: &Value) -> Result<f64, JsonError> {
    match value {
        Value::Number(n) => n.as_f64().ok_or_else(|| c.err(format!("{n} is not a number"))),
        Value::String(s) => match s.trim() {
            "NaN" => Ok(f64::NAN),
            "Infinity" => Ok(f64::INFINITY),
            "-Infinity" => Ok(f64::NEG_INFINITY),
            other => other.parse::<f64>().map_err(|_| c.err(format!("{s:?} is not a number"))),
        },
        other => Err(c.err(format!("expected a number, found {}", kind(other)))),
    }
}

fn f64_field(c: &mut Cursor, obj: &Obj, camel: &'static str, snake: &str) -> Result<Option<f64>, JsonError> {
    match field(obj, camel, snake) {
        None => Ok(None),
        Some(value) => c.enter(camel, |c| parse_f64(c, value).map(Some)),
    }
}

fn u32_field(c: &mut Cursor, obj: &Obj, camel: &'static str, snake: &str) -> Result<u32, JsonError> {
    let value = u64_field(c, obj, camel, snake)?;
    u32::try_from(value).map_err(|_| c.err(format!("{camel} {value} does not fit 32 bits")))
}

fn bool_field(c: &mut Cursor, obj: &Obj, camel: &'static str, snake: &str) -> Result<bool, JsonError> {
    match field(obj, camel, snake) {
        None => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => c.enter(camel, |c| Err(c.err(format!("expected a boolean, found {}", kind(other))))),
    }
}

/// An enum as an integer or as its name (`"AGGREGATION_TEMPORALITY_DELTA"`).
fn enum_field(
    c: &mut Cursor,
    obj: &Obj,
    camel: &'static str,
    snake: &str,
    names: &[(&str, i32)],
) -> Result<i32, JsonError> {
    match field(obj, camel, snake) {
        None => Ok(0),
        Some(Value::String(name)) => names
            .iter()
            .find(|(known, _)| known == name)
            .map(|(_, n)| *n)
            .ok_or_else(|| c.err(format!("{camel}: unknown enum name {name:?}"))),
        Some(value) => c.enter(camel, |c| {
            let n = parse_i64(c, value)?;
            i32::try_from(n).map_err(|_| c.err(format!("{n} is out of range for an enum")))
        }),
    }
}

/// Trace and span ids: hex per the OTLP spec; base64 (the generic proto3 mapping) tolerated.
fn id_field(c: &mut Cursor, obj: &Obj, camel: &'static str, snake: &str) -> Result<Vec<u8>, JsonError> {
    let text = string(c, obj, camel, snake)?;
    if text.is_empty() {
        return Ok(Vec::new());
    }
    hex::decode(&text)
        .or_else(|_| base64::engine::general_purpose::STANDARD.decode(&text))
        .map_err(|_| c.err(format!("{camel} {text:?} is neither hex nor base64")))
}

fn key_values(c: &mut Cursor, obj: &Obj, camel: &'static str) -> Result<Vec<KeyValue>, JsonError> {
    list(c, obj, camel, camel, key_value)
}

fn key_value(c: &mut Cursor, kv: &Obj) -> Result<KeyValue, JsonError> {
    let key = string(c, kv, "key", "key")?;
    let value = match field(kv, "value", "value") {
        None => None,
        Some(v) => Some(c.enter("value", |c| any_value(c, as_obj(c, v)?, 0))?),
    };
    Ok(KeyValue { key, value, ..Default::default() })
}

const MAX_DEPTH: usize = 8;

fn any_value(c: &mut Cursor, obj: &Obj, depth: usize) -> Result<AnyValue, JsonError> {
    if depth > MAX_DEPTH {
        return Err(c.err(format!("value nested deeper than {MAX_DEPTH} levels")));
    }
    use any_value::Value as V;
    let value = if let Some(v) = field(obj, "stringValue", "string_value") {
        V::StringValue(v.as_str().ok_or_else(|| c.err("stringValue is not a string"))?.to_owned())
    } else if let Some(v) = field(obj, "boolValue", "bool_value") {
        V::BoolValue(v.as_bool().ok_or_else(|| c.err("boolValue is not a boolean"))?)
    } else if let Some(v) = field(obj, "intValue", "int_value") {
        V::IntValue(c.enter("intValue", |c| parse_i64(c, v))?)
    } else if let Some(v) = field(obj, "doubleValue", "double_value") {
        V::DoubleValue(c.enter("doubleValue", |c| parse_f64(c, v))?)
    } else if let Some(v) = field(obj, "arrayValue", "array_value") {
        let inner = as_obj(c, v)?;
        V::ArrayValue(ArrayValue {
            values: list(c, inner, "values", "values", |c, item| any_value(c, item, depth + 1))?,
        })
    } else if let Some(v) = field(obj, "kvlistValue", "kvlist_value") {
        let inner = as_obj(c, v)?;
        V::KvlistValue(KeyValueList { values: list(c, inner, "values", "values", key_value)? })
    } else if let Some(v) = field(obj, "bytesValue", "bytes_value") {
        let text = v.as_str().ok_or_else(|| c.err("bytesValue is not a string"))?;
        V::BytesValue(
            base64::engine::general_purpose::STANDARD.decode(text).map_err(|_| c.err("bytesValue is not base64"))?,
        )
    } else {
        return Ok(AnyValue { value: None });
    };
    Ok(AnyValue { value: Some(value) })
}

fn resource(c: &mut Cursor, obj: &Obj) -> Result<Option<Resource>, JsonError> {
    let Some(value) = field(obj, "resource", "resource") else { return Ok(None) };
    c.enter("resource", |c| {
        let r = as_obj(c, value)?;
        Ok(Some(Resource {
            attributes: key_values(c, r, "attributes")?,
            dropped_attributes_count: u32_field(c, r, "droppedAttributesCount", "dropped_attributes_count")?,
            ..Default::default()
        }))
    })
}

fn scope(c: &mut Cursor, obj: &Obj) -> Result<Option<InstrumentationScope>, JsonError> {
    let Some(value) = field(obj, "scope", "scope") else { return Ok(None) };
    c.enter("scope", |c| {
        let s = as_obj(c, value)?;
        Ok(Some(InstrumentationScope {
            name: string(c, s, "name", "name")?,
            version: string(c, s, "version", "version")?,
            attributes: key_values(c, s, "attributes")?,
            dropped_attributes_count: u32_field(c, s, "droppedAttributesCount", "dropped_attributes_count")?,
        }))
    })
}

fn root(body: &[u8]) -> Result<Obj, JsonError> {
    let c = Cursor { path: Vec::new() };
    let value: Value = serde_json::from_slice(body).map_err(|e| c.err(format!("not JSON: {e}")))?;
    match value {
        Value::Object(obj) => Ok(obj),
        other => Err(c.err(format!("expected an object, found {}", kind(&other)))),
    }
}

pub fn logs_request(body: &[u8]) -> Result<ExportLogsServiceRequest, JsonError> {
    let obj = root(body)?;
    let c = &mut Cursor { path: Vec::new() };
    let resource_logs = list(c, &obj, "resourceLogs", "resource_logs", |c, rl| {
        Ok(ResourceLogs {
            resource: resource(c, rl)?,
            scope_logs: list(c, rl, "scopeLogs", "scope_logs", |c, sl| {
                Ok(ScopeLogs {
                    scope: scope(c, sl)?,
                    log_records: list(c, sl, "logRecords", "log_records", log_record)?,
                    schema_url: string(c, sl, "schemaUrl", "schema_url")?,
                })
            })?,
            schema_url: string(c, rl, "schemaUrl", "schema_url")?,
        })
    })?;
    Ok(ExportLogsServiceRequest { resource_logs })
}

const SEVERITY_NAMES: &[(&str, i32)] = &[
    ("SEVERITY_NUMBER_UNSPECIFIED", 0),
    ("SEVERITY_NUMBER_TRACE", 1),
    ("SEVERITY_NUMBER_DEBUG", 5),
    ("SEVERITY_NUMBER_INFO", 9),
    ("SEVERITY_NUMBER_WARN", 13),
    ("SEVERITY_NUMBER_ERROR", 17),
    ("SEVERITY_NUMBER_FATAL", 21),
];

fn log_record(c: &mut Cursor, lr: &Obj) -> Result<LogRecord, JsonError> {
    Ok(LogRecord {
        time_unix_nano: u64_field(c, lr, "timeUnixNano", "time_unix_nano")?,
        observed_time_unix_nano: u64_field(c, lr, "observedTimeUnixNano", "observed_time_unix_nano")?,
        severity_number: enum_field(c, lr, "severityNumber", "severity_number", SEVERITY_NAMES)?,
        severity_text: string(c, lr, "severityText", "severity_text")?,
        body: match field(lr, "body", "body") {
            None => None,
            Some(v) => Some(c.enter("body", |c| any_value(c, as_obj(c, v)?, 0))?),
        },
        attributes: key_values(c, lr, "attributes")?,
        dropped_attributes_count: u32_field(c, lr, "droppedAttributesCount", "dropped_attributes_count")?,
        flags: u32_field(c, lr, "flags", "flags")?,
        trace_id: id_field(c, lr, "traceId", "trace_id")?,
        span_id: id_field(c, lr, "spanId", "span_id")?,
        event_name: string(c, lr, "eventName", "event_name")?,
    })
}

const TEMPORALITY_NAMES: &[(&str, i32)] = &[
    ("AGGREGATION_TEMPORALITY_UNSPECIFIED", 0),
    ("AGGREGATION_TEMPORALITY_DELTA", 1),
    ("AGGREGATION_TEMPORALITY_CUMULATIVE", 2),
];

pub fn metrics_request(body: &[u8]) -> Result<ExportMetricsServiceRequest, JsonError> {
    let obj = root(body)?;
    let c = &mut Cursor { path: Vec::new() };
    let resource_metrics = list(c, &obj, "resourceMetrics", "resource_metrics", |c, rm| {
        Ok(ResourceMetrics {
            resource: resource(c, rm)?,
            scope_metrics: list(c, rm, "scopeMetrics", "scope_metrics", |c, sm| {
                Ok(ScopeMetrics {
                    scope: scope(c, sm)?,
                    metrics: list(c, sm, "metrics", "metrics", metric)?,
                    schema_url: string(c, sm, "schemaUrl", "schema_url")?,
                })
            })?,
            schema_url: string(c, rm, "schemaUrl", "schema_url")?,
        })
    })?;
    Ok(ExportMetricsServiceRequest { resource_metrics })
}

fn metric(c: &mut Cursor, m: &Obj) -> Result<Metric, JsonError> {
    let temporality = |c: &mut Cursor, o: &Obj| {
        enum_field(c, o, "aggregationTemporality", "aggregation_temporality", TEMPORALITY_NAMES)
    };
    let data = if let Some(v) = field(m, "sum", "sum") {
        let o = as_obj(c, v)?;
        Some(c.enter("sum", |c| {
            Ok(metric::Data::Sum(Sum {
                data_points: list(c, o, "dataPoints", "data_points", number_point)?,
                aggregation_temporality: temporality(c, o)?,
                is_monotonic: bool_field(c, o, "isMonotonic", "is_monotonic")?,
            }))
        })?)
    } else if let Some(v) = field(m, "gauge", "gauge") {
        let o = as_obj(c, v)?;
        Some(c.enter("gauge", |c| {
            Ok(metric::Data::Gauge(Gauge { data_points: list(c, o, "dataPoints", "data_points", number_point)? }))
        })?)
    } else if let Some(v) = field(m, "histogram", "histogram") {
        let o = as_obj(c, v)?;
        Some(c.enter("histogram", |c| {
            Ok(metric::Data::Histogram(Histogram {
                data_points: list(c, o, "dataPoints", "data_points", histogram_point)?,
                aggregation_temporality: temporality(c, o)?,
            }))
        })?)
    } else if let Some(v) = field(m, "exponentialHistogram", "exponential_histogram") {
        let o = as_obj(c, v)?;
        Some(c.enter("exponentialHistogram", |c| {
            Ok(metric::Data::ExponentialHistogram(ExponentialHistogram {
                data_points: list(c, o, "dataPoints", "data_points", exponential_point)?,
                aggregation_temporality: temporality(c, o)?,
            }))
        })?)
    } else if let Some(v) = field(m, "summary", "summary") {
        let o = as_obj(c, v)?;
        Some(c.enter("summary", |c| {
            Ok(metric::Data::Summary(Summary { data_points: list(c, o, "dataPoints", "data_points", summary_point)? }))
        })?)
    } else {
        None
    };
    Ok(Metric {
        name: string(c, m, "name", "name")?,
        description: string(c, m, "description", "description")?,
        unit: string(c, m, "unit", "unit")?,
        metadata: key_values(c, m, "metadata")?,
        data,
    })
}

fn number_point(c: &mut Cursor, p: &Obj) -> Result<NumberDataPoint, JsonError> {
    let value = if let Some(v) = field(p, "asDouble", "as_double") {
        Some(number_data_point::Value::AsDouble(c.enter("asDouble", |c| parse_f64(c, v))?))
    } else if let Some(v) = field(p, "asInt", "as_int") {
        Some(number_data_point::Value::AsInt(c.enter("asInt", |c| parse_i64(c, v))?))
    } else {
        None
    };
    Ok(NumberDataPoint {
        attributes: key_values(c, p, "attributes")?,
        start_time_unix_nano: u64_field(c, p, "startTimeUnixNano", "start_time_unix_nano")?,
        time_unix_nano: u64_field(c, p, "timeUnixNano", "time_unix_nano")?,
        exemplars: Vec::new(),
        flags: u32_field(c, p, "flags", "flags")?,
        value,
    })
}

fn f64_list(c: &mut Cursor, o: &Obj, camel: &'static str, snake: &str) -> Result<Vec<f64>, JsonError> {
    match field(o, camel, snake) {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => c.enter(camel, |c| items.iter().map(|v| parse_f64(c, v)).collect()),
        Some(other) => Err(c.err(format!("{camel}: expected an array, found {}", kind(other)))),
    }
}

fn u64_list(c: &mut Cursor, o: &Obj, camel: &'static str, snake: &str) -> Result<Vec<u64>, JsonError> {
    match field(o, camel, snake) {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => c.enter(camel, |c| items.iter().map(|v| parse_u64(c, v)).collect()),
        Some(other) => Err(c.err(format!("{camel}: expected an array, found {}", kind(other)))),
    }
}

fn histogram_point(c: &mut Cursor, p: &Obj) -> Result<HistogramDataPoint, JsonError> {
    Ok(HistogramDataPoint {
        attributes: key_values(c, p, "attributes")?,
        start_time_unix_nano: u64_field(c, p, "startTimeUnixNano", "start_time_unix_nano")?,
        time_unix_nano: u64_field(c, p, "timeUnixNano", "time_unix_nano")?,
        count: u64_field(c, p, "count", "count")?,
        sum: f64_field(c, p, "sum", "sum")?,
        bucket_counts: u64_list(c, p, "bucketCounts", "bucket_counts")?,
        explicit_bounds: f64_list(c, p, "explicitBounds", "explicit_bounds")?,
        exemplars: Vec::new(),
        flags: u32_field(c, p, "flags", "flags")?,
        min: f64_field(c, p, "min", "min")?,
        max: f64_field(c, p, "max", "max")?,
    })
}

fn exponential_point(c: &mut Cursor, p: &Obj) -> Result<ExponentialHistogramDataPoint, JsonError> {
    let buckets =
        |c: &mut Cursor, camel: &'static str| -> Result<Option<exponential_histogram_data_point::Buckets>, JsonError> {
            let Some(v) = field(p, camel, camel) else { return Ok(None) };
            let o = as_obj(c, v)?;
            let offset = match field(o, "offset", "offset") {
                None => 0,
                Some(v) => i32::try_from(parse_i64(c, v)?).map_err(|_| c.err("bucket offset out of range"))?,
            };
            Ok(Some(exponential_histogram_data_point::Buckets {
                offset,
                bucket_counts: u64_list(c, o, "bucketCounts", "bucket_counts")?,
            }))
        };
    let scale = match field(p, "scale", "scale") {
        None => 0,
        Some(v) => i32::try_from(parse_i64(c, v)?).map_err(|_| c.err("scale out of range"))?,
    };
    Ok(ExponentialHistogramDataPoint {
        attributes: key_values(c, p, "attributes")?,
        start_time_unix_nano: u64_field(c, p, "startTimeUnixNano", "start_time_unix_nano")?,
        time_unix_nano: u64_field(c, p, "timeUnixNano", "time_unix_nano")?,
        count: u64_field(c, p, "count", "count")?,
        sum: f64_field(c, p, "sum", "sum")?,
        scale,
        zero_count: u64_field(c, p, "zeroCount", "zero_count")?,
        positive: buckets(c, "positive")?,
        negative: buckets(c, "negative")?,
        flags: u32_field(c, p, "flags", "flags")?,
        exemplars: Vec::new(),
        min: f64_field(c, p, "min", "min")?,
        max: f64_field(c, p, "max", "max")?,
        zero_threshold: f64_field(c, p, "zeroThreshold", "zero_threshold")?.unwrap_or(0.0),
    })
}

fn summary_point(c: &mut Cursor, p: &Obj) -> Result<SummaryDataPoint, JsonError> {
    Ok(SummaryDataPoint {
        attributes: key_values(c, p, "attributes")?,
        start_time_unix_nano: u64_field(c, p, "startTimeUnixNano", "start_time_unix_nano")?,
        time_unix_nano: u64_field(c, p, "timeUnixNano", "time_unix_nano")?,
        count: u64_field(c, p, "count", "count")?,
        sum: f64_field(c, p, "sum", "sum")?.unwrap_or(0.0),
        quantile_values: list(c, p, "quantileValues", "quantile_values", |c, q| {
            Ok(summary_data_point::ValueAtQuantile {
                quantile: f64_field(c, q, "quantile", "quantile")?.unwrap_or(0.0),
                value: f64_field(c, q, "value", "value")?.unwrap_or(0.0),
            })
        })?,
        flags: u32_field(c, p, "flags", "flags")?,
    })
}

const SPAN_KIND_NAMES: &[(&str, i32)] = &[
    ("SPAN_KIND_UNSPECIFIED", 0),
    ("SPAN_KIND_INTERNAL", 1),
    ("SPAN_KIND_SERVER", 2),
    ("SPAN_KIND_CLIENT", 3),
    ("SPAN_KIND_PRODUCER", 4),
    ("SPAN_KIND_CONSUMER", 5),
];

const STATUS_CODE_NAMES: &[(&str, i32)] = &[("STATUS_CODE_UNSET", 0), ("STATUS_CODE_OK", 1), ("STATUS_CODE_ERROR", 2)];

pub fn traces_request(body: &[u8]) -> Result<ExportTraceServiceRequest, JsonError> {
    let obj = root(body)?;
    let c = &mut Cursor { path: Vec::new() };
    let resource_spans = list(c, &obj, "resourceSpans", "resource_spans", |c, rs| {
        Ok(ResourceSpans {
            resource: resource(c, rs)?,
            scope_spans: list(c, rs, "scopeSpans", "scope_spans", |c, ss| {
                Ok(ScopeSpans {
                    scope: scope(c, ss)?,
                    spans: list(c, ss, "spans", "spans", span)?,
                    schema_url: string(c, ss, "schemaUrl", "schema_url")?,
                })
            })?,
            schema_url: string(c, rs, "schemaUrl", "schema_url")?,
        })
    })?;
    Ok(ExportTraceServiceRequest { resource_spans })
}

fn span(c: &mut Cursor, s: &Obj) -> Result<Span, JsonError> {
    let status = match field(s, "status", "status") {
        None => None,
        Some(v) => Some(c.enter("status", |c| {
            let o = as_obj(c, v)?;
            Ok(Status {
                message: string(c, o, "message", "message")?,
                code: enum_field(c, o, "code", "code", STATUS_CODE_NAMES)?,
            })
        })?),
    };
    Ok(Span {
        trace_id: id_field(c, s, "traceId", "trace_id")?,
        span_id: id_field(c, s, "spanId", "span_id")?,
        trace_state: string(c, s, "traceState", "trace_state")?,
        parent_span_id: id_field(c, s, "parentSpanId", "parent_span_id")?,
        flags: u32_field(c, s, "flags", "flags")?,
        name: string(c, s, "name", "name")?,
        kind: enum_field(c, s, "kind", "kind", SPAN_KIND_NAMES)?,
        start_time_unix_nano: u64_field(c, s, "startTimeUnixNano", "start_time_unix_nano")?,
        end_time_unix_nano: u64_field(c, s, "endTimeUnixNano", "end_time_unix_nano")?,
        attributes: key_values(c, s, "attributes")?,
        dropped_attributes_count: u32_field(c, s, "droppedAttributesCount", "dropped_attributes_count")?,
        events: list(c, s, "events", "events", |c, e| {
            Ok(span::Event {
                time_unix_nano: u64_field(c, e, "timeUnixNano", "time_unix_nano")?,
                name: string(c, e, "name", "name")?,
                attributes: key_values(c, e, "attributes")?,
                dropped_attributes_count: u32_field(c, e, "droppedAttributesCount", "dropped_attributes_count")?,
            })
        })?,
        dropped_events_count: u32_field(c, s, "droppedEventsCount", "dropped_events_count")?,
        links: list(c, s, "links", "links", |c, l| {
            Ok(span::Link {
                trace_id: id_field(c, l, "traceId", "trace_id")?,
                span_id: id_field(c, l, "spanId", "span_id")?,
                trace_state: string(c, l, "traceState", "trace_state")?,
                attributes: key_values(c, l, "attributes")?,
                dropped_attributes_count: u32_field(c, l, "droppedAttributesCount", "dropped_attributes_count")?,
                flags: u32_field(c, l, "flags", "flags")?,
            })
        })?,
        dropped_links_count: u32_field(c, s, "droppedLinksCount", "dropped_links_count")?,
        status,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_parse_as_integers_or_names_and_ints_as_strings_or_numbers() {
        let body = br#"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[
            {"name":"a","sum":{"aggregationTemporality":"AGGREGATION_TEMPORALITY_CUMULATIVE","isMonotonic":true,
              "dataPoints":[{"asInt":"5","timeUnixNano":"10","startTimeUnixNano":1}]}},
            {"name":"b","sum":{"aggregationTemporality":1,"dataPoints":[{"asDouble":6,"timeUnixNano":11}]}}]}]}]}"#;
        let request = metrics_request(body).unwrap();
        let metrics = &request.resource_metrics[0].scope_metrics[0].metrics;
        let Some(metric::Data::Sum(a)) = &metrics[0].data else { panic!("a is a sum") };
        assert_eq!(a.aggregation_temporality, 2);
        assert_eq!(a.data_points[0].value, Some(number_data_point::Value::AsInt(5)));
        assert_eq!(a.data_points[0].time_unix_nano, 10);
        let Some(metric::Data::Sum(b)) = &metrics[1].data else { panic!("b is a sum") };
        assert_eq!(b.aggregation_temporality, 1);
        assert_eq!(b.data_points[0].value, Some(number_data_point::Value::AsDouble(6.0)));
    }

    #[test]
    fn ids_are_hex_and_errors_name_their_path() {
        let body = br#"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"traceId":"5fb305cd2be35e8992e63cf8a96df85e","spanId":"zz!"}]}]}]}"#;
        let err = logs_request(body).unwrap_err();
        assert_eq!(err.path, "resourceLogs.[0].scopeLogs.[0].logRecords.[0]");
        assert!(err.problem.contains("spanId"), "{err}");
    }

    #[test]
    fn wrong_shapes_are_clear_errors_not_panics() {
        assert!(logs_request(b"[]").unwrap_err().problem.contains("expected an object"));
        assert!(logs_request(b"{\"resourceLogs\":5}").unwrap_err().problem.contains("expected an array"));
        assert!(logs_request(b"{").unwrap_err().problem.contains("not JSON"));
        assert!(
            metrics_request(
                br#"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"sum":{"aggregationTemporality":"BOGUS"}}]}]}]}"#
            )
            .is_err()
        );
        assert_eq!(logs_request(b"{}").unwrap().resource_logs.len(), 0);
    }
}
