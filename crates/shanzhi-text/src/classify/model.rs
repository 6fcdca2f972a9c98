//! Multinomial logistic regression (softmax regression) over tf-idf weighted binary features
//! (each document's vector of unit length), trained by
//! stochastic gradient descent in a seeded order: a linear model whose weights explain each
//! answer feature by feature, and whose probabilities mean something.
//!
//! Training ends by making the model compact, so that the model trained is exactly the model
//! saved (`saved.rs`) and loaded again. Softmax does not change when one number is added to all
//! of a feature's weights (one per class), so each feature's weights are centred on their median:
//! most of them are the small pushes away from the classes the feature does not mark, which
//! centring brings near zero. Those smaller than [`Training::prune`] become zero and the rest are
//! kept as `f32`. On the shipped corpus (29,083 features × 24 classes) a quarter of the weights
//! stay, and no answer on either held-out set changes (no confidence by more than 0.004); from a
//! threshold of 0.05 on, answers began to change. In memory the weights stay a dense `f32` table
//! (2.8 MB, half of the `f64` one), the fastest to score.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::features::FeatureId;

/// Feature ids are already FNV hashes: hashing them again would only cost time.
#[derive(Default, Clone)]
pub(super) struct IdentityHasher(u64);

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

pub(super) type FeatureIndex = HashMap<FeatureId, usize, BuildHasherDefault<IdentityHasher>>;

/// Training settings, chosen by cross-validation on the training part of the corpus.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Training {
    pub epochs: usize,
    pub learning_rate: f64,
    /// L2 penalty per update on the weights touched.
    pub l2: f64,
    /// Seed of the order in which examples are visited.
    pub seed: u64,
    /// Centred weights smaller than this in magnitude are dropped when training ends (see the
    /// module's documentation).
    pub prune: f64,
}

impl Default for Training {
    fn default() -> Self {
        Training { epochs: 30, learning_rate: 1.0, l2: 1e-5, seed: 20_261_128, prune: 0.01 }
    }
}

#[derive(Debug, Clone)]
pub struct LinearModel {
    pub(super) classes: usize,
    pub(super) bias: Vec<f64>,
    /// Row-major: the weights of feature `i` are `weights[i * classes..(i + 1) * classes]`;
    /// centred, pruned and `f32` (see the module's documentation).
    pub(super) weights: Vec<f32>,
    pub(super) index: FeatureIndex,
    pub(super) names: Vec<String>,
    /// In how many training documents each feature occurs, and of how many: the inverse document
    /// frequency follows from them ([`idf`]).
    pub(super) df: Vec<u32>,
    pub(super) documents: u32,
    /// Inverse document frequency of each feature: common features weigh less.
    pub(super) idf: Vec<f64>,
    /// How it was trained (kept with a saved model, for the record).
    pub(super) settings: Training,
}

/// The inverse document frequency of a feature found in `df` of `documents` documents.
pub(super) fn idf(documents: u32, df: u32) -> f64 {
    (1.0 + f64::from(documents) / f64::from(df)).ln()
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
        let mut df = vec![0u32; names.len()];
        for (features, _) in &docs {
            for &f in features {
                df[f] += 1;
            }
        }
        let documents = u32::try_from(docs.len()).unwrap_or(u32::MAX);
        let idf: Vec<f64> = df.iter().map(|&d| idf(documents, d)).collect();
        let mut bias = vec![0.0; classes];
        let mut weights = vec![0.0_f64; names.len() * classes];
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
                let norm = norm(&idf, features.iter().copied());
                logits_into(&bias, &weights, &idf, features.iter().copied(), norm, &mut p);
                softmax_in_place(&mut p);
                for (k, probability) in p.iter().enumerate() {
                    let gradient = probability - if k == *class { 1.0 } else { 0.0 };
                    bias[k] -= rate * gradient;
                    for &f in features {
                        let x = idf[f] * norm;
                        let w = &mut weights[f * classes + k];
                        *w -= rate * (gradient * x + settings.l2 * *w);
                    }
                }
            }
        }
        let weights = compact(&weights, classes, settings.prune);
        LinearModel { classes, bias, weights, index, names, df, documents, idf, settings }
    }

    /// Log-odds per class; unknown features count for nothing.
    pub fn scores(&self, features: &[FeatureId]) -> Vec<f64> {
        let known: Vec<usize> = features.iter().filter_map(|f| self.index.get(f).copied()).collect();
        let mut out = vec![0.0; self.classes];
        let norm = norm(&self.idf, known.iter().copied());
        logits_into(&self.bias, &self.weights, &self.idf, known.iter().copied(), norm, &mut out);
        out
    }

    /// The features of a text that most favour class `a` over class `b`, strongest first.
    pub fn evidence(&self, features: &[FeatureId], a: usize, b: usize, top: usize) -> Vec<(String, f64)> {
        let mut ev: Vec<(String, f64)> = features
            .iter()
            .filter_map(|f| {
                let i = *self.index.get(f)?;
                let row = &self.weights[i * self.classes..(i + 1) * self.classes];
                let weight = f64::from(row[a]) - f64::from(row[b]);
                (weight > 0.0).then(|| (self.names[i].clone(), weight))
            })
            .collect();
        ev.sort_by(|x, y| y.1.total_cmp(&x.1));
        ev.truncate(top);
        ev
    }

    /// How big the model is: its features and the weights that are not zero.
    pub fn size(&self) -> ModelSize {
        ModelSize {
            classes: self.classes,
            features: self.names.len(),
            weights: self.weights.iter().filter(|w| **w != 0.0).count(),
            documents: self.documents,
        }
    }

    pub fn settings(&self) -> Training {
        self.settings
    }
}

/// The size of a trained model (for the record of a saved one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelSize {
    pub classes: usize,
    pub features: usize,
    /// Weights that are not zero.
    pub weights: usize,
    /// Training documents.
    pub documents: u32,
}

/// 1 / the L2 norm of a document's idf-weighted feature vector.
fn norm(idf: &[f64], features: impl Iterator<Item = usize>) -> f64 {
    let sum: f64 = features.map(|f| idf[f] * idf[f]).sum();
    if sum == 0.0 { 0.0 } else { 1.0 / sum.sqrt() }
}

/// A document's logits: `f64` weights while training, `f32` after.
fn logits_into<W: Copy + Into<f64>>(
    bias: &[f64],
    weights: &[W],
    idf: &[f64],
    features: impl Iterator<Item = usize>,
    norm: f64,
    out: &mut [f64],
) {
    let classes = bias.len();
    out.copy_from_slice(bias);
    for f in features {
        let x = idf[f] * norm;
        let row = &weights[f * classes..(f + 1) * classes];
        for (o, w) in out.iter_mut().zip(row) {
            *o += (*w).into() * x;
        }
    }
}

/// Each feature's weights less their median (the upper one, so that one of them is exactly
/// zero), those smaller than `prune` in magnitude as zero, the rest as `f32`.
fn compact(weights: &[f64], classes: usize, prune: f64) -> Vec<f32> {
    let mut out = Vec::with_capacity(weights.len());
    let mut sorted = Vec::with_capacity(classes);
    for row in weights.chunks(classes) {
        sorted.clear();
        sorted.extend_from_slice(row);
        sorted.sort_by(f64::total_cmp);
        let median = sorted[classes / 2];
        out.extend(row.iter().map(|w| {
            let centred = w - median;
            if centred.abs() < prune { 0.0 } else { centred as f32 }
        }));
    }
    out
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
    fn centring_keeps_the_probabilities_and_pruning_drops_small_weights() {
        // Two features × three classes.
        let weights = [-0.3, -0.31, 2.0, -0.29, 0.5, -0.305];
        let x = [0.6, 0.8];
        let probabilities = |w: &[f64]| {
            let mut p: Vec<f64> = (0..3).map(|k| w[k] * x[0] + w[3 + k] * x[1]).collect();
            softmax_in_place(&mut p);
            p
        };
        let centred: Vec<f64> = compact(&weights, 3, 0.0).into_iter().map(f64::from).collect();
        assert_eq!(centred[0], 0.0, "each feature's median becomes zero");
        for (a, b) in probabilities(&weights).iter().zip(probabilities(&centred)) {
            assert!((a - b).abs() < 1e-6, "{a} {b}");
        }
        assert_eq!(compact(&weights, 3, 0.02), [0.0, 0.0, 2.3, 0.0, 0.79, 0.0]);
    }

    #[test]
    fn softmax_sums_to_one() {
        let mut v = [1.0, 2.0, 3.0];
        softmax_in_place(&mut v);
        assert!((v.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(v[2] > v[1] && v[1] > v[0]);
    }
}
