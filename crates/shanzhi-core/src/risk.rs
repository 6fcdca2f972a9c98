//! How likely a case is to escalate, as the text's escalation language and the routing rules see
//! it. The text crate assesses it; routing and the warning models act on it.

use std::str::FromStr;

use crate::UnknownName;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum RiskLevel {
    #[default]
    None,
    Low,
    Medium,
    High,
}

impl RiskLevel {
    pub const ALL: [RiskLevel; 4] = [RiskLevel::None, RiskLevel::Low, RiskLevel::Medium, RiskLevel::High];

    pub fn code(self) -> &'static str {
        match self {
            RiskLevel::None => "none",
            RiskLevel::Low => "low",
            RiskLevel::Medium => "medium",
            RiskLevel::High => "high",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RiskLevel::None => "无",
            RiskLevel::Low => "低",
            RiskLevel::Medium => "中",
            RiskLevel::High => "高",
        }
    }
}

impl FromStr for RiskLevel {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RiskLevel::ALL.into_iter().find(|l| l.code() == s).ok_or_else(|| UnknownName {
            what: "risk level",
            value: s.to_owned(),
            expected: RiskLevel::ALL.map(RiskLevel::code).join(", "),
        })
    }
}

crate::codes::serde_as_code!(RiskLevel);
