//! The bundled price table (`core/prices/anthropic.json`): each Claude model's name rules and dated prices, as
//! the `genai-prices` package has them (`scripts/refresh-prices.py` writes the file). Its rules are that
//! package's: models are tried in order and the first whose rule matches the lower-cased name prices it; a
//! model's dated prices apply from their day on; a tier's price applies to every token of a request whose
//! whole input passes its start.

use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::Value;

use super::{Billed, Pico, Rates, pico_per_token};

/// The table as bundled with this build.
const BUNDLED: &str = include_str!("../../prices/anthropic.json");

pub struct PriceTable {
    /// "genai-prices 0.2.3 (PyPI), provider anthropic".
    pub source: String,
    /// The day the table was taken from its source.
    pub refreshed: NaiveDate,
    models: Vec<TableModel>,
    /// Which model each name asked for matched (an index into `models`).
    found: std::sync::Mutex<std::collections::HashMap<String, Option<usize>>>,
}

struct TableModel {
    id: String,
    rule: Rule,
    /// Oldest first; the first one may have no start day.
    prices: Vec<Dated>,
}

enum Rule {
    Equals(String),
    StartsWith(String),
    EndsWith(String),
    Contains(String),
    Regex(regex_lite::Regex),
    Or(Vec<Rule>),
    And(Vec<Rule>),
}

impl Rule {
    fn matches(&self, name: &str) -> bool {
        match self {
            Rule::Equals(text) => name == text,
            Rule::StartsWith(text) => name.starts_with(text.as_str()),
            Rule::EndsWith(text) => name.ends_with(text.as_str()),
            Rule::Contains(text) => name.contains(text.as_str()),
            Rule::Regex(regex) => regex.is_match(name),
            Rule::Or(rules) => rules.iter().any(|rule| rule.matches(name)),
            Rule::And(rules) => rules.iter().all(|rule| rule.matches(name)),
        }
    }
}

struct Dated {
    from: Option<NaiveDate>,
    input: Tiered,
    output: Tiered,
    cache_read: Tiered,
    cache_write_5m: Tiered,
    /// Not every model's entry has it: then twice the input price, Anthropic's rule for hour-long writes.
    cache_write_1h: Option<Tiered>,
}

const FREE: Tiered = Tiered { base: 0, tiers: Vec::new() };

/// A price, raised for every token of a request once its input passes a tier's start.
struct Tiered {
    base: Pico,
    /// (start, price), ascending.
    tiers: Vec<(i64, Pico)>,
}

impl Tiered {
    fn at(&self, prompt: i64) -> Pico {
        self.tiers.iter().rev().find(|(start, _)| prompt > *start).map_or(self.base, |(_, price)| *price)
    }
}

/// The file as `refresh-prices.py` writes it.
#[derive(Deserialize)]
struct TableFile {
    source: String,
    refreshed: NaiveDate,
    models: Vec<ModelFile>,
}

#[derive(Deserialize)]
struct ModelFile {
    id: String,
    #[serde(rename = "match")]
    rule: Value,
    prices: Vec<DatedFile>,
}

#[derive(Deserialize)]
struct DatedFile {
    from: Option<NaiveDate>,
    input: Value,
    output: Value,
    /// Absent for models from before prompt caching: then not billed, as the package reads it.
    cache_read: Option<Value>,
    cache_write: Option<Value>,
    cache_write_1h: Option<Value>,
}

impl PriceTable {
    /// The table bundled with this build (checked by its tests, so reading it cannot fail at run time).
    pub fn bundled() -> &'static PriceTable {
        static TABLE: OnceLock<PriceTable> = OnceLock::new();
        TABLE.get_or_init(|| PriceTable::parse(BUNDLED).expect("the bundled price table is valid"))
    }

    /// Reads a table in `refresh-prices.py`'s format; the error names the first entry that is not.
    pub fn parse(json: &str) -> Result<PriceTable, String> {
        let file: TableFile = serde_json::from_str(json).map_err(|error| format!("not a price table: {error}"))?;
        let mut models = Vec::with_capacity(file.models.len());
        for model in file.models {
            let id = model.id;
            let rule = rule(&model.rule).map_err(|problem| format!("{id}: {problem}"))?;
            let mut prices = Vec::new();
            for dated in model.prices {
                let price = |what: &str, value: &Value| tiered(value).ok_or_else(|| format!("{id}: its {what} price"));
                let optional = |what: &str, value: Option<Value>| -> Result<Option<Tiered>, String> {
                    value.filter(|v| !v.is_null()).map(|v| price(what, &v)).transpose()
                };
                prices.push(Dated {
                    from: dated.from,
                    input: price("input", &dated.input)?,
                    output: price("output", &dated.output)?,
                    cache_read: optional("cache read", dated.cache_read)?.unwrap_or(FREE),
                    cache_write_5m: optional("cache write", dated.cache_write)?.unwrap_or(FREE),
                    cache_write_1h: optional("hour-long cache write", dated.cache_write_1h)?,
                });
            }
            if prices.is_empty() {
                return Err(format!("{id}: no prices"));
            }
            models.push(TableModel { id, rule, prices });
        }
        Ok(PriceTable { source: file.source, refreshed: file.refreshed, models, found: Default::default() })
    }

    /// The table's id of the model Claude Code names `model` (`claude-opus-4-8[1m]`, `claude-haiku-4-5-20251001`).
    pub fn model_id(&self, model: &str) -> Option<&str> {
        self.find(model).map(|m| m.id.as_str())
    }

    fn find(&self, model: &str) -> Option<&TableModel> {
        // Every request of an import asks for its model: the rules (regexes among them) run once per name.
        let mut found = self.found.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let at = *found.entry(model.to_owned()).or_insert_with(|| {
            let name = ccmeter_proto::normalize_model(model).to_lowercase();
            self.models.iter().position(|m| m.rule.matches(&name))
        });
        at.map(|at| &self.models[at])
    }

    /// The rates of `model` for a request made on `day` billed for `billed` (its input picks the tier); `None` for
    /// a model the table does not know.
    pub fn rates(&self, model: &str, day: NaiveDate, billed: &Billed) -> Option<Rates> {
        let model = self.find(model)?;
        let dated = model.prices.iter().rev().find(|p| p.from.is_none_or(|from| from <= day))?;
        let prompt = billed.prompt();
        let input = dated.input.at(prompt);
        Some(Rates {
            input,
            output: dated.output.at(prompt),
            cache_read: dated.cache_read.at(prompt),
            cache_write_5m: dated.cache_write_5m.at(prompt),
            cache_write_1h: dated.cache_write_1h.as_ref().map_or(2 * input, |price| price.at(prompt)),
        })
    }
}

fn rule(value: &Value) -> Result<Rule, String> {
    let Some((kind, arg)) = value.as_object().filter(|o| o.len() == 1).and_then(|o| o.iter().next()) else {
        return Err(format!("a match rule is one key and its value (got {value})"));
    };
    let text = || arg.as_str().map(str::to_lowercase).ok_or_else(|| format!("{kind} takes text (got {arg})"));
    let list = || -> Result<Vec<Rule>, String> {
        arg.as_array().ok_or_else(|| format!("{kind} takes a list (got {arg})"))?.iter().map(rule).collect()
    };
    Ok(match kind.as_str() {
        "equals" => Rule::Equals(text()?),
        "starts_with" => Rule::StartsWith(text()?),
        "ends_with" => Rule::EndsWith(text()?),
        "contains" => Rule::Contains(text()?),
        // As the package does: a pattern is searched for in the lower-cased name, as written.
        "regex" => Rule::Regex(
            regex_lite::Regex::new(arg.as_str().ok_or_else(|| format!("regex takes text (got {arg})"))?)
                .map_err(|error| format!("regex {arg}: {error}"))?,
        ),
        "or" => Rule::Or(list()?),
        "and" => Rule::And(list()?),
        other => return Err(format!("a match rule this ccmeter does not know: {other}")),
    })
}

/// "4", or {"base": "3", "tiers": [{"start": 200000, "price": "6"}]}.
fn tiered(value: &Value) -> Option<Tiered> {
    if let Some(text) = value.as_str() {
        return Some(Tiered { base: pico_per_token(text)?, tiers: Vec::new() });
    }
    let base = pico_per_token(value.get("base")?.as_str()?)?;
    let mut tiers = Vec::new();
    for tier in value.get("tiers")?.as_array()? {
        tiers.push((tier.get("start")?.as_i64()?, pico_per_token(tier.get("price")?.as_str()?)?));
    }
    tiers.sort_unstable();
    Some(Tiered { base, tiers })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().expect("a day")
    }

    fn usd_per_million(rates: Rates) -> [f64; 5] {
        [rates.input, rates.output, rates.cache_read, rates.cache_write_5m, rates.cache_write_1h]
            .map(|p| p as f64 / 1e6)
    }

    #[test]
    fn the_bundled_table_reads_and_prices_the_models_claude_code_names() {
        let table = PriceTable::bundled();
        assert!(table.source.starts_with("genai-prices "), "{}", table.source);
        let small = Billed { input: 10, ..Billed::default() };
        let on = day("2026-12-01");
        // As Claude Code priced them in the captures (expected.json's table, solved from its own cost_usd).
        for (model, want) in [
            ("claude-opus-5-5", [4.0, 20.0, 0.2, 5.0, 8.0]),
            ("claude-sonnet-5-5", [2.0, 10.0, 0.1, 2.5, 4.0]),
            ("claude-opus-4-8", [5.0, 25.0, 0.5, 6.25, 10.0]),
            ("claude-opus-4-8[1m]", [5.0, 25.0, 0.5, 6.25, 10.0]),
            ("claude-haiku-4-5-20251001", [1.0, 5.0, 0.1, 1.25, 2.0]),
            ("Claude-Sonnet-4-5", [3.0, 15.0, 0.3, 3.75, 6.0]),
        ] {
            let rates = table.rates(model, on, &small).unwrap_or_else(|| panic!("{model} has a price"));
            assert_eq!(usd_per_million(rates), want, "{model}");
        }
        assert_eq!(table.model_id("claude-opus-5-5-20261101"), Some("claude-opus-5-5"), "its dated name, by regex");
        for unknown in ["gpt-5", "<synthetic>", "", "claude-opus-99"] {
            assert_eq!(table.rates(unknown, on, &small), None, "{unknown}");
        }
    }

    #[test]
    fn a_long_prompt_pays_the_tier_price_on_every_token_and_a_dated_price_applies_from_its_day() {
        let table = PriceTable::bundled();
        let long = Billed { input: 1_000, cache_read: 199_000, cache_write_5m: 1, ..Billed::default() };
        let at_limit = Billed { input: 1_000, cache_read: 199_000, ..Billed::default() };
        let on = day("2026-12-01");
        assert_eq!(usd_per_million(table.rates("claude-sonnet-4-5", on, &at_limit).expect("priced"))[0], 3.0);
        assert_eq!(
            usd_per_million(table.rates("claude-sonnet-4-5", on, &long).expect("priced")),
            [6.0, 22.5, 0.6, 7.5, 12.0]
        );
        // Sonnet 4.6 dropped its long-context tier on 2026-03-13.
        assert_eq!(
            usd_per_million(table.rates("claude-sonnet-4-6", day("2026-03-12"), &long).expect("priced"))[0],
            6.0
        );
        assert_eq!(
            usd_per_million(table.rates("claude-sonnet-4-6", day("2026-03-13"), &long).expect("priced"))[0],
            3.0
        );
    }

    #[test]
    fn a_table_that_is_not_one_is_refused_with_the_entry_at_fault() {
        let model = |rule: &str, input: &str| {
            format!(
                r#"{{"source":"t","refreshed":"2026-12-01","models":[{{"id":"m","match":{rule},"prices":[{{"from":null,"input":{input},"output":"1","cache_read":"1","cache_write":"1"}}]}}]}}"#
            )
        };
        assert!(PriceTable::parse(&model(r#"{"equals":"m"}"#, r#""1""#)).is_ok());
        for (json, problem) in [
            ("[]".to_owned(), "not a price table"),
            (model(r#"{"equals":"m"}"#, r#""-1""#), "m: its input price"),
            (model(r#"{"equals":"m"}"#, r#"{"base":"1","tiers":[{"start":"x","price":"2"}]}"#), "m: its input price"),
            (model(r#"{"glob":"m*"}"#, r#""1""#), "does not know: glob"),
            (model(r#"{"regex":"("}"#, r#""1""#), "regex"),
            (model(r#"{"equals":"m","starts_with":"n"}"#, r#""1""#), "one key"),
        ] {
            let error = PriceTable::parse(&json).err().unwrap_or_else(|| panic!("{json} refused"));
            assert!(error.contains(problem), "{error} should say {problem}");
        }
    }
}
