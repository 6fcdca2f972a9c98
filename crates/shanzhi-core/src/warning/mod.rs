//! Warnings (预警): what the four risk models name, and the lifecycle staff take them through.
//! The models that raise them live in `shanzhi-risk`; this module knows only their shape.

mod lifecycle;
mod plan;
mod summary;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::case::CaseId;

pub use lifecycle::{Rerun, WarningAction, WarningError, WarningState};
pub use plan::{ContingencyPlan, ContingencyPlans, PlanError, PlanTask, TaskTemplate};
pub use summary::CaseSummary;

/// The four warning models of the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WarningModel {
    /// 人: a person at risk of escalation.
    Person,
    /// 事: a mass-involvement event against one respondent.
    Event,
    /// 行业: a category or industry surging above its seasonal baseline.
    Industry,
    /// 区域: a space-time hotspot of villages and towns.
    Region,
}

impl WarningModel {
    pub const ALL: [WarningModel; 4] =
        [WarningModel::Person, WarningModel::Event, WarningModel::Industry, WarningModel::Region];

    pub fn code(self) -> &'static str {
        match self {
            WarningModel::Person => "person",
            WarningModel::Event => "event",
            WarningModel::Industry => "industry",
            WarningModel::Region => "region",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            WarningModel::Person => "人员预警",
            WarningModel::Event => "涉众事件预警",
            WarningModel::Industry => "行业预警",
            WarningModel::Region => "区域预警",
        }
    }
}

/// Warning levels, least to most severe (蓝 < 黄 < 橙 < 红).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WarningLevel {
    Blue,
    Yellow,
    Orange,
    Red,
}

impl WarningLevel {
    pub const ALL: [WarningLevel; 4] =
        [WarningLevel::Blue, WarningLevel::Yellow, WarningLevel::Orange, WarningLevel::Red];

    pub fn code(self) -> &'static str {
        match self {
            WarningLevel::Blue => "blue",
            WarningLevel::Yellow => "yellow",
            WarningLevel::Orange => "orange",
            WarningLevel::Red => "red",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            WarningLevel::Blue => "蓝色",
            WarningLevel::Yellow => "黄色",
            WarningLevel::Orange => "橙色",
            WarningLevel::Red => "红色",
        }
    }
}

/// What a warning is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SubjectKind {
    /// A person, by keyed identity hash: never in clear.
    Person,
    /// A respondent organisation, by its name key.
    Respondent,
    /// A dispute category (and with it an industry).
    Category,
    /// A village, a town, or a set of neighbouring ones.
    Region,
}

impl SubjectKind {
    pub const ALL: [SubjectKind; 4] =
        [SubjectKind::Person, SubjectKind::Respondent, SubjectKind::Category, SubjectKind::Region];

    pub fn code(self) -> &'static str {
        match self {
            SubjectKind::Person => "person",
            SubjectKind::Respondent => "respondent",
            SubjectKind::Category => "category",
            SubjectKind::Region => "region",
        }
    }
}

macro_rules! from_code {
    ($($ty:ident => $what:literal),+ $(,)?) => {$(
        impl std::str::FromStr for $ty {
            type Err = $crate::UnknownName;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $ty::ALL.into_iter().find(|v| v.code() == s).ok_or_else(|| $crate::UnknownName {
                    what: $what,
                    value: s.to_owned(),
                    expected: $ty::ALL.map($ty::code).join(", "),
                })
            }
        }
        $crate::codes::serde_as_code!($ty);
    )+};
}
pub(crate) use from_code;

from_code!(WarningModel => "warning model", WarningLevel => "warning level", SubjectKind => "subject kind");

/// The subject of a warning. `key` identifies it across runs (the same ongoing situation updates
/// one warning); `label` is what people read.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Subject {
    pub kind: SubjectKind,
    pub key: String,
    pub label: String,
}

/// The statistic behind a warning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statistic {
    /// What was computed, e.g. `poisson_cusum`, `ears_c3`, `space_time_permutation_scan`.
    pub method: String,
    pub observed: f64,
    pub expected: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_value: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub llr: Option<f64>,
}

/// One factor of a score, so that the score explains itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Factor {
    pub code: String,
    /// Chinese, for people: "同一事项反复来访 4 次".
    pub label: String,
    pub points: f64,
}

/// What a model raised in one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Warning {
    pub model: WarningModel,
    pub level: WarningLevel,
    pub subject: Subject,
    pub score: f64,
    pub statistic: Statistic,
    pub factors: Vec<Factor>,
    /// Plain Chinese: what is happening and why it is a warning.
    pub explanation: String,
    /// The cases that support it, oldest first.
    pub case_ids: Vec<CaseId>,
    /// The day the situation began (its first supporting case) and the day of the run.
    pub since: NaiveDate,
    pub as_of: NaiveDate,
}

impl Warning {
    /// The identity of the situation across runs: one open warning per model and subject.
    pub fn situation_key(&self) -> String {
        format!("{}:{}:{}", self.model.code(), self.subject.kind.code(), self.subject.key)
    }
}
