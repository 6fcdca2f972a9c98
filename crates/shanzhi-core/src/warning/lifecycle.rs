//! A warning's lifecycle: raised → acknowledged → plan activated → resolved, or dismissed with a
//! reason at any point before it is resolved. Dismissals are kept and reported.

use serde::{Deserialize, Serialize};

use super::WarningLevel;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WarningState {
    Raised,
    Acknowledged,
    PlanActivated,
    Resolved,
    Dismissed,
}

impl WarningState {
    pub const ALL: [WarningState; 5] = [
        WarningState::Raised,
        WarningState::Acknowledged,
        WarningState::PlanActivated,
        WarningState::Resolved,
        WarningState::Dismissed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            WarningState::Raised => "raised",
            WarningState::Acknowledged => "acknowledged",
            WarningState::PlanActivated => "plan_activated",
            WarningState::Resolved => "resolved",
            WarningState::Dismissed => "dismissed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            WarningState::Raised => "待签收",
            WarningState::Acknowledged => "已签收",
            WarningState::PlanActivated => "预案已启动",
            WarningState::Resolved => "已化解",
            WarningState::Dismissed => "已排除",
        }
    }

    /// Still calling for attention: a later run updates it rather than raising a new one.
    pub fn is_open(self) -> bool {
        matches!(self, WarningState::Raised | WarningState::Acknowledged | WarningState::PlanActivated)
    }

    /// What a new run that finds the same situation does with a warning in this state: an open
    /// warning is updated; a dismissed one stays dismissed unless the level rose above the level it
    /// was dismissed at; a resolved situation that is found again is a new warning.
    pub fn on_rerun(self, stored: WarningLevel, found: WarningLevel) -> Rerun {
        match self {
            s if s.is_open() => Rerun::Update,
            WarningState::Dismissed if found <= stored => Rerun::Ignore,
            _ => Rerun::RaiseNew,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rerun {
    Update,
    Ignore,
    RaiseNew,
}

super::from_code!(WarningState => "warning state");

/// What staff do with a warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum WarningAction {
    /// 签收.
    Acknowledge,
    /// 启动预案: the plan's code from the contingency plan file.
    ActivatePlan { plan: String },
    /// 化解: the situation is over.
    Resolve { note: String },
    /// 排除: not a real risk; the reason is kept and reported.
    Dismiss { reason: String },
}

impl WarningAction {
    pub fn code(&self) -> &'static str {
        match self {
            WarningAction::Acknowledge => "acknowledge",
            WarningAction::ActivatePlan { .. } => "activate_plan",
            WarningAction::Resolve { .. } => "resolve",
            WarningAction::Dismiss { .. } => "dismiss",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WarningError {
    #[error("a warning that is {} cannot be {action}", .from.label())]
    NotAllowed { from: WarningState, action: &'static str },
    #[error("{field} must not be empty")]
    Missing { field: &'static str },
}

impl WarningAction {
    /// The state after the action, if it is allowed from `from`.
    pub fn apply(&self, from: WarningState) -> Result<WarningState, WarningError> {
        use WarningState::*;
        let to = match (self, from) {
            (WarningAction::Acknowledge, Raised) => Acknowledged,
            (WarningAction::ActivatePlan { plan }, Raised | Acknowledged) => {
                if plan.trim().is_empty() {
                    return Err(WarningError::Missing { field: "plan" });
                }
                PlanActivated
            }
            (WarningAction::Resolve { .. }, Acknowledged | PlanActivated) => Resolved,
            (WarningAction::Dismiss { reason }, Raised | Acknowledged | PlanActivated) => {
                if reason.trim().is_empty() {
                    return Err(WarningError::Missing { field: "reason" });
                }
                Dismissed
            }
            (action, from) => return Err(WarningError::NotAllowed { from, action: action.code() }),
        };
        Ok(to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use WarningState::*;

    #[test]
    fn the_lifecycle_goes_forward_only() {
        let plan = WarningAction::ActivatePlan { plan: "mass_refund".into() };
        assert_eq!(WarningAction::Acknowledge.apply(Raised), Ok(Acknowledged));
        assert_eq!(plan.apply(Acknowledged), Ok(PlanActivated));
        assert_eq!(WarningAction::Resolve { note: "退费完成".into() }.apply(PlanActivated), Ok(Resolved));
        assert!(matches!(WarningAction::Acknowledge.apply(Resolved), Err(WarningError::NotAllowed { .. })));
        assert!(matches!(
            WarningAction::Resolve { note: String::new() }.apply(Raised),
            Err(WarningError::NotAllowed { .. })
        ));
        assert!(matches!(plan.apply(Dismissed), Err(WarningError::NotAllowed { .. })));
    }

    #[test]
    fn a_dismissal_needs_a_reason() {
        let blank = WarningAction::Dismiss { reason: "  ".into() };
        assert_eq!(blank.apply(Raised), Err(WarningError::Missing { field: "reason" }));
        assert_eq!(WarningAction::Dismiss { reason: "系正常业务量".into() }.apply(Acknowledged), Ok(Dismissed));
    }

    #[test]
    fn reruns_update_open_warnings_and_respect_dismissals() {
        use WarningLevel::*;
        assert_eq!(Acknowledged.on_rerun(Yellow, Red), Rerun::Update);
        assert_eq!(Dismissed.on_rerun(Orange, Yellow), Rerun::Ignore);
        assert_eq!(Dismissed.on_rerun(Orange, Orange), Rerun::Ignore);
        assert_eq!(Dismissed.on_rerun(Yellow, Red), Rerun::RaiseNew);
        assert_eq!(Resolved.on_rerun(Red, Yellow), Rerun::RaiseNew);
    }

    #[test]
    fn actions_read_as_the_api_writes_them() {
        let action: WarningAction = serde_json::from_str(r#"{"action":"dismiss","reason":"误报"}"#).unwrap();
        assert_eq!(action, WarningAction::Dismiss { reason: "误报".into() });
    }
}
