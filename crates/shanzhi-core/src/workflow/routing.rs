//! Precise routing (精准分流): the rules of `data/workflow/routing.toml` that choose a case's lead
//! department, co-handlers and handling level from what is known of it at intake.

use serde::Deserialize;

use super::CaseKind;
use crate::department::{DepartmentDirectory, DepartmentKind};
use crate::region::{Gazetteer, RegionCode, RegionLevel};
use crate::{RiskLevel, Yuan};

/// What routing looks at.
#[derive(Debug, Clone)]
pub struct RoutingInput<'a> {
    pub kind: CaseKind,
    /// A taxonomy code.
    pub category: Option<&'a str>,
    /// The lead department the taxonomy gives the category.
    pub category_lead: Option<&'a str>,
    pub region: RegionCode,
    pub amount: Option<Yuan>,
    pub people_count: Option<u32>,
    pub risk: RiskLevel,
}

/// Where a case goes: the rules' answer, before any override.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutingDecision {
    pub lead: String,
    pub co_handlers: Vec<String>,
    pub level: RegionLevel,
    /// The id of the rule that decided.
    pub rule: String,
    /// Its name, which says why (UI text).
    pub rule_name: String,
}

#[derive(Debug, thiserror::Error)]
pub enum RoutingRulesError {
    #[error("routing rules are not valid TOML: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("routing rule `{rule}`: {reason}")]
    Rule { rule: String, reason: String },
    #[error("the last routing rule must have no conditions, so that every case is routed")]
    NoCatchAll,
}

/// The routing rules of a district, in order.
#[derive(Debug, Clone)]
pub struct RoutingRules {
    case_number_prefix: String,
    rules: Vec<Rule>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    case_number_prefix: String,
    rule: Vec<Rule>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Rule {
    id: String,
    name: String,
    #[serde(default)]
    when: Conditions,
    lead: Handler,
    #[serde(default)]
    co: Vec<Handler>,
    level: LevelChoice,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Conditions {
    categories: Option<Vec<String>>,
    kinds: Option<Vec<CaseKind>>,
    min_amount_yuan: Option<u64>,
    min_people: Option<u32>,
    min_risk: Option<RiskLevel>,
    region_level: Option<RegionLevel>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Handler {
    /// Only `"category"`: the category's lead department.
    Category(String),
    OfKind {
        kind: DepartmentKind,
        level: RegionLevel,
    },
    Named {
        name: String,
    },
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum LevelChoice {
    District,
    Town,
    Village,
    /// The level of the case's own region.
    Region,
}

impl Conditions {
    fn is_empty(&self) -> bool {
        self.categories.is_none()
            && self.kinds.is_none()
            && self.min_amount_yuan.is_none()
            && self.min_people.is_none()
            && self.min_risk.is_none()
            && self.region_level.is_none()
    }

    fn hold_for(&self, input: &RoutingInput<'_>) -> bool {
        let category = |codes: &Vec<String>| input.category.is_some_and(|c| codes.iter().any(|code| code == c));
        let amount = |min: u64| input.amount.is_some_and(|a| a.fen() >= (min as i64).saturating_mul(100));
        self.categories.as_ref().is_none_or(category)
            && self.kinds.as_ref().is_none_or(|kinds| kinds.contains(&input.kind))
            && self.min_amount_yuan.is_none_or(amount)
            && self.min_people.is_none_or(|min| input.people_count.is_some_and(|n| n >= min))
            && self.min_risk.is_none_or(|min| input.risk >= min)
            && self.region_level.is_none_or(|level| input.region.level() == level)
    }
}

impl RoutingRules {
    /// Parses the rules and checks that each names only departments and levels that can exist.
    pub fn from_toml(text: &str, directory: &DepartmentDirectory) -> Result<Self, RoutingRulesError> {
        let file: RulesFile = toml::from_str(text)?;
        let bad = |rule: &Rule, reason: String| RoutingRulesError::Rule { rule: rule.id.clone(), reason };
        for rule in &file.rule {
            for handler in std::iter::once(&rule.lead).chain(&rule.co) {
                match handler {
                    Handler::Category(word) if word != "category" => {
                        return Err(bad(rule, format!("handler `{word}` is neither \"category\" nor a table")));
                    }
                    Handler::Named { name } if !directory.is_empty() && directory.get(name).is_none() => {
                        return Err(bad(rule, format!("department `{name}` is not in the directory")));
                    }
                    _ => {}
                }
            }
            if let Some(kinds) = &rule.when.categories
                && kinds.is_empty()
            {
                return Err(bad(rule, "`categories` is empty".into()));
            }
        }
        match file.rule.last() {
            Some(last) if last.when.is_empty() => {}
            _ => return Err(RoutingRulesError::NoCatchAll),
        }
        Ok(RoutingRules { case_number_prefix: file.case_number_prefix, rules: file.rule })
    }

    /// The prefix of the district's case numbers (`YH`).
    pub fn case_number_prefix(&self) -> &str {
        &self.case_number_prefix
    }

    /// The first rule that holds and whose lead department exists for the case's region.
    pub fn route(
        &self,
        input: &RoutingInput<'_>,
        directory: &DepartmentDirectory,
        gazetteer: &Gazetteer,
    ) -> Option<RoutingDecision> {
        self.rules.iter().filter(|rule| rule.when.hold_for(input)).find_map(|rule| {
            let lead = resolve(&rule.lead, input, directory, gazetteer)?;
            let mut co_handlers: Vec<String> = Vec::new();
            for name in rule.co.iter().filter_map(|h| resolve(h, input, directory, gazetteer)) {
                if name != lead && !co_handlers.contains(&name) {
                    co_handlers.push(name);
                }
            }
            let level = match rule.level {
                LevelChoice::District => RegionLevel::District,
                LevelChoice::Town => RegionLevel::Town,
                LevelChoice::Village => RegionLevel::Village,
                LevelChoice::Region => input.region.level(),
            };
            Some(RoutingDecision { lead, co_handlers, level, rule: rule.id.clone(), rule_name: rule.name.clone() })
        })
    }
}

/// The department that leads the mediation of a case at `level` in `region`: what an escalation
/// hands the case to.
pub fn mediation_lead(
    level: RegionLevel,
    region: RegionCode,
    directory: &DepartmentDirectory,
    gazetteer: &Gazetteer,
) -> Option<String> {
    let kind =
        if level == RegionLevel::Village { DepartmentKind::VillageCommittee } else { DepartmentKind::MediationCentre };
    department_of_kind(kind, level, region, directory, gazetteer)
}

fn resolve(
    handler: &Handler,
    input: &RoutingInput<'_>,
    directory: &DepartmentDirectory,
    gazetteer: &Gazetteer,
) -> Option<String> {
    match handler {
        Handler::Category(_) => input.category_lead.map(str::to_owned),
        Handler::Named { name } => Some(name.clone()),
        Handler::OfKind { kind, level } => department_of_kind(*kind, *level, input.region, directory, gazetteer),
    }
}

/// The department of `kind` serving `region` at `level`. A directory rarely lists every
/// village's committee; a village's people's mediation committee is then named after the village.
fn department_of_kind(
    kind: DepartmentKind,
    level: RegionLevel,
    region: RegionCode,
    directory: &DepartmentDirectory,
    gazetteer: &Gazetteer,
) -> Option<String> {
    let listed = |at: RegionCode| directory.iter().find(|d| d.kind == kind && d.region == at).map(|d| d.name.clone());
    match level {
        RegionLevel::District => listed(region.district()),
        RegionLevel::Town => listed(region.town()?),
        RegionLevel::Village => {
            if region.level() != RegionLevel::Village {
                return None;
            }
            listed(region).or_else(|| {
                let village = gazetteer.region(region)?;
                Some(format!("{}人民调解委员会", village.short_name))
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::defaults;

    struct World {
        gazetteer: Gazetteer,
        directory: DepartmentDirectory,
        rules: RoutingRules,
    }

    fn world() -> World {
        let gazetteer = defaults::gazetteer(defaults::DEFAULT_DISTRICT).unwrap();
        let directory = defaults::departments(&gazetteer).unwrap();
        let rules = RoutingRules::from_toml(defaults::ROUTING_RULES, &directory).unwrap();
        World { gazetteer, directory, rules }
    }

    fn input(category: &'static str, region: &str) -> RoutingInput<'static> {
        RoutingInput {
            kind: CaseKind::Dispute,
            category: Some(category),
            category_lead: Some("杭州市余杭区人力资源和社会保障局"),
            region: RegionCode::parse(region).unwrap(),
            amount: None,
            people_count: None,
            risk: RiskLevel::None,
        }
    }

    fn town_of(w: &World, region: &str) -> String {
        w.gazetteer.region(RegionCode::parse(region).unwrap().town().unwrap()).unwrap().official_name.clone()
    }

    #[test]
    fn wage_arrears_over_the_threshold_go_to_the_labour_inspectorate_with_the_towns_justice_office() {
        let w = world();
        let village = w.gazetteer.villages().next().unwrap().code.to_string();
        let mut i = input("wage_arrears", &village);
        i.amount = Some(Yuan::from_fen(12_000_000).unwrap());
        let d = w.rules.route(&i, &w.directory, &w.gazetteer).unwrap();
        assert_eq!(d.rule, "wage_arrears_large");
        assert_eq!(d.lead, "杭州市余杭区劳动保障监察大队");
        assert_eq!(d.level, RegionLevel::District);
        let justice = w.directory.get(&d.co_handlers[0]).unwrap();
        assert_eq!((justice.kind, justice.region), (DepartmentKind::JusticeOffice, i.region.town().unwrap()));

        // Below the threshold the town handles it.
        i.amount = Some(Yuan::from_fen(3_000_000).unwrap());
        let d = w.rules.route(&i, &w.directory, &w.gazetteer).unwrap();
        assert_eq!((d.rule.as_str(), d.level), ("wage_arrears", RegionLevel::Town));
        assert!(d.lead.starts_with(&town_of(&w, &village)), "{}", d.lead);
    }

    #[test]
    fn mass_involvement_and_high_risk_go_to_district_level_whatever_the_category() {
        let w = world();
        let mut i = input("neighbour", "330110005");
        i.people_count = Some(8000);
        let d = w.rules.route(&i, &w.directory, &w.gazetteer).unwrap();
        assert_eq!((d.rule.as_str(), d.level), ("mass_involvement", RegionLevel::District));
        assert_eq!(d.lead, "杭州市余杭区社会矛盾纠纷调处化解中心");
        assert!(d.co_handlers.contains(&"杭州市余杭区人力资源和社会保障局".to_owned()));

        let mut i = input("neighbour", "330110005");
        i.risk = RiskLevel::High;
        assert_eq!(w.rules.route(&i, &w.directory, &w.gazetteer).unwrap().rule, "high_risk");
        i.risk = RiskLevel::Medium;
        assert_eq!(w.rules.route(&i, &w.directory, &w.gazetteer).unwrap().rule, "civil_town");
    }

    #[test]
    fn a_village_neighbour_dispute_stays_in_the_village() {
        let w = world();
        let village = w.gazetteer.villages().next().unwrap();
        let d = w.rules.route(&input("neighbour", &village.code.to_string()), &w.directory, &w.gazetteer).unwrap();
        assert_eq!(d.level, RegionLevel::Village);
        assert_eq!(d.lead, format!("{}人民调解委员会", village.short_name));
    }

    #[test]
    fn every_case_is_routed_and_the_catch_all_is_required() {
        let w = world();
        let mut i = input("medical", "330110005");
        i.category_lead = Some("杭州市余杭区卫生健康局");
        let d = w.rules.route(&i, &w.directory, &w.gazetteer).unwrap();
        assert_eq!(d.rule, "default");
        assert_eq!(d.co_handlers, vec!["杭州市余杭区卫生健康局".to_owned()]);

        let no_catch_all = r#"
            case_number_prefix = "YH"
            [[rule]]
            id = "only"
            name = "只有欠薪"
            when = { categories = ["wage_arrears"] }
            lead = "category"
            level = "town"
        "#;
        assert!(matches!(RoutingRules::from_toml(no_catch_all, &w.directory), Err(RoutingRulesError::NoCatchAll)));
        let unknown = defaults::ROUTING_RULES.replacen(
            r#"lead = { kind = "mediation_centre", level = "district" }"#,
            r#"lead = { name = "不存在的局" }"#,
            1,
        );
        assert!(matches!(RoutingRules::from_toml(&unknown, &w.directory), Err(RoutingRulesError::Rule { .. })));
    }
}
