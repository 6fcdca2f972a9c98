//! The classifier's labels and versions on PostgreSQL. Saving and activating lock the table
//! against each other (SHARE ROW EXCLUSIVE conflicts with itself, not with reads): two
//! activations at once would otherwise each see the other's version inactive, and the second
//! would trip over the index that allows one active version.

use sqlx::Postgres;

use super::PgStore;
use crate::text_models::{self, LabelRow, ModelRow, NewTextModel, StaffLabel, TextModelVersion, VersionRow};
use crate::{StoreError, rows};

impl PgStore {
    pub(super) async fn labels(&self) -> Result<Vec<StaffLabel>, StoreError> {
        let rows: Vec<LabelRow> =
            sqlx::query_as(&text_models::staff_labels_sql("e.detail::text")).fetch_all(&self.pool).await?;
        text_models::labels(rows)
    }

    pub(super) async fn save_model(
        &self,
        model: &NewTextModel,
        activate: bool,
    ) -> Result<TextModelVersion, StoreError> {
        let mut tx = self.locked().await?;
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
        let mut tx = self.locked().await?;
        activate_in(&mut tx, i64::from(version)).await?;
        let activated = select_version(&mut tx, i64::from(version)).await?;
        tx.commit().await?;
        Ok(activated)
    }

    /// A transaction that holds the versions' table against other saves and activations.
    async fn locked(&self) -> Result<sqlx::Transaction<'static, Postgres>, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("LOCK TABLE text_models IN SHARE ROW EXCLUSIVE MODE").execute(&mut *tx).await?;
        Ok(tx)
    }
}

/// Makes `version` the active one, inside the caller's transaction.
async fn activate_in(conn: &mut sqlx::PgConnection, version: i64) -> Result<(), StoreError> {
    sqlx::query(text_models::DEACTIVATE_OTHERS).bind(version).execute(&mut *conn).await?;
    let activated = sqlx::query(text_models::ACTIVATE).bind(version).execute(&mut *conn).await?;
    if activated.rows_affected() == 0 {
        return Err(StoreError::TextModelNotFound(text_models::version(version)?));
    }
    Ok(())
}

async fn select_version(conn: &mut sqlx::PgConnection, version: i64) -> Result<TextModelVersion, StoreError> {
    let row: ModelRow = sqlx::query_as(text_models::SELECT_VERSION).bind(version).fetch_one(&mut *conn).await?;
    Ok(row.into_model()?.0)
}
