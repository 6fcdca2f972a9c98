//! Multinomial logistic regression (softmax regression) over tf-idf weighted binary features
//! (each document's vector of unit length), trained by
//! stochastic gradient descent in a seeded order: a linear model whose weights explain each
//! answer feature by feature, and whose probabilities mean something.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::features::FeatureId;

/// Feature ids are already FNV hashes: hashing them again would only cost time.
#[derive(Default)]
struct IdentityHasher(u64);

impl Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type FeatureIndex = HashMap<FeatureId, usize, BuildHasherDefault<IdentityHasher>>;

/// Training settings, chosen by cross-validation on the training part of the corpus.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Training {
    pub epochs: usize,
    pub learning_rate: f64,
    /// L2 penalty per update on the weights touched.
    pub l2: f64,
    /// Seed of the order in which examples are visited.
    pub seed: u64,
}

impl Default for Training {
    fn default() -> Self {
        Training { epochs: 30, learning_rate: 1.0, l2: 1e-5, seed: 20_261_128 }
    }
}

#[derive(Debug, Clone)]
pub struct LinearModel {
    classes: usize,
    bias: Vec<f64>,
    /// Row-major: the weights of feature `i` are `weights[i * classes..(i + 1) * classes]`.
    weights: Vec<f64>,
    index: FeatureIndex,
    names: Vec<String>,
    /// Inverse document frequency of each feature: common features weigh less.
    idf: Vec<f64>,
}

/// A small deterministic generator for the visiting order (SplitMix64).
fn split_mix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl LinearModel {
    pub fn train(examples: &[(Vec<(FeatureId, String)>, usize)], classes: usize, settings: Training) -> Self {
        let mut index = FeatureIndex::default();
        let mut names = Vec::new();
        let docs: Vec<(Vec<usize>, usize)> = examples
            .iter()
            .map(|(features, class)| {
                let ids = features
                    .iter()
                    .map(|(id, name)| {
                        *index.entry(*id).or_insert_with(|| {
                            names.push(name.clone());
                            names.len() - 1
                        })
                    })
                    .collect();
                (ids, *class)
            })
            .collect();
        let mut df = vec![0usize; names.len()];
        for (features, _) in &docs {
            for &f in features {
                df[f] += 1;
            }
        }
        let n = docs.len() as f64;
        let idf = df.iter().map(|&d| (1.0 + n / d as f64).ln()).collect();
        let mut model = LinearModel {
            classes,
            bias: vec![0.0; classes],
            weights: vec![0.0; names.len() * classes],
            index,
            names,
            idf,
        };
        let mut order: Vec<usize> = (0..docs.len()).collect();
        let mut state = settings.seed;
        let mut p = vec![0.0; classes];
        for epoch in 0..settings.epochs {
            // Fisher–Yates with the seeded generator: the same corpus gives the same model.
            for i in (1..order.len()).rev() {
                order.swap(i, (split_mix(&mut state) % (i as u64 + 1)) as usize);
            }
            let rate = settings.learning_rate / (1.0 + epoch as f64 * 0.2);
            for &d in &order {
                let (features, class) = &docs[d];
                let norm = model.norm(features.iter().copied());
                model.logits_into(features.iter().copied(), norm, &mut p);
                softmax_in_place(&mut p);
                for (k, probability) in p.iter().enumerate() {
                    let gradient = probability - if k == *class { 1.0 } else { 0.0 };
                    model.bias[k] -= rate * gradient;
                    for &f in features {
                        let x = model.idf[f] * norm;
                        let w = &mut model.weights[f * classes + k];
                        *w -= rate * (gradient * x + settings.l2 * *w);
                    }
                }
            }
        }
        model
    }

    /// 1 / the L2 norm of a document's idf-weighted feature vector.
    fn norm(&self, features: impl Iterator<Item = usize>) -> f64 {
        let sum: f64 = features.map(|f| self.idf[f] * self.idf[f]).sum();
        if sum == 0.0 { 0.0 } else { 1.0 / sum.sqrt() }
    }

    fn logits_into(&self, features: impl Iterator<Item = usize>, norm: f64, out: &mut [f64]) {
        out.copy_from_slice(&self.bias);
        for f in features {
            let x = self.idf[f] * norm;
            let row = &self.weights[f * self.classes..(f + 1) * self.classes];
            for (o, w) in out.iter_mut().zip(row) {
                *o += w * x;
            }
        }
    }

    /// Log-odds per class; unknown features count for nothing.
    pub fn scores(&self, features: &[FeatureId]) -> Vec<f64> {
        let known: Vec<usize> = features.iter().filter_map(|f| self.index.get(f).copied()).collect();
        let mut out = vec![0.0; self.classes];
        self.logits_into(known.iter().copied(), self.norm(known.iter().copied()), &mut out);
        out
    }

    /// The features of a text that most favour class `a` over class `b`, strongest first.
    pub fn evidence(&self, features: &[FeatureId], a: usize, b: usize, top: usize) -> Vec<(String, f64)> {
        let mut ev: Vec<(String, f64)> = features
            .iter()
            .filter_map(|f| {
                let i = *self.index.get(f)?;
                let weight = self.weights[i * self.classes + a] - self.weights[i * self.classes + b];
                (weight > 0.0).then(|| (self.names[i].clone(), weight))
            })
            .collect();
        ev.sort_by(|x, y| y.1.total_cmp(&x.1));
        ev.truncate(top);
        ev
    }
}

/// Turns logits into probabilities, in place.
pub fn softmax_in_place(values: &mut [f64]) {
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut total = 0.0;
    for v in values.iter_mut() {
        *v = (*v - max).exp();
        total += *v;
    }
    for v in values.iter_mut() {
        *v /= total;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(ids: &[u64]) -> Vec<(FeatureId, String)> {
        ids.iter().map(|i| (*i, format!("f{i}"))).collect()
    }

    #[test]
    fn learns_which_features_mark_which_class() {
        let examples = vec![(f(&[1, 2]), 0), (f(&[1, 3]), 0), (f(&[4, 5]), 1), (f(&[4, 6]), 1)];
        let model = LinearModel::train(&examples, 2, Training::default());
        let s = model.scores(&[1, 9]);
        assert!(s[0] > s[1]);
        let s = model.scores(&[4]);
        assert!(s[1] > s[0]);
        let ev = model.evidence(&[1, 4], 0, 1, 5);
        assert_eq!(ev[0].0, "f1");
    }

    #[test]
    fn the_same_data_and_seed_give_the_same_model() {
        let examples = vec![(f(&[1, 2]), 0), (f(&[1, 3]), 0), (f(&[4, 5]), 1), (f(&[2, 6]), 1)];
        let a = LinearModel::train(&examples, 2, Training::default());
        let b = LinearModel::train(&examples, 2, Training::default());
        assert_eq!(a.scores(&[1, 2, 6]), b.scores(&[1, 2, 6]));
    }

    #[test]
    fn softmax_sums_to_one() {
        let mut v = [1.0, 2.0, 3.0];
        softmax_in_place(&mut v);
        assert!((v.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(v[2] > v[1] && v[1] > v[0]);
    }
}
