//! What the text classifier learns from and where its versions are kept (migration 0006), as both
//! dialects read and write them: the SQL (the same text in both), the rows and their conversion.
//! The stores only execute, in their own transactions.

use chrono::{DateTime, Utc};
use shanzhi_core::{CaseId, EventKind};

use crate::rows::case_id;
use crate::{StoreError, events};

/// A category that staff set on a case or confirmed (`category_changed`, `category_confirmed`),
/// with the case's masked text: what `shanzhi train` adds to the corpus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffLabel {
    pub case_id: CaseId,
    /// As staff gave it: a code of the taxonomy, or a name (the text crate reads either).
    pub category: String,
    /// The case's text as the ledger keeps it: personal numbers masked.
    pub text: String,
}

/// A trained classifier to keep.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTextModel {
    /// Who or what trained it.
    pub trained_by: String,
    /// The format tag of `model` (`shanzhi_text::classify::FORMAT`).
    pub format: String,
    pub corpus_examples: u64,
    pub ledger_examples: u64,
    /// Category accuracy on the held-out records when it was trained, 0–1.
    pub held_out_accuracy: f64,
    pub model: Vec<u8>,
}

/// A saved version of the classifier (its model's bytes apart).
#[derive(Debug, Clone, PartialEq)]
pub struct TextModelVersion {
    /// 1, 2, 3 … in the order saved; never given twice.
    pub version: u32,
    pub created_at: DateTime<Utc>,
    pub trained_by: String,
    pub format: String,
    pub corpus_examples: u64,
    pub ledger_examples: u64,
    pub held_out_accuracy: f64,
    /// The size of the model.
    pub bytes: u64,
    /// Whether it is the version in use (one at most).
    pub active: bool,
}

/// The events that label a case's category: staff set or corrected it, or confirmed it.
const LABEL_KINDS: &str = "('category_changed', 'category_confirmed')";

/// For every case not merged, its latest `category_changed` or `category_confirmed` event (the
/// caller keeps those that set or confirm a category). `{detail}` is the detail column as text
/// (`detail` in SQLite, `detail::text` in PostgreSQL, where it is JSONB). A full pass over the
/// events of those kinds: `shanzhi train` runs seldom, and an index for it would cost every
/// write of the history.
pub(crate) fn staff_labels_sql(detail: &str) -> String {
    format!(
        "SELECT c.id, c.body, e.kind, {detail} AS detail FROM cases c \
         JOIN case_events e ON e.case_id = c.id \
         WHERE c.status <> 'merged' AND e.kind IN {LABEL_KINDS} \
         AND e.seq = (SELECT MAX(l.seq) FROM case_events l WHERE l.case_id = c.id AND l.kind IN {LABEL_KINDS}) \
         ORDER BY c.id"
    )
}

/// Both dialects take the same statements: `BOOLEAN` is an integer in SQLite, and `length` of a
/// blob or a `bytea` counts its bytes.
macro_rules! version_fields {
    () => {
        "version, created_at, trained_by, format, corpus_examples, ledger_examples, held_out_accuracy, \
         CAST(length(model) AS BIGINT) AS bytes, active"
    };
}

pub(crate) const INSERT: &str = "INSERT INTO text_models (created_at, trained_by, format, corpus_examples, \
     ledger_examples, held_out_accuracy, model, active) VALUES ($1, $2, $3, $4, $5, $6, $7, FALSE) RETURNING version";

pub(crate) const LIST: &str = concat!("SELECT ", version_fields!(), " FROM text_models ORDER BY version");

pub(crate) const SELECT_VERSION: &str =
    concat!("SELECT ", version_fields!(), ", model FROM text_models WHERE version = $1");

pub(crate) const SELECT_ACTIVE: &str = concat!("SELECT ", version_fields!(), ", model FROM text_models WHERE active");

/// Activation is these two, in one transaction: the active one stops being, then `$1` starts
/// (in this order, for the unique index that allows one active version).
pub(crate) const DEACTIVATE_OTHERS: &str = "UPDATE text_models SET active = FALSE WHERE active AND version <> $1";
pub(crate) const ACTIVATE: &str = "UPDATE text_models SET active = TRUE WHERE version = $1";

#[derive(sqlx::FromRow)]
pub(crate) struct LabelRow {
    id: i64,
    body: String,
    kind: String,
    detail: String,
}

/// The labels of the rows whose event set or confirmed a category, in the rows' order.
pub(crate) fn labels(rows: Vec<LabelRow>) -> Result<Vec<StaffLabel>, StoreError> {
    let mut labels = Vec::with_capacity(rows.len());
    for row in rows {
        let category = match events::decode(&row.kind, &row.detail)? {
            EventKind::CategoryChanged { to, .. } => to,
            EventKind::CategoryConfirmed { category } => Some(category),
            other => return Err(StoreError::Corrupt(format!("a category label reads as {}", other.code()))),
        };
        if let Some(category) = category {
            labels.push(StaffLabel { case_id: case_id(row.id)?, category, text: row.body });
        }
    }
    Ok(labels)
}

#[derive(sqlx::FromRow)]
pub(crate) struct VersionRow {
    version: i64,
    created_at: DateTime<Utc>,
    trained_by: String,
    format: String,
    corpus_examples: i64,
    ledger_examples: i64,
    held_out_accuracy: f64,
    bytes: i64,
    active: bool,
}

impl VersionRow {
    pub(crate) fn into_version(self) -> Result<TextModelVersion, StoreError> {
        let count = |n: i64, what: &str| {
            u64::try_from(n).map_err(|_| StoreError::Corrupt(format!("text model {}: {what} {n}", self.version)))
        };
        Ok(TextModelVersion {
            version: version(self.version)?,
            created_at: self.created_at,
            corpus_examples: count(self.corpus_examples, "corpus examples")?,
            ledger_examples: count(self.ledger_examples, "ledger examples")?,
            bytes: count(self.bytes, "bytes")?,
            held_out_accuracy: self.held_out_accuracy,
            active: self.active,
            trained_by: self.trained_by,
            format: self.format,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ModelRow {
    #[sqlx(flatten)]
    version: VersionRow,
    model: Vec<u8>,
}

impl ModelRow {
    pub(crate) fn into_model(self) -> Result<(TextModelVersion, Vec<u8>), StoreError> {
        Ok((self.version.into_version()?, self.model))
    }
}

pub(crate) fn version(n: i64) -> Result<u32, StoreError> {
    u32::try_from(n).map_err(|_| StoreError::Corrupt(format!("text model version {n}")))
}

/// The counts as both dialects bind them.
pub(crate) fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
