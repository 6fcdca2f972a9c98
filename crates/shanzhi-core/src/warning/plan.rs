//! Contingency plans (预案): task templates in a data file (data/risk/plans.toml) that a warning
//! proposes by its model and level, and that become dated tasks for named departments when an
//! analyst activates one.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Warning, WarningLevel, WarningModel};
use crate::calendar::WorkCalendar;
use crate::department::{DepartmentDirectory, DepartmentKind};
use crate::region::RegionCode;

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("contingency plans: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("contingency plan `{plan}`: {reason}")]
    Invalid { plan: String, reason: String },
}

#[derive(Debug, Clone)]
pub struct ContingencyPlans {
    plans: Vec<ContingencyPlan>,
    /// Departments the plans name that the directory lacks, for the caller to judge: an error
    /// in a district's own plan file, a notice for the shipped plans in another district.
    missing_departments: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ContingencyPlan {
    pub code: String,
    pub name: String,
    pub models: Vec<WarningModel>,
    pub min_level: WarningLevel,
    pub tasks: Vec<TaskTemplate>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TaskTemplate {
    /// A district department, by official or short name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// The office of this kind in each town concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub town_office: Option<DepartmentKind>,
    pub task: String,
    pub due_working_days: u32,
}

/// A task of an activated plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanTask {
    /// The department's official name.
    pub department: String,
    pub task: String,
    pub due_on: NaiveDate,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanFile {
    plan: Vec<ContingencyPlan>,
}

impl ContingencyPlans {
    /// Parses the plan file and checks every named department against the directory.
    pub fn from_toml(text: &str, directory: &DepartmentDirectory) -> Result<ContingencyPlans, PlanError> {
        let PlanFile { plan: plans } = toml::from_str(text)?;
        let mut missing_departments = Vec::new();
        for plan in &plans {
            let invalid = |reason: String| PlanError::Invalid { plan: plan.code.clone(), reason };
            if plans.iter().filter(|p| p.code == plan.code).count() > 1 {
                return Err(invalid("the code is used twice".into()));
            }
            for task in &plan.tasks {
                match (&task.department, task.town_office) {
                    (Some(name), None) if directory.find(name).is_none() => {
                        if !missing_departments.contains(name) {
                            missing_departments.push(name.clone());
                        }
                    }
                    (Some(_), None) | (None, Some(_)) => {}
                    _ => return Err(invalid(format!("task `{}` needs a department or a town_office", task.task))),
                }
            }
        }
        Ok(ContingencyPlans { plans, missing_departments })
    }

    pub fn missing_departments(&self) -> &[String] {
        &self.missing_departments
    }

    pub fn get(&self, code: &str) -> Option<&ContingencyPlan> {
        self.plans.iter().find(|p| p.code == code)
    }

    /// The plans a warning proposes: of its model, and at or below its level.
    pub fn proposed<'a>(&'a self, warning: &'a Warning) -> impl Iterator<Item = &'a ContingencyPlan> + 'a {
        self.plans.iter().filter(|p| p.models.contains(&warning.model) && warning.level >= p.min_level)
    }
}

impl ContingencyPlan {
    /// The plan's tasks, dated from `today` in working days, for the towns the warning concerns.
    /// A town without an office of the kind asked for is skipped: the district department that
    /// leads the plan covers it.
    pub fn tasks(
        &self,
        towns: &[RegionCode],
        directory: &DepartmentDirectory,
        calendar: &WorkCalendar,
        today: NaiveDate,
    ) -> Vec<PlanTask> {
        let mut tasks = Vec::new();
        for template in &self.tasks {
            let due_on = calendar.add_working_days(today, template.due_working_days);
            if let Some(name) = &template.department {
                let department = directory.find(name).map_or_else(|| name.clone(), |d| d.name.clone());
                tasks.push(PlanTask { department, task: template.task.clone(), due_on });
            }
            if let Some(kind) = template.town_office {
                for &town in towns {
                    if let Some(office) = directory.iter().find(|d| d.kind == kind && d.region == town) {
                        tasks.push(PlanTask { department: office.name.clone(), task: template.task.clone(), due_on });
                    }
                }
            }
        }
        tasks
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::defaults;
    use crate::warning::{Statistic, Subject, SubjectKind};

    fn warning(model: WarningModel, level: WarningLevel) -> Warning {
        let day = NaiveDate::from_ymd_opt(2026, 10, 21).unwrap();
        Warning {
            model,
            level,
            subject: Subject { kind: SubjectKind::Respondent, key: "k".into(), label: "某某教育".into() },
            score: 12.0,
            statistic: Statistic { method: "m".into(), observed: 27.0, expected: 1.4, p_value: None, llr: None },
            factors: vec![],
            explanation: String::new(),
            case_ids: vec![],
            since: day,
            as_of: day,
        }
    }

    #[test]
    fn the_shipped_plans_name_real_departments_and_date_their_tasks() {
        let gazetteer = defaults::gazetteer(defaults::DEFAULT_DISTRICT).unwrap();
        let directory = defaults::departments(&gazetteer).unwrap();
        let plans = ContingencyPlans::from_toml(defaults::CONTINGENCY_PLANS, &directory).unwrap();
        assert!(plans.missing_departments().is_empty(), "{:?}", plans.missing_departments());
        let red_event = warning(WarningModel::Event, WarningLevel::Red);
        let proposed: Vec<&str> = plans.proposed(&red_event).map(|p| p.code.as_str()).collect();
        assert!(proposed.contains(&"mass_refund"), "{proposed:?}");
        assert!(plans.proposed(&warning(WarningModel::Event, WarningLevel::Yellow)).next().is_none());

        let calendar = defaults::calendar().unwrap();
        let town = RegionCode::parse("330110014").unwrap(); // 中泰街道
        let today = NaiveDate::from_ymd_opt(2026, 10, 21).unwrap();
        let tasks = plans.get("mass_refund").unwrap().tasks(&[town], &directory, &calendar, today);
        assert!(tasks.iter().any(|t| t.department == "杭州市余杭区市场监督管理局"));
        assert!(tasks.iter().any(|t| t.department.starts_with("中泰街道")), "{tasks:#?}");
        assert!(tasks.iter().all(|t| t.due_on > today));
        let police = tasks.iter().find(|t| t.department.contains("公安")).unwrap();
        assert_eq!(police.due_on, calendar.add_working_days(today, 1));
    }

    #[test]
    fn a_plan_naming_an_unknown_department_reports_it() {
        let gazetteer = defaults::gazetteer(defaults::DEFAULT_DISTRICT).unwrap();
        let directory = defaults::departments(&gazetteer).unwrap();
        let text = r#"
            [[plan]]
            code = "x"
            name = "x"
            models = ["event"]
            min_level = "red"
            tasks = [{ department = "区不存在局", task = "t", due_working_days = 1 }]
        "#;
        let plans = ContingencyPlans::from_toml(text, &directory).unwrap();
        assert_eq!(plans.missing_departments(), ["区不存在局"]);
        assert!(plans.get("mass_refund").is_none());
        let text = text.replace("department = \"区不存在局\", ", "");
        let err = ContingencyPlans::from_toml(&text, &directory).unwrap_err();
        assert!(err.to_string().contains("needs a department or a town_office"), "{err}");
    }
}
