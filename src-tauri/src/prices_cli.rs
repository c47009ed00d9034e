//! `ccmeter prices [set|clear]`: the price each model's estimated requests are costed at, and the user's own
//! prices (`Settings::price_overrides`), set from a terminal. A change prices every estimate again at once.

use std::path::Path;

use ccmeter_core::pricing::RateSource;
use ccmeter_core::read::prices::{ModelPrice, model_prices};
use ccmeter_core::words::settings::{PriceOverride, SettingsPatch};
use ccmeter_core::{Store, StoreError, TimeContext};

use crate::cli::{PricesAction, PricesArgs};
use crate::report::plural;

pub fn run(db: &Path, args: &PricesArgs) -> Result<String, StoreError> {
    match &args.action {
        None => list(db, args.json),
        Some(PricesAction::Set(set)) => {
            // Checked before the database is opened: a wrong price changes nothing, not even creates the file.
            // Read by the rules the Settings window's fields are read by.
            let price = PriceOverride::from_text(
                &set.model,
                &set.input,
                &set.output,
                set.cache_read.as_deref(),
                set.cache_write_5m.as_deref(),
                set.cache_write_1h.as_deref(),
            )?;
            let model = price.model.clone();
            change(db, move |prices| {
                prices.retain(|p| !p.prices(&price.model));
                prices.push(price);
            })?;
            Ok(format!("{model} priced at your rates; its estimates are costed again.{}\n", reach_running_app(db)))
        }
        Some(PricesAction::Clear(clear)) => {
            let model = clear.model.clone();
            let had = change(db, move |prices| {
                let had = prices.iter().any(|p| p.prices(&model));
                prices.retain(|p| !p.prices(&model));
                had
            })?;
            Ok(if had {
                format!(
                    "Your price of {} is removed; its estimates are costed again.{}\n",
                    clear.model,
                    reach_running_app(db)
                )
            } else {
                format!("You had set no price of {}: nothing changed.\n", clear.model)
            })
        }
    }
}

fn list(db: &Path, json: bool) -> Result<String, StoreError> {
    let conn = ccmeter_core::store::open_connection(db)?;
    let today = TimeContext::system().today();
    let models = model_prices(&conn, today)?;
    if json {
        return Ok(format!("{}\n", serde_json::to_string_pretty(&models).unwrap_or_default()));
    }
    Ok(table(&models))
}

/// Changes the stored prices in one transaction (validated as the Settings window's are), then prices every
/// estimate again.
fn change<T: Send + 'static>(
    db: &Path,
    edit: impl FnOnce(&mut Vec<PriceOverride>) -> T + Send + 'static,
) -> Result<T, StoreError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| StoreError::Write(format!("cannot start the async runtime: {error}")))?;
    runtime.block_on(async {
        let store = Store::open(db)?;
        let edited = store
            .exec(move |tx| {
                let mut prices = ccmeter_core::store::settings::load(tx)?.price_overrides;
                let edited = edit(&mut prices);
                let patch = SettingsPatch { price_overrides: Some(prices), ..SettingsPatch::default() };
                ccmeter_core::apply_settings::patch_and_apply(tx, &TimeContext::system(), &patch)?;
                Ok(edited)
            })
            .await?;
        ccmeter_core::history::reprice_now(&store).await?;
        Ok(edited)
    })
}

/// Tells the app running on this database that its figures changed.
fn reach_running_app(db: &Path) -> &'static str {
    match crate::instance::send(db, crate::instance::Request::HistoryChanged) {
        Ok(true) => " The running app shows it.",
        Ok(false) => "",
        Err(error) => {
            tracing::warn!(%error, "could not reach the running app; it shows the change after its next data");
            ""
        }
    }
}

/// Where a model's price comes from, in words.
pub fn source_text(price: &ModelPrice) -> String {
    match price.source {
        Some(RateSource::Learned) => format!("learned from {}", plural(price.learned_from as i64, "request")),
        Some(RateSource::Override) => "your price".into(),
        Some(RateSource::Table) => "bundled table".into(),
        None => "no price".into(),
    }
}

/// A price per million tokens with at least two decimals and no trailing zeros past them: 5.00, 0.3125.
fn usd(value: f64) -> String {
    let text = format!("{value:.6}");
    let trimmed = text.trim_end_matches('0');
    match trimmed.split_once('.') {
        Some((_, decimals)) if decimals.len() >= 2 => trimmed.to_owned(),
        _ => format!("{value:.2}"),
    }
}

fn table(models: &[ModelPrice]) -> String {
    if models.is_empty() {
        return "No model to price yet: the requests `ccmeter import-transcripts` reads from Claude Code's \
                transcripts are priced here (telemetry brings Claude Code's own costs).\n"
            .into();
    }
    let header =
        ["Model", "Price from", "Input", "Output", "Cache read", "Write 5m", "Write 1h", "Estimated", "No price"];
    let rows: Vec<Vec<String>> = models
        .iter()
        .map(|m| {
            let prices = match m.per_million {
                Some(p) => [p.input, p.output, p.cache_read, p.cache_write_5m, p.cache_write_1h].map(usd),
                None => std::array::from_fn(|_| "—".to_owned()),
            };
            let mut row = vec![m.model.clone(), source_text(m)];
            row.extend(prices);
            row.push(m.estimated_requests.to_string());
            row.push(m.unpriced_requests.to_string());
            row
        })
        .collect();
    let widths: Vec<usize> = (0..header.len())
        .map(|at| rows.iter().map(|r| r[at].chars().count()).chain([header[at].len()]).max().unwrap_or(0))
        .collect();
    let line = |cells: Vec<String>| -> String {
        let cells: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(at, cell)| {
                let pad = widths[at].saturating_sub(cell.chars().count());
                if at < 2 { format!("{cell}{}", " ".repeat(pad)) } else { format!("{}{cell}", " ".repeat(pad)) }
            })
            .collect();
        format!("{}\n", cells.join("  ").trim_end())
    };
    let mut out = line(header.iter().map(|h| (*h).to_owned()).collect());
    for row in rows {
        out.push_str(&line(row));
    }
    out.push_str(
        "USD per million tokens. Your price: ccmeter prices set MODEL --input USD --output USD (used after the rates \
         learned from your telemetry, before the bundled table).\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_show_two_decimals_or_as_many_as_they_have() {
        assert_eq!(usd(5.0), "5.00");
        assert_eq!(usd(0.5), "0.50");
        assert_eq!(usd(0.3125), "0.3125");
        assert_eq!(usd(18.75), "18.75");
        assert_eq!(usd(0.000001), "0.000001");
    }
}
