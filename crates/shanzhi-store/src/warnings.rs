//! Warnings and the case summaries the warning models read, as both dialects store them: the SQL
//! (with `$n` placeholders, which both take), the rows, and the decisions on them (what a rerun
//! does with a stored warning, what a lifecycle action writes), so that each store only executes.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Value, json};
use shanzhi_core::warning::{
    CaseSummary, Factor, Rerun, Statistic, Subject, Warning, WarningAction, WarningLevel, WarningModel, WarningState,
};

use crate::StoreError;
use crate::query::{Arg, Page, Sql};
use crate::rows::case_id;

/// Who the history names for what a run of the warning models wrote.
pub const WARNING_RUN_ACTOR: &str = "system:warnings";

/// What one run of the warning models did (see [`crate::Store::record_warnings`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WarningRunOutcome {
    /// Warnings raised by this run, by id.
    pub raised: Vec<i64>,
    /// Open warnings this run found again and updated.
    pub updated: Vec<i64>,
    /// Situations found again that stay dismissed (not above the level they were dismissed at).
    pub ignored: usize,
}

/// Which warnings a list shows. Every field narrows it; none gives every warning.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WarningFilter {
    pub state: Option<WarningState>,
    /// Only raised, acknowledged or plan-activated warnings.
    pub open_only: bool,
    pub model: Option<WarningModel>,
    /// This level or above.
    pub min_level: Option<WarningLevel>,
}

/// A page of warnings and how many match in all.
#[derive(Debug, Clone, PartialEq)]
pub struct WarningPage {
    pub total: u64,
    pub items: Vec<StoredWarning>,
}

/// A warning as the ledger keeps it: what the latest run that found it said (`warning`, whose
/// `as_of` is `last_seen_on`), and where staff have taken it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredWarning {
    pub id: i64,
    pub warning: Warning,
    pub state: WarningState,
    /// The activated contingency plan's code.
    pub plan: Option<String>,
    /// The plan's tasks, as the caller gave them when activating it.
    pub plan_tasks: Option<Value>,
    /// The `as_of` of the first and of the latest run that found it.
    pub first_seen_on: NaiveDate,
    pub last_seen_on: NaiveDate,
    pub raised_at: DateTime<Utc>,
    /// The number of its history events: a lifecycle action decided on an older one is refused.
    pub version: u32,
}

/// One entry of a warning's history: `raised` and `updated` by runs, then staff's actions
/// (`acknowledge`, `activate_plan`, `resolve`, `dismiss`) with the action as `detail`.
#[derive(Debug, Clone, PartialEq)]
pub struct WarningEvent {
    pub seq: u32,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub detail: Value,
}

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

/// The columns a [`WarningRow`] reads.
macro_rules! warning_fields {
    () => {
        "id, situation_key, model, level, subject_kind, subject_key, subject_label, score, statistic, factors, \
         explanation, case_ids, since, first_seen_on, last_seen_on, state, plan, plan_tasks, version, raised_at"
    };
}

pub(crate) const SELECT_WARNING: &str = concat!("SELECT ", warning_fields!(), " FROM warnings WHERE id = $1");

/// The same, row-locked (PostgreSQL; SQLite's write transaction holds the whole database).
pub(crate) const SELECT_WARNING_FOR_UPDATE: &str =
    concat!("SELECT ", warning_fields!(), " FROM warnings WHERE id = $1 FOR UPDATE");

/// The latest warning of a situation: the one a new run compares with.
pub(crate) const SELECT_LATEST: &str =
    concat!("SELECT ", warning_fields!(), " FROM warnings WHERE situation_key = $1 ORDER BY id DESC LIMIT 1");

pub(crate) const INSERT_WARNING: &str = "INSERT INTO warnings (situation_key, model, level, subject_kind, \
     subject_key, subject_label, score, statistic, factors, explanation, case_ids, since, first_seen_on, \
     last_seen_on, state, version, raised_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id";

/// What a run that finds an open warning again writes (the subject's key and model are its identity).
pub(crate) const UPDATE_FOUND: &str = "UPDATE warnings SET level = $1, subject_label = $2, score = $3, \
     statistic = $4, factors = $5, explanation = $6, case_ids = $7, since = $8, last_seen_on = $9, version = $10 \
     WHERE id = $11";

pub(crate) const UPDATE_STATE: &str =
    "UPDATE warnings SET state = $1, plan = $2, plan_tasks = $3, version = $4 WHERE id = $5";

pub(crate) const INSERT_EVENT: &str =
    "INSERT INTO warning_events (warning_id, seq, at, actor, action, detail) VALUES ($1, $2, $3, $4, $5, $6)";

pub(crate) const SELECT_EVENTS: &str =
    "SELECT seq, at, actor, action, detail FROM warning_events WHERE warning_id = $1 ORDER BY seq";

#[derive(sqlx::FromRow)]
pub(crate) struct WarningRow {
    id: i64,
    situation_key: String,
    model: String,
    level: String,
    subject_kind: String,
    subject_key: String,
    subject_label: String,
    score: f64,
    statistic: String,
    factors: String,
    explanation: String,
    case_ids: String,
    since: NaiveDate,
    first_seen_on: NaiveDate,
    last_seen_on: NaiveDate,
    state: String,
    plan: Option<String>,
    plan_tasks: Option<String>,
    version: i64,
    raised_at: DateTime<Utc>,
}

impl WarningRow {
    pub(crate) fn into_stored(self) -> Result<StoredWarning, StoreError> {
        let id = self.id;
        let json = |what: &str, text: &str| -> Result<Value, StoreError> {
            serde_json::from_str(text).map_err(|e| corrupt(format!("warning {id} {what}: {e}")))
        };
        let statistic: Statistic = serde_json::from_value(json("statistic", &self.statistic)?)
            .map_err(|e| corrupt(format!("warning {id} statistic: {e}")))?;
        let factors: Vec<Factor> = serde_json::from_value(json("factors", &self.factors)?)
            .map_err(|e| corrupt(format!("warning {id} factors: {e}")))?;
        let case_ids = serde_json::from_value(json("case ids", &self.case_ids)?)
            .map_err(|e| corrupt(format!("warning {id} case ids: {e}")))?;
        let warning = Warning {
            model: self.model.parse().map_err(corrupt)?,
            level: self.level.parse().map_err(corrupt)?,
            subject: Subject {
                kind: self.subject_kind.parse().map_err(corrupt)?,
                key: self.subject_key,
                label: self.subject_label,
            },
            score: self.score,
            statistic,
            factors,
            explanation: self.explanation,
            case_ids,
            since: self.since,
            as_of: self.last_seen_on,
        };
        if warning.situation_key() != self.situation_key {
            return Err(corrupt(format!(
                "warning {id} situation key {} disagrees with its subject",
                self.situation_key
            )));
        }
        Ok(StoredWarning {
            id,
            warning,
            state: self.state.parse().map_err(corrupt)?,
            plan: self.plan,
            plan_tasks: self.plan_tasks.as_deref().map(|t| json("plan tasks", t)).transpose()?,
            first_seen_on: self.first_seen_on,
            last_seen_on: self.last_seen_on,
            raised_at: self.raised_at,
            version: u32::try_from(self.version).map_err(corrupt)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct WarningEventRow {
    seq: i64,
    at: DateTime<Utc>,
    actor: String,
    action: String,
    detail: String,
}

impl WarningEventRow {
    pub(crate) fn into_event(self) -> Result<WarningEvent, StoreError> {
        let detail = serde_json::from_str(&self.detail)
            .map_err(|e| corrupt(format!("warning event `{}` detail: {e}", self.action)))?;
        Ok(WarningEvent {
            seq: u32::try_from(self.seq).map_err(corrupt)?,
            at: self.at,
            actor: self.actor,
            action: self.action,
            detail,
        })
    }
}

/// A warning's columns as [`INSERT_WARNING`] and [`UPDATE_FOUND`] bind them.
pub(crate) struct Found<'a> {
    pub situation_key: String,
    pub model: &'static str,
    pub level: &'static str,
    pub subject_kind: &'static str,
    pub subject_key: &'a str,
    pub subject_label: &'a str,
    pub score: f64,
    pub statistic: String,
    pub factors: String,
    pub explanation: &'a str,
    pub case_ids: String,
    pub since: NaiveDate,
}

impl<'a> Found<'a> {
    pub(crate) fn of(w: &'a Warning) -> Self {
        Found {
            situation_key: w.situation_key(),
            model: w.model.code(),
            level: w.level.code(),
            subject_kind: w.subject.kind.code(),
            subject_key: &w.subject.key,
            subject_label: &w.subject.label,
            score: w.score,
            statistic: serde_json::to_string(&w.statistic).expect("a statistic serializes"),
            factors: serde_json::to_string(&w.factors).expect("factors serialize"),
            explanation: &w.explanation,
            case_ids: serde_json::to_string(&w.case_ids).expect("case ids serialize"),
            since: w.since,
        }
    }
}

/// What a run does with one warning it found, given the latest stored one of its situation.
pub(crate) enum Step {
    /// A new warning: inserted as raised, with its `raised` event (its detail here).
    Raise { detail: String },
    /// The open warning `id` is updated to what the run found; when the level or the number of
    /// cases changed, with an `updated` event (its detail here) and the next version.
    Update { id: i64, version: u32, event: Option<String>, since: NaiveDate },
    /// It stays dismissed, or resolved with no new case, or a later run already saw it.
    Ignore,
}

pub(crate) fn step(stored: Option<&StoredWarning>, found: &Warning) -> Step {
    let raise = || Step::Raise {
        detail: json!({
            "level": found.level.code(),
            "score": found.score,
            "cases": found.case_ids.len(),
            "as_of": found.as_of,
        })
        .to_string(),
    };
    let Some(stored) = stored else { return raise() };
    // A run for an earlier day (a backfill) does not overwrite what a later run found.
    if found.as_of < stored.last_seen_on && stored.state.is_open() {
        return Step::Ignore;
    }
    let new_cases = found.case_ids.iter().any(|id| !stored.warning.case_ids.contains(id));
    match stored.state.on_rerun(stored.warning.level, found.level, new_cases) {
        Rerun::Ignore => Step::Ignore,
        Rerun::RaiseNew => raise(),
        Rerun::Update => {
            let (before, after) = (stored.warning.case_ids.len(), found.case_ids.len());
            let changed = stored.warning.level != found.level || before != after;
            let event = changed.then(|| {
                json!({
                    "from": stored.warning.level.code(),
                    "to": found.level.code(),
                    "cases_before": before,
                    "cases": after,
                    "as_of": found.as_of,
                })
                .to_string()
            });
            Step::Update {
                id: stored.id,
                version: stored.version + u32::from(changed),
                event,
                // The situation began with its earliest case, whichever run saw it.
                since: stored.warning.since.min(found.since),
            }
        }
    }
}

/// The warning after `action`, and the detail of the event that records it.
pub(crate) fn act(
    stored: &StoredWarning,
    action: &WarningAction,
    plan_tasks: Option<Value>,
) -> Result<(StoredWarning, String), StoreError> {
    let mut after = stored.clone();
    after.state = action.apply(stored.state)?;
    if let WarningAction::ActivatePlan { plan } = action {
        after.plan = Some(plan.clone());
        after.plan_tasks = plan_tasks;
    }
    after.version += 1;
    let detail = serde_json::to_string(action).expect("an action serializes");
    Ok((after, detail))
}

/// `plan_tasks` as the column keeps it.
pub(crate) fn tasks_text(tasks: Option<&Value>) -> Option<String> {
    tasks.map(Value::to_string)
}

fn bind(sql: &mut Sql, arg: Arg) -> String {
    sql.args.push(arg);
    format!("${}", sql.args.len())
}

/// `SQL IN (…)` list of codes: they are the domain's own constants, so written literally (which
/// also lets the planner use the partial index of open warnings).
fn codes(codes: impl Iterator<Item = &'static str>) -> String {
    codes.map(|c| format!("'{c}'")).collect::<Vec<_>>().join(", ")
}

/// The open states, as the partial unique index names them.
fn open_states() -> String {
    codes(WarningState::ALL.into_iter().filter(|s| s.is_open()).map(WarningState::code))
}

fn warning_where(filter: &WarningFilter, sql: &mut Sql) -> String {
    let mut conditions = Vec::new();
    if let Some(state) = filter.state {
        conditions.push(format!("state = {}", bind(sql, Arg::Text(state.code().into()))));
    }
    if filter.open_only {
        conditions.push(format!("state IN ({})", open_states()));
    }
    if let Some(model) = filter.model {
        conditions.push(format!("model = {}", bind(sql, Arg::Text(model.code().into()))));
    }
    if let Some(min) = filter.min_level {
        let levels = WarningLevel::ALL.into_iter().filter(|l| *l >= min).map(WarningLevel::code);
        conditions.push(format!("level IN ({})", codes(levels)));
    }
    if conditions.is_empty() { String::new() } else { format!(" WHERE {}", conditions.join(" AND ")) }
}

/// The page's rows (most severe first, then most recently seen), and the count of all matches.
pub(crate) fn list(filter: &WarningFilter, page: Page) -> (Sql, Sql) {
    let mut rows = Sql::default();
    let clause = warning_where(filter, &mut rows);
    let rank: String =
        WarningLevel::ALL.iter().enumerate().map(|(i, l)| format!(" WHEN '{}' THEN {i}", l.code())).collect();
    let limit = bind(&mut rows, Arg::Int(i64::from(page.limit.min(Page::MAX_LIMIT))));
    let offset = bind(&mut rows, Arg::Int(i64::try_from(page.offset).unwrap_or(i64::MAX)));
    rows.text = format!(
        concat!(
            "SELECT ",
            warning_fields!(),
            " FROM warnings{} ORDER BY CASE level{} END DESC, last_seen_on DESC, id DESC LIMIT {} OFFSET {}"
        ),
        clause, rank, limit, offset
    );
    let mut count = Sql::default();
    let clause = warning_where(filter, &mut count);
    count.text = format!("SELECT COUNT(*) FROM warnings{clause}");
    (rows, count)
}

/// The columns of a [`SummaryRow`], in its fields' order.
pub(crate) const SUMMARY_COLUMNS: &str = "id, received_at, channel, region_code, category, respondent_key, \
     people_count, amount_fen, risk, status, primary_case_id, body, mediation_failed";

/// The cases received in [$1, $2) (in no order: [`summaries`] sorts them), with their text when
/// received at or after $3. `failed` is the dialect's expression for "the workflow's resolution
/// outcome is no_agreement"; it may read only `workflow`.
pub(crate) fn summary_cases_sql(failed: &str) -> String {
    format!(
        "SELECT id, received_at, channel, region_code, category, respondent_key, people_count, amount_fen, risk, \
         status, primary_case_id, CASE WHEN received_at >= $3 THEN body END AS body, {failed} AS mediation_failed \
         FROM cases WHERE received_at >= $1 AND received_at < $2"
    )
}

/// The columns of a [`SummaryPartyRow`], in its fields' order.
pub(crate) const SUMMARY_PARTY_COLUMNS: &str = "case_id, position, respondent, value";

/// Of the parties of the same cases, only what a summary takes: an organisation respondent's
/// name, or another party's identity hash (ID, else phone). Reading costs per row and per value,
/// so the rest stays in the database.
pub(crate) fn summary_parties_sql() -> String {
    use shanzhi_core::case::{PartyKind, PartyRole};
    let respondent = PartyRole::Respondent.code();
    let organization = PartyKind::Organization.code();
    format!(
        "SELECT p.case_id, p.position, p.role = '{respondent}' AS respondent, \
         CASE WHEN p.role = '{respondent}' THEN p.name ELSE COALESCE(p.id_hash, p.phone_hash) END AS value \
         FROM cases c JOIN parties p ON p.case_id = c.id \
         WHERE c.received_at >= $1 AND c.received_at < $2 \
         AND ((p.role = '{respondent}' AND p.kind = '{organization}' AND p.name IS NOT NULL) \
         OR (p.role <> '{respondent}' AND (p.id_hash IS NOT NULL OR p.phone_hash IS NOT NULL)))"
    )
}

/// A case as a summary reads it: a row (PostgreSQL), or an array of a JSON document (SQLite).
#[derive(sqlx::FromRow, serde::Deserialize)]
pub(crate) struct SummaryRow {
    id: i64,
    received_at: DateTime<Utc>,
    channel: String,
    region_code: String,
    category: Option<String>,
    respondent_key: Option<String>,
    people_count: Option<i64>,
    amount_fen: Option<i64>,
    risk: String,
    status: String,
    primary_case_id: Option<i64>,
    body: Option<String>,
    #[serde(deserialize_with = "flag")]
    mediation_failed: bool,
}

#[derive(sqlx::FromRow, serde::Deserialize)]
pub(crate) struct SummaryPartyRow {
    case_id: i64,
    position: i64,
    #[serde(deserialize_with = "flag")]
    respondent: bool,
    /// The respondent's name, or the other party's identity hash.
    value: String,
}

/// A truth value as SQLite's JSON writes it: 0 or 1.
fn flag<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    use serde::Deserialize;
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Flag {
        Bool(bool),
        Int(i64),
    }
    Ok(match Flag::deserialize(d)? {
        Flag::Bool(b) => b,
        Flag::Int(i) => i != 0,
    })
}

/// Joins the case rows with their party rows, oldest case first.
pub(crate) fn summaries(
    mut rows: Vec<SummaryRow>,
    mut parties: Vec<SummaryPartyRow>,
) -> Result<Vec<(CaseSummary, Option<String>)>, StoreError> {
    // Sorted here rather than by the queries: the rows mostly come in this order already, which
    // the sort takes in one pass, and a sort in SQL would cost more than reading.
    rows.sort_unstable_by_key(|r| (r.received_at, r.id));
    parties.sort_unstable_by_key(|p| (p.case_id, p.position));
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let id = case_id(row.id)?;
        let (mut respondent_name, mut complainants) = (None, Vec::<String>::new());
        let first = parties.partition_point(|p| p.case_id < row.id);
        for p in parties[first..].iter().take_while(|p| p.case_id == row.id) {
            if p.respondent {
                respondent_name.get_or_insert_with(|| p.value.clone());
            } else if !complainants.contains(&p.value) {
                complainants.push(p.value.clone());
            }
        }
        let summary = CaseSummary {
            id,
            day: shanzhi_core::calendar::local_date(row.received_at),
            channel: row.channel.parse().map_err(corrupt)?,
            region: shanzhi_core::RegionCode::parse(&row.region_code).map_err(corrupt)?,
            category: row.category,
            respondent_key: row.respondent_key,
            respondent_name,
            complainants,
            people_count: row.people_count.map(u32::try_from).transpose().map_err(corrupt)?,
            amount_yuan: row.amount_fen.map(|fen| fen as f64 / 100.0),
            risk: row.risk.parse().map_err(corrupt)?,
            signals: Vec::new(),
            status: row.status.parse().map_err(corrupt)?,
            primary: row.primary_case_id.map(case_id).transpose()?,
            mediation_failed: row.mediation_failed,
        };
        out.push((summary, row.body));
    }
    Ok(out)
}
