//! The KLL quantile sketch exactly as Deequ's `QuantileNonSample` (quality-monitoring.md §2.4).
//!
//! Deterministic: no randomness, so a sequential run reproduces Deequ item for item, and a baseline sketch
//! read back from statistics.json answers the same ranks it did when written. Up to 2 050 values (with the
//! default size) every value is kept with weight 1, so distances computed from small windows are exact.

use serde::{Deserialize, Serialize};

use crate::json_number::JsonF64;

/// Deequ's default sketch size `k`.
pub const DEFAULT_SKETCH_SIZE: u32 = 2048;
/// Deequ's default shrinking factor `c`.
pub const DEFAULT_SHRINKING_FACTOR: f64 = 0.64;
/// The number of buckets the distribution is materialised in (§2.4, [doc]).
pub const BUCKET_COUNT: usize = 10;

/// A KLL sketch of f64 values. Cloning is cheap enough for a profile (a few thousand doubles).
#[derive(Debug, Clone, PartialEq)]
pub struct KllSketch {
    sketch_size: u32,
    shrinking_factor: f64,
    levels: Vec<Compactor>,
    /// Items held in all levels.
    actual: usize,
    /// Sum of the capacities of the existing levels.
    total: usize,
}

/// One level of the sketch; each item stands for 2^level original values.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Compactor {
    /// The retained items, in insertion order (Deequ keeps the unsorted order between compactions).
    pub items: Vec<JsonF64>,
    /// How many times this level was compacted; drives the alternating offset.
    pub num_compress: u32,
    /// Which of each sorted pair the next compaction keeps (0 or 1).
    pub offset: u8,
}

impl Default for KllSketch {
    fn default() -> Self {
        KllSketch::new(DEFAULT_SKETCH_SIZE, DEFAULT_SHRINKING_FACTOR)
    }
}

impl KllSketch {
    /// An empty sketch with one level. `sketch_size` ≥ 2 and `shrinking_factor` in (0, 1) are the
    /// caller's responsibility (Deequ's defaults are 2048 and 0.64).
    pub fn new(sketch_size: u32, shrinking_factor: f64) -> Self {
        let mut s = KllSketch { sketch_size, shrinking_factor, levels: Vec::new(), actual: 0, total: 0 };
        s.expand();
        s
    }

    /// Rebuilds a sketch from its levels (e.g. `kll.sketch.data` of a statistics.json), level `i`
    /// weighing 2^i. Compaction counters are not in that file; they start at zero, which only matters
    /// if more values are inserted later.
    pub fn from_levels(sketch_size: u32, shrinking_factor: f64, levels: Vec<Vec<f64>>) -> Self {
        let levels = levels
            .into_iter()
            .map(|items| Compactor {
                items: items.into_iter().map(JsonF64).collect(),
                ..Compactor::default()
            })
            .collect();
        Self::from_compactors(sketch_size, shrinking_factor, levels)
    }

    /// Rebuilds a sketch from complete level states (our own profile format keeps the counters, so a
    /// stored profile continues exactly as the live one would have).
    pub fn from_compactors(sketch_size: u32, shrinking_factor: f64, levels: Vec<Compactor>) -> Self {
        let mut s = KllSketch { sketch_size, shrinking_factor, levels, actual: 0, total: 0 };
        if s.levels.is_empty() {
            s.levels.push(Compactor::default());
        }
        s.total = (0..s.levels.len()).map(|h| s.capacity(h)).sum();
        s.actual = s.levels.iter().map(|l| l.items.len()).sum();
        s
    }

    /// The sketch size `k`.
    pub fn sketch_size(&self) -> u32 {
        self.sketch_size
    }

    /// The shrinking factor `c`.
    pub fn shrinking_factor(&self) -> f64 {
        self.shrinking_factor
    }

    /// The levels, lowest first.
    pub fn compactors(&self) -> &[Compactor] {
        &self.levels
    }

    /// The items of each level as plain doubles: statistics.json's `sketch.data`.
    pub fn level_items(&self) -> Vec<Vec<f64>> {
        self.levels.iter().map(|l| l.items.iter().map(|v| v.0).collect()).collect()
    }

    /// capacity(h) = 2 · (ceil(k · c^h / 2) + 1): 2050, 1314, 842, … for k = 2048.
    fn capacity(&self, height: usize) -> usize {
        let scaled = f64::from(self.sketch_size) * self.shrinking_factor.powf(height as f64) / 2.0;
        2 * (scaled.ceil() as usize + 1)
    }

    fn expand(&mut self) {
        self.levels.push(Compactor::default());
        self.total += self.capacity(self.levels.len() - 1);
    }

    /// Adds one value (finite values only: the profile never passes NaN or infinities).
    pub fn insert(&mut self, value: f64) {
        self.levels[0].items.push(JsonF64(value));
        self.actual += 1;
        if self.actual > self.total {
            self.condense();
        }
    }

    /// Compacts the lowest level that is at capacity into the level above it (adding a level on top
    /// when needed). Exactly one compaction, as Deequ's `condense`.
    fn condense(&mut self) {
        let Some(height) = (0..self.levels.len()).find(|&h| self.levels[h].items.len() >= self.capacity(h))
        else {
            return;
        };
        if height + 1 >= self.levels.len() {
            self.expand();
        }
        let (low, high) = self.levels.split_at_mut(height + 1);
        low[height].compact_into(&mut high[0].items);
        self.actual = self.levels.iter().map(|l| l.items.len()).sum();
    }

    /// Merges `other` into this sketch as Deequ does: level buffers are concatenated (this sketch's
    /// counters kept), then condensed while the items fill the total capacity.
    pub fn merge(&mut self, other: &KllSketch) {
        while self.levels.len() < other.levels.len() {
            self.expand();
        }
        for (mine, theirs) in self.levels.iter_mut().zip(&other.levels) {
            mine.items.extend_from_slice(&theirs.items);
        }
        self.actual = self.levels.iter().map(|l| l.items.len()).sum();
        while self.actual >= self.total {
            self.condense();
        }
    }

    /// The number of values the sketch stands for (sum of item weights).
    pub fn count(&self) -> u64 {
        self.levels.iter().enumerate().map(|(h, l)| (l.items.len() as u64) << h).sum()
    }

    /// The items with their weights, sorted by value, collapsed into distinct values with cumulative
    /// weights: the form every rank, quantile and distance query uses.
    pub fn ranked(&self) -> RankedItems {
        let mut weighted: Vec<(f64, u64)> = Vec::with_capacity(self.actual);
        for (h, level) in self.levels.iter().enumerate() {
            weighted.extend(level.items.iter().map(|v| (v.0, 1u64 << h)));
        }
        weighted.sort_by(|a, b| a.0.total_cmp(&b.0));
        RankedItems::from_sorted(&weighted)
    }

    /// Deequ's `quantiles(q)`: the q−1 values at ranks floor(j·W/q), reported as the item *after* the
    /// one that reached the threshold (a quirk kept for compatibility). Empty for an empty sketch.
    pub fn quantiles(&self, q: usize) -> Vec<f64> {
        let mut weighted: Vec<(f64, u64)> = Vec::with_capacity(self.actual);
        for (h, level) in self.levels.iter().enumerate() {
            weighted.extend(level.items.iter().map(|v| (v.0, 1u64 << h)));
        }
        if weighted.is_empty() || q < 2 {
            return Vec::new();
        }
        weighted.sort_by(|a, b| a.0.total_cmp(&b.0)); // stable, as Scala's sortBy
        let total: u64 = weighted.iter().map(|w| w.1).sum();
        // Deequ pre-fills with the smallest item and stops once the cursor has run off the end, so
        // quantiles after that point stay at the smallest item; reproduced as is.
        let mut out = vec![weighted[0].0; q - 1];
        let (mut i, mut sum) = (0usize, 0u64);
        for (j, slot) in out.iter_mut().enumerate() {
            if i >= weighted.len() {
                break;
            }
            let threshold = (j as u64 + 1) * total / q as u64;
            while sum < threshold {
                sum += weighted[i].1;
                i += 1;
            }
            *slot = weighted[i.min(weighted.len() - 1)].0;
        }
        out
    }

    /// The 10 buckets of statistics.json between `lo` and `hi` (§2.4): half-open [lower, upper) except
    /// the last, which is closed. Counts come from the sketch's ranks.
    pub fn buckets(&self, lo: f64, hi: f64) -> Vec<Bucket> {
        let ranked = self.ranked();
        let nb = BUCKET_COUNT as f64;
        (0..BUCKET_COUNT)
            .map(|i| {
                let lower = lo + (hi - lo) * i as f64 / nb;
                let upper = lo + (hi - lo) * (i + 1) as f64 / nb;
                let upper_rank =
                    if i == BUCKET_COUNT - 1 { ranked.rank(upper) } else { ranked.rank_exclusive(upper) };
                let count = upper_rank.saturating_sub(ranked.rank_exclusive(lower));
                Bucket { lower_bound: lower, upper_bound: upper, count: count as f64 }
            })
            .collect()
    }
}

impl Compactor {
    /// Halves this level into `out` (the level above): sort the even-length prefix, keep every second
    /// item from the offset (flipped first when the compaction count is odd); an odd last item stays.
    fn compact_into(&mut self, out: &mut Vec<JsonF64>) {
        let len = self.items.len();
        let even = len - len % 2;
        if self.num_compress % 2 == 1 {
            self.offset = 1 - self.offset;
        }
        let tail = (len % 2 == 1).then(|| self.items[len - 1]);
        self.items.truncate(even);
        sort_values(&mut self.items);
        out.extend(self.items.iter().skip(self.offset as usize).step_by(2));
        self.items.clear();
        self.items.extend(tail);
        self.num_compress += 1;
    }
}

/// Sorts ascending in IEEE total order (as Java's `Double.compare`, which Deequ's sort uses), through
/// integer keys: markedly faster than a comparison closure on the profile's hot path.
fn sort_values(items: &mut [JsonF64]) {
    items.sort_unstable_by_key(|v| total_order_key(v.0));
}

fn total_order_key(v: f64) -> i64 {
    let bits = v.to_bits() as i64;
    bits ^ ((((bits >> 63) as u64) >> 1) as i64)
}

/// One bucket of the materialised distribution.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    /// Inclusive lower bound.
    pub lower_bound: f64,
    /// Exclusive upper bound (inclusive for the last bucket).
    pub upper_bound: f64,
    /// Weight of the sketch items in the bucket.
    pub count: f64,
}

/// Distinct sketch values in ascending order with their cumulative (inclusive) weights.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RankedItems {
    values: Vec<f64>,
    cumulative: Vec<u64>,
}

impl RankedItems {
    /// Builds from (value, weight) pairs sorted by value; equal values are collapsed.
    pub fn from_sorted(weighted: &[(f64, u64)]) -> Self {
        let mut r = RankedItems::default();
        let mut running = 0u64;
        for &(v, w) in weighted {
            running += w;
            if r.values.last() == Some(&v) {
                *r.cumulative.last_mut().expect("parallel vectors") = running;
            } else {
                r.values.push(v);
                r.cumulative.push(running);
            }
        }
        r
    }

    /// Builds from exact values (each of weight 1), in any order.
    pub fn from_values(values: &[f64]) -> Self {
        let mut sorted: Vec<(f64, u64)> = values.iter().map(|&v| (v, 1)).collect();
        sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
        Self::from_sorted(&sorted)
    }

    /// The distinct values, ascending.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// Total weight.
    pub fn total(&self) -> u64 {
        self.cumulative.last().copied().unwrap_or(0)
    }

    /// Weight of the items ≤ `x` (Deequ's `getRank`).
    pub fn rank(&self, x: f64) -> u64 {
        let idx = self.values.partition_point(|&v| v <= x);
        if idx == 0 { 0 } else { self.cumulative[idx - 1] }
    }

    /// Weight of the items < `x` (Deequ's `getRankExclusive`).
    pub fn rank_exclusive(&self, x: f64) -> u64 {
        let idx = self.values.partition_point(|&v| v < x);
        if idx == 0 { 0 } else { self.cumulative[idx - 1] }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacities_match_deequ() {
        let s = KllSketch::default();
        assert_eq!((0..4).map(|h| s.capacity(h)).collect::<Vec<_>>(), vec![2050, 1314, 842, 540]);
    }

    #[test]
    fn holds_every_value_up_to_the_first_level_capacity() {
        let mut s = KllSketch::default();
        for i in 0..2050 {
            s.insert(f64::from(i));
        }
        assert_eq!(s.compactors().len(), 1);
        assert_eq!(s.count(), 2050);
        s.insert(2050.0);
        // The 2051st value triggers the first compaction: 1025 items move up, the odd last one stays.
        assert_eq!(s.compactors().len(), 2);
        assert_eq!(s.compactors()[0].items, vec![JsonF64(2050.0)]);
        assert_eq!(s.compactors()[1].items.len(), 1025);
        assert_eq!(s.compactors()[1].items[0].0, 0.0, "offset 0 keeps the smaller of each pair");
        assert_eq!(s.count(), 2051);
    }

    #[test]
    fn offsets_alternate_0_1_1_0() {
        let mut c = Compactor::default();
        let mut offsets = Vec::new();
        for _ in 0..8 {
            c.items = vec![JsonF64(1.0), JsonF64(2.0)];
            let mut out = Vec::new();
            c.compact_into(&mut out);
            offsets.push(c.offset);
        }
        assert_eq!(offsets, vec![0, 1, 1, 0, 0, 1, 1, 0]);
    }

    #[test]
    fn quantiles_report_the_item_after_the_threshold() {
        let mut s = KllSketch::default();
        for v in [5.0, 1.0, 4.0, 2.0, 3.0] {
            s.insert(v);
        }
        // W = 5, q = 2: threshold 2 is reached after items 1 and 2, so the item reported is 3.
        assert_eq!(s.quantiles(2), vec![3.0]);
        assert_eq!(s.quantiles(4), vec![2.0, 3.0, 4.0]);
    }

    #[test]
    fn buckets_are_half_open_but_the_last_is_closed() {
        let mut s = KllSketch::default();
        for v in [0.0, 1.0, 1.0, 5.0, 10.0] {
            s.insert(v);
        }
        let b = s.buckets(0.0, 10.0);
        let counts: Vec<f64> = b.iter().map(|b| b.count).collect();
        assert_eq!(counts, vec![1.0, 2.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]);
        assert_eq!(b[9].upper_bound, 10.0);
    }

    #[test]
    fn total_order_key_sorts_like_total_cmp() {
        let mut v: Vec<JsonF64> = [3.5, -0.0, 0.0, -7.25, 1e300, -1e-300, 2.0].map(JsonF64).to_vec();
        sort_values(&mut v);
        let mut expected = [3.5, -0.0, 0.0, -7.25, 1e300, -1e-300, 2.0];
        expected.sort_by(f64::total_cmp);
        assert_eq!(v.iter().map(|x| x.0.to_bits()).collect::<Vec<_>>(), expected.map(f64::to_bits).to_vec());
    }
}

/// The serialised form of a complete sketch in our profile files: parameters plus every level with its
/// counters, so a stored profile continues exactly where the live one stopped.
#[derive(Serialize, Deserialize)]
struct KllState {
    k: u32,
    c: JsonF64,
    levels: Vec<Compactor>,
}

impl Serialize for KllSketch {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        KllState { k: self.sketch_size, c: JsonF64(self.shrinking_factor), levels: self.levels.clone() }
            .serialize(s)
    }
}

impl<'de> Deserialize<'de> for KllSketch {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let st = KllState::deserialize(d)?;
        if st.k < 2 || !(st.c.0 > 0.0 && st.c.0 < 1.0) {
            return Err(D::Error::custom("a KLL sketch needs k >= 2 and 0 < c < 1"));
        }
        Ok(KllSketch::from_compactors(st.k, st.c.0, st.levels))
    }
}
