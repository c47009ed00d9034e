//! OTLP attribute values as JSON, and lenient readers for them.
//!
//! Claude Code's types lie: `tool_result` sends numbers and booleans as strings, OTLP/JSON turns doubles
//! into integer literals. The readers here parse what is meant, whatever the wire type.

use base64::Engine as _;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use serde_json::{Number, Value};

use crate::model::Attributes;

/// Longest attribute string kept: a runaway value must not bloat the store (Claude Code truncates its own
/// long values far below this).
pub const MAX_STRING_LEN: usize = 64 * 1024;
/// Most attributes kept on one record.
pub const MAX_ATTRIBUTES: usize = 256;
/// Deepest nesting of arrays and key-value lists.
const MAX_DEPTH: usize = 8;

/// Converts a protobuf attribute list. Too many attributes or too long values are an error for the
/// record, not something silently cut.
pub fn to_attributes(list: &[KeyValue]) -> Result<Attributes, String> {
    if list.len() > MAX_ATTRIBUTES {
        return Err(format!("{} attributes on one record (limit {MAX_ATTRIBUTES})", list.len()));
    }
    let mut out = Attributes::new();
    for kv in list {
        let value = kv.value.as_ref().map(|v| any_to_json(v, 0)).transpose()?.unwrap_or(Value::Null);
        out.insert(kv.key.clone(), value);
    }
    Ok(out)
}

pub fn any_to_json(value: &AnyValue, depth: usize) -> Result<Value, String> {
    if depth > MAX_DEPTH {
        return Err(format!("attribute nested deeper than {MAX_DEPTH} levels"));
    }
    let Some(inner) = &value.value else { return Ok(Value::Null) };
    Ok(match inner {
        any_value::Value::StringValue(s) => {
            if s.len() > MAX_STRING_LEN {
                return Err(format!("attribute string of {} bytes (limit {MAX_STRING_LEN})", s.len()));
            }
            Value::String(s.clone())
        }
        any_value::Value::BoolValue(b) => Value::Bool(*b),
        any_value::Value::IntValue(i) => Value::Number((*i).into()),
        // JSON has no NaN or infinity: keep their spelling so nothing is lost.
        any_value::Value::DoubleValue(d) => {
            Number::from_f64(*d).map(Value::Number).unwrap_or_else(|| Value::String(d.to_string()))
        }
        any_value::Value::ArrayValue(array) => {
            Value::Array(array.values.iter().map(|v| any_to_json(v, depth + 1)).collect::<Result<_, _>>()?)
        }
        any_value::Value::KvlistValue(list) => {
            let mut map = Attributes::new();
            for kv in &list.values {
                let v = kv.value.as_ref().map(|v| any_to_json(v, depth + 1)).transpose()?.unwrap_or(Value::Null);
                map.insert(kv.key.clone(), v);
            }
            Value::Object(map)
        }
        any_value::Value::BytesValue(bytes) => Value::String(base64::engine::general_purpose::STANDARD.encode(bytes)),
        // Profiling-only references to a string table; nothing Claude Code sends.
        any_value::Value::StringValueStrindex(index) => Value::Number((*index).into()),
    })
}

pub fn get_str<'a>(attrs: &'a Attributes, key: &str) -> Option<&'a str> {
    match attrs.get(key)? {
        Value::String(s) if !s.is_empty() => Some(s),
        _ => None,
    }
}

pub fn get_string(attrs: &Attributes, key: &str) -> Option<String> {
    get_str(attrs, key).map(str::to_owned)
}

/// A number whatever it was sent as: int, double or a string holding either.
pub fn get_f64(attrs: &Attributes, key: &str) -> Option<f64> {
    match attrs.get(key)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
}

/// An integer whatever it was sent as; a double counts only when it is whole.
pub fn get_i64(attrs: &Attributes, key: &str) -> Option<i64> {
    match attrs.get(key)? {
        Value::Number(n) => {
            n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15).map(|f| f as i64))
        }
        Value::String(s) => {
            let s = s.trim();
            s.parse::<i64>()
                .ok()
                .or_else(|| s.parse::<f64>().ok().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15).map(|f| f as i64))
        }
        _ => None,
    }
}

/// A boolean sent as a bool or as `"true"`/`"false"`/`"1"`/`"0"`.
pub fn get_bool(attrs: &Attributes, key: &str) -> Option<bool> {
    match attrs.get(key)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Some(true),
            "false" | "0" | "no" => Some(false),
            _ => None,
        },
        Value::Number(n) => n.as_i64().map(|i| i != 0),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn attrs(value: Value) -> Attributes {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn numbers_sent_as_strings_ints_or_doubles_all_parse() {
        let a = attrs(json!({"s": " 1234 ", "i": 7, "d": 3.0, "frac": 2.5, "bad": "x", "sd": "2.0"}));
        assert_eq!(get_i64(&a, "s"), Some(1234));
        assert_eq!(get_i64(&a, "i"), Some(7));
        assert_eq!(get_i64(&a, "d"), Some(3));
        assert_eq!(get_i64(&a, "sd"), Some(2));
        assert_eq!(get_i64(&a, "frac"), None);
        assert_eq!(get_i64(&a, "bad"), None);
        assert_eq!(get_f64(&a, "frac"), Some(2.5));
        assert_eq!(get_f64(&a, "s"), Some(1234.0));
    }

    #[test]
    fn booleans_sent_as_strings_parse() {
        let a = attrs(json!({"t": "true", "f": "false", "b": true, "n": "maybe"}));
        assert_eq!(get_bool(&a, "t"), Some(true));
        assert_eq!(get_bool(&a, "f"), Some(false));
        assert_eq!(get_bool(&a, "b"), Some(true));
        assert_eq!(get_bool(&a, "n"), None);
    }

    #[test]
    fn too_many_attributes_or_too_long_strings_are_refused() {
        let many: Vec<KeyValue> = (0..=MAX_ATTRIBUTES)
            .map(|i| KeyValue { key: format!("k{i}"), value: None, ..Default::default() })
            .collect();
        assert!(to_attributes(&many).unwrap_err().contains("attributes"));
        let long = vec![KeyValue {
            key: "k".into(),
            value: Some(AnyValue { value: Some(any_value::Value::StringValue("x".repeat(MAX_STRING_LEN + 1))) }),
            ..Default::default()
        }];
        assert!(to_attributes(&long).unwrap_err().contains("bytes"));
    }
}
