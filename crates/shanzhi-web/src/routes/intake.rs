//! `GET /api/v1/regions`: the towns and villages the intake form offers.
//!
//! `POST /api/v1/intake/preview`: what the window clerk sees while typing a record, before it is
//! saved — the category, kind and lead department the intake would give it, the escalation
//! signals of its text, and the earlier cases that may be the same matter. Nothing is written.
//!
//! The body is the intake's record (`POST /cases`), all of it optional but the text: a clerk
//! types the description first. What the record lacks is filled as the intake fills a walk-in
//! (window channel, received now); what keeps it from being registered is listed in `problems`,
//! and the preview says as much as it can without it (no region: no routing and no related cases;
//! a half-typed ID number: the related cases without that party).

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use serde_json::{Value, json};
use shanzhi_core::access::Permission;
use shanzhi_core::record::Scalar;
use shanzhi_core::workflow::RoutingInput;
use shanzhi_core::{CaseRecord, LedgerRecord, NewCase, RecordContext};

use super::render::evidence_json;
use crate::auth::Caller;
use crate::error::FieldProblem;
use crate::extract::JsonBody;
use crate::{ApiError, AppState, workflow};

/// The most related cases shown, best first.
const MAX_RELATED: usize = 10;
/// The characters of a related case's (masked) text shown.
const SNIPPET_CHARS: usize = 80;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/intake/preview", post(preview)).route("/regions", get(regions))
}

/// `GET /api/v1/regions`: the district's towns and their villages, for the pickers of the pages.
async fn regions(State(state): State<AppState>, _caller: Caller) -> Json<Value> {
    let g = &state.gazetteer;
    let district = g.district();
    let towns: Vec<Value> = g
        .towns()
        .map(|town| {
            let villages: Vec<Value> = g
                .villages_of(town.code)
                .map(|v| json!({ "code": v.code.to_string(), "name": v.short_name, "official_name": v.official_name }))
                .collect();
            json!({ "code": town.code.to_string(), "name": town.official_name, "villages": villages })
        })
        .collect();
    Json(json!({
        "district": { "code": district.code.to_string(), "name": district.official_name },
        "towns": towns,
    }))
}

async fn preview(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(mut raw): JsonBody<LedgerRecord>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Permission::RegisterCases)?;
    let text = raw.text.as_deref().map(str::trim).unwrap_or_default().to_owned();
    if text.is_empty() {
        return Err(ApiError::Invalid {
            fields: vec![FieldProblem {
                field: "text".into(),
                code: "missing_text",
                message: "`text` is required".into(),
            }],
        });
    }
    let now = Utc::now();
    raw.channel.get_or_insert_with(|| "window".into());
    raw.external_id.get_or_insert_with(|| Scalar::Text("preview".into()));
    raw.received_at.get_or_insert_with(|| now.to_rfc3339());
    let ctx = RecordContext { gazetteer: &state.gazetteer, pii_key: &state.pii_key, now };
    let (record, problems): (Option<CaseRecord>, Vec<FieldProblem>) = match raw.validate(&ctx) {
        Ok(record) => (Some(record), Vec::new()),
        Err(errors) => {
            let problems = errors.into_iter().map(FieldProblem::from).collect();
            // Without the parties, which are often half typed: the text, region and channel may do.
            let essentials = LedgerRecord { parties: None, ..raw.clone() };
            (essentials.validate(&ctx).ok(), problems)
        }
    };
    let new_case = record.map(|r| shanzhi_text::intake::prepare(&state.analyzer, &state.rules.kinds, r));
    // The text as the ledger would keep it (numbers masked) when the record is valid.
    let analysed = new_case.as_ref().map_or(text.as_str(), |c| c.record.text.as_str());
    let analysis = state.analyzer.analyze(analysed);
    let taxonomy = state.analyzer.taxonomy();
    let category = new_case
        .as_ref()
        .and_then(|c| c.record.category.as_deref())
        .and_then(|code| taxonomy.get(code))
        .unwrap_or(analysis.classification.category);

    let (routing, related) = match &new_case {
        None => (Value::Null, Vec::new()),
        Some(new_case) => (routing_json(&state, new_case), related_json(&state, &caller, new_case).await?),
    };
    let kind = new_case.as_ref().map(|c| c.workflow.kind);
    let risk = &analysis.risk;
    Ok(Json(json!({
        "category": {
            "code": category.code,
            "name": category.name,
            "industry": category.industry.to_string(),
            "confidence": (analysis.classification.confidence * 1000.0).round() / 1000.0,
            "evidence": analysis.classification.evidence,
        },
        "department": category.department,
        "kind": kind.map(|k| json!({ "code": k.code(), "label": k.label() })),
        "routing": routing,
        "risk": {
            "level": risk.level.code(),
            "label": risk.level.label(),
            "score": risk.score,
            "signals": risk.signals.iter().map(|s| json!({ "kind": s.kind, "label": s.label, "term": s.term })).collect::<Vec<_>>(),
        },
        "amount_yuan": new_case.as_ref().and_then(|c| c.record.amount).map(|a| a.to_string()),
        "people_count": new_case.as_ref().and_then(|c| c.record.people_count).or_else(|| analysis.entities.people_count.and_then(|n| u32::try_from(n).ok())),
        "organizations": analysis.entities.organizations,
        "related": related,
        "problems": problems,
    })))
}

/// The rules' lead department, co-handlers and level for the case as it would be registered.
fn routing_json(state: &AppState, new_case: &NewCase) -> Value {
    let r = &new_case.record;
    let category = r.category.as_deref();
    let input = RoutingInput {
        kind: r.kind.unwrap_or(new_case.workflow.kind),
        category,
        category_lead: category.and_then(|c| state.analyzer.taxonomy().get(c)).and_then(|c| c.department.as_deref()),
        region: r.region,
        amount: r.amount,
        people_count: r.people_count,
        risk: new_case.workflow.risk,
    };
    match state.rules.routing.route(&input, &state.departments, &state.gazetteer) {
        None => Value::Null,
        Some(d) => json!({
            "lead": d.lead,
            "co_handlers": d.co_handlers,
            "level": d.level.code(),
            "level_label": d.level.label(),
            "rule": d.rule,
            "rule_name": d.rule_name,
        }),
    }
}

/// The earlier cases that may be the same matter, best first, with the evidence and enough of
/// each case to recognise it.
async fn related_json(state: &AppState, caller: &Caller, new_case: &NewCase) -> Result<Vec<Value>, ApiError> {
    let (candidates, mut related) = workflow::related(state, new_case).await?;
    // The same matter first, then the likest texts.
    related.sort_by(|a, b| {
        (b.relation.is_some(), b.similarity)
            .partial_cmp(&(a.relation.is_some(), a.similarity))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    Ok(related
        .iter()
        .take(MAX_RELATED)
        .filter_map(|evidence| {
            let c = candidates.iter().find(|c| c.id == evidence.case)?;
            let mut json = evidence_json(evidence);
            // Any window registers any matter, but sees of another area's case only that it exists;
            // a pushing system, which reads no case, sees that of every case.
            let visible = caller.reads_region(c.region);
            json["visible"] = json!(visible);
            if !visible {
                json["case_id"] = Value::Null;
                return Some(json);
            }
            let year = chrono::Datelike::year(&shanzhi_core::calendar::local_date(c.received_at));
            json["case_number"] =
                json!(shanzhi_core::workflow::case_number(state.rules.routing.case_number_prefix(), year, c.id));
            json["status"] = json!(c.status.code());
            json["status_label"] = json!(c.status.label());
            json["received_at"] = json!(c.received_at.to_rfc3339());
            json["region"] = json!({ "code": c.region.to_string(), "name": state.gazetteer.display_name(c.region) });
            json["category"] = json!(
                c.category.as_deref().map(|code| state.analyzer.taxonomy().get(code).map_or(code, |k| k.name.as_str()))
            );
            json["snippet"] = json!(c.text.chars().take(SNIPPET_CHARS).collect::<String>());
            Some(json)
        })
        .collect())
}
