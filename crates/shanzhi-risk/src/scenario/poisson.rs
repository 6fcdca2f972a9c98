//! Poisson variates: Knuth's product of uniforms for small means, Hörmann's PTRS (transformed
//! rejection with squeeze, 1993) for large ones, as numpy does. Daily counts of a district reach
//! hundreds, where Knuth's method would cost hundreds of uniforms per draw.

use rand::Rng;

/// Below this mean Knuth's method is cheaper than the rejection's set-up (numpy's threshold).
const KNUTH_MAX_MEAN: f64 = 10.0;

/// One Poisson variate with mean `lambda`; 0 for a mean that is not positive (or NaN).
pub(super) fn poisson<R: Rng + ?Sized>(rng: &mut R, lambda: f64) -> u32 {
    if lambda.is_nan() || lambda <= 0.0 {
        0
    } else if lambda < KNUTH_MAX_MEAN {
        knuth(rng, lambda)
    } else {
        ptrs(rng, lambda)
    }
}

fn knuth<R: Rng + ?Sized>(rng: &mut R, lambda: f64) -> u32 {
    let limit = (-lambda).exp();
    let mut product: f64 = rng.random();
    let mut k = 0;
    while product > limit {
        k += 1;
        product *= rng.random::<f64>();
    }
    k
}

/// W. Hörmann, "The transformed rejection method for generating Poisson random variables",
/// Insurance: Mathematics and Economics 12 (1993) 39–45; constants as published.
fn ptrs<R: Rng + ?Sized>(rng: &mut R, lambda: f64) -> u32 {
    let sqrt_lambda = lambda.sqrt();
    let ln_lambda = lambda.ln();
    let b = 0.931 + 2.53 * sqrt_lambda;
    let a = -0.059 + 0.02483 * b;
    let inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
    let v_r = 0.9277 - 3.6224 / (b - 2.0);
    loop {
        let u = rng.random::<f64>() - 0.5;
        let v: f64 = rng.random();
        let us = 0.5 - u.abs();
        let k = ((2.0 * a / us + b) * u + lambda + 0.43).floor();
        // The squeeze: most draws are accepted here without a logarithm.
        if us >= 0.07 && v <= v_r {
            return k as u32;
        }
        if k < 0.0 || (us < 0.013 && v > us) {
            continue;
        }
        if v.ln() + inv_alpha.ln() - (a / (us * us) + b).ln() <= -lambda + k * ln_lambda - ln_gamma(k + 1.0) {
            return k as u32;
        }
    }
}

/// ln Γ(x) for x ≥ 1 by the Stirling series, shifted up to x ≥ 7 where the series is exact to
/// double precision.
fn ln_gamma(x: f64) -> f64 {
    const COEFFICIENTS: [f64; 10] = [
        8.333333333333333e-02,
        -2.777777777777778e-03,
        7.936507936507937e-04,
        -5.952380952380952e-04,
        8.417508417508418e-04,
        -1.917526917526918e-03,
        6.410_256_410_256_41e-3,
        -2.955065359477124e-02,
        1.796443723688307e-01,
        -1.39243221690590e+00,
    ];
    const LN_2PI: f64 = 1.8378770664093453;
    if x == 1.0 || x == 2.0 {
        return 0.0;
    }
    let shift = if x < 7.0 { (7.0 - x).floor() } else { 0.0 };
    let mut x0 = x + shift;
    let inv2 = 1.0 / (x0 * x0);
    let series = COEFFICIENTS.iter().rev().fold(0.0, |acc, c| acc * inv2 + c);
    let mut value = series / x0 + 0.5 * LN_2PI + (x0 - 0.5) * x0.ln() - x0;
    for _ in 0..shift as u32 {
        x0 -= 1.0;
        value -= x0.ln();
    }
    value
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;

    fn moments(lambda: f64, n: usize, seed: u64) -> (f64, f64) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let draws: Vec<f64> = (0..n).map(|_| f64::from(poisson(&mut rng, lambda))).collect();
        let mean = draws.iter().sum::<f64>() / n as f64;
        let variance = draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        (mean, variance)
    }

    #[test]
    fn mean_and_variance_equal_lambda_on_both_sides_of_the_switch() {
        let n = 200_000;
        for (i, lambda) in [0.3, 2.0, 9.99, 10.0, 17.5, 42.7, 270.0, 5_000.0].into_iter().enumerate() {
            let (mean, variance) = moments(lambda, n, 7 + i as u64);
            // Five standard errors of the mean; the sample variance's relative error is about
            // sqrt(2/n) ≈ 0.3 % for large means, more for small ones (excess kurtosis 1/λ).
            let se_mean = (lambda / n as f64).sqrt();
            assert!((mean - lambda).abs() < 5.0 * se_mean, "λ = {lambda}: mean {mean}");
            let se_var = lambda * ((2.0 + 1.0 / lambda) / n as f64).sqrt();
            assert!((variance - lambda).abs() < 5.0 * se_var, "λ = {lambda}: variance {variance}");
        }
    }

    #[test]
    fn probabilities_match_the_mass_function() {
        // A χ²-like check of the rejection sampler's shape, not only its moments.
        let (lambda, n) = (30.0, 400_000);
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut counts = vec![0u32; 200];
        for _ in 0..n {
            counts[poisson(&mut rng, lambda) as usize] += 1;
        }
        for k in [15usize, 25, 30, 35, 45] {
            let p = (-lambda + k as f64 * lambda.ln() - ln_gamma(k as f64 + 1.0)).exp();
            let expected = p * n as f64;
            let observed = f64::from(counts[k]);
            assert!((observed - expected).abs() < 5.0 * expected.sqrt(), "k = {k}: {observed} vs {expected}");
        }
    }

    #[test]
    fn degenerate_means_give_zero() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        assert_eq!(poisson(&mut rng, 0.0), 0);
        assert_eq!(poisson(&mut rng, -3.0), 0);
        assert_eq!(poisson(&mut rng, f64::NAN), 0);
    }

    #[test]
    fn ln_gamma_matches_factorials() {
        let mut factorial = 1.0f64;
        for n in 1..30u32 {
            assert!((ln_gamma(f64::from(n)) - factorial.ln()).abs() < 1e-10, "Γ({n})");
            factorial *= f64::from(n);
        }
        assert!((ln_gamma(3.5) - (15.0 * std::f64::consts::PI.sqrt() / 8.0).ln()).abs() < 1e-12);
    }
}
