//! The text analyzer as the binary builds it: the district's gazetteer and department directory,
//! the shipped taxonomy, lexicon and training part of the corpus.

use anyhow::Context;
use shanzhi_core::{CaseRecord, DepartmentDirectory, Gazetteer, Yuan};
use shanzhi_text::{TextAnalyzer, corpus};

pub fn analyzer(gazetteer: &Gazetteer, departments: &DepartmentDirectory) -> anyhow::Result<TextAnalyzer> {
    let all = corpus::embedded().context("the embedded corpus")?;
    let training = corpus::training(&all);
    let analyzer = TextAnalyzer::new(gazetteer, departments, corpus::TAXONOMY, corpus::ESCALATION, &training)
        .context("building the text analyzer")?;
    let missing = analyzer.taxonomy().missing_departments();
    if !missing.is_empty() {
        tracing::warn!(departments = ?missing, "the taxonomy's lead departments are not in the department directory; those categories have none");
    }
    Ok(analyzer)
}

/// Fills what a record leaves out from its text: the category (a taxonomy code), the amount (the
/// largest stated) and the head-count. What the record carries wins; a category it gives by a
/// name of the taxonomy (`劳资纠纷`) is stored as that category's code, any other as written.
pub fn enrich(record: &mut CaseRecord, analyzer: &TextAnalyzer) {
    let text = record.text.as_str();
    record.category = match record.category.take() {
        None => Some(analyzer.classify(text).category.code.clone()),
        Some(given) => Some(analyzer.taxonomy().find(&given).map_or(given, |c| c.code.clone())),
    };
    if record.amount.is_none() || record.people_count.is_none() {
        let entities = analyzer.entities(text);
        if record.amount.is_none() {
            let largest =
                entities.amounts_yuan.iter().copied().fold(None, |m: Option<f64>, a| Some(m.map_or(a, |m| m.max(a))));
            record.amount = largest.and_then(|a| Yuan::from_fen((a * 100.0).round() as i64).ok());
        }
        if record.people_count.is_none() {
            record.people_count = entities.people_count.and_then(|n| u32::try_from(n).ok());
        }
    }
}
