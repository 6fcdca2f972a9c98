//! The embedded default: one SQLite file in WAL mode.

mod assessment;
mod dashboard;
mod group_commit;
mod history;
mod text_models;
mod warnings;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use shanzhi_core::workflow::Candidate;
use shanzhi_core::{Case, CaseEvent, CaseId, Channel, EventKind, ExternalId, IdentityHash, NewCase};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{QueryBuilder, Sqlite};

use crate::error::is_lost_race;
use crate::query::{self, CandidateQuery, CaseFilter, CaseOrder, CasePage, Page, bind_all};
use crate::rows::{self, CandidateRow, CasePartyRow, CaseRow, EventRow, NewCaseRow, PartyRow, Projection};
use crate::{Handling, LedgerSummary, Plan, Registration, Store, StoreError, events};

#[derive(Clone, Debug)]
pub struct SqliteStore {
    /// Readers: in WAL mode they never wait for the writer.
    pool: SqlitePool,
    /// The one writer. SQLite takes one write transaction at a time; queueing writers here, in
    /// the pool, instead of in SQLite's busy handler (which sleeps up to 100 ms between tries)
    /// keeps a burst of intakes from stalling, and keeps readers' connections free.
    writer: SqlitePool,
    /// Intakes wait here to be written together (see [`group_commit`]).
    intakes: tokio::sync::mpsc::Sender<group_commit::Request>,
}

impl SqliteStore {
    /// Opens (creating if needed) the SQLite database at `url` (`sqlite://shanzhi.db`).
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // In WAL mode NORMAL loses no committed transaction on a process crash (only on power
            // loss), and makes each commit far cheaper than FULL.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT)
            // A district's ledger is a few hundred MB: map it and cache 64 MB per connection, so
            // that reads (and the writer's index look-ups) rarely go to the file.
            .pragma("mmap_size", "1073741824")
            .pragma("cache_size", "-65536")
            // Checkpoints (the only fsyncs in WAL mode with synchronous NORMAL) run in the
            // background instead of inside whichever commit crosses the threshold, where they
            // made every intake queued behind that commit wait.
            .pragma("wal_autocheckpoint", "0");
        let writer = SqlitePoolOptions::new().max_connections(1).connect_with(options.clone()).await?;
        // An in-memory database exists once per connection: there, one pool does both.
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let pool = if in_memory {
            writer.clone()
        } else {
            SqlitePoolOptions::new().max_connections(4).connect_with(options).await?
        };
        let (intakes, requests) = tokio::sync::mpsc::channel(group_commit::QUEUE);
        tokio::spawn(group_commit::run(writer.clone(), requests));
        tokio::spawn(checkpoint(pool.clone(), writer.clone(), intakes.downgrade()));
        Ok(SqliteStore { pool, writer, intakes })
    }

    async fn load_history(conn: &mut sqlx::SqliteConnection, id: CaseId) -> Result<Vec<CaseEvent>, StoreError> {
        sqlx::query_as::<_, EventRow>(
            "SELECT case_id, seq, at, actor, kind, detail FROM case_events WHERE case_id = $1 ORDER BY seq",
        )
        .bind(id.get())
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(EventRow::into_event)
        .collect()
    }

    /// A transaction for reads that must agree with each other.
    async fn read_transaction(&self) -> Result<sqlx::Transaction<'static, Sqlite>, StoreError> {
        // In WAL mode the first read fixes the snapshot that the transaction sees.
        Ok(self.pool.begin().await?)
    }

    async fn load_case(conn: &mut sqlx::SqliteConnection, id: CaseId) -> Result<Option<Case>, StoreError> {
        let Some(row) =
            sqlx::query_as::<_, CaseRow>(rows::SELECT_CASE).bind(id.get()).fetch_optional(&mut *conn).await?
        else {
            return Ok(None);
        };
        let parties = sqlx::query_as::<_, PartyRow>(rows::SELECT_PARTIES).bind(id.get()).fetch_all(&mut *conn).await?;
        row.into_case(parties).map(Some)
    }

    /// The cases of `rows` with their parties, read in one more query.
    async fn with_parties(conn: &mut sqlx::SqliteConnection, rows: Vec<CaseRow>) -> Result<Vec<Case>, StoreError> {
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

    /// The case, read inside a write transaction (BEGIN IMMEDIATE holds the lock already).
    async fn load_for_update(conn: &mut sqlx::SqliteConnection, id: CaseId) -> Result<Case, StoreError> {
        Self::load_case(conn, id).await?.ok_or(StoreError::CaseNotFound(id))
    }

    /// Appends `kind` to `case`'s history, applies it, and writes the case's projection (and its
    /// handlers when the routing changed), inside the caller's write transaction.
    async fn write_event(
        conn: &mut sqlx::SqliteConnection,
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
        sqlx::query("INSERT INTO case_events (case_id, seq, at, actor, kind, detail) VALUES ($1, $2, $3, $4, $5, $6)")
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
        update_case(&mut *conn, id, &p).await.map_err(race)?;
        if event.kind.changes_routing() {
            rewrite_handlers(&mut *conn, id, &p.handlers).await?;
        }
        Ok(event)
    }

    /// One intake in its own transaction: what a batch falls back to when it fails.
    async fn register_one(
        writer: &SqlitePool,
        new: &NewCase,
        actor: &str,
        plan: &(dyn Fn(&Case) -> Handling + Send + Sync),
    ) -> Result<(Registration, Case), StoreError> {
        let now = rows::now();
        let mut tx = writer.begin_with("BEGIN IMMEDIATE").await?;
        let registration = Self::insert_new(&mut tx, std::slice::from_ref(new), actor, now).await?[0];
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
            record: new.record.clone(),
            workflow: new.workflow.clone(),
        };
        let handling = run_plan(plan, &case)?;
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

    /// Inserts the records of `chunk` that are new, with their parties and registration events.
    async fn insert_new(
        conn: &mut sqlx::SqliteConnection,
        chunk: &[NewCase],
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<Registration>, StoreError> {
        Self::insert_new_at(conn, chunk, actor, &|_| now).await
    }

    /// [`Self::insert_new`], each record registered at the time `registered_at` gives it.
    async fn insert_new_at(
        conn: &mut sqlx::SqliteConnection,
        chunk: &[NewCase],
        actor: &str,
        registered_at: &(dyn Fn(&NewCase) -> DateTime<Utc> + Sync),
    ) -> Result<Vec<Registration>, StoreError> {
        let mut insert = QueryBuilder::<Sqlite>::new(format!("INSERT INTO cases ({}) ", rows::CASE_COLUMNS));
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
        insert_parties(&mut *conn, &rows::party_rows(&registered)).await?;

        if !registered.is_empty() {
            let mut insert =
                QueryBuilder::<Sqlite>::new("INSERT INTO case_events (case_id, seq, at, actor, kind, detail) ");
            insert.push_values(&registered, |mut b, (id, record)| {
                let kind = EventKind::Registered { channel: record.record.channel };
                b.push_bind(*id)
                    .push_bind(1_i64)
                    .push_bind(registered_at(record))
                    .push_bind(actor)
                    .push_bind(kind.code())
                    .push_bind(events::encode(&kind));
            });
            insert.build().execute(&mut *conn).await?;
        }
        Ok(registrations)
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn migrate(&self) -> Result<Vec<String>, StoreError> {
        let migrator = sqlx::migrate!("./migrations/sqlite");
        let applied: Vec<i64> = applied_versions(&self.writer).await;
        migrator.run(&self.writer).await?;
        Ok(migrator.iter().filter(|m| !applied.contains(&m.version)).map(|m| m.description.to_string()).collect())
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    #[tracing::instrument(skip_all, fields(records = records.len()))]
    async fn register_cases(&self, records: &[NewCase], actor: &str) -> Result<Vec<Registration>, StoreError> {
        let now = rows::now();
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
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
        let (reply, answer) = tokio::sync::oneshot::channel();
        let request = group_commit::Request { new, actor: actor.to_owned(), plan, reply };
        self.intakes.send(request).await.map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)?
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
        // BEGIN IMMEDIATE takes the write lock before reading, so the version read is the one the
        // update will see. A transaction dropped before commit (a cancelled request) rolls back.
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await.map_err(race)?;
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
        let sql = query::events_of_kind(kind, since, before, "detail");
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
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
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

    // Warnings: in `warnings.rs`.

    async fn record_warnings(
        &self,
        as_of: chrono::NaiveDate,
        at: DateTime<Utc>,
        warnings: &[shanzhi_core::warning::Warning],
    ) -> Result<crate::WarningRunOutcome, StoreError> {
        self.record_warnings_run(as_of, rows::to_microseconds(at), warnings).await
    }

    async fn warnings(&self, filter: &crate::WarningFilter, page: Page) -> Result<crate::WarningPage, StoreError> {
        self.list_warnings(filter, page).await
    }

    async fn warning(&self, id: i64) -> Result<Option<(crate::StoredWarning, Vec<crate::WarningEvent>)>, StoreError> {
        self.warning_with_history(id).await
    }

    async fn act_on_warning(
        &self,
        id: i64,
        expected_version: Option<u32>,
        action: &shanzhi_core::warning::WarningAction,
        plan_tasks: Option<serde_json::Value>,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<crate::StoredWarning, StoreError> {
        self.act_on(id, expected_version, action, plan_tasks, actor, rows::to_microseconds(at)).await
    }

    async fn case_summaries(
        &self,
        from: DateTime<Utc>,
        before: DateTime<Utc>,
        text_from: DateTime<Utc>,
    ) -> Result<Vec<(shanzhi_core::warning::CaseSummary, Option<String>)>, StoreError> {
        self.summaries(from, before, text_from).await
    }

    async fn assessment_cases(
        &self,
        from: DateTime<Utc>,
        before: DateTime<Utc>,
        cut_off: DateTime<Utc>,
    ) -> Result<Vec<shanzhi_core::assessment::CaseFacts>, StoreError> {
        self.read_assessment_cases(from, before, cut_off).await
    }

    async fn assessment_warnings(
        &self,
        from: DateTime<Utc>,
        before: DateTime<Utc>,
        cut_off: DateTime<Utc>,
    ) -> Result<Vec<shanzhi_core::assessment::WarningFacts>, StoreError> {
        self.read_assessment_warnings(from, before, cut_off).await
    }

    async fn record_star_ratings(
        &self,
        period: &str,
        ratings: &[shanzhi_core::assessment::StarRating],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.write_star_ratings(period, ratings, at).await
    }

    async fn star_ratings(&self, period: &str) -> Result<Vec<crate::RecordedRating>, StoreError> {
        self.read_star_ratings(period).await
    }

    async fn village_ratings(
        &self,
        village: shanzhi_core::RegionCode,
    ) -> Result<Vec<crate::RecordedRating>, StoreError> {
        self.read_village_ratings(village).await
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
        first: chrono::NaiveDate,
        last: chrono::NaiveDate,
        region: Option<shanzhi_core::RegionCode>,
    ) -> Result<Vec<crate::DayCounts>, StoreError> {
        self.read_daily_counts(first, last, region).await
    }

    async fn case_regions(&self, ids: &[CaseId]) -> Result<Vec<(CaseId, shanzhi_core::RegionCode)>, StoreError> {
        self.read_case_regions(ids).await
    }
}

/// Writes a case's row as `p` projects its state (the trigger checks the version and event).
async fn update_case(conn: &mut sqlx::SqliteConnection, id: CaseId, p: &Projection) -> Result<(), sqlx::Error> {
    sqlx::query(rows::UPDATE_CASE)
        .bind(p.status)
        .bind(&p.category)
        .bind(p.version)
        .bind(&p.workflow)
        .bind(p.kind)
        .bind(&p.lead_department)
        .bind(p.handling_level)
        .bind(p.due_at)
        .bind(p.paused)
        .bind(p.primary_case_id)
        .bind(p.resolved_level)
        .bind(p.agreement_check_at)
        .bind(id.get())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Replaces the departments handling a case.
async fn rewrite_handlers(
    conn: &mut sqlx::SqliteConnection,
    id: CaseId,
    handlers: &[(String, &'static str)],
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM case_handlers WHERE case_id = $1").bind(id.get()).execute(&mut *conn).await?;
    if !handlers.is_empty() {
        let mut insert = QueryBuilder::<Sqlite>::new("INSERT INTO case_handlers (case_id, department, role) ");
        insert.push_values(handlers, |mut b, (department, role)| {
            b.push_bind(id.get()).push_bind(department).push_bind(*role);
        });
        insert.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// Inserts party rows, in statements of bounded size.
async fn insert_parties(
    conn: &mut sqlx::SqliteConnection,
    parties: &[rows::NewPartyRow<'_>],
) -> Result<(), StoreError> {
    for chunk in parties.chunks(rows::CHUNK * 2) {
        let mut insert = QueryBuilder::<Sqlite>::new(format!("INSERT INTO parties ({}) ", rows::PARTY_COLUMNS));
        insert.push_values(chunk, |mut b, p| {
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
    Ok(())
}

async fn existing_by_key(
    conn: &mut sqlx::SqliteConnection,
    chunk: &[NewCase],
) -> Result<Vec<(i64, String, String)>, StoreError> {
    let mut select =
        QueryBuilder::<Sqlite>::new("SELECT id, channel, external_id FROM cases WHERE (channel, external_id) IN (");
    for (i, record) in chunk.iter().enumerate() {
        let (channel, external_id) = rows::key(&record.record);
        select.push(if i == 0 { "(" } else { ", (" }).push_bind(channel).push(", ").push_bind(external_id).push(")");
    }
    select.push(")");
    Ok(select.build_query_as().fetch_all(&mut *conn).await?)
}

/// Calls a plan, turning a panic into an error of this one intake: the plan runs in the task that
/// writes every intake, which must not die with it.
fn run_plan(plan: &(dyn Fn(&Case) -> Handling + Send + Sync), case: &Case) -> Result<Handling, StoreError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| plan(case)))
        .map_err(|_| StoreError::Plan(format!("the plan for case {} panicked", case.id)))
}

/// Copies the write-ahead log into the database file every half second, without blocking the
/// writer (PASSIVE), for as long as the store exists (`store` is its intake queue).
async fn checkpoint(pool: SqlitePool, writer: SqlitePool, store: tokio::sync::mpsc::WeakSender<group_commit::Request>) {
    let mut every = tokio::time::interval(Duration::from_millis(500));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        if store.upgrade().is_none() || pool.is_closed() {
            return;
        }
        let passive: Result<(i64, i64, i64), _> =
            sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)").fetch_one(&pool).await;
        let result = match passive {
            // Under a steady stream of writes (a bulk import) a passive checkpoint falls behind,
            // and with a reader always open the log is never restarted either: it grows without
            // bound (a 1,000,000-case load grew it to 27 GB). When the backlog passes the limit,
            // or the log four times that, take the writer's turn (its one connection, so no
            // write can slip in between), checkpoint the log whole and restart it. That stalls
            // writes, for longer the larger the backlog; a log the passive checkpoints keep up
            // with is left to grow to the larger bound (steady intake: one stall in ~20 s).
            Ok((_, frames, copied)) if frames - copied > WAL_FRAMES_BEHIND || frames > WAL_FRAMES_MAX => {
                let started = std::time::Instant::now();
                let restarted = restart_log(&writer).await;
                if let Ok(busy) = &restarted {
                    tracing::info!(
                        frames,
                        copied,
                        restarted = !busy,
                        elapsed_ms = started.elapsed().as_millis(),
                        "write-ahead log over its limit: checkpointed it whole"
                    );
                }
                restarted.map(drop)
            }
            other => other.map(drop),
        };
        if let Err(e) = result {
            if pool.is_closed() {
                return;
            }
            tracing::warn!(error = %e, "WAL checkpoint failed; will retry");
        }
    }
}

/// Pages of the write-ahead log not yet copied to the database (4 KiB each: 256 MiB) past which a
/// checkpoint takes the writer's turn rather than let the log grow.
const WAL_FRAMES_BEHIND: i64 = 65_536;
/// Pages (1 GiB) past which the log is restarted even though the passive checkpoints keep up.
const WAL_FRAMES_MAX: i64 = 4 * WAL_FRAMES_BEHIND;
/// How long a restart waits for the readers of older snapshots before it gives up until the next
/// tick: the writer is held meanwhile, and a long read (a report, a backup) must not hold up
/// intake for the store's whole busy timeout.
const RESTART_WAIT_MS: u32 = 100;

/// Checkpoints the whole log on the writer's one connection and restarts it, waiting at most
/// [`RESTART_WAIT_MS`] for readers. Whether readers kept it from restarting (SQLite's `busy`).
async fn restart_log(writer: &SqlitePool) -> Result<bool, sqlx::Error> {
    let mut conn = writer.acquire().await?;
    sqlx::query(&format!("PRAGMA busy_timeout = {RESTART_WAIT_MS}")).execute(&mut *conn).await?;
    let done: Result<(i64, i64, i64), _> = sqlx::query_as("PRAGMA wal_checkpoint(RESTART)").fetch_one(&mut *conn).await;
    // The connection goes back to the pool: give it back its own timeout whatever happened.
    let restored =
        sqlx::query(&format!("PRAGMA busy_timeout = {}", BUSY_TIMEOUT.as_millis())).execute(&mut *conn).await;
    let (busy, _, _) = done?;
    restored?;
    Ok(busy != 0)
}

/// How long a connection waits for a lock before it reports the database busy.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

async fn applied_versions(pool: &SqlitePool) -> Vec<i64> {
    // Before the first migration the table does not exist: nothing is applied.
    sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success").fetch_all(pool).await.unwrap_or_default()
}

crate::access::impl_access!(SqliteStore, pool, writer);

#[cfg(test)]
mod tests {
    use sqlx::Connection;
    use sqlx::sqlite::SqliteConnection;

    use super::*;
    use crate::testing::TestDatabase;

    #[tokio::test]
    async fn a_reader_on_an_old_snapshot_delays_a_restart_of_the_log_not_the_writer_for_long() {
        let db = TestDatabase::sqlite();
        let options = SqliteConnectOptions::from_str(&db.url)
            .unwrap()
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .busy_timeout(BUSY_TIMEOUT);
        let writer = SqlitePoolOptions::new().max_connections(1).connect_with(options.clone()).await.unwrap();
        sqlx::query("PRAGMA wal_autocheckpoint = 0").execute(&writer).await.unwrap();
        sqlx::query("CREATE TABLE t (x INTEGER)").execute(&writer).await.unwrap();
        sqlx::query("INSERT INTO t VALUES (1)").execute(&writer).await.unwrap();

        // A long read holds the snapshot from before the next write.
        let mut reader = SqliteConnection::connect_with(&options).await.unwrap();
        sqlx::query("BEGIN").execute(&mut reader).await.unwrap();
        sqlx::query("SELECT count(*) FROM t").fetch_one(&mut reader).await.unwrap();
        sqlx::query("INSERT INTO t VALUES (2)").execute(&writer).await.unwrap();

        assert!(restart_log(&writer).await.unwrap(), "the reader keeps the log from restarting");
        let timeout: i64 = sqlx::query_scalar("PRAGMA busy_timeout").fetch_one(&writer).await.unwrap();
        assert_eq!(timeout, BUSY_TIMEOUT.as_millis() as i64, "the writer's own timeout is back");

        sqlx::query("COMMIT").execute(&mut reader).await.unwrap();
        let frames = || async {
            let (_, frames, _): (i64, i64, i64) =
                sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)").fetch_one(&writer).await.unwrap();
            frames
        };
        let before = frames().await;
        assert!(!restart_log(&writer).await.unwrap(), "with the reader gone the log restarts");
        // The next write starts the log from its beginning.
        sqlx::query("INSERT INTO t VALUES (3)").execute(&writer).await.unwrap();
        let after = frames().await;
        assert!(after < before, "the log went on from {before} frames to {after}");
    }
}
