//! What tokens cost when Claude Code did not say: a transcript records a response's tokens, never its price.
//!
//! The estimate takes the best rates known, in this order: those learned from the user's own telemetry (each
//! `api_request` carries Claude Code's `cost_usd` beside its four token counts: [`learned`]), then the user's own
//! prices (`Settings::price_overrides`), then the bundled, dated price table ([`table`], refreshed from the `genai-prices` package by `scripts/refresh-prices.py`). A
//! model neither knows has no price: never $0.
//!
//! Prices are kept per token in pico-dollars (10⁻¹² USD), where every list price with up to six decimals per
//! million tokens is a whole number, and a request's cost is summed exactly before it is rounded to the
//! nano-dollar ccmeter stores.

pub mod learned;
pub mod table;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::transcripts::usage::ResponseTokens;
use crate::words::settings::PriceOverride;
use table::PriceTable;

/// A price per token, in pico-dollars (10⁻¹² USD): $3.75 per million tokens is 3,750,000.
pub type Pico = i64;

/// Prices are read from text by the vocabulary's rule, shared with the prices people type.
pub use crate::words::money::pico_per_token;

/// The tokens one request is billed for, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Billed {
    pub input: i64,
    pub output: i64,
    pub cache_read: i64,
    /// Cache writes kept five minutes (all of them, when the API did not split the total).
    pub cache_write_5m: i64,
    pub cache_write_1h: i64,
}

impl Billed {
    /// The request's whole input, cache reads and writes included: what a long-context tier is judged by.
    pub fn prompt(&self) -> i64 {
        self.input + self.cache_read + self.cache_write_5m + self.cache_write_1h
    }
}

impl From<ResponseTokens> for Billed {
    /// The split when the API gave one, else the whole cache write at the five-minute rate, as Claude Code bills it.
    fn from(tokens: ResponseTokens) -> Billed {
        let hour = tokens.cache_creation_1h.clamp(0, tokens.cache_creation);
        Billed {
            input: tokens.input,
            output: tokens.output,
            cache_read: tokens.cache_read,
            cache_write_5m: tokens.cache_creation - hour,
            cache_write_1h: hour,
        }
    }
}

/// One model's price for each kind of token, as it applies to a given request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rates {
    pub input: Pico,
    pub output: Pico,
    pub cache_read: Pico,
    pub cache_write_5m: Pico,
    pub cache_write_1h: Pico,
}

impl Rates {
    /// What `billed` costs at these rates, in nano-dollars (rounded half up from the exact sum).
    pub fn cost_nanos(&self, billed: &Billed) -> i64 {
        let pico = i128::from(billed.input) * i128::from(self.input)
            + i128::from(billed.output) * i128::from(self.output)
            + i128::from(billed.cache_read) * i128::from(self.cache_read)
            + i128::from(billed.cache_write_5m) * i128::from(self.cache_write_5m)
            + i128::from(billed.cache_write_1h) * i128::from(self.cache_write_1h);
        i64::try_from((pico + 500).div_euclid(1000)).unwrap_or(i64::MAX)
    }
}

/// Where an estimate's rates came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum RateSource {
    /// Solved from Claude Code's own costs of this model's requests.
    Learned,
    /// The user's own price of the model (Settings).
    Override,
    /// The bundled price table.
    Table,
}

/// The rates known now: those learned from this database's telemetry, the user's, then the bundled table's.
pub struct Prices {
    learned: BTreeMap<String, learned::Learned>,
    /// The user's prices, by normalised, lower-cased model name.
    overrides: BTreeMap<String, Rates>,
    table: &'static PriceTable,
}

/// An estimated cost and where its rates came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Estimate {
    pub cost_nanos: i64,
    pub source: RateSource,
}

impl Prices {
    /// The rates this database's telemetry teaches, beside the bundled table.
    pub fn load(conn: &Connection) -> Result<Prices> {
        let overrides = crate::store::settings::load(conn)?.price_overrides;
        Ok(Prices::with(learned::from_store(conn)?, PriceTable::bundled()).overridden(&overrides))
    }

    pub fn with(learned: BTreeMap<String, learned::Learned>, table: &'static PriceTable) -> Prices {
        Prices { learned, overrides: BTreeMap::new(), table }
    }

    /// These rates with the user's own prices in place of the table's.
    pub fn overridden(mut self, overrides: &[PriceOverride]) -> Prices {
        self.overrides = overrides
            .iter()
            .map(|price| {
                let [input, output, cache_read, cache_write_5m, cache_write_1h] = price.per_million().map(per_token);
                let rates = Rates { input, output, cache_read, cache_write_5m, cache_write_1h };
                (override_key(&price.model), rates)
            })
            .collect();
        self
    }

    /// Which rates these are, to tell when they change: each learned model's rates, the user's and the table's
    /// edition.
    pub fn fingerprint(&self) -> String {
        let learned: BTreeMap<&str, Rates> = self.learned.iter().map(|(model, l)| (model.as_str(), l.rates)).collect();
        serde_json::json!({
            "learned": learned,
            "overrides": self.overrides,
            "table": [&self.table.source, self.table.refreshed.to_string()]
        })
        .to_string()
    }

    /// What a request of `model` made on `day` and billed for `billed` cost at the best rates known; `None` when no
    /// rates are known for the model ("no price", never $0).
    pub fn estimate(&self, model: &str, day: NaiveDate, billed: &Billed) -> Option<Estimate> {
        let (rates, source) = self.rates(model, day, billed)?;
        Some(Estimate { cost_nanos: rates.cost_nanos(billed), source })
    }

    /// The rates that price a request of `model` made on `day` and billed for `billed`, and where they come from.
    pub fn rates(&self, model: &str, day: NaiveDate, billed: &Billed) -> Option<(Rates, RateSource)> {
        let name = ccmeter_proto::normalize_model(model);
        let learned = self.learned.get(name).map(|l| l.rates);
        // Learned rates are flat: a long prompt goes to the user's price or the table's tiers when there is one.
        let long = billed.prompt() > learned::FLAT_PROMPT_LIMIT;
        Some(match learned {
            Some(rates) if !long => (rates, RateSource::Learned),
            _ => match self.overrides.get(&override_key(model)) {
                Some(rates) => (*rates, RateSource::Override),
                None => match (self.table.rates(model, day, billed), learned) {
                    (Some(listed), _) => (listed, RateSource::Table),
                    (None, Some(rates)) => (rates, RateSource::Learned),
                    (None, None) => return None,
                },
            },
        })
    }

    /// The models whose rates were learned, each with the number of telemetry requests they were learned from.
    pub fn learned(&self) -> impl Iterator<Item = (&str, usize)> {
        self.learned.iter().map(|(model, l)| (model.as_str(), l.requests))
    }
}

/// How an override's model is looked up: the name without its `[1m]` suffix, lower-cased.
fn override_key(model: &str) -> String {
    ccmeter_proto::normalize_model(model).to_ascii_lowercase()
}

/// A price in USD per million tokens (validated: finite, 0 to 10,000) → pico-dollars per token, to the
/// millionth of a dollar per million tokens.
fn per_token(usd_per_million: f64) -> Pico {
    (usd_per_million * 1e6).round() as Pico
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learned_rates_come_first_but_a_long_prompt_takes_the_tables_tiers_and_an_unknown_model_has_no_price() {
        let day: NaiveDate = "2026-12-01".parse().expect("day");
        let new_model = Rates {
            input: 7_000_000,
            output: 35_000_000,
            cache_read: 700_000,
            cache_write_5m: 8_750_000,
            cache_write_1h: 14_000_000,
        };
        let cheaper_sonnet = Rates { input: 2_000_000, ..new_model };
        let learned: BTreeMap<String, learned::Learned> = [
            ("claude-opus-9".to_owned(), learned::Learned { rates: new_model, requests: 12 }),
            ("claude-sonnet-4-5".to_owned(), learned::Learned { rates: cheaper_sonnet, requests: 30 }),
        ]
        .into();
        let prices = Prices::with(learned, PriceTable::bundled());
        let small = Billed { input: 1_000, ..Billed::default() };
        let long = Billed { input: 250_000, ..Billed::default() };
        assert_eq!(
            prices.estimate("claude-opus-9[1m]", day, &small),
            Some(Estimate { cost_nanos: 7_000_000, source: RateSource::Learned })
        );
        assert_eq!(
            prices.estimate("claude-opus-9", day, &long).map(|e| e.source),
            Some(RateSource::Learned),
            "no tiers known"
        );
        assert_eq!(prices.estimate("claude-sonnet-4-5", day, &small).map(|e| e.cost_nanos), Some(2_000_000));
        assert_eq!(
            prices.estimate("claude-sonnet-4-5", day, &long),
            Some(Estimate { cost_nanos: 1_500_000_000, source: RateSource::Table }),
            "250,000 tokens at the table's $6 tier"
        );
        assert_eq!(prices.estimate("claude-haiku-4-5", day, &small).map(|e| e.source), Some(RateSource::Table));
        assert_eq!(prices.estimate("mystery-model", day, &small), None);
    }

    #[test]
    fn the_users_price_comes_after_learned_rates_and_before_the_table() {
        let day: NaiveDate = "2026-12-01".parse().expect("day");
        let learned_sonnet = Rates {
            input: 2_000_000,
            output: 10_000_000,
            cache_read: 200_000,
            cache_write_5m: 2_500_000,
            cache_write_1h: 4_000_000,
        };
        let learned: BTreeMap<String, learned::Learned> =
            [("claude-sonnet-4-5".to_owned(), learned::Learned { rates: learned_sonnet, requests: 8 })].into();
        let price = |model: &str, input: f64| PriceOverride {
            model: model.into(),
            input,
            output: 25.0,
            cache_read: None,
            cache_write_5m: None,
            cache_write_1h: Some(9.5),
        };
        let prices = Prices::with(learned, PriceTable::bundled()).overridden(&[
            price("Claude-Opus-9", 5.0),
            price("claude-sonnet-4-5", 1.0),
            price("claude-haiku-4-5", 0.5),
        ]);
        let billed =
            Billed { input: 1_000, output: 100, cache_read: 10_000, cache_write_5m: 1_000, cache_write_1h: 100 };
        // $5 in, $25 out, reads at a tenth of input, 5-minute writes at 1.25×, hour-long ones as given.
        let opus = 1_000 * 5_000_000 + 100 * 25_000_000 + 10_000 * 500_000 + 1_000 * 6_250_000 + 100 * 9_500_000;
        assert_eq!(
            prices.estimate("claude-opus-9[1m]", day, &billed),
            Some(Estimate { cost_nanos: opus / 1_000, source: RateSource::Override }),
            "a model no table knows, its name in any case"
        );
        assert_eq!(prices.estimate("claude-sonnet-4-5", day, &billed).map(|e| e.source), Some(RateSource::Learned));
        let long = Billed { input: 250_000, ..Billed::default() };
        assert_eq!(
            prices.estimate("claude-sonnet-4-5", day, &long),
            Some(Estimate { cost_nanos: 250_000_000, source: RateSource::Override }),
            "a long prompt past learned flat rates takes the user's price"
        );
        assert_eq!(
            prices.estimate("claude-haiku-4-5", day, &billed).map(|e| e.source),
            Some(RateSource::Override),
            "before the table"
        );
        assert_ne!(
            prices.fingerprint(),
            Prices::with(BTreeMap::new(), PriceTable::bundled()).fingerprint(),
            "a change of the user's prices prices estimates again"
        );
    }

    #[test]
    fn a_cost_is_summed_exactly_then_rounded_to_the_nano_dollar() {
        let rates = Rates {
            input: 4_000_000,
            output: 20_000_000,
            cache_read: 200_000,
            cache_write_5m: 5_000_000,
            cache_write_1h: 8_000_000,
        };
        // The tool flow's first request: 6 in, 120 out, 14,000 written.
        let first = Billed { input: 6, output: 120, cache_write_5m: 14_000, ..Billed::default() };
        assert_eq!(rates.cost_nanos(&first), 72_424_000);
        let pico = Rates { input: 1, ..rates };
        assert_eq!(pico.cost_nanos(&Billed { input: 600, ..Billed::default() }), 1, "0.6 nano rounds up");
        assert_eq!(pico.cost_nanos(&Billed { input: 400, ..Billed::default() }), 0, "0.4 nano rounds down");
        let split = Billed::from(ResponseTokens { cache_creation: 100, cache_creation_1h: 30, ..Default::default() });
        assert_eq!((split.cache_write_5m, split.cache_write_1h), (70, 30));
    }
}
