//! The classifier's labels and versions on SQLite: writes through the one writer (BEGIN
//! IMMEDIATE, so that saving and activating never interleave), reads through the reader pool.

use super::SqliteStore;
use crate::text_models::{self, LabelRow, ModelRow, NewTextModel, StaffLabel, TextModelVersion, VersionRow};
use crate::{StoreError, rows};

impl SqliteStore {
    pub(super) async fn labels(&self) -> Result<Vec<StaffLabel>, StoreError> {
        let rows: Vec<LabelRow> =
            sqlx::query_as(&text_models::staff_labels_sql("e.detail")).fetch_all(&self.pool).await?;
        text_models::labels(rows)
    }

    pub(super) async fn save_model(
        &self,
        model: &NewTextModel,
        activate: bool,
    ) -> Result<TextModelVersion, StoreError> {
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        let version: i64 = sqlx::query_scalar(text_models::INSERT)
            .bind(rows::now())
            .bind(&model.trained_by)
            .bind(&model.format)
            .bind(text_models::count(model.corpus_examples))
            .bind(text_models::count(model.ledger_examples))
            .bind(model.held_out_accuracy)
            .bind(&model.model)
            .fetch_one(&mut *tx)
            .await?;
        if activate {
            activate_in(&mut tx, version).await?;
        }
        let saved = select_version(&mut tx, version).await?;
        tx.commit().await?;
        Ok(saved)
    }

    pub(super) async fn models(&self) -> Result<Vec<TextModelVersion>, StoreError> {
        let rows: Vec<VersionRow> = sqlx::query_as(text_models::LIST).fetch_all(&self.pool).await?;
        rows.into_iter().map(VersionRow::into_version).collect()
    }

    pub(super) async fn model(&self, version: Option<u32>) -> Result<Option<(TextModelVersion, Vec<u8>)>, StoreError> {
        let row: Option<ModelRow> = match version {
            Some(v) => {
                sqlx::query_as(text_models::SELECT_VERSION).bind(i64::from(v)).fetch_optional(&self.pool).await?
            }
            None => sqlx::query_as(text_models::SELECT_ACTIVE).fetch_optional(&self.pool).await?,
        };
        row.map(ModelRow::into_model).transpose()
    }

    pub(super) async fn activate_model(&self, version: u32) -> Result<TextModelVersion, StoreError> {
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        activate_in(&mut tx, i64::from(version)).await?;
        let activated = select_version(&mut tx, i64::from(version)).await?;
        tx.commit().await?;
        Ok(activated)
    }
}

/// Makes `version` the active one, inside the caller's write transaction.
async fn activate_in(conn: &mut sqlx::SqliteConnection, version: i64) -> Result<(), StoreError> {
    sqlx::query(text_models::DEACTIVATE_OTHERS).bind(version).execute(&mut *conn).await?;
    let activated = sqlx::query(text_models::ACTIVATE).bind(version).execute(&mut *conn).await?;
    if activated.rows_affected() == 0 {
        return Err(StoreError::TextModelNotFound(text_models::version(version)?));
    }
    Ok(())
}

async fn select_version(conn: &mut sqlx::SqliteConnection, version: i64) -> Result<TextModelVersion, StoreError> {
    let row: ModelRow = sqlx::query_as(text_models::SELECT_VERSION).bind(version).fetch_one(&mut *conn).await?;
    Ok(row.into_model()?.0)
}
