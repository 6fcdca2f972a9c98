//! The planted situations: each plant adds its cases to the ledger and says which they are.

use chrono::{Days, NaiveDate};
use rand::Rng;
use shanzhi_core::{Channel, RegionCode};

use super::background::{CATEGORIES, District, risk_of, round_yuan};
use super::poisson::poisson;
use super::sampling::{Weighted, lognormal, person_hash, pick};
use super::{Ledger, Plant, Planted};

/// Adds plant number `index` to the ledger; the truth it returns has the cases as ledger draft
/// indices (numbered into case ids once the ledger is sorted).
pub(super) fn plant<R: Rng + ?Sized>(
    rng: &mut R,
    district: &District,
    ledger: &mut Ledger,
    index: usize,
    plant: &Plant,
) -> (Planted, Vec<usize>) {
    let last_day = district.day(district.days.saturating_sub(1));
    let truth = |start: NaiveDate, days: u32, subject_keys: Vec<String>| Planted {
        plant_index: index,
        kind: plant.kind(),
        start,
        end: start + Days::new(u64::from(days.saturating_sub(1))),
        subject_keys,
        case_ids: Vec::new(),
        decoy: plant.kind().is_decoy(),
    };
    match plant {
        Plant::MassCollapse { start, respondent_key, names, category, cases_per_day, days } => {
            let drafts =
                mass_collapse(rng, district, ledger, *start, respondent_key, names, category, *cases_per_day, *days);
            (truth(*start, *days, vec![respondent_key.clone()]), drafts)
        }
        Plant::EscalatingPerson { start, person, region, category, contacts, days } => {
            let drafts = escalating_person(rng, district, ledger, *start, person, *region, category, *contacts, *days);
            (truth(*start, 2, vec![person.clone()]), drafts)
        }
        Plant::IndustrySurge { start, category, factor, days } => {
            let cat = District::category_index(category);
            let mut drafts = Vec::new();
            for day in days_of(district, *start, *days) {
                for _ in 0..poisson(rng, district.intensity(day, cat) * (factor - 1.0)) {
                    // Spread over the district like the category's ordinary cases.
                    let region = district.pick_village(rng, cat);
                    let mut case = district.draft(rng, day, cat, region);
                    case.category = Some(category.clone());
                    drafts.push(ledger.push(rng, case));
                }
            }
            (truth(*start, *days, vec![category.clone()]), drafts)
        }
        Plant::VillageHotspot { start, villages, extra_per_day, days } => {
            let mut drafts = Vec::new();
            if !villages.is_empty() {
                for day in days_of(district, *start, *days) {
                    // The ordinary mix of matters of the day, all in these villages.
                    let mix = Weighted::new((0..CATEGORIES.len()).map(|c| district.intensity(day, c)));
                    for _ in 0..poisson(rng, *extra_per_day) {
                        let cat = mix.sample(rng);
                        let region = villages[rng.random_range(0..villages.len())];
                        let case = district.draft(rng, day, cat, region);
                        drafts.push(ledger.push(rng, case));
                    }
                }
            }
            (truth(*start, *days, villages.iter().map(RegionCode::to_string).collect()), drafts)
        }
        Plant::SteadyRespondent { respondent_key, name, category, cases_per_day } => {
            let cat = District::category_index(category);
            let per_unit = cases_per_day / district.mean_day_factor();
            let mut drafts = Vec::new();
            for day in days_of(district, district.start, district.days) {
                for _ in 0..poisson(rng, per_unit * district.day_factor(day)) {
                    let region = district.pick_village(rng, cat);
                    let mut case = district.draft(rng, day, cat, region);
                    case.category = Some(category.clone());
                    case.respondent_key = Some(respondent_key.clone());
                    case.respondent_name = Some(name.clone());
                    drafts.push(ledger.push(rng, case));
                }
            }
            let mut planted = truth(district.start, district.days, vec![respondent_key.clone()]);
            planted.end = last_day;
            (planted, drafts)
        }
        Plant::BusyVillage { village, factor } => {
            let position = district.villages().iter().position(|v| v == village);
            let mut drafts = Vec::new();
            for day in days_of(district, district.start, district.days) {
                for cat in 0..CATEGORIES.len() {
                    // Its usual share of each category; a village outside the list gets the mean.
                    let share =
                        position.map_or(1.0 / district.villages().len() as f64, |v| district.village_share(cat, v));
                    for _ in 0..poisson(rng, (factor - 1.0) * district.intensity(day, cat) * share) {
                        let case = district.draft(rng, day, cat, *village);
                        drafts.push(ledger.push(rng, case));
                    }
                }
            }
            let mut planted = truth(district.start, district.days, vec![village.to_string()]);
            planted.end = last_day;
            (planted, drafts)
        }
    }
}

/// The days of `[start, start + days)` that lie in the scenario.
fn days_of(district: &District, start: NaiveDate, days: u32) -> impl Iterator<Item = NaiveDate> + '_ {
    (0..days).map(move |t| start + Days::new(u64::from(t))).filter(|day| district.index(*day).is_some())
}

/// How victims of a collapse reach the platform: by phone and online first, then in person.
const COLLAPSE_CHANNELS: [(Channel, f64); 6] = [
    (Channel::Hotline, 0.35),
    (Channel::Online, 0.25),
    (Channel::Window, 0.20),
    (Channel::Petition, 0.10),
    (Channel::Police, 0.05),
    (Channel::Grid, 0.05),
];

#[allow(clippy::too_many_arguments)]
fn mass_collapse<R: Rng + ?Sized>(
    rng: &mut R,
    district: &District,
    ledger: &mut Ledger,
    start: NaiveDate,
    key: &str,
    names: &[String],
    category: &str,
    cases_per_day: f64,
    days: u32,
) -> Vec<usize> {
    let cat = District::category_index(category);
    // The company's home town sends many of the victims; the rest come from all over.
    let villages = district.villages();
    let home = villages[rng.random_range(0..villages.len())].town();
    let home_villages: Vec<RegionCode> = villages.iter().copied().filter(|v| v.town() == home).collect();
    // The figures everybody repeats: 8,000 students, 40 million yuan.
    let headline_people = 1_000 * rng.random_range(3..=10u32);
    let headline_amount = (f64::from(headline_people) * rng.random_range(3_000.0..8_000.0) / 1e6).round() * 1e6;
    // News spreads on the first day, complaints peak in the next days and then thin out.
    let shape: Vec<f64> = (0..days)
        .map(|t| if t == 0 { 0.6 } else { 0.5 + (-f64::from(t - 1) / (f64::from(days) / 3.0).max(1.0)).exp() })
        .collect();
    let mean_shape = shape.iter().sum::<f64>() / shape.len().max(1) as f64;
    let mut drafts = Vec::new();
    for (t, weight) in shape.iter().enumerate() {
        let day = start + Days::new(t as u64);
        if district.index(day).is_none() {
            continue;
        }
        for _ in 0..poisson(rng, cases_per_day * weight / mean_shape) {
            let region = if rng.random_bool(0.4) {
                home_villages[rng.random_range(0..home_villages.len())]
            } else {
                district.pick_village(rng, cat)
            };
            let mut case = district.draft(rng, day, cat, region);
            case.channel = pick(rng, &COLLAPSE_CHANNELS);
            case.category = Some(category.to_owned());
            case.respondent_key = Some(key.to_owned());
            case.respondent_name =
                Some(if names.is_empty() { key.to_owned() } else { names[rng.random_range(0..names.len())].clone() });
            // A parent, sometimes both: every victim is a new person.
            case.complainants = (0..if rng.random_bool(0.2) { 2 } else { 1 }).map(|_| person_hash(rng)).collect();
            if rng.random_bool(0.25) {
                // Quoting the headline, as rumour has it.
                let people = f64::from(headline_people) * rng.random_range(0.85..1.1);
                case.people_count = Some(((people / 100.0).round() * 100.0) as u32);
                case.amount_yuan = Some((headline_amount * rng.random_range(0.8..1.1) / 1e5).round() * 1e5);
            } else {
                case.people_count = rng.random_bool(0.4).then(|| rng.random_range(1..=3));
                case.amount_yuan = rng
                    .random_bool(0.6)
                    .then(|| round_yuan(lognormal(rng, 15_000.0, 0.6) * f64::from(case.people_count.unwrap_or(1))));
            }
            let signal = pick(
                rng,
                &[(Some("group_action"), 0.15), (Some("over_level"), 0.04), (Some("emotion"), 0.08), (None, 0.73)],
            );
            case.signals = signal.into_iter().map(str::to_owned).collect();
            case.risk = risk_of(&case.signals);
            case.primary = None;
            drafts.push(ledger.push(rng, case));
        }
    }
    drafts
}

/// The channels a person climbs when nobody settles the matter.
pub const LADDER: [Channel; 5] = [Channel::Grid, Channel::Window, Channel::Hotline, Channel::Petition, Channel::Police];

#[allow(clippy::too_many_arguments)]
fn escalating_person<R: Rng + ?Sized>(
    rng: &mut R,
    district: &District,
    ledger: &mut Ledger,
    start: NaiveDate,
    person: &str,
    region: RegionCode,
    category: &str,
    contacts: u32,
    days: u32,
) -> Vec<usize> {
    // The matter simmers for `days` before `start` (calm contacts climbing the informal channels,
    // a failed mediation), then boils over: a petition with over-level language on `start`, a
    // police call with threats the day after. `start` is the onset a warning should catch.
    let n = (contacts as usize).max(3);
    let cat = District::category_index(category);
    let calm = n - 2;
    let history = i64::from(days.max(calm as u32 * 5));
    let mut offsets: Vec<i64> = (0..calm).map(|i| -history + (history - 5) * i as i64 / calm.max(1) as i64).collect();
    for offset in offsets.iter_mut().skip(1) {
        *offset += rng.random_range(-1..=1);
    }
    offsets.extend([0, 1]);
    let mut first: Option<usize> = None;
    let mut drafts = Vec::new();
    for (i, offset) in offsets.into_iter().enumerate() {
        let day = start.checked_add_signed(chrono::Duration::days(offset)).unwrap_or(start);
        let mut case = match first {
            Some(first) => ledger.case(first).clone(),
            None => district.draft(rng, day, cat, region),
        };
        case.day = day;
        case.region = region;
        case.category = Some(category.to_owned());
        case.complainants = vec![person.to_owned()];
        case.channel = match i {
            i if i < calm => LADDER[(i * 3 / calm).min(2)],
            i if i == calm => Channel::Petition,
            _ => Channel::Police,
        };
        let signals: Vec<&str> = match i {
            0 => vec![],
            i if i < calm => vec!["emotion"],
            i if i == calm => vec!["over_level", "emotion"],
            _ => vec![if rng.random_bool(0.5) { "violence" } else { "self_harm" }, "over_level"],
        };
        case.signals = signals.into_iter().map(str::to_owned).collect();
        case.risk = risk_of(&case.signals);
        let (status, _) = super::background::settle(rng, day, district.end());
        case.status = status;
        case.mediation_failed = i + 1 == calm;
        if case.mediation_failed {
            case.status = shanzhi_core::CaseStatus::Resolved;
        }
        if district.index(day).is_none() {
            continue;
        }
        let draft = match first {
            Some(first) => ledger.push_repeat(rng, case, first),
            None => ledger.push(rng, case),
        };
        first.get_or_insert(draft);
        drafts.push(draft);
    }
    drafts
}
