//! The per-sensor streaming detector: record-breaking surprise over three causal measures.

use serde::{Deserialize, Serialize};

use crate::AnomalyError;
use crate::pattern::PatternMemory;
use crate::stats::EwMean;

/// Tuning of [`UnivariateDetector`]. The defaults are the one configuration used for every NAB file.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct UnivariateConfig {
    /// Rows summarised by one block of the pattern memory (by the block's extreme value).
    pub block_rows: usize,
    /// Quantisation steps across the value range.
    pub levels: u16,
    /// Block extremes within this fraction of the range from the running median are snapped onto it.
    pub median_band: f64,
    /// Blocks in one pattern.
    pub pattern_blocks: usize,
    /// Weight of a pattern's normalised shape against its absolute levels.
    pub shape_weight: f64,
    /// A pattern within this RMS distance (fraction of the range) of a prototype refines it; a farther
    /// one becomes a new prototype.
    pub merge_radius: f64,
    /// How far a matched prototype moves towards the pattern.
    pub prototype_rate: f64,
    /// Most prototypes remembered; the least recently matched one is replaced.
    pub memory_capacity: usize,
    /// Memory, in rows, of the baseline level the deviation is measured from.
    pub level_span: f64,
    /// Rows after which a record has decayed to half, so the detector re-arms after a quiet spell.
    pub record_half_life: f64,
    /// Rows scored 0 while the measures settle.
    pub warmup_rows: u64,
}

impl Default for UnivariateConfig {
    fn default() -> Self {
        Self {
            block_rows: 4,
            levels: 80,
            median_band: 0.075,
            pattern_blocks: 8,
            shape_weight: 0.25,
            merge_radius: 0.05,
            prototype_rate: 0.1,
            memory_capacity: 512,
            level_span: 500.0,
            record_half_life: 2000.0,
            warmup_rows: 50,
        }
    }
}

impl UnivariateConfig {
    /// Checks every field against its allowed range.
    pub fn validate(&self) -> Result<(), AnomalyError> {
        let invalid = |field, value: String, rule| Err(AnomalyError::InvalidConfig { field, value, rule });
        if self.block_rows == 0 {
            return invalid("block_rows", self.block_rows.to_string(), "at least 1");
        }
        if self.levels < 2 {
            return invalid("levels", self.levels.to_string(), "at least 2");
        }
        if self.pattern_blocks < 2 {
            return invalid("pattern_blocks", self.pattern_blocks.to_string(), "at least 2");
        }
        if self.memory_capacity == 0 {
            return invalid("memory_capacity", self.memory_capacity.to_string(), "at least 1");
        }
        let unit_fields = [
            ("median_band", self.median_band),
            ("merge_radius", self.merge_radius),
            ("prototype_rate", self.prototype_rate),
            ("shape_weight", self.shape_weight),
        ];
        for (field, value) in unit_fields {
            if !(0.0..=1.0).contains(&value) {
                return invalid(field, value.to_string(), "between 0 and 1");
            }
        }
        for (field, value) in [("level_span", self.level_span), ("record_half_life", self.record_half_life)] {
            if !(value.is_finite() && value >= 1.0) {
                return invalid(field, value.to_string(), "a finite number of rows, at least 1");
            }
        }
        Ok(())
    }
}

/// The causal measures, each in units of the series' range.
const MEASURES: usize = 3;

/// A streaming, unsupervised, strictly causal anomaly detector for one series.
///
/// Each row is scored from that row and the state left by earlier rows only, so the score of row `t`
/// never depends on rows after `t`. Three measures of surprise are taken per row: the novelty of the
/// recent pattern (distance to the nearest remembered pattern), the deviation from the slowly moving
/// baseline, and the jump from the previous row. Each is compared with its own decaying *record* — the
/// largest value seen, halving every [`UnivariateConfig::record_half_life`] rows. A row scores
/// `1 - record / measure` for its most record-breaking measure, and 0 when it breaks no record. So:
///
/// - the scale is the series' own: a noisy series sets high records and needs a bigger surprise;
/// - a repeated alarm needs a bigger surprise than the last one until the record has decayed, which
///   keeps one alarm per event instead of a burst;
/// - scores are in `[0, 1)` and mean the same in every series ("the measure beat its record by a
///   factor `1 / (1 - score)`"), so one threshold serves many series.
///
/// The whole state is `serde`-serialisable: save it after a batch, restore it before the next, and the
/// scores continue bit for bit as if the series had been scored in one pass (with a format that keeps
/// `f64` exact, e.g. `serde_json` with `float_roundtrip`, bincode or postcard).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnivariateDetector {
    config: UnivariateConfig,
    hint: Option<(f64, f64)>,
    seen_range: Option<(f64, f64)>,
    rows: u64,
    last_value: Option<f64>,
    last_ts_ms: Option<i64>,
    baseline: EwMean,
    memory: PatternMemory,
    records: [f64; MEASURES],
}

impl Default for UnivariateDetector {
    fn default() -> Self {
        Self::build(UnivariateConfig::default())
    }
}

impl UnivariateDetector {
    /// A fresh detector, or an error naming the configuration field that is out of range.
    pub fn new(config: UnivariateConfig) -> Result<Self, AnomalyError> {
        config.validate()?;
        Ok(Self::build(config))
    }

    fn build(config: UnivariateConfig) -> Self {
        Self {
            config,
            hint: None,
            seen_range: None,
            rows: 0,
            last_value: None,
            last_ts_ms: None,
            baseline: EwMean::with_span(config.level_span),
            memory: PatternMemory::new(&config),
            records: [0.0; MEASURES],
        }
    }

    /// Tells the detector the series' expected minimum and maximum up front (NAB's harness allows it);
    /// give it before the first row. Without a hint the detector scales by the range seen so far, which
    /// is less stable early on (on NAB it scores markedly lower).
    pub fn with_range_hint(mut self, min: f64, max: f64) -> Result<Self, AnomalyError> {
        if !(min.is_finite() && max.is_finite() && min <= max) {
            return Err(AnomalyError::InvalidRangeHint { min, max });
        }
        self.hint = Some((min, max));
        Ok(self)
    }

    /// The configuration this detector runs with.
    pub fn config(&self) -> &UnivariateConfig {
        &self.config
    }

    /// Rows scored so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Timestamp of the last scored row, so a caller resuming from a saved state knows where it ended.
    pub fn last_timestamp_ms(&self) -> Option<i64> {
        self.last_ts_ms
    }

    /// Scores the next row (rows must come in time order) and learns from it. Returns a score in
    /// `[0, 1)`; a non-finite value scores 0 and leaves the state untouched.
    pub fn update(&mut self, ts_ms: i64, value: f64) -> f64 {
        if !value.is_finite() {
            return 0.0;
        }
        let (lo, hi) = self.range_with(value);
        let scale = if hi > lo { hi - lo } else { 1.0 };
        let unit = if hi > lo { (value - lo) / (hi - lo) } else { 0.5 };
        self.baseline.push(value);
        let deviation = (value - self.baseline.mean()).abs() / scale;
        let jump = self.last_value.map_or(0.0, |last| (value - last).abs() / scale);
        let novelty = self.memory.push(unit, &self.config).unwrap_or(0.0);
        let ratio = self.break_records([novelty, deviation, jump]);

        self.last_value = Some(value);
        self.last_ts_ms = Some(ts_ms);
        self.rows += 1;
        if self.rows > self.config.warmup_rows && ratio > 1.0 { 1.0 - 1.0 / ratio } else { 0.0 }
    }

    /// The range used to scale `value`: the hint, or the running range including `value`.
    fn range_with(&mut self, value: f64) -> (f64, f64) {
        if let Some(hint) = self.hint {
            return hint;
        }
        let range = self.seen_range.map_or((value, value), |(lo, hi)| (lo.min(value), hi.max(value)));
        self.seen_range = Some(range);
        range
    }

    /// Returns the largest `measure / record` over the measures (0 where no record exists yet) and
    /// updates the decaying records.
    fn break_records(&mut self, measures: [f64; MEASURES]) -> f64 {
        let decay = 0.5f64.powf(1.0 / self.config.record_half_life);
        let ratio = self
            .records
            .iter()
            .zip(measures)
            .filter(|(record, _)| **record > 0.0)
            .map(|(record, measure)| measure / record)
            .fold(0.0, f64::max);
        for (record, measure) in self.records.iter_mut().zip(measures) {
            *record = (*record * decay).max(measure);
        }
        ratio
    }
}
