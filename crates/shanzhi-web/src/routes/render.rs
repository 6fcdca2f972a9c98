//! Cases as the API writes them: the record with personal data masked, the workflow state, the
//! case number and deadline marks, and the history.

use chrono::{DateTime, Datelike, Utc};
use serde_json::{Value, json};
use shanzhi_core::case::Party;
use shanzhi_core::workflow::{self, MatchEvidence};
use shanzhi_core::{Case, CaseEvent};

use crate::AppState;

pub(crate) fn case_number(state: &AppState, case: &Case) -> String {
    // The year as the district counts it: Beijing time.
    let year = shanzhi_core::calendar::local_date(case.record.received_at).year();
    workflow::case_number(state.rules.routing.case_number_prefix(), year, case.id)
}

pub(crate) fn case_json(state: &AppState, case: &Case, now: DateTime<Utc>) -> Value {
    let r = &case.record;
    let w = &case.workflow;
    let category = r.category.as_deref().map(|code| {
        let known = state.analyzer.taxonomy().get(code);
        json!({ "code": code, "name": known.map(|c| c.name.as_str()), "industry": known.map(|c| c.industry.to_string()) })
    });
    let mut workflow = serde_json::to_value(w).expect("the workflow state serializes");
    if let Value::Object(fields) = &mut workflow {
        // The ledger keeps the query code's hash to check it; it is nobody's business to read.
        fields.remove("query_code_hash");
    }
    let clock = w.clock.as_ref();
    let urgency = clock
        .filter(|c| c.paused.is_none())
        .map(|c| state.rules.calendar.urgency(c.due_at, now, state.rules.deadlines.warn_working_days()));
    json!({
        "id": case.id.get(),
        "case_number": case_number(state, case),
        "status": case.status.code(),
        "status_label": case.status.label(),
        "kind": w.kind.code(),
        "kind_label": w.kind.label(),
        "channel": r.channel.code(),
        "channel_label": r.channel.label(),
        "external_id": r.external_id.as_str(),
        "received_at": r.received_at.to_rfc3339(),
        "registered_at": case.registered_at.to_rfc3339(),
        "region": { "code": r.region.to_string(), "name": state.gazetteer.display_name(r.region) },
        "title": r.title,
        "text": r.text.as_str(),
        "category": category,
        "amount_yuan": r.amount.map(|a| a.to_string()),
        "people_count": r.people_count,
        "risk": w.risk.code(),
        "lat": r.location.map(|p| p.lat()),
        "lon": r.location.map(|p| p.lon()),
        "parties": r.parties.iter().map(party_json).collect::<Vec<_>>(),
        "lead_department": w.routing.as_ref().map(|r| &r.lead),
        "co_handlers": w.routing.as_ref().map(|r| r.co_handlers.iter().map(|t| {
            let mut task = serde_json::to_value(t).expect("tasks serialize");
            let urgency = t.done_at.is_none().then(|| {
                state.rules.calendar.urgency(t.due_at, now, state.rules.deadlines.warn_working_days())
            });
            task["urgency"] = json!(urgency.map(|u| u.code()));
            task
        }).collect::<Vec<_>>()),
        "level": w.routing.as_ref().map(|r| r.level.code()),
        "due_at": clock.map(|c| c.due_at.to_rfc3339()),
        "paused": clock.is_some_and(|c| c.paused.is_some()),
        "urgency": urgency.map(|u| u.code()),
        "urgency_label": urgency.map(|u| u.label()),
        "overdue": workflow::is_overdue(w, now),
        "primary_case_id": w.link.as_ref().map(|l| l.primary.get()),
        "resolved_level": case.resolved_level().map(|l| l.code()),
        "workflow": workflow,
        "allowed_actions": allowed_actions(case),
        "version": case.version,
    })
}

/// The actions of the workflow that the case's status allows, by code, as the pages offer them.
/// The status is the state machine's first test; the case's state may still refuse one (resume
/// what is not paused, decide an extension nobody asked for), which `decide` answers with a 409.
pub(crate) fn allowed_actions(case: &Case) -> Vec<&'static str> {
    use workflow::Action;
    let text = String::new;
    let every = [
        Action::Route { lead: None, co_handlers: None, level: None, reason: None },
        Action::Accept { department: text() },
        Action::Return { department: text(), reason: text() },
        Action::StartScreening,
        Action::StartMediation,
        Action::RecordSession { at: None, place: text(), participants: Vec::new(), outcome: text() },
        Action::RecordAgreement { signed_at: None, terms: Vec::new() },
        Action::CheckTerm { term: 0, honoured: true, note: None },
        Action::RequestJudicialConfirmation { court: None },
        Action::RecordJudicialConfirmation,
        Action::CompleteTask { department: text(), note: None },
        Action::Resolve { outcome: workflow::Outcome::AgreementReached, summary: text() },
        Action::FollowUp { satisfaction: None, comment: None },
        Action::Reopen { reason: text() },
        Action::Escalate { level: None, reason: text() },
        Action::Transfer { department: text(), reason: text() },
        Action::Pause { reason: text() },
        Action::Resume,
        Action::RequestExtension { working_days: 1, reason: text(), requested_by: text() },
        Action::DecideExtension { approve: true, reason: text() },
        Action::ChangeCategory { category: text() },
        Action::ConfirmCategory,
        Action::RecordCrime { incident: None, reason: text() },
    ];
    every.iter().filter(|a| a.allowed_in().contains(&case.status)).map(Action::code).collect()
}

pub(crate) fn case_with_history_json(
    state: &AppState,
    case: &Case,
    history: &[CaseEvent],
    now: DateTime<Utc>,
) -> Value {
    let mut json = case_json(state, case, now);
    json["history"] = history.iter().map(event_json).collect();
    json
}

fn party_json(p: &Party) -> Value {
    json!({
        "role": p.role.code(),
        "kind": p.kind.code(),
        "name": p.name,
        "id_number": p.id_number.as_ref().map(|x| &x.masked),
        "phone": p.phone.as_ref().map(|x| &x.masked),
    })
}

pub(crate) fn event_json(e: &CaseEvent) -> Value {
    let mut detail = serde_json::to_value(&e.kind).expect("events serialize");
    if let Value::Object(fields) = &mut detail {
        fields.remove("kind");
    }
    json!({ "seq": e.seq, "at": e.at.to_rfc3339(), "actor": e.actor, "kind": e.kind.code(), "detail": detail })
}

pub(crate) fn evidence_json(e: &MatchEvidence) -> Value {
    json!({
        "case_id": e.case.get(),
        "relation": e.relation.map(|r| r.code()),
        "relation_label": e.relation.map(|r| r.label()),
        "shared_party": e.shared_party,
        "shared_respondent": e.shared_respondent,
        "same_category": e.same_category,
        "similarity": (e.similarity * 100.0).round() / 100.0,
        "days_apart": (e.days_apart * 10.0).round() / 10.0,
        "explanation": e.explanation(),
    })
}
