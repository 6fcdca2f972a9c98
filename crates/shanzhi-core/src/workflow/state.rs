//! What the workflow knows of a case beyond its record: kind, routing, the stage clock, joint
//! mediation, the agreement, follow-ups, and its link to a primary case. It changes only by
//! [`Workflow::apply`] of history events, so the history explains every value here.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::CaseKind;
use crate::region::RegionLevel;
use crate::{CaseId, CaseStatus, Channel, Incident, RiskLevel, Yuan};

/// Every field has a default, so that a case registered before the workflow (`{}`) reads.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Workflow {
    pub kind: CaseKind,
    /// The escalation risk read in the text at intake.
    #[serde(default)]
    pub risk: RiskLevel,
    /// The organisation key of the main respondent, for matching and the event model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub respondent_key: Option<String>,
    /// Keyed hash of the query code given to the citizen (查询码); never the code itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_code_hash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing: Option<Routing>,
    /// The deadline of the stage the case is in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<StageClock>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<ExtensionRequest>,
    /// Set when this record was linked to (merged into) another case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<Link>,
    /// How many records are linked to this case. The records themselves are found by their link
    /// (the ledger indexes it): a mass-involvement case gathers thousands, too many to carry here.
    #[serde(default, skip_serializing_if = "LinkedRecords::is_empty")]
    pub linked_records: LinkedRecords,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sessions: Vec<MediationSession>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agreement: Option<Agreement>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<Resolution>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub follow_ups: Vec<FollowUp>,
    /// 民转刑: the dispute turned into a criminal case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crime: Option<Crime>,
    #[serde(default)]
    pub times_returned: u32,
    #[serde(default)]
    pub times_reopened: u32,
    #[serde(default)]
    pub times_escalated: u32,
}

/// Who handles a case and at which level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Routing {
    pub lead: String,
    pub co_handlers: Vec<Task>,
    pub level: RegionLevel,
    /// The rule that decided, when the rules did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Set when a clerk overrode the rules: what they proposed and why it was changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overridden: Option<Override>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Override {
    pub suggested_lead: String,
    pub suggested_level: RegionLevel,
    pub reason: String,
}

/// A co-handler's part of a joint mediation, with its own deadline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    pub department: String,
    pub due_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageClock {
    pub stage: CaseStatus,
    pub started_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    /// Set while the case waits on a party: the clock stands still.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused: Option<Pause>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pause {
    pub since: DateTime<Utc>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtensionRequest {
    pub working_days: u32,
    pub reason: String,
    pub requested_by: String,
    pub requested_at: DateTime<Utc>,
}

/// How a linked record relates to its primary case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// The same matter reported by another person.
    SameMatter,
    /// 重复访: the same person again about the same matter, by whatever channel.
    Repeat,
}

impl Relation {
    pub fn code(self) -> &'static str {
        match self {
            Relation::SameMatter => "same_matter",
            Relation::Repeat => "repeat",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Relation::SameMatter => "同一事项",
            Relation::Repeat => "重复访",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Link {
    pub primary: CaseId,
    pub relation: Relation,
    /// Linked by the matcher until a person confirms it.
    pub confirmed: bool,
    /// Why it was linked (the matcher's evidence, or the person's reason).
    pub reason: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedRecords {
    /// The same matter reported by others.
    pub same_matter: u32,
    /// 重复访: the same people again.
    pub repeat: u32,
}

impl LinkedRecords {
    pub fn total(&self) -> u32 {
        self.same_matter + self.repeat
    }

    pub fn is_empty(&self) -> bool {
        self.total() == 0
    }

    fn count(&mut self, relation: Relation) -> &mut u32 {
        match relation {
            Relation::SameMatter => &mut self.same_matter,
            Relation::Repeat => &mut self.repeat,
        }
    }

    pub(crate) fn add(&mut self, relation: Relation) {
        *self.count(relation) += 1;
    }

    pub(crate) fn remove(&mut self, relation: Relation) {
        let n = self.count(relation);
        *n = n.saturating_sub(1);
    }
}

/// A record linked to a primary case, as the primary's history records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attached {
    pub case: CaseId,
    pub relation: Relation,
    pub channel: Channel,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediationSession {
    pub at: DateTime<Utc>,
    pub place: String,
    pub participants: Vec<String>,
    pub outcome: String,
}

/// 调解协议.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Agreement {
    pub signed_at: DateTime<Utc>,
    pub terms: Vec<Term>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub judicial_confirmation: Option<JudicialConfirmation>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Term {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_yuan: Option<Yuan>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<NaiveDate>,
    /// When to check that the term was honoured (履约回访): a few days after it fell due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_on: Option<NaiveDate>,
    /// The outcome of the check that the term was honoured (履约), once made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub honoured: Option<bool>,
}

/// 司法确认: the court's confirmation that makes an agreement enforceable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JudicialConfirmation {
    pub court: String,
    pub requested_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed_at: Option<DateTime<Utc>>,
}

/// How a case ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// 调解成功, with or without a written agreement.
    AgreementReached,
    /// 调解不成.
    NoAgreement,
    /// Referred to court (诉讼).
    ReferredToCourt,
    /// Referred to arbitration (劳动/商事仲裁).
    ReferredToArbitration,
    /// Answered: consultations, suggestions and requests for help end so.
    Answered,
    /// Withdrawn by the complainant.
    Withdrawn,
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Outcome::AgreementReached => "调解成功",
            Outcome::NoAgreement => "调解不成",
            Outcome::ReferredToCourt => "引导诉讼",
            Outcome::ReferredToArbitration => "引导仲裁",
            Outcome::Answered => "已答复",
            Outcome::Withdrawn => "撤回",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolution {
    pub outcome: Outcome,
    /// The level that resolved it: the district measures the share resolved at town/village level.
    pub level: RegionLevel,
    pub department: String,
    pub at: DateTime<Utc>,
    pub summary: String,
}

/// 民转刑: the record that a dispute became a crime, which assessment and back-tracing start from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Crime {
    /// [`Incident::Criminal`] or [`Incident::Homicide`].
    pub incident: Incident,
    pub at: DateTime<Utc>,
    pub reason: String,
}

/// 回访.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUp {
    pub at: DateTime<Utc>,
    /// 1 (very unsatisfied) to 5 (very satisfied); `None` when the party could not be reached.
    pub satisfaction: Option<u8>,
    pub comment: String,
}

impl Workflow {
    /// Whether the case is being handled (not yet resolved, closed, or merged).
    pub fn is_open(status: CaseStatus) -> bool {
        !matches!(status, CaseStatus::Resolved | CaseStatus::Closed | CaseStatus::Merged)
    }

    /// The departments working on the case: the lead, then the co-handlers.
    pub fn handlers(&self) -> impl Iterator<Item = &str> {
        self.routing
            .iter()
            .flat_map(|r| std::iter::once(r.lead.as_str()).chain(r.co_handlers.iter().map(|t| t.department.as_str())))
    }

    /// The first day on which a term of the agreement is to be checked and has not been.
    pub fn next_agreement_check(&self) -> Option<NaiveDate> {
        self.agreement.iter().flat_map(|a| &a.terms).filter(|t| t.honoured.is_none()).filter_map(|t| t.check_on).min()
    }

    /// The rating of the latest follow-up that reached the party.
    pub fn last_satisfaction(&self) -> Option<u8> {
        self.follow_ups.iter().rev().find_map(|f| f.satisfaction)
    }
}
