//! The text analyzer as the binary builds it: the district's gazetteer and department directory,
//! the shipped taxonomy, lexicon and training part of the corpus.

use anyhow::Context;
use shanzhi_core::{DepartmentDirectory, Gazetteer};
use shanzhi_text::{TextAnalyzer, corpus};

pub fn analyzer(gazetteer: &Gazetteer, departments: &DepartmentDirectory) -> anyhow::Result<TextAnalyzer> {
    let all = corpus::embedded().context("the embedded corpus")?;
    let training = corpus::training(&all);
    TextAnalyzer::new(gazetteer, departments, corpus::TAXONOMY, corpus::ESCALATION, &training)
        .context("building the text analyzer")
}
