//! 人 — people at risk of escalation, the first line against "civil turned criminal" (民转刑).
//!
//! A person is a keyed identity hash (ID number, else phone), so contacts through different
//! channels meet without anyone's number in clear. Each person with `min_contacts` contacts, one
//! of them recent, is scored by
//! transparent factors: repeated contacts, climbing the channels (grid → window → petition →
//! police), escalation language in the latest contacts and whether it is new, failed mediations,
//! and how recent the last contact is.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Days, NaiveDate};
use shanzhi_core::warning::{CaseSummary, Factor, Statistic, Subject, SubjectKind, Warning, WarningModel};
use shanzhi_core::{Channel, RiskLevel};

use super::{days, round2};
use crate::config::PersonSettings;

/// How many of the latest contacts are read for escalation language.
const LATEST_CONTACTS: usize = 2;

pub fn warnings(cases: &[CaseSummary], as_of: NaiveDate, settings: &PersonSettings) -> Vec<Warning> {
    let from = as_of - Days::new(u64::from(settings.lookback_days.saturating_sub(1)));
    let recent_from = as_of - Days::new(u64::from(settings.recent_days.saturating_sub(1)));
    let mut by_person: BTreeMap<&str, Vec<&CaseSummary>> = BTreeMap::new();
    for case in days(cases, from, as_of) {
        for person in &case.complainants {
            by_person.entry(person).or_default().push(case);
        }
    }
    by_person
        .into_iter()
        .filter(|(_, contacts)| contacts.len() >= settings.min_contacts as usize)
        .filter(|(_, contacts)| contacts.last().is_some_and(|c| c.day >= recent_from))
        .filter_map(|(person, contacts)| assess(person, &contacts, as_of, settings))
        .collect()
}

fn assess(person: &str, contacts: &[&CaseSummary], as_of: NaiveDate, settings: &PersonSettings) -> Option<Warning> {
    let mut factors = Vec::new();
    let n = contacts.len();
    if n > 1 {
        let categories: BTreeSet<_> = contacts.iter().filter_map(|c| c.category.as_deref()).collect();
        let matter = if categories.len() <= 1 { "同一事项" } else { "多个事项" };
        factors.push(Factor {
            code: "repeat_contacts".into(),
            label: format!("{}天内就{matter}反映{n}次", settings.lookback_days),
            points: ((n - 1) as f64 * settings.points_per_repeat).min(settings.max_repeat_points),
        });
    }

    let step = |c: &CaseSummary| settings.channel_steps.get(c.channel.code()).copied().unwrap_or(0);
    let first = contacts[0];
    if let Some(highest) = contacts[1..].iter().max_by_key(|c| step(c))
        && step(highest) > step(first)
    {
        let path: Vec<&str> = dedup_channels(contacts).iter().map(|c| c.label()).collect();
        factors.push(Factor {
            code: "channel_escalation".into(),
            label: format!("反映渠道逐级升级：{}", path.join("→")),
            points: f64::from(step(highest) - step(first)) * settings.points_per_channel_step,
        });
    }

    // A failed mediation belongs to the matter: its repeat contacts carry it too.
    let failed = contacts
        .iter()
        .filter(|c| c.mediation_failed)
        .map(|c| c.primary.unwrap_or(c.id))
        .collect::<BTreeSet<_>>()
        .len();
    if failed > 0 {
        factors.push(Factor {
            code: "failed_mediation".into(),
            label: format!("调解未果{failed}次"),
            points: failed as f64 * settings.points_per_failed_mediation,
        });
    }

    let latest = &contacts[n.saturating_sub(LATEST_CONTACTS)..];
    let earlier: BTreeSet<&str> = contacts[..n.saturating_sub(LATEST_CONTACTS)]
        .iter()
        .flat_map(|c| c.signals.iter().map(String::as_str))
        .collect();
    let said: BTreeSet<&str> = latest.iter().flat_map(|c| c.signals.iter().map(String::as_str)).collect();
    let language: f64 = said.iter().filter_map(|s| settings.signal_points.get(*s)).sum();
    if language > 0.0 {
        factors.push(Factor {
            code: "escalation_language".into(),
            label: format!("近期言语出现升级信号（{}）", said.iter().copied().collect::<Vec<_>>().join("、")),
            points: language,
        });
        let risk_before = contacts[..n.saturating_sub(LATEST_CONTACTS)].iter().map(|c| c.risk).max();
        let rising = said.iter().any(|s| !earlier.contains(s))
            && n > LATEST_CONTACTS
            && risk_before.is_some_and(|r| r < latest.iter().map(|c| c.risk).max().unwrap_or(RiskLevel::None));
        if rising {
            factors.push(Factor {
                code: "rising_language".into(),
                label: "言语激烈程度较前明显上升".into(),
                points: settings.rising_language_bonus,
            });
        }
    }

    let last = contacts[n - 1];
    let since_last = (as_of - last.day).num_days();
    if since_last < i64::from(settings.recent_contact_days) {
        factors.push(Factor {
            code: "recent_contact".into(),
            label: if since_last == 0 {
                "今日仍在反映".into()
            } else {
                format!("{since_last}天前仍在反映")
            },
            points: settings.recent_contact_points,
        });
    }

    let score: f64 = factors.iter().map(|f| f.points).sum();
    let level = settings.levels.level_of(score)?;
    let reasons: Vec<&str> = factors.iter().map(|f| f.label.as_str()).collect();
    Some(Warning {
        model: WarningModel::Person,
        level,
        subject: Subject {
            kind: SubjectKind::Person,
            key: person.to_owned(),
            // Never a name or number: staff open the cases (and unmask where allowed) to see who.
            label: format!("重点当事人（编号{}）", short(person)),
        },
        score: round2(score),
        statistic: Statistic {
            method: "person_factor_score".into(),
            observed: n as f64,
            expected: 1.0,
            p_value: None,
            llr: None,
        },
        explanation: format!("该当事人{}。有矛盾激化、民转刑风险，建议包案稳控、上门走访。", reasons.join("；")),
        factors,
        case_ids: contacts.iter().map(|c| c.id).collect(),
        since: first.day,
        as_of,
    })
}

/// The channels in order of use, without repeats in a row.
fn dedup_channels(contacts: &[&CaseSummary]) -> Vec<Channel> {
    let mut path: Vec<Channel> = contacts.iter().map(|c| c.channel).collect();
    path.dedup();
    path
}

/// A short, stable reference to a person key that reveals nothing.
fn short(key: &str) -> &str {
    let hex = key.rsplit(':').next().unwrap_or(key);
    &hex[..hex.len().min(8)]
}
