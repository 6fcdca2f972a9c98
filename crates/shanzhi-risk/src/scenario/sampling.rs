//! Small sampling helpers over a seeded generator: weighted choice, normal variates, identity
//! hashes. Hand-written so that every draw is explicit and stays the same across rand releases.

use rand::Rng;

/// A fixed discrete distribution: choice by binary search in the cumulative weights.
#[derive(Debug, Clone)]
pub(super) struct Weighted {
    cumulative: Vec<f64>,
}

impl Weighted {
    /// Weights need not sum to one; negative or NaN weights count as zero. At least one weight
    /// must be positive.
    pub(super) fn new(weights: impl IntoIterator<Item = f64>) -> Self {
        let mut total = 0.0;
        let cumulative: Vec<f64> = weights
            .into_iter()
            .map(|w| {
                total += if w > 0.0 { w } else { 0.0 };
                total
            })
            .collect();
        assert!(total > 0.0, "a weighted choice needs a positive weight");
        Weighted { cumulative }
    }

    pub(super) fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> usize {
        let total = *self.cumulative.last().expect("non-empty");
        let x = rng.random::<f64>() * total;
        // The first index whose cumulative weight exceeds x; zero weights are never chosen.
        self.cumulative.partition_point(|&c| c <= x).min(self.cumulative.len() - 1)
    }
}

/// One choice from a short list of (item, weight) pairs.
pub(super) fn pick<T: Copy, R: Rng + ?Sized>(rng: &mut R, items: &[(T, f64)]) -> T {
    let total: f64 = items.iter().map(|(_, w)| w.max(0.0)).sum();
    let mut x = rng.random::<f64>() * total;
    for &(item, w) in items {
        x -= w.max(0.0);
        if x < 0.0 {
            return item;
        }
    }
    items.iter().rev().find(|(_, w)| *w > 0.0).expect("a positive weight").0
}

/// A standard normal variate (Box–Muller; the second variate is dropped for simplicity).
pub(super) fn standard_normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    let u1 = 1.0 - rng.random::<f64>(); // (0, 1]: ln stays finite
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// A lognormal variate with the given median and log-scale spread.
pub(super) fn lognormal<R: Rng + ?Sized>(rng: &mut R, median: f64, sigma: f64) -> f64 {
    median * (sigma * standard_normal(rng)).exp()
}

/// A made-up keyed identity hash in the ledger's shape (`p:` and 16 hex digits).
pub(super) fn person_hash<R: Rng + ?Sized>(rng: &mut R) -> String {
    format!("p:{:016x}", rng.random::<u64>())
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;

    #[test]
    fn weighted_choice_follows_the_weights_and_skips_zeros() {
        let table = Weighted::new([1.0, 0.0, 3.0, -2.0]);
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let mut counts = [0u32; 4];
        for _ in 0..40_000 {
            counts[table.sample(&mut rng)] += 1;
        }
        assert_eq!((counts[1], counts[3]), (0, 0));
        let share = f64::from(counts[2]) / 40_000.0;
        assert!((share - 0.75).abs() < 0.01, "{share}");
    }

    #[test]
    fn normal_has_unit_variance() {
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let n = 100_000;
        let xs: Vec<f64> = (0..n).map(|_| standard_normal(&mut rng)).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.02 && (var - 1.0).abs() < 0.02, "{mean} {var}");
    }

    #[test]
    fn person_hashes_look_like_keyed_hashes() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let h = person_hash(&mut rng);
        assert_eq!(h.len(), 18);
        assert!(h.starts_with("p:") && h[2..].bytes().all(|b| b.is_ascii_hexdigit()));
    }
}
