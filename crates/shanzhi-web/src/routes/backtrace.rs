//! 倒查 (back-trace): for a warning's cases, or for one case, the earlier cases related to them
//! and how each was handled, so that staff see whether the situation was visible before.
//!
//! Related means received before the latest of the seed cases, not a seed itself, and sharing
//! with a seed a person (a party's keyed ID or phone hash), the respondent (its name key), or the
//! place and the matter (the same village and category). Nothing personal is written: no party
//! at all, and the title as the ledger keeps it (masked).

use std::collections::{BTreeMap, HashSet};

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use shanzhi_core::workflow::{self, Outcome, Workflow};
use shanzhi_core::{Case, CaseId, EventKind, IdentityHash, RegionLevel};
use shanzhi_store::{CaseFilter, CaseOrder, Page};

use super::cases::parse_case_id;
use super::render::case_number;
use crate::auth::Caller;
use crate::{ApiError, AppState};
use shanzhi_core::access::Permission;

/// The seed cases read of a warning: a mass event may name thousands.
const MAX_SEEDS: usize = 200;
/// The related cases listed, oldest first.
const MAX_LISTED: usize = 100;
/// The cases read per piece of evidence (one identity, one respondent, one place and matter).
const MAX_PER_EVIDENCE: u32 = Page::MAX_LIMIT;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/warnings/{id}/backtrace", get(of_warning)).route("/cases/{id}/backtrace", get(of_case))
}

/// `GET /api/v1/warnings/{id}/backtrace`.
/// The back-trace (倒查) reaches across towns and departments: it is the command centre's tool,
/// for the roles that read warnings.
async fn of_warning(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Permission::ReadWarnings)?;
    let id = super::warnings::parse_warning_id(&id)?;
    let (stored, _) = super::warnings::load(&state, id).await?;
    let ids = &stored.warning.case_ids;
    // The first ones and the latest: the latest bounds what "earlier" means.
    let chosen = if ids.len() > MAX_SEEDS {
        ids[..MAX_SEEDS - 1].iter().chain(ids.last()).copied().collect()
    } else {
        ids.clone()
    };
    let mut seeds = Vec::with_capacity(chosen.len());
    for case_id in chosen {
        if let Some(case) = state.store.case(case_id).await? {
            seeds.push(case);
        }
    }
    let mut json = backtrace(&state, &seeds, ids, Utc::now()).await?;
    json["warning_id"] = json!(id);
    Ok(Json(json))
}

/// `GET /api/v1/cases/{id}/backtrace`.
async fn of_case(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Permission::ReadWarnings)?;
    let id = parse_case_id(&id)?;
    let case = crate::workflow::load(&state, id).await?;
    let mut json = backtrace(&state, std::slice::from_ref(&case), &[id], Utc::now()).await?;
    json["case_id"] = json!(id.get());
    Ok(Json(json))
}

/// How a related case relates to the seeds.
#[derive(Default)]
struct Relations {
    same_person: bool,
    same_respondent: bool,
    same_place_and_matter: bool,
}

impl Relations {
    fn codes_and_labels(&self) -> (Vec<&'static str>, Vec<&'static str>) {
        [
            (self.same_person, "same_person", "同一当事人"),
            (self.same_respondent, "same_respondent", "同一被反映单位"),
            (self.same_place_and_matter, "same_place_and_matter", "同村同类事项"),
        ]
        .into_iter()
        .filter(|(found, ..)| *found)
        .map(|(_, code, label)| (code, label))
        .unzip()
    }
}

/// What was found: the related cases by id, and whether every piece of evidence was read whole.
struct Found {
    cases: BTreeMap<CaseId, (Case, Relations)>,
    complete: bool,
}

impl Found {
    fn add(&mut self, case: Case, mark: fn(&mut Relations)) {
        let (_, relations) = self.cases.entry(case.id).or_insert_with(|| (case, Relations::default()));
        mark(relations);
    }
}

async fn backtrace(
    state: &AppState,
    seeds: &[Case],
    seed_ids: &[CaseId],
    now: DateTime<Utc>,
) -> Result<Value, ApiError> {
    let seed_ids: HashSet<CaseId> = seed_ids.iter().copied().collect();
    let Some(latest) = seeds.iter().map(|c| c.record.received_at).max() else {
        return answer(state, Vec::new(), (seed_ids.len(), 0), true, None, now).await;
    };
    let earlier = |case: &Case| case.record.received_at < latest && !seed_ids.contains(&case.id);
    let mut found = Found { cases: BTreeMap::new(), complete: true };

    // The same person: any party's keyed ID or phone hash.
    let mut hashes: Vec<&IdentityHash> = Vec::new();
    for protected in seeds.iter().flat_map(|c| &c.record.parties).flat_map(|p| [p.id_number.as_ref(), p.phone.as_ref()])
    {
        if let Some(p) = protected
            && !hashes.contains(&&p.hash)
        {
            hashes.push(&p.hash);
        }
    }
    let mut of_person: Vec<CaseId> = Vec::new();
    for hash in hashes {
        let ids = state.store.cases_of_identity(hash).await?;
        if ids.len() > MAX_PER_EVIDENCE as usize {
            found.complete = false;
        }
        // In id order: the first registered first.
        for id in ids.into_iter().take(MAX_PER_EVIDENCE as usize) {
            if !seed_ids.contains(&id) && !of_person.contains(&id) {
                of_person.push(id);
            }
        }
    }
    for id in of_person {
        if let Some(case) = state.store.case(id).await?
            && earlier(&case)
        {
            found.add(case, |r| r.same_person = true);
        }
    }

    // The same respondent.
    let mut keys: Vec<&str> = Vec::new();
    for key in seeds.iter().filter_map(|c| c.workflow.respondent_key.as_deref()) {
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    for key in keys {
        let filter =
            CaseFilter { respondent_key: Some(key.to_owned()), received_before: Some(latest), ..CaseFilter::default() };
        for case in earliest(state, &filter, &mut found.complete).await?.into_iter().filter(earlier) {
            found.add(case, |r| r.same_respondent = true);
        }
    }

    // The same place and matter: a village and a category (a town, or no category, is too wide).
    let mut places: Vec<(shanzhi_core::RegionCode, &str)> = Vec::new();
    for case in seeds {
        if let Some(category) = case.record.category.as_deref()
            && case.record.region.level() == RegionLevel::Village
            && !places.contains(&(case.record.region, category))
        {
            places.push((case.record.region, category));
        }
    }
    for (region, category) in places {
        let filter = CaseFilter {
            region: Some(region),
            category: Some(category.to_owned()),
            received_before: Some(latest),
            ..CaseFilter::default()
        };
        for case in earliest(state, &filter, &mut found.complete).await?.into_iter().filter(earlier) {
            found.add(case, |r| r.same_place_and_matter = true);
        }
    }

    let mut related: Vec<(Case, Relations)> = found.cases.into_values().collect();
    related.sort_by_key(|(c, _)| (c.record.received_at, c.id));
    answer(state, related, (seed_ids.len(), seeds.len()), found.complete, Some(latest), now).await
}

/// The oldest cases the filter selects (at most [`MAX_PER_EVIDENCE`]); clears `complete` when
/// there were more.
async fn earliest(state: &AppState, filter: &CaseFilter, complete: &mut bool) -> Result<Vec<Case>, ApiError> {
    let limit = MAX_PER_EVIDENCE;
    let first = state.store.list_cases(filter, CaseOrder::Received, Page { limit, offset: 0 }).await?;
    if first.total <= u64::from(limit) {
        return Ok(first.cases);
    }
    *complete = false;
    // Newest first: the oldest are on the last page.
    let offset = first.total - u64::from(limit);
    Ok(state.store.list_cases(filter, CaseOrder::Received, Page { limit, offset }).await?.cases)
}

async fn answer(
    state: &AppState,
    related: Vec<(Case, Relations)>,
    (seeds, seeds_read): (usize, usize),
    complete: bool,
    before: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<Value, ApiError> {
    let total = related.len();
    let mut counts = Counts::default();
    for (case, _) in &related {
        counts.count(case, now);
    }
    let mut items = Vec::with_capacity(total.min(MAX_LISTED));
    for (case, relations) in related.iter().take(MAX_LISTED) {
        let history = state.store.history(case.id).await?;
        items.push(related_json(state, case, relations, &history, now));
    }
    Ok(json!({
        "seeds": seeds,
        "seeds_read": seeds_read,
        "before": before.map(|b| b.to_rfc3339()),
        "total": total,
        "truncated": !complete || total > MAX_LISTED,
        "counts": {
            "resolved": counts.resolved,
            "no_agreement": counts.no_agreement,
            "open": counts.open,
            "overdue": counts.overdue,
        },
        "summary": counts.summary(total, complete),
        "items": items,
    }))
}

/// How the related cases ended, for the summary.
#[derive(Default)]
struct Counts {
    /// Ended other than by a failed mediation (agreement, answer, referral, withdrawal).
    resolved: usize,
    /// 调解不成.
    no_agreement: usize,
    /// Still being handled (not resolved, closed or merged).
    open: usize,
    /// Still being handled and past the deadline of its stage.
    overdue: usize,
}

impl Counts {
    fn count(&mut self, case: &Case, now: DateTime<Utc>) {
        match case.workflow.resolution.as_ref().map(|r| r.outcome) {
            Some(Outcome::NoAgreement) => self.no_agreement += 1,
            Some(_) => self.resolved += 1,
            None => {}
        }
        if Workflow::is_open(case.status) {
            self.open += 1;
            if workflow::is_overdue(&case.workflow, now) {
                self.overdue += 1;
            }
        }
    }

    /// "此前相关案件12件，其中已化解8件，3件仍在办理，其中逾期2件，1件调解不成".
    fn summary(&self, total: usize, complete: bool) -> String {
        if total == 0 {
            return "此前无相关案件".into();
        }
        let at_least = if complete { "" } else { "至少" };
        let mut text = format!("此前相关案件{at_least}{total}件，其中已化解{}件", self.resolved);
        if self.open > 0 {
            text.push_str(&format!("，{}件仍在办理", self.open));
            if self.overdue > 0 {
                text.push_str(&format!("（{}件逾期）", self.overdue));
            }
        }
        if self.no_agreement > 0 {
            text.push_str(&format!("，{}件调解不成", self.no_agreement));
        }
        text
    }
}

fn related_json(
    state: &AppState,
    case: &Case,
    relations: &Relations,
    history: &[shanzhi_core::CaseEvent],
    now: DateTime<Utc>,
) -> Value {
    let r = &case.record;
    let w = &case.workflow;
    let (codes, labels) = relations.codes_and_labels();
    let category = r.category.as_deref().map(|code| {
        let known = state.analyzer.taxonomy().get(code);
        json!({ "code": code, "name": known.map(|c| c.name.as_str()) })
    });
    let routed_at = history.iter().find(|e| matches!(e.kind, EventKind::Routed { .. })).map(|e| e.at.to_rfc3339());
    let ended = w.resolution.as_ref().map(|res| {
        json!({
            "outcome": res.outcome,
            "outcome_label": res.outcome.label(),
            "level": res.level.code(),
            "level_label": res.level.label(),
            "department": res.department,
            "summary": res.summary,
            "at": res.at.to_rfc3339(),
        })
    });
    let open = Workflow::is_open(case.status);
    json!({
        "id": case.id.get(),
        "case_number": case_number(state, case),
        "received_at": r.received_at.to_rfc3339(),
        "channel": r.channel.code(),
        "channel_label": r.channel.label(),
        "region": { "code": r.region.to_string(), "name": state.gazetteer.display_name(r.region) },
        "title": r.title,
        "category": category,
        "status": case.status.code(),
        "status_label": case.status.label(),
        "relations": codes,
        "relation_labels": labels,
        "lead_department": w.routing.as_ref().map(|r| &r.lead),
        "level": w.routing.as_ref().map(|r| r.level.code()),
        "level_label": w.routing.as_ref().map(|r| r.level.label()),
        "routed_at": routed_at,
        "open": open,
        "overdue": open && workflow::is_overdue(w, now),
        "ended": ended,
        "resolved_at": w.resolution.as_ref().map(|res| res.at.to_rfc3339()),
        "primary_case_id": w.link.as_ref().map(|l| l.primary.get()),
        "linked_records": w.linked_records.total(),
    })
}
