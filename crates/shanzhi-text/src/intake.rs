//! What the text adds to a record as it enters the ledger: the fields the record leaves out
//! (category, amount, head-count, kind) and what the workflow starts with (the escalation risk,
//! the respondent's key). What the record carries always wins.

use shanzhi_core::case::{PartyKind, PartyRole};
use shanzhi_core::workflow::{KindCues, Workflow};
use shanzhi_core::{CaseRecord, NewCase, Yuan};

use crate::extract::organization_key;
use crate::{Entities, TextAnalyzer};

/// The record as a new case. A category the record gives by a name of the taxonomy
/// (`劳资纠纷`) is stored as that category's code, any other as written.
pub fn prepare(analyzer: &TextAnalyzer, cues: &KindCues, mut record: CaseRecord) -> NewCase {
    let text = record.text.as_str();
    record.category = match record.category.take() {
        None => Some(analyzer.classify(text).category.code.clone()),
        Some(given) => Some(analyzer.taxonomy().find(&given).map_or(given, |c| c.code.clone())),
    };
    // The respondent as the record names it, else the first organisation the text names.
    let named = record
        .parties
        .iter()
        .filter(|p| p.role == PartyRole::Respondent && p.kind == PartyKind::Organization)
        .find_map(|p| p.name.as_deref().and_then(organization_key));
    // Extraction is the dearest step: only for what the record leaves out.
    let entities = if record.amount.is_none() || record.people_count.is_none() || named.is_none() {
        analyzer.entities(text)
    } else {
        Entities::default()
    };
    if record.amount.is_none() {
        let largest =
            entities.amounts_yuan.iter().copied().fold(None, |m: Option<f64>, a| Some(m.map_or(a, |m| m.max(a))));
        record.amount = largest.and_then(|a| Yuan::from_fen((a * 100.0).round() as i64).ok());
    }
    if record.people_count.is_none() {
        record.people_count = entities.people_count.and_then(|n| u32::try_from(n).ok());
    }
    let respondent_key = named.or_else(|| entities.organizations.iter().find_map(|o| organization_key(o)));
    let kind = *record.kind.get_or_insert_with(|| cues.kind_of(text));
    let workflow = Workflow { kind, risk: analyzer.risk(text).level, respondent_key, ..Workflow::default() };
    NewCase { record, workflow }
}
