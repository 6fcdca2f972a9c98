use std::str::FromStr;

use crate::UnknownName;

/// Where a case stands in its handling. The transitions between these belong to the mediation
/// workflow; the ledger records any status change as an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CaseStatus {
    /// 已登记: in the ledger, not yet routed.
    Registered,
    /// 已分流: a lead department is chosen.
    Routed,
    /// 已受理: the department took it on.
    Accepted,
    /// 排查中.
    Screening,
    /// 调解中.
    Mediating,
    /// 已化解 (or ended without agreement and referred on).
    Resolved,
    /// 已办结: closed after follow-up.
    Closed,
    /// 已退回: returned to the dispatcher.
    Returned,
    /// 已合并: merged into another case.
    Merged,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 9] = [
        CaseStatus::Registered,
        CaseStatus::Routed,
        CaseStatus::Accepted,
        CaseStatus::Screening,
        CaseStatus::Mediating,
        CaseStatus::Resolved,
        CaseStatus::Closed,
        CaseStatus::Returned,
        CaseStatus::Merged,
    ];

    pub fn code(self) -> &'static str {
        match self {
            CaseStatus::Registered => "registered",
            CaseStatus::Routed => "routed",
            CaseStatus::Accepted => "accepted",
            CaseStatus::Screening => "screening",
            CaseStatus::Mediating => "mediating",
            CaseStatus::Resolved => "resolved",
            CaseStatus::Closed => "closed",
            CaseStatus::Returned => "returned",
            CaseStatus::Merged => "merged",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CaseStatus::Registered => "已登记",
            CaseStatus::Routed => "已分流",
            CaseStatus::Accepted => "已受理",
            CaseStatus::Screening => "排查中",
            CaseStatus::Mediating => "调解中",
            CaseStatus::Resolved => "已化解",
            CaseStatus::Closed => "已办结",
            CaseStatus::Returned => "已退回",
            CaseStatus::Merged => "已合并",
        }
    }
}

crate::codes::serde_as_code!(CaseStatus);

impl FromStr for CaseStatus {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CaseStatus::ALL.into_iter().find(|c| c.code() == s).ok_or_else(|| UnknownName {
            what: "case status",
            value: s.to_owned(),
            expected: CaseStatus::ALL.map(CaseStatus::code).join(", "),
        })
    }
}
