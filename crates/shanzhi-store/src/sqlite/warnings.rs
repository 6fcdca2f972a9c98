//! Warnings on SQLite: writes go through the one writer (BEGIN IMMEDIATE, so that what a run or
//! an action reads is what it updates), reads through the reader pool.

use chrono::{DateTime, NaiveDate, Utc};
use shanzhi_core::warning::{CaseSummary, Warning, WarningAction, WarningState};

use super::SqliteStore;
use crate::error::is_lost_race;
use crate::query::{Page, bind_all};
use crate::warnings::{
    self, Found, Step, StoredWarning, SummaryPartyRow, SummaryRow, WarningEvent, WarningEventRow, WarningFilter,
    WarningPage, WarningRow, WarningRunOutcome,
};
use crate::{StoreError, WARNING_RUN_ACTOR};

/// Whether the case's mediation ended without agreement. The substring test first: a JSON parse
/// of every workflow would cost more than the rest of the read, and few cases ever fail.
const MEDIATION_FAILED: &str = "CASE WHEN instr(workflow, '\"no_agreement\"') > 0 \
     THEN COALESCE(json_extract(workflow, '$.resolution.outcome') = 'no_agreement', 0) ELSE 0 END";

impl SqliteStore {
    #[tracing::instrument(skip_all, fields(warnings = found.len()))]
    pub(super) async fn record_warnings_run(
        &self,
        as_of: NaiveDate,
        at: DateTime<Utc>,
        found: &[Warning],
    ) -> Result<WarningRunOutcome, StoreError> {
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        let mut outcome = WarningRunOutcome::default();
        // One by one: a situation found twice in a run updates what its first finding wrote.
        for warning in found {
            let f = Found::of(warning);
            let latest = sqlx::query_as::<_, WarningRow>(warnings::SELECT_LATEST)
                .bind(&f.situation_key)
                .fetch_optional(&mut *tx)
                .await?
                .map(WarningRow::into_stored)
                .transpose()?;
            match warnings::step(latest.as_ref(), warning) {
                Step::Ignore => outcome.ignored += 1,
                Step::Raise { detail } => {
                    let id: i64 = sqlx::query_scalar(warnings::INSERT_WARNING)
                        .bind(&f.situation_key)
                        .bind(f.model)
                        .bind(f.level)
                        .bind(f.subject_kind)
                        .bind(f.subject_key)
                        .bind(f.subject_label)
                        .bind(f.score)
                        .bind(&f.statistic)
                        .bind(&f.factors)
                        .bind(f.explanation)
                        .bind(&f.case_ids)
                        .bind(f.since)
                        .bind(as_of)
                        .bind(as_of)
                        .bind(WarningState::Raised.code())
                        .bind(1_i64)
                        .bind(at)
                        .fetch_one(&mut *tx)
                        .await?;
                    insert_event(&mut tx, id, 1, at, WARNING_RUN_ACTOR, "raised", &detail).await?;
                    outcome.raised.push(id);
                }
                Step::Update { id, version, event, since } => {
                    if let Some(detail) = &event {
                        insert_event(&mut tx, id, version, at, WARNING_RUN_ACTOR, "updated", detail).await?;
                    }
                    sqlx::query(warnings::UPDATE_FOUND)
                        .bind(f.level)
                        .bind(f.subject_label)
                        .bind(f.score)
                        .bind(&f.statistic)
                        .bind(&f.factors)
                        .bind(f.explanation)
                        .bind(&f.case_ids)
                        .bind(since)
                        .bind(as_of)
                        .bind(i64::from(version))
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    outcome.updated.push(id);
                }
            }
        }
        tx.commit().await?;
        Ok(outcome)
    }

    pub(super) async fn list_warnings(&self, filter: &WarningFilter, page: Page) -> Result<WarningPage, StoreError> {
        let (rows_sql, count_sql) = warnings::list(filter, page);
        let mut tx = self.read_transaction().await?;
        let rows: Vec<WarningRow> =
            bind_all!(sqlx::query_as::<_, WarningRow>(&rows_sql.text), rows_sql.args).fetch_all(&mut *tx).await?;
        let total: i64 =
            bind_all!(sqlx::query_scalar::<_, i64>(&count_sql.text), count_sql.args).fetch_one(&mut *tx).await?;
        tx.commit().await?;
        let items = rows.into_iter().map(WarningRow::into_stored).collect::<Result<_, _>>()?;
        Ok(WarningPage { total: total as u64, items })
    }

    pub(super) async fn warning_with_history(
        &self,
        id: i64,
    ) -> Result<Option<(StoredWarning, Vec<WarningEvent>)>, StoreError> {
        let mut tx = self.read_transaction().await?;
        let Some(row) =
            sqlx::query_as::<_, WarningRow>(warnings::SELECT_WARNING).bind(id).fetch_optional(&mut *tx).await?
        else {
            return Ok(None);
        };
        let events: Vec<WarningEventRow> = sqlx::query_as(warnings::SELECT_EVENTS).bind(id).fetch_all(&mut *tx).await?;
        tx.commit().await?;
        let events = events.into_iter().map(WarningEventRow::into_event).collect::<Result<_, _>>()?;
        Ok(Some((row.into_stored()?, events)))
    }

    #[tracing::instrument(skip(self, action, plan_tasks), fields(action = action.code()))]
    pub(super) async fn act_on(
        &self,
        id: i64,
        expected_version: Option<u32>,
        action: &WarningAction,
        plan_tasks: Option<serde_json::Value>,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<StoredWarning, StoreError> {
        let race = |e: sqlx::Error| {
            if is_lost_race(&e) { StoreError::WarningConflict(id) } else { StoreError::Database(e) }
        };
        // BEGIN IMMEDIATE takes the write lock before reading: the version read is the one updated.
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await.map_err(race)?;
        let stored = sqlx::query_as::<_, WarningRow>(warnings::SELECT_WARNING)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::WarningNotFound(id))?
            .into_stored()?;
        if expected_version.is_some_and(|v| v != stored.version) {
            return Err(StoreError::WarningConflict(id));
        }
        let (after, detail) = warnings::act(&stored, action, plan_tasks)?;
        insert_event(&mut tx, id, after.version, at, actor, action.code(), &detail).await.map_err(race)?;
        sqlx::query(warnings::UPDATE_STATE)
            .bind(after.state.code())
            .bind(&after.plan)
            .bind(warnings::tasks_text(after.plan_tasks.as_ref()))
            .bind(i64::from(after.version))
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(race)?;
        tx.commit().await.map_err(race)?;
        Ok(after)
    }

    pub(super) async fn summaries(
        &self,
        from: DateTime<Utc>,
        before: DateTime<Utc>,
        text_from: DateTime<Utc>,
    ) -> Result<Vec<(CaseSummary, Option<String>)>, StoreError> {
        // Each query answers one JSON document of its rows: sqlx copies every value of every row
        // and hands each row across threads (about a microsecond a value), which for a year of
        // cases cost twice what SQLite takes to write the JSON and serde to read it.
        let as_json =
            |sql: String, columns: &str| format!("SELECT json_group_array(json_array({columns})) FROM ({sql})");
        let mut tx = self.read_transaction().await?;
        let cases: String =
            sqlx::query_scalar(&as_json(warnings::summary_cases_sql(MEDIATION_FAILED), warnings::SUMMARY_COLUMNS))
                .bind(from)
                .bind(before)
                .bind(text_from)
                .fetch_one(&mut *tx)
                .await?;
        let parties: String =
            sqlx::query_scalar(&as_json(warnings::summary_parties_sql(), warnings::SUMMARY_PARTY_COLUMNS))
                .bind(from)
                .bind(before)
                .fetch_one(&mut *tx)
                .await?;
        tx.commit().await?;
        let corrupt = |e: serde_json::Error| StoreError::Corrupt(format!("case summaries: {e}"));
        let rows: Vec<SummaryRow> = serde_json::from_str(&cases).map_err(corrupt)?;
        let parties: Vec<SummaryPartyRow> = serde_json::from_str(&parties).map_err(corrupt)?;
        warnings::summaries(rows, parties)
    }
}

async fn insert_event(
    conn: &mut sqlx::SqliteConnection,
    id: i64,
    seq: u32,
    at: DateTime<Utc>,
    actor: &str,
    action: &str,
    detail: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(warnings::INSERT_EVENT)
        .bind(id)
        .bind(i64::from(seq))
        .bind(at)
        .bind(actor)
        .bind(action)
        .bind(detail)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
