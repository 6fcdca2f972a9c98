//! PostgreSQL, for a city or province: the same ledger as [`crate::SqliteStore`], statement for
//! statement; where the dialects differ (row locks, JSONB) the difference is commented.

mod dashboard;
mod history;
mod text_models;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use shanzhi_core::warning::{CaseSummary, Warning, WarningAction, WarningState};
use shanzhi_core::workflow::Candidate;
use shanzhi_core::{Case, CaseEvent, CaseId, Channel, EventKind, ExternalId, IdentityHash, NewCase};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::{Postgres, QueryBuilder};

use crate::error::is_lost_race;
use crate::query::{self, CandidateQuery, CaseFilter, CaseOrder, CasePage, Page, bind_all};
use crate::rows::{self, CandidateRow, CasePartyRow, CaseRow, EventRow, NewCaseRow, PartyRow, Projection};
use crate::warnings::{
    self, Found, Step, StoredWarning, SummaryPartyRow, SummaryRow, WarningEvent, WarningEventRow, WarningFilter,
    WarningPage, WarningRow, WarningRunOutcome,
};
use crate::{LedgerSummary, Plan, Registration, Store, StoreError, WARNING_RUN_ACTOR, events};

#[derive(Clone, Debug)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects to the PostgreSQL database at `url` (`postgres://user@host/db`).
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new().max_connections(10).connect(url).await?;
        Ok(PgStore { pool })
    }

    async fn load_history(conn: &mut sqlx::PgConnection, id: CaseId) -> Result<Vec<CaseEvent>, StoreError> {
        sqlx::query_as::<_, EventRow>(
            "SELECT case_id, seq, at, actor, kind, detail::text AS detail FROM case_events WHERE case_id = $1 ORDER BY seq",
        )
        .bind(id.get())
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(EventRow::into_event)
        .collect()
    }

    /// A transaction for reads that must agree with each other.
    async fn read_transaction(&self) -> Result<sqlx::Transaction<'static, Postgres>, StoreError> {
        let mut tx = self.pool.begin().await?;
        // One snapshot for every statement of the transaction.
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").execute(&mut *tx).await?;
        Ok(tx)
    }

    async fn load_case(conn: &mut sqlx::PgConnection, id: CaseId) -> Result<Option<Case>, StoreError> {
        let Some(row) =
            sqlx::query_as::<_, CaseRow>(rows::SELECT_CASE).bind(id.get()).fetch_optional(&mut *conn).await?
        else {
            return Ok(None);
        };
        let parties = sqlx::query_as::<_, PartyRow>(rows::SELECT_PARTIES).bind(id.get()).fetch_all(&mut *conn).await?;
        row.into_case(parties).map(Some)
    }

    /// The cases of `rows` with their parties, read in one more query.
    async fn with_parties(conn: &mut sqlx::PgConnection, rows: Vec<CaseRow>) -> Result<Vec<Case>, StoreError> {
        let ids: Vec<i64> = rows.iter().map(CaseRow::id).collect();
        let mut parties = Vec::new();
        // Bounded statements: SQLite takes at most 32,766 parameters.
        for chunk in ids.chunks(rows::CHUNK) {
            let sql = query::parties_of(chunk);
            parties
                .extend(bind_all!(sqlx::query_as::<_, CasePartyRow>(&sql.text), sql.args).fetch_all(&mut *conn).await?);
        }
        rows::cases_with_parties(rows, parties)
    }

    /// The case, locked: a concurrent change waits, then sees the version this one writes.
    async fn load_for_update(conn: &mut sqlx::PgConnection, id: CaseId) -> Result<Case, StoreError> {
        let locked: Option<i64> = sqlx::query_scalar("SELECT id FROM cases WHERE id = $1 FOR UPDATE")
            .bind(id.get())
            .fetch_optional(&mut *conn)
            .await
            .map_err(|e| if is_lost_race(&e) { StoreError::Conflict(id) } else { StoreError::Database(e) })?;
        if locked.is_none() {
            return Err(StoreError::CaseNotFound(id));
        }
        Self::load_case(conn, id).await?.ok_or(StoreError::CaseNotFound(id))
    }

    /// Appends `kind` to `case`'s history, applies it, and writes the case's projection (and its
    /// handlers when the routing changed), inside the caller's write transaction.
    async fn write_event(
        conn: &mut sqlx::PgConnection,
        case: &mut Case,
        kind: EventKind,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<CaseEvent, StoreError> {
        let id = case.id;
        let race = |e: sqlx::Error| {
            if is_lost_race(&e) { StoreError::Conflict(id) } else { StoreError::Database(e) }
        };
        let event = CaseEvent { case_id: id, seq: case.version + 1, at, actor: actor.to_owned(), kind };
        case.apply(&event);
        sqlx::query(
            "INSERT INTO case_events (case_id, seq, at, actor, kind, detail) VALUES ($1, $2, $3, $4, $5, $6::jsonb)",
        )
        .bind(id.get())
        .bind(i64::from(event.seq))
        .bind(event.at)
        .bind(&event.actor)
        .bind(event.kind.code())
        .bind(events::encode(&event.kind))
        .execute(&mut *conn)
        .await
        .map_err(race)?;
        let p = Projection::of(case);
        sqlx::query(rows::UPDATE_CASE)
            .bind(p.status)
            .bind(p.category)
            .bind(p.version)
            .bind(p.workflow)
            .bind(p.kind)
            .bind(p.lead_department)
            .bind(p.handling_level)
            .bind(p.due_at)
            .bind(p.paused)
            .bind(p.primary_case_id)
            .bind(p.resolved_level)
            .bind(p.agreement_check_at)
            .bind(id.get())
            .execute(&mut *conn)
            .await
            .map_err(race)?;
        if event.kind.changes_routing() {
            sqlx::query("DELETE FROM case_handlers WHERE case_id = $1").bind(id.get()).execute(&mut *conn).await?;
            if !p.handlers.is_empty() {
                let mut insert =
                    QueryBuilder::<Postgres>::new("INSERT INTO case_handlers (case_id, department, role) ");
                insert.push_values(&p.handlers, |mut b, (department, role)| {
                    b.push_bind(id.get()).push_bind(department).push_bind(*role);
                });
                insert.build().execute(&mut *conn).await?;
            }
        }
        Ok(event)
    }

    /// Inserts the records of `chunk` that are new, with their parties and registration events.
    async fn insert_new(
        conn: &mut sqlx::PgConnection,
        chunk: &[NewCase],
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<Registration>, StoreError> {
        Self::insert_new_at(conn, chunk, actor, &|_| now).await
    }

    /// [`Self::insert_new`], each record registered at the time `registered_at` gives it.
    async fn insert_new_at(
        conn: &mut sqlx::PgConnection,
        chunk: &[NewCase],
        actor: &str,
        registered_at: &(dyn Fn(&NewCase) -> DateTime<Utc> + Sync),
    ) -> Result<Vec<Registration>, StoreError> {
        let mut insert = QueryBuilder::<Postgres>::new(format!("INSERT INTO cases ({}) ", rows::CASE_COLUMNS));
        // Rows go in key order, so that concurrent imports lock keys in one order (no deadlock).
        insert.push_values(rows::sorted_by_key(chunk), |mut b, record| {
            let r = NewCaseRow::new(record, registered_at(record));
            b.push_bind(r.channel)
                .push_bind(r.external_id)
                .push_bind(r.received_at)
                .push_bind(r.registered_at)
                .push_bind(r.region_code)
                .push_bind(r.town_code)
                .push_bind(r.title)
                .push_bind(r.body)
                .push_bind(r.category)
                .push_bind(r.amount_fen)
                .push_bind(r.people_count)
                .push_bind(r.lat)
                .push_bind(r.lon)
                .push_bind(r.status)
                .push_bind(1_i64)
                .push_bind(r.kind)
                .push_bind(r.workflow)
                .push_bind(r.risk)
                .push_bind(r.respondent_key)
                .push_bind(r.incident);
        });
        insert.push(" ON CONFLICT (channel, external_id) DO NOTHING RETURNING id, channel, external_id");
        let inserted: Vec<(i64, String, String)> = insert.build_query_as().fetch_all(&mut *conn).await?;

        // Only a re-import pays for this look-up; a fresh import inserts every record.
        let existing =
            if inserted.len() < chunk.len() { existing_by_key(&mut *conn, chunk).await? } else { Vec::new() };
        let registrations = rows::registrations(chunk, inserted, existing)?;

        let registered = rows::registered(chunk, &registrations);
        let parties = rows::party_rows(&registered);
        for party_chunk in parties.chunks(rows::CHUNK * 2) {
            let mut insert = QueryBuilder::<Postgres>::new(format!("INSERT INTO parties ({}) ", rows::PARTY_COLUMNS));
            insert.push_values(party_chunk, |mut b, p| {
                b.push_bind(p.case_id)
                    .push_bind(p.position)
                    .push_bind(p.role)
                    .push_bind(p.kind)
                    .push_bind(p.name)
                    .push_bind(p.id_hash)
                    .push_bind(p.id_masked)
                    .push_bind(p.id_sealed)
                    .push_bind(p.phone_hash)
                    .push_bind(p.phone_masked)
                    .push_bind(p.phone_sealed);
            });
            insert.build().execute(&mut *conn).await?;
        }

        if !registered.is_empty() {
            let mut insert =
                QueryBuilder::<Postgres>::new("INSERT INTO case_events (case_id, seq, at, actor, kind, detail) ");
            insert.push_values(&registered, |mut b, (id, record)| {
                let kind = EventKind::Registered { channel: record.record.channel };
                b.push_bind(*id)
                    .push_bind(1_i64)
                    .push_bind(registered_at(record))
                    .push_bind(actor)
                    .push_bind(kind.code())
                    .push_bind(events::encode(&kind))
                    .push_unseparated("::jsonb");
            });
            insert.build().execute(&mut *conn).await?;
        }
        Ok(registrations)
    }
}

#[async_trait]
impl Store for PgStore {
    async fn migrate(&self) -> Result<Vec<String>, StoreError> {
        let migrator = sqlx::migrate!("./migrations/postgres");
        let applied: Vec<i64> = applied_versions(&self.pool).await;
        migrator.run(&self.pool).await?;
        Ok(migrator.iter().filter(|m| !applied.contains(&m.version)).map(|m| m.description.to_string()).collect())
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    #[tracing::instrument(skip_all, fields(records = records.len()))]
    async fn register_cases(&self, records: &[NewCase], actor: &str) -> Result<Vec<Registration>, StoreError> {
        let now = rows::now();
        let mut tx = self.pool.begin().await?;
        let mut all = Vec::with_capacity(records.len());
        for chunk in records.chunks(rows::CHUNK) {
            all.extend(Self::insert_new(&mut tx, chunk, actor, now).await?);
        }
        tx.commit().await?;
        Ok(all)
    }

    #[tracing::instrument(skip_all, fields(records = records.len()))]
    async fn register_cases_as_received(
        &self,
        records: &[NewCase],
        actor: &str,
    ) -> Result<Vec<Registration>, StoreError> {
        self.register_as_received(records, actor).await
    }

    #[tracing::instrument(skip_all, fields(events = events.len()))]
    async fn import_history(&self, events: &[crate::HistoricalEvent]) -> Result<u64, StoreError> {
        self.import_histories(events).await
    }

    #[tracing::instrument(skip_all)]
    async fn register_case(&self, new: NewCase, actor: &str, plan: Plan) -> Result<(Registration, Case), StoreError> {
        let now = rows::now();
        let mut tx = self.pool.begin().await?;
        let registration = Self::insert_new(&mut tx, std::slice::from_ref(&new), actor, now).await?[0];
        let Registration::Registered(id) = registration else {
            let case = Self::load_case(&mut tx, registration.case_id()).await?;
            tx.commit().await?;
            return Ok((registration, case.ok_or(StoreError::CaseNotFound(registration.case_id()))?));
        };
        let mut case = Case {
            id,
            status: shanzhi_core::CaseStatus::Registered,
            registered_at: now,
            version: 1,
            record: new.record,
            workflow: new.workflow,
        };
        let handling = plan(&case);
        // Lock the other cases first, in id order: writing the new case's link takes a key-share
        // lock on its primary (the foreign key), and two intakes holding that while waiting for
        // the primary's row lock would deadlock.
        let mut others: Vec<(CaseId, Vec<EventKind>)> = Vec::new();
        for (other, kind) in handling.others {
            match others.iter_mut().find(|(id, _)| *id == other) {
                Some((_, kinds)) => kinds.push(kind),
                None => others.push((other, vec![kind])),
            }
        }
        others.sort_by_key(|(id, _)| *id);
        let mut locked = Vec::with_capacity(others.len());
        for (other, kinds) in others {
            locked.push((Self::load_for_update(&mut tx, other).await?, kinds));
        }
        if let Some(kind) = handling.next {
            Self::write_event(&mut tx, &mut case, kind, actor, now).await?;
        }
        for (mut other, kinds) in locked {
            for kind in kinds {
                Self::write_event(&mut tx, &mut other, kind, actor, now).await?;
            }
        }
        tx.commit().await?;
        Ok((registration, case))
    }

    async fn case(&self, id: CaseId) -> Result<Option<Case>, StoreError> {
        let mut tx = self.read_transaction().await?;
        let case = Self::load_case(&mut tx, id).await?;
        tx.commit().await?;
        Ok(case)
    }

    async fn case_with_history(&self, id: CaseId) -> Result<Option<(Case, Vec<CaseEvent>)>, StoreError> {
        let mut tx = self.read_transaction().await?;
        let Some(case) = Self::load_case(&mut tx, id).await? else {
            return Ok(None);
        };
        let history = Self::load_history(&mut tx, id).await?;
        tx.commit().await?;
        Ok(Some((case, history)))
    }

    async fn case_by_external_id(
        &self,
        channel: Channel,
        external_id: &ExternalId,
    ) -> Result<Option<CaseId>, StoreError> {
        let id: Option<i64> = sqlx::query_scalar("SELECT id FROM cases WHERE channel = $1 AND external_id = $2")
            .bind(channel.code())
            .bind(external_id.as_str())
            .fetch_optional(&self.pool)
            .await?;
        id.map(rows::case_id).transpose()
    }

    async fn history(&self, id: CaseId) -> Result<Vec<CaseEvent>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        Self::load_history(&mut conn, id).await
    }

    #[tracing::instrument(skip(self, kind), fields(case = %id, kind = kind.code()))]
    async fn append_event(
        &self,
        id: CaseId,
        expected_version: Option<u32>,
        kind: EventKind,
        actor: &str,
    ) -> Result<(Case, CaseEvent), StoreError> {
        let race = |e: sqlx::Error| {
            if is_lost_race(&e) { StoreError::Conflict(id) } else { StoreError::Database(e) }
        };
        let mut tx = self.pool.begin().await?;
        let mut case = Self::load_for_update(&mut tx, id).await?;
        if expected_version.is_some_and(|v| v != case.version) {
            return Err(StoreError::Conflict(id));
        }
        let event = Self::write_event(&mut tx, &mut case, kind, actor, rows::now()).await?;
        tx.commit().await.map_err(race)?;
        Ok((case, event))
    }

    async fn list_cases(&self, filter: &CaseFilter, order: CaseOrder, page: Page) -> Result<CasePage, StoreError> {
        let (rows_sql, count_sql) = query::list(filter, order, page);
        let mut tx = self.read_transaction().await?;
        let rows: Vec<CaseRow> =
            bind_all!(sqlx::query_as::<_, CaseRow>(&rows_sql.text), rows_sql.args).fetch_all(&mut *tx).await?;
        let total: i64 =
            bind_all!(sqlx::query_scalar::<_, i64>(&count_sql.text), count_sql.args).fetch_one(&mut *tx).await?;
        let cases = Self::with_parties(&mut tx, rows).await?;
        tx.commit().await?;
        Ok(CasePage { cases, total: total as u64 })
    }

    async fn match_candidates(&self, candidates: &CandidateQuery) -> Result<Vec<Candidate>, StoreError> {
        // Candidates are a hint for the matcher, not a report: no snapshot transaction needed.
        let sql = query::candidates(candidates);
        let rows: Vec<CandidateRow> =
            bind_all!(sqlx::query_as::<_, CandidateRow>(&sql.text), sql.args).fetch_all(&self.pool).await?;
        rows::candidates(rows)
    }

    async fn events_of_kind(
        &self,
        kind: &str,
        since: DateTime<Utc>,
        before: DateTime<Utc>,
    ) -> Result<Vec<CaseEvent>, StoreError> {
        let sql = query::events_of_kind(kind, since, before, "detail::text AS detail");
        let rows: Vec<EventRow> =
            bind_all!(sqlx::query_as::<_, EventRow>(&sql.text), sql.args).fetch_all(&self.pool).await?;
        rows.into_iter().map(EventRow::into_event).collect()
    }

    async fn cases_of_identity(&self, hash: &IdentityHash) -> Result<Vec<CaseId>, StoreError> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT DISTINCT case_id FROM parties WHERE id_hash = $1 OR phone_hash = $1 ORDER BY case_id",
        )
        .bind(hash.as_str())
        .fetch_all(&self.pool)
        .await?;
        ids.into_iter().map(rows::case_id).collect()
    }

    async fn count_cases(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cases").fetch_one(&self.pool).await?;
        Ok(n as u64)
    }

    async fn ledger_summary(&self) -> Result<LedgerSummary, StoreError> {
        let mut conn = self.read_transaction().await?;
        let by = |column: &'static str| {
            format!(
                "SELECT {column}, COUNT(*) FROM cases WHERE {column} IS NOT NULL GROUP BY {column} ORDER BY {column}"
            )
        };
        let channel: Vec<(String, i64)> = sqlx::query_as(&by("channel")).fetch_all(&mut *conn).await?;
        let status: Vec<(String, i64)> = sqlx::query_as(&by("status")).fetch_all(&mut *conn).await?;
        let town: Vec<(String, i64)> = sqlx::query_as(&by("town_code")).fetch_all(&mut *conn).await?;
        conn.commit().await?;
        crate::summary(channel, status, town)
    }

    async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar("SELECT value FROM settings WHERE key = $1").bind(key).fetch_optional(&self.pool).await?)
    }

    async fn put_setting_if_absent(&self, key: &str, value: &str) -> Result<String, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
            .bind(key)
            .bind(value)
            .execute(&mut *tx)
            .await?;
        let stored =
            sqlx::query_scalar("SELECT value FROM settings WHERE key = $1").bind(key).fetch_one(&mut *tx).await?;
        tx.commit().await?;
        Ok(stored)
    }

    #[tracing::instrument(skip_all, fields(warnings = found.len()))]
    async fn record_warnings(
        &self,
        as_of: NaiveDate,
        at: DateTime<Utc>,
        found: &[Warning],
    ) -> Result<WarningRunOutcome, StoreError> {
        let at = rows::to_microseconds(at);
        let mut tx = self.pool.begin().await?;
        // Runs are rare and short: one at a time, and no lifecycle action in between (EXCLUSIVE
        // conflicts with the row locks actions take, so neither waits on the other in a cycle).
        // Plain reads go on.
        sqlx::query("LOCK TABLE warnings IN EXCLUSIVE MODE").execute(&mut *tx).await?;
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
                    insert_warning_event(&mut tx, id, 1, at, WARNING_RUN_ACTOR, "raised", &detail).await?;
                    outcome.raised.push(id);
                }
                Step::Update { id, version, event, since } => {
                    if let Some(detail) = &event {
                        insert_warning_event(&mut tx, id, version, at, WARNING_RUN_ACTOR, "updated", detail).await?;
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

    async fn warnings(&self, filter: &WarningFilter, page: Page) -> Result<WarningPage, StoreError> {
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

    async fn warning(&self, id: i64) -> Result<Option<(StoredWarning, Vec<WarningEvent>)>, StoreError> {
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
    async fn act_on_warning(
        &self,
        id: i64,
        expected_version: Option<u32>,
        action: &WarningAction,
        plan_tasks: Option<serde_json::Value>,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<StoredWarning, StoreError> {
        let at = rows::to_microseconds(at);
        let race = |e: sqlx::Error| {
            if is_lost_race(&e) { StoreError::WarningConflict(id) } else { StoreError::Database(e) }
        };
        let mut tx = self.pool.begin().await?;
        // Locked: a concurrent action waits, then sees the version this one writes.
        let stored = sqlx::query_as::<_, WarningRow>(warnings::SELECT_WARNING_FOR_UPDATE)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(race)?
            .ok_or(StoreError::WarningNotFound(id))?
            .into_stored()?;
        if expected_version.is_some_and(|v| v != stored.version) {
            return Err(StoreError::WarningConflict(id));
        }
        let (after, detail) = warnings::act(&stored, action, plan_tasks)?;
        insert_warning_event(&mut tx, id, after.version, at, actor, action.code(), &detail).await.map_err(race)?;
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

    async fn case_summaries(
        &self,
        from: DateTime<Utc>,
        before: DateTime<Utc>,
        text_from: DateTime<Utc>,
    ) -> Result<Vec<(CaseSummary, Option<String>)>, StoreError> {
        let mut tx = self.read_transaction().await?;
        let rows: Vec<SummaryRow> = sqlx::query_as(&warnings::summary_cases_sql(MEDIATION_FAILED))
            .bind(from)
            .bind(before)
            .bind(text_from)
            .fetch_all(&mut *tx)
            .await?;
        let parties: Vec<SummaryPartyRow> =
            sqlx::query_as(&warnings::summary_parties_sql()).bind(from).bind(before).fetch_all(&mut *tx).await?;
        tx.commit().await?;
        warnings::summaries(rows, parties)
    }

    async fn assessment_cases(
        &self,
        from: DateTime<Utc>,
        before: DateTime<Utc>,
        cut_off: DateTime<Utc>,
    ) -> Result<Vec<shanzhi_core::assessment::CaseFacts>, StoreError> {
        // One part: PostgreSQL hands rows over as they come, with no document to build.
        let mut tx = self.read_transaction().await?;
        let ids: Vec<i64> =
            sqlx::query_scalar(&crate::assessment::cohort_sql()).bind(from).bind(before).fetch_all(&mut *tx).await?;
        let basics: Vec<crate::assessment::BasicsRow> =
            sqlx::query_as(&crate::assessment::basics_sql("= ANY($1)")).bind(&ids).fetch_all(&mut *tx).await?;
        let events: Vec<crate::assessment::EventRow> =
            sqlx::query_as(&crate::assessment::events_sql("= ANY($1)", "$2", "e.detail::text"))
                .bind(&ids)
                .bind(cut_off)
                .fetch_all(&mut *tx)
                .await?;
        tx.commit().await?;
        crate::assessment::joined(
            tokio::task::spawn_blocking(move || crate::assessment::facts(basics, events, cut_off)).await,
        )?
    }

    async fn assessment_warnings(
        &self,
        from: DateTime<Utc>,
        before: DateTime<Utc>,
        cut_off: DateTime<Utc>,
    ) -> Result<Vec<shanzhi_core::assessment::WarningFacts>, StoreError> {
        use crate::assessment::WarningRow;
        let mut tx = self.read_transaction().await?;
        let rows: Vec<WarningRow> = sqlx::query_as(crate::assessment::WARNINGS_SQL)
            .bind(from)
            .bind(before)
            .bind(cut_off)
            .fetch_all(&mut *tx)
            .await?;
        let mut found = rows.into_iter().map(WarningRow::into_facts).collect::<Result<Vec<_>, _>>()?;
        let ids: Vec<i64> = found.iter().flat_map(|w| w.case_ids.iter().map(|id| id.get())).collect();
        let regions: Vec<(i64, String)> = sqlx::query_as("SELECT id, region_code FROM cases WHERE id = ANY($1)")
            .bind(&ids)
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        crate::assessment::with_regions(&mut found, &regions)?;
        Ok(found)
    }

    async fn record_star_ratings(
        &self,
        period: &str,
        ratings: &[shanzhi_core::assessment::StarRating],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for r in ratings {
            sqlx::query(crate::assessment::INSERT_RATING)
                .bind(period)
                .bind(r.village.to_string())
                .bind(&r.scheme)
                .bind(&r.scheme_version)
                .bind(i64::from(r.stars))
                .bind(r.score)
                .bind(crate::assessment::breakdown(r))
                .bind(rows::to_microseconds(at))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn star_ratings(&self, period: &str) -> Result<Vec<crate::RecordedRating>, StoreError> {
        let rows: Vec<crate::assessment::RatingRow> =
            sqlx::query_as(crate::assessment::LATEST_RATINGS).bind(period).fetch_all(&self.pool).await?;
        rows.into_iter().map(crate::assessment::RatingRow::into_recorded).collect()
    }

    async fn village_ratings(
        &self,
        village: shanzhi_core::RegionCode,
    ) -> Result<Vec<crate::RecordedRating>, StoreError> {
        let rows: Vec<crate::assessment::RatingRow> =
            sqlx::query_as(crate::assessment::VILLAGE_RATINGS).bind(village.to_string()).fetch_all(&self.pool).await?;
        rows.into_iter().map(crate::assessment::RatingRow::into_recorded).collect()
    }

    // Users, sessions, tokens and the unmasking log: in `access.rs`.

    async fn add_user(&self, user: &crate::NewUser) -> Result<crate::User, StoreError> {
        self.insert_user(user).await
    }

    async fn user(&self, username: &str) -> Result<Option<crate::User>, StoreError> {
        self.select_user(username).await
    }

    async fn users(&self) -> Result<Vec<crate::User>, StoreError> {
        self.select_users().await
    }

    async fn start_session(
        &self,
        token_hash: &str,
        user_id: i64,
        expires_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StoreError> {
        self.insert_session(token_hash, user_id, expires_at).await
    }

    async fn session_user(
        &self,
        token_hash: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<crate::User>, StoreError> {
        self.select_session_user(token_hash, now).await
    }

    async fn end_session(&self, token_hash: &str) -> Result<(), StoreError> {
        self.delete_session(token_hash).await
    }

    async fn add_api_token(&self, token: &crate::NewApiToken) -> Result<crate::ApiToken, StoreError> {
        self.insert_token(token).await
    }

    async fn api_token(&self, token_hash: &str) -> Result<Option<crate::ApiToken>, StoreError> {
        self.select_live_token(token_hash).await
    }

    async fn api_tokens(&self) -> Result<Vec<crate::ApiToken>, StoreError> {
        self.select_tokens().await
    }

    async fn revoke_api_token(&self, id: i64) -> Result<bool, StoreError> {
        self.update_token_revoked(id).await
    }

    async fn record_unmasking(&self, case: CaseId, actor: &str, reason: &str) -> Result<(), StoreError> {
        self.insert_unmasking(case, actor, reason).await
    }

    async fn unmaskings(&self, case: CaseId) -> Result<Vec<crate::Unmasking>, StoreError> {
        self.select_unmaskings(case).await
    }

    // The classifier's labels and versions: in `text_models.rs`.

    async fn staff_labels(&self) -> Result<Vec<crate::StaffLabel>, StoreError> {
        self.labels().await
    }

    async fn save_text_model(
        &self,
        model: &crate::NewTextModel,
        activate: bool,
    ) -> Result<crate::TextModelVersion, StoreError> {
        self.save_model(model, activate).await
    }

    async fn text_models(&self) -> Result<Vec<crate::TextModelVersion>, StoreError> {
        self.models().await
    }

    async fn text_model(&self, version: Option<u32>) -> Result<Option<(crate::TextModelVersion, Vec<u8>)>, StoreError> {
        self.model(version).await
    }

    async fn activate_text_model(&self, version: u32) -> Result<crate::TextModelVersion, StoreError> {
        self.activate_model(version).await
    }

    // The one screen: in `dashboard.rs`.

    async fn daily_counts(
        &self,
        first: NaiveDate,
        last: NaiveDate,
        region: Option<shanzhi_core::RegionCode>,
    ) -> Result<Vec<crate::DayCounts>, StoreError> {
        self.read_daily_counts(first, last, region).await
    }

    async fn case_regions(&self, ids: &[CaseId]) -> Result<Vec<(CaseId, shanzhi_core::RegionCode)>, StoreError> {
        self.read_case_regions(ids).await
    }
}

async fn existing_by_key(
    conn: &mut sqlx::PgConnection,
    chunk: &[NewCase],
) -> Result<Vec<(i64, String, String)>, StoreError> {
    let mut select =
        QueryBuilder::<Postgres>::new("SELECT id, channel, external_id FROM cases WHERE (channel, external_id) IN (");
    for (i, record) in chunk.iter().enumerate() {
        let (channel, external_id) = rows::key(&record.record);
        select.push(if i == 0 { "(" } else { ", (" }).push_bind(channel).push(", ").push_bind(external_id).push(")");
    }
    select.push(")");
    Ok(select.build_query_as().fetch_all(&mut *conn).await?)
}

async fn applied_versions(pool: &PgPool) -> Vec<i64> {
    // Before the first migration the table does not exist: nothing is applied.
    sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success").fetch_all(pool).await.unwrap_or_default()
}

// Warnings: the statements are shared (`crate::warnings`); `workflow` is TEXT here too, so the
// outcome is read through a cast to jsonb.

/// Whether the case's mediation ended without agreement. The substring test first: casting every
/// workflow to jsonb would cost more than the rest of the read, and few cases ever fail.
const MEDIATION_FAILED: &str = "CASE WHEN strpos(workflow, '\"no_agreement\"') > 0 \
     THEN COALESCE(workflow::jsonb #>> '{resolution,outcome}' = 'no_agreement', FALSE) ELSE FALSE END";

async fn insert_warning_event(
    conn: &mut sqlx::PgConnection,
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

crate::access::impl_access!(PgStore, pool, pool);
