//! `shanzhi import`: ledger files into the ledger, idempotent by (channel, external id).
//!
//! A reader thread parses and validates rows while the previous batch is written; each batch is
//! one transaction. What the summary counts is committed: a crash or kill loses at most the
//! batch in flight, and running the same import again completes it without duplicates.

mod reader;
mod rejects;

use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::Utc;
use indicatif::{ProgressBar, ProgressStyle};
use shanzhi_core::{NewCase, RecordContext};
use shanzhi_store::Registration;
use tokio::sync::mpsc;

pub use reader::{Format, Rejected};
use rejects::RejectsFile;

use crate::ledger::Ledger;

/// What one file's import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileSummary {
    pub imported: u64,
    pub already_present: u64,
    pub rejected: u64,
    pub rejects_file: Option<PathBuf>,
}

pub struct ImportOptions {
    pub batch_size: usize,
    /// Where rejected rows go; `None` for `FILE.rejects.jsonl` beside the input.
    pub rejects: Option<PathBuf>,
    /// Show a progress bar (only on a terminal).
    pub progress: bool,
    /// How many rejected rows to name on stderr; the rejects file has them all.
    pub shown_rejects: usize,
}

impl Default for ImportOptions {
    /// Batches of 2,000, rejects beside the input, no progress bar, 20 rejects named.
    fn default() -> Self {
        ImportOptions { batch_size: 2000, rejects: None, progress: false, shown_rejects: 20 }
    }
}

/// A batch from the reader: valid records, rejected rows, and the bytes read so far.
struct Batch {
    records: Vec<NewCase>,
    rejected: Vec<Rejected>,
    bytes: u64,
}

/// Imports one file. Rejected rows are reported and written to the rejects file; a database
/// error stops the import (what was committed stays committed).
pub async fn import_file(ledger: &Ledger, path: &Path, options: &ImportOptions) -> anyhow::Result<FileSummary> {
    let format = Format::detect(path).with_context(|| format!("reading {}", path.display()))?;
    let total_bytes = std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?.len();
    let mut rejects = RejectsFile::new(path, options.rejects.clone());

    let (sender, mut receiver) = mpsc::channel::<Batch>(2);
    let reader = {
        let analyzer = ledger.analyzer.clone();
        let rules = ledger.rules.clone();
        let (gazetteer, pii_key, path, batch_size) =
            (ledger.gazetteer.clone(), ledger.pii_key.clone(), path.to_owned(), options.batch_size);
        tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
            let ctx = RecordContext { gazetteer: &gazetteer, pii_key: &pii_key, now: Utc::now() };
            let mut batch = Batch { records: Vec::with_capacity(batch_size), rejected: Vec::new(), bytes: 0 };
            let send = |batch: &mut Batch| {
                let full = std::mem::replace(
                    batch,
                    Batch { records: Vec::with_capacity(batch_size), rejected: Vec::new(), bytes: batch.bytes },
                );
                // A closed channel means the writer stopped on an error, which it reports.
                sender.blocking_send(full).map_err(|_| anyhow::anyhow!("the import stopped"))
            };
            reader::read_rows(&path, format, &ctx, |row, bytes| {
                if sender.is_closed() {
                    anyhow::bail!("the import stopped");
                }
                batch.bytes = bytes;
                match row {
                    reader::Row::Valid(record) => {
                        batch.records.push(shanzhi_text::intake::prepare(&analyzer, &rules.kinds, record));
                    }
                    reader::Row::Rejected(r) => batch.rejected.push(r),
                }
                if batch.records.len() + batch.rejected.len() >= batch_size {
                    send(&mut batch)?;
                }
                Ok(())
            })?;
            send(&mut batch)
        })
    };

    let progress = if options.progress {
        let bar = ProgressBar::new(total_bytes);
        bar.set_style(
            ProgressStyle::with_template("{msg} [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
                .expect("a valid template")
                .progress_chars("=> "),
        );
        bar.set_message(path.display().to_string());
        bar
    } else {
        ProgressBar::hidden()
    };

    let actor = format!("import:{}", path.file_name().unwrap_or_default().to_string_lossy());
    let mut summary = FileSummary::default();
    let mut written = async {
        while let Some(batch) = receiver.recv().await {
            if !batch.records.is_empty() {
                let registrations = ledger.store.register_cases(&batch.records, &actor).await.with_context(|| {
                    format!("writing to the ledger after {} imported rows", summary.imported + summary.already_present)
                })?;
                for r in registrations {
                    match r {
                        Registration::Registered(_) => summary.imported += 1,
                        Registration::AlreadyPresent(_) => summary.already_present += 1,
                    }
                }
            }
            for rejected in batch.rejected {
                if summary.rejected < options.shown_rejects as u64 {
                    progress.suspend(|| eprintln!("{}:{}: {}", path.display(), rejected.line, rejected.summary()));
                }
                summary.rejected += 1;
                rejects.write(&rejected)?;
            }
            progress.set_position(batch.bytes);
        }
        anyhow::Ok(())
    }
    .await;
    drop(receiver);
    progress.finish_and_clear();
    match rejects.finish() {
        Ok(file) => summary.rejects_file = file,
        Err(e) => written = written.and(Err(e)),
    }
    let read = reader.await.map_err(|e| anyhow::anyhow!("the reader stopped unexpectedly: {e}"))?;
    // A writer's error stops the reader too; then the writer's error is the one that explains.
    written?;
    read.with_context(|| format!("reading {}", path.display()))?;
    if summary.rejected > options.shown_rejects as u64 {
        eprintln!("{}: … {} more rejected rows", path.display(), summary.rejected - options.shown_rejects as u64);
    }
    Ok(summary)
}
