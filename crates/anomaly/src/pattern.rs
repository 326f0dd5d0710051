//! Pattern memory: how far the recent shape of a series is from every shape it has shown before.
//!
//! The series (scaled to its range) is summarised in blocks of a few rows by the block's extreme value —
//! the one farthest from a short moving average, so a one-row spike survives. Extremes are quantised,
//! and those within a small band of the running median are snapped onto it, which flattens ordinary
//! noise around the baseline. The last few blocks form a pattern: their levels plus their min-max
//! normalised shape. A memory of prototypes (online leader clustering with least-recently-used
//! replacement) answers the question "how far is this pattern from the nearest one seen before?".
//! Periodic behaviour (a daily cycle) is learned as a set of prototypes and stops being novel.

use serde::{Deserialize, Serialize};

use crate::UnivariateConfig;

/// The streaming pattern memory of one series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct PatternMemory {
    block_rows: usize,
    block_len: usize,
    block_sum: f64,
    block_min: f64,
    block_max: f64,
    moving_average: Option<f64>,
    histogram: Vec<u32>,
    histogram_total: u64,
    recent: Vec<f64>,
    prototypes: Vec<f64>,
    last_used: Vec<u64>,
    blocks: u64,
}

impl PatternMemory {
    pub(crate) fn new(config: &UnivariateConfig) -> Self {
        Self {
            block_rows: config.block_rows,
            block_len: 0,
            block_sum: 0.0,
            block_min: 0.0,
            block_max: 0.0,
            moving_average: None,
            histogram: vec![0; config.levels as usize + 1],
            histogram_total: 0,
            recent: Vec::with_capacity(config.pattern_blocks),
            prototypes: Vec::new(),
            last_used: Vec::new(),
            blocks: 0,
        }
    }

    /// Adds a value scaled to `[0, 1]`. When it completes a block and a full pattern, returns the
    /// pattern's distance (root mean square, in units of the range) to the nearest remembered pattern
    /// (none for the very first pattern) and learns the pattern.
    pub(crate) fn push(&mut self, unit: f64, config: &UnivariateConfig) -> Option<f64> {
        self.block_len += 1;
        self.block_sum += unit;
        let first = self.block_len == 1;
        self.block_min = if first { unit } else { self.block_min.min(unit) };
        self.block_max = if first { unit } else { self.block_max.max(unit) };
        if self.block_len < self.block_rows {
            return None;
        }
        let extreme = self.close_block();
        let level = self.quantise(extreme, config);
        if self.recent.len() == config.pattern_blocks {
            self.recent.remove(0);
        }
        self.recent.push(level);
        self.blocks += 1;
        if self.recent.len() < config.pattern_blocks {
            return None;
        }
        let pattern = self.pattern(config.shape_weight);
        Some(self.match_and_learn(&pattern, config)).filter(|d| d.is_finite())
    }

    /// Ends the current block and returns its extreme: the block's max or min, whichever lies farther
    /// from the moving average of block means.
    fn close_block(&mut self) -> f64 {
        let mean = self.block_sum / self.block_len as f64;
        let average = self.moving_average.map_or(mean, |a| (a + mean) / 2.0);
        self.moving_average = Some(average);
        let extreme = if (self.block_max - average).abs() >= (self.block_min - average).abs() {
            self.block_max
        } else {
            self.block_min
        };
        self.block_len = 0;
        self.block_sum = 0.0;
        extreme
    }

    /// Quantises to `levels` steps and snaps values near the running median onto it.
    fn quantise(&mut self, unit: f64, config: &UnivariateConfig) -> f64 {
        let levels = config.levels as f64;
        let bin = (unit.clamp(0.0, 1.0) * levels).round() as usize;
        self.histogram[bin] += 1;
        self.histogram_total += 1;
        let level = bin as f64 / levels;
        let median = self.median_bin() as f64 / levels;
        if (level - median).abs() < config.median_band { median } else { level }
    }

    fn median_bin(&self) -> usize {
        let half = self.histogram_total.div_ceil(2);
        let mut seen = 0;
        for (bin, count) in self.histogram.iter().enumerate() {
            seen += u64::from(*count);
            if seen >= half {
                return bin;
            }
        }
        self.histogram.len() - 1
    }

    /// The pattern vector: the recent levels, then their min-max normalised shape times `shape_weight`.
    fn pattern(&self, shape_weight: f64) -> Vec<f64> {
        let (lo, hi) = self
            .recent
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
        let span = hi - lo;
        let shape = self.recent.iter().map(|v| if span > 0.0 { (v - lo) / span * shape_weight } else { 0.0 });
        self.recent.iter().copied().chain(shape).collect()
    }

    fn match_and_learn(&mut self, pattern: &[f64], config: &UnivariateConfig) -> f64 {
        let dim = pattern.len();
        let nearest = self
            .prototypes
            .chunks_exact(dim)
            .map(|p| p.iter().zip(pattern).map(|(a, b)| (a - b) * (a - b)).sum::<f64>())
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(&b.1));
        let distance = nearest.map_or(f64::INFINITY, |(_, d)| (d / dim as f64).sqrt());
        match nearest {
            Some((k, _)) if distance <= config.merge_radius => {
                let rate = config.prototype_rate;
                for (p, x) in self.prototypes[k * dim..(k + 1) * dim].iter_mut().zip(pattern) {
                    *p += (x - *p) * rate;
                }
                self.last_used[k] = self.blocks;
            }
            _ => self.remember(pattern, config.memory_capacity),
        }
        distance
    }

    fn remember(&mut self, pattern: &[f64], capacity: usize) {
        let dim = pattern.len();
        if self.last_used.len() < capacity {
            self.prototypes.extend_from_slice(pattern);
            self.last_used.push(self.blocks);
            return;
        }
        let oldest = self.last_used.iter().enumerate().min_by_key(|(_, t)| **t).map_or(0, |(k, _)| k);
        self.prototypes[oldest * dim..(oldest + 1) * dim].copy_from_slice(pattern);
        self.last_used[oldest] = self.blocks;
    }
}
