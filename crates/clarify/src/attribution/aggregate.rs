//! Per-row attributions → one global value per feature, as Clarify's `agg_method`.

/// How per-row SHAP values are aggregated into global ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Aggregation {
    /// Mean of |φ| (Clarify's default).
    #[default]
    MeanAbs,
    /// Median of φ (numpy's median: mean of the two middle values for an even count).
    Median,
    /// Mean of φ².
    MeanSq,
}

impl Aggregation {
    /// Clarify's name: `mean_abs`, `median` or `mean_sq`.
    pub fn from_name(name: &str) -> Option<Aggregation> {
        match name {
            "mean_abs" => Some(Aggregation::MeanAbs),
            "median" => Some(Aggregation::Median),
            "mean_sq" => Some(Aggregation::MeanSq),
            _ => None,
        }
    }

    /// Global value per feature from `rows` (one attribution vector per row); empty input gives NaN.
    pub fn global(self, rows: &[Vec<f64>]) -> Vec<f64> {
        let features = rows.first().map_or(0, Vec::len);
        (0..features)
            .map(|f| {
                let column: Vec<f64> = rows.iter().map(|r| r[f]).collect();
                let n = column.len() as f64;
                match self {
                    Aggregation::MeanAbs => column.iter().map(|x| x.abs()).sum::<f64>() / n,
                    Aggregation::MeanSq => column.iter().map(|x| x * x).sum::<f64>() / n,
                    Aggregation::Median => median(column),
                }
            })
            .collect()
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        values[n / 2]
    } else {
        0.5 * (values[n / 2 - 1] + values[n / 2])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregations_follow_clarify() {
        let rows = vec![vec![-1.0, 2.0], vec![3.0, 0.0], vec![-2.0, 1.0], vec![0.0, 5.0]];
        assert_eq!(Aggregation::MeanAbs.global(&rows), vec![1.5, 2.0]);
        assert_eq!(Aggregation::MeanSq.global(&rows), vec![3.5, 7.5]);
        assert_eq!(Aggregation::Median.global(&rows), vec![-0.5, 1.5]);
        assert_eq!(Aggregation::from_name("mean_abs"), Some(Aggregation::MeanAbs));
    }
}
