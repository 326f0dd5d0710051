//! statistics.json in Model Monitor's shape (quality-monitoring.md §2.3), written from a [`DataProfile`]
//! and read back as the baseline of drift checks.

use serde::{Deserialize, Serialize};

use crate::error::QualityError;
use crate::json_number::{JsonF64, count};
use crate::kll::KllSketch;
use crate::profile::{ColumnProfile, DataProfile};
use crate::value_class::{ColumnType, InferredType};

/// statistics.json.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statistics {
    /// Always 0.0 for Model Monitor files.
    pub version: JsonF64,
    /// Window-level figures.
    pub dataset: DatasetStatistics,
    /// One entry per column, in dataset order.
    pub features: Vec<FeatureStatistics>,
}

/// `dataset` of statistics.json.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetStatistics {
    /// Rows in the window.
    #[serde(with = "count")]
    pub item_count: u64,
}

/// One feature (column) of statistics.json: numeric or string statistics by its inferred type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureStatistics {
    /// Column name.
    pub name: String,
    /// Integral, Fractional, String or Unknown.
    pub inferred_type: InferredType,
    /// For Integral and Fractional columns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numerical_statistics: Option<NumericalStatistics>,
    /// For String (and Boolean, and all-null Unknown) columns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub string_statistics: Option<StringStatistics>,
}

/// Present and missing cells.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CommonStatistics {
    /// Non-null cells.
    #[serde(with = "count")]
    pub num_present: u64,
    /// Null cells.
    #[serde(with = "count")]
    pub num_missing: u64,
}

/// Statistics of a numeric column (over its numeric cells).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumericalStatistics {
    /// Present and missing cells.
    pub common: CommonStatistics,
    /// sum / count of the numeric cells.
    pub mean: JsonF64,
    /// Exact sum, correctly rounded.
    pub sum: JsonF64,
    /// Population standard deviation.
    pub std_dev: JsonF64,
    /// Smallest value.
    pub min: JsonF64,
    /// Largest value.
    pub max: JsonF64,
    /// The KLL distribution.
    pub distribution: NumericDistribution,
}

/// `distribution` of a numeric feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumericDistribution {
    /// The KLL sketch and its 10 buckets.
    pub kll: KllDistribution,
}

/// `distribution.kll`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KllDistribution {
    /// 10 equal-width buckets between the bounds.
    pub buckets: Vec<KllBucket>,
    /// The sketch itself: what the drift check compares.
    pub sketch: KllSketchData,
}

/// One KLL bucket.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KllBucket {
    /// Inclusive lower bound.
    pub lower_bound: JsonF64,
    /// Exclusive upper bound (inclusive for the last bucket).
    pub upper_bound: JsonF64,
    /// Values in the bucket (a double, as Deequ writes it).
    pub count: JsonF64,
}

/// `kll.sketch`: parameters and the items of each level (level i items weigh 2^i).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KllSketchData {
    /// `c` and `k`.
    pub parameters: KllParameters,
    /// Items per level.
    pub data: Vec<Vec<JsonF64>>,
}

/// `kll.sketch.parameters`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KllParameters {
    /// Shrinking factor (0.64).
    pub c: JsonF64,
    /// Sketch size (2048.0, written as a double).
    pub k: JsonF64,
}

impl KllSketchData {
    /// The sketch these items describe, for rank queries.
    pub fn to_sketch(&self) -> Result<KllSketch, QualityError> {
        let (c, k) = (self.parameters.c.0, self.parameters.k.0);
        if !(c > 0.0 && c < 1.0 && k >= 2.0 && k.fract() == 0.0 && k <= f64::from(u32::MAX)) {
            return Err(QualityError::InvalidFile {
                what: "statistics.json".into(),
                reason: format!(
                    "KLL parameters c={c}, k={k} are out of range (0 < c < 1, k a whole number >= 2)"
                ),
            });
        }
        let levels = self.data.iter().map(|l| l.iter().map(|v| v.0).collect()).collect();
        Ok(KllSketch::from_levels(k as u32, c, levels))
    }
}

/// Statistics of a String column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StringStatistics {
    /// Present and missing cells.
    pub common: CommonStatistics,
    /// Distinct non-null values (exact up to 100 000, estimated beyond).
    pub distinct_count: JsonF64,
    /// The categorical distribution.
    pub distribution: StringDistribution,
}

/// `distribution` of a String feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StringDistribution {
    /// Buckets per value.
    pub categorical: CategoricalDistribution,
}

/// `distribution.categorical`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoricalDistribution {
    /// One bucket per value, count descending then value ascending, at most 1 000.
    pub buckets: Vec<CategoricalBucket>,
    /// Our extension: true when values were left out of `buckets`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
}

/// One categorical bucket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoricalBucket {
    /// The value's text.
    pub value: String,
    /// Cells holding it.
    #[serde(with = "count")]
    pub count: u64,
}

/// Choices for writing statistics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatisticsOptions {
    /// Reproduce Deequ's bucket-bound quirk: the bounds start from min(min, 2³¹−1) and
    /// max(max, −2³¹) (§2.4). Off by default: the true min and max are used.
    pub deequ_bucket_bounds_compat: bool,
}

impl Statistics {
    /// statistics.json for a profiled window.
    pub fn from_profile(profile: &DataProfile, options: StatisticsOptions) -> Statistics {
        let features = profile
            .columns
            .iter()
            .map(|c| feature_statistics(&c.name, &c.profile, profile.item_count, options))
            .collect();
        Statistics {
            version: JsonF64(0.0),
            dataset: DatasetStatistics { item_count: profile.item_count },
            features,
        }
    }

    /// Reads a statistics.json (ours or SageMaker's).
    pub fn from_json(bytes: &[u8]) -> Result<Statistics, QualityError> {
        serde_json::from_slice(bytes)
            .map_err(|e| QualityError::InvalidFile { what: "statistics.json".into(), reason: e.to_string() })
    }

    /// Pretty JSON, as written to files.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("statistics always serialise")
    }

    /// The feature named `name`.
    pub fn feature(&self, name: &str) -> Option<&FeatureStatistics> {
        self.features.iter().find(|f| f.name == name)
    }
}

fn feature_statistics(
    name: &str,
    p: &ColumnProfile,
    item_count: u64,
    options: StatisticsOptions,
) -> FeatureStatistics {
    let common =
        CommonStatistics { num_present: p.types.present(), num_missing: item_count - p.types.present() };
    let inferred_type = p.column_type().inferred_type();
    let mut f = FeatureStatistics {
        name: name.to_owned(),
        inferred_type,
        numerical_statistics: None,
        string_statistics: None,
    };
    match p.column_type() {
        ColumnType::Integral | ColumnType::Fractional => {
            f.numerical_statistics = Some(numerical_statistics(p, common, options));
        }
        ColumnType::String | ColumnType::Boolean | ColumnType::Unknown => {
            f.string_statistics = Some(string_statistics(p, common));
        }
    }
    f
}

fn numerical_statistics(
    p: &ColumnProfile,
    common: CommonStatistics,
    options: StatisticsOptions,
) -> NumericalStatistics {
    let n = &p.numeric;
    let (mut lo, mut hi) = (n.min.0, n.max.0);
    if options.deequ_bucket_bounds_compat {
        lo = lo.min(f64::from(i32::MAX));
        hi = hi.max(f64::from(i32::MIN));
    }
    let buckets = p
        .sketch
        .buckets(lo, hi)
        .into_iter()
        .map(|b| KllBucket {
            lower_bound: JsonF64(b.lower_bound),
            upper_bound: JsonF64(b.upper_bound),
            count: JsonF64(b.count),
        })
        .collect();
    let data = p.sketch.level_items().into_iter().map(|l| l.into_iter().map(JsonF64).collect()).collect();
    NumericalStatistics {
        common,
        mean: JsonF64(n.mean()),
        sum: JsonF64(n.sum.value()),
        std_dev: JsonF64(n.std_dev()),
        min: n.min,
        max: n.max,
        distribution: NumericDistribution {
            kll: KllDistribution {
                buckets,
                sketch: KllSketchData {
                    parameters: KllParameters {
                        c: JsonF64(p.sketch.shrinking_factor()),
                        k: JsonF64(f64::from(p.sketch.sketch_size())),
                    },
                    data,
                },
            },
        },
    }
}

fn string_statistics(p: &ColumnProfile, common: CommonStatistics) -> StringStatistics {
    let (buckets, truncated) = p.values.buckets();
    StringStatistics {
        common,
        distinct_count: JsonF64(p.values.distinct_count().round()),
        distribution: StringDistribution {
            categorical: CategoricalDistribution {
                buckets: buckets
                    .into_iter()
                    .map(|(value, count)| CategoricalBucket { value, count })
                    .collect(),
                truncated,
            },
        },
    }
}
