//! What the assessment reads, in both dialects: the cases of a period with their histories up to
//! the cut-off, the period's warnings, and the history of star ratings.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use shanzhi_core::assessment::{CaseBasics, CaseFacts, StarRating, WarningFacts};
use shanzhi_core::warning::SubjectKind;
use shanzhi_core::{CaseEvent, EventKind, RegionCode};

use crate::StoreError;
use crate::rows::case_id;

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

/// The cases of the period [$1, $2): received in it; with a crime (民转刑) recorded in it; or
/// received before its end and handled in it (an event at or after its start, or still open), whose
/// stages the period judges.
const COHORT: &str = "(c.received_at >= $1 AND c.received_at < $2) OR c.id IN \
     (SELECT case_id FROM case_events WHERE kind = 'turned_criminal' AND at >= $1 AND at < $2) \
     OR (c.received_at < $2 AND (c.status NOT IN ('closed', 'merged') \
     OR c.id IN (SELECT case_id FROM case_events WHERE at >= $1)))";

/// The ids of the cohort, in order.
pub(crate) fn cohort_sql() -> String {
    format!("SELECT c.id FROM cases c WHERE {COHORT} ORDER BY c.id")
}

/// How many parts the cohort is read in: each part's rows are parsed and replayed while the
/// database answers the next, so the two cores share the work.
pub(crate) const PARTS: usize = 8;

/// `IN (1, 2, 3)` for a part of the cohort: ids are integers, written into the statement so that
/// a part of any size stays within the bound-parameter limits.
pub(crate) fn id_list(ids: &[i64]) -> String {
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    format!("IN ({})", list.join(","))
}

/// The columns of a [`BasicsRow`], in its fields' order.
pub(crate) const BASICS_COLUMNS: &str = "id, channel, received_at, region_code, kind, category, incident";

/// The cases whose id is `ids` (`IN (…)`, or `= ANY($1)`).
pub(crate) fn basics_sql(ids: &str) -> String {
    format!(
        "SELECT c.id, c.channel, c.received_at, c.region_code, c.kind, c.category, c.incident \
         FROM cases c WHERE c.id {ids}"
    )
}

/// The columns of an [`EventRow`], in its fields' order.
pub(crate) const EVENT_COLUMNS: &str = "case_id, seq, at, kind, detail";

/// The history of the cases whose id is `ids` before the cut-off (the parameter `cut_off`),
/// without the events the assessment ignores (`CaseFacts::IGNORED_EVENTS`). `detail` is the
/// dialect's expression for the detail as text.
pub(crate) fn events_sql(ids: &str, cut_off: &str, detail: &str) -> String {
    let ignored = CaseFacts::IGNORED_EVENTS.map(|k| format!("'{k}'")).join(", ");
    format!(
        "SELECT e.case_id, e.seq, e.at, e.kind, {detail} AS detail FROM case_events e \
         WHERE e.case_id {ids} AND e.at < {cut_off} AND e.kind NOT IN ({ignored})"
    )
}

#[derive(sqlx::FromRow, Deserialize)]
pub(crate) struct BasicsRow {
    id: i64,
    channel: String,
    received_at: DateTime<Utc>,
    region_code: String,
    kind: String,
    category: Option<String>,
    incident: Option<String>,
}

#[derive(sqlx::FromRow, Deserialize)]
pub(crate) struct EventRow {
    case_id: i64,
    seq: i64,
    at: DateTime<Utc>,
    kind: String,
    detail: String,
}

/// Decodes an event from its kind and detail in one parse: the assessment reads every event of
/// a year, and a round trip through `serde_json::Value` would cost as much as the rest.
fn decode_event(kind: &str, detail: &str) -> Result<EventKind, StoreError> {
    let fields = detail.trim();
    let json = match fields.strip_prefix('{').map(str::trim_start) {
        Some("}") => format!("{{\"kind\":\"{kind}\"}}"),
        Some(rest) => format!("{{\"kind\":\"{kind}\",{rest}"),
        None => return Err(corrupt(format!("event `{kind}` with detail {detail}"))),
    };
    serde_json::from_str(&json).map_err(|e| corrupt(format!("event `{kind}` with detail {detail}: {e}")))
}

/// The result of a blocking task: its panic goes on up as a panic, not as a store error.
pub(crate) fn joined<T>(result: Result<T, tokio::task::JoinError>) -> Result<T, StoreError> {
    match result {
        Ok(value) => Ok(value),
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => Err(StoreError::Corrupt(format!("assessment cases: {e}"))),
    }
}

/// Folds each case's history into its facts at `cut_off`, by case id.
pub(crate) fn facts(
    mut basics: Vec<BasicsRow>,
    mut events: Vec<EventRow>,
    cut_off: DateTime<Utc>,
) -> Result<Vec<CaseFacts>, StoreError> {
    basics.sort_unstable_by_key(|b| b.id);
    events.sort_unstable_by_key(|e| (e.case_id, e.seq));
    let mut out = Vec::with_capacity(basics.len());
    let mut history: Vec<CaseEvent> = Vec::new();
    let mut next = 0;
    for row in basics {
        let id = case_id(row.id)?;
        history.clear();
        next += events[next..].partition_point(|e| e.case_id < row.id);
        while let Some(e) = events.get(next).filter(|e| e.case_id == row.id) {
            history.push(CaseEvent {
                case_id: id,
                seq: u32::try_from(e.seq).map_err(corrupt)?,
                at: e.at,
                actor: String::new(),
                kind: decode_event(&e.kind, &e.detail)?,
            });
            next += 1;
        }
        let basics = CaseBasics {
            id,
            channel: row.channel.parse().map_err(corrupt)?,
            received_at: row.received_at,
            region: RegionCode::parse(&row.region_code).map_err(corrupt)?,
            kind: row.kind.parse().map_err(corrupt)?,
            category: row.category,
            incident: row.incident.as_deref().map(str::parse).transpose().map_err(corrupt)?,
        };
        out.push(CaseFacts::from_history(basics, &history, cut_off));
    }
    Ok(out)
}

/// The warnings raised in [$1, $2), with the time of the first action of staff on each before
/// the cut-off $3 (an action after it is not yet known to the period's assessment).
pub(crate) const WARNINGS_SQL: &str = "SELECT w.id, w.model, w.level, w.subject_kind, w.subject_key, w.subject_label, \
     w.raised_at, w.case_ids, (SELECT MIN(e.at) FROM warning_events e WHERE e.warning_id = w.id \
     AND e.action NOT IN ('raised', 'updated') AND e.at < $3) AS first_action_at \
     FROM warnings w WHERE w.raised_at >= $1 AND w.raised_at < $2 ORDER BY w.id";

#[derive(sqlx::FromRow)]
pub(crate) struct WarningRow {
    id: i64,
    model: String,
    level: String,
    subject_kind: String,
    subject_key: String,
    subject_label: String,
    raised_at: DateTime<Utc>,
    case_ids: String,
    first_action_at: Option<DateTime<Utc>>,
}

impl WarningRow {
    /// The warning, and the ids of its cases whose regions the caller looks up.
    pub(crate) fn into_facts(self) -> Result<WarningFacts, StoreError> {
        let ids: Vec<i64> = serde_json::from_str(&self.case_ids).map_err(corrupt)?;
        let subject_kind: SubjectKind = self.subject_kind.parse().map_err(corrupt)?;
        let regions = match subject_kind {
            SubjectKind::Region => RegionCode::parse(&self.subject_key).ok().into_iter().collect(),
            _ => Vec::new(),
        };
        Ok(WarningFacts {
            id: self.id,
            model: self.model.parse().map_err(corrupt)?,
            level: self.level.parse().map_err(corrupt)?,
            subject: self.subject_label,
            raised_at: self.raised_at,
            first_action_at: self.first_action_at,
            regions,
            case_ids: ids.into_iter().map(case_id).collect::<Result<_, _>>()?,
        })
    }
}

/// Adds the regions of each warning's cases to it, from `(id, region_code)` rows.
pub(crate) fn with_regions(warnings: &mut [WarningFacts], regions: &[(i64, String)]) -> Result<(), StoreError> {
    let regions: std::collections::HashMap<i64, &str> = regions.iter().map(|(id, r)| (*id, r.as_str())).collect();
    for w in warnings {
        for id in &w.case_ids {
            if let Some(code) = regions.get(&id.get()) {
                let code = RegionCode::parse(code).map_err(corrupt)?;
                if !w.regions.contains(&code) {
                    w.regions.push(code);
                }
            }
        }
    }
    Ok(())
}

/// A star rating as recorded: the period it rates and when it was computed.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedRating {
    pub period: String,
    pub computed_at: DateTime<Utc>,
    pub rating: StarRating,
}

pub(crate) const INSERT_RATING: &str = "INSERT INTO star_ratings \
     (period, village_code, scheme, scheme_version, stars, score, breakdown, computed_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

/// The latest rating of each village for the period $1.
pub(crate) const LATEST_RATINGS: &str = "SELECT period, computed_at, breakdown FROM star_ratings s \
     WHERE period = $1 AND id = (SELECT MAX(id) FROM star_ratings t WHERE t.period = $1 \
     AND t.village_code = s.village_code) ORDER BY village_code";

/// Every rating of the village $1, the latest first.
pub(crate) const VILLAGE_RATINGS: &str =
    "SELECT period, computed_at, breakdown FROM star_ratings WHERE village_code = $1 ORDER BY id DESC";

#[derive(sqlx::FromRow)]
pub(crate) struct RatingRow {
    period: String,
    computed_at: DateTime<Utc>,
    breakdown: String,
}

impl RatingRow {
    pub(crate) fn into_recorded(self) -> Result<RecordedRating, StoreError> {
        Ok(RecordedRating {
            period: self.period,
            computed_at: self.computed_at,
            rating: serde_json::from_str(&self.breakdown).map_err(corrupt)?,
        })
    }
}

pub(crate) fn breakdown(rating: &StarRating) -> String {
    serde_json::to_string(rating).expect("ratings serialize")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_part_of_the_cohort_is_an_integer_list() {
        assert_eq!(id_list(&[3, 14, 159]), "IN (3,14,159)");
    }

    #[test]
    fn events_decode_in_one_parse_as_the_store_wrote_them() {
        for kind in [
            EventKind::Registered { channel: shanzhi_core::Channel::Police },
            EventKind::LinkConfirmed,
            EventKind::Reopened { reason: "未履行".into(), due_at: chrono::DateTime::UNIX_EPOCH },
        ] {
            assert_eq!(decode_event(kind.code(), &crate::events::encode(&kind)).unwrap(), kind);
        }
        assert!(decode_event("registered", "not json").is_err());
    }
}
