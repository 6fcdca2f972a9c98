//! The calls from HTTP handlers into the workflow: building the decision context, applying a
//! decision to the ledger, and the intake of a new record. Rules live in `shanzhi-core`; this
//! module only sequences them with the store.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use shanzhi_core::workflow::{self, Action, CaseKind, Context, Incoming, MatchEvidence, matching};
use shanzhi_core::{Case, CaseId, CaseStatus, LedgerRecord, NewCase, RecordContext};
use shanzhi_store::{CandidateQuery, Handling, Plan, Registration};

use crate::error::FieldProblem;
use crate::routes::render;
use crate::{ApiError, AppState};

pub(crate) fn context<'a>(state: &'a AppState, case: &Case, now: DateTime<Utc>) -> Context<'a> {
    let category_lead = case
        .record
        .category
        .as_deref()
        .and_then(|code| state.analyzer.taxonomy().get(code))
        .and_then(|c| c.department.as_deref());
    Context {
        now,
        calendar: &state.rules.calendar,
        deadlines: &state.rules.deadlines,
        rules: &state.rules.routing,
        directory: &state.departments,
        gazetteer: &state.gazetteer,
        category_lead,
    }
}

pub(crate) async fn load(state: &AppState, id: CaseId) -> Result<Case, ApiError> {
    state
        .store
        .case(id)
        .await?
        .ok_or_else(|| ApiError::NotFound { code: "case_not_found", message: format!("case {id} does not exist") })
}

/// Decides `action` on the case as it is now and appends the event.
pub(crate) async fn act(state: &AppState, id: CaseId, action: &Action, actor: &str) -> Result<Case, ApiError> {
    let case = load(state, id).await?;
    let kind = workflow::decide(&case, action, &context(state, &case, Utc::now()))?;
    Ok(state.store.append_event(id, Some(case.version), kind, actor).await?.0)
}

/// What the intake answers.
pub(crate) struct Intake {
    pub case: Case,
    /// Given once, at registration; the ledger keeps only its hash.
    pub query_code: Option<String>,
    pub related: Vec<MatchEvidence>,
    /// False when the record was already in the ledger (same channel and external id).
    pub created: bool,
}

/// One-window intake: validate, read the text, find the same matter, register, then link to the
/// primary case or route.
pub(crate) async fn intake(state: &AppState, mut raw: LedgerRecord, actor: &str) -> Result<Intake, ApiError> {
    let now = Utc::now();
    // A walk-in has no id in another system and is received now.
    if raw.external_id.is_none() {
        raw.external_id =
            Some(shanzhi_core::record::Scalar::Text(format!("{}-{}", now.format("%Y%m%d%H%M%S"), random_code(8))));
    }
    if raw.received_at.is_none() {
        raw.received_at = Some(now.to_rfc3339());
    }
    let record = raw
        .validate(&RecordContext { gazetteer: &state.gazetteer, pii_key: &state.pii_key, now })
        .map_err(|errors| ApiError::Invalid { fields: errors.into_iter().map(FieldProblem::from).collect() })?;
    let mut new_case = shanzhi_text::intake::prepare(&state.analyzer, &state.rules.kinds, record);
    let query_code = random_code(8);
    new_case.workflow.query_code_hash = Some(state.pii_key.protect_query_code(&query_code).as_str().to_owned());

    let (candidates, mut related) = related(state, &new_case).await?;

    // The primary case is the best match that is not itself linked; the routing is decided on
    // the case as registered. Both are written with the registration, in one transaction.
    let primary = state.rules.matching.primary(&related, &candidates).and_then(|evidence| {
        let candidate = candidates.iter().find(|c| c.id == evidence.case)?;
        Some((candidate.clone(), evidence.clone()))
    });
    let ended_primary = primary
        .as_ref()
        .filter(|(p, _)| matches!(p.status, CaseStatus::Resolved | CaseStatus::Closed))
        .map(|(p, _)| p.id);
    let planner = state.clone();
    let plan: Plan = Arc::new(move |case: &Case| -> Handling {
        if let Some((primary, evidence)) = &primary
            && let Some(relation) = evidence.relation
        {
            let why = format!("自动关联：{}", evidence.explanation());
            match workflow::link(case, primary, relation, &why, false) {
                Ok((linked, attached)) => return Handling { next: Some(linked), others: vec![(primary.id, attached)] },
                Err(e) => tracing::warn!(error = %e, primary = %primary.id, "not linked; routing instead"),
            }
        }
        let route = Action::Route { lead: None, co_handlers: None, level: None, reason: None };
        match workflow::decide(case, &route, &context(&planner, case, now)) {
            Ok(routed) => Handling { next: Some(routed), others: Vec::new() },
            // Left registered, in the dispatcher's queue: a person routes what the rules cannot.
            Err(e) => {
                tracing::warn!(error = %e, "the routing rules found no department; left for the dispatcher");
                Handling::default()
            }
        }
    });
    let (registration, case) = state.store.register_case(new_case, actor, plan).await?;
    if let Registration::AlreadyPresent(_) = registration {
        return Ok(Intake { case, query_code: None, related: Vec::new(), created: false });
    }
    // The same matter back after it was resolved or closed is not settled: the primary reopens,
    // so that the new report lands in a handler's inbox instead of on a closed case.
    if let (Some(primary), Some(_)) = (ended_primary, &case.workflow.link) {
        let why = format!("{}再次反映同一事项", render::case_number(state, &case));
        if let Err(e) = act(state, primary, &Action::Reopen { reason: why }, actor).await {
            tracing::warn!(error = %e, %primary, "a linked report could not reopen its primary case");
        }
    }
    related.retain(|e| e.case != case.id);
    Ok(Intake { case, query_code: Some(query_code), related, created: true })
}

/// The earlier cases that may be the same matter as `new_case` (the candidates the ledger holds,
/// by shared party, respondent, or town and category), and the evidence of those related to it.
/// Reads only: the intake preview shows the clerk what a registration would link.
pub(crate) async fn related(
    state: &AppState,
    new_case: &NewCase,
) -> Result<(Vec<workflow::Candidate>, Vec<MatchEvidence>), ApiError> {
    let identities = new_case
        .record
        .parties
        .iter()
        .flat_map(|p| [p.id_number.as_ref(), p.phone.as_ref()])
        .flatten()
        .map(|x| x.hash.clone())
        .collect();
    let candidates = state
        .store
        .match_candidates(&CandidateQuery {
            identities,
            respondent_key: new_case.workflow.respondent_key.clone(),
            town: new_case.record.region.town(),
            category: new_case.record.category.clone(),
            since: matching::since(&state.rules.matching, new_case.record.received_at),
            same_town_since: matching::same_town_since(&state.rules.matching, new_case.record.received_at),
            limit: state.rules.matching.candidates_per_kind(),
        })
        .await?;
    let incoming = Incoming::new(&new_case.record, new_case.workflow.respondent_key.as_deref());
    let related = candidates
        .iter()
        .map(|c| state.rules.matching.compare(&incoming, c))
        .filter(|e| state.rules.matching.is_related(e))
        .collect();
    Ok((candidates, related))
}

/// A code from an alphabet without look-alikes (no 0/O, 1/I/L), easy to read out on the phone.
fn random_code(len: usize) -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    // 256 is not a multiple of 31: drop the biased top of the range by rejection.
    bytes
        .iter()
        .map(|b| {
            let mut b = *b;
            while b >= 248 {
                let mut one = [0u8; 1];
                getrandom::fill(&mut one).expect("the operating system's random source");
                b = one[0];
            }
            ALPHABET[usize::from(b) % ALPHABET.len()] as char
        })
        .collect()
}

/// The kind a list filter names, as the API writes it.
pub(crate) fn parse_kind(s: &str) -> Result<CaseKind, ApiError> {
    s.parse().map_err(|e: shanzhi_core::UnknownName| ApiError::BadRequest {
        code: "unknown_kind",
        field: Some("kind"),
        message: e.to_string(),
    })
}
