//! The labelled corpus shipped with shanzhi (`data/text/corpus/*.jsonl`) and its fixed split:
//! every record whose number is a multiple of 5 is held out, never trained on, and used only to
//! report accuracy.

use std::collections::HashSet;

use serde::Deserialize;

use crate::classify::LabelledText;
use crate::taxonomy::Taxonomy;

/// The embedded data files.
pub const TAXONOMY: &str = include_str!("../../../data/text/taxonomy.toml");
pub const ESCALATION: &str = include_str!("../../../data/text/escalation.toml");
pub const CORPUS: [(&str, &str); 2] = [
    ("part-a.jsonl", include_str!("../../../data/text/corpus/part-a.jsonl")),
    ("part-b.jsonl", include_str!("../../../data/text/corpus/part-b.jsonl")),
];

/// A second held-out set, written by another author after the model was built and never looked at
/// for tuning: the honest measure of the classifier (`heldout-2.jsonl`).
pub const SECOND_HELD_OUT: (&str, &str) = ("heldout-2.jsonl", include_str!("../../../data/text/heldout-2.jsonl"));

#[derive(Deserialize)]
struct Line {
    id: String,
    category: String,
    text: String,
}

#[derive(Debug, thiserror::Error)]
#[error("corpus {file}, line {line}: {reason}")]
pub struct CorpusError {
    pub file: String,
    pub line: usize,
    pub reason: String,
}

/// Parses JSON Lines of `{"id", "category", "text", …}`.
pub fn parse(file: &str, jsonl: &str) -> Result<Vec<LabelledText>, CorpusError> {
    jsonl
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let line: Line = serde_json::from_str(l).map_err(|e| CorpusError {
                file: file.to_owned(),
                line: i + 1,
                reason: e.to_string(),
            })?;
            Ok(LabelledText { id: line.id, category: line.category, text: line.text })
        })
        .collect()
}

/// The whole embedded corpus.
pub fn embedded() -> Result<Vec<LabelledText>, CorpusError> {
    let mut all = Vec::new();
    for (file, text) in CORPUS {
        all.extend(parse(file, text)?);
    }
    Ok(all)
}

/// Whether a record belongs to the held-out fifth: its number (`a-0015` → 15) is a multiple of 5.
pub fn is_held_out(id: &str) -> bool {
    id.rsplit('-').next().and_then(|n| n.parse::<u32>().ok()).is_some_and(|n| n % 5 == 0)
}

/// The records to train on: everything but the held-out fifth.
pub fn training(all: &[LabelledText]) -> Vec<LabelledText> {
    all.iter().filter(|r| !is_held_out(&r.id)).cloned().collect()
}

/// What a classifier is trained on when staff's labels join the corpus.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TrainingSet {
    /// The corpus's training part, then the ledger's labels kept (as category codes).
    pub examples: Vec<LabelledText>,
    /// How many of `examples` come from the corpus and how many from the ledger.
    pub corpus: usize,
    pub ledger: usize,
    /// Ledger labels left out because their text is a held-out record's (the corpus's fifth or
    /// the second set): a model trained on them would be measured on what it learnt by heart.
    pub held_out: usize,
    /// Ledger labels left out because their category is not in the taxonomy.
    pub unknown_category: usize,
}

/// The training part of `all` and the labels staff gave in the ledger (`category` a code or a
/// name of the taxonomy, as [`Taxonomy::find`] reads it). Held-out records are never trained
/// on: a ledger text equal to one (after masking, whitespace aside) is left out. The order is
/// the caller's, so the same ledger gives the same model.
pub fn with_ledger(
    all: &[LabelledText],
    ledger: &[LabelledText],
    taxonomy: &Taxonomy,
) -> Result<TrainingSet, CorpusError> {
    let second = parse(SECOND_HELD_OUT.0, SECOND_HELD_OUT.1)?;
    let held_out: HashSet<String> =
        all.iter().filter(|r| is_held_out(&r.id)).chain(&second).map(|r| same_text(&r.text)).collect();
    let mut set = TrainingSet { examples: training(all), ..TrainingSet::default() };
    set.corpus = set.examples.len();
    for label in ledger {
        let Some(category) = taxonomy.find(&label.category) else {
            set.unknown_category += 1;
            continue;
        };
        if held_out.contains(&same_text(&label.text)) {
            set.held_out += 1;
            continue;
        }
        set.examples.push(LabelledText { category: category.code.clone(), ..label.clone() });
        set.ledger += 1;
    }
    Ok(set)
}

/// A text as the ledger would store it (masked), without whitespace: what makes two texts the same.
fn same_text(text: &str) -> String {
    crate::pii::mask(text).0.chars().filter(|c| !c.is_whitespace()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_split_is_by_number() {
        assert!(is_held_out("a-0015"));
        assert!(!is_held_out("b-0016"));
        assert!(!is_held_out("nonsense"));
    }
}
