//! Incidents (警情类别): what the police system classed a matter as, when it is more than a dispute.
//! Safe-village ratings count them, and vetoes name them (a homicide or a mass incident caps a
//! village's stars); a dispute that turns into a crime (民转刑) is recorded with one.

/// The police classification of a matter: a record may carry one (`incident` in the ledger
/// record), and a dispute that later turns criminal is recorded with one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Incident {
    /// 刑事案件.
    Criminal,
    /// 治安案件.
    PublicOrder,
    /// 安全事故 (production, traffic, fire).
    SafetyAccident,
    /// 群体性事件.
    MassIncident,
    /// 命案: a criminal case with a death.
    Homicide,
}

impl Incident {
    pub const ALL: [Incident; 5] = [
        Incident::Criminal,
        Incident::PublicOrder,
        Incident::SafetyAccident,
        Incident::MassIncident,
        Incident::Homicide,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Incident::Criminal => "criminal",
            Incident::PublicOrder => "public_order",
            Incident::SafetyAccident => "safety_accident",
            Incident::MassIncident => "mass_incident",
            Incident::Homicide => "homicide",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Incident::Criminal => "刑事案件",
            Incident::PublicOrder => "治安案件",
            Incident::SafetyAccident => "安全事故",
            Incident::MassIncident => "群体性事件",
            Incident::Homicide => "命案",
        }
    }

    /// Whether it is a crime: what a dispute that turns criminal (民转刑) becomes.
    pub fn is_crime(self) -> bool {
        matches!(self, Incident::Criminal | Incident::Homicide)
    }
}

impl std::str::FromStr for Incident {
    type Err = crate::UnknownName;

    /// The code (`public_order`) or the Chinese name (`治安案件`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        Incident::ALL.into_iter().find(|i| i.code() == s || i.label() == s).ok_or_else(|| crate::UnknownName {
            what: "incident",
            value: s.to_owned(),
            expected: Incident::ALL.map(Incident::code).join(", "),
        })
    }
}

crate::codes::serde_as_code!(Incident);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_chinese_names_parse() {
        for i in Incident::ALL {
            assert_eq!(i.code().parse::<Incident>().unwrap(), i);
            assert_eq!(i.label().parse::<Incident>().unwrap(), i);
        }
        assert!("fight".parse::<Incident>().is_err());
        assert!(Incident::Homicide.is_crime() && !Incident::PublicOrder.is_crime());
    }
}
