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
    /// was dismissed at; a resolved one is raised anew only when the run finds cases it did not
    /// cover (`new_cases`) — the models look back days, so the cases that were dealt with would
    /// otherwise raise it again an hour after it was resolved.
    pub fn on_rerun(self, stored: WarningLevel, found: WarningLevel, new_cases: bool) -> Rerun {
        match self {
            s if s.is_open() => Rerun::Update,
            WarningState::Dismissed if found <= stored => Rerun::Ignore,
            WarningState::Resolved if !new_cases => Rerun::Ignore,
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
    /// Control characters, or longer than 2000 characters.
    #[error("{field} {reason}")]
    Invalid { field: &'static str, code: &'static str, reason: &'static str },
}

/// Longest note, reason or plan code staff may write.
const MAX_TEXT: usize = 2000;

impl WarningAction {
    /// The action as the ledger keeps it: its texts trimmed, checked, and with any ID, phone or
    /// card number masked — the history is append-only, so a number typed into a dismissal
    /// would stay there for good.
    pub fn cleaned(self) -> Result<WarningAction, WarningError> {
        fn clean(text: String, field: &'static str) -> Result<String, WarningError> {
            let text = text.trim();
            if text.chars().count() > MAX_TEXT {
                return Err(WarningError::Invalid { field, code: "too_long", reason: "has more than 2000 characters" });
            }
            if crate::record::has_control_characters(text) {
                return Err(WarningError::Invalid {
                    field,
                    code: "control_characters",
                    reason: "contains control characters",
                });
            }
            Ok(crate::pii::scrub_text(text))
        }
        Ok(match self {
            WarningAction::Acknowledge => WarningAction::Acknowledge,
            WarningAction::ActivatePlan { plan } => WarningAction::ActivatePlan { plan: clean(plan, "plan")? },
            WarningAction::Resolve { note } => WarningAction::Resolve { note: clean(note, "note")? },
            WarningAction::Dismiss { reason } => WarningAction::Dismiss { reason: clean(reason, "reason")? },
        })
    }

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
        assert_eq!(Acknowledged.on_rerun(Yellow, Red, false), Rerun::Update);
        assert_eq!(Dismissed.on_rerun(Orange, Yellow, true), Rerun::Ignore);
        assert_eq!(Dismissed.on_rerun(Orange, Orange, true), Rerun::Ignore);
        assert_eq!(Dismissed.on_rerun(Yellow, Red, false), Rerun::RaiseNew);
        assert_eq!(Resolved.on_rerun(Red, Yellow, true), Rerun::RaiseNew);
        assert_eq!(Resolved.on_rerun(Red, Red, false), Rerun::Ignore, "the same cases, already dealt with");
    }

    #[test]
    fn texts_are_kept_masked_and_clean() {
        let dismiss = WarningAction::Dismiss { reason: " 当事人13812345678已撤诉 ".into() }.cleaned().unwrap();
        let WarningAction::Dismiss { reason } = dismiss else { unreachable!() };
        assert!(!reason.contains("13812345678") && reason.starts_with("当事人"), "{reason}");
        let bad = WarningAction::Resolve { note: "a\u{7}b".into() }.cleaned();
        assert!(matches!(bad, Err(WarningError::Invalid { code: "control_characters", .. })));
        let long = WarningAction::Dismiss { reason: "长".repeat(2001) }.cleaned();
        assert!(matches!(long, Err(WarningError::Invalid { code: "too_long", .. })));
    }

    #[test]
    fn actions_read_as_the_api_writes_them() {
        let action: WarningAction = serde_json::from_str(r#"{"action":"dismiss","reason":"误报"}"#).unwrap();
        assert_eq!(action, WarningAction::Dismiss { reason: "误报".into() });
    }
}
