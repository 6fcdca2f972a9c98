/// An expected count with its overdispersion, from reference values of the same season.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Baseline {
    pub expected: f64,
    /// Variance over mean of the reference values (at least 1, Poisson), widened by the error
    /// of the estimated mean.
    pub dispersion: f64,
    /// How many reference values it rests on.
    pub references: usize,
}

impl Baseline {
    /// Mean and dispersion of reference counts, scaled by `factor` (trend or known season).
    pub fn from_references(references: &[f64], factor: f64) -> Option<Baseline> {
        if references.len() < 3 {
            return None;
        }
        let n = references.len() as f64;
        let mean = references.iter().sum::<f64>() / n;
        let variance = references.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        let dispersion = if mean > 0.0 { (variance / mean).max(1.0) } else { 1.0 };
        // The threshold must allow for the error of the estimated mean as well as for the
        // count's own spread: Var(y − μ̂) = φμ(1 + 1/n).
        let dispersion = dispersion * (1.0 + 1.0 / n);
        Some(Baseline { expected: mean * factor, dispersion, references: references.len() })
    }
}

/// The Farrington upper threshold for a count with expectation `expected` and dispersion φ at
/// z standard deviations, on the 2/3-power scale where counts are near-normal and symmetric
/// (Farrington et al. 1996; Noufaily et al. 2013). The expectation has a floor of 0.5 so that a
/// category that was silent does not alarm on its first case.
pub fn farrington_threshold(expected: f64, dispersion: f64, z: f64) -> f64 {
    let mu = expected.max(0.5);
    mu * (1.0 + (2.0 / 3.0) * z * (dispersion / mu).sqrt()).powf(1.5)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_grows_with_dispersion_and_z() {
        let base = farrington_threshold(100.0, 1.0, 2.58);
        // For a Poisson count of mean 100 the 99.5% quantile is about 126.
        assert!((base - 126.0).abs() < 3.0, "{base}");
        assert!(farrington_threshold(100.0, 4.0, 2.58) > base);
        assert!(farrington_threshold(100.0, 1.0, 3.0) > base);
    }

    #[test]
    fn baselines_need_three_references() {
        assert_eq!(Baseline::from_references(&[1.0, 2.0], 1.0), None);
        let b = Baseline::from_references(&[10.0, 12.0, 8.0, 10.0], 2.0).unwrap();
        assert_eq!(b.expected, 20.0);
        assert_eq!(b.dispersion, 1.25, "under-dispersed references count as Poisson, plus 1/n for the estimate");
    }
}
