//! Every Clarify bias metric, computed as smclarify 0.5 computes it — quirks included.
//!
//! Each metric sees boolean indices: the facet index d (rows of the sensitive group; the others are a),
//! the positive-label index y, the positive-prediction index ŷ, plus the group variable (CDDL, CDDPL) and
//! the feature matrix (FT). A metric that smclarify cannot compute is an `Err` with smclarify's message;
//! the report writes it as `"value": null, "error": …` and carries on with the other metrics.
//!
//! Quirks kept on purpose (see `shared/specs/quality-monitoring.md` §4.2–4.3):
//! * KL, JS, LP, TVD, KS compare the distributions of the *boolean* label over a and d, keep only the
//!   values with non-zero probability on both sides and do not renormalise, so KL can be negative.
//! * Ratios use smclarify's `divide`: 0/0 = 0, x/0 = ±∞; a difference of two +∞ ratios is 0.
//! * FT counts d-rows the model accepts but the a-trained k-NN rejects as F⁺ (the opposite sign of the
//!   documented definition).
//! * GE ignores the facet.
//! * Description strings are smclarify's, misspelling included ("Kullback-Liebler").

mod counts;
mod flip_test;
mod posttraining;
mod pretraining;

pub use counts::GroupVariable;
pub use flip_test::FeatureMatrix;

use counts::Counts;

/// When a metric can be computed: from the data alone, or only once a model has predicted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// `pre_training_bias` metrics (CI, DPL, KL, JS, LP, TVD, KS, CDDL).
    PreTraining,
    /// `post_training_bias` metrics (need predicted labels).
    PostTraining,
}

/// One Clarify bias metric. `SD` is registered in smclarify 0.5 and so is part of `"all"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(clippy::upper_case_acronyms)]
pub enum Metric {
    /// Class Imbalance.
    CI,
    /// Difference in Positive Proportions in Labels.
    DPL,
    /// Kullback-Leibler divergence of the boolean label.
    KL,
    /// Jensen-Shannon divergence of the boolean label.
    JS,
    /// L2 norm of the label distribution difference.
    LP,
    /// Total Variation Distance.
    TVD,
    /// Largest probability-mass gap (not a CDF gap).
    KS,
    /// Conditional Demographic Disparity in Labels.
    CDDL,
    /// Difference in Positive Proportions in Predicted Labels.
    DPPL,
    /// Disparate Impact.
    DI,
    /// Difference in Conditional Acceptance (docs: DCAcc).
    DCA,
    /// Difference in Conditional Rejection.
    DCR,
    /// Recall Difference.
    RD,
    /// Specificity Difference.
    SD,
    /// Difference in Acceptance Rates.
    DAR,
    /// Difference in Rejection Rates.
    DRR,
    /// Accuracy Difference.
    AD,
    /// Conditional Demographic Disparity in Predicted Labels.
    CDDPL,
    /// Treatment Equality.
    TE,
    /// Flip Test.
    FT,
    /// Generalized Entropy (α = 2).
    GE,
}

impl Metric {
    /// Every metric in smclarify's registration order.
    pub const ALL: [Metric; 21] = [
        Metric::CI,
        Metric::DPL,
        Metric::KL,
        Metric::JS,
        Metric::LP,
        Metric::TVD,
        Metric::KS,
        Metric::CDDL,
        Metric::DPPL,
        Metric::DI,
        Metric::DCA,
        Metric::DCR,
        Metric::RD,
        Metric::SD,
        Metric::DAR,
        Metric::DRR,
        Metric::AD,
        Metric::CDDPL,
        Metric::TE,
        Metric::FT,
        Metric::GE,
    ];

    /// The metrics of one stage, sorted by name as smclarify's report sorts them.
    pub fn of_stage(stage: Stage) -> Vec<Metric> {
        let mut metrics: Vec<Metric> = Metric::ALL.into_iter().filter(|m| m.stage() == stage).collect();
        metrics.sort_by_key(|m| m.name());
        metrics
    }

    /// The name used in configs and files (`DCA`, not the docs' `DCAcc`).
    pub fn name(self) -> &'static str {
        match self {
            Metric::CI => "CI",
            Metric::DPL => "DPL",
            Metric::KL => "KL",
            Metric::JS => "JS",
            Metric::LP => "LP",
            Metric::TVD => "TVD",
            Metric::KS => "KS",
            Metric::CDDL => "CDDL",
            Metric::DPPL => "DPPL",
            Metric::DI => "DI",
            Metric::DCA => "DCA",
            Metric::DCR => "DCR",
            Metric::RD => "RD",
            Metric::SD => "SD",
            Metric::DAR => "DAR",
            Metric::DRR => "DRR",
            Metric::AD => "AD",
            Metric::CDDPL => "CDDPL",
            Metric::TE => "TE",
            Metric::FT => "FT",
            Metric::GE => "GE",
        }
    }

    /// The metric called `name` (exact, case-sensitive as in smclarify).
    pub fn from_name(name: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == name)
    }

    /// smclarify's description string (the first line of the metric's docstring).
    pub fn description(self) -> &'static str {
        match self {
            Metric::CI => "Class Imbalance (CI)",
            Metric::DPL => "Difference in Positive Proportions in Labels (DPL)",
            Metric::KL => "Kullback-Liebler Divergence (KL)",
            Metric::JS => "Jensen-Shannon Divergence (JS)",
            Metric::LP => "L-p Norm (LP)",
            Metric::TVD => "Total Variation Distance (TVD)",
            Metric::KS => "Kolmogorov-Smirnov Distance (KS)",
            Metric::CDDL => "Conditional Demographic Disparity in Labels (CDDL)",
            Metric::DPPL => "Difference in Positive Proportions in Predicted Labels (DPPL)",
            Metric::DI => "Disparate Impact (DI)",
            Metric::DCA => "Difference in Conditional Acceptance (DCA)",
            Metric::DCR => "Difference in Conditional Rejection (DCR)",
            Metric::RD => "Recall Difference (RD)",
            Metric::SD => "Specificity Difference (SD)",
            Metric::DAR => "Difference in Acceptance Rates (DAR)",
            Metric::DRR => "Difference in Rejection Rates (DRR)",
            Metric::AD => "Accuracy Difference (AD)",
            Metric::CDDPL => "Conditional Demographic Disparity in Predicted Labels (CDDPL)",
            Metric::TE => "Treatment Equality (TE)",
            Metric::FT => "Flip Test (FT)",
            Metric::GE => "Generalized Entropy (GE)",
        }
    }

    /// The stage the metric belongs to.
    pub fn stage(self) -> Stage {
        match self {
            Metric::CI
            | Metric::DPL
            | Metric::KL
            | Metric::JS
            | Metric::LP
            | Metric::TVD
            | Metric::KS
            | Metric::CDDL => Stage::PreTraining,
            _ => Stage::PostTraining,
        }
    }

    /// The value at which the metric says "no bias": 1 for DI, 0 for every other metric.
    pub fn fair_value(self) -> f64 {
        if self == Metric::DI { 1.0 } else { 0.0 }
    }
}

/// Everything a metric may look at, one entry per row.
#[derive(Debug, Clone, Copy)]
pub struct BiasInputs<'a> {
    /// Facet index: true for rows of the sensitive group d.
    pub facet: &'a [bool],
    /// Positive-label index y.
    pub label: &'a [bool],
    /// Positive-prediction index ŷ (post-training metrics only).
    pub predicted: Option<&'a [bool]>,
    /// Group variable for CDDL / CDDPL.
    pub groups: Option<&'a GroupVariable>,
    /// Features for FT: the dataset minus facet, label and predicted label; `Err` says why FT cannot run.
    pub features: Option<&'a Result<FeatureMatrix, String>>,
}

/// The value of `metric` on `inputs`, or smclarify's error message.
///
/// # Panics
/// When the index slices differ in length (a programming error).
pub fn compute(metric: Metric, inputs: &BiasInputs<'_>) -> Result<f64, String> {
    let n = inputs.facet.len();
    assert_eq!(inputs.label.len(), n, "label index length");
    if let Some(p) = inputs.predicted {
        assert_eq!(p.len(), n, "predicted index length");
    }
    let predicted =
        || inputs.predicted.ok_or_else(|| "predicted_label_column has to be provided".to_string());
    match metric {
        Metric::CI => pretraining::ci(&Counts::of(inputs.facet, inputs.label, None)),
        Metric::DPL => pretraining::dpl(&Counts::of(inputs.facet, inputs.label, None)),
        Metric::KL | Metric::JS | Metric::LP | Metric::TVD | Metric::KS => {
            pretraining::divergence(metric, &Counts::of(inputs.facet, inputs.label, None))
        }
        Metric::CDDL => counts::cdd(inputs.facet, inputs.label, inputs.groups),
        Metric::CDDPL => counts::cdd(inputs.facet, predicted()?, inputs.groups),
        Metric::FT => {
            let features = inputs.features.ok_or_else(|| "FlipTest needs the feature columns".to_string())?;
            flip_test::flip_test(features, inputs.facet, predicted()?)
        }
        Metric::GE => posttraining::generalized_entropy(inputs.label, predicted()?),
        _ => posttraining::compute(metric, &Counts::of(inputs.facet, inputs.label, Some(predicted()?))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn value(metric: Metric, facet: &[bool], label: &[bool], predicted: &[bool]) -> Result<f64, String> {
        let inputs = BiasInputs { facet, label, predicted: Some(predicted), groups: None, features: None };
        compute(metric, &inputs)
    }

    proptest! {
        #[test]
        fn swapping_the_facet_sides_mirrors_the_difference_metrics(
            rows in prop::collection::vec((any::<bool>(), any::<bool>(), any::<bool>()), 2..60),
        ) {
            let facet: Vec<bool> = rows.iter().map(|r| r.0).collect();
            let label: Vec<bool> = rows.iter().map(|r| r.1).collect();
            let predicted: Vec<bool> = rows.iter().map(|r| r.2).collect();
            let flipped: Vec<bool> = facet.iter().map(|d| !d).collect();
            for metric in [Metric::CI, Metric::DPL, Metric::DPPL, Metric::AD] {
                if let (Ok(x), Ok(y)) = (value(metric, &facet, &label, &predicted), value(metric, &flipped, &label, &predicted)) {
                    prop_assert!((x + y).abs() < 1e-12, "{}: {x} vs {y}", metric.name());
                }
            }
            for metric in [Metric::TVD, Metric::KS, Metric::LP, Metric::JS] {
                if let (Ok(x), Ok(y)) = (value(metric, &facet, &label, &predicted), value(metric, &flipped, &label, &predicted)) {
                    prop_assert!((x - y).abs() < 1e-12, "{} is symmetric: {x} vs {y}", metric.name());
                    prop_assert!(x >= 0.0);
                }
            }
        }

        #[test]
        fn row_order_never_changes_a_count_based_metric(
            rows in prop::collection::vec((any::<bool>(), any::<bool>(), any::<bool>()), 1..60),
            rotation in 0usize..60,
        ) {
            let split = |rows: &[(bool, bool, bool)]| -> (Vec<bool>, Vec<bool>, Vec<bool>) {
                (rows.iter().map(|r| r.0).collect(), rows.iter().map(|r| r.1).collect(), rows.iter().map(|r| r.2).collect())
            };
            let mut rotated = rows.clone();
            rotated.rotate_left(rotation % rows.len());
            let (f1, l1, p1) = split(&rows);
            let (f2, l2, p2) = split(&rotated);
            for metric in Metric::ALL.into_iter().filter(|m| !matches!(m, Metric::CDDL | Metric::CDDPL | Metric::FT)) {
                let (a, b) = (value(metric, &f1, &l1, &p1), value(metric, &f2, &l2, &p2));
                match (a, b) {
                    (Ok(x), Ok(y)) => prop_assert!(x == y || (x - y).abs() < 1e-12 || (x.is_nan() && y.is_nan()), "{}", metric.name()),
                    (a, b) => prop_assert_eq!(a, b),
                }
            }
        }
    }

    #[test]
    fn stages_are_sorted_by_name_like_smclarify_reports() {
        let names = |s| Metric::of_stage(s).into_iter().map(Metric::name).collect::<Vec<_>>();
        assert_eq!(names(Stage::PreTraining), ["CDDL", "CI", "DPL", "JS", "KL", "KS", "LP", "TVD"]);
        assert_eq!(
            names(Stage::PostTraining),
            ["AD", "CDDPL", "DAR", "DCA", "DCR", "DI", "DPPL", "DRR", "FT", "GE", "RD", "SD", "TE"]
        );
    }

    #[test]
    fn names_round_trip() {
        for m in Metric::ALL {
            assert_eq!(Metric::from_name(m.name()), Some(m));
        }
        assert_eq!(Metric::from_name("DCAcc"), None);
    }
}
