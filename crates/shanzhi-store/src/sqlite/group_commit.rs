//! Group commit of intakes. SQLite takes one write transaction at a time, and through sqlx every
//! statement is a round trip to the connection's thread; an intake written alone costs about ten
//! of them. Intakes that arrive together are therefore written together: one task takes every
//! waiting intake (up to [`BATCH`]), gives the new cases their ids, lets each plan decide on its
//! case, and writes all the rows with a handful of multi-row statements in one transaction. A
//! batch that fails is written again record by record, so that one bad intake fails alone.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use chrono::{DateTime, Utc};
use shanzhi_core::{Case, CaseEvent, CaseId, CaseStatus, EventKind};
use sqlx::{QueryBuilder, Sqlite, SqlitePool};
use tokio::sync::{mpsc, oneshot};

use super::SqliteStore;
use crate::rows::{self, NewCaseRow, Projection};
use crate::{Plan, Registration, StoreError, events};

/// Intakes that may wait for the writer.
pub(super) const QUEUE: usize = 4096;
/// Intakes written in one transaction, at most.
const BATCH: usize = 64;

pub(super) struct Request {
    pub new: shanzhi_core::NewCase,
    pub actor: String,
    pub plan: Plan,
    pub reply: oneshot::Sender<Result<(Registration, Case), StoreError>>,
}

/// Writes intakes until every sender (every clone of the store) is gone.
pub(super) async fn run(writer: SqlitePool, mut requests: mpsc::Receiver<Request>) {
    while let Some(first) = requests.recv().await {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match requests.try_recv() {
                Ok(request) => batch.push(request),
                Err(_) => break,
            }
        }
        match write_batch(&writer, &batch).await {
            Ok(results) => {
                for (request, result) in batch.into_iter().zip(results) {
                    let _ = request.reply.send(Ok(result));
                }
            }
            Err(error) => {
                tracing::warn!(%error, intakes = batch.len(), "an intake batch failed; writing its records one by one");
                for request in batch {
                    let result = SqliteStore::register_one(&writer, &request.new, &request.actor, &*request.plan).await;
                    let _ = request.reply.send(result);
                }
            }
        }
    }
}

/// A new case of the batch: its final state and every event it gets.
struct Written {
    case: Case,
    events: Vec<CaseEvent>,
    /// The record as registered, for the row's record columns and the parties.
    index: usize,
}

async fn write_batch(writer: &SqlitePool, batch: &[Request]) -> Result<Vec<(Registration, Case)>, StoreError> {
    let now = rows::now();
    let mut tx = writer.begin_with("BEGIN IMMEDIATE").await?;
    let records: Vec<shanzhi_core::NewCase> = batch.iter().map(|r| r.new.clone()).collect();
    let existing: HashMap<(String, String), i64> =
        super::existing_by_key(&mut tx, &records).await?.into_iter().map(|(id, c, e)| ((c, e), id)).collect();
    // The writer holds the write lock: no other id can be taken before this transaction ends.
    let mut last_id: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM cases").fetch_one(&mut *tx).await?;

    let mut registrations = Vec::with_capacity(batch.len());
    let mut written: Vec<Written> = Vec::new();
    let mut seen: HashMap<(String, String), CaseId> = HashMap::new();
    // Earlier cases that plans touch, as they become, with each event and the row after it.
    let mut others: HashMap<CaseId, (Case, Vec<(CaseEvent, Projection)>)> = HashMap::new();
    for (index, request) in batch.iter().enumerate() {
        let (channel, external_id) = rows::key(&request.new.record);
        let key = (channel.to_owned(), external_id.to_owned());
        if let Some(&id) = existing.get(&key) {
            registrations.push(Registration::AlreadyPresent(rows::case_id(id)?));
            continue;
        }
        if let Some(&id) = seen.get(&key) {
            registrations.push(Registration::AlreadyPresent(id));
            continue;
        }
        last_id += 1;
        let id = rows::case_id(last_id)?;
        let mut case = Case {
            id,
            status: CaseStatus::Registered,
            registered_at: now,
            version: 1,
            record: request.new.record.clone(),
            workflow: request.new.workflow.clone(),
        };
        let registered = EventKind::Registered { channel: case.record.channel };
        let mut events =
            vec![CaseEvent { case_id: id, seq: 1, at: now, actor: request.actor.clone(), kind: registered }];
        let handling = super::run_plan(&*request.plan, &case)?;
        if let Some(kind) = handling.next {
            let event = CaseEvent { case_id: id, seq: 2, at: now, actor: request.actor.clone(), kind };
            case.apply(&event);
            events.push(event);
        }
        for (other, kind) in handling.others {
            // Plans decide on cases registered before the batch; one new in it is not a primary.
            let (case, changes) = match others.entry(other) {
                Entry::Occupied(touched) => touched.into_mut(),
                Entry::Vacant(first) => first.insert((SqliteStore::load_for_update(&mut tx, other).await?, Vec::new())),
            };
            let event =
                CaseEvent { case_id: other, seq: case.version + 1, at: now, actor: request.actor.clone(), kind };
            case.apply(&event);
            changes.push((event, Projection::of(case)));
        }
        seen.insert(key, id);
        registrations.push(Registration::Registered(id));
        written.push(Written { case, events, index });
    }

    insert_cases(&mut tx, &written, batch, now).await?;
    let mut all_events: Vec<&CaseEvent> = written.iter().flat_map(|w| &w.events).collect();
    all_events.extend(others.values().flat_map(|(_, changes)| changes.iter().map(|(e, _)| e)));
    insert_events(&mut tx, &all_events).await?;
    insert_handlers(&mut tx, written.iter().map(|w| &w.case)).await?;
    for (id, (_, changes)) in &others {
        for (event, projection) in changes {
            super::update_case(&mut tx, *id, projection).await?;
            if event.kind.changes_routing() {
                super::rewrite_handlers(&mut tx, *id, &projection.handlers).await?;
            }
        }
    }

    let mut results = Vec::with_capacity(batch.len());
    let mut written = written.into_iter().map(|w| (w.case.id, w.case)).collect::<HashMap<_, _>>();
    for registration in registrations {
        let case = match registration {
            Registration::Registered(id) => written.remove(&id).expect("each new case is answered once"),
            Registration::AlreadyPresent(id) => match written.get(&id) {
                // Repeated within the batch: the same case as its first occurrence.
                Some(case) => case.clone(),
                None => SqliteStore::load_case(&mut tx, id).await?.ok_or(StoreError::CaseNotFound(id))?,
            },
        };
        results.push((registration, case));
    }
    tx.commit().await?;
    Ok(results)
}

async fn insert_cases(
    tx: &mut sqlx::SqliteConnection,
    written: &[Written],
    batch: &[Request],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if written.is_empty() {
        return Ok(());
    }
    let mut insert = QueryBuilder::<Sqlite>::new(format!("INSERT INTO cases (id, {}) ", rows::FULL_CASE_COLUMNS));
    insert.push_values(written, |mut b, w| {
        let r = NewCaseRow::new(&batch[w.index].new, now);
        let p = Projection::of(&w.case);
        b.push_bind(w.case.id.get())
            .push_bind(r.channel)
            .push_bind(r.external_id)
            .push_bind(r.received_at)
            .push_bind(r.registered_at)
            .push_bind(r.region_code)
            .push_bind(r.town_code)
            .push_bind(r.title)
            .push_bind(r.body)
            .push_bind(p.category)
            .push_bind(r.amount_fen)
            .push_bind(r.people_count)
            .push_bind(r.lat)
            .push_bind(r.lon)
            .push_bind(p.status)
            .push_bind(p.version)
            .push_bind(p.kind)
            .push_bind(p.workflow)
            .push_bind(r.risk)
            .push_bind(r.respondent_key)
            .push_bind(r.incident)
            .push_bind(p.lead_department)
            .push_bind(p.handling_level)
            .push_bind(p.due_at)
            .push_bind(p.paused)
            .push_bind(p.primary_case_id)
            .push_bind(p.resolved_level)
            .push_bind(p.agreement_check_at);
    });
    insert.build().execute(&mut *tx).await?;

    let registered: Vec<(i64, &shanzhi_core::NewCase)> =
        written.iter().map(|w| (w.case.id.get(), &batch[w.index].new)).collect();
    super::insert_parties(&mut *tx, &rows::party_rows(&registered)).await?;
    Ok(())
}

async fn insert_events(tx: &mut sqlx::SqliteConnection, all: &[&CaseEvent]) -> Result<(), StoreError> {
    if all.is_empty() {
        return Ok(());
    }
    let mut insert = QueryBuilder::<Sqlite>::new("INSERT INTO case_events (case_id, seq, at, actor, kind, detail) ");
    insert.push_values(all, |mut b, e| {
        b.push_bind(e.case_id.get())
            .push_bind(i64::from(e.seq))
            .push_bind(e.at)
            .push_bind(&e.actor)
            .push_bind(e.kind.code())
            .push_bind(events::encode(&e.kind));
    });
    insert.build().execute(&mut *tx).await?;
    Ok(())
}

async fn insert_handlers<'a>(
    tx: &mut sqlx::SqliteConnection,
    cases: impl Iterator<Item = &'a Case>,
) -> Result<(), StoreError> {
    let rows: Vec<(i64, String, &'static str)> = cases
        .flat_map(|c| Projection::of(c).handlers.into_iter().map(move |(d, role)| (c.id.get(), d, role)))
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    let mut insert = QueryBuilder::<Sqlite>::new("INSERT INTO case_handlers (case_id, department, role) ");
    insert.push_values(&rows, |mut b, (id, department, role)| {
        b.push_bind(*id).push_bind(department).push_bind(*role);
    });
    insert.build().execute(&mut *tx).await?;
    Ok(())
}
