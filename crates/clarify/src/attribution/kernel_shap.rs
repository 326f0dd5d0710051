//! KernelSHAP (Lundberg & Lee 2017) for black-box models, with a hard bound on model evaluations.
//!
//! The value of a coalition S of features is v(S) = mean over background rows b of f(x_S, b_rest). The SHAP
//! values solve the weighted least-squares problem over coalitions with the Shapley kernel weights,
//! constrained so that they sum to f(x) − E[f]. Coalitions are chosen as the `shap` package does: whole
//! subset sizes are enumerated, smallest and largest first (they carry the most kernel weight), while the
//! budget allows; the remaining sizes are sampled, each sample paired with its complement, from a
//! deterministic ChaCha8 stream. When the budget covers every coalition the result is exactly the
//! Shapley values; a linear model is explained exactly by any budget that determines the regression.
//!
//! Cost: each coalition costs one model call per background row, plus one call for f(x); E[f] costs one
//! call per background row once, when the explainer is built. [`Explanation::evaluations`] reports what a
//! row actually cost and never exceeds `max_evaluations`.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::AttributionError;

/// A KernelSHAP explainer for one model and one background data set.
pub struct KernelShap<'a, F: Fn(&[f64]) -> f64> {
    model: F,
    background: &'a [Vec<f64>],
    features: usize,
    expected_value: f64,
    max_evaluations: usize,
    seed: u64,
}

/// The attributions of one row.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// E[f] over the background rows.
    pub expected_value: f64,
    /// f(x).
    pub prediction: f64,
    /// One value per feature; they sum to `prediction − expected_value`.
    pub values: Vec<f64>,
    /// Model calls spent on this row (≤ `max_evaluations`).
    pub evaluations: usize,
    /// True when every coalition was evaluated, i.e. the values are the exact Shapley values.
    pub exact: bool,
}

/// A coalition with its regression weight.
struct Coalition {
    mask: Vec<bool>,
    weight: f64,
}

impl<'a, F: Fn(&[f64]) -> f64> KernelShap<'a, F> {
    /// An explainer for `model` with `background` rows (all of the same width). `max_evaluations` bounds
    /// the model calls per explained row; `seed` makes the sampled coalitions reproducible.
    pub fn new(
        model: F,
        background: &'a [Vec<f64>],
        max_evaluations: usize,
        seed: u64,
    ) -> Result<KernelShap<'a, F>, AttributionError> {
        let features = background.first().ok_or(AttributionError::EmptyBackground)?.len();
        if let Some(r) = background.iter().find(|r| r.len() != features) {
            return Err(AttributionError::FeatureCount { expected: features, found: r.len() });
        }
        let expected_value = background.iter().map(|b| model(b)).sum::<f64>() / background.len() as f64;
        Ok(KernelShap { model, background, features, expected_value, max_evaluations, seed })
    }

    /// E[f] over the background rows.
    pub fn expected_value(&self) -> f64 {
        self.expected_value
    }

    /// The SHAP values of `x`.
    pub fn explain(&self, x: &[f64]) -> Result<Explanation, AttributionError> {
        let m = self.features;
        if x.len() != m {
            return Err(AttributionError::FeatureCount { expected: m, found: x.len() });
        }
        let prediction = (self.model)(x);
        let delta = prediction - self.expected_value;
        if m <= 1 {
            let values = if m == 1 { vec![delta] } else { Vec::new() };
            return Ok(Explanation {
                expected_value: self.expected_value,
                prediction,
                values,
                evaluations: 1,
                exact: true,
            });
        }
        let per_coalition = self.background.len();
        let budget = self.max_evaluations.saturating_sub(1) / per_coalition;
        if budget < m - 1 {
            return Err(AttributionError::BudgetTooSmall {
                max_evaluations: self.max_evaluations,
                features: m,
                background: per_coalition,
                needed: 1 + (m - 1) * per_coalition,
            });
        }
        let (coalitions, exact) = self.choose_coalitions(budget);
        let outcomes: Vec<f64> =
            coalitions.iter().map(|c| self.coalition_value(x, &c.mask) - self.expected_value).collect();
        let values = solve(&coalitions, &outcomes, delta, m)?;
        let evaluations = 1 + coalitions.len() * per_coalition;
        Ok(Explanation { expected_value: self.expected_value, prediction, values, evaluations, exact })
    }

    /// v(S): the mean model output with the coalition's features taken from `x` and the others from each
    /// background row.
    fn coalition_value(&self, x: &[f64], mask: &[bool]) -> f64 {
        let mut input = vec![0.0; x.len()];
        let total: f64 = self
            .background
            .iter()
            .map(|b| {
                for i in 0..x.len() {
                    input[i] = if mask[i] { x[i] } else { b[i] };
                }
                (self.model)(&input)
            })
            .sum();
        total / self.background.len() as f64
    }

    /// Up to `budget` coalitions (never the empty or the full one), with weights summing to 1.
    fn choose_coalitions(&self, budget: usize) -> (Vec<Coalition>, bool) {
        let m = self.features;
        let kernel = |s: usize| (m - 1) as f64 / (s * (m - s)) as f64;
        let total: f64 = (1..m).map(kernel).sum();
        let sizes: Vec<usize> = (1..=m / 2).collect(); // s paired with m − s (the same size when m = 2s)
        let mass = |s: usize| if 2 * s == m { kernel(s) / total } else { 2.0 * kernel(s) / total };
        let mut chosen = Vec::new();
        let mut remaining = budget;
        let mut next = 0;
        while next < sizes.len() {
            let s = sizes[next];
            let paired = 2 * s != m;
            let count = binomial(m, s).saturating_mul(if paired { 2 } else { 1 });
            if count > remaining {
                break;
            }
            let each = kernel(s) / total / binomial(m, s) as f64;
            for mask in subsets(m, s) {
                if paired {
                    chosen.push(Coalition { mask: mask.iter().map(|&b| !b).collect(), weight: each });
                }
                chosen.push(Coalition { mask, weight: each });
            }
            remaining -= count;
            next += 1;
        }
        if next == sizes.len() {
            return (chosen, true);
        }
        let left = &sizes[next..];
        let left_mass: f64 = left.iter().map(|&s| mass(s)).sum();
        let pairs = remaining / 2;
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        let each = left_mass / (2 * pairs) as f64;
        for _ in 0..pairs {
            let mut pick = rng.random::<f64>() * left_mass;
            let s = *left
                .iter()
                .find(|&&s| {
                    pick -= mass(s);
                    pick < 0.0
                })
                .unwrap_or(&left[left.len() - 1]);
            let mask = random_subset(&mut rng, m, s);
            chosen.push(Coalition { mask: mask.iter().map(|&b| !b).collect(), weight: each });
            chosen.push(Coalition { mask, weight: each });
        }
        (chosen, false)
    }
}

fn binomial(n: usize, k: usize) -> usize {
    (0..k).fold(1usize, |acc, i| acc.saturating_mul(n - i) / (i + 1))
}

/// Every subset of {0..m} with `s` members, as masks, in lexicographic order of member indices.
fn subsets(m: usize, s: usize) -> Vec<Vec<bool>> {
    let mut out = Vec::new();
    let mut members: Vec<usize> = (0..s).collect();
    loop {
        let mut mask = vec![false; m];
        members.iter().for_each(|&i| mask[i] = true);
        out.push(mask);
        // Advance to the next combination.
        let Some(pos) = (0..s).rev().find(|&i| members[i] < m - s + i) else { return out };
        members[pos] += 1;
        for i in pos + 1..s {
            members[i] = members[i - 1] + 1;
        }
    }
}

fn random_subset(rng: &mut ChaCha8Rng, m: usize, s: usize) -> Vec<bool> {
    let mut order: Vec<usize> = (0..m).collect();
    for i in 0..s {
        let j = rng.random_range(i..m);
        order.swap(i, j);
    }
    let mut mask = vec![false; m];
    order[..s].iter().for_each(|&i| mask[i] = true);
    mask
}

/// Weighted least squares with Σφ = delta, eliminating the last feature: φ_last = delta − Σ others.
fn solve(
    coalitions: &[Coalition],
    outcomes: &[f64],
    delta: f64,
    m: usize,
) -> Result<Vec<f64>, AttributionError> {
    let k = m - 1;
    let mut normal = vec![vec![0.0; k]; k];
    let mut rhs = vec![0.0; k];
    for (c, &y) in coalitions.iter().zip(outcomes) {
        let last = f64::from(u8::from(c.mask[k]));
        let row: Vec<f64> = (0..k).map(|i| f64::from(u8::from(c.mask[i])) - last).collect();
        let target = y - last * delta;
        for i in 0..k {
            rhs[i] += c.weight * row[i] * target;
            for j in 0..k {
                normal[i][j] += c.weight * row[i] * row[j];
            }
        }
    }
    let mut phi = gaussian_elimination(normal, rhs).ok_or(AttributionError::Undetermined)?;
    let sum: f64 = phi.iter().sum();
    phi.push(delta - sum);
    Ok(phi)
}

/// Solves A·x = b with partial pivoting; `None` when A is (numerically) singular.
fn gaussian_elimination(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    let scale = a.iter().enumerate().map(|(i, r)| r[i].abs()).fold(0.0, f64::max);
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() <= 1e-12 * scale.max(f64::MIN_POSITIVE) {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        let pivot_row = a[col].clone();
        for row in col + 1..n {
            let factor = a[row][col] / pivot_row[col];
            for (x, p) in a[row][col..].iter_mut().zip(&pivot_row[col..]) {
                *x -= factor * p;
            }
            b[row] -= factor * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        let tail: f64 = (i + 1..n).map(|j| a[i][j] * x[j]).sum();
        x[i] = (b[i] - tail) / a[i][i];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attribution::linear_attributions;
    use proptest::prelude::*;

    /// Shapley values by the permutation-free subset formula, straight from the definition.
    fn brute_force_shapley(model: &dyn Fn(&[f64]) -> f64, background: &[Vec<f64>], x: &[f64]) -> Vec<f64> {
        let m = x.len();
        let value = |mask: u32| -> f64 {
            background
                .iter()
                .map(|b| {
                    let input: Vec<f64> =
                        (0..m).map(|i| if mask >> i & 1 == 1 { x[i] } else { b[i] }).collect();
                    model(&input)
                })
                .sum::<f64>()
                / background.len() as f64
        };
        let fact = |n: usize| (1..=n).map(|v| v as f64).product::<f64>();
        (0..m)
            .map(|i| {
                (0u32..1 << m)
                    .filter(|s| s >> i & 1 == 0)
                    .map(|s| {
                        let size = s.count_ones() as usize;
                        fact(size) * fact(m - size - 1) / fact(m) * (value(s | 1 << i) - value(s))
                    })
                    .sum()
            })
            .collect()
    }

    fn nonlinear(x: &[f64]) -> f64 {
        x[0] * x[1] + x[2].sin() + x[3] * x[3] - 0.5 * x[0] * x[3]
    }

    #[test]
    fn a_budget_covering_every_coalition_gives_exact_shapley_values() {
        let background = vec![vec![0.0, 1.0, 0.5, -1.0], vec![1.0, -2.0, 0.0, 0.3], vec![0.2, 0.2, 2.0, 1.0]];
        let x = [1.5, -0.7, 1.1, 2.0];
        let explainer = KernelShap::new(nonlinear, &background, 1 + 14 * 3, 7).unwrap();
        let out = explainer.explain(&x).unwrap();
        assert!(out.exact);
        assert_eq!(out.evaluations, 1 + 14 * 3);
        let want = brute_force_shapley(&nonlinear, &background, &x);
        for (got, want) in out.values.iter().zip(&want) {
            assert!((got - want).abs() < 1e-10, "{:?} vs {want:?}", out.values);
        }
    }

    #[test]
    fn sampled_attributions_are_reproducible_and_sum_to_the_prediction_gap() {
        let background: Vec<Vec<f64>> =
            (0..5).map(|i| (0..10).map(|j| ((i * 7 + j * 3) % 11) as f64 / 5.0).collect()).collect();
        let model =
            |x: &[f64]| x.iter().enumerate().map(|(i, v)| (i as f64 + 1.0) * v * v).sum::<f64>().sqrt();
        let x: Vec<f64> = (0..10).map(|j| j as f64 / 3.0).collect();
        let explainer = KernelShap::new(model, &background, 1 + 200 * 5, 11).unwrap();
        let a = explainer.explain(&x).unwrap();
        let b = explainer.explain(&x).unwrap();
        assert_eq!(a, b);
        assert!(!a.exact);
        assert!(a.evaluations <= 1 + 200 * 5);
        assert!((a.values.iter().sum::<f64>() - (a.prediction - a.expected_value)).abs() < 1e-9);
    }

    #[test]
    fn too_small_a_budget_is_an_error_that_says_how_much_is_needed() {
        let background = vec![vec![0.0; 6]; 4];
        let explainer = KernelShap::new(|x: &[f64]| x.iter().sum(), &background, 10, 0).unwrap();
        assert_eq!(
            explainer.explain(&[1.0; 6]).unwrap_err(),
            AttributionError::BudgetTooSmall { max_evaluations: 10, features: 6, background: 4, needed: 21 }
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        #[test]
        fn linear_models_are_explained_exactly_within_any_sufficient_budget(
            weights in prop::collection::vec(-3.0f64..3.0, 2..12),
            coalitions in 60usize..120,
            seed in any::<u64>(),
        ) {
            let m = weights.len();
            let background: Vec<Vec<f64>> = (0..3).map(|i| (0..m).map(|j| ((i + 2 * j) % 5) as f64 - 2.0).collect()).collect();
            let x: Vec<f64> = (0..m).map(|j| j as f64 * 0.5 - 1.0).collect();
            let w = weights.clone();
            let model = move |v: &[f64]| 0.3 + v.iter().zip(&w).map(|(a, b)| a * b).sum::<f64>();
            let max_evaluations = 1 + coalitions * background.len();
            let out = KernelShap::new(model, &background, max_evaluations, seed).unwrap().explain(&x);
            let exact = linear_attributions(&weights, 0.3, &background, std::slice::from_ref(&x)).unwrap();
            match out {
                Ok(out) => {
                    prop_assert!(out.evaluations <= max_evaluations);
                    for (got, want) in out.values.iter().zip(&exact.rows[0]) {
                        prop_assert!((got - want).abs() < 1e-8, "{:?} vs {:?}", out.values, exact.rows[0]);
                    }
                }
                // A sample that leaves the regression undetermined must say so, never guess.
                Err(e) => prop_assert_eq!(e, AttributionError::Undetermined),
            }
        }
    }
}
