//! SQLite's side of importing a ledger with its past: registration as of the time received, and
//! histories with their own times (the decisions are in `crate::history`).

use shanzhi_core::{CaseEvent, NewCase};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use super::SqliteStore;
use crate::history::{self, EVENTS_PER_STATEMENT, HistoricalEvent, IDS_PER_STATEMENT, Import, StoredCase};
use crate::{Registration, StoreError, events, rows};

impl SqliteStore {
    pub(super) async fn register_as_received(
        &self,
        records: &[NewCase],
        actor: &str,
    ) -> Result<Vec<Registration>, StoreError> {
        let received = |case: &NewCase| rows::to_microseconds(case.record.received_at);
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        let mut all = Vec::with_capacity(records.len());
        for chunk in records.chunks(rows::CHUNK) {
            all.extend(Self::insert_new_at(&mut tx, chunk, actor, &received).await?);
        }
        tx.commit().await?;
        Ok(all)
    }

    pub(super) async fn import_histories(&self, events: &[HistoricalEvent]) -> Result<u64, StoreError> {
        if events.is_empty() {
            return Ok(0);
        }
        // The write lock first: the cases read are the ones the updates will see.
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        let mut stored = Vec::new();
        for ids in history::case_ids(events).chunks(IDS_PER_STATEMENT) {
            let mut select = QueryBuilder::<Sqlite>::new(history::select_cases());
            push_ids(&mut select, " WHERE id IN (", ids);
            stored.extend(select.build_query_as::<StoredCase>().fetch_all(&mut *tx).await?);
        }
        let import = Import::plan(stored, events)?;
        write(&mut tx, &import).await?;
        tx.commit().await?;
        Ok(import.events.len() as u64)
    }
}

async fn write(conn: &mut SqliteConnection, import: &Import) -> Result<(), StoreError> {
    for chunk in import.events.chunks(EVENTS_PER_STATEMENT) {
        let mut insert =
            QueryBuilder::<Sqlite>::new("INSERT INTO case_events (case_id, seq, at, actor, kind, detail) ");
        insert.push_values(chunk, |mut b, e: &CaseEvent| {
            b.push_bind(e.case_id.get())
                .push_bind(i64::from(e.seq))
                .push_bind(e.at)
                .push_bind(&e.actor)
                .push_bind(e.kind.code())
                .push_bind(events::encode(&e.kind));
        });
        insert.build().execute(&mut *conn).await?;
    }
    // Every version but the last, one step at a time (the trigger allows one at a time)…
    for step in &import.steps {
        for ids in step.chunks(IDS_PER_STATEMENT) {
            let mut update = QueryBuilder::<Sqlite>::new("UPDATE cases SET version = version + 1");
            push_ids(&mut update, " WHERE id IN (", ids);
            update.build().execute(&mut *conn).await?;
        }
    }
    // … then the last, with the case's final state.
    for chunk in import.cases.chunks(FINAL_ROWS_PER_STATEMENT) {
        let mut update = QueryBuilder::<Sqlite>::new(
            "UPDATE cases SET status = v.column2, category = v.column3, version = v.column4, workflow = v.column5, \
             kind = v.column6, lead_department = v.column7, handling_level = v.column8, due_at = v.column9, \
             paused = v.column10, primary_case_id = v.column11, resolved_level = v.column12, \
             agreement_check_at = v.column13 FROM (",
        );
        update.push_values(chunk, |mut b, (id, p, _)| {
            b.push_bind(id.get())
                .push_bind(p.status)
                .push_bind(&p.category)
                .push_bind(p.version)
                .push_bind(&p.workflow)
                .push_bind(p.kind)
                .push_bind(&p.lead_department)
                .push_bind(p.handling_level)
                .push_bind(p.due_at)
                .push_bind(p.paused)
                .push_bind(p.primary_case_id)
                .push_bind(p.resolved_level)
                .push_bind(p.agreement_check_at);
        });
        update.push(") AS v WHERE cases.id = v.column1");
        update.build().execute(&mut *conn).await?;
    }
    let rerouted: Vec<_> = import.cases.iter().filter(|(_, _, routing)| *routing).collect();
    for chunk in rerouted.chunks(IDS_PER_STATEMENT) {
        let ids: Vec<i64> = chunk.iter().map(|(id, _, _)| id.get()).collect();
        let mut delete = QueryBuilder::<Sqlite>::new("DELETE FROM case_handlers");
        push_ids(&mut delete, " WHERE case_id IN (", &ids);
        delete.build().execute(&mut *conn).await?;
        let handlers: Vec<(i64, &str, &str)> = chunk
            .iter()
            .flat_map(|(id, p, _)| p.handlers.iter().map(move |(d, role)| (id.get(), d.as_str(), *role)))
            .collect();
        for rows in handlers.chunks(IDS_PER_STATEMENT) {
            let mut insert = QueryBuilder::<Sqlite>::new("INSERT INTO case_handlers (case_id, department, role) ");
            insert.push_values(rows, |mut b, (id, department, role)| {
                b.push_bind(*id).push_bind(*department).push_bind(*role);
            });
            insert.build().execute(&mut *conn).await?;
        }
    }
    Ok(())
}

/// Cases per final update (thirteen values each).
const FINAL_ROWS_PER_STATEMENT: usize = 2_000;

/// `{prefix}$1, $2, …)` with `ids` bound.
fn push_ids(query: &mut QueryBuilder<'_, Sqlite>, prefix: &str, ids: &[i64]) {
    query.push(prefix);
    let mut list = query.separated(", ");
    for id in ids {
        list.push_bind(*id);
    }
    list.push_unseparated(")");
}
