//! Durations as a mergeable log-scale histogram, so the percentiles of a year are read from a few hundred
//! day summaries instead of every event.
//!
//! The bins are fixed for every histogram (the sketch of DDSketch with relative accuracy 1 %): a duration
//! `x ≥ 1` falls in bin `k = ⌈log_γ x⌉` with `γ = 1.01 / 0.99`, which holds `(γ^(k-1), γ^k]`; zero and below share
//! one bin. A percentile is the nearest-rank one (the rank `⌈p · n⌉`): the bin holding that rank, read as
//! `2γ^k / (γ + 1)` and rounded to a whole millisecond. So a reported percentile `e` and the exact nearest-rank
//! value `x` always satisfy `|e − x| ≤ x / 100 + 0.5` (for `x ≤ 0`: `e = 0`). Counts, sums and means stay
//! exact; only a percentile is an estimate, and it is the same estimate whichever way the records were
//! summed (from the events, from hours or from days), because merging bins is exact.

/// `(1 + α) / (1 − α)` for α = 1 %.
const GAMMA: f64 = 1.01 / 0.99;

/// The bin of `i64::MAX`: no histogram has more.
const MAX_BIN: u32 = 2_250;

/// The relative error bound of a percentile, before rounding to a whole millisecond.
pub const RELATIVE_ERROR: f64 = 0.01;

/// Counts per bin, densely (a year of one tool's days merges a few hundred thousand counts: adding into a
/// vector is what keeps that to a millisecond); bin 0 holds durations ≤ 0, bin `k + 1` the durations in
/// `(γ^(k-1), γ^k]`. Durations up to an hour need fewer than 600 bins.
#[derive(Debug, Clone, Default)]
pub struct Histogram {
    bins: Vec<u64>,
    count: u64,
}

/// Equal when they hold the same counts, however far each vector grew.
impl PartialEq for Histogram {
    fn eq(&self, other: &Histogram) -> bool {
        let used = |bins: &[u64]| bins.len() - bins.iter().rev().take_while(|c| **c == 0).count();
        self.count == other.count && self.bins[..used(&self.bins)] == other.bins[..used(&other.bins)]
    }
}

impl Eq for Histogram {}

fn bin_of(value: i64) -> u32 {
    if value <= 0 {
        return 0;
    }
    // ln(i64::MAX) / ln(γ) < 2200: a bin index always fits.
    let k = ((value as f64).ln() / GAMMA.ln()).ceil();
    // Floating point may put an exact power of γ one bin high; the bounds decide.
    let k = k as i64;
    let k = if k > 0 && (value as f64) <= GAMMA.powi(k as i32 - 1) {
        k - 1
    } else if (value as f64) > GAMMA.powi(k as i32) {
        k + 1
    } else {
        k
    };
    (k + 1) as u32
}

fn value_of(bin: u32) -> i64 {
    if bin == 0 {
        return 0;
    }
    let k = bin as i32 - 1;
    (2.0 * GAMMA.powi(k) / (GAMMA + 1.0)).round() as i64
}

impl Histogram {
    pub fn record(&mut self, value: i64) {
        self.add(bin_of(value), 1);
        self.count += 1;
    }

    fn add(&mut self, bin: u32, count: u64) {
        let bin = bin as usize;
        if bin >= self.bins.len() {
            self.bins.resize(bin + 1, 0);
        }
        self.bins[bin] += count;
    }

    pub fn merge(&mut self, other: &Histogram) {
        if other.bins.len() > self.bins.len() {
            self.bins.resize(other.bins.len(), 0);
        }
        for (into, &count) in self.bins.iter_mut().zip(&other.bins) {
            *into += count;
        }
        self.count += other.count;
    }

    /// The nearest-rank `p`-th percentile (0 < p ≤ 100), within the bound the module states; `None` when empty.
    pub fn percentile(&self, p: f64) -> Option<i64> {
        if self.count == 0 {
            return None;
        }
        let rank = rank_of(p, self.count);
        let mut seen = 0;
        for (bin, &count) in self.bins.iter().enumerate() {
            seen += count;
            if seen >= rank {
                return Some(value_of(bin as u32));
            }
        }
        None
    }

    /// The bins as bytes: per non-empty bin, in order, the gap from the previous bin and the count, each an
    /// unsigned LEB128 number. An empty histogram is no bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut previous = 0;
        for (bin, &count) in self.bins.iter().enumerate().filter(|(_, count)| **count > 0) {
            put_varint(&mut out, (bin - previous) as u64);
            put_varint(&mut out, count);
            previous = bin;
        }
        out
    }

    /// Adds the bins of [`Histogram::to_bytes`]'s output; `None` (nothing added) when the bytes are not one
    /// or their counts would overflow these.
    pub fn merge_bytes(&mut self, bytes: &[u8]) -> Option<()> {
        // Added as read (a year of days merges thousands of these), and taken back should the bytes turn out
        // not to be a histogram part way, so that they add nothing.
        let (mut added, mut total) = (0, 0u64);
        let whole = pairs(bytes).all(|pair| {
            let Some((bin, count)) = pair else { return false };
            let Some(sum) = total.checked_add(count) else { return false };
            let bin = bin as usize;
            if bin >= self.bins.len() {
                self.bins.resize(bin + 1, 0);
            }
            let Some(into) = self.bins[bin].checked_add(count) else { return false };
            self.bins[bin] = into;
            (added, total) = (added + 1, sum);
            true
        });
        match self.count.checked_add(total) {
            Some(count) if whole => {
                self.count = count;
                Some(())
            }
            _ => {
                for (bin, count) in pairs(bytes).take(added).flatten() {
                    self.bins[bin as usize] -= count;
                }
                None
            }
        }
    }
}

/// [`Histogram::percentile`] of each of `ps` for the histogram [`Histogram::to_bytes`] wrote, read from the
/// bytes themselves: a day's histogram is a few dozen bins, and its dense form hundreds to clear and scan (a
/// year of daily latency by model is 1,460 of them). `None` where the bytes hold no count or are not a
/// histogram, as the histogram they would merge into would then be empty.
pub fn percentiles_of_bytes<const N: usize>(bytes: &[u8], ps: [f64; N]) -> [Option<i64>; N] {
    let mut total = 0u64;
    for pair in pairs(bytes) {
        match pair.and_then(|(_, count)| total.checked_add(count)) {
            Some(sum) => total = sum,
            None => return [None; N],
        }
    }
    if total == 0 {
        return [None; N];
    }
    let ranks = ps.map(|p| rank_of(p, total));
    let mut bins = [None; N];
    let mut seen = 0;
    for (bin, count) in pairs(bytes).flatten() {
        seen += count;
        for (slot, &rank) in bins.iter_mut().zip(&ranks) {
            if slot.is_none() && seen >= rank {
                *slot = Some(bin);
            }
        }
    }
    bins.map(|bin| bin.map(value_of))
}

/// The nearest rank `⌈p · n⌉` of the `p`-th percentile of `count > 0` values, within `1..=count`.
fn rank_of(p: f64, count: u64) -> u64 {
    (((p / 100.0) * count as f64).ceil().max(1.0) as u64).min(count)
}

/// The `(bin, count)` pairs of [`Histogram::to_bytes`]'s output, in bin order; `None` where they stop being
/// one (a truncated number, a bin past [`MAX_BIN`]), and nothing after that.
fn pairs(bytes: &[u8]) -> impl Iterator<Item = Option<(u32, u64)>> + '_ {
    let mut rest = bytes;
    let mut bin: u32 = 0;
    let mut broken = false;
    std::iter::from_fn(move || {
        if rest.is_empty() || broken {
            return None;
        }
        let pair = (|| {
            let gap = take_varint(&mut rest)?;
            let count = take_varint(&mut rest)?;
            bin = bin.checked_add(u32::try_from(gap).ok()?)?;
            (bin <= MAX_BIN).then_some((bin, count))
        })();
        broken = pair.is_none();
        Some(pair)
    })
}

fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn take_varint(bytes: &mut &[u8]) -> Option<u64> {
    // Most gaps and a day's counts fit one byte.
    if let Some((&byte, rest)) = bytes.split_first()
        && byte < 0x80
    {
        *bytes = rest;
        return Some(u64::from(byte));
    }
    let mut value: u64 = 0;
    for shift in (0..64).step_by(7) {
        let (&byte, rest) = bytes.split_first()?;
        *bytes = rest;
        value |= u64::from(byte & 0x7f).checked_shl(shift)?;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(sorted: &[i64], p: f64) -> i64 {
        let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
        sorted[rank.min(sorted.len()) - 1]
    }

    fn within_bound(estimate: i64, exact: i64) -> bool {
        if exact <= 0 {
            return estimate == 0;
        }
        (estimate - exact).abs() as f64 <= RELATIVE_ERROR * exact as f64 + 0.5
    }

    #[test]
    fn every_duration_reads_back_within_the_bound() {
        let mut values: Vec<i64> = (0..5_000).collect();
        values.extend((0..2_000).map(|i| (1.013f64.powi(i)) as i64).take_while(|v| *v < i64::MAX / 2));
        values.extend([i64::MAX, i64::MAX - 1, -5, 1, 2, 3, 999_999_999]);
        for value in values {
            let mut one = Histogram::default();
            one.record(value);
            let estimate = one.percentile(50.0).expect("one value");
            assert!(within_bound(estimate, value), "{value} read back as {estimate}");
        }
    }

    #[test]
    fn the_largest_duration_has_the_last_bin() {
        assert!(bin_of(i64::MAX) <= MAX_BIN);
    }

    #[test]
    fn small_durations_are_exact() {
        for value in 0..=25 {
            let mut one = Histogram::default();
            one.record(value);
            assert_eq!(one.percentile(95.0), Some(value));
        }
    }

    #[test]
    fn percentiles_of_spread_out_durations_hold_the_bound_against_nearest_rank() {
        // A deterministic spread from 1 ms to minutes, with heavy repeats, as tool and API durations are.
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for size in [1usize, 2, 3, 7, 20, 101, 1_000, 25_000] {
            let mut values: Vec<i64> =
                (0..size).map(|_| (next() % 1_000) as i64 * (1 + (next() % 300) as i64)).collect();
            let mut histogram = Histogram::default();
            for &v in &values {
                histogram.record(v);
            }
            values.sort_unstable();
            for p in [1.0, 25.0, 50.0, 90.0, 95.0, 99.0, 100.0] {
                let (estimate, exact) = (histogram.percentile(p).expect("values"), exact(&values, p));
                assert!(within_bound(estimate, exact), "p{p} of {size}: {estimate} for {exact}");
            }
        }
    }

    #[test]
    fn merging_and_bytes_change_nothing() {
        let (mut a, mut b, mut whole) = (Histogram::default(), Histogram::default(), Histogram::default());
        for v in (0..3_000).map(|i| i * 37 % 10_007) {
            if v % 3 == 0 {
                a.record(v)
            } else {
                b.record(v)
            }
            whole.record(v);
        }
        let mut merged = Histogram::default();
        merged.merge_bytes(&a.to_bytes()).expect("bytes");
        merged.merge_bytes(&b.to_bytes()).expect("bytes");
        assert_eq!(merged, whole);
        assert_eq!(Histogram::default().to_bytes(), Vec::<u8>::new());
        assert_eq!(whole.percentile(50.0), merged.percentile(50.0));
    }

    #[test]
    fn percentiles_read_from_the_bytes_are_the_histograms() {
        let mut histogram = Histogram::default();
        assert_eq!(percentiles_of_bytes(&histogram.to_bytes(), [50.0, 95.0]), [None, None]);
        let mut state: u64 = 7;
        for n in 1..2_000 {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            histogram.record((state >> 40) as i64 % 90_000 - 10);
            if n % 97 == 1 {
                let ps = [0.1, 50.0, 95.0, 99.9, 100.0];
                assert_eq!(percentiles_of_bytes(&histogram.to_bytes(), ps), ps.map(|p| histogram.percentile(p)), "{n}");
            }
        }
        for bad in [&[0x80][..], &[0xff; 12], &[0x05, 0x02, 0x80]] {
            assert_eq!(percentiles_of_bytes(bad, [50.0]), [None], "{bad:?}");
        }
    }

    #[test]
    fn bytes_that_are_not_a_histogram_add_nothing() {
        let mut histogram = Histogram::default();
        histogram.record(12);
        for bad in [&[0x80][..], &[0x05], &[0xff; 12], &[0xff, 0xff, 0xff, 0xff, 0x7f, 0x01], &[0xd0, 0x11, 0x01]] {
            assert_eq!(histogram.clone().merge_bytes(bad), None, "{bad:?}");
            let mut copy = histogram.clone();
            let _ = copy.merge_bytes(bad);
            assert_eq!(copy, histogram, "{bad:?} left it as it was");
        }
        // Good pairs, then one that is not: those read before are taken back.
        let mut good_then_bad = histogram.to_bytes();
        good_then_bad.extend([0x03, 0x02, 0x80]);
        // A count that would overflow the bin already holding one.
        let mut overflowing = histogram.to_bytes();
        put_varint(&mut overflowing, 0);
        put_varint(&mut overflowing, u64::MAX);
        for bad in [good_then_bad, overflowing] {
            let mut copy = histogram.clone();
            assert_eq!(copy.merge_bytes(&bad), None, "{bad:?}");
            assert_eq!(copy, histogram, "{bad:?} left it as it was");
            assert_eq!(copy.percentile(50.0), Some(12));
        }
        assert_eq!(Histogram::default().percentile(50.0), None);
    }
}
