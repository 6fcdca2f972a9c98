//! One case per matter (一事一案): whether a new record is the same matter as a case already in
//! the ledger (`data/workflow/matching.toml`). Pure scoring over records the store has found as
//! candidates (same party, same respondent, or same town and category, recently).

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::Relation;
use crate::case::{CaseRecord, Party, PartyKind, PartyRole};
use crate::pii::IdentityHash;
use crate::{Case, CaseId, CaseStatus};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchingRules {
    window_days: i64,
    repeat_window_days: i64,
    similar_with_shared_party: f32,
    similar_with_shared_respondent: f32,
    similar_alone: f32,
    related_threshold: f32,
    candidates_per_kind: u32,
}

/// What a new record (with its respondent key) is to an earlier case.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchEvidence {
    pub case: CaseId,
    pub shared_party: bool,
    pub shared_respondent: bool,
    pub same_category: bool,
    pub same_town: bool,
    /// Dice coefficient of the texts' character bigrams.
    pub similarity: f32,
    pub days_apart: f64,
    /// `Some` when the record is the same matter as the case.
    pub relation: Option<Relation>,
}

impl MatchEvidence {
    /// Why, in words for the staff (UI text).
    pub fn explanation(&self) -> String {
        let mut parts = Vec::new();
        if self.shared_party {
            parts.push("同一当事人".to_owned());
        }
        if self.shared_respondent {
            parts.push("同一被反映对象".to_owned());
        }
        if self.same_category {
            parts.push("同一类别".to_owned());
        }
        if self.same_town {
            parts.push("同一镇街".to_owned());
        }
        parts.push(format!("文本相似度{:.0}%", self.similarity * 100.0));
        parts.push(format!("相隔{:.0}天", self.days_apart));
        parts.join("，")
    }
}

/// An earlier case as the matcher sees it: what it compares, without the rest of the case (an
/// intake compares with up to dozens; reading each whole would cost more than the intake).
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub id: CaseId,
    pub status: CaseStatus,
    pub received_at: DateTime<Utc>,
    pub region: crate::RegionCode,
    pub category: Option<String>,
    pub text: String,
    pub respondent_key: Option<String>,
    /// Whether it is itself linked to a primary case.
    pub linked: bool,
    pub parties: Vec<Party>,
}

impl Candidate {
    pub fn of(case: &Case) -> Self {
        Candidate {
            id: case.id,
            status: case.status,
            received_at: case.record.received_at,
            region: case.record.region,
            category: case.record.category.clone(),
            text: case.record.text.as_str().to_owned(),
            respondent_key: case.workflow.respondent_key.clone(),
            linked: case.workflow.link.is_some(),
            parties: case.record.parties.clone(),
        }
    }
}

/// The new record as the matcher sees it, read once for all the candidates.
pub struct Incoming<'a> {
    record: &'a CaseRecord,
    respondent_key: Option<&'a str>,
    bigrams: Bigrams,
}

impl<'a> Incoming<'a> {
    pub fn new(record: &'a CaseRecord, respondent_key: Option<&'a str>) -> Self {
        Incoming { record, respondent_key, bigrams: Bigrams::of(record.text.as_str()) }
    }
}

impl MatchingRules {
    pub fn from_toml(text: &str) -> Result<Self, toml::de::Error> {
        toml::from_str(text)
    }

    /// How many earlier cases of each kind of evidence to compare with a new record.
    pub fn candidates_per_kind(&self) -> u32 {
        self.candidates_per_kind
    }

    /// How far back candidates are looked for.
    pub fn lookback_days(&self) -> i64 {
        self.window_days.max(self.repeat_window_days)
    }

    /// The evidence that `incoming` is `earlier`'s matter.
    pub fn compare(&self, incoming: &Incoming<'_>, earlier: &Candidate) -> MatchEvidence {
        let new = incoming.record;
        let old = earlier;
        let shared_party = share_a_person(&new.parties, &old.parties);
        let shared_respondent = match (incoming.respondent_key, earlier.respondent_key.as_deref()) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        };
        let same_category = new.category.is_some() && new.category == old.category;
        let same_town = new.region.town() == old.region.town();
        let similarity = incoming.bigrams.dice(&Bigrams::of(&old.text));
        let days_apart = (new.received_at - old.received_at).num_seconds().abs() as f64 / 86_400.0;
        let within = |days: i64| days_apart <= days as f64;
        // Two known respondents that differ are two matters, whoever complains.
        let other_respondent = matches!(
            (incoming.respondent_key, earlier.respondent_key.as_deref()),
            (Some(a), Some(b)) if a != b
        );
        let same_matter = !other_respondent
            && within(self.window_days)
            && ((shared_party && (shared_respondent || similarity >= self.similar_with_shared_party))
                || (shared_respondent && (similarity >= self.similar_with_shared_respondent || same_category))
                || (same_town && similarity >= self.similar_alone));
        // The same person back about the same matter, even after it was closed: 重复访.
        let repeat = !other_respondent
            && shared_party
            && within(self.repeat_window_days)
            && (similarity >= self.similar_with_shared_party || shared_respondent);
        let relation = if shared_party && (same_matter || repeat) {
            Some(Relation::Repeat)
        } else if same_matter && earlier.status != CaseStatus::Closed {
            Some(Relation::SameMatter)
        } else {
            None
        };
        MatchEvidence {
            case: earlier.id,
            shared_party,
            shared_respondent,
            same_category,
            same_town,
            similarity,
            days_apart,
            relation,
        }
    }

    /// Whether the evidence is worth showing as a related case.
    pub fn is_related(&self, evidence: &MatchEvidence) -> bool {
        evidence.relation.is_some()
            || evidence.shared_party
            || evidence.shared_respondent
            || evidence.similarity >= self.related_threshold
    }

    /// The primary case that the incoming record belongs to, if any: the best match among
    /// `candidates`, followed to its own primary when it is itself a linked record.
    pub fn primary<'c>(&self, evidence: &'c [MatchEvidence], candidates: &[Candidate]) -> Option<&'c MatchEvidence> {
        evidence
            .iter()
            .filter(|e| e.relation.is_some())
            .filter(|e| candidates.iter().any(|c| c.id == e.case && !c.linked))
            .max_by(|a, b| {
                (a.shared_party, a.shared_respondent, a.similarity)
                    .partial_cmp(&(b.shared_party, b.shared_respondent, b.similarity))
                    .unwrap_or(std::cmp::Ordering::Equal)
            })
    }
}

/// A person (not an organisation) who is a party to both: same keyed ID or phone hash, or the
/// same full name. Names masked as 张某/张某某 say too little to match on.
fn share_a_person(a: &[Party], b: &[Party]) -> bool {
    fn people(parties: &[Party]) -> impl Iterator<Item = &Party> + Clone {
        parties.iter().filter(|p| p.kind == PartyKind::Person && p.role != PartyRole::Respondent)
    }
    fn hashes(p: &Party) -> impl Iterator<Item = &IdentityHash> {
        [p.id_number.as_ref(), p.phone.as_ref()].into_iter().flatten().map(|x| &x.hash)
    }
    fn full_name(p: &Party) -> Option<&str> {
        p.name.as_deref().filter(|n| n.chars().count() >= 2 && !n.contains('某'))
    }
    people(a).any(|pa| {
        people(b).any(|pb| {
            hashes(pa).any(|h| hashes(pb).any(|g| g == h)) || full_name(pa).is_some_and(|n| full_name(pb) == Some(n))
        })
    })
}

/// Dice coefficient of the character bigrams of two texts, ignoring punctuation and spaces.
pub fn similarity(a: &str, b: &str) -> f32 {
    Bigrams::of(a).dice(&Bigrams::of(b))
}

/// The distinct character bigrams of a text, packed and sorted, so that comparing two is one
/// merge (a text is compared with up to dozens of candidates at every intake). Kept whole by
/// callers that compare one text with many.
#[derive(Debug, Clone)]
pub struct Bigrams(Vec<u64>);

impl Bigrams {
    pub fn of(text: &str) -> Self {
        let mut previous: Option<char> = None;
        let mut packed = Vec::with_capacity(text.len() / 3);
        for c in text.chars().filter(|c| c.is_alphanumeric()) {
            if let Some(p) = previous {
                packed.push((u64::from(p) << 32) | u64::from(c));
            }
            previous = Some(c);
        }
        packed.sort_unstable();
        packed.dedup();
        Bigrams(packed)
    }

    /// The Dice coefficient of the two sets: what [`similarity`] measures.
    pub fn dice(&self, other: &Bigrams) -> f32 {
        let (a, b) = (&self.0, &other.0);
        if a.is_empty() || b.is_empty() {
            return 0.0;
        }
        let (mut i, mut j, mut shared) = (0, 0, 0usize);
        while i < a.len() && j < b.len() {
            match a[i].cmp(&b[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    shared += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        (2 * shared) as f32 / (a.len() + b.len()) as f32
    }
}

/// When a candidate search starts: the lookback before `at`.
pub fn since(rules: &MatchingRules, at: DateTime<Utc>) -> DateTime<Utc> {
    at - chrono::Duration::days(rules.lookback_days())
}

/// When a candidate search by town and category alone starts: the matching window before `at`.
pub fn same_town_since(rules: &MatchingRules, at: DateTime<Utc>) -> DateTime<Utc> {
    at - chrono::Duration::days(rules.window_days)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn similarity_is_dice_over_character_bigrams() {
        assert_eq!(similarity("拖欠工资", "拖欠工资"), 1.0);
        assert_eq!(similarity("拖欠工资", "邻居噪音"), 0.0);
        // 拖欠 欠工 工资 vs 拖欠 欠货 货款: one shared of 3 + 3.
        assert!((similarity("拖欠工资", "拖欠货款") - 1.0 / 3.0).abs() < 1e-6);
        assert_eq!(similarity("，。", "拖欠"), 0.0);
    }
}
