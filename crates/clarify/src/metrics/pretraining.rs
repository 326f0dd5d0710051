//! Pre-training metrics (smclarify `pretraining.py`).

use super::Metric;
use super::counts::Counts;

/// CI = (n_a − n_d) / (n_a + n_d).
pub(crate) fn ci(c: &Counts) -> Result<f64, String> {
    if c.a.n == 0 {
        return Err("CI: negated facet set is empty. Check that x[~facet] has non-zero length.".to_string());
    }
    if c.d.n == 0 {
        return Err("CI: facet set is empty. Check that x[facet] has non-zero length.".to_string());
    }
    Ok((c.a.n as f64 - c.d.n as f64) / (c.a.n + c.d.n) as f64)
}

/// DPL = n_a⁽¹⁾/n_a − n_d⁽¹⁾/n_d (plain division). Also DPPL, with predictions as the "labels".
pub(crate) fn dpl_of(na: u64, na_pos: u64, nd: u64, nd_pos: u64) -> Result<f64, String> {
    if na == 0 {
        return Err("Negative facet set is empty.".to_string());
    }
    if nd == 0 {
        return Err("Facet set is empty.".to_string());
    }
    Ok(na_pos as f64 / na as f64 - nd_pos as f64 / nd as f64)
}

/// DPL on the labels.
pub(crate) fn dpl(c: &Counts) -> Result<f64, String> {
    dpl_of(c.a.n, c.a.label_pos, c.d.n, c.d.label_pos)
}

/// smclarify `pdfs_aligned_nonzero` on the boolean label: the shares of `false` then `true` in a and d,
/// keeping only the values present on both sides (not renormalised).
fn aligned_pdfs(c: &Counts) -> (Vec<f64>, Vec<f64>) {
    let pdf = |n: u64, pos: u64| -> [f64; 2] {
        if n == 0 { [0.0, 0.0] } else { [(n - pos) as f64 / n as f64, pos as f64 / n as f64] }
    };
    let (pa, pd) = (pdf(c.a.n, c.a.label_pos), pdf(c.d.n, c.d.label_pos));
    (0..2).filter(|&v| pa[v] != 0.0 && pd[v] != 0.0).map(|v| (pa[v], pd[v])).unzip()
}

/// KL, JS, LP (p = 2), TVD and KS over the aligned distributions.
pub(crate) fn divergence(metric: Metric, c: &Counts) -> Result<f64, String> {
    let (pa, pd) = aligned_pdfs(c);
    if pa.is_empty() {
        return Err("No instance of common facet found, dataset may be too small".to_string());
    }
    let pairs = || pa.iter().zip(&pd);
    let kl = |p: &[f64], q: &[f64]| -> f64 { p.iter().zip(q).map(|(x, y)| x * (x / y).ln()).sum() };
    Ok(match metric {
        Metric::KL => kl(&pa, &pd),
        Metric::JS => {
            let mid: Vec<f64> = pairs().map(|(a, d)| 0.5 * (a + d)).collect();
            0.5 * (kl(&pa, &mid) + kl(&pd, &mid))
        }
        Metric::LP => pairs().map(|(a, d)| (a - d) * (a - d)).sum::<f64>().sqrt(),
        Metric::TVD => 0.5 * pairs().map(|(a, d)| (a - d).abs()).sum::<f64>(),
        Metric::KS => pairs().map(|(a, d)| (a - d).abs()).fold(0.0, f64::max),
        other => unreachable!("{} is not a divergence", other.name()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::counts::Side;

    fn counts(na: u64, na_pos: u64, nd: u64, nd_pos: u64) -> Counts {
        Counts {
            a: Side { n: na, label_pos: na_pos, ..Side::default() },
            d: Side { n: nd, label_pos: nd_pos, ..Side::default() },
        }
    }

    #[test]
    fn kl_is_negative_when_one_value_is_missing_on_one_side() {
        // Every d row is positive: only `true` survives, KL = P_a(true)·ln(P_a(true)/1) < 0.
        let kl = divergence(Metric::KL, &counts(4, 1, 3, 3)).unwrap();
        assert!((kl - 0.25 * 0.25f64.ln()).abs() < 1e-15);
        assert!(kl < 0.0);
    }

    #[test]
    fn divergences_of_equal_distributions_are_zero() {
        for m in [Metric::KL, Metric::JS, Metric::LP, Metric::TVD, Metric::KS] {
            assert_eq!(divergence(m, &counts(10, 4, 5, 2)), Ok(0.0), "{}", m.name());
        }
    }

    #[test]
    fn empty_sides_are_errors() {
        assert!(ci(&counts(0, 0, 3, 1)).unwrap_err().starts_with("CI: negated facet set is empty"));
        assert_eq!(dpl(&counts(3, 1, 0, 0)), Err("Facet set is empty.".to_string()));
        assert_eq!(
            divergence(Metric::KS, &counts(3, 1, 0, 0)),
            Err("No instance of common facet found, dataset may be too small".to_string())
        );
    }
}
