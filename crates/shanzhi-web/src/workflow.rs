//! The calls from HTTP handlers into the workflow: building the decision context, applying a
//! decision to the ledger, and the intake of a new record. Rules live in `shanzhi-core`; this
//! module only sequences them with the store.

use chrono::{DateTime, Utc};
use shanzhi_core::workflow::{self, Action, CaseKind, Context, Incoming, MatchEvidence, matching};
use shanzhi_core::{Case, CaseId, EventKind, LedgerRecord, RecordContext};
use shanzhi_store::{CandidateQuery, Registration};

use crate::error::FieldProblem;
use crate::{ApiError, AppState};

/// Candidates compared with each new record, at most.
const MATCH_CANDIDATES: u32 = 50;

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
    Ok(state.store.append_event(id, case.version, kind, actor).await?.0)
}

/// Appends an event to a case decided by `decide` on its current version, retrying when another
/// change came first (for the primary's side of a link, which nobody else's decision depends on).
pub(crate) async fn append_retrying(
    state: &AppState,
    id: CaseId,
    kind: EventKind,
    actor: &str,
) -> Result<Case, ApiError> {
    let mut attempts = 0;
    loop {
        let case = load(state, id).await?;
        match state.store.append_event(id, case.version, kind.clone(), actor).await {
            Err(shanzhi_store::StoreError::Conflict(_)) if attempts < 5 => attempts += 1,
            other => return Ok(other?.0),
        }
    }
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
            limit: MATCH_CANDIDATES,
        })
        .await?;
    let incoming = Incoming { record: &new_case.record, respondent_key: new_case.workflow.respondent_key.as_deref() };
    let mut related: Vec<MatchEvidence> = candidates
        .iter()
        .map(|c| state.rules.matching.compare(&incoming, c))
        .filter(|e| state.rules.matching.is_related(e))
        .collect();

    let registration = state.store.register_cases(std::slice::from_ref(&new_case), actor).await?[0];
    let id = match registration {
        Registration::AlreadyPresent(id) => {
            let case = load(state, id).await?;
            return Ok(Intake { case, query_code: None, related: Vec::new(), created: false });
        }
        Registration::Registered(id) => id,
    };
    related.retain(|e| e.case != id);
    let case = load(state, id).await?;
    let primary = state.rules.matching.primary(&related, &candidates).cloned();
    let case = match primary {
        Some(evidence) => {
            let primary = candidates.iter().find(|c| c.id == evidence.case).expect("the evidence names a candidate");
            let relation = evidence.relation.expect("a primary match has a relation");
            let (linked, attached) =
                workflow::link(&case, primary, relation, &format!("自动关联：{}", evidence.explanation()), false)?;
            let case = state.store.append_event(id, case.version, linked, actor).await?.0;
            append_retrying(state, primary.id, attached, actor).await?;
            case
        }
        None => {
            let route = Action::Route { lead: None, co_handlers: None, level: None, reason: None };
            let kind = workflow::decide(&case, &route, &context(state, &case, now))?;
            state.store.append_event(id, case.version, kind, actor).await?.0
        }
    };
    Ok(Intake { case, query_code: Some(query_code), related, created: true })
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
