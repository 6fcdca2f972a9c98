//! Histories brought in with their own times ([`crate::Store::import_history`]): what both
//! dialects share. The cases are read once, every event is applied to them in memory with
//! [`Case::apply`] (exactly as `append_event` applies one), and what is to be written — the event
//! rows, the versions to step through and each case's final row — is decided here; the dialects
//! only run the statements.
//!
//! The schema lets a case row change only to the next version, with that version's event already
//! written (`cases_change_needs_history`), so a case that takes several events cannot be written
//! once with its final version. The import therefore inserts every event first, then moves the
//! versions up one step at a time for all the cases of the step together (one `UPDATE … WHERE id
//! IN (…)` per step and chunk, which the trigger checks row by row), and writes each case's final
//! state with its last step. The intermediate rows exist only inside the transaction.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use shanzhi_core::{Case, CaseEvent, CaseId, EventKind};

use crate::StoreError;
use crate::rows::{self, CaseRow, Projection};

/// One event of a case's past, with when it happened and who did it.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoricalEvent {
    pub case: CaseId,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub kind: EventKind,
}

/// Case ids per `IN (…)` list: under SQLite's 32,766 bound parameters, and PostgreSQL's 65,535.
pub(crate) const IDS_PER_STATEMENT: usize = 10_000;

/// Event rows per insert statement (six values each).
pub(crate) const EVENTS_PER_STATEMENT: usize = 4_000;

/// `SELECT` of the cases an import reads (`… WHERE id IN (…)` follows): the case's columns
/// (not its parties, which an import neither reads nor changes) and the time of its last event.
pub(crate) fn select_cases() -> String {
    format!(
        "SELECT {}, (SELECT e.at FROM case_events e WHERE e.case_id = cases.id AND e.seq = cases.version) AS last_at \
         FROM cases",
        rows::CASE_FIELDS
    )
}

/// A case as an import reads it.
#[derive(sqlx::FromRow)]
pub(crate) struct StoredCase {
    #[sqlx(flatten)]
    case: CaseRow,
    last_at: Option<DateTime<Utc>>,
}

/// The ids of the cases `events` touch, in id order (the order rows are locked and written in,
/// so that concurrent imports cannot deadlock).
pub(crate) fn case_ids(events: &[HistoricalEvent]) -> Vec<i64> {
    let mut ids: Vec<i64> = events.iter().map(|e| e.case.get()).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// What an import writes.
pub(crate) struct Import {
    /// Every new event, by case then sequence number.
    pub events: Vec<CaseEvent>,
    /// `steps[k]`: the cases whose version moves up a (k + 1)-th time before their final write,
    /// that is, those given more than k + 1 events.
    pub steps: Vec<Vec<i64>>,
    /// Each case as it ends, with its projection and whether its handlers are to be rewritten.
    pub cases: Vec<(CaseId, Projection, bool)>,
}

impl Import {
    /// Applies `events` to the cases read (`stored`, any order), in the order given for each
    /// case. Refuses, naming the case, an event earlier than the case's registration or its
    /// latest event (stored or imported before it), or an event for a case not read.
    pub(crate) fn plan(stored: Vec<StoredCase>, events: &[HistoricalEvent]) -> Result<Import, StoreError> {
        let mut cases: HashMap<CaseId, (Case, DateTime<Utc>, bool)> = HashMap::with_capacity(stored.len());
        for row in stored {
            let last_at = row.last_at;
            let case = row.case.into_case(Vec::new())?;
            let since = last_at.map_or(case.registered_at, |at| at.max(case.registered_at));
            cases.insert(case.id, (case, since, false));
        }
        let mut by_case: HashMap<CaseId, Vec<CaseEvent>> = HashMap::new();
        for e in events {
            let (case, since, routing) = cases.get_mut(&e.case).ok_or(StoreError::CaseNotFound(e.case))?;
            let at = rows::to_microseconds(e.at);
            if at < *since {
                return Err(StoreError::OutOfOrder { case: e.case, at, since: *since });
            }
            let event =
                CaseEvent { case_id: e.case, seq: case.version + 1, at, actor: e.actor.clone(), kind: e.kind.clone() };
            case.apply(&event);
            *since = at;
            *routing |= event.kind.changes_routing();
            by_case.entry(e.case).or_default().push(event);
        }
        let mut ids: Vec<CaseId> = by_case.keys().copied().collect();
        ids.sort_unstable();
        let mut import = Import { events: Vec::with_capacity(events.len()), steps: Vec::new(), cases: Vec::new() };
        for id in ids {
            let written = by_case.remove(&id).expect("a key of the map");
            for k in 0..written.len() - 1 {
                if import.steps.len() <= k {
                    import.steps.push(Vec::new());
                }
                import.steps[k].push(id.get());
            }
            import.events.extend(written);
            let (case, _, routing) = &cases[&id];
            import.cases.push((id, Projection::of(case), *routing));
        }
        Ok(import)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_sorted_once_each() {
        let e = |id: i64| HistoricalEvent {
            case: CaseId::new(id).unwrap(),
            at: DateTime::UNIX_EPOCH,
            actor: "a".into(),
            kind: EventKind::LinkConfirmed,
        };
        assert_eq!(case_ids(&[e(3), e(1), e(3), e(2)]), [1, 2, 3]);
    }
}
