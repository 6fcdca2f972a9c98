use std::str::FromStr;

use crate::UnknownName;
use crate::pii::Protected;

/// The part a party plays in a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PartyRole {
    /// 申请人 / 投诉人 / 报警人: who brings the matter.
    Complainant,
    /// 被申请人 / 被投诉人: who it is brought against.
    Respondent,
    /// 第三人.
    ThirdParty,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PartyKind {
    Person,
    Organization,
}

/// A party to a case. ID and phone numbers are held only in protected form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    pub role: PartyRole,
    pub kind: PartyKind,
    pub name: Option<String>,
    pub id_number: Option<Protected>,
    pub phone: Option<Protected>,
}

impl PartyRole {
    pub fn code(self) -> &'static str {
        match self {
            PartyRole::Complainant => "complainant",
            PartyRole::Respondent => "respondent",
            PartyRole::ThirdParty => "third_party",
        }
    }
}

impl FromStr for PartyRole {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "complainant" | "申请人" | "投诉人" | "报警人" | "来访人" | "信访人" | "原告" => {
                Ok(PartyRole::Complainant)
            }
            "respondent" | "被申请人" | "被投诉人" | "被反映人" | "被告" => Ok(PartyRole::Respondent),
            "third_party" | "第三人" => Ok(PartyRole::ThirdParty),
            other => Err(UnknownName {
                what: "party role",
                value: other.to_owned(),
                expected: "complainant, respondent, third_party".into(),
            }),
        }
    }
}

impl PartyKind {
    pub fn code(self) -> &'static str {
        match self {
            PartyKind::Person => "person",
            PartyKind::Organization => "organization",
        }
    }
}

impl FromStr for PartyKind {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "person" | "个人" | "自然人" => Ok(PartyKind::Person),
            "organization" | "organisation" | "单位" | "组织" | "企业" => Ok(PartyKind::Organization),
            other => Err(UnknownName {
                what: "party kind",
                value: other.to_owned(),
                expected: "person, organization".into(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_and_kinds_in_english_and_chinese() {
        assert_eq!("被申请人".parse::<PartyRole>().unwrap(), PartyRole::Respondent);
        assert_eq!("complainant".parse::<PartyRole>().unwrap(), PartyRole::Complainant);
        assert_eq!("企业".parse::<PartyKind>().unwrap(), PartyKind::Organization);
        assert!("witness".parse::<PartyRole>().is_err());
        for r in [PartyRole::Complainant, PartyRole::Respondent, PartyRole::ThirdParty] {
            assert_eq!(r.code().parse::<PartyRole>().unwrap(), r);
        }
    }
}
