//! Counts per distinct value of a column (its categorical distribution) and its distinct count, with
//! memory bounded however many values a column has.
//!
//! * Text cells (String and Boolean classes) are counted exactly up to [`STRING_LIMIT`] distinct values
//!   (the spec's limit for an exact `distinct_count`); past it no new value gets its own counter, and the
//!   distinct count comes from a HyperLogLog sketch (relative error ≈ 0.8 %).
//! * Numeric cells are counted per value (labelled with their first spelling) only up to
//!   [`NUMBER_LIMIT`] distinct values: a numeric column is described by its KLL sketch, and itemising its
//!   numbers only matters when the column turns out to be a String column with a few numbers in it.
//!   Past the limit the numbers are dropped from the counts and go to their own HyperLogLog sketch.
//!
//! Merging two counts gives the same result as counting the concatenated input, as long as neither limit
//! is crossed; crossing one is itself deterministic.

use std::collections::HashMap;

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::value_class::parse_numeric;

/// Distinct text values counted exactly.
pub const STRING_LIMIT: usize = 100_000;
/// Distinct numeric values itemised.
pub const NUMBER_LIMIT: usize = 1_000;
/// Buckets written in statistics.json's categorical distribution (§2.3, [ours]).
pub const BUCKET_LIMIT: usize = 1_000;

type FastMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;

fn fast_map<K, V>() -> FastMap<K, V> {
    FastMap::with_hasher(foldhash::fast::FixedState::with_seed(0x7477_696e_7069_7065))
}

/// The value counts of one column. See the module docs for the limits.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(from = "ValueCountsState", into = "ValueCountsState")]
pub struct ValueCounts {
    strings: FastMap<String, u64>,
    strings_frozen: bool,
    unitemised_strings: u64,
    string_sketch: Option<HyperLogLog>,
    /// Keyed by the value's bits (−0 folded into +0); holds the first spelling and the count.
    numbers: Option<FastMap<u64, (String, u64)>>,
    number_sketch: Option<HyperLogLog>,
}

impl Default for ValueCounts {
    fn default() -> Self {
        ValueCounts {
            strings: fast_map(),
            strings_frozen: false,
            unitemised_strings: 0,
            string_sketch: None,
            numbers: Some(fast_map()),
            number_sketch: None,
        }
    }
}

impl PartialEq for ValueCounts {
    fn eq(&self, other: &Self) -> bool {
        ValueCountsState::from(self.clone()) == ValueCountsState::from(other.clone())
    }
}

fn number_key(v: f64) -> u64 {
    (v + 0.0).to_bits()
}

impl ValueCounts {
    /// Counts one text cell (String or Boolean class).
    pub fn add_text(&mut self, text: &str) {
        if let Some(c) = self.strings.get_mut(text) {
            *c += 1;
        } else if self.strings_frozen {
            self.unitemised_strings += 1;
            self.string_sketch.get_or_insert_with(HyperLogLog::new).add_hash(hash_text(text));
        } else {
            self.strings.insert(text.to_owned(), 1);
            if self.strings.len() > STRING_LIMIT {
                self.freeze_strings();
            }
        }
    }

    /// Counts `n` cells holding the same text.
    pub fn add_text_n(&mut self, text: &str, n: u64) {
        if n == 0 {
            return;
        }
        self.add_text(text);
        let extra = n - 1;
        if let Some(c) = self.strings.get_mut(text) {
            *c += extra;
        } else {
            self.unitemised_strings += extra;
        }
    }

    fn freeze_strings(&mut self) {
        self.strings_frozen = true;
        let sketch = self.string_sketch.get_or_insert_with(HyperLogLog::new);
        self.strings.keys().for_each(|k| sketch.add_hash(hash_text(k)));
    }

    /// Counts one numeric cell; `spelling` gives its text the first time the value is seen.
    pub fn add_number(&mut self, value: f64, spelling: impl FnOnce() -> String) {
        self.add_number_n(value, 1, spelling);
    }

    /// Counts `n` numeric cells of the same value.
    pub fn add_number_n(&mut self, value: f64, n: u64, spelling: impl FnOnce() -> String) {
        let key = number_key(value);
        match &mut self.numbers {
            Some(map) => {
                if let Some(entry) = map.get_mut(&key) {
                    entry.1 += n;
                } else {
                    map.insert(key, (spelling(), n));
                    if map.len() > NUMBER_LIMIT {
                        self.overflow_numbers();
                    }
                }
            }
            None => self.number_sketch.get_or_insert_with(HyperLogLog::new).add_hash(mix64(key)),
        }
    }

    fn overflow_numbers(&mut self) {
        if let Some(map) = self.numbers.take() {
            let sketch = self.number_sketch.get_or_insert_with(HyperLogLog::new);
            map.keys().for_each(|k| sketch.add_hash(mix64(*k)));
        }
    }

    /// Adds another column's counts.
    pub fn merge(&mut self, other: &ValueCounts) {
        for (text, &n) in &other.strings {
            self.add_text_n(text, n);
        }
        self.unitemised_strings += other.unitemised_strings;
        if let Some(theirs) = &other.string_sketch {
            self.string_sketch.get_or_insert_with(HyperLogLog::new).merge(theirs);
        }
        if other.strings_frozen && !self.strings_frozen {
            self.freeze_strings();
        }
        match &other.numbers {
            Some(theirs) => {
                for (&key, (spelling, n)) in theirs {
                    self.add_number_n(f64::from_bits(key), *n, || spelling.clone());
                }
            }
            None => self.overflow_numbers(),
        }
        if let Some(theirs) = &other.number_sketch {
            self.number_sketch.get_or_insert_with(HyperLogLog::new).merge(theirs);
        }
    }

    /// True when every non-null cell has its own counter (no limit was crossed).
    pub fn is_complete(&self) -> bool {
        !self.strings_frozen && self.numbers.is_some()
    }

    /// Distinct non-null values: exact while complete, else partly from HyperLogLog sketches.
    pub fn distinct_count(&self) -> f64 {
        let strings = match &self.string_sketch {
            Some(s) if self.strings_frozen => s.estimate().max(self.strings.len() as f64),
            _ => self.strings.len() as f64,
        };
        let numbers = match (&self.numbers, &self.number_sketch) {
            (Some(map), _) => map.len() as f64,
            (None, Some(s)) => s.estimate(),
            (None, None) => 0.0,
        };
        strings + numbers
    }

    /// Every itemised value with its count (text values and numbers under their first spelling).
    pub fn counts(&self) -> Vec<(&str, u64)> {
        let mut out: Vec<(&str, u64)> = self.strings.iter().map(|(k, &v)| (k.as_str(), v)).collect();
        if let Some(map) = &self.numbers {
            out.extend(map.values().map(|(s, n)| (s.as_str(), *n)));
        }
        out
    }

    /// The categorical buckets: count descending, then value ascending, at most [`BUCKET_LIMIT`];
    /// `truncated` when values were left out (by the bucket limit or because a counting limit was crossed).
    pub fn buckets(&self) -> (Vec<(String, u64)>, bool) {
        let mut all: Vec<(String, u64)> = self.counts().into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        all.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let truncated = all.len() > BUCKET_LIMIT || !self.is_complete();
        all.truncate(BUCKET_LIMIT);
        (all, truncated)
    }
}

/// The serialised form: sorted, so equal counts serialise identically.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ValueCountsState {
    strings: Vec<(String, u64)>,
    #[serde(default)]
    strings_frozen: bool,
    #[serde(default)]
    unitemised_strings: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    string_sketch: Option<HyperLogLog>,
    /// `null` once more than [`NUMBER_LIMIT`] distinct numbers were seen.
    numbers: Option<Vec<(String, u64)>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    number_sketch: Option<HyperLogLog>,
}

impl From<ValueCounts> for ValueCountsState {
    fn from(v: ValueCounts) -> Self {
        let mut strings: Vec<(String, u64)> = v.strings.into_iter().collect();
        strings.sort();
        let numbers = v.numbers.map(|m| {
            let mut n: Vec<(u64, (String, u64))> = m.into_iter().collect();
            n.sort_by(|a, b| f64::from_bits(a.0).total_cmp(&f64::from_bits(b.0)));
            n.into_iter().map(|(_, pair)| pair).collect()
        });
        ValueCountsState {
            strings,
            strings_frozen: v.strings_frozen,
            unitemised_strings: v.unitemised_strings,
            string_sketch: v.string_sketch,
            numbers,
            number_sketch: v.number_sketch,
        }
    }
}

impl From<ValueCountsState> for ValueCounts {
    fn from(s: ValueCountsState) -> Self {
        let mut strings = fast_map();
        strings.extend(s.strings);
        let numbers = s.numbers.map(|list| {
            let mut m = fast_map();
            m.extend(
                list.into_iter().map(|(spelling, n)| (number_key(parse_numeric(&spelling)), (spelling, n))),
            );
            m
        });
        ValueCounts {
            strings,
            strings_frozen: s.strings_frozen,
            unitemised_strings: s.unitemised_strings,
            string_sketch: s.string_sketch,
            numbers,
            number_sketch: s.number_sketch,
        }
    }
}

/// HyperLogLog with 2^14 registers (standard error 1.04/√16384 ≈ 0.8 %), linear counting for small
/// cardinalities. Hashes are stable across processes and versions, so stored sketches merge.
#[derive(Debug, Clone, PartialEq)]
pub struct HyperLogLog {
    registers: Vec<u8>,
}

const HLL_P: u32 = 14;
const HLL_M: usize = 1 << HLL_P;

impl Default for HyperLogLog {
    fn default() -> Self {
        HyperLogLog::new()
    }
}

impl HyperLogLog {
    /// An empty sketch.
    pub fn new() -> Self {
        HyperLogLog { registers: vec![0; HLL_M] }
    }

    /// Adds a 64-bit hash of a value.
    pub fn add_hash(&mut self, hash: u64) {
        let idx = (hash >> (64 - HLL_P)) as usize;
        let rest = (hash << HLL_P) | (1 << (HLL_P - 1));
        let rho = rest.leading_zeros() as u8 + 1;
        if rho > self.registers[idx] {
            self.registers[idx] = rho;
        }
    }

    /// Register-wise maximum: the sketch of the union.
    pub fn merge(&mut self, other: &HyperLogLog) {
        for (a, b) in self.registers.iter_mut().zip(&other.registers) {
            *a = (*a).max(*b);
        }
    }

    /// The estimated number of distinct values added.
    pub fn estimate(&self) -> f64 {
        let m = HLL_M as f64;
        let alpha = 0.7213 / (1.0 + 1.079 / m);
        let sum: f64 = self.registers.iter().map(|&r| (-f64::from(r)).exp2()).sum();
        let raw = alpha * m * m / sum;
        let zeros = self.registers.iter().filter(|&&r| r == 0).count();
        if raw <= 2.5 * m && zeros > 0 { m * (m / zeros as f64).ln() } else { raw }
    }
}

impl Serialize for HyperLogLog {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(&self.registers))
    }
}

impl<'de> Deserialize<'de> for HyperLogLog {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let text = String::deserialize(d)?;
        let registers = base64::engine::general_purpose::STANDARD.decode(text).map_err(D::Error::custom)?;
        if registers.len() != HLL_M {
            return Err(D::Error::custom(format!("a HyperLogLog sketch has {HLL_M} registers")));
        }
        Ok(HyperLogLog { registers })
    }
}

/// FNV-1a over the bytes, then a 64-bit finaliser: stable, and well spread for the register index.
fn hash_text(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    mix64(h)
}

/// MurmurHash3's fmix64.
fn mix64(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_sort_by_count_then_value() {
        let mut c = ValueCounts::default();
        for v in ["RUN", "IDLE", "RUN", "FAULT", "IDLE", "RUN", "ALARM"] {
            c.add_text(v);
        }
        let (b, truncated) = c.buckets();
        assert_eq!(b, vec![("RUN".into(), 3), ("IDLE".into(), 2), ("ALARM".into(), 1), ("FAULT".into(), 1)]);
        assert!(!truncated);
        assert_eq!(c.distinct_count(), 4.0);
    }

    #[test]
    fn numbers_are_itemised_until_the_limit_then_sketched() {
        let mut c = ValueCounts::default();
        for i in 0..NUMBER_LIMIT {
            c.add_number(i as f64, || i.to_string());
        }
        assert!(c.is_complete());
        c.add_number(-0.0, || "-0".into());
        assert_eq!(c.counts().iter().find(|(s, _)| *s == "0").unwrap().1, 2, "-0 and 0 are one value");
        for i in NUMBER_LIMIT..5 * NUMBER_LIMIT {
            c.add_number(i as f64, || i.to_string());
        }
        assert!(!c.is_complete());
        assert!(c.counts().is_empty());
        let d = c.distinct_count();
        assert!((d - 5000.0).abs() / 5000.0 < 0.03, "{d}");
    }

    #[test]
    fn hyperloglog_is_within_its_error_on_a_large_set() {
        let mut h = HyperLogLog::new();
        for i in 0..300_000u64 {
            h.add_hash(hash_text(&format!("asset-{i}")));
        }
        let e = h.estimate();
        assert!((e - 300_000.0).abs() / 300_000.0 < 0.025, "{e}");
    }

    #[test]
    fn merge_equals_counting_everything_once() {
        let data: Vec<String> = (0..500).map(|i| format!("v{}", i % 37)).collect();
        let mut whole = ValueCounts::default();
        data.iter().for_each(|v| whole.add_text(v));
        let (mut a, mut b) = (ValueCounts::default(), ValueCounts::default());
        data[..200].iter().for_each(|v| a.add_text(v));
        data[200..].iter().for_each(|v| b.add_text(v));
        a.merge(&b);
        assert_eq!(a, whole);
    }

    #[test]
    fn serialised_form_round_trips() {
        let mut c = ValueCounts::default();
        c.add_text("RUN");
        c.add_number(2.5, || "2.5".into());
        c.add_number(2.5, || unreachable!("spelling is taken once"));
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(
            json,
            r#"{"strings":[["RUN",1]],"strings_frozen":false,"unitemised_strings":0,"numbers":[["2.5",2]]}"#
        );
        let back: ValueCounts = serde_json::from_str(&json).unwrap();
        assert_eq!(back, c);
    }
}
