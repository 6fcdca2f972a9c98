//! The assessment's reads on SQLite. The two large reads (the period's cases and their
//! histories) each come back as one JSON document, as the warning models' summaries do: sqlx
//! copies every value of every row across threads, which for a year of histories would cost more
//! than SQLite takes to write the JSON and serde to read it.

use chrono::{DateTime, Utc};
use shanzhi_core::RegionCode;
use shanzhi_core::assessment::{CaseFacts, StarRating, WarningFacts};

use super::SqliteStore;
use crate::StoreError;
use crate::assessment::{self, BasicsRow, EventRow, RatingRow, RecordedRating, WarningRow};

fn as_json(sql: &str, columns: &str) -> String {
    format!("SELECT json_group_array(json_array({columns})) FROM ({sql})")
}

impl SqliteStore {
    pub(super) async fn read_assessment_cases(
        &self,
        from: DateTime<Utc>,
        before: DateTime<Utc>,
        cut_off: DateTime<Utc>,
    ) -> Result<Vec<CaseFacts>, StoreError> {
        let mut tx = self.read_transaction().await?;
        let ids: String =
            sqlx::query_scalar(&format!("SELECT json_group_array(id) FROM ({})", assessment::cohort_sql()))
                .bind(from)
                .bind(before)
                .fetch_one(&mut *tx)
                .await?;
        let ids: Vec<i64> =
            serde_json::from_str(&ids).map_err(|e| StoreError::Corrupt(format!("assessment cohort: {e}")))?;
        // One snapshot for every part; each part is parsed and replayed on a blocking thread
        // while SQLite writes the next one's JSON.
        let mut parts = Vec::new();
        for part in ids.chunks(ids.len().div_ceil(assessment::PARTS).max(1)) {
            let list = assessment::id_list(part);
            let basics: String =
                sqlx::query_scalar(&as_json(&assessment::basics_sql(&list), assessment::BASICS_COLUMNS))
                    .fetch_one(&mut *tx)
                    .await?;
            let events_sql = assessment::events_sql(&list, "$1", "e.detail");
            let events: String = sqlx::query_scalar(&as_json(&events_sql, assessment::EVENT_COLUMNS))
                .bind(cut_off)
                .fetch_one(&mut *tx)
                .await?;
            parts.push(tokio::task::spawn_blocking(move || {
                let corrupt = |e: serde_json::Error| StoreError::Corrupt(format!("assessment cases: {e}"));
                let basics: Vec<BasicsRow> = serde_json::from_str(&basics).map_err(corrupt)?;
                let events: Vec<EventRow> = serde_json::from_str(&events).map_err(corrupt)?;
                assessment::facts(basics, events, cut_off)
            }));
        }
        tx.commit().await?;
        let mut facts = Vec::new();
        for part in parts {
            facts.extend(assessment::joined(part.await)??);
        }
        Ok(facts)
    }

    pub(super) async fn read_assessment_warnings(
        &self,
        from: DateTime<Utc>,
        before: DateTime<Utc>,
        cut_off: DateTime<Utc>,
    ) -> Result<Vec<WarningFacts>, StoreError> {
        let mut tx = self.read_transaction().await?;
        let rows: Vec<WarningRow> =
            sqlx::query_as(assessment::WARNINGS_SQL).bind(from).bind(before).bind(cut_off).fetch_all(&mut *tx).await?;
        let mut warnings = rows.into_iter().map(WarningRow::into_facts).collect::<Result<Vec<_>, _>>()?;
        let ids: Vec<i64> = warnings.iter().flat_map(|w| w.case_ids.iter().map(|id| id.get())).collect();
        let mut regions = Vec::new();
        for chunk in ids.chunks(500) {
            let list = chunk.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
            let rows: Vec<(i64, String)> =
                sqlx::query_as(&format!("SELECT id, region_code FROM cases WHERE id IN ({list})"))
                    .fetch_all(&mut *tx)
                    .await?;
            regions.extend(rows);
        }
        tx.commit().await?;
        assessment::with_regions(&mut warnings, &regions)?;
        Ok(warnings)
    }

    pub(super) async fn write_star_ratings(
        &self,
        period: &str,
        ratings: &[StarRating],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        for r in ratings {
            sqlx::query(assessment::INSERT_RATING)
                .bind(period)
                .bind(r.village.to_string())
                .bind(&r.scheme)
                .bind(&r.scheme_version)
                .bind(i64::from(r.stars))
                .bind(r.score)
                .bind(assessment::breakdown(r))
                .bind(crate::rows::to_microseconds(at))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn read_star_ratings(&self, period: &str) -> Result<Vec<RecordedRating>, StoreError> {
        let rows: Vec<RatingRow> =
            sqlx::query_as(assessment::LATEST_RATINGS).bind(period).fetch_all(&self.pool).await?;
        rows.into_iter().map(RatingRow::into_recorded).collect()
    }

    pub(super) async fn read_village_ratings(&self, village: RegionCode) -> Result<Vec<RecordedRating>, StoreError> {
        let rows: Vec<RatingRow> =
            sqlx::query_as(assessment::VILLAGE_RATINGS).bind(village.to_string()).fetch_all(&self.pool).await?;
        rows.into_iter().map(RatingRow::into_recorded).collect()
    }
}
