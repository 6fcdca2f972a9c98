//! The background ledger: what a district's year looks like when nothing unusual happens. Its
//! realism (category shares, seasons, weekends, busy and quiet villages, common respondents,
//! people who call twice) is what makes a false-warning rate measured on it mean something.

use chrono::{Datelike, NaiveDate, Weekday};
use rand::Rng;
use shanzhi_core::calendar::WorkCalendar;
use shanzhi_core::warning::CaseSummary;
use shanzhi_core::{CaseId, CaseStatus, Channel, RegionCode, RiskLevel};

use super::Ledger;
use super::names::{CompanyPool, Trade};
use super::poisson::poisson;
use super::sampling::{Weighted, lognormal, person_hash, pick};

/// Where a category's cases come from: urban communities (社区, codes `…0xx`), villages (村,
/// `…2xx`), or both alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Locale {
    Any,
    Urban,
    Rural,
}

#[derive(Debug, Clone, Copy)]
enum Season {
    Flat,
    /// Up to this multiple in the last two weeks before Spring Festival (year-end wage settling).
    BeforeSpringFestival(f64),
    /// This multiple from June to August (windows open, noise, heat).
    Summer(f64),
}

/// A sum in yuan: present in `rate` of the cases, lognormal around `median`.
#[derive(Debug, Clone, Copy)]
struct Money {
    rate: f64,
    median: f64,
    sigma: f64,
    /// The median is per person: the claim grows with the head-count.
    per_person: bool,
}

/// A category of the taxonomy as the background draws it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Category {
    pub code: &'static str,
    /// Share of a year's cases (normalised over the table).
    share: f64,
    locale: Locale,
    /// Trades of the organisations named, for the categories where ~40 % name one.
    organisations: &'static [(Trade, f64)],
    money: Option<Money>,
    /// Share of cases stating a head-count.
    people_rate: f64,
    /// Channel multipliers over the district-wide mix.
    channels: &'static [(Channel, f64)],
    season: Season,
}

const fn money(rate: f64, median: f64, sigma: f64) -> Option<Money> {
    Some(Money { rate, median, sigma, per_person: false })
}

/// Share of labour, consumer, property and contract cases that name an organisation.
const ORGANISATION_RATE: f64 = 0.4;

use Channel::{Court, Grid, Hotline, Online, Petition, Police, Window};

/// The taxonomy's categories (data/text/taxonomy.toml, checked by a test) with the shares a
/// district's ledger shows: family, neighbour and labour large, medical and fundraising small.
/// Columns: code, share, locale, trades of named organisations, money (share of cases with a
/// sum, median yuan, log spread), share stating a head-count, channel multipliers.
#[rustfmt::skip]
pub(super) const CATEGORIES: [Category; 24] = [
    cat("marriage_family", 0.12, Locale::Any, &[], money(0.15, 30_000.0, 1.0), 0.0, &[(Window, 1.5), (Court, 1.5), (Police, 1.2)]),
    cat("neighbour", 0.14, Locale::Any, &[], None, 0.0, &[(Grid, 1.5), (Hotline, 1.2), (Police, 1.3)])
        .season(Season::Summer(1.4)),
    cat("homestead_housing", 0.03, Locale::Rural, &[], None, 0.0, &[(Grid, 1.5), (Petition, 1.5)]),
    cat("land_contract", 0.015, Locale::Rural, &[], money(0.3, 20_000.0, 1.0), 0.0, &[(Grid, 1.6)]),
    cat("land_requisition", 0.01, Locale::Rural, &[], money(0.3, 300_000.0, 1.0), 0.2, &[(Petition, 3.0), (Window, 1.5)]),
    cat("tenancy", 0.05, Locale::Urban, &[], money(0.5, 4_000.0, 0.8), 0.0, &[(Hotline, 1.5), (Online, 1.5)]),
    cat("property_management", 0.07, Locale::Urban, &[(Trade::Property, 1.0)], money(0.2, 3_000.0, 1.0), 0.1,
        &[(Hotline, 1.8), (Online, 1.5)]),
    cat("wage_arrears", 0.08, Locale::Any, &[(Trade::Construction, 0.6), (Trade::Manufacturing, 0.25), (Trade::Restaurant, 0.15)],
        money(0.6, 9_000.0, 0.6), 0.45, &[(Hotline, 1.5), (Window, 1.3)])
        .per_person()
        .season(Season::BeforeSpringFestival(2.3)),
    cat("labour_contract", 0.06, Locale::Any, &[(Trade::Tech, 0.4), (Trade::Manufacturing, 0.4), (Trade::Consumer, 0.2)],
        money(0.4, 20_000.0, 0.9), 0.1, &[(Window, 1.5), (Court, 1.5), (Online, 1.2)]),
    cat("work_injury", 0.025, Locale::Any, &[(Trade::Manufacturing, 0.6), (Trade::Construction, 0.4)], money(0.3, 60_000.0, 1.0), 0.0,
        &[(Window, 1.5), (Court, 1.3)]),
    cat("consumer_prepaid", 0.05, Locale::Urban, &[(Trade::Consumer, 1.0)], money(0.5, 2_500.0, 0.9), 0.05,
        &[(Hotline, 2.0), (Online, 2.0)]),
    cat("education_training", 0.02, Locale::Urban, &[(Trade::Training, 1.0)], money(0.5, 8_000.0, 0.8), 0.05,
        &[(Hotline, 2.0), (Online, 2.0)]),
    cat("contract", 0.04, Locale::Any, &[(Trade::Trading, 0.5), (Trade::Tech, 0.3), (Trade::Manufacturing, 0.2)],
        money(0.6, 50_000.0, 1.2), 0.0, &[(Court, 3.0), (Window, 1.3)]),
    cat("private_lending", 0.05, Locale::Any, &[], money(0.8, 50_000.0, 1.2), 0.0, &[(Court, 3.5)]),
    cat("illegal_fundraising", 0.008, Locale::Any, &[(Trade::Finance, 1.0)], money(0.7, 150_000.0, 1.0), 0.3,
        &[(Police, 2.0), (Petition, 2.0)]),
    cat("damages", 0.04, Locale::Any, &[], money(0.3, 5_000.0, 1.0), 0.0, &[(Police, 1.5), (Grid, 1.2)]),
    cat("traffic_accident", 0.06, Locale::Any, &[], money(0.4, 12_000.0, 1.0), 0.0, &[(Police, 3.0), (Court, 1.5)]),
    cat("medical", 0.012, Locale::Urban, &[], money(0.3, 50_000.0, 1.0), 0.0, &[(Hotline, 1.5), (Window, 1.5), (Court, 1.2)]),
    cat("environment_noise", 0.035, Locale::Any, &[], None, 0.0, &[(Hotline, 2.0), (Online, 1.5)])
        .season(Season::Summer(1.25)),
    cat("construction_project", 0.03, Locale::Any, &[(Trade::Construction, 1.0)], money(0.5, 150_000.0, 1.1), 0.15,
        &[(Court, 1.5), (Window, 1.3)])
        .season(Season::BeforeSpringFestival(1.5)),
    cat("village_affairs", 0.02, Locale::Rural, &[], None, 0.2, &[(Grid, 1.5), (Petition, 2.5), (Window, 1.3)]),
    cat("litigation_related", 0.01, Locale::Any, &[], None, 0.0, &[(Petition, 4.0), (Court, 2.0)]),
    cat("public_order", 0.03, Locale::Any, &[], None, 0.0, &[(Police, 4.0)]),
    cat("other", 0.04, Locale::Any, &[], None, 0.0, &[]),
];

#[allow(clippy::too_many_arguments)]
const fn cat(
    code: &'static str,
    share: f64,
    locale: Locale,
    organisations: &'static [(Trade, f64)],
    money: Option<Money>,
    people_rate: f64,
    channels: &'static [(Channel, f64)],
) -> Category {
    Category { code, share, locale, organisations, money, people_rate, channels, season: Season::Flat }
}

impl Category {
    const fn season(self, season: Season) -> Self {
        Category { season, ..self }
    }

    /// The sum is claimed per person (wages): it grows with the head-count.
    const fn per_person(self) -> Self {
        let money = match self.money {
            Some(m) => Some(Money { per_person: true, ..m }),
            None => None,
        };
        Category { money, ..self }
    }
}

/// The district-wide channel mix: the hotline and grid workers bring most cases.
const CHANNEL_MIX: [(Channel, f64); 7] =
    [(Hotline, 0.30), (Grid, 0.24), (Police, 0.14), (Window, 0.12), (Online, 0.10), (Court, 0.06), (Petition, 0.04)];

/// On rest days the window, court and petition offices are mostly closed; the police are not.
fn rest_day_channel_factor(channel: Channel) -> f64 {
    match channel {
        Window => 0.2,
        Court => 0.1,
        Petition => 0.3,
        Police => 1.6,
        Hotline | Grid | Online => 1.0,
    }
}

/// Escalation kinds (data/text/escalation.toml) with their weights there, and how often each
/// is the one signal of a background case that has one.
pub(super) const SIGNAL_KINDS: [(&str, u32, f64); 7] = [
    ("emotion", 1, 0.48),
    ("failed_mediation", 1, 0.24),
    ("group_action", 3, 0.10),
    ("over_level", 3, 0.08),
    ("weapon", 4, 0.02),
    ("violence", 5, 0.05),
    ("self_harm", 5, 0.03),
];

/// The risk level the text analyser gives to a text with one term of each of these kinds: the
/// sum of the distinct kinds' weights against the levels of escalation.toml (low 1, medium 3,
/// high 5).
pub(super) fn risk_of(signals: &[String]) -> RiskLevel {
    let score: u32 =
        SIGNAL_KINDS.iter().filter(|(kind, ..)| signals.iter().any(|s| s == kind)).map(|(_, w, _)| w).sum();
    match score {
        0 => RiskLevel::None,
        1..3 => RiskLevel::Low,
        3..5 => RiskLevel::Medium,
        _ => RiskLevel::High,
    }
}

/// Share of background cases with escalation language (one kind).
const SIGNAL_RATE: f64 = 0.03;
/// Share of people who contact again about the same matter, once or twice (normal follow-ups).
const REPEAT_RATE: f64 = 0.08;
/// Expected further contacts of a repeating person (one or two, alike).
const REPEAT_EXTRA: f64 = 1.5;

/// Spring Festival (正月初一) by year; the wage-arrears season is the weeks before it.
const SPRING_FESTIVALS: [(i32, u32, u32); 9] = [
    (2023, 1, 22),
    (2024, 2, 10),
    (2025, 1, 29),
    (2026, 2, 17),
    (2027, 2, 6),
    (2028, 1, 26),
    (2029, 2, 13),
    (2030, 2, 3),
    (2031, 1, 23),
];

/// The next Spring Festival on or after `day`, if the table knows it.
fn next_spring_festival(day: NaiveDate) -> Option<NaiveDate> {
    SPRING_FESTIVALS.iter().filter_map(|&(y, m, d)| NaiveDate::from_ymd_opt(y, m, d)).find(|sf| *sf >= day)
}

/// Whether `day` is in the Spring Festival week (for years the holiday table does not cover).
fn in_spring_festival_week(day: NaiveDate) -> bool {
    SPRING_FESTIVALS
        .iter()
        .filter_map(|&(y, m, d)| NaiveDate::from_ymd_opt(y, m, d))
        .any(|sf| day >= sf - chrono::Days::new(1) && day <= sf + chrono::Days::new(6))
}

impl Season {
    fn factor(self, day: NaiveDate) -> f64 {
        match self {
            Season::Flat => 1.0,
            Season::Summer(peak) => {
                if (6..=8).contains(&day.month()) {
                    peak
                } else {
                    1.0
                }
            }
            Season::BeforeSpringFestival(peak) => {
                let Some(sf) = next_spring_festival(day) else { return 1.0 };
                let before = (sf - day).num_days();
                // Rises linearly from eight weeks before to its peak two weeks before.
                if (1..=56).contains(&before) {
                    1.0 + (peak - 1.0) * ((56 - before) as f64 / 42.0).min(1.0)
                } else {
                    1.0
                }
            }
        }
    }
}

/// The district for one scenario: its villages and their weights, its organisations, its
/// calendar, and the expected volume of each category on each day.
pub(super) struct District {
    pub start: NaiveDate,
    pub days: u32,
    villages: Vec<RegionCode>,
    /// p(village | locale of the category), as probabilities and as samplers. Villages have a
    /// per-seed activity weight (lognormal: some are five times as busy as others).
    village_prob: [Vec<f64>; 3],
    village_table: [Weighted; 3],
    companies: CompanyPool,
    calendar: WorkCalendar,
    day_factor: Vec<f64>,
    /// Expected cases per unit of category share on an ordinary weekday.
    scale: f64,
}

/// How much busier a village is for a category of its locale, and quieter for the other.
fn locale_affinity(locale: Locale, village: RegionCode) -> f64 {
    let code = village.to_string();
    let urban = code.len() == 12 && code.as_bytes()[9] == b'0';
    let rural = code.len() == 12 && code.as_bytes()[9] == b'2';
    match (locale, urban, rural) {
        (Locale::Urban, true, _) | (Locale::Rural, _, true) => 2.0,
        (Locale::Urban, _, true) => 0.5,
        (Locale::Rural, true, _) => 0.3,
        _ => 1.0,
    }
}

fn locale_index(locale: Locale) -> usize {
    match locale {
        Locale::Any => 0,
        Locale::Urban => 1,
        Locale::Rural => 2,
    }
}

impl District {
    /// Panics when there are no villages: a ledger needs somewhere for its cases.
    pub(super) fn new<R: Rng + ?Sized>(
        rng: &mut R,
        start: NaiveDate,
        days: u32,
        cases_per_day: f64,
        villages: &[RegionCode],
    ) -> Self {
        assert!(!villages.is_empty(), "a scenario needs at least one village");
        let calendar = shanzhi_core::defaults::calendar().expect("the embedded holiday table parses");
        let village_weight: Vec<f64> = villages.iter().map(|_| lognormal(rng, 1.0, 0.65)).collect();
        let village_prob = [Locale::Any, Locale::Urban, Locale::Rural].map(|locale| {
            let raw: Vec<f64> =
                villages.iter().zip(&village_weight).map(|(v, w)| w * locale_affinity(locale, *v)).collect();
            let total: f64 = raw.iter().sum();
            raw.into_iter().map(|w| w / total).collect::<Vec<f64>>()
        });
        let village_table = [0, 1, 2].map(|i| Weighted::new(village_prob[i].iter().copied()));
        let companies = CompanyPool::generate(rng);
        let mut district = District {
            start,
            days,
            villages: villages.to_vec(),
            village_prob,
            village_table,
            companies,
            calendar,
            day_factor: Vec::new(),
            scale: 0.0,
        };
        // `cases_per_day` is the mean over a year: normalise over the scenario, or over the
        // year from its start when it is shorter, so that a short summer window is not scaled
        // down for its own season.
        let reference = days.max(365);
        district.day_factor = (0..reference).map(|i| district.rest_factor(district.day(i))).collect();
        let raw: f64 = (0..reference)
            .map(|i| {
                district.day_factor[i as usize]
                    * CATEGORIES.iter().map(|c| c.share * c.season.factor(district.day(i))).sum::<f64>()
            })
            .sum();
        district.scale = if raw > 0.0 { cases_per_day.max(0.0) * f64::from(reference) / raw } else { 0.0 };
        district.day_factor.truncate(days as usize);
        district
    }

    pub(super) fn day(&self, index: u32) -> NaiveDate {
        self.start + chrono::Days::new(u64::from(index))
    }

    /// The day's index in the scenario, if it lies in it.
    pub(super) fn index(&self, day: NaiveDate) -> Option<usize> {
        let offset = (day - self.start).num_days();
        (0..i64::from(self.days)).contains(&offset).then_some(offset as usize)
    }

    /// The first day after the scenario: its "today" for the status of cases.
    pub(super) fn end(&self) -> NaiveDate {
        self.day(self.days)
    }

    pub(super) fn villages(&self) -> &[RegionCode] {
        &self.villages
    }

    /// Relative volume of a day: 1 on working days (make-up Saturdays included), 0.6 on
    /// weekends, less on public holidays and least in the Spring Festival week.
    fn rest_factor(&self, day: NaiveDate) -> f64 {
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        let (working, holiday_name) = if self.calendar.covers(day.year()) {
            let working = self.calendar.is_working_day(day);
            (working, if working { None } else { self.calendar.day_name(day) })
        } else if in_spring_festival_week(day) {
            (false, Some("春节"))
        } else {
            (!weekend, None)
        };
        match (working, holiday_name) {
            (true, _) => 1.0,
            (false, Some(name)) if name.contains("春节") => 0.35,
            (false, Some(_)) => 0.5,
            (false, None) => 0.6,
        }
    }

    /// The volume factor of a day of the scenario (weekends, holidays).
    pub(super) fn day_factor(&self, day: NaiveDate) -> f64 {
        self.index(day).map_or(0.0, |i| self.day_factor[i])
    }

    pub(super) fn mean_day_factor(&self) -> f64 {
        self.day_factor.iter().sum::<f64>() / self.day_factor.len().max(1) as f64
    }

    fn is_rest_day(&self, day: NaiveDate) -> bool {
        self.day_factor(day) < 1.0
    }

    /// Expected background cases of category `cat` on `day` (first contacts and repeats).
    pub(super) fn intensity(&self, day: NaiveDate, cat: usize) -> f64 {
        let c = &CATEGORIES[cat];
        self.scale * c.share * c.season.factor(day) * self.day_factor(day)
    }

    /// The category profile for a code; unknown codes are drawn like `other`.
    pub(super) fn category_index(code: &str) -> usize {
        CATEGORIES.iter().position(|c| c.code == code).unwrap_or(CATEGORIES.len() - 1)
    }

    /// The share of category `cat`'s cases that fall in village number `village`.
    pub(super) fn village_share(&self, cat: usize, village: usize) -> f64 {
        self.village_prob[locale_index(CATEGORIES[cat].locale)][village]
    }

    pub(super) fn pick_village<R: Rng + ?Sized>(&self, rng: &mut R, cat: usize) -> RegionCode {
        self.villages[self.village_table[locale_index(CATEGORIES[cat].locale)].sample(rng)]
    }

    /// Where a case of this category came in on this day.
    pub(super) fn pick_channel<R: Rng + ?Sized>(&self, rng: &mut R, cat: usize, day: NaiveDate) -> Channel {
        let rest = self.is_rest_day(day);
        let boosts = CATEGORIES[cat].channels;
        let weights = CHANNEL_MIX.map(|(channel, share)| {
            let boost = boosts.iter().find(|(c, _)| *c == channel).map_or(1.0, |(_, b)| *b);
            let rest = if rest { rest_day_channel_factor(channel) } else { 1.0 };
            (channel, share * boost * rest)
        });
        pick(rng, &weights)
    }

    /// One ordinary case: who, where, against whom, how much, how it stands at the end.
    pub(super) fn draft<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
        day: NaiveDate,
        cat: usize,
        region: RegionCode,
    ) -> CaseSummary {
        let c = &CATEGORIES[cat];
        let channel = self.pick_channel(rng, cat, day);
        let (respondent_key, respondent_name) = if !c.organisations.is_empty() && rng.random_bool(ORGANISATION_RATE) {
            let trade = pick(rng, c.organisations);
            let company = self.companies.pick(rng, trade);
            (Some(company.key.clone()), Some(company.name(rng).to_owned()))
        } else {
            (None, None)
        };
        let people_count = (c.people_rate > 0.0 && rng.random_bool(c.people_rate)).then(|| group_size(rng));
        let amount_yuan = c.money.filter(|m| rng.random_bool(m.rate)).map(|m| {
            let per = lognormal(rng, m.median, m.sigma);
            let times = if m.per_person { f64::from(people_count.unwrap_or(1)) } else { 1.0 };
            round_yuan(per * times)
        });
        let complainants = complainants(rng, c.code, people_count);
        let signals =
            if rng.random_bool(SIGNAL_RATE) { vec![background_signal(rng, c.code).to_owned()] } else { Vec::new() };
        let (status, mediation_failed) = settle(rng, day, self.end());
        CaseSummary {
            id: placeholder_id(),
            day,
            channel,
            region,
            category: Some(c.code.to_owned()),
            respondent_key,
            respondent_name,
            complainants,
            people_count,
            amount_yuan,
            risk: risk_of(&signals),
            signals,
            status,
            primary: None,
            mediation_failed,
        }
    }

    /// The whole background: Poisson counts per day and category, and the repeat contacts of
    /// the people who come back.
    pub(super) fn background<R: Rng + ?Sized>(&self, rng: &mut R, ledger: &mut Ledger) {
        // Repeats are part of the volume: first contacts are fewer by their expected share.
        let first_share = 1.0 / (1.0 + REPEAT_RATE * REPEAT_EXTRA);
        for i in 0..self.days {
            let day = self.day(i);
            for cat in 0..CATEGORIES.len() {
                for _ in 0..poisson(rng, self.intensity(day, cat) * first_share) {
                    let region = self.pick_village(rng, cat);
                    let case = self.draft(rng, day, cat, region);
                    let repeats = !case.complainants.is_empty() && rng.random_bool(REPEAT_RATE);
                    let first = ledger.push(rng, case);
                    if repeats {
                        self.repeat_contacts(rng, ledger, first);
                    }
                }
            }
        }
    }

    /// One or two later contacts about the same matter: same person, channel, place and
    /// respondent, no escalation language. They are what a person model must not warn about.
    fn repeat_contacts<R: Rng + ?Sized>(&self, rng: &mut R, ledger: &mut Ledger, first: usize) {
        let extra = if rng.random_bool(0.5) { 1 } else { 2 };
        let mut day = ledger.case(first).day;
        for _ in 0..extra {
            // Days later, mostly on a working day: thinning by the day factor keeps the
            // weekend dip of the whole ledger.
            let mut next = day + chrono::Days::new(rng.random_range(3..=60));
            for _ in 0..3 {
                if rng.random::<f64>() < self.day_factor(next) {
                    break;
                }
                next = next + chrono::Days::new(1);
            }
            if self.index(next).is_none() {
                return;
            }
            day = next;
            let mut case = ledger.case(first).clone();
            case.day = day;
            case.signals.clear();
            case.risk = RiskLevel::None;
            let (status, _) = settle(rng, day, self.end());
            // Staff often merge a follow-up call into the case it follows.
            case.status = if rng.random_bool(0.3) { CaseStatus::Merged } else { status };
            case.mediation_failed = false;
            ledger.push_repeat(rng, case, first);
        }
    }
}

/// A placeholder until the ledger numbers the cases in order.
pub(super) fn placeholder_id() -> CaseId {
    CaseId::new(1).expect("1 is a case id")
}

/// Sums as people state them: to the hundred yuan, at least a hundred.
pub(super) fn round_yuan(amount: f64) -> f64 {
    ((amount / 100.0).round() * 100.0).max(100.0)
}

/// A head-count stated in a case: mostly a few people, sometimes a crew, rarely a crowd.
fn group_size<R: Rng + ?Sized>(rng: &mut R) -> u32 {
    match rng.random::<f64>() {
        x if x < 0.55 => rng.random_range(1..=3),
        x if x < 0.9 => rng.random_range(4..=15),
        _ => rng.random_range(16..=60),
    }
}

/// The applicants of a case: one person mostly, a few for a family or a crew, none when the
/// caller stayed anonymous or a grid worker screened the matter.
fn complainants<R: Rng + ?Sized>(rng: &mut R, category: &str, people: Option<u32>) -> Vec<String> {
    if rng.random_bool(0.02) {
        return Vec::new();
    }
    let several = match category {
        "wage_arrears" | "construction_project" | "land_requisition" => 0.3,
        "marriage_family" | "neighbour" => 0.2,
        _ => 0.1,
    };
    let n = if rng.random_bool(several) { rng.random_range(2..=4).min(people.unwrap_or(4).max(2)) } else { 1 };
    (0..n).map(|_| person_hash(rng)).collect()
}

/// The one escalation kind of a background case that has one; groups gather over wages and
/// money, fights break out between neighbours and spouses.
fn background_signal<R: Rng + ?Sized>(rng: &mut R, category: &str) -> &'static str {
    let weights = SIGNAL_KINDS.map(|(kind, _, share)| {
        let boost = match (kind, category) {
            ("group_action", "wage_arrears" | "illegal_fundraising" | "land_requisition" | "construction_project") => {
                4.0
            }
            ("violence", "neighbour" | "marriage_family" | "public_order") => 2.0,
            _ => 1.0,
        };
        (kind, share * boost)
    });
    pick(rng, &weights)
}

/// How a case received on `day` stands on `as_of`: most are done within weeks, recent ones
/// are open. Mediation fails in about one resolved case in twenty.
pub(super) fn settle<R: Rng + ?Sized>(rng: &mut R, day: NaiveDate, as_of: NaiveDate) -> (CaseStatus, bool) {
    let age = (as_of - day).num_days().max(0) as f64;
    let done = (1.0 - (-age / 10.0).exp()).min(0.985);
    if rng.random_bool(done) {
        let status = if age > 25.0 && rng.random_bool(0.75) { CaseStatus::Closed } else { CaseStatus::Resolved };
        (status, rng.random_bool(0.05))
    } else if rng.random_bool(0.01) {
        (CaseStatus::Returned, false)
    } else if age < 2.0 {
        (if rng.random_bool(0.5) { CaseStatus::Registered } else { CaseStatus::Routed }, false)
    } else {
        (pick(rng, &[(CaseStatus::Accepted, 0.3), (CaseStatus::Screening, 0.2), (CaseStatus::Mediating, 0.5)]), false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TAXONOMY: &str = include_str!("../../../../data/text/taxonomy.toml");
    const ESCALATION: &str = include_str!("../../../../data/text/escalation.toml");

    /// The values of `key = "…"` or `key = n` lines, in order.
    fn values<'a>(text: &'a str, key: &str) -> Vec<&'a str> {
        text.lines()
            .filter_map(|line| line.trim().strip_prefix(key)?.trim_start().strip_prefix('='))
            .map(|v| v.trim().trim_matches('"'))
            .collect()
    }

    #[test]
    fn categories_are_the_taxonomy_codes() {
        let mut taxonomy = values(TAXONOMY, "code");
        let mut ours: Vec<&str> = CATEGORIES.iter().map(|c| c.code).collect();
        taxonomy.sort_unstable();
        ours.sort_unstable();
        assert_eq!(ours, taxonomy);
        assert_eq!(CATEGORIES.last().unwrap().code, "other", "unknown codes fall back to the last");
    }

    #[test]
    fn signal_kinds_and_weights_are_those_of_escalation_toml() {
        let kinds = values(ESCALATION, "kind");
        let weights = values(ESCALATION, "weight");
        assert_eq!(kinds.len(), SIGNAL_KINDS.len());
        for (kind, weight) in kinds.iter().zip(&weights) {
            let ours = SIGNAL_KINDS.iter().find(|(k, ..)| k == kind).unwrap_or_else(|| panic!("{kind} missing"));
            assert_eq!(ours.1.to_string(), *weight, "{kind}");
        }
        let level = |s: &[&str]| risk_of(&s.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(level(&[]), RiskLevel::None);
        assert_eq!(level(&["emotion"]), RiskLevel::Low);
        assert_eq!(level(&["group_action"]), RiskLevel::Medium);
        assert_eq!(level(&["emotion", "failed_mediation", "emotion"]), RiskLevel::Low);
        assert_eq!(level(&["over_level", "emotion"]), RiskLevel::Medium);
        assert_eq!(level(&["violence"]), RiskLevel::High);
    }

    #[test]
    fn wage_arrears_season_peaks_two_weeks_before_spring_festival() {
        let season = Season::BeforeSpringFestival(2.3);
        let sf = NaiveDate::from_ymd_opt(2026, 2, 17).unwrap();
        let at = |before: u64| season.factor(sf - chrono::Days::new(before));
        assert_eq!(at(70), 1.0);
        assert!((at(35) - 1.65).abs() < 1e-9);
        assert!((at(14) - 2.3).abs() < 1e-9 && (at(1) - 2.3).abs() < 1e-9);
        assert_eq!(season.factor(sf), 1.0);
    }
}
