use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::case::CaseId;
use crate::{CaseStatus, Channel, RegionCode, RiskLevel};

/// What the warning models know of a case: a projection of the ledger, with personal data only as
/// keyed hashes. The store builds these; the models read nothing else.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseSummary {
    pub id: CaseId,
    /// The local (Beijing time) day it was received.
    pub day: NaiveDate,
    pub channel: Channel,
    pub region: RegionCode,
    pub category: Option<String>,
    /// The respondent organisation's name key (spelling variants share it) and a name to show.
    pub respondent_key: Option<String>,
    pub respondent_name: Option<String>,
    /// The applicants and complainants as keyed identity hashes (ID number, else phone).
    pub complainants: Vec<String>,
    pub people_count: Option<u32>,
    pub amount_yuan: Option<f64>,
    pub risk: RiskLevel,
    /// Kinds of escalation language in the text (`violence`, `group_action` …), where known.
    pub signals: Vec<String>,
    pub status: CaseStatus,
    /// The primary case when this one is a repeat or another report of the same matter.
    pub primary: Option<CaseId>,
    /// Mediation ended without agreement.
    pub mediation_failed: bool,
}
