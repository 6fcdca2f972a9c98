//! The situations planted in the demo ledger for the four warning models to find on day one
//! (`data/demo/plants.toml`): a company collapse (事, 涉众), people coming back with rising threats
//! (人), a wave of unpaid construction wages (行业) and a village with a sudden run of neighbour
//! disputes (区域), each still going on on the demo's last day.
//!
//! When the cases of a collapse, an escalating person and a hotspot fall (and where, but for a
//! collapse's complainants, who live where the district's people do) is drawn by the
//! risk crate's scenario generator ([`shanzhi_risk::scenario`], whose plants the models'
//! evaluation measures them with): the burst and its home town, the channels a person climbs and
//! the language of each step. The scenario draws more cases than wanted and a uniform subset of
//! the wanted size is kept, so that sizes are exact and the shapes are the scenario's. The wage
//! wave is drawn here, relative to the demo's own volume of the category. Each case then becomes a
//! ledger record: a text in its channel's style assembled from the file's fragments (drawn again
//! while it is too much like an earlier planted text), the parties (the same ID number on every
//! contact of an escalating person, a new person on every other record), head-counts and
//! amounts. Deterministic for a seed and an end date, from streams of their own.

use std::collections::{BTreeMap, HashMap};

use anyhow::{Context, bail, ensure};
use chrono::{Days, NaiveDate, NaiveTime, TimeZone};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Deserialize;
use shanzhi_core::record::{PartyRecord, Scalar};
use shanzhi_core::warning::CaseSummary;
use shanzhi_core::workflow::matching::Bigrams;
use shanzhi_core::{Channel, Gazetteer, LedgerRecord, Region, RegionCode};
use shanzhi_risk::scenario::{self, Plant, ScenarioConfig};

use super::population::{ByPopulation, Populations, is_community};
use super::{DemoOptions, beijing, external_id, id_number, round_amount};

const PLANTS: &str = include_str!("../../../../data/demo/plants.toml");

/// The ChaCha stream of the planted records (the ordinary records use 0, the vetoes 1).
const STREAM: u64 = 2;
/// The scenario draws this many times the wanted cases, of which the wanted number is kept.
const OVERSAMPLE: f64 = 3.0;
/// Draws of a text before the least similar one is taken.
const ATTEMPTS: usize = 40;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Plants {
    min_cases: u32,
    max_similarity: f32,
    openings: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    collapse: Vec<Collapse>,
    #[serde(default)]
    person: Vec<Person>,
    #[serde(default)]
    hotspot: Vec<Hotspot>,
    #[serde(default)]
    wage_cluster: Vec<WageCluster>,
}

/// `base + per_10000 × cases / 10,000`, rounded.
#[derive(Deserialize, Clone, Copy)]
#[serde(deny_unknown_fields)]
struct Size {
    base: f64,
    per_10000: f64,
}

impl Size {
    fn of(self, cases: u32) -> usize {
        (self.base + self.per_10000 * f64::from(cases) / 10_000.0).round().max(0.0) as usize
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Collapse {
    from_cases: u32,
    cases: Size,
    started_days_before_end: u32,
    days: u32,
    category: String,
    title: String,
    brands: Vec<String>,
    names: Vec<String>,
    courses: Vec<String>,
    paid: Vec<String>,
    kids: Vec<String>,
    bodies: Vec<String>,
    afters: Vec<String>,
    headline: Vec<String>,
    group_action: Vec<String>,
    over_level: Vec<String>,
    emotion: Vec<String>,
    demands: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Person {
    from_cases: u32,
    contacts: u32,
    history_days: u32,
    last_contact_days_before_end: u32,
    category: String,
    title: String,
    first: Vec<String>,
    calm: Vec<String>,
    petition: Vec<String>,
    threat_violence: Vec<String>,
    threat_self_harm: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Hotspot {
    from_cases: u32,
    cases: Size,
    started_days_before_end: u32,
    days: u32,
    causes: Vec<String>,
    channels: Vec<(String, u32)>,
    developments: Vec<String>,
    asks: Vec<String>,
    stories: Vec<Story>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Story {
    /// The taxonomy code of `title` (the records carry the title; a test checks they agree).
    #[cfg_attr(not(test), allow(dead_code))]
    category: String,
    title: String,
    texts: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WageCluster {
    from_cases: u32,
    category: String,
    title: String,
    template: String,
    days: u32,
    ramp: Vec<f64>,
    excess: f64,
    min_cases: f64,
    channels: Vec<(String, u32)>,
    brand_heads: Vec<String>,
    brand_tails: Vec<String>,
    company_forms: Vec<String>,
    company_share: f64,
    projects: Vec<String>,
    works: Vec<String>,
    near_festival: Vec<String>,
    ordinary: Vec<String>,
    alone: Vec<String>,
    together: Vec<String>,
    afters: Vec<String>,
    group_action: Vec<String>,
    demands: Vec<String>,
}

/// A planted record before its external id is known (that needs the number of planted records).
struct Draft {
    channel: Channel,
    day: NaiveDate,
    record: LedgerRecord,
}

/// Someone who complains: a name as case reports write it, and the numbers a record carries.
#[derive(Clone)]
struct Someone {
    name: String,
    id_number: Option<String>,
    phone: Option<String>,
}

impl Someone {
    fn complainant(&self) -> PartyRecord {
        PartyRecord {
            role: Some("complainant".into()),
            kind: None,
            name: Some(self.name.clone()),
            id_number: self.id_number.clone().map(Scalar::Text),
            phone: self.phone.clone().map(Scalar::Text),
        }
    }
}

fn respondent_person(name: &str) -> PartyRecord {
    PartyRecord { role: Some("respondent".into()), name: Some(name.to_owned()), ..PartyRecord::default() }
}

fn respondent_organization(name: &str) -> PartyRecord {
    PartyRecord {
        role: Some("respondent".into()),
        kind: Some("organization".into()),
        name: Some(name.to_owned()),
        ..PartyRecord::default()
    }
}

/// The template with each `{key}` replaced.
fn fill(template: &str, slots: &[(&str, &str)]) -> String {
    slots.iter().fold(template.to_owned(), |text, (key, value)| text.replace(&format!("{{{key}}}"), value))
}

fn one<'t>(rng: &mut ChaCha8Rng, items: &'t [String], what: &str) -> anyhow::Result<&'t str> {
    items.choose(rng).map(String::as_str).with_context(|| format!("data/demo/plants.toml: `{what}` is empty"))
}

/// One of `(item, weight)`.
fn weighted<'t>(rng: &mut ChaCha8Rng, items: &'t [(String, u32)]) -> anyhow::Result<&'t str> {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    ensure!(total > 0, "data/demo/plants.toml: channel weights must not all be zero");
    let mut pick = rng.random_range(0..total);
    for (item, w) in items {
        if pick < *w {
            return Ok(item);
        }
        pick -= w;
    }
    unreachable!("the weights cover the range")
}

/// A sum in the way reports write big ones: 4000万元, 1.2亿元.
fn chinese_yuan(yuan: f64) -> String {
    if yuan >= 1e8 {
        format!("{}亿元", (yuan / 1e7).round() / 10.0)
    } else if yuan >= 1e4 {
        format!("{:.0}万元", yuan / 1e4)
    } else {
        format!("{yuan:.0}元")
    }
}

/// What the scenario is asked to draw for each of its plants, in the same order.
enum Job<'f> {
    Collapse { spec: &'f Collapse, wanted: usize, start: NaiveDate },
    Person { spec: &'f Person, village: RegionCode },
    Hotspot { spec: &'f Hotspot, wanted: usize, village: RegionCode },
}

struct Planter<'a> {
    gazetteer: &'a Gazetteer,
    file: &'a Plants,
    surnames: &'a [String],
    villages: HashMap<RegionCode, &'a Region>,
    /// Where the people of a district-wide wave live: by estimated population, as the ordinary
    /// cases are. Spread evenly instead, a wave would make the small mountain villages a hotspot.
    residents: ByPopulation,
    rng: ChaCha8Rng,
    drafts: Vec<Draft>,
    /// The character bigrams of each draft's text.
    bigrams: Vec<Bigrams>,
}

/// The planted records of a demo year of `options.cases` cases (part of them, not added to them):
/// none below the file's `min_cases`. They are numbered last of the demo's `total` records.
/// `expected` gives how many ordinary records of a template category fall on the given days.
pub(super) fn plant(
    gazetteer: &Gazetteer,
    options: &DemoOptions,
    total: u32,
    surnames: &[String],
    expected: &dyn Fn(&str, &[NaiveDate]) -> f64,
) -> anyhow::Result<Vec<LedgerRecord>> {
    let file: Plants = toml::from_str(PLANTS).context("data/demo/plants.toml")?;
    if options.cases < file.min_cases {
        return Ok(Vec::new());
    }
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    rng.set_stream(STREAM);
    let mut planter = Planter {
        gazetteer,
        file: &file,
        surnames,
        villages: gazetteer.villages().map(|v| (v.code, v)).collect(),
        residents: Populations::estimate(gazetteer)?.sampler()?,
        rng,
        drafts: Vec::new(),
        bigrams: Vec::new(),
    };
    planter.scenario_plants(options)?;
    for wave in file.wage_cluster.iter().filter(|w| options.cases >= w.from_cases) {
        planter.wage_cluster(wave, options, expected)?;
    }
    let drafts = planter.drafts;
    ensure!(
        drafts.len() * 20 <= options.cases as usize,
        "data/demo/plants.toml plants {} of {} cases: more than 5%",
        drafts.len(),
        options.cases
    );
    // Numbered after the ordinary records, which take 0 .. total − planted.
    let first = (total as usize).saturating_sub(drafts.len());
    Ok(drafts
        .into_iter()
        .enumerate()
        .map(|(i, mut draft)| {
            draft.record.external_id = Some(Scalar::Text(external_id(draft.channel, draft.day, (first + i) as u32)));
            draft.record
        })
        .collect())
}

impl Planter<'_> {
    /// The collapses, escalating people and hotspots: drawn by the scenario, written here.
    fn scenario_plants(&mut self, options: &DemoOptions) -> anyhow::Result<()> {
        let file = self.file;
        let until = options.until;
        let cases = options.cases;
        let mut plants = Vec::new();
        let mut jobs = Vec::new();
        // Each person and hotspot in a village of its own, a village committee where possible.
        let mut free: Vec<RegionCode> = {
            let all: Vec<RegionCode> = self.gazetteer.villages().map(|v| v.code).collect();
            let rural: Vec<RegionCode> = all.iter().copied().filter(|&c| !is_community(c)).collect();
            if rural.is_empty() { all } else { rural }
        };
        ensure!(!free.is_empty(), "the district has no villages to plant situations in");
        let mut village = |rng: &mut ChaCha8Rng| {
            let i = rng.random_range(0..free.len());
            if free.len() > 1 { free.swap_remove(i) } else { free[0] }
        };

        for spec in file.collapse.iter().filter(|c| cases >= c.from_cases) {
            let wanted = spec.cases.of(cases);
            let brand = one(&mut self.rng, &spec.brands, "collapse.brands")?;
            let names: Vec<String> = spec.names.iter().map(|n| n.replace("{brand}", brand)).collect();
            let key = names.first().and_then(|n| shanzhi_text::extract::organization_key(n));
            let in_ledger = spec.started_days_before_end + 1;
            let start = until - Days::new(u64::from(spec.started_days_before_end));
            plants.push(Plant::MassCollapse {
                start,
                respondent_key: key.unwrap_or_else(|| brand.to_owned()),
                names,
                category: spec.category.clone(),
                cases_per_day: OVERSAMPLE * wanted as f64 / f64::from(in_ledger),
                days: spec.days.max(in_ledger),
            });
            jobs.push(Job::Collapse { spec, wanted, start });
        }
        for (i, spec) in file.person.iter().enumerate().filter(|(_, p)| cases >= p.from_cases) {
            let village = village(&mut self.rng);
            plants.push(Plant::EscalatingPerson {
                // The petition; the police call is the day after.
                start: until - Days::new(u64::from(spec.last_contact_days_before_end) + 1),
                person: format!("demo-person-{i}"),
                region: village,
                category: spec.category.clone(),
                contacts: spec.contacts,
                days: spec.history_days,
            });
            jobs.push(Job::Person { spec, village });
        }
        for spec in file.hotspot.iter().filter(|h| cases >= h.from_cases) {
            let wanted = spec.cases.of(cases);
            let village = village(&mut self.rng);
            let in_ledger = spec.started_days_before_end + 1;
            plants.push(Plant::VillageHotspot {
                start: until - Days::new(u64::from(spec.started_days_before_end)),
                villages: vec![village],
                extra_per_day: OVERSAMPLE * wanted as f64 / f64::from(in_ledger),
                days: spec.days.max(in_ledger),
            });
            jobs.push(Job::Hotspot { spec, wanted, village });
        }
        if plants.is_empty() {
            return Ok(());
        }

        let config = ScenarioConfig {
            // Its own seed: the scenario's streams are not the demo's.
            seed: options.seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x0064_656d_6f70_6c61,
            start: until - Days::new(364),
            days: 365,
            // Only the plants' cases are used; the background is the demo's own.
            cases_per_day: 1.0,
            villages: self.gazetteer.villages().map(|v| v.code).collect(),
            plants,
        };
        let drawn = scenario::generate(&config);
        for (job, truth) in jobs.into_iter().zip(&drawn.truth) {
            let cases: Vec<&CaseSummary> = truth.case_ids.iter().filter_map(|&id| drawn.case(id)).collect();
            match job {
                Job::Collapse { spec, wanted, start } => {
                    for case in self.keep(&cases, wanted) {
                        self.collapse_record(spec, case, start)?;
                    }
                }
                Job::Person { spec, village } => self.person_records(spec, &cases, village)?,
                Job::Hotspot { spec, wanted, village } => {
                    let cause = one(&mut self.rng, &spec.causes, "hotspot.causes")?.to_owned();
                    for case in self.keep(&cases, wanted) {
                        self.hotspot_record(spec, case, village, &cause)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// `wanted` of the drawn cases, uniformly, in the order drawn (all of them if fewer).
    fn keep<'c>(&mut self, cases: &[&'c CaseSummary], wanted: usize) -> Vec<&'c CaseSummary> {
        if cases.len() <= wanted {
            return cases.to_vec();
        }
        let mut chosen = rand::seq::index::sample(&mut self.rng, cases.len(), wanted).into_vec();
        chosen.sort_unstable();
        chosen.into_iter().map(|i| cases[i]).collect()
    }

    fn name(&mut self, unlike: Option<&str>) -> String {
        loop {
            let surname = self.surnames.choose(&mut self.rng).map_or("王", String::as_str);
            let name = format!("{surname}某{}", if self.rng.random_bool(0.5) { "某" } else { "" });
            if unlike.is_none_or(|other| !other.starts_with(surname)) || self.surnames.len() < 2 {
                return name;
            }
        }
    }

    /// A new person of `village`: with an ID number (always, when `identified`) and a phone as
    /// often as the ordinary records have them.
    fn someone(&mut self, village: RegionCode, identified: bool) -> Someone {
        let name = self.name(None);
        let id_number = (identified || self.rng.random_bool(0.6)).then(|| match self.villages.get(&village) {
            Some(region) => id_number(&mut self.rng, region),
            None => id_number(&mut self.rng, self.gazetteer.villages().next().expect("villages exist")),
        });
        let phone = self
            .rng
            .random_bool(0.8)
            .then(|| format!("1{}{:09}", self.rng.random_range(3..=9), self.rng.random_range(0..1_000_000_000u64)));
        Someone { name, id_number, phone }
    }

    fn place(&self, village: RegionCode) -> String {
        self.gazetteer
            .display_name(village)
            .or_else(|| self.villages.get(&village).map(|v| v.short_name.clone()))
            .unwrap_or_default()
    }

    /// The channel's opening line, for `name` of `place`.
    fn opening(&mut self, channel: Channel, name: &str, place: &str) -> anyhow::Result<String> {
        let openings = self.file.openings.get(channel.code()).map(Vec::as_slice).unwrap_or_default();
        Ok(fill(
            one(&mut self.rng, openings, &format!("openings.{}", channel.code()))?,
            &[("name", name), ("place", place)],
        ))
    }

    /// A text from `draw`, drawn again while it is as alike as `max_similarity` to an earlier
    /// planted text; after [`ATTEMPTS`] the least alike.
    fn distinct(&mut self, mut draw: impl FnMut(&mut Self) -> anyhow::Result<String>) -> anyhow::Result<String> {
        self.distinct_with(|p| draw(p).map(|text| (text, ()))).map(|(text, ())| text)
    }

    /// [`Planter::distinct`] of a text drawn with something that goes with it.
    fn distinct_with<T>(
        &mut self,
        mut draw: impl FnMut(&mut Self) -> anyhow::Result<(String, T)>,
    ) -> anyhow::Result<(String, T)> {
        let mut best: Option<(f32, (String, T))> = None;
        for _ in 0..ATTEMPTS {
            let drawn = draw(self)?;
            let mine = Bigrams::of(&drawn.0);
            let alike = self.bigrams.iter().map(|other| mine.dice(other)).fold(0.0, f32::max);
            if alike < self.file.max_similarity {
                return Ok(drawn);
            }
            if best.as_ref().is_none_or(|(held, _)| alike < *held) {
                best = Some((alike, drawn));
            }
        }
        Ok(best.expect("at least one attempt").1)
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        channel: Channel,
        day: NaiveDate,
        region: RegionCode,
        title: &str,
        text: String,
        parties: Vec<PartyRecord>,
        people: Option<u32>,
        amount: Option<u64>,
    ) {
        let time =
            NaiveTime::from_hms_opt(self.rng.random_range(8..22), self.rng.random_range(0..60), 0).expect("a time");
        let received_at = beijing().from_local_datetime(&day.and_time(time)).single().expect("UTC+8 has no gaps");
        self.bigrams.push(Bigrams::of(&text));
        self.drafts.push(Draft {
            channel,
            day,
            record: LedgerRecord {
                channel: Some(channel.code().into()),
                external_id: None,
                received_at: Some(received_at.to_rfc3339()),
                region: Some(Scalar::Text(region.to_string())),
                title: Some(title.to_owned()),
                text: Some(text),
                parties: Some(parties),
                kind: None,
                // As the source system classed it.
                category: Some(title.to_owned()),
                incident: None,
                amount_yuan: amount.map(|a| Scalar::Integer(a as i64)),
                people_count: people.map(|p| Scalar::Integer(i64::from(p))),
                lat: None,
                lon: None,
            },
        });
    }

    /// One complaint about the collapse, from a parent (sometimes both) of `case.region`.
    fn collapse_record(&mut self, spec: &Collapse, case: &CaseSummary, start: NaiveDate) -> anyhow::Result<()> {
        // The scenario's villages have weights of their own; the demo's follow population.
        let village = self.residents.draw(&mut self.rng);
        let place = self.place(village);
        let parents: Vec<Someone> = (0..case.complainants.len().max(1)).map(|_| self.someone(village, false)).collect();
        let company = match &case.respondent_name {
            Some(name) => name.clone(),
            None => bail!("the scenario's collapse names no respondent"),
        };
        let headline = case.people_count.filter(|&p| p >= 1000);
        // What this family paid: the scenario's sum when it is the family's own.
        let own = match (headline, case.amount_yuan) {
            (None, Some(yuan)) if yuan >= 1000.0 => round_amount(yuan as u64),
            _ => round_amount(self.rng.random_range(30..=300) * 100),
        };
        let since = start.format("%-m月%-d日").to_string();
        let name = parents[0].name.clone();
        let text = self.distinct(|p| {
            let rng = &mut p.rng;
            let lessons = rng.random_range(8..=72).to_string();
            let slots = [
                ("company", company.as_str()),
                ("course", one(rng, &spec.courses, "collapse.courses")?),
                ("paid", one(rng, &spec.paid, "collapse.paid")?),
                ("kid", one(rng, &spec.kids, "collapse.kids")?),
                ("amount", &own.to_string()),
                ("lessons", &lessons),
                ("since", &since),
                ("place", &place),
            ];
            let mut text = p.opening(case.channel, &name, &place)?;
            let rng = &mut p.rng;
            text.push_str(&fill(one(rng, &spec.bodies, "collapse.bodies")?, &slots));
            text.push_str(one(rng, &spec.afters, "collapse.afters")?);
            if let (Some(people), Some(total)) = (headline, case.amount_yuan) {
                let line = one(rng, &spec.headline, "collapse.headline")?;
                text.push_str(&fill(line, &[("people", &people.to_string()), ("total", &chinese_yuan(total))]));
            }
            for (signal, lines) in
                [("group_action", &spec.group_action), ("over_level", &spec.over_level), ("emotion", &spec.emotion)]
            {
                if case.signals.iter().any(|s| s == signal) {
                    text.push_str(one(rng, lines, signal)?);
                }
            }
            text.push_str(one(rng, &spec.demands, "collapse.demands")?);
            Ok(text)
        })?;
        let mut parties: Vec<PartyRecord> = parents.iter().map(Someone::complainant).collect();
        parties.push(respondent_organization(&company));
        let (people, amount) = match headline {
            Some(people) => (Some(people), case.amount_yuan.map(|a| a as u64)),
            None => (case.people_count, Some(own)),
        };
        self.push(case.channel, case.day, village, &spec.title, text, parties, people, amount);
        Ok(())
    }

    /// The contacts of one escalating person, at the scenario's days and channels, each stage in
    /// the language the scenario gives it.
    fn person_records(&mut self, spec: &Person, cases: &[&CaseSummary], village: RegionCode) -> anyhow::Result<()> {
        let person = self.someone(village, true);
        let other = self.name(Some(&person.name));
        let place = self.place(village);
        let Some(first_day) = cases.iter().map(|c| c.day).min() else { return Ok(()) };
        for case in cases {
            let has = |signal: &str| case.signals.iter().any(|s| s == signal);
            // Whole records (the grid worker's, the police's), or what follows the opening.
            let (lines, whole, what) = if has("violence") {
                (&spec.threat_violence, true, "person.threat_violence")
            } else if has("self_harm") {
                (&spec.threat_self_harm, true, "person.threat_self_harm")
            } else if has("over_level") {
                (&spec.petition, false, "person.petition")
            } else if has("emotion") {
                (&spec.calm, false, "person.calm")
            } else {
                (&spec.first, true, "person.first")
            };
            let months = ((case.day - first_day).num_days() / 30 + 1).to_string();
            let slots = [("name", person.name.as_str()), ("other", &other), ("place", &place), ("months", &months)];
            let text = self.distinct(|p| {
                let body = fill(one(&mut p.rng, lines, what)?, &slots);
                Ok(if whole { body } else { p.opening(case.channel, &person.name, &place)? + &body })
            })?;
            let parties = vec![person.complainant(), respondent_person(&other)];
            self.push(case.channel, case.day, village, &spec.title, text, parties, None, None);
        }
        Ok(())
    }

    /// One of the village's disputes, of a household against its neighbour.
    fn hotspot_record(
        &mut self,
        spec: &Hotspot,
        case: &CaseSummary,
        village: RegionCode,
        cause: &str,
    ) -> anyhow::Result<()> {
        let place = self.place(village);
        let someone = self.someone(village, false);
        let other = self.name(Some(&someone.name));
        let channel: Channel = weighted(&mut self.rng, &spec.channels)?.parse()?;
        // Stories in proportion to their texts.
        let lines: Vec<(&Story, &String)> =
            spec.stories.iter().flat_map(|s| s.texts.iter().map(move |t| (s, t))).collect();
        ensure!(!lines.is_empty(), "data/demo/plants.toml: a hotspot has no texts");
        let (text, title) = self.distinct_with(|p| {
            let (story, line) = lines[p.rng.random_range(0..lines.len())];
            let slots = [("name", someone.name.as_str()), ("other", &other), ("place", &place), ("cause", cause)];
            let mut text = p.opening(channel, &someone.name, &place)? + &fill(line, &slots);
            text.push_str(&fill(one(&mut p.rng, &spec.developments, "hotspot.developments")?, &slots));
            text.push_str(one(&mut p.rng, &spec.asks, "hotspot.asks")?);
            Ok((text, story.title.as_str()))
        })?;
        let parties = vec![someone.complainant(), respondent_person(&other)];
        self.push(channel, case.day, village, title, text, parties, None, None);
        Ok(())
    }

    /// Unpaid wages all over the district in the last days, rising to the end.
    fn wage_cluster(
        &mut self,
        spec: &WageCluster,
        options: &DemoOptions,
        expected: &dyn Fn(&str, &[NaiveDate]) -> f64,
    ) -> anyhow::Result<()> {
        ensure!(
            spec.days > 0 && spec.ramp.len() == spec.days as usize && spec.ramp.iter().all(|w| *w >= 0.0),
            "data/demo/plants.toml: a wage cluster needs one non-negative ramp weight per day"
        );
        let days: Vec<NaiveDate> =
            (0..spec.days).rev().map(|back| options.until - Days::new(u64::from(back))).collect();
        // The ordinary records already follow the category's season; the wave comes on top.
        let seasons = shanzhi_risk::RiskSettings::embedded().seasons;
        let ordinary = expected(&spec.template, &days);
        let wanted = (spec.excess * ordinary + spec.min_cases).round().max(0.0) as usize;
        // Cases per day in proportion to the ramp, by largest remainder.
        let total: f64 = spec.ramp.iter().sum();
        ensure!(total > 0.0, "data/demo/plants.toml: a wage cluster's ramp is all zero");
        let exact: Vec<f64> = spec.ramp.iter().map(|w| wanted as f64 * w / total).collect();
        let mut per_day: Vec<usize> = exact.iter().map(|x| x.floor() as usize).collect();
        let mut order: Vec<usize> = (0..per_day.len()).collect();
        order.sort_by(|&a, &b| (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())).then(b.cmp(&a)));
        for &i in order.iter().take(wanted - per_day.iter().sum::<usize>()) {
            per_day[i] += 1;
        }

        let brands: Vec<String> =
            spec.brand_heads.iter().flat_map(|h| spec.brand_tails.iter().map(move |t| format!("{h}{t}"))).collect();
        ensure!(!brands.is_empty(), "data/demo/plants.toml: a wage cluster has no brands");
        // Brands in a drawn order.
        let mut brand_order: Vec<usize> = (0..brands.len()).collect();
        for i in (1..brand_order.len()).rev() {
            brand_order.swap(i, self.rng.random_range(0..=i));
        }
        let mut named = 0usize;
        for (&day, &count) in days.iter().zip(&per_day) {
            let say_lines =
                if seasons.factor(&spec.category, day) > 1.0 { &spec.near_festival } else { &spec.ordinary };
            for _ in 0..count {
                let village = self.residents.draw(&mut self.rng);
                let place = self.place(village);
                let channel: Channel = weighted(&mut self.rng, &spec.channels)?.parse()?;
                let worker = self.someone(village, false);
                let foreman = self.name(Some(&worker.name));
                // Three records to a company, while there are brands.
                let company = (self.rng.random_bool(spec.company_share) && named / 3 < brands.len()).then(|| {
                    let brand = &brands[brand_order[named / 3]];
                    named += 1;
                    let form = spec.company_forms.choose(&mut self.rng).map_or("{brand}劳务", String::as_str);
                    form.replace("{brand}", brand)
                });
                let who = company.clone().unwrap_or_else(|| format!("包工头{foreman}"));
                let alone = self.rng.random_bool(0.45);
                let people: u32 = if alone { 1 } else { self.rng.random_range(3..=25) };
                let per_person = self.rng.random_range(60..=400) * 100;
                let amount = round_amount(per_person * u64::from(people));
                let months = self.rng.random_range(2..=7).to_string();
                let group = !alone && self.rng.random_bool(0.2);
                let text = self.distinct(|p| {
                    let rng = &mut p.rng;
                    let project = one(rng, &spec.projects, "wage_cluster.projects")?;
                    let work = one(rng, &spec.works, "wage_cluster.works")?;
                    let say = one(rng, say_lines, "wage_cluster.near_festival/ordinary")?;
                    let body = one(rng, if alone { &spec.alone } else { &spec.together }, "wage_cluster bodies")?;
                    let slots = [
                        ("who", who.as_str()),
                        ("people", &people.to_string()),
                        ("amount", &amount.to_string()),
                        ("months", &months),
                        ("project", project),
                        ("work", work),
                        ("say", say),
                        ("place", &place),
                    ];
                    let mut text = p.opening(channel, &worker.name, &place)? + &fill(body, &slots);
                    text.push_str(one(&mut p.rng, &spec.afters, "wage_cluster.afters")?);
                    if group {
                        text.push_str(one(&mut p.rng, &spec.group_action, "wage_cluster.group_action")?);
                    }
                    text.push_str(one(&mut p.rng, &spec.demands, "wage_cluster.demands")?);
                    Ok(text)
                })?;
                let respondent = match &company {
                    Some(name) => respondent_organization(name),
                    None => respondent_person(&foreman),
                };
                let parties = vec![worker.complainant(), respondent];
                self.push(channel, day, village, &spec.title, text, parties, Some(people), Some(amount));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use shanzhi_core::workflow::matching::similarity;
    use shanzhi_core::{PiiKey, RecordContext, defaults};

    use super::*;

    fn options(cases: u32, seed: u64) -> DemoOptions {
        DemoOptions { cases, seed, until: NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(), years: 1 }
    }

    /// The planted records of a demo, as `generate` plants them.
    fn planted(cases: u32, seed: u64) -> Vec<LedgerRecord> {
        let g = defaults::gazetteer(defaults::DEFAULT_DISTRICT).unwrap();
        let (ordinary, planted) = super::super::generate_parts(&g, &options(cases, seed)).unwrap();
        assert_eq!(ordinary.len() + planted.len(), cases as usize, "planted records are part of the demo's cases");
        planted
    }

    #[test]
    fn the_file_parses_and_its_names_key_alike() {
        let file: Plants = toml::from_str(PLANTS).unwrap();
        let key = shanzhi_text::extract::organization_key;
        for c in &file.collapse {
            for brand in &c.brands {
                let keys: HashSet<_> = c.names.iter().map(|n| key(&n.replace("{brand}", brand))).collect();
                assert_eq!(keys, HashSet::from([Some(brand.clone())]), "{brand}");
            }
        }
        for w in &file.wage_cluster {
            for h in &w.brand_heads {
                for t in &w.brand_tails {
                    let brand = format!("{h}{t}");
                    let keys: HashSet<_> = w.company_forms.iter().map(|n| key(&n.replace("{brand}", &brand))).collect();
                    assert_eq!(keys, HashSet::from([Some(brand.clone())]), "{brand}");
                }
            }
        }
    }

    #[test]
    fn titles_are_the_taxonomy_categories_the_models_count() {
        let file: Plants = toml::from_str(PLANTS).unwrap();
        let g = defaults::gazetteer(defaults::DEFAULT_DISTRICT).unwrap();
        let directory = defaults::departments(&g).unwrap();
        let taxonomy = shanzhi_text::taxonomy::Taxonomy::from_toml(shanzhi_text::corpus::TAXONOMY, &directory).unwrap();
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        pairs.extend(file.collapse.iter().map(|c| (c.title.as_str(), c.category.as_str())));
        pairs.extend(file.person.iter().map(|p| (p.title.as_str(), p.category.as_str())));
        pairs.extend(
            file.hotspot.iter().flat_map(|h| h.stories.iter().map(|s| (s.title.as_str(), s.category.as_str()))),
        );
        pairs.extend(file.wage_cluster.iter().map(|w| (w.title.as_str(), w.category.as_str())));
        for (title, code) in pairs {
            assert_eq!(taxonomy.find(title).map(|c| c.code.as_str()), Some(code), "{title}");
        }
    }

    #[test]
    fn small_demos_plant_nothing_and_larger_ones_a_small_share() {
        assert!(planted(999, 1).is_empty());
        let g = defaults::gazetteer(defaults::DEFAULT_DISTRICT).unwrap();
        assert!(plant(&g, &options(999, 1), 999, &["王".into()], &|_: &str, _: &[NaiveDate]| 0.0).unwrap().is_empty());
        for (cases, most) in [(2_000, 0.012), (3_000, 0.008), (50_000, 0.005), (200_000, 0.005)] {
            let n =
                plant(&g, &options(cases, 4), cases, &["王".into(), "李".into()], &|_: &str, days: &[NaiveDate]| {
                    0.13 * f64::from(cases) / 365.0 * days.len() as f64
                })
                .unwrap()
                .len();
            let share = n as f64 / f64::from(cases);
            assert!(share > 0.0 && share < most, "{n} of {cases} planted");
        }
    }

    #[test]
    fn planted_records_are_valid_filled_in_and_no_two_alike() {
        let g = defaults::gazetteer(defaults::DEFAULT_DISTRICT).unwrap();
        let key = PiiKey::from_secret("demo plants test key").unwrap();
        let now = beijing().with_ymd_and_hms(2026, 11, 29, 0, 0, 0).unwrap().with_timezone(&chrono::Utc);
        let ctx = RecordContext { gazetteer: &g, pii_key: &key, now };
        let records = planted(50_000, 9);
        assert!(records.len() > 100, "{}", records.len());
        let mut ids = HashSet::new();
        for r in &records {
            if let Err(e) = r.validate(&ctx) {
                panic!("invalid planted record {r:?}: {e:?}");
            }
            let text = r.text.as_deref().unwrap();
            assert!(!text.contains('{') && !text.contains('}'), "a slot left unfilled: {text}");
            assert!(ids.insert(format!("{:?}{:?}", r.channel, r.external_id)), "external ids are unique");
        }
        let texts: Vec<&str> = records.iter().filter_map(|r| r.text.as_deref()).collect();
        let mut worst = (0.0f32, "", "");
        for (i, a) in texts.iter().enumerate() {
            for b in &texts[..i] {
                let s = similarity(a, b);
                if s > worst.0 {
                    worst = (s, a, b);
                }
            }
        }
        // The intake's matcher links texts alike from 0.6 (same town).
        assert!(worst.0 < 0.6, "near-duplicates ({}):\n{}\n{}", worst.0, worst.1, worst.2);
        assert_eq!(records, planted(50_000, 9), "deterministic");
        assert_ne!(records, planted(50_000, 10));
    }

    #[test]
    fn an_escalating_person_keeps_one_id_number_and_climbs_to_the_police() {
        let records = planted(3_000, 7);
        let mut by_id: HashMap<String, Vec<&LedgerRecord>> = HashMap::new();
        for r in &records {
            for p in r.parties.iter().flatten().filter(|p| p.role.as_deref() == Some("complainant")) {
                if let Some(Scalar::Text(id)) = &p.id_number {
                    by_id.entry(id.clone()).or_default().push(r);
                }
            }
        }
        let (_, contacts) = by_id.iter().find(|(_, c)| c.len() >= 3).expect("one person comes back");
        let mut contacts = contacts.clone();
        contacts.sort_by_key(|r| r.received_at.clone());
        assert_eq!(contacts.first().unwrap().channel.as_deref(), Some("grid"));
        assert_eq!(contacts.last().unwrap().channel.as_deref(), Some("police"));
        assert!(contacts.last().unwrap().received_at.as_deref().unwrap().starts_with("2026-11-28"));
    }
}
