//! The part of the ledger a user may see: the whole district, one town or village, or the cases
//! of one department.

use crate::region::{Gazetteer, RegionCode, RegionLevel};
use crate::{Case, DepartmentDirectory};

use super::Role;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    District,
    /// A town or a village and everything inside it.
    Region(RegionCode),
    /// The cases a department leads or co-handles.
    Department(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    #[error("the role `{role}` needs a {needs}")]
    Missing { role: &'static str, needs: &'static str },
    #[error("the role `{role}` works on the whole district; it takes no {field}")]
    NotTaken { role: &'static str, field: &'static str },
    #[error("`{0}` is not a town of the district")]
    NotATown(String),
    #[error("`{0}` is not a village of the district")]
    NotAVillage(String),
    #[error("`{0}` is not a department of the directory")]
    UnknownDepartment(String),
}

impl Scope {
    /// The scope a role works in, from the region and department it was given: town staff need
    /// their town, grid workers their village, handlers their department; the other roles see
    /// the whole district and take neither.
    pub fn for_role(
        role: Role,
        region: Option<RegionCode>,
        department: Option<&str>,
        gazetteer: &Gazetteer,
        departments: &DepartmentDirectory,
    ) -> Result<Scope, ScopeError> {
        let is = |code: RegionCode, level| gazetteer.region(code).is_some_and(|r| r.level() == level);
        let not_taken = |field| Err(ScopeError::NotTaken { role: role.code(), field });
        match role {
            Role::Town | Role::Grid => {
                if department.is_some() {
                    return not_taken("department");
                }
                let (level, needs) = match role {
                    Role::Town => (RegionLevel::Town, "town (--region CODE)"),
                    _ => (RegionLevel::Village, "village (--region CODE)"),
                };
                let code = region.ok_or(ScopeError::Missing { role: role.code(), needs })?;
                if !is(code, level) {
                    return Err(match role {
                        Role::Town => ScopeError::NotATown(code.to_string()),
                        _ => ScopeError::NotAVillage(code.to_string()),
                    });
                }
                Ok(Scope::Region(code))
            }
            Role::Handler => {
                if region.is_some() {
                    return not_taken("region");
                }
                let written = department.ok_or(ScopeError::Missing { role: role.code(), needs: "department" })?;
                let known =
                    departments.find(written).ok_or_else(|| ScopeError::UnknownDepartment(written.to_owned()))?;
                Ok(Scope::Department(known.name.clone()))
            }
            _ if region.is_some() => not_taken("region"),
            _ if department.is_some() => not_taken("department"),
            _ => Ok(Scope::District),
        }
    }

    /// Whether the case lies in the scope: in the region, or handled by the department.
    pub fn covers(&self, case: &Case) -> bool {
        match self {
            Scope::District => true,
            Scope::Region(region) => case.record.region.is_within(*region),
            Scope::Department(department) => case.workflow.handlers().any(|h| h == department),
        }
    }

    pub fn region(&self) -> Option<RegionCode> {
        match self {
            Scope::Region(code) => Some(*code),
            _ => None,
        }
    }

    pub fn department(&self) -> Option<&str> {
        match self {
            Scope::Department(name) => Some(name),
            _ => None,
        }
    }

    /// How the UI names it: 全区, the town's or village's name, the department's.
    pub fn label(&self, gazetteer: &Gazetteer) -> String {
        match self {
            Scope::District => "全区".to_owned(),
            Scope::Region(code) => gazetteer.display_name(*code).unwrap_or_else(|| code.to_string()),
            Scope::Department(name) => name.clone(),
        }
    }
}
