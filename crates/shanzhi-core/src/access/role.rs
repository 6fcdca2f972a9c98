//! The roles and what each may do.

use std::fmt;
use std::str::FromStr;

use crate::UnknownName;

/// The kinds of user of the platform (DESIGN.md): people, and the systems that push records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// District administrator: everything.
    Admin,
    /// Command-centre analyst (数智治理中心): watches the one screen, works the warnings.
    Analyst,
    /// Window clerk (窗口受理员): registers and routes what citizens bring.
    Clerk,
    /// Department handler (部门承办人): the cases their department leads or co-handles.
    Handler,
    /// Town staff (镇街工作人员): the cases of their town.
    Town,
    /// Village grid worker (村社网格员): the cases of their village.
    Grid,
    /// Leader (领导): reads everything, changes nothing.
    Leader,
    /// A system that pushes records (police, petition, court, hotline): registers only.
    System,
}

/// One thing a role may do. The codes are what the API reports to the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// The one screen (一屏观全区).
    Dashboard,
    ReadCases,
    RegisterCases,
    /// Take workflow steps on a case.
    ActOnCases,
    ReadWarnings,
    /// Acknowledge, dismiss, activate a plan, resolve.
    ActOnWarnings,
    ReadAssessment,
    /// Record the star ratings of an ended period.
    RateVillages,
    /// See a party's ID number and phone in clear, per case, with a reason that is logged.
    UnmaskPersonalData,
}

impl Permission {
    pub const ALL: [Permission; 9] = [
        Permission::Dashboard,
        Permission::ReadCases,
        Permission::RegisterCases,
        Permission::ActOnCases,
        Permission::ReadWarnings,
        Permission::ActOnWarnings,
        Permission::ReadAssessment,
        Permission::RateVillages,
        Permission::UnmaskPersonalData,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Permission::Dashboard => "dashboard",
            Permission::ReadCases => "cases.read",
            Permission::RegisterCases => "cases.register",
            Permission::ActOnCases => "cases.act",
            Permission::ReadWarnings => "warnings.read",
            Permission::ActOnWarnings => "warnings.act",
            Permission::ReadAssessment => "assessment.read",
            Permission::RateVillages => "assessment.rate",
            Permission::UnmaskPersonalData => "pii.unmask",
        }
    }
}

impl Role {
    pub const ALL: [Role; 8] =
        [Role::Admin, Role::Analyst, Role::Clerk, Role::Handler, Role::Town, Role::Grid, Role::Leader, Role::System];

    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Analyst => "analyst",
            Role::Clerk => "clerk",
            Role::Handler => "handler",
            Role::Town => "town",
            Role::Grid => "grid",
            Role::Leader => "leader",
            Role::System => "system",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "系统管理员",
            Role::Analyst => "指挥中心分析员",
            Role::Clerk => "窗口受理员",
            Role::Handler => "部门承办人",
            Role::Town => "镇街工作人员",
            Role::Grid => "村社网格员",
            Role::Leader => "领导",
            Role::System => "对接系统",
        }
    }

    /// What the role may do. Reading is further limited by the principal's [`Scope`]: a town's
    /// staff read cases, but only their town's.
    ///
    /// [`Scope`]: super::Scope
    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Role::Admin => &Permission::ALL,
            Role::Analyst => &[Dashboard, ReadCases, ReadWarnings, ActOnWarnings, ReadAssessment, RateVillages],
            Role::Clerk => &[ReadCases, RegisterCases, ActOnCases, UnmaskPersonalData],
            Role::Handler => &[ReadCases, ActOnCases, UnmaskPersonalData],
            Role::Town => &[Dashboard, ReadCases, RegisterCases, ActOnCases, ReadAssessment, UnmaskPersonalData],
            Role::Grid => &[ReadCases, RegisterCases, ActOnCases],
            Role::Leader => &[Dashboard, ReadCases, ReadWarnings, ReadAssessment],
            Role::System => &[RegisterCases],
        }
    }

    pub fn may(self, permission: Permission) -> bool {
        self.permissions().contains(&permission)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Role {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        Role::ALL.into_iter().find(|r| r.code() == s || r.label() == s).ok_or_else(|| UnknownName {
            what: "role",
            value: s.to_owned(),
            expected: Role::ALL.map(Role::code).join(", "),
        })
    }
}
