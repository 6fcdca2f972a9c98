//! The category classifier: a linear model (softmax regression) over words and character
//! bigrams, plus the taxonomy's keywords as transparent rules. Every answer carries its confidence and the features that
//! decided it.

use std::collections::HashMap;

mod features;
mod model;
mod saved;

pub use features::{FeatureId, feature_ids, features};
pub use model::{LinearModel, ModelSize, Training, softmax_in_place};
pub use saved::{FORMAT, ModelError};

use crate::segment::Segmenter;
use crate::taxonomy::{Category, Taxonomy};

/// One labelled text of the corpus (or a label confirmed by staff in the ledger).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelledText {
    pub id: String,
    pub category: String,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct Classifier {
    taxonomy: Taxonomy,
    model: LinearModel,
    keyword_weight: f64,
    /// Keywords by first character, each with its category's index: one pass finds them all.
    keywords: HashMap<char, Vec<(String, usize)>>,
}

/// The classifier's answer for one text.
#[derive(Debug, Clone, PartialEq)]
pub struct Classification<'a> {
    pub category: &'a Category,
    /// Probability the model gives its choice, 0–1.
    pub confidence: f64,
    /// What decided it: matched keywords and the features favouring it over the runner-up.
    pub evidence: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("labelled text {id}: category `{category}` is not in the taxonomy")]
pub struct UnknownCategory {
    pub id: String,
    pub category: String,
}

/// How much one matched keyword counts, in log-odds, by default. Chosen by cross-validation on
/// the training part of the corpus (`cargo bench -p shanzhi-text --bench text -- --cv`), never
/// on the held-out part.
pub const KEYWORD_WEIGHT: f64 = 0.5;

impl Classifier {
    /// Trains the model on `examples` with `settings`; `keyword_weight` is what one matched
    /// keyword adds to its category's score ([`KEYWORD_WEIGHT`] by default).
    pub fn train_with(
        taxonomy: Taxonomy,
        segmenter: &Segmenter,
        examples: &[LabelledText],
        settings: Training,
        keyword_weight: f64,
    ) -> Result<Self, UnknownCategory> {
        let data = examples
            .iter()
            .map(|e| {
                let class = taxonomy
                    .index_of(&e.category)
                    .ok_or_else(|| UnknownCategory { id: e.id.clone(), category: e.category.clone() })?;
                Ok((features(&segmenter.content_words(&e.text)), class))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let model = LinearModel::train(&data, taxonomy.len(), settings);
        Ok(Classifier::assemble(taxonomy, model, keyword_weight))
    }

    /// The classifier of a saved model ([`Classifier::save`]), with the taxonomy's names,
    /// departments and keywords. The taxonomy must have the model's categories, in any order.
    pub fn load(taxonomy: Taxonomy, bytes: &[u8]) -> Result<Self, ModelError> {
        let saved::Saved { mut model, codes, keyword_weight } = saved::decode(bytes)?;
        let codes_in_taxonomy: Vec<&str> = taxonomy.categories().iter().map(|c| c.code.as_str()).collect();
        let missing: Vec<&str> =
            codes.iter().map(String::as_str).filter(|code| !codes_in_taxonomy.contains(code)).collect();
        let new: Vec<&str> =
            codes_in_taxonomy.iter().copied().filter(|code| !codes.iter().any(|c| c == code)).collect();
        if !missing.is_empty() || !new.is_empty() {
            return Err(ModelError::Taxonomy(format!(
                "the model has categories the taxonomy lacks: [{}]; the taxonomy has categories the model lacks: [{}]",
                missing.join(", "),
                new.join(", ")
            )));
        }
        // The model's class of each of the taxonomy's categories.
        let from: Vec<usize> =
            codes_in_taxonomy.iter().map(|code| codes.iter().position(|c| c == code).expect("checked")).collect();
        if from.iter().enumerate().any(|(k, f)| k != *f) {
            model.bias = from.iter().map(|&f| model.bias[f]).collect();
            let classes = model.classes;
            model.weights = model.weights.chunks(classes).flat_map(|row| from.iter().map(|&f| row[f])).collect();
        }
        Ok(Classifier::assemble(taxonomy, model, keyword_weight))
    }

    /// The trained model in its saved form ([`FORMAT`]; see `saved.rs`).
    pub fn save(&self) -> Vec<u8> {
        let codes: Vec<&str> = self.taxonomy.categories().iter().map(|c| c.code.as_str()).collect();
        saved::encode(&self.model, &codes, self.keyword_weight)
    }

    pub fn model_size(&self) -> ModelSize {
        self.model.size()
    }

    fn assemble(taxonomy: Taxonomy, model: LinearModel, keyword_weight: f64) -> Self {
        let mut keywords: HashMap<char, Vec<(String, usize)>> = HashMap::new();
        for (k, category) in taxonomy.categories().iter().enumerate() {
            for keyword in &category.keywords {
                if let Some(first) = keyword.chars().next() {
                    keywords.entry(first).or_default().push((keyword.clone(), k));
                }
            }
        }
        Classifier { taxonomy, model, keyword_weight, keywords }
    }

    pub fn taxonomy(&self) -> &Taxonomy {
        &self.taxonomy
    }

    pub fn classify(&self, segmenter: &Segmenter, text: &str) -> Classification<'_> {
        let words = segmenter.content_words(text);
        let ids = feature_ids(&words);
        let mut scores = self.model.scores(&ids);
        // Keywords are matched on the text as the model sees it (place names hidden: `南湖村委会`
        // is no `村委`), and a keyword inside a longer one of the same category counts once.
        let seen: String = words.concat();
        let mut matched: Vec<Vec<&str>> = vec![Vec::new(); self.taxonomy.len()];
        for (at, c) in seen.char_indices() {
            for (keyword, k) in self.keywords.get(&c).into_iter().flatten() {
                if seen[at..].starts_with(keyword.as_str()) && !matched[*k].contains(&keyword.as_str()) {
                    matched[*k].push(keyword);
                }
            }
        }
        let mut hits: Vec<Vec<&str>> = vec![Vec::new(); self.taxonomy.len()];
        for (k, found) in matched.iter().enumerate() {
            for keyword in found.iter().filter(|w| !found.iter().any(|o| o != *w && o.contains(**w))) {
                scores[k] += self.keyword_weight;
                hits[k].push(keyword);
            }
        }
        let mut order: Vec<usize> = (0..scores.len()).collect();
        order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
        let (best, second) = (order[0], order.get(1).copied().unwrap_or(order[0]));
        let mut probabilities = scores.clone();
        softmax_in_place(&mut probabilities);
        let confidence = probabilities[best];
        let mut evidence: Vec<String> = hits[best].iter().map(|k| format!("关键词:{k}")).collect();
        evidence.extend(self.model.evidence(&ids, best, second, 5).into_iter().map(|(name, _)| name));
        Classification { category: &self.taxonomy.categories()[best], confidence, evidence }
    }
}
