//! Each trap that `tests/fixtures/claude-code-2.1.197/README.md` lists in the real Claude Code data, decoded right.

use ccmeter_proto::{EventDetail, EventName, MetricName, Nanos, Signal, Temporality};
use ccmeter_tests::{requests, scenarios};

fn all_batches(scenario: &str) -> Vec<ccmeter_proto::Batch> {
    requests(scenario).iter().map(|r| r.decode()).collect()
}

#[test]
fn every_captured_record_decodes_without_a_rejection() {
    for scenario in scenarios() {
        for batch in all_batches(&scenario) {
            assert!(batch.rejected.is_empty(), "{scenario}: {:?}", batch.rejected);
        }
    }
}

#[test]
fn the_event_name_comes_from_the_body_and_attribute_when_the_event_name_field_is_empty() {
    let events: Vec<_> = all_batches("claude-code-2.1.197/grpc/success").into_iter().flat_map(|b| b.events).collect();
    assert_eq!(events.len(), 37);
    assert!(events.iter().all(|e| e.name.is_claude_code() && !matches!(e.name, EventName::OtherClaudeCode(_))));
    assert_eq!(events.iter().filter(|e| e.name == EventName::ApiRequest).count(), 10);
}

#[test]
fn tool_result_numbers_and_booleans_sent_as_strings_are_parsed() {
    let events: Vec<_> = all_batches("claude-code-2.1.197/grpc/success").into_iter().flat_map(|b| b.events).collect();
    let results: Vec<_> = events
        .iter()
        .filter_map(|e| match &e.detail {
            EventDetail::ToolResult(t) => Some(t),
            _ => None,
        })
        .collect();
    assert_eq!(results.len(), 7);
    assert!(results.iter().all(|t| t.duration_ms.is_some() && t.success.is_some()));
    let webfetch = results.iter().find(|t| t.tool_name.as_deref() == Some("WebFetch")).expect("WebFetch result");
    assert_eq!(webfetch.success, Some(false));
    let prompt = events.iter().find_map(|e| match &e.detail {
        EventDetail::UserPrompt(p) => Some(p),
        _ => None,
    });
    assert_eq!(prompt.and_then(|p| p.prompt_length), Some(15), "prompt_length \"15\" is a string on the wire");
}

#[test]
fn cost_is_summed_from_cost_usd_not_the_rounded_micros() {
    let events: Vec<_> = all_batches("claude-code-2.1.197/grpc/success").into_iter().flat_map(|b| b.events).collect();
    let (cost, micros): (i64, i64) = events
        .iter()
        .filter_map(|e| match &e.detail {
            EventDetail::ApiRequest(r) => Some((r.cost.0, e.attributes["cost_usd_micros"].as_i64().unwrap_or(0))),
            _ => None,
        })
        .fold((0, 0), |(c, m), (ci, mi)| (c + ci, m + mi));
    assert_eq!(cost, Nanos::from_usd(0.21092).unwrap().0, "Claude Code's own total");
    assert_eq!(micros, 210_921, "the micros drift by one");
}

#[test]
fn metric_values_are_doubles_even_for_counts_and_both_model_names_are_kept_raw() {
    let points: Vec<_> = all_batches("claude-code-2.1.197/grpc/success").into_iter().flat_map(|b| b.points).collect();
    assert!(points.iter().all(|p| p.temporality == Temporality::Delta));
    let commits: f64 = points.iter().filter(|p| p.metric == MetricName::Commits).map(|p| p.value).sum();
    assert_eq!(commits, 1.0);
    let models: std::collections::BTreeSet<&str> =
        points.iter().filter(|p| p.metric == MetricName::CostUsage).filter_map(|p| p.attr_str("model")).collect();
    assert!(models.contains("claude-opus-4-8[1m]"), "{models:?}");
    assert_eq!(ccmeter_proto::normalize_model("claude-opus-4-8[1m]"), "claude-opus-4-8");
}

#[test]
fn otlp_json_with_integer_enums_number_ints_and_hex_ids_decodes_like_protobuf() {
    for scenario in [
        "claude-code-2.1.197/http-json/success-gzip",
        "claude-code-2.1.197/http-json/traces-beta",
        "claude-code-2.1.197/http-json/interactive",
    ] {
        let batches = all_batches(scenario);
        let points: Vec<_> = batches.iter().flat_map(|b| &b.points).collect();
        assert!(points.iter().all(|p| p.temporality == Temporality::Delta), "{scenario}: enum 1 is DELTA");
        let events: Vec<_> = batches.iter().flat_map(|b| &b.events).collect();
        assert!(events.iter().all(|e| e.sequence.is_some()), "{scenario}: intValue as a JSON number");
        let traced: Vec<_> = events.iter().filter(|e| e.trace_id.is_some()).collect();
        assert!(traced.iter().all(|e| e.trace_id.as_ref().is_some_and(|t| t.len() == 32)), "{scenario}: hex trace ids");
    }
    let spans: Vec<_> = all_batches("claude-code-2.1.197/http-json/traces-beta")
        .into_iter()
        .filter(|b| b.signal == Signal::Traces)
        .flat_map(|b| b.spans)
        .collect();
    assert_eq!(spans.len(), 34);
    assert!(spans.iter().any(|s| s.parent_span_id.is_none() && s.name == "claude_code.interaction"));
}

#[test]
fn cumulative_captures_arrive_as_running_totals() {
    let points: Vec<_> = all_batches("claude-code-2.1.197/http-protobuf/success-cumulative")
        .into_iter()
        .flat_map(|b| b.points)
        .collect();
    assert!(points.iter().all(|p| p.temporality == Temporality::Cumulative));
}
