//! Escalation signals: a curated, weighted lexicon (`data/text/escalation.toml`) with negation,
//! giving a risk level and the evidence for it.

use serde::Deserialize;

pub use shanzhi_core::RiskLevel;

/// The scores at which the risk level rises (from the lexicon file).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
struct Levels {
    low: u32,
    medium: u32,
    high: u32,
}

impl Levels {
    fn of(&self, score: u32) -> RiskLevel {
        if score >= self.high {
            RiskLevel::High
        } else if score >= self.medium {
            RiskLevel::Medium
        } else if score >= self.low {
            RiskLevel::Low
        } else {
            RiskLevel::None
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
    levels: Levels,
    negations: Vec<String>,
    signal: Vec<Group>,
    /// (group, term) indices by the term's first character: one pass over a text finds them all.
    #[serde(skip)]
    by_first: std::collections::HashMap<char, Vec<(usize, usize)>>,
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

/// Words that may stand between a negation and its term (`不会去`, `没有要`).
const BETWEEN: [char; 5] = ['会', '要', '去', '想', '再'];

/// Where a clause ends: a negation before it does not reach a term after it (`不给钱就跳楼`).
const CLAUSE_BREAKS: [char; 11] = ['，', '。', '；', '！', '？', ',', ';', '!', '?', '就', '才'];

#[derive(Debug, thiserror::Error)]
pub enum LexiconError {
    #[error("escalation lexicon is not valid TOML: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("escalation lexicon: {0}")]
    Invalid(String),
}

impl Lexicon {
    pub fn from_toml(text: &str) -> Result<Self, LexiconError> {
        let mut lexicon: Lexicon = toml::from_str(text)?;
        let Levels { low, medium, high } = lexicon.levels;
        if !(0 < low && low < medium && medium < high) {
            return Err(LexiconError::Invalid("levels must rise: 0 < low < medium < high".into()));
        }
        if lexicon.negations.iter().any(|n| n.trim().is_empty()) {
            return Err(LexiconError::Invalid("an empty negation would cancel every signal".into()));
        }
        let mut seen = std::collections::HashSet::new();
        for group in &lexicon.signal {
            if group.weight == 0 || group.weight > 100 {
                return Err(LexiconError::Invalid(format!("{}: weight must be 1 to 100", group.kind)));
            }
            for term in &group.terms {
                if term.trim().is_empty() || !seen.insert(term.as_str()) {
                    return Err(LexiconError::Invalid(format!("{}: empty or repeated term `{term}`", group.kind)));
                }
            }
        }
        for (g, group) in lexicon.signal.iter().enumerate() {
            for (t, term) in group.terms.iter().enumerate() {
                if let Some(first) = term.chars().next() {
                    lexicon.by_first.entry(first).or_default().push((g, t));
                }
            }
        }
        Ok(lexicon)
    }

    /// Whether the term at byte `at` is negated: a negation right before it, with at most one
    /// of [`BETWEEN`] in between, in the same clause.
    fn negated(&self, text: &str, at: usize) -> bool {
        let start = text[..at].char_indices().rev().nth(NEGATION_REACH - 1).map_or(0, |(i, _)| i);
        let mut before = &text[start..at];
        if let Some(cut) = before.rfind(CLAUSE_BREAKS) {
            before = &before[cut..];
            before = &before[before.chars().next().map_or(0, char::len_utf8)..];
        }
        let before = before.strip_suffix(BETWEEN).unwrap_or(before);
        self.negations.iter().any(|n| before.ends_with(n.as_str()))
    }

    pub fn assess(&self, text: &str) -> RiskAssessment {
        let mut affirmed: Vec<Vec<bool>> = self.signal.iter().map(|g| vec![false; g.terms.len()]).collect();
        for (at, c) in text.char_indices() {
            for &(g, t) in self.by_first.get(&c).into_iter().flatten() {
                if !affirmed[g][t]
                    && text[at..].starts_with(self.signal[g].terms[t].as_str())
                    && !self.negated(text, at)
                {
                    affirmed[g][t] = true;
                }
            }
        }
        let mut signals: Vec<Signal> = Vec::new();
        for (group, found) in self.signal.iter().zip(&affirmed) {
            for (term, _) in group.terms.iter().zip(found).filter(|(_, a)| **a) {
                if !signals.iter().any(|s| s.term.contains(term.as_str()) || term.contains(s.term.as_str())) {
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
        RiskAssessment { level: self.levels.of(score), score, signals }
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
        assert_eq!(l.assess("他表示不会进京上访，也没有聚集").level, RiskLevel::None);
        // The same term affirmed elsewhere in the text still counts.
        assert_eq!(l.assess("他说不会跳楼，后来又说要跳楼").level, RiskLevel::High);
    }

    #[test]
    fn a_negation_reaches_only_its_own_clause() {
        let l = lexicon();
        for text in ["不给钱就跳楼", "不还钱就同归于尽", "实在受不了，要跳楼", "个别村民聚集", "未成年人跳楼"]
        {
            assert_ne!(l.assess(text).level, RiskLevel::None, "{text}");
        }
        for text in ["他说不会跳楼", "没有聚集", "表示不会去进京上访", "并未拉横幅"] {
            assert_eq!(l.assess(text).level, RiskLevel::None, "{text}");
        }
    }

    #[test]
    fn an_invalid_lexicon_is_refused() {
        let levels = "levels = { low = 1, medium = 3, high = 5 }\n";
        let term = "[[signal]]\nkind = \"a\"\nlabel = \"甲\"\nweight = 1\nterms = [\"跳楼\"]\n";
        // The well-formed lexicon parses, so each failure below is for the reason it names.
        assert!(Lexicon::from_toml(&format!("{levels}negations = [\"不\"]\n{term}")).is_ok());
        assert!(Lexicon::from_toml(&format!("{levels}negations = [\"\"]\n{term}")).is_err(), "empty negation");
        let flat = "levels = { low = 3, medium = 3, high = 5 }\n";
        assert!(Lexicon::from_toml(&format!("{flat}negations = []\n{term}")).is_err(), "levels that do not rise");
        let repeated = term.replace("[\"跳楼\"]", "[\"跳楼\", \"跳楼\"]");
        assert!(Lexicon::from_toml(&format!("{levels}negations = []\n{repeated}")).is_err(), "repeated term");
    }

    #[test]
    fn long_texts_are_assessed_in_linear_time() {
        let l = lexicon();
        assert_eq!(l.assess(&"没聚集".repeat(50_000)).level, RiskLevel::None);
    }

    #[test]
    fn a_term_inside_another_counts_once() {
        let l = lexicon();
        let a = l.assess("多次上访无果，准备集体上访");
        let terms: Vec<&str> = a.signals.iter().map(|s| s.term.as_str()).collect();
        assert_eq!(terms, ["集体上访", "多次上访"]);
    }
}
