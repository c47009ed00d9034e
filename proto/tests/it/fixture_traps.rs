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

/// Claude Code 2.1.332's new value types, decoded as meant over every protocol it was captured with.
#[test]
fn claude_code_2_1_332_bools_arrays_and_string_numbers_decode_as_meant_on_every_protocol() {
    use ccmeter_proto::attrs::{get_bool, get_i64};
    use serde_json::Value;
    let mut protocols = std::collections::BTreeSet::new();
    for scenario in ccmeter_tests::scenarios_of("claude-code-2.1.332") {
        protocols.insert(scenario.split('/').nth(1).expect("protocol").to_owned());
        let batches = all_batches(&scenario);
        let points: Vec<_> = batches.iter().flat_map(|b| &b.points).collect();
        assert!(!points.is_empty(), "{scenario}");
        assert!(
            points.iter().all(|p| p.attributes.get("anthropic.custom_base_url") == Some(&Value::Bool(true))),
            "{scenario}: a bool on every metric point"
        );
        let events: Vec<_> = batches.iter().flat_map(|b| &b.events).collect();
        let named = |name: &'static str| events.iter().filter(move |e| e.name.as_str() == name);
        for settings in named("managed_settings_resolved") {
            assert_eq!(settings.name, EventName::ManagedSettingsResolved);
            assert_eq!(settings.attributes.get("managed_settings.sources"), Some(&Value::Array(vec![])), "{scenario}");
            assert_eq!(settings.prompt_id, None, "start-up events have no prompt.id");
        }
        for plugin in named("plugin_loaded") {
            assert_eq!(get_bool(&plugin.attributes, "safe_mode"), Some(false), "{scenario}: \"false\", a string");
            assert_eq!(get_bool(&plugin.attributes, "has_hooks"), Some(true), "{scenario}: true, a bool");
            assert_eq!(get_i64(&plugin.attributes, "skill_path_count"), Some(0), "{scenario}");
        }
        for sweep in named("retention_sweep") {
            assert_eq!(get_i64(&sweep.attributes, "period_days"), Some(30), "{scenario}: \"30\"");
            assert_eq!(get_bool(&sweep.attributes, "used_default"), Some(true), "{scenario}: \"true\"");
        }
        for request in events.iter().filter_map(|e| match &e.detail {
            EventDetail::ApiRequest(r) => Some(r),
            _ => None,
        }) {
            assert!(request.ttft_ms.is_some_and(|t| t > 0), "{scenario}: time to first token");
            assert_eq!((request.cache_creation_5m, request.cache_creation_1h), (Some(0), Some(0)), "{scenario}");
            let subagent = request.query_source.as_deref().is_some_and(|q| q.starts_with("agent:"));
            assert_eq!(request.agent_id.is_some(), subagent, "{scenario}: agent_id on subagent requests only");
            assert_eq!(request.agent_name.is_some(), subagent, "{scenario}");
        }
        assert_eq!(named("managed_settings_resolved").count() as i64, count_of(&scenario, "managed_settings_resolved"));
        assert_eq!(named("plugin_loaded").count() as i64, count_of(&scenario, "plugin_loaded"));
    }
    assert_eq!(protocols.len(), 3, "{protocols:?}");
}

fn count_of(scenario: &str, event: &str) -> i64 {
    ccmeter_tests::expected(scenario)["totals_all_sessions"]["event_counts"][event].as_i64().unwrap_or(0)
}
