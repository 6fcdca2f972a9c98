/// ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9: about 15 significant digits).
pub(crate) fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
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
        // Reflection keeps the series in its accurate range.
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// P(X ≥ k) for X ~ Poisson(λ), accurate also far in the tail, where the warnings live.
pub fn poisson_upper_tail(k: u64, lambda: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if lambda <= 0.0 {
        return 0.0;
    }
    let kf = k as f64;
    let term_k = (-lambda + kf * lambda.ln() - ln_gamma(kf + 1.0)).exp();
    if kf > lambda {
        // Terms fall from k on: sum them forwards. A first term below the smallest double
        // leaves a tail that small too.
        let (mut sum, mut term, mut i) = (term_k, term_k, kf);
        while term > sum * 1e-16 && term > 0.0 {
            i += 1.0;
            term *= lambda / i;
            sum += term;
        }
        sum.min(1.0)
    } else {
        // The tail is large: one minus the (short) sum below k.
        let (mut below, mut term) = (0.0, (-lambda).exp());
        for i in 0..k {
            below += term;
            term *= lambda / (i + 1) as f64;
        }
        (1.0 - below).clamp(0.0, 1.0)
    }
}

/// The Poisson log likelihood ratio of `observed` against `expected` for a high rate (0 if not
/// high): the statistic of a purely temporal scan.
pub fn poisson_llr(observed: f64, expected: f64) -> f64 {
    if observed <= expected || expected <= 0.0 {
        return 0.0;
    }
    observed * (observed / expected).ln() - (observed - expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_gamma_matches_factorials() {
        for (n, fact) in [(1u32, 1.0f64), (5, 24.0), (11, 3_628_800.0)] {
            assert!((ln_gamma(f64::from(n)) - fact.ln()).abs() < 1e-12, "Γ({n})");
        }
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-12);
    }

    #[test]
    fn poisson_tails_match_direct_sums() {
        // P(X ≥ 3 | λ = 1) = 1 − e⁻¹(1 + 1 + 1/2).
        let direct = 1.0 - (-1.0f64).exp() * 2.5;
        assert!((poisson_upper_tail(3, 1.0) - direct).abs() < 1e-14);
        // Far tail: P(X ≥ 20 | λ = 0.5) ≈ e^-0.5 0.5^20 / 20! (next terms are 40× smaller).
        let p = poisson_upper_tail(20, 0.5);
        let first = (-0.5f64).exp() * 0.5f64.powi(20) / (1..=20).map(f64::from).product::<f64>();
        assert!(p > first && p < first * 1.03, "{p} vs {first}");
        assert_eq!(poisson_upper_tail(0, 3.0), 1.0);
        assert!((poisson_upper_tail(1, 2.0) - (1.0 - (-2.0f64).exp())).abs() < 1e-15);
        // So far in the tail that the first term underflows: zero, and promptly.
        assert_eq!(poisson_upper_tail(400, 1.4), 0.0);
    }
}
