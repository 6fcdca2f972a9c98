//! The text analyzer as the binary builds it: the district's gazetteer and department directory,
//! the shipped taxonomy, lexicon and training part of the corpus.

use anyhow::Context;
use shanzhi_core::{DepartmentDirectory, Gazetteer};
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
