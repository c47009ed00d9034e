//! Rates learned from the user's own telemetry: each `api_request` event carries Claude Code's `cost_usd` and
//! the tokens it was for, so a model's price per kind of token is the solution of a few of them. A model priced
//! here is priced right the day it ships, before any table has it.
//!
//! Only requests below the first long-context tier (200,000 input tokens) are used, so one flat set of rates
//! explains them all. The rates are solved by least squares, rounded to a thousandth of a dollar per million
//! tokens (list prices are whole cents or less), and kept only if they give back Claude Code's cost of every
//! request used to within a nano-dollar (its `cost_usd` is a double): a price change, a discount or a tier the
//! rule did not expect leaves the model to the table instead.

use std::collections::BTreeMap;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::{Billed, Pico, Rates};
use crate::error::Result;

/// Input, cache reads and writes above this are billed at a long-context tier by some models: not learned from.
pub const FLAT_PROMPT_LIMIT: i64 = 200_000;
/// The most recent requests of a model that its rates are solved from.
pub const MAX_SAMPLES: usize = 400;
/// Requests a solution needs at the least, beyond one per rate.
const SPARE_SAMPLES: usize = 1;
/// Rates are rounded to this many pico-dollars per token: $0.001 per million tokens.
const ROUND_TO: Pico = 1_000;

/// One request of a model: what it was billed for and what Claude Code said it cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    pub billed: Billed,
    pub cost_nanos: i64,
}

/// A model's learned rates and the requests behind them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Learned {
    pub rates: Rates,
    /// Requests solved from, each of which the rates give back exactly.
    pub requests: usize,
}

/// The rates `samples` (one model's requests) agree on; `None` when they are too few, too alike to tell the
/// kinds of token apart, or not explained by one set of flat rates.
pub fn learn(samples: &[Sample]) -> Option<Learned> {
    let flat: Vec<&Sample> =
        samples.iter().filter(|s| s.billed.prompt() <= FLAT_PROMPT_LIMIT && s.cost_nanos >= 0).collect();
    // A rate no request used cannot be told; hour-long writes are often never used, and then cost twice the
    // input, Anthropic's rule.
    let hour_used = flat.iter().any(|s| s.billed.cache_write_1h > 0);
    let columns = if hour_used { 5 } else { 4 };
    if flat.len() < columns + SPARE_SAMPLES {
        return None;
    }
    let row = |s: &Sample| -> [f64; 5] {
        let b = s.billed;
        [b.input, b.output, b.cache_read, b.cache_write_5m, b.cache_write_1h].map(|n| n as f64)
    };
    // The normal equations AᵀA·x = Aᵀb, costs in pico-dollars.
    let mut normal = [[0.0_f64; 6]; 5];
    for sample in &flat {
        let a = row(sample);
        let b = sample.cost_nanos as f64 * 1000.0;
        for i in 0..columns {
            for j in 0..columns {
                normal[i][j] += a[i] * a[j];
            }
            normal[i][5] += a[i] * b;
        }
    }
    let solution = solve(&mut normal, columns)?;
    let round = |x: f64| -> Option<Pico> {
        (x.is_finite() && x >= -0.5 * ROUND_TO as f64)
            .then(|| ((x / ROUND_TO as f64).round() as Pico * ROUND_TO).max(0))
    };
    let input = round(solution[0])?;
    let rates = Rates {
        input,
        output: round(solution[1])?,
        cache_read: round(solution[2])?,
        cache_write_5m: round(solution[3])?,
        cache_write_1h: if hour_used { round(solution[4])? } else { 2 * input },
    };
    flat.iter()
        .all(|s| (rates.cost_nanos(&s.billed) - s.cost_nanos).abs() <= 1)
        .then_some(Learned { rates, requests: flat.len() })
}

/// Gaussian elimination with partial pivoting on the `n`×`n` system in `m` (its right side in column 5);
/// `None` when it is singular, i.e. some kinds of token always came in the same proportion.
fn solve(m: &mut [[f64; 6]; 5], n: usize) -> Option<[f64; 5]> {
    let scale = (0..n).map(|i| m[i][i].abs()).fold(0.0_f64, f64::max);
    if scale == 0.0 {
        return None;
    }
    for col in 0..n {
        let pivot = (col..n).max_by(|&a, &b| m[a][col].abs().total_cmp(&m[b][col].abs()))?;
        if m[pivot][col].abs() <= scale * 1e-12 {
            return None;
        }
        m.swap(col, pivot);
        let pivot_row = m[col];
        for (at, row) in m.iter_mut().enumerate().take(n) {
            if at != col {
                let factor = row[col] / pivot_row[col];
                for (value, pivot) in row.iter_mut().zip(pivot_row).skip(col) {
                    *value -= factor * pivot;
                }
            }
        }
    }
    let mut x = [0.0; 5];
    for (at, (value, row)) in x.iter_mut().zip(m.iter()).enumerate().take(n) {
        *value = row[5] / row[at];
    }
    Some(x)
}

/// The rates learned from the stored `api_request` events, per normalised model name: each model's most recent
/// [`MAX_SAMPLES`] requests with Claude Code's own full-precision cost (not the rounded `cost_usd_micros` stand-in,
/// never an estimate: a request read from a transcript has only ccmeter's own price).
pub fn from_store(conn: &Connection) -> Result<BTreeMap<String, Learned>> {
    let mut statement = conn.prepare_cached(
        "SELECT model_norm, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens,
                cache_creation_1h_tokens, cost_nanos
         FROM (SELECT *, row_number() OVER (PARTITION BY model_norm ORDER BY time_ns DESC) AS recent
               FROM events
               WHERE name = 'api_request' AND is_claude_code = 1 AND model_norm IS NOT NULL AND model_norm <> ''
                 AND cost_nanos IS NOT NULL AND coalesce(cost_from_micros, 0) = 0 AND estimated = 0)
         WHERE recent <= ?1",
    )?;
    let mut samples: BTreeMap<String, Vec<Sample>> = BTreeMap::new();
    let rows = statement.query_map([MAX_SAMPLES as i64], |row| {
        let count = |at: usize| -> rusqlite::Result<i64> { Ok(row.get::<_, Option<i64>>(at)?.unwrap_or(0)) };
        let written = count(4)?;
        let hour = count(5)?.clamp(0, written.max(0));
        let billed = Billed {
            input: count(1)?,
            output: count(2)?,
            cache_read: count(3)?,
            cache_write_5m: written - hour,
            cache_write_1h: hour,
        };
        Ok((row.get::<_, String>(0)?, Sample { billed, cost_nanos: row.get(6)? }))
    })?;
    for row in rows {
        let (model, sample) = row?;
        samples.entry(model).or_default().push(sample);
    }
    Ok(samples.into_iter().filter_map(|(model, samples)| learn(&samples).map(|learned| (model, learned))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPUS_5_5: Rates = Rates {
        input: 4_000_000,
        output: 20_000_000,
        cache_read: 200_000,
        cache_write_5m: 5_000_000,
        cache_write_1h: 8_000_000,
    };

    fn sample(input: i64, output: i64, cache_read: i64, cache_write_5m: i64, cache_write_1h: i64) -> Sample {
        let billed = Billed { input, output, cache_read, cache_write_5m, cache_write_1h };
        Sample { billed, cost_nanos: OPUS_5_5.cost_nanos(&billed) }
    }

    /// Requests as varied as real ones: a fixed pseudo-random walk through the token counts.
    fn varied(count: u64, hour: bool) -> Vec<Sample> {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |below: u64| {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            ((state >> 33) % below) as i64
        };
        (0..count)
            .map(|_| {
                let hour = if hour { next(4_000) } else { 0 };
                sample(1 + next(50), 20 + next(3_000), next(150_000), next(20_000), hour)
            })
            .collect()
    }

    #[test]
    fn a_handful_of_requests_of_a_model_give_back_its_list_prices() {
        let samples = varied(5, false);
        let learned = learn(&samples).expect("learned");
        assert_eq!(learned.rates, Rates { cache_write_1h: 2 * OPUS_5_5.input, ..OPUS_5_5 });
        assert_eq!(learned.requests, 5);
        let with_hour = [&samples[..], &varied(6, true)[..]].concat();
        assert_eq!(learn(&with_hour).expect("learned").rates, OPUS_5_5, "hour-long writes, when used, are learned");
    }

    #[test]
    fn too_few_too_alike_or_inconsistent_requests_teach_nothing() {
        assert_eq!(learn(&varied(4, false)), None, "four rates need five requests");
        // The captures' stand-in API grew every count by the same step: too regular to tell the rates apart.
        let alike: Vec<Sample> = (7..=15).map(|n| sample(n, 15 * n + 30, 360 * n + 11_840, 10 * n + 290, 0)).collect();
        assert_eq!(learn(&alike), None);
        // A price cut halfway: no one set of flat rates explains both halves.
        let mut changed = varied(12, false);
        assert!(learn(&changed).is_some());
        for s in changed.iter_mut().take(6) {
            s.cost_nanos = s.cost_nanos * 4 / 5;
        }
        assert_eq!(learn(&changed), None);
        // A long prompt (tier prices) is left out rather than spoiling the solution.
        let mut long = varied(8, false);
        long.push(Sample { billed: Billed { input: 250_000, ..Billed::default() }, cost_nanos: 3_000_000_000 });
        assert_eq!(learn(&long).map(|l| l.requests), Some(8));
    }
}
