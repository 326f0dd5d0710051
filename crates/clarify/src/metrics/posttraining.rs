//! Post-training metrics from the confusion counts (smclarify `posttraining.py`, `common.DCO/DLR/DLA`).

use super::Metric;
use super::counts::{Counts, divide};
use super::pretraining::dpl_of;

/// `rate_a − rate_d` (or `d − a`) that is 0 when both rates are +∞, as smclarify special-cases.
fn difference(first: f64, second: f64, both_infinite_is_zero: bool) -> f64 {
    if both_infinite_is_zero && first == f64::INFINITY && second == f64::INFINITY {
        0.0
    } else {
        first - second
    }
}

/// The error smclarify raises for an empty side, with the prefix of the helper that computes the metric.
fn require_both_sides(c: &Counts, prefix: &str) -> Result<(), String> {
    if c.d.n == 0 {
        return Err(format!("{prefix}Facet set is empty"));
    }
    if c.a.n == 0 {
        return Err(format!("{prefix}Negated Facet set is empty"));
    }
    Ok(())
}

/// Every count-based post-training metric (all but CDDPL, FT and GE).
pub(crate) fn compute(metric: Metric, c: &Counts) -> Result<f64, String> {
    let (a, d) = (&c.a, &c.d);
    let f = |x: u64| x as f64;
    match metric {
        Metric::DPPL => dpl_of(a.n, a.pred_pos, d.n, d.pred_pos),
        Metric::DI => {
            if a.n == 0 {
                return Err("Negated facet set is empty".to_string());
            }
            let qa = f(a.pred_pos) / f(a.n);
            if d.n == 0 {
                return Err("Facet set is empty".to_string());
            }
            Ok(divide(f(d.pred_pos) / f(d.n), qa))
        }
        Metric::DCA => {
            require_both_sides(c, "DCO: ")?;
            let (ca, cd) = (divide(f(a.label_pos), f(a.pred_pos)), divide(f(d.label_pos), f(d.pred_pos)));
            Ok(difference(ca, cd, true))
        }
        Metric::DCR => {
            require_both_sides(c, "DCO: ")?;
            let (ra, rd) =
                (divide(f(a.label_neg()), f(a.pred_neg())), divide(f(d.label_neg()), f(d.pred_neg())));
            Ok(if ra == f64::INFINITY && rd == f64::INFINITY { 0.0 } else { rd - ra })
        }
        Metric::DAR => {
            require_both_sides(c, "DLR: ")?;
            Ok(difference(divide(f(a.tp), f(a.pred_pos)), divide(f(d.tp), f(d.pred_pos)), true))
        }
        Metric::DRR => {
            require_both_sides(c, "DLR: ")?;
            let (ra, rd) = (divide(f(a.tn), f(a.pred_neg())), divide(f(d.tn), f(d.pred_neg())));
            Ok(if ra == f64::INFINITY && rd == f64::INFINITY { 0.0 } else { rd - ra })
        }
        Metric::RD => {
            require_both_sides(c, "DLA: ")?;
            Ok(difference(divide(f(a.tp), f(a.tp + a.fn_)), divide(f(d.tp), f(d.tp + d.fn_)), true))
        }
        Metric::SD => {
            require_both_sides(c, "DLA: ")?;
            let (sa, sd) = (divide(f(a.tn), f(a.tn + a.fp)), divide(f(d.tn), f(d.tn + d.fp)));
            Ok(if sa == f64::INFINITY && sd == f64::INFINITY { 0.0 } else { sd - sa })
        }
        Metric::AD => {
            require_both_sides(c, "")?;
            Ok(difference(divide(f(a.tp + a.tn), f(a.n)), divide(f(d.tp + d.tn), f(d.n)), true))
        }
        Metric::TE => {
            require_both_sides(c, "")?;
            let (ta, td) = (divide(f(a.fn_), f(a.fp)), divide(f(d.fn_), f(d.fp)));
            Ok(if ta == f64::INFINITY && td == f64::INFINITY { 0.0 } else { td - ta })
        }
        other => unreachable!("{} is not computed from confusion counts", other.name()),
    }
}

/// GE with α = 2 over all rows: benefit b = ŷ − y + 1 ∈ {0, 1, 2}, GE = Σ((b/μ)² − 1) / (2N).
pub(crate) fn generalized_entropy(label: &[bool], predicted: &[bool]) -> Result<f64, String> {
    let n = label.len();
    if n == 0 {
        return Err("dataset must be non-empty".to_string());
    }
    let mut per_benefit = [0u64; 3];
    for (&y, &p) in label.iter().zip(predicted) {
        per_benefit[usize::from(p) + 1 - usize::from(y)] += 1;
    }
    let total_benefit = per_benefit[1] + 2 * per_benefit[2];
    if total_benefit == 0 {
        return Err("All predicted labels are false negatives. \
                    There should be at least one prediction that is not false negative."
            .to_string());
    }
    let mean = total_benefit as f64 / n as f64;
    let sum: f64 = (0..3).map(|b| per_benefit[b] as f64 * ((b as f64 / mean).powi(2) - 1.0)).sum();
    Ok(sum / (n as f64 * 2.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::counts::Side;

    fn side(tp: u64, fp: u64, fn_: u64, tn: u64) -> Side {
        Side { n: tp + fp + fn_ + tn, label_pos: tp + fn_, pred_pos: tp + fp, tp, fp, fn_, tn }
    }

    #[test]
    fn disparate_impact_is_infinite_when_a_gets_no_positive_prediction() {
        let c = Counts { a: side(0, 0, 2, 2), d: side(1, 0, 0, 1) };
        assert_eq!(compute(Metric::DI, &c), Ok(f64::INFINITY));
        let none = Counts { a: side(0, 0, 2, 2), d: side(0, 0, 1, 1) };
        assert_eq!(compute(Metric::DI, &none), Ok(0.0), "0/0 is 0");
    }

    #[test]
    fn treatment_equality_takes_d_minus_a_and_zero_for_two_infinities() {
        let c = Counts { a: side(1, 1, 2, 0), d: side(1, 2, 1, 0) };
        assert_eq!(compute(Metric::TE, &c), Ok(0.5 - 2.0));
        let both_inf = Counts { a: side(1, 0, 2, 0), d: side(0, 0, 1, 1) };
        assert_eq!(compute(Metric::TE, &both_inf), Ok(0.0));
        let d_inf = Counts { a: side(1, 1, 1, 0), d: side(0, 0, 1, 1) };
        assert_eq!(compute(Metric::TE, &d_inf), Ok(f64::INFINITY));
    }

    #[test]
    fn empty_sides_name_the_helper_like_smclarify() {
        let c = Counts { a: side(1, 1, 1, 1), d: Side::default() };
        assert_eq!(compute(Metric::DCA, &c), Err("DCO: Facet set is empty".to_string()));
        assert_eq!(compute(Metric::DRR, &c), Err("DLR: Facet set is empty".to_string()));
        assert_eq!(compute(Metric::SD, &c), Err("DLA: Facet set is empty".to_string()));
        assert_eq!(compute(Metric::AD, &c), Err("Facet set is empty".to_string()));
        assert_eq!(compute(Metric::DI, &c), Err("Facet set is empty".to_string()));
    }

    #[test]
    fn generalized_entropy_of_a_perfect_model_is_zero() {
        assert_eq!(generalized_entropy(&[true, false, true], &[true, false, true]), Ok(0.0));
        assert!(
            generalized_entropy(&[true, true], &[false, false]).unwrap_err().starts_with("All predicted")
        );
    }
}
