//! The text analyzer as the binary builds it: the district's gazetteer and department directory,
//! the shipped taxonomy and lexicon, and a classifier that is either trained now on the training
//! part of the embedded corpus or, for a ledger that has one, the active version `shanzhi train`
//! saved there.

use anyhow::Context;
use shanzhi_core::{DepartmentDirectory, Gazetteer};
use shanzhi_store::Store;
use shanzhi_text::{TextAnalyzer, classify, corpus};

/// The analyzer trained on the embedded corpus (what `classify` uses: it needs no database).
pub fn analyzer(gazetteer: &Gazetteer, departments: &DepartmentDirectory) -> anyhow::Result<TextAnalyzer> {
    let all = corpus::embedded().context("the embedded corpus")?;
    let training = corpus::training(&all);
    let analyzer = TextAnalyzer::new(gazetteer, departments, corpus::TAXONOMY, corpus::ESCALATION, &training)
        .context("building the text analyzer")?;
    warn_of_missing_departments(&analyzer);
    Ok(analyzer)
}

/// The analyzer of a saved model.
pub fn saved_analyzer(
    gazetteer: &Gazetteer,
    departments: &DepartmentDirectory,
    format: &str,
    model: &[u8],
) -> anyhow::Result<TextAnalyzer> {
    if format != classify::FORMAT {
        anyhow::bail!("its format is {format}; this shanzhi reads {}", classify::FORMAT);
    }
    let analyzer = TextAnalyzer::from_saved_model(gazetteer, departments, corpus::TAXONOMY, corpus::ESCALATION, model)?;
    warn_of_missing_departments(&analyzer);
    Ok(analyzer)
}

/// The analyzer for work on a ledger (`serve`, `import`, intake, `demo`): the ledger's active
/// text model when it has one, else the one trained on the embedded corpus. An active model this
/// shanzhi cannot load (another format, another taxonomy) is reported and passed over, so that
/// the ledger keeps working.
pub async fn ledger_analyzer(
    store: &dyn Store,
    gazetteer: &Gazetteer,
    departments: &DepartmentDirectory,
) -> anyhow::Result<TextAnalyzer> {
    let Some((version, model)) = store.text_model(None).await.context("reading the active text model")? else {
        return analyzer(gazetteer, departments);
    };
    match saved_analyzer(gazetteer, departments, &version.format, &model) {
        Ok(analyzer) => {
            tracing::info!(version = version.version, "text classifier: the ledger's active model");
            Ok(analyzer)
        }
        Err(e) => {
            tracing::warn!(
                version = version.version,
                error = format!("{e:#}"),
                "the ledger's active text model cannot be loaded; training on the embedded corpus instead (run `shanzhi train`, or `shanzhi train --activate N` for another version)"
            );
            analyzer(gazetteer, departments)
        }
    }
}

fn warn_of_missing_departments(analyzer: &TextAnalyzer) {
    let missing = analyzer.taxonomy().missing_departments();
    if !missing.is_empty() {
        tracing::warn!(departments = ?missing, "the taxonomy's lead departments are not in the department directory; those categories have none");
    }
}
