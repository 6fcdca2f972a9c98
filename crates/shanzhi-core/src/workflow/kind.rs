//! The five kinds of matter the one window takes in, and how a kind is read from a text that
//! does not state it (cues in `data/workflow/kinds.toml`).

use std::str::FromStr;

use serde::Deserialize;

use crate::UnknownName;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CaseKind {
    /// 矛盾纠纷.
    #[default]
    Dispute,
    /// 投诉.
    Complaint,
    /// 求助.
    HelpRequest,
    /// 咨询.
    Consultation,
    /// 建议.
    Suggestion,
}

impl CaseKind {
    pub const ALL: [CaseKind; 5] =
        [CaseKind::Dispute, CaseKind::Complaint, CaseKind::HelpRequest, CaseKind::Consultation, CaseKind::Suggestion];

    pub fn code(self) -> &'static str {
        match self {
            CaseKind::Dispute => "dispute",
            CaseKind::Complaint => "complaint",
            CaseKind::HelpRequest => "help_request",
            CaseKind::Consultation => "consultation",
            CaseKind::Suggestion => "suggestion",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CaseKind::Dispute => "矛盾纠纷",
            CaseKind::Complaint => "投诉",
            CaseKind::HelpRequest => "求助",
            CaseKind::Consultation => "咨询",
            CaseKind::Suggestion => "建议",
        }
    }
}

impl FromStr for CaseKind {
    type Err = UnknownName;

    /// The code (`complaint`) or the Chinese name (`投诉`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        CaseKind::ALL.into_iter().find(|k| k.code() == s || k.label() == s).ok_or_else(|| UnknownName {
            what: "kind",
            value: s.to_owned(),
            expected: CaseKind::ALL.map(CaseKind::code).join(", "),
        })
    }
}

crate::codes::serde_as_code!(CaseKind);

/// The cues by which a text shows its kind, in order of precedence.
#[derive(Debug, Clone)]
pub struct KindCues {
    kinds: Vec<(CaseKind, Vec<String>)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CuesFile {
    kind: Vec<CuesEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CuesEntry {
    kind: CaseKind,
    cues: Vec<String>,
}

impl KindCues {
    pub fn from_toml(text: &str) -> Result<Self, toml::de::Error> {
        let file: CuesFile = toml::from_str(text)?;
        Ok(KindCues { kinds: file.kind.into_iter().map(|e| (e.kind, e.cues)).collect() })
    }

    /// The kind of the first cue list that matches `text`; a dispute when none does.
    pub fn kind_of(&self, text: &str) -> CaseKind {
        self.kinds
            .iter()
            .find(|(_, cues)| cues.iter().any(|cue| text.contains(cue.as_str())))
            .map_or(CaseKind::Dispute, |(kind, _)| *kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_from_codes_and_chinese_names() {
        for kind in CaseKind::ALL {
            assert_eq!(kind.code().parse::<CaseKind>().unwrap(), kind);
            assert_eq!(kind.label().parse::<CaseKind>().unwrap(), kind);
        }
        assert!("petition".parse::<CaseKind>().is_err());
    }

    #[test]
    fn the_shipped_cues_read_each_kind() {
        let cues = KindCues::from_toml(crate::defaults::KIND_CUES).unwrap();
        assert_eq!(cues.kind_of("请问办理居住证需要哪些材料？"), CaseKind::Consultation);
        assert_eq!(cues.kind_of("建议在村口增设路灯，晚上太黑"), CaseKind::Suggestion);
        assert_eq!(cues.kind_of("老人走失，家属到窗口求助"), CaseKind::HelpRequest);
        assert_eq!(cues.kind_of("投诉某某超市出售过期食品"), CaseKind::Complaint);
        assert_eq!(cues.kind_of("邻居装修漏水，双方因赔偿发生争执"), CaseKind::Dispute);
    }
}
