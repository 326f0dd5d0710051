//! Tail probabilities of the reference distributions the drift tests use: χ² (Pearson's goodness of
//! fit) and Kolmogorov's (the asymptotic two-sample KS test). Checked against scipy in the parity tests.

use std::f64::consts::PI;

/// P(X > x) for X ~ χ²(df): the regularised upper incomplete gamma Q(df/2, x/2) (scipy `chi2.sf`).
pub fn chi_squared_sf(x: f64, df: f64) -> f64 {
    if x.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 1.0;
    }
    regularized_gamma_q(df / 2.0, x / 2.0)
}

/// Kolmogorov's limiting survival function Q(x) = 2 Σ (−1)^(k−1) exp(−2k²x²) (scipy `special.kolmogorov`):
/// the asymptotic p-value of a two-sample KS statistic D is Q(D·sqrt(n·m/(n+m))).
pub fn kolmogorov_sf(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 1.0;
    }
    if x < 1.0 {
        // The Jacobi theta form converges fast for small x: cdf = sqrt(2π)/x Σ exp(−(2k−1)²π²/(8x²)).
        let mut cdf = 0.0;
        for k in 1..=50 {
            let odd = f64::from(2 * k - 1);
            let term = (-(odd * odd) * PI * PI / (8.0 * x * x)).exp();
            cdf += term;
            if term < 1e-300 {
                break;
            }
        }
        return (1.0 - (2.0 * PI).sqrt() / x * cdf).clamp(0.0, 1.0);
    }
    let mut sum = 0.0;
    for k in 1..=100 {
        let kf = f64::from(k);
        let term = (-2.0 * kf * kf * x * x).exp();
        sum += if k % 2 == 1 { term } else { -term };
        if term < 1e-20 {
            break;
        }
    }
    (2.0 * sum).clamp(0.0, 1.0)
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; ~1e-15 relative).
pub fn ln_gamma(x: f64) -> f64 {
    const COEF: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        return (PI / (PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let t = x + 7.5;
    let a = COEF[1..].iter().enumerate().fold(COEF[0], |acc, (i, c)| acc + c / (x + i as f64 + 1.0));
    0.5 * (2.0 * PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// Q(a, x) = Γ(a, x)/Γ(a): series for x < a + 1, Lentz's continued fraction otherwise.
fn regularized_gamma_q(a: f64, x: f64) -> f64 {
    let log_prefactor = -x + a * x.ln() - ln_gamma(a);
    if x < a + 1.0 {
        let (mut sum, mut term, mut ap) = (1.0 / a, 1.0 / a, a);
        for _ in 0..10_000 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * 1e-17 {
                break;
            }
        }
        return (1.0 - sum * log_prefactor.exp()).clamp(0.0, 1.0);
    }
    let tiny = 1e-300;
    let mut b = x + 1.0 - a;
    let mut c = 1.0 / tiny;
    let mut d = 1.0 / b;
    let mut h = d;
    for i in 1..10_000 {
        let an = -f64::from(i) * (f64::from(i) - a);
        b += 2.0;
        d = an * d + b;
        if d.abs() < tiny {
            d = tiny;
        }
        c = b + an / c;
        if c.abs() < tiny {
            c = tiny;
        }
        d = 1.0 / d;
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    (log_prefactor.exp() * h).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chi_squared_tails_match_known_values() {
        // scipy.stats.chi2.sf(3.841458820694124, 1) = 0.05; chi2.sf(10, 3) = 0.018566135463043118
        assert!((chi_squared_sf(3.841_458_820_694_124, 1.0) - 0.05).abs() < 1e-12);
        assert!((chi_squared_sf(10.0, 3.0) - 0.018_566_135_463_043_12).abs() < 1e-12);
        assert!((chi_squared_sf(2.0, 2.0) - (-1.0f64).exp()).abs() < 1e-14);
    }

    #[test]
    fn kolmogorov_tail_matches_known_values() {
        // scipy.special.kolmogorov(1.0) = 0.26999967167735456; kolmogorov(0.5) = 0.9639452436648751
        assert!((kolmogorov_sf(1.0) - 0.269_999_671_677_354_56).abs() < 1e-12);
        assert!((kolmogorov_sf(0.5) - 0.963_945_243_664_875_1).abs() < 1e-12);
        assert!((kolmogorov_sf(1.358_098_8) - 0.05).abs() < 1e-6);
    }

    #[test]
    fn ln_gamma_of_integers_is_log_factorial() {
        assert!((ln_gamma(5.0) - 24f64.ln()).abs() < 1e-13);
        assert!((ln_gamma(0.5) - PI.sqrt().ln()).abs() < 1e-13);
    }
}
