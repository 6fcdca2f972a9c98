//! `shanzhi train`: the text classifier retrained on the corpus and the categories staff set in
//! the ledger, measured on the held-out fifth of the corpus, kept as a new version and made
//! active; `--activate N` goes back to a saved version, `--list` lists them.

use std::process::ExitCode;

use anyhow::Context;
use shanzhi_core::{DepartmentDirectory, Gazetteer};
use shanzhi_store::{NewTextModel, Store, StoreError, TextModelVersion};
use shanzhi_text::classify::{self, LabelledText};
use shanzhi_text::{TextAnalyzer, corpus, evaluate};

use crate::config::Config;
use crate::ledger::{self, redact_url};

/// A new version more than this far below the active one's held-out accuracy is not activated
/// unless forced.
const MAX_DROP: f64 = 0.02;

pub async fn run(
    db_url: &str,
    config: &Config,
    activate: Option<u32>,
    list: bool,
    force: bool,
) -> anyhow::Result<ExitCode> {
    let store =
        shanzhi_store::open(db_url).await.with_context(|| format!("opening the database ({})", redact_url(db_url)))?;
    if list {
        return list_versions(store.as_ref()).await;
    }
    let gazetteer = ledger::load_gazetteer(config)?;
    // Place and department names shape the words the model reads: the ledger's district's.
    let district = gazetteer.district().code.to_string();
    if let Some(stored) = store.setting("district").await?.filter(|stored| *stored != district) {
        anyhow::bail!("this ledger belongs to district {stored}, not {district}; configure `district = \"{stored}\"`");
    }
    let departments = ledger::load_departments(config, &gazetteer)?;
    let district = District { gazetteer: &gazetteer, departments: &departments };
    match activate {
        Some(version) => activate_version(store.as_ref(), &district, version).await,
        None => train(store.as_ref(), &district, force).await,
    }
}

struct District<'a> {
    gazetteer: &'a Gazetteer,
    departments: &'a DepartmentDirectory,
}

async fn train(store: &dyn Store, district: &District<'_>, force: bool) -> anyhow::Result<ExitCode> {
    let labels: Vec<LabelledText> = store
        .staff_labels()
        .await
        .context("reading the categories staff set")?
        .into_iter()
        // Not `ledger-N`: a number after a hyphen is how the corpus marks its held-out records.
        .map(|l| LabelledText { id: format!("case:{}", l.case_id), category: l.category, text: l.text })
        .collect();
    let all = corpus::embedded().context("the embedded corpus")?;
    let held_out: Vec<LabelledText> = all.iter().filter(|r| corpus::is_held_out(&r.id)).cloned().collect();
    let started = std::time::Instant::now();
    let (analyzer, set) = TextAnalyzer::with_ledger_labels(
        district.gazetteer,
        district.departments,
        corpus::TAXONOMY,
        corpus::ESCALATION,
        &all,
        &labels,
    )
    .context("training the text classifier")?;
    let trained_in = started.elapsed();
    let report = evaluate::classification(&analyzer, &held_out);
    let model = analyzer.saved_model();

    // What the ledger uses now, measured now on the same records. An active version this
    // shanzhi cannot load is passed over at start (`text::ledger_analyzer`), so what is in use is
    // the embedded corpus's model; the accuracy recorded with that version was measured by
    // another shanzhi, perhaps on other records, and says nothing of what the ledger uses.
    let active = match store.text_model(None).await.context("reading the active text model")? {
        Some((version, bytes)) => {
            let name = format!("version {}", version.version);
            match crate::text::saved_analyzer(district.gazetteer, district.departments, &version.format, &bytes) {
                Ok(active) => Some((name, evaluate::classification(&active, &held_out).category_accuracy)),
                Err(e) => {
                    tracing::warn!(
                        error = format!("{e:#}"),
                        "the active {name} cannot be loaded; comparing with the embedded corpus's model, which is used in its place"
                    );
                    None
                }
            }
        }
        None => None,
    };
    let previous = match active {
        Some(active) => active,
        None => {
            let corpus_only = crate::text::analyzer(district.gazetteer, district.departments)?;
            let accuracy = evaluate::classification(&corpus_only, &held_out).category_accuracy;
            ("the embedded corpus's model (no version in use)".to_owned(), accuracy)
        }
    };
    let (previous_name, previous_accuracy) = previous;
    let activate = force || report.category_accuracy >= previous_accuracy - MAX_DROP;

    let saved = store
        .save_text_model(
            &NewTextModel {
                trained_by: trained_by(),
                format: classify::FORMAT.to_owned(),
                corpus_examples: set.corpus as u64,
                ledger_examples: set.ledger as u64,
                held_out_accuracy: report.category_accuracy,
                model,
            },
            activate,
        )
        .await
        .context("saving the text model")?;

    let mut left_out = Vec::new();
    if set.held_out > 0 {
        left_out.push(format!("{} with the text of a held-out record", set.held_out));
    }
    if set.unknown_category > 0 {
        left_out.push(format!("{} with a category not in the taxonomy", set.unknown_category));
    }
    let left_out = if left_out.is_empty() { String::new() } else { format!("; left out: {}", left_out.join(", ")) };
    println!(
        "text model version {}: trained on {} corpus records and {} ledger labels in {:.1} s{left_out}",
        saved.version,
        set.corpus,
        set.ledger,
        trained_in.as_secs_f64()
    );
    println!(
        "held-out accuracy {} on {} records (lead department {}); before: {previous_name}, {}",
        percent(report.category_accuracy),
        report.examples,
        percent(report.department_accuracy),
        percent(previous_accuracy)
    );
    let shape = analyzer.model_size();
    println!("model: {}, {} features, {} weights not zero", size(saved.bytes), shape.features, shape.weights);
    if !activate {
        eprintln!(
            "error: version {} is saved but NOT active: its held-out accuracy {} is more than {:.0} points below {previous_name}'s {}, which stays in use. \
             Look at the categories staff set, or make it active anyway with `shanzhi train --activate {}`",
            saved.version,
            percent(report.category_accuracy),
            MAX_DROP * 100.0,
            percent(previous_accuracy),
            saved.version
        );
        return Ok(ExitCode::FAILURE);
    }
    println!("version {} is active: serve, import and intake load it when they start", saved.version);
    Ok(ExitCode::SUCCESS)
}

async fn activate_version(store: &dyn Store, district: &District<'_>, version: u32) -> anyhow::Result<ExitCode> {
    let Some((info, bytes)) = store.text_model(Some(version)).await.context("reading the text model")? else {
        anyhow::bail!("there is no text model version {version} (`shanzhi train --list` lists them)");
    };
    // A version this shanzhi cannot load would only be passed over at start.
    crate::text::saved_analyzer(district.gazetteer, district.departments, &info.format, &bytes)
        .with_context(|| format!("version {version} cannot be used by this shanzhi"))?;
    let before = store.text_model(None).await?.map(|(v, _)| v.version);
    match store.activate_text_model(version).await {
        Ok(active) => {
            let was = before.map_or("none".to_owned(), |v| format!("version {v}"));
            println!(
                "version {} is active (before: {was}); its held-out accuracy when trained: {}. Serve, import and intake load it when they start",
                active.version,
                percent(active.held_out_accuracy)
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(StoreError::TextModelNotFound(v)) => anyhow::bail!("there is no text model version {v}"),
        Err(e) => Err(e).context("activating the text model"),
    }
}

async fn list_versions(store: &dyn Store) -> anyhow::Result<ExitCode> {
    let versions = store.text_models().await.context("listing the text models")?;
    if versions.is_empty() {
        println!(
            "no saved text model: serve, import and intake train on the embedded corpus (`shanzhi train` saves one)"
        );
        return Ok(ExitCode::SUCCESS);
    }
    println!("version  active  created (UTC)        corpus  ledger  held-out  size     trained by");
    for v in &versions {
        println!("{}", line(v));
    }
    Ok(ExitCode::SUCCESS)
}

fn line(v: &TextModelVersion) -> String {
    format!(
        "{:>7}  {:^6}  {}  {:>6}  {:>6}  {:>8}  {:<7}  {}",
        v.version,
        if v.active { "*" } else { "" },
        v.created_at.format("%Y-%m-%d %H:%M:%S"),
        v.corpus_examples,
        v.ledger_examples,
        percent(v.held_out_accuracy),
        size(v.bytes),
        v.trained_by
    )
}

fn percent(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn size(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MB", bytes as f64 / f64::from(1 << 20))
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

/// Who trained it, as far as the process knows.
fn trained_by() -> String {
    match std::env::var("USER").or_else(|_| std::env::var("USERNAME")) {
        Ok(user) if !user.trim().is_empty() => format!("shanzhi train ({})", user.trim()),
        _ => "shanzhi train".to_owned(),
    }
}
