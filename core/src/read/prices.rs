//! Which price each model of the history is estimated at, and where it comes from: what the Settings window's
//! "Prices" section and `ccmeter prices` show, so a model with no price is found and given one.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::Result;
use crate::pricing::{Billed, Prices, RateSource, Rates};

/// One model's price as the estimates use it now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ModelPrice {
    /// The model's name as Claude Code reports it, without a `[1m]` suffix.
    pub model: String,
    /// Where its rates come from; `None`: no price is known, its requests are costed apart.
    pub source: Option<RateSource>,
    /// Its rates in USD per million tokens (for a prompt below any long-context tier).
    pub per_million: Option<PerMillion>,
    /// The telemetry requests its rates were learned from (0 unless learned).
    pub learned_from: usize,
    /// Requests read from transcripts priced at these rates, and those of this model without a price.
    pub estimated_requests: i64,
    pub unpriced_requests: i64,
}

/// Five prices in USD per million tokens.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
pub struct PerMillion {
    pub input: f64,
    pub output: f64,
    pub cache_read: f64,
    pub cache_write_5m: f64,
    pub cache_write_1h: f64,
}

impl From<Rates> for PerMillion {
    fn from(rates: Rates) -> PerMillion {
        let usd = |pico: i64| pico as f64 / 1e6;
        PerMillion {
            input: usd(rates.input),
            output: usd(rates.output),
            cache_read: usd(rates.cache_read),
            cache_write_5m: usd(rates.cache_write_5m),
            cache_write_1h: usd(rates.cache_write_1h),
        }
    }
}

/// Every model whose price matters: the models of the requests read from transcripts, those telemetry taught,
/// and those the user priced; the ones without a price first, then the most estimated.
pub fn model_prices(conn: &Connection, today: NaiveDate) -> Result<Vec<ModelPrice>> {
    let prices = Prices::load(conn)?;
    let settings = crate::store::settings::load(conn)?;
    // Keyed by the lower-cased name: the user's "Claude-Opus-5-5" and Claude Code's "claude-opus-5-5" are one.
    let mut models: BTreeMap<String, ModelPrice> = BTreeMap::new();
    fn entry<'a>(models: &'a mut BTreeMap<String, ModelPrice>, model: &str) -> &'a mut ModelPrice {
        let model = ccmeter_proto::normalize_model(model);
        models.entry(model.to_ascii_lowercase()).or_insert_with(|| ModelPrice {
            model: model.to_owned(),
            source: None,
            per_million: None,
            learned_from: 0,
            estimated_requests: 0,
            unpriced_requests: 0,
        })
    }
    let mut statement = conn.prepare_cached(
        "SELECT coalesce(model_norm, ''), sum(estimated = 1), sum(estimated = 2) FROM events
         WHERE estimated <> 0 GROUP BY 1",
    )?;
    let rows = statement.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?)))?;
    for row in rows {
        let (model, estimated, unpriced) = row?;
        let price = entry(&mut models, &model);
        price.estimated_requests += estimated;
        price.unpriced_requests += unpriced;
    }
    for (model, requests) in prices.learned() {
        entry(&mut models, model).learned_from = requests;
    }
    for price in &settings.price_overrides {
        entry(&mut models, &price.model);
    }
    let mut models: Vec<ModelPrice> = models.into_values().filter(|m| !m.model.is_empty()).collect();
    for price in &mut models {
        if let Some((rates, source)) = prices.rates(&price.model, today, &Billed::default()) {
            price.source = Some(source);
            price.per_million = Some(rates.into());
        }
    }
    models.sort_by(|a, b| {
        (a.source.is_some(), -(a.estimated_requests + a.unpriced_requests), &a.model).cmp(&(
            b.source.is_some(),
            -(b.estimated_requests + b.unpriced_requests),
            &b.model,
        ))
    });
    Ok(models)
}
