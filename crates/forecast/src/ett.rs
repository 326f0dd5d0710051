//! The standard ETT long-horizon benchmark protocol (Informer/Autoformer/PatchTST code), for any
//! sampling interval.
//!
//! - Months of 30 days: train on the first 360 days, validate on the next 120, test on the next 120;
//!   rows after day 600 are not used. Borders in rows follow from the interval (hourly: 8640 / 11520 /
//!   14400; 15-minute: 34560 / 46080 / 57600).
//! - Validation and test windows may look back across their border.
//! - Z-normalisation with the training rows' mean and population std; errors on that scale.
//! - Every stride-1 test window: origins `t` in `[test start, test end − H]`, `2881 − H` of them on
//!   hourly data. MSE and MAE are averaged over windows, steps and channels.

use std::ops::Range;

use crate::{ForecastError, LinearForecaster};

const SECONDS_PER_DAY: i64 = 86_400;
/// Days of training rows (12 months of 30 days).
pub const TRAIN_DAYS: usize = 360;
/// Days of validation rows (4 months).
pub const VALIDATION_DAYS: usize = 120;
/// Days of test rows (4 months).
pub const TEST_DAYS: usize = 120;

/// The row borders of the split for one sampling interval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EttSplit {
    /// Rows per day (24 for hourly data, 96 for 15-minute data): also the seasonal period.
    pub rows_per_day: usize,
    /// Training rows.
    pub train: Range<usize>,
    /// Validation target rows (windows look back before them).
    pub validation: Range<usize>,
    /// Test target rows (windows look back before them).
    pub test: Range<usize>,
}

impl EttSplit {
    /// The borders for rows `interval_secs` apart.
    pub fn for_interval(interval_secs: i64) -> Result<Self, ForecastError> {
        if interval_secs <= 0 || SECONDS_PER_DAY % interval_secs != 0 {
            return Err(ForecastError::IntervalNotDividingDay { interval_secs });
        }
        let per_day = (SECONDS_PER_DAY / interval_secs) as usize;
        let train_end = TRAIN_DAYS * per_day;
        let validation_end = train_end + VALIDATION_DAYS * per_day;
        let test_end = validation_end + TEST_DAYS * per_day;
        Ok(Self {
            rows_per_day: per_day,
            train: 0..train_end,
            validation: train_end..validation_end,
            test: validation_end..test_end,
        })
    }

    /// Errors unless a table of `rows` rows covers the split.
    pub fn check_rows(&self, rows: usize) -> Result<(), ForecastError> {
        if rows < self.test.end {
            return Err(ForecastError::TooFewRows {
                rows,
                needed: self.test.end,
                what: format!("the ETT split (600 days at {} rows a day)", self.rows_per_day),
            });
        }
        Ok(())
    }

    /// Forecast origins of every stride-1 test window for horizon `h`.
    pub fn test_origins(&self, horizon: usize) -> Range<usize> {
        self.test.start..(self.test.end + 1).saturating_sub(horizon).max(self.test.start)
    }
}

/// Running sums of squared and absolute errors.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ErrorTotals {
    sum_sq: f64,
    sum_abs: f64,
    count: usize,
}

impl ErrorTotals {
    /// Adds one error.
    pub fn add(&mut self, error: f64) {
        self.sum_sq += error * error;
        self.sum_abs += error.abs();
        self.count += 1;
    }

    /// Mean squared error (NaN when empty).
    pub fn mse(&self) -> f64 {
        self.sum_sq / self.count as f64
    }

    /// Mean absolute error (NaN when empty).
    pub fn mae(&self) -> f64 {
        self.sum_abs / self.count as f64
    }

    /// Errors added.
    pub fn count(&self) -> usize {
        self.count
    }
}

/// The forecaster's test-split figures.
#[derive(Debug, Clone, PartialEq)]
pub struct TestScores {
    /// MSE and MAE over windows, steps and channels (normalised scale).
    pub errors: ErrorTotals,
    /// Test windows per channel.
    pub windows: usize,
    /// Share of test values inside the fixed split-conformal intervals.
    pub coverage_split: f64,
    /// Share inside the adaptive intervals (each step's miss feeds back as soon as its value is known).
    pub coverage_adaptive: f64,
    /// Mean full width of the adaptive intervals (normalised scale).
    pub mean_width_adaptive: f64,
}

/// Scores `model` on every window with an origin in `origins`; `series` are the raw channels in the
/// model's order. Intervals are scored twice: as calibrated on validation, and with online adaptation
/// that only ever uses outcomes that were known at the forecast origin.
pub fn score_test(
    model: &LinearForecaster,
    series: &[&[f64]],
    origins: Range<usize>,
) -> Result<TestScores, ForecastError> {
    let h = model.horizon();
    if series.len() != model.names().len() {
        return Err(ForecastError::BadInput(format!(
            "{} series for {} channels",
            series.len(),
            model.names().len()
        )));
    }
    let n = origins.len();
    let mut errors = ErrorTotals::default();
    let mut abs_errors = Vec::with_capacity(series.len());
    for (c, raw) in series.iter().enumerate() {
        let z = model.scaler().normalise(c, raw);
        if z.len() < origins.end + h - 1 {
            return Err(ForecastError::TooFewRows {
                rows: z.len(),
                needed: origins.end + h - 1,
                what: "the test windows".into(),
            });
        }
        let predictions = model.predict_normalised(&z, origins.clone());
        let mut abs = Vec::with_capacity(n * h);
        for (k, t) in origins.clone().enumerate() {
            for step in 0..h {
                let e = predictions[k * h + step] - z[t + step];
                errors.add(e);
                abs.push(e.abs());
            }
        }
        abs_errors.push(abs);
    }
    let (coverage_split, coverage_adaptive, mean_width_adaptive) = score_intervals(model, &abs_errors, n);
    Ok(TestScores { errors, windows: n, coverage_split, coverage_adaptive, mean_width_adaptive })
}

/// Interval coverage with fixed and with adaptive levels; `abs_errors[c][k·H + h]`.
fn score_intervals(model: &LinearForecaster, abs_errors: &[Vec<f64>], windows: usize) -> (f64, f64, f64) {
    let h = model.horizon();
    let calibration = model.calibration();
    let mut levels = model.adaptive_levels();
    let channels = abs_errors.len() as f64;
    let mut miss_fraction = vec![0.0; windows * h];
    let (mut covered_split, mut covered_adaptive, mut width_sum) = (0usize, 0usize, 0.0);
    for k in 0..windows {
        // Step `step` of window k − step − 1 forecast the row just before this origin: that outcome is
        // known now, so each step adapts with the shortest delay the data allows.
        for step in 0..h.min(k) {
            levels.observe(step, miss_fraction[(k - step - 1) * h + step]);
        }
        for step in 0..h {
            let fixed = calibration.half_width(step, model.coverage());
            let adaptive = calibration.half_width(step, levels.level(step));
            width_sum += 2.0 * adaptive * channels;
            let mut misses = 0usize;
            for abs in abs_errors {
                let e = abs[k * h + step];
                covered_split += usize::from(e <= fixed);
                let inside = e <= adaptive;
                covered_adaptive += usize::from(inside);
                misses += usize::from(!inside);
            }
            miss_fraction[k * h + step] = misses as f64 / channels;
        }
    }
    let total = (windows * h) as f64 * channels;
    (covered_split as f64 / total, covered_adaptive as f64 / total, width_sum / total)
}

/// The seasonal-naive baseline's errors (repeat the last `period` rows), as a protocol cross-check that
/// needs no model: `series` already normalised.
pub fn seasonal_naive_errors(
    series: &[&[f64]],
    origins: Range<usize>,
    horizon: usize,
    period: usize,
) -> ErrorTotals {
    let mut totals = ErrorTotals::default();
    for z in series {
        for t in origins.clone() {
            for step in 0..horizon {
                totals.add(z[t - period + step % period] - z[t + step]);
            }
        }
    }
    totals
}
