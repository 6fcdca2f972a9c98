//! Escalation signals: a curated, weighted lexicon (`data/text/escalation.toml`) with negation,
//! giving a risk level and the evidence for it.

use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RiskLevel {
    None,
    Low,
    Medium,
    High,
}

impl RiskLevel {
    pub fn code(self) -> &'static str {
        match self {
            RiskLevel::None => "none",
            RiskLevel::Low => "low",
            RiskLevel::Medium => "medium",
            RiskLevel::High => "high",
        }
    }

    fn of(score: u32) -> Self {
        match score {
            0 => RiskLevel::None,
            1..3 => RiskLevel::Low,
            3..5 => RiskLevel::Medium,
            _ => RiskLevel::High,
        }
    }
}

/// One matched term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signal {
    pub kind: String,
    pub label: String,
    pub term: String,
    pub weight: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskAssessment {
    pub level: RiskLevel,
    pub score: u32,
    pub signals: Vec<Signal>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lexicon {
    negations: Vec<String>,
    signal: Vec<Group>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Group {
    kind: String,
    label: String,
    weight: u32,
    terms: Vec<String>,
}

/// How far before a term a negation reaches, in characters.
const NEGATION_REACH: usize = 4;

impl Lexicon {
    pub fn from_toml(text: &str) -> Result<Self, toml::de::Error> {
        toml::from_str(text)
    }

    pub fn assess(&self, text: &str) -> RiskAssessment {
        let mut signals: Vec<Signal> = Vec::new();
        for group in &self.signal {
            for term in &group.terms {
                let affirmed = text.match_indices(term.as_str()).any(|(at, _)| {
                    let before: String = {
                        let head = &text[..at];
                        let n = head.chars().count();
                        head.chars().skip(n.saturating_sub(NEGATION_REACH)).collect()
                    };
                    !self.negations.iter().any(|neg| before.contains(neg.as_str()))
                });
                if affirmed && !signals.iter().any(|s| s.term.contains(term.as_str()) || term.contains(s.term.as_str()))
                {
                    signals.push(Signal {
                        kind: group.kind.clone(),
                        label: group.label.clone(),
                        term: term.clone(),
                        weight: group.weight,
                    });
                }
            }
        }
        let score = signals.iter().map(|s| s.weight).sum();
        RiskAssessment { level: RiskLevel::of(score), score, signals }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lexicon() -> Lexicon {
        Lexicon::from_toml(include_str!("../../../data/text/escalation.toml")).unwrap()
    }

    #[test]
    fn levels_rise_with_the_evidence() {
        let l = lexicon();
        assert_eq!(l.assess("邻居家漏水，双方协商解决").level, RiskLevel::None);
        assert_eq!(l.assess("调解未果").level, RiskLevel::Low);
        assert_eq!(l.assess("工人聚集讨薪，情绪激动").level, RiskLevel::Medium);
        let high = l.assess("扬言要和老板同归于尽");
        assert_eq!(high.level, RiskLevel::High);
        assert!(high.signals.iter().any(|s| s.term == "同归于尽" && s.kind == "violence"));
    }

    #[test]
    fn negated_terms_do_not_count() {
        let l = lexicon();
        assert_eq!(l.assess("他表示不会去北京上访，也没有聚集").level, RiskLevel::None);
        // The same term affirmed elsewhere in the text still counts.
        assert_eq!(l.assess("他说不会跳楼，后来又说要跳楼").level, RiskLevel::High);
    }

    #[test]
    fn a_term_inside_another_counts_once() {
        let l = lexicon();
        let a = l.assess("多次上访无果，准备集体上访");
        let terms: Vec<&str> = a.signals.iter().map(|s| s.term.as_str()).collect();
        assert_eq!(terms, ["集体上访", "多次上访"]);
    }
}
