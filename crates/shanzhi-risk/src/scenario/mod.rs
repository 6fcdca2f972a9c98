//! Synthetic ledgers with known situations in them, to measure the warning models: detection
//! rate, false warnings per month, days to detection.
//!
//! [`generate`] builds a background year of [`CaseSummary`]s as a district sees it (category
//! shares, seasons, weekends and holidays, busy and quiet villages, common respondents, normal
//! repeat contacts) and plants situations in it ([`Plant`]): the four kinds the models must find
//! and two decoys they must not warn about. [`Scenario::truth`] says which cases each plant
//! added. Pure and deterministic per seed: the district (village weights, organisations), the
//! background and each plant draw from their own ChaCha8 stream, so adding a plant leaves the
//! background case for case as it was.

mod background;
mod names;
mod plants;
mod poisson;
mod sampling;

use chrono::{Days, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use shanzhi_core::warning::{CaseSummary, WarningModel};
use shanzhi_core::{CaseId, RegionCode};

pub use names::respondent_key;
pub use plants::LADDER as ESCALATION_LADDER;

use background::District;

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioConfig {
    pub seed: u64,
    pub start: NaiveDate,
    /// Length of the ledger in days (365 for a year).
    pub days: u32,
    /// Mean background cases per day over a year (270 for about 10⁵ a year, as in Yuhang).
    pub cases_per_day: f64,
    /// The district's villages; their towns are their 9-digit parents.
    pub villages: Vec<RegionCode>,
    pub plants: Vec<Plant>,
}

impl ScenarioConfig {
    /// The last day of the ledger.
    pub fn last_day(&self) -> NaiveDate {
        self.start + Days::new(u64::from(self.days.saturating_sub(1)))
    }
}

/// A situation planted in the background. Parts of a plant outside the scenario's days are left
/// out.
#[derive(Debug, Clone, PartialEq)]
pub enum Plant {
    /// 涉众: one company collapses: from `start`, a burst of complaints against it, with
    /// spelling variants of its name sharing one respondent key, many distinct complainants from
    /// many villages, big head-counts/amounts (8,000 students, 40,000,000 yuan), some
    /// group-action signals.
    MassCollapse {
        start: NaiveDate,
        respondent_key: String,
        names: Vec<String>,
        category: String,
        cases_per_day: f64,
        days: u32,
    },
    /// 人: one person (keyed hash) about one matter: `contacts − 2` calm contacts over the `days`
    /// before `start` through grid, window and hotline, ending in a failed mediation; then the
    /// matter boils over — a petition with over-level language on `start` and a police call with
    /// threats of violence or self-harm the day after. The truth spans those two days.
    EscalatingPerson {
        start: NaiveDate,
        person: String,
        region: RegionCode,
        category: String,
        contacts: u32,
        days: u32,
    },
    /// 行业: a category's daily volume multiplied by `factor` from `start` for `days`, spread
    /// over the district.
    IndustrySurge { start: NaiveDate, category: String, factor: f64, days: u32 },
    /// 区域: a few neighbouring villages (same town) get extra cases from `start`.
    VillageHotspot { start: NaiveDate, villages: Vec<RegionCode>, extra_per_day: f64, days: u32 },
    /// Decoy: a large respondent with steady high volume all year (must NOT warn above yellow).
    SteadyRespondent { respondent_key: String, name: String, category: String, cases_per_day: f64 },
    /// Decoy: a village that is always busy (`factor` × its normal volume all year).
    BusyVillage { village: RegionCode, factor: f64 },
}

/// The kind of a [`Plant`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlantKind {
    MassCollapse,
    EscalatingPerson,
    IndustrySurge,
    VillageHotspot,
    SteadyRespondent,
    BusyVillage,
}

impl PlantKind {
    /// Decoys are there to be left alone.
    pub fn is_decoy(self) -> bool {
        matches!(self, PlantKind::SteadyRespondent | PlantKind::BusyVillage)
    }

    /// The warning model whose business the plant is (to find, or, for a decoy, to leave alone).
    pub fn model(self) -> WarningModel {
        match self {
            PlantKind::MassCollapse | PlantKind::SteadyRespondent => WarningModel::Event,
            PlantKind::EscalatingPerson => WarningModel::Person,
            PlantKind::IndustrySurge => WarningModel::Industry,
            PlantKind::VillageHotspot | PlantKind::BusyVillage => WarningModel::Region,
        }
    }
}

impl Plant {
    pub fn kind(&self) -> PlantKind {
        match self {
            Plant::MassCollapse { .. } => PlantKind::MassCollapse,
            Plant::EscalatingPerson { .. } => PlantKind::EscalatingPerson,
            Plant::IndustrySurge { .. } => PlantKind::IndustrySurge,
            Plant::VillageHotspot { .. } => PlantKind::VillageHotspot,
            Plant::SteadyRespondent { .. } => PlantKind::SteadyRespondent,
            Plant::BusyVillage { .. } => PlantKind::BusyVillage,
        }
    }
}

/// A generated ledger and what was planted in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Sorted by day, then id; ids are 1, 2, 3 … in that order.
    pub cases: Vec<CaseSummary>,
    /// One entry per plant, in the order of [`ScenarioConfig::plants`].
    pub truth: Vec<Planted>,
}

impl Scenario {
    /// The case with this id.
    pub fn case(&self, id: CaseId) -> Option<&CaseSummary> {
        usize::try_from(id.get() - 1).ok().and_then(|i| self.cases.get(i))
    }
}

/// The truth about one plant.
#[derive(Debug, Clone, PartialEq)]
pub struct Planted {
    /// Its position in [`ScenarioConfig::plants`].
    pub plant_index: usize,
    pub kind: PlantKind,
    /// The first day of the situation (the scenario's first day for decoys).
    pub start: NaiveDate,
    /// Its last day as configured (the scenario's last day for decoys); may lie past the end.
    pub end: NaiveDate,
    /// What a warning about it names as its subject: the respondent key (mass collapse, steady
    /// respondent), the person's hash, the category code, or the village codes (hotspot: all of
    /// them; busy village: its one code).
    pub subject_keys: Vec<String>,
    /// The cases the plant added, ascending. For a surge, a hotspot and a busy village these are
    /// the excess over the ordinary volume, which looks like the ordinary cases.
    pub case_ids: Vec<CaseId>,
    /// A decoy: a warning on it above yellow is a false warning.
    pub decoy: bool,
}

/// Generates the scenario. Panics if `config.villages` is empty.
pub fn generate(config: &ScenarioConfig) -> Scenario {
    let stream = |k: u64| {
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
        rng.set_stream(k);
        rng
    };
    let district = District::new(&mut stream(0), config.start, config.days, config.cases_per_day, &config.villages);
    let mut ledger = Ledger::default();
    district.background(&mut stream(1), &mut ledger);
    let planted: Vec<(Planted, Vec<usize>)> = config
        .plants
        .iter()
        .enumerate()
        .map(|(i, plant)| plants::plant(&mut stream(2 + i as u64), &district, &mut ledger, i, plant))
        .collect();
    let (cases, ids) = ledger.finish();
    let truth = planted
        .into_iter()
        .map(|(mut truth, drafts)| {
            truth.case_ids = drafts.into_iter().map(|d| ids[d]).collect();
            truth.case_ids.sort_unstable();
            truth
        })
        .collect();
    Scenario { cases, truth }
}

/// Brands of the standard plants: made of no word the background's organisations use.
const COLLAPSE_NAMES: [&str; 4] =
    ["杭州智学未来教育科技有限公司", "智学未来网校", "智学未来培训", "杭州智学未来网络科技有限公司"];
const STEADY_NAME: &str = "余杭区滨湖物业管理有限公司";

/// A ready-made year for Yuhang-like tests: background of `cases_per_day`, and all six plant
/// kinds at fixed offsets after day 120 (so that baselines exist), spread over what remains:
///
/// | plant | when (365 days) | what |
/// |---|---|---|
/// | escalating person | day 132, 60 days | 8 contacts, 宅基地/房屋纠纷, one village |
/// | mass collapse | day 193, 14 days | 智学未来 (education_training), ~20 cases a day |
/// | industry surge | day 230, 28 days | consumer_prepaid × 2 |
/// | village hotspot | day 291, 21 days | three neighbouring villages of one town |
/// | steady respondent | all year | 滨湖物业, 3 cases a day |
/// | busy village | all year | one village at 3 × its volume |
///
/// Shorter scenarios squeeze the offsets; plants that do not fit are cut at the end. The plants'
/// villages and the person are drawn from `seed`. Panics if `villages` is empty.
pub fn standard(seed: u64, villages: &[RegionCode], start: NaiveDate, days: u32, cases_per_day: f64) -> ScenarioConfig {
    assert!(!villages.is_empty(), "a scenario needs at least one village");
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(u64::MAX);
    let at = |fraction: f64| {
        let offset = 120 + (f64::from(days.saturating_sub(120)) * fraction) as u64;
        start + Days::new(offset)
    };
    let mut sorted = villages.to_vec();
    sorted.sort_unstable();
    // Neighbours: consecutive codes of a town with at least three villages, if there is one.
    let towns: Vec<&[RegionCode]> = sorted.chunk_by(|a, b| a.town() == b.town()).collect();
    let big: Vec<&[RegionCode]> = towns.iter().copied().filter(|t| t.len() >= 3).collect();
    let town =
        if big.is_empty() { towns[rng.random_range(0..towns.len())] } else { big[rng.random_range(0..big.len())] };
    let first = rng.random_range(0..=town.len().saturating_sub(3));
    let hotspot: Vec<RegionCode> = town[first..(first + 3).min(town.len())].to_vec();
    // The busy village and the person live elsewhere when the district allows it.
    let elsewhere: Vec<RegionCode> = sorted.iter().copied().filter(|v| !hotspot.contains(v)).collect();
    let elsewhere = if elsewhere.is_empty() { sorted.clone() } else { elsewhere };
    let busy = elsewhere[rng.random_range(0..elsewhere.len())];
    let home = elsewhere[rng.random_range(0..elsewhere.len())];
    // Hotspot villages get about one and a half times their usual volume on top.
    let hotspot_extra = (1.5 * cases_per_day * hotspot.len() as f64 / villages.len() as f64).max(2.0);
    ScenarioConfig {
        seed,
        start,
        days,
        cases_per_day,
        villages: villages.to_vec(),
        plants: vec![
            Plant::MassCollapse {
                start: at(0.3),
                respondent_key: respondent_key(COLLAPSE_NAMES[0]),
                names: COLLAPSE_NAMES.map(str::to_owned).to_vec(),
                category: "education_training".into(),
                cases_per_day: 20.0,
                days: 14,
            },
            Plant::EscalatingPerson {
                start: at(0.05),
                person: sampling::person_hash(&mut rng),
                region: home,
                category: "homestead_housing".into(),
                contacts: 8,
                days: 60,
            },
            Plant::IndustrySurge { start: at(0.45), category: "consumer_prepaid".into(), factor: 2.0, days: 28 },
            Plant::VillageHotspot { start: at(0.7), villages: hotspot, extra_per_day: hotspot_extra, days: 21 },
            Plant::SteadyRespondent {
                respondent_key: respondent_key(STEADY_NAME),
                name: STEADY_NAME.into(),
                category: "property_management".into(),
                cases_per_day: 3.0,
            },
            Plant::BusyVillage { village: busy, factor: 3.0 },
        ],
    }
}

/// The cases as they are generated, in any order; numbered by day once all are in.
#[derive(Debug, Default)]
pub(super) struct Ledger {
    drafts: Vec<Draft>,
}

#[derive(Debug)]
struct Draft {
    case: CaseSummary,
    /// The draft this one repeats.
    primary: Option<usize>,
    /// Shuffles the cases of a day, so that planted cases do not come last.
    tiebreak: u64,
}

impl Ledger {
    fn push<R: Rng + ?Sized>(&mut self, rng: &mut R, case: CaseSummary) -> usize {
        self.drafts.push(Draft { case, primary: None, tiebreak: rng.random() });
        self.drafts.len() - 1
    }

    /// A later contact about the matter of draft `primary`.
    fn push_repeat<R: Rng + ?Sized>(&mut self, rng: &mut R, case: CaseSummary, primary: usize) -> usize {
        let index = self.push(rng, case);
        self.drafts[index].primary = Some(primary);
        index
    }

    fn case(&self, draft: usize) -> &CaseSummary {
        &self.drafts[draft].case
    }

    /// The cases numbered 1, 2, 3 … by day, and each draft's id.
    fn finish(self) -> (Vec<CaseSummary>, Vec<CaseId>) {
        let mut order: Vec<usize> = (0..self.drafts.len()).collect();
        order.sort_unstable_by_key(|&i| (self.drafts[i].case.day, self.drafts[i].tiebreak, i));
        let mut ids = vec![background::placeholder_id(); self.drafts.len()];
        for (position, &draft) in order.iter().enumerate() {
            ids[draft] = CaseId::new(position as i64 + 1).expect("positive");
        }
        let mut drafts: Vec<Option<Draft>> = self.drafts.into_iter().map(Some).collect();
        let cases = order
            .iter()
            .map(|&i| {
                let draft = drafts[i].take().expect("each draft once");
                CaseSummary { id: ids[i], primary: draft.primary.map(|p| ids[p]), ..draft.case }
            })
            .collect();
        (cases, ids)
    }
}

#[cfg(test)]
mod tests;
