//! The figures of an assessment: each counts the cases that meet one definition
//! (docs/metrics.md), so that every figure opens into the list of cases behind it by the same
//! predicate that counted it.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::facts::{CaseFacts, Stage};
use super::period::Period;
use crate::workflow::{CaseKind, Relation};
use crate::{Channel, Incident, RegionLevel};

/// What counts a case as in a figure, besides the case: the period and its rules.
#[derive(Debug, Clone, Copy)]
pub struct Judging<'a> {
    pub period: &'a Period,
    pub cut_off: DateTime<Utc>,
    /// A follow-up rating at or below this is 不满意.
    pub unsatisfied_at_most: u8,
}

macro_rules! figures {
    ($($name:ident => $code:literal, $label:literal;)+) => {
        /// A count of cases. Intake and outcome figures count the cases received in the period;
        /// the handling (签收, 超期) and 民转刑 count what happened in the period, whenever the
        /// case was received.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Figure { $($name),+ }

        impl Figure {
            pub const ALL: &'static [Figure] = &[$(Figure::$name),+];
            pub const COUNT: usize = Figure::ALL.len();

            pub fn code(self) -> &'static str {
                match self { $(Figure::$name => $code),+ }
            }

            /// The Chinese name, as report headers and the UI show it.
            pub fn label(self) -> &'static str {
                match self { $(Figure::$name => $label),+ }
            }
        }
    };
}

figures! {
    Received => "received", "受理量";
    Handled => "handled", "在办及办结件";
    Accepted => "accepted", "签收件";
    AcceptedOnTime => "accepted_on_time", "按时签收件";
    Resolved => "resolved", "化解件";
    ResolvedLocally => "resolved_locally", "镇村两级化解件";
    Overdue => "overdue", "超期件";
    RepeatVisits => "repeat_visits", "重复访";
    ResolvedOnce => "resolved_once", "曾化解件";
    Reopened => "reopened", "重新办理件";
    Returned => "returned", "退回件";
    FollowedUp => "followed_up", "已回访件";
    Unsatisfied => "unsatisfied", "不满意件";
    Agreements => "agreements", "调解协议";
    AgreementsChecked => "agreements_checked", "已回访履约协议";
    AgreementsHonoured => "agreements_honoured", "履约协议";
    Crimes => "crimes", "民转刑";
    PoliceReports => "police_reports", "110警情";
    Petitions => "petitions", "信访件";
    UnresolvedDisputes => "unresolved_disputes", "未化解纠纷";
    CriminalCases => "criminal_cases", "刑事案件";
    PublicOrderCases => "public_order_cases", "治安案件";
    SafetyAccidents => "safety_accidents", "安全事故";
    MassIncidents => "mass_incidents", "群体性事件";
    Homicides => "homicides", "命案";
}

impl std::str::FromStr for Figure {
    type Err = crate::UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Figure::ALL.iter().copied().find(|f| f.code() == s).ok_or_else(|| crate::UnknownName {
            what: "figure",
            value: s.to_owned(),
            expected: Figure::ALL.iter().map(|f| f.code()).collect::<Vec<_>>().join(", "),
        })
    }
}

impl Serialize for Figure {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl Figure {
    /// Whether `case` counts in this figure. The definitions are those of docs/metrics.md.
    pub fn counts(self, case: &CaseFacts, j: &Judging<'_>) -> bool {
        let received = j.period.contains(case.basics.received_at);
        let own = case.merged().is_none();
        let in_period = |at: DateTime<Utc>| j.period.start() <= at && at < j.cut_off;
        let acceptance = case.acceptance().filter(|s| own && s.ended_at.is_some_and(in_period));
        // Handled: received in the period and handled as a case of its own (not merged into one).
        let handled = received && case.merged().is_none();
        // An incident is counted once: the records merged into its case are more reports of it.
        let incident = |wanted: &[Incident]| handled && case.basics.incident.is_some_and(|i| wanted.contains(&i));
        let agreement = case.workflow.agreement.as_ref().filter(|_| handled);
        let checked = || agreement.into_iter().flat_map(|a| &a.terms).filter(|t| t.honoured.is_some());
        match self {
            Figure::Received => received,
            Figure::Handled => handled,
            Figure::Accepted => acceptance.is_some(),
            Figure::AcceptedOnTime => acceptance.is_some_and(Stage::is_on_time),
            Figure::Resolved => handled && case.is_resolved(),
            Figure::ResolvedLocally => {
                handled && matches!(case.resolved_level(), Some(RegionLevel::Town | RegionLevel::Village))
            }
            Figure::Overdue => own && case.overdue_within(j.period.start(), j.cut_off),
            Figure::RepeatVisits => received && case.merged() == Some(Relation::Repeat),
            Figure::ResolvedOnce => handled && case.first_resolved_at.is_some(),
            Figure::Reopened => handled && case.first_resolved_at.is_some() && case.workflow.times_reopened > 0,
            Figure::Returned => handled && case.workflow.times_returned > 0,
            Figure::FollowedUp => handled && !case.workflow.follow_ups.is_empty(),
            Figure::Unsatisfied => handled && case.follow_up_ratings().flatten().any(|r| r <= j.unsatisfied_at_most),
            Figure::Agreements => agreement.is_some(),
            Figure::AgreementsChecked => checked().next().is_some(),
            Figure::AgreementsHonoured => checked().next().is_some() && checked().all(|t| t.honoured == Some(true)),
            Figure::Crimes => case.crime().is_some_and(|c| j.period.contains(c.at)),
            Figure::PoliceReports => received && case.basics.channel == Channel::Police,
            Figure::Petitions => received && case.basics.channel == Channel::Petition,
            Figure::UnresolvedDisputes => handled && case.basics.kind == CaseKind::Dispute && !case.is_resolved(),
            Figure::CriminalCases => incident(&[Incident::Criminal, Incident::Homicide]),
            Figure::PublicOrderCases => incident(&[Incident::PublicOrder]),
            Figure::SafetyAccidents => incident(&[Incident::SafetyAccident]),
            Figure::MassIncidents => incident(&[Incident::MassIncident]),
            Figure::Homicides => {
                incident(&[Incident::Homicide])
                    || case.crime().is_some_and(|c| c.incident == Incident::Homicide && j.period.contains(c.at))
            }
        }
    }
}
