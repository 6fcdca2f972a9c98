//! The labelled corpus shipped with shanzhi (`data/text/corpus/*.jsonl`) and its fixed split:
//! every record whose number is a multiple of 5 is held out, never trained on, and used only to
//! report accuracy.

use serde::Deserialize;

use crate::classify::LabelledText;

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
