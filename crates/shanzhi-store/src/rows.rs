//! Rows as both dialects return them, and their conversion to and from domain types.

use chrono::{DateTime, Utc};
use shanzhi_core::case::{GeoPoint, Party, PartyKind, PartyRole};
use shanzhi_core::pii::PiiKind;
use shanzhi_core::workflow::{Candidate, Workflow};
use shanzhi_core::{Case, CaseEvent, CaseId, CaseRecord, CaseText, ExternalId, NewCase, RegionCode, Yuan};

use crate::{Registration, StoreError, events};

/// Columns of `cases`, in the order the insert statements bind them.
pub(crate) const CASE_COLUMNS: &str = "channel, external_id, received_at, registered_at, region_code, town_code, title, \
     body, category, amount_fen, people_count, lat, lon, status, version, kind, workflow, risk, respondent_key, incident";

/// Every column of a `cases` row but the id, for a row written with its state already decided.
pub(crate) const FULL_CASE_COLUMNS: &str = "channel, external_id, received_at, registered_at, region_code, town_code, \
     title, body, category, amount_fen, people_count, lat, lon, status, version, kind, workflow, risk, respondent_key, \
     incident, lead_department, handling_level, due_at, paused, primary_case_id, resolved_level, agreement_check_at";

/// The columns a [`CaseRow`] reads, for `SELECT {CASE_FIELDS} FROM cases …`.
pub(crate) const CASE_FIELDS: &str = "id, channel, external_id, received_at, registered_at, region_code, title, body, \
     category, amount_fen, people_count, lat, lon, status, version, kind, workflow, incident";

pub(crate) const SELECT_CASE: &str = "SELECT id, channel, external_id, received_at, registered_at, region_code, title, body, \
     category, amount_fen, people_count, lat, lon, status, version, kind, workflow, incident FROM cases WHERE id = $1";

/// The parties of several cases, for lists: `… WHERE case_id IN (…)` follows.
pub(crate) const SELECT_PARTIES_OF: &str = "SELECT case_id, role, kind, name, id_hash, id_masked, id_sealed, \
     phone_hash, phone_masked, phone_sealed FROM parties";

pub(crate) const SELECT_PARTIES: &str = "SELECT role, kind, name, id_hash, id_masked, id_sealed, phone_hash, \
     phone_masked, phone_sealed FROM parties WHERE case_id = $1 ORDER BY position";

pub(crate) const PARTY_COLUMNS: &str =
    "case_id, position, role, kind, name, id_hash, id_masked, id_sealed, phone_hash, phone_masked, phone_sealed";

/// Records per insert statement: keeps every statement under SQLite's 32,766 bound parameters.
pub(crate) const CHUNK: usize = 500;

#[derive(sqlx::FromRow)]
pub(crate) struct CaseRow {
    id: i64,
    channel: String,
    external_id: String,
    received_at: DateTime<Utc>,
    registered_at: DateTime<Utc>,
    region_code: String,
    title: Option<String>,
    body: String,
    category: Option<String>,
    amount_fen: Option<i64>,
    people_count: Option<i64>,
    lat: Option<f64>,
    lon: Option<f64>,
    status: String,
    version: i64,
    kind: String,
    workflow: String,
    incident: Option<String>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct PartyRow {
    role: String,
    kind: String,
    name: Option<String>,
    id_hash: Option<String>,
    id_masked: Option<String>,
    /// NULL for parties registered before migration 0008.
    id_sealed: Option<String>,
    phone_hash: Option<String>,
    phone_masked: Option<String>,
    phone_sealed: Option<String>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct EventRow {
    case_id: i64,
    seq: i64,
    at: DateTime<Utc>,
    actor: String,
    kind: String,
    detail: String,
}

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

pub(crate) fn case_id(id: i64) -> Result<CaseId, StoreError> {
    CaseId::new(id).ok_or_else(|| corrupt(format!("case id {id}")))
}

impl CaseRow {
    pub(crate) fn id(&self) -> i64 {
        self.id
    }

    pub(crate) fn into_case(self, parties: Vec<PartyRow>) -> Result<Case, StoreError> {
        let id = case_id(self.id)?;
        let record = CaseRecord {
            channel: self.channel.parse().map_err(corrupt)?,
            external_id: ExternalId::parse(&self.external_id)
                .map_err(|e| corrupt(format!("case {id} external id {e}")))?,
            received_at: self.received_at,
            region: RegionCode::parse(&self.region_code).map_err(corrupt)?,
            title: self.title,
            text: CaseText::parse(&self.body).map_err(|e| corrupt(format!("case {id} text {e}")))?,
            parties: parties.into_iter().map(PartyRow::into_party).collect::<Result<_, _>>()?,
            kind: Some(self.kind.parse().map_err(corrupt)?),
            category: self.category,
            incident: self.incident.as_deref().map(str::parse).transpose().map_err(corrupt)?,
            amount: self.amount_fen.map(Yuan::from_fen).transpose().map_err(corrupt)?,
            people_count: self.people_count.map(u32::try_from).transpose().map_err(corrupt)?,
            location: match (self.lat, self.lon) {
                (Some(lat), Some(lon)) => {
                    Some(GeoPoint::new(lat, lon).ok_or_else(|| corrupt(format!("case {id} location")))?)
                }
                _ => None,
            },
        };
        Ok(Case {
            id,
            status: self.status.parse().map_err(corrupt)?,
            registered_at: self.registered_at,
            version: u32::try_from(self.version).map_err(corrupt)?,
            record,
            workflow: serde_json::from_str(&self.workflow)
                .map_err(|e| corrupt(format!("case {id} workflow state: {e}")))?,
        })
    }
}

/// The columns a [`CandidateRow`] reads: the case's (`c`), and one of its parties' (`p`, from a
/// left join: none when the case has no party).
pub(crate) const CANDIDATE_FIELDS: &str = "c.id, c.status, c.received_at, c.region_code, c.category, c.body, \
     c.respondent_key, c.primary_case_id, p.role, p.kind, p.name, p.id_hash, p.id_masked, p.id_sealed, p.phone_hash, \
     p.phone_masked, p.phone_sealed";

/// An earlier case as the matcher reads it, once per party.
#[derive(sqlx::FromRow)]
pub(crate) struct CandidateRow {
    id: i64,
    status: String,
    received_at: DateTime<Utc>,
    region_code: String,
    category: Option<String>,
    body: String,
    respondent_key: Option<String>,
    primary_case_id: Option<i64>,
    role: Option<String>,
    kind: Option<String>,
    name: Option<String>,
    id_hash: Option<String>,
    id_masked: Option<String>,
    /// NULL for parties registered before migration 0008.
    id_sealed: Option<String>,
    phone_hash: Option<String>,
    phone_masked: Option<String>,
    phone_sealed: Option<String>,
}

/// Folds the rows of each case (consecutive, one per party) into a candidate.
pub(crate) fn candidates(rows: Vec<CandidateRow>) -> Result<Vec<Candidate>, StoreError> {
    let mut candidates: Vec<Candidate> = Vec::new();
    for row in rows {
        let party = match (row.role, row.kind) {
            (Some(role), Some(kind)) => Some(
                PartyRow {
                    role,
                    kind,
                    name: row.name,
                    id_hash: row.id_hash,
                    id_masked: row.id_masked,
                    id_sealed: row.id_sealed,
                    phone_hash: row.phone_hash,
                    phone_masked: row.phone_masked,
                    phone_sealed: row.phone_sealed,
                }
                .into_party()?,
            ),
            _ => None,
        };
        let id = case_id(row.id)?;
        if candidates.last().is_none_or(|c| c.id != id) {
            candidates.push(Candidate {
                id,
                status: row.status.parse().map_err(corrupt)?,
                received_at: row.received_at,
                region: RegionCode::parse(&row.region_code).map_err(corrupt)?,
                category: row.category,
                text: row.body,
                respondent_key: row.respondent_key,
                linked: row.primary_case_id.is_some(),
                parties: Vec::new(),
            });
        }
        let candidate = candidates.last_mut().expect("pushed above");
        candidate.parties.extend(party);
    }
    Ok(candidates)
}

/// A party row of a list query, with its case.
#[derive(sqlx::FromRow)]
pub(crate) struct CasePartyRow {
    pub case_id: i64,
    #[sqlx(flatten)]
    pub party: PartyRow,
}

/// Joins list rows with their parties (ordered by case, then position).
pub(crate) fn cases_with_parties(rows: Vec<CaseRow>, parties: Vec<CasePartyRow>) -> Result<Vec<Case>, StoreError> {
    let mut by_case: std::collections::HashMap<i64, Vec<PartyRow>> = std::collections::HashMap::new();
    for p in parties {
        by_case.entry(p.case_id).or_default().push(p.party);
    }
    rows.into_iter()
        .map(|row| {
            let parties = by_case.remove(&row.id).unwrap_or_default();
            row.into_case(parties)
        })
        .collect()
}

impl PartyRow {
    fn into_party(self) -> Result<Party, StoreError> {
        let protected = |hash: Option<String>,
                         masked: Option<String>,
                         sealed: Option<String>,
                         kind: PiiKind|
         -> Result<_, StoreError> {
            match (hash, masked) {
                (Some(hash), Some(masked)) => Ok(Some(shanzhi_core::Protected {
                    hash: shanzhi_core::IdentityHash::parse(&hash).ok_or_else(|| corrupt("identity hash"))?,
                    masked,
                    sealed: sealed
                        .map(|s| {
                            shanzhi_core::Sealed::parse(&s)
                                .filter(|s| s.kind() == kind)
                                .ok_or_else(|| corrupt(format!("sealed {} value", kind.code())))
                        })
                        .transpose()?,
                })),
                _ => Ok(None),
            }
        };
        Ok(Party {
            role: self.role.parse::<PartyRole>().map_err(corrupt)?,
            kind: self.kind.parse::<PartyKind>().map_err(corrupt)?,
            name: self.name,
            id_number: protected(self.id_hash, self.id_masked, self.id_sealed, PiiKind::IdNumber)?,
            phone: protected(self.phone_hash, self.phone_masked, self.phone_sealed, PiiKind::Phone)?,
        })
    }
}

impl EventRow {
    pub(crate) fn into_event(self) -> Result<CaseEvent, StoreError> {
        Ok(CaseEvent {
            case_id: case_id(self.case_id)?,
            seq: u32::try_from(self.seq).map_err(corrupt)?,
            at: self.at,
            actor: self.actor,
            kind: events::decode(&self.kind, &self.detail)?,
        })
    }
}

/// The current time as both stores keep it: to the microsecond.
pub(crate) fn now() -> DateTime<Utc> {
    to_microseconds(Utc::now())
}

/// A time as both stores keep it, so that what is read back equals what was written.
pub(crate) fn to_microseconds(at: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::SubsecRound;
    at.trunc_subsecs(6)
}

/// The records of a chunk in (channel, external id) order.
pub(crate) fn sorted_by_key(chunk: &[NewCase]) -> Vec<&NewCase> {
    let mut sorted: Vec<&NewCase> = chunk.iter().collect();
    sorted.sort_by(|a, b| key(&a.record).cmp(&key(&b.record)));
    sorted
}

/// The (channel, external id) key of a record, as stored.
pub(crate) fn key(record: &CaseRecord) -> (&'static str, &str) {
    (record.channel.code(), record.external_id.as_str())
}

/// Matches a chunk of records with the ids the insert returned (`inserted`) and the ids of those
/// already in the ledger (`existing`). A record repeated in the chunk is registered once.
pub(crate) fn registrations(
    chunk: &[NewCase],
    inserted: Vec<(i64, String, String)>,
    existing: Vec<(i64, String, String)>,
) -> Result<Vec<Registration>, StoreError> {
    use std::collections::HashMap;
    let mut new: HashMap<(String, String), i64> = inserted.into_iter().map(|(id, c, e)| ((c, e), id)).collect();
    let old: HashMap<(String, String), i64> = existing.into_iter().map(|(id, c, e)| ((c, e), id)).collect();
    let mut seen: HashMap<(String, String), i64> = HashMap::new();
    chunk
        .iter()
        .map(|record| {
            let (channel, external_id) = key(&record.record);
            let k = (channel.to_owned(), external_id.to_owned());
            if let Some(id) = new.remove(&k) {
                seen.insert(k, id);
                return Ok(Registration::Registered(case_id(id)?));
            }
            match seen.get(&k).or_else(|| old.get(&k)) {
                Some(&id) => Ok(Registration::AlreadyPresent(case_id(id)?)),
                None => Err(corrupt(format!("record {channel}/{external_id} was neither inserted nor found"))),
            }
        })
        .collect()
}

/// The values of one `cases` row for a new record, in [`CASE_COLUMNS`] order.
pub(crate) struct NewCaseRow<'a> {
    pub channel: &'static str,
    pub external_id: &'a str,
    pub received_at: DateTime<Utc>,
    pub registered_at: DateTime<Utc>,
    pub region_code: String,
    pub town_code: Option<String>,
    pub title: Option<&'a str>,
    pub body: &'a str,
    pub category: Option<&'a str>,
    pub amount_fen: Option<i64>,
    pub people_count: Option<i64>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub status: &'static str,
    pub kind: &'static str,
    pub workflow: String,
    pub risk: &'static str,
    pub respondent_key: Option<&'a str>,
    pub incident: Option<&'static str>,
}

impl<'a> NewCaseRow<'a> {
    pub(crate) fn new(case: &'a NewCase, registered_at: DateTime<Utc>) -> Self {
        let record = &case.record;
        NewCaseRow {
            channel: record.channel.code(),
            external_id: record.external_id.as_str(),
            received_at: record.received_at,
            registered_at,
            region_code: record.region.to_string(),
            town_code: record.region.town().map(|t| t.to_string()),
            title: record.title.as_deref(),
            body: record.text.as_str(),
            category: record.category.as_deref(),
            amount_fen: record.amount.map(Yuan::fen),
            people_count: record.people_count.map(i64::from),
            lat: record.location.map(GeoPoint::lat),
            lon: record.location.map(GeoPoint::lon),
            status: shanzhi_core::CaseStatus::Registered.code(),
            kind: record.kind.unwrap_or(case.workflow.kind).code(),
            workflow: encode_workflow(&case.workflow),
            risk: case.workflow.risk.code(),
            respondent_key: case.workflow.respondent_key.as_deref(),
            incident: record.incident.map(shanzhi_core::Incident::code),
        }
    }
}

/// The values of one `parties` row, in [`PARTY_COLUMNS`] order.
pub(crate) struct NewPartyRow<'a> {
    pub case_id: i64,
    pub position: i64,
    pub role: &'static str,
    pub kind: &'static str,
    pub name: Option<&'a str>,
    pub id_hash: Option<&'a str>,
    pub id_masked: Option<&'a str>,
    pub id_sealed: Option<&'a str>,
    pub phone_hash: Option<&'a str>,
    pub phone_masked: Option<&'a str>,
    pub phone_sealed: Option<&'a str>,
}

/// The records of a chunk that were newly registered, with their ids.
pub(crate) fn registered<'a>(chunk: &'a [NewCase], registrations: &[Registration]) -> Vec<(i64, &'a NewCase)> {
    chunk
        .iter()
        .zip(registrations)
        .filter_map(|(record, reg)| match reg {
            Registration::Registered(id) => Some((id.get(), record)),
            Registration::AlreadyPresent(_) => None,
        })
        .collect()
}

/// The party rows of the newly registered records.
pub(crate) fn party_rows<'a>(registered: &[(i64, &'a NewCase)]) -> Vec<NewPartyRow<'a>> {
    registered
        .iter()
        .flat_map(|&(case_id, record)| {
            record.record.parties.iter().enumerate().map(move |(i, p)| NewPartyRow {
                case_id,
                position: i as i64,
                role: p.role.code(),
                kind: p.kind.code(),
                name: p.name.as_deref(),
                id_hash: p.id_number.as_ref().map(|x| x.hash.as_str()),
                id_masked: p.id_number.as_ref().map(|x| x.masked.as_str()),
                id_sealed: p.id_number.as_ref().and_then(|x| x.sealed.as_ref()).map(|s| s.as_str()),
                phone_hash: p.phone.as_ref().map(|x| x.hash.as_str()),
                phone_masked: p.phone.as_ref().map(|x| x.masked.as_str()),
                phone_sealed: p.phone.as_ref().and_then(|x| x.sealed.as_ref()).map(|s| s.as_str()),
            })
        })
        .collect()
}

fn encode_workflow(workflow: &Workflow) -> String {
    serde_json::to_string(workflow).expect("the workflow state serializes")
}

/// The columns of `cases` that follow from a case's state, written with every event.
pub(crate) struct Projection {
    pub status: &'static str,
    pub category: Option<String>,
    pub version: i64,
    pub workflow: String,
    pub kind: &'static str,
    pub lead_department: Option<String>,
    pub handling_level: Option<&'static str>,
    pub due_at: Option<DateTime<Utc>>,
    pub paused: bool,
    pub primary_case_id: Option<i64>,
    pub resolved_level: Option<&'static str>,
    /// The start (local midnight) of the day the next agreement term is to be checked.
    pub agreement_check_at: Option<DateTime<Utc>>,
    /// (department, role) of every handler.
    pub handlers: Vec<(String, &'static str)>,
}

pub(crate) const UPDATE_CASE: &str = "UPDATE cases SET status = $1, category = $2, version = $3, workflow = $4, \
     kind = $5, lead_department = $6, handling_level = $7, due_at = $8, paused = $9, primary_case_id = $10, \
     resolved_level = $11, agreement_check_at = $12 WHERE id = $13";

impl Projection {
    pub(crate) fn of(case: &Case) -> Self {
        let w = &case.workflow;
        let clock = w.clock.as_ref();
        let mut handlers = Vec::new();
        // A linked record is handled as its primary case: it leaves its handlers' inboxes.
        if let Some(r) = w.routing.as_ref().filter(|_| case.status != shanzhi_core::CaseStatus::Merged) {
            handlers.push((r.lead.clone(), "lead"));
            handlers.extend(r.co_handlers.iter().map(|t| (t.department.clone(), "co")));
        }
        Projection {
            status: case.status.code(),
            category: case.record.category.clone(),
            version: i64::from(case.version),
            workflow: encode_workflow(w),
            kind: case.record.kind.unwrap_or(w.kind).code(),
            lead_department: w.routing.as_ref().map(|r| r.lead.clone()),
            handling_level: w.routing.as_ref().map(|r| r.level.code()),
            due_at: clock.map(|c| c.due_at),
            paused: clock.is_some_and(|c| c.paused.is_some()),
            primary_case_id: w.link.as_ref().map(|l| l.primary.get()),
            resolved_level: case.resolved_level().map(|l| l.code()),
            agreement_check_at: w
                .next_agreement_check()
                .map(|day| shanzhi_core::calendar::end_of_day(day - chrono::Days::new(1))),
            handlers,
        }
    }
}
