//! Exact SHAP values of a linear model.

use super::AttributionError;

/// Per-row attributions with the expected model output they explain the deviation from.
#[derive(Debug, Clone, PartialEq)]
pub struct RowAttributions {
    /// E[f] over the background data.
    pub expected_value: f64,
    /// One attribution vector per explained row; each sums to f(row) − `expected_value`.
    pub rows: Vec<Vec<f64>>,
}

fn check_width(expected: usize, rows: &[Vec<f64>]) -> Result<(), AttributionError> {
    match rows.iter().find(|r| r.len() != expected) {
        Some(r) => Err(AttributionError::FeatureCount { expected, found: r.len() }),
        None => Ok(()),
    }
}

/// SHAP values of f(x) = w·x + b with features independent of each other (interventional SHAP, what
/// KernelSHAP estimates): φ_i = w_i·(x_i − E[x_i]), E over `background`. Exact, one pass, no sampling.
pub fn linear_attributions(
    weights: &[f64],
    intercept: f64,
    background: &[Vec<f64>],
    rows: &[Vec<f64>],
) -> Result<RowAttributions, AttributionError> {
    if background.is_empty() {
        return Err(AttributionError::EmptyBackground);
    }
    check_width(weights.len(), background)?;
    check_width(weights.len(), rows)?;
    let n = background.len() as f64;
    let means: Vec<f64> =
        (0..weights.len()).map(|i| background.iter().map(|b| b[i]).sum::<f64>() / n).collect();
    let expected_value = intercept + weights.iter().zip(&means).map(|(w, m)| w * m).sum::<f64>();
    let rows = rows
        .iter()
        .map(|x| weights.iter().zip(x).zip(&means).map(|((w, xi), m)| w * (xi - m)).collect())
        .collect();
    Ok(RowAttributions { expected_value, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributions_are_weight_times_deviation_from_the_mean() {
        let background = vec![vec![0.0, 10.0], vec![2.0, 30.0]];
        let out = linear_attributions(&[3.0, -0.5], 1.0, &background, &[vec![4.0, 20.0]]).unwrap();
        assert_eq!(out.expected_value, 1.0 + 3.0 * 1.0 - 0.5 * 20.0);
        assert_eq!(out.rows, vec![vec![9.0, 0.0]]);
    }

    #[test]
    fn mismatched_rows_are_rejected() {
        assert_eq!(
            linear_attributions(&[1.0], 0.0, &[vec![1.0, 2.0]], &[]),
            Err(AttributionError::FeatureCount { expected: 1, found: 2 })
        );
        assert_eq!(linear_attributions(&[1.0], 0.0, &[], &[]), Err(AttributionError::EmptyBackground));
    }
}
