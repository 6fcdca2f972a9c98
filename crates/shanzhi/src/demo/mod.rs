//! The demo ledger: a year (or several, `--years`) of invented but plausible cases in the
//! district's real towns and villages, spread by estimated population and the rhythm of the year
//! (`spread.rs`), written from the templates in `data/demo/templates.toml` (`templates.rs`), each
//! with the history a real
//! district would have written for it (`histories.rs`: routing, mediation, agreements, follow-ups,
//! cases still open and some overdue), and the situations planted for the warning models
//! (`plants.rs`, from `data/demo/plants.toml`). Deterministic for a seed and an end date.

mod histories;
mod plants;
mod population;
mod rhythm;
mod spread;
mod templates;
pub mod users;

use std::collections::HashSet;

use anyhow::bail;
use chrono::{DateTime, Duration, FixedOffset, Months, NaiveDate, NaiveTime, TimeZone, Utc};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use shanzhi_core::pii::check_character;
use shanzhi_core::record::{PartyRecord, Scalar};
use shanzhi_core::{Case, CaseStatus, Channel, Gazetteer, Incident, LedgerRecord, RecordContext, Region};
use shanzhi_store::Registration;

pub use histories::{Histories, World, simulate};

use crate::ledger::Ledger;
use rhythm::Rhythm;
use spread::Spread;
use templates::{Slots, Templates};

#[derive(Debug, Clone, Copy)]
pub struct DemoOptions {
    pub cases: u32,
    pub seed: u64,
    /// The last day of the demo: every record is received and every event happens before its
    /// end ([`DemoOptions::end`]).
    pub until: NaiveDate,
    /// How many years the cases span, ending on `until`; the planted situations are in the last.
    pub years: u32,
}

fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8")
}

impl DemoOptions {
    /// A year of cases ending yesterday (Beijing time), so that nothing in it is in the future.
    pub fn new(cases: u32, seed: u64) -> Self {
        let today = Utc::now().with_timezone(&beijing()).date_naive();
        DemoOptions { cases, seed, until: today.pred_opt().unwrap_or(today), years: 1 }
    }

    pub fn years(self, years: u32) -> Self {
        DemoOptions { years: years.max(1), ..self }
    }

    /// The end of the demo's last day (midnight after it, Beijing time).
    pub fn end(&self) -> DateTime<Utc> {
        shanzhi_core::calendar::end_of_day(self.until)
    }

    /// The first day of the last `years` years up to `until`.
    fn first_day(&self, years: u32) -> NaiveDate {
        self.until.checked_sub_months(Months::new(12 * years.max(1))).map_or(self.until, |d| d + Duration::days(1))
    }

    /// How many days the demo spans.
    fn days(&self) -> u32 {
        ((self.until - self.first_day(self.years)).num_days() + 1) as u32
    }

    /// The last year alone, which the planted situations are measured against.
    fn last_year(&self) -> DemoOptions {
        DemoOptions { cases: self.cases / self.years.max(1), years: 1, ..*self }
    }
}

/// Of the police records, the share that the police system classed as an incident (警情类别).
const POLICE_INCIDENTS: f64 = 0.04;

/// Villages given one veto-worthy incident (a homicide or a mass incident) per this many cases,
/// at least three: the safe-village ratings have vetoes to show.
const CASES_PER_VETO_VILLAGE: u32 = 10_000;

/// How skewed head-counts and amounts are towards the small end of a template's range: a draw is
/// `lo · (hi/lo)^(u^SKEW)` for a uniform u. Most matters concern a handful of people and modest
/// sums; with 4, about one matter in twenty involves 30 people or more (the district's
/// mass-involvement cases) instead of one in three with uniform draws.
const SKEW: i32 = 4;

/// A draw from [lo, hi], mostly near lo (see [`SKEW`]).
fn skewed(rng: &mut ChaCha8Rng, lo: u64, hi: u64) -> u64 {
    if hi <= lo {
        return lo;
    }
    let u: f64 = rng.random();
    let lo_f = lo.max(1) as f64;
    let x = lo_f * (hi as f64 / lo_f).powf(u.powi(SKEW));
    (x.round() as u64).clamp(lo, hi)
}

/// What the police classed a matter of `category` as, for the few police records that carry an
/// incident. Homicides and most mass incidents are planted in a handful of villages instead.
fn police_incident(rng: &mut ChaCha8Rng, category: &str, people: u32) -> Incident {
    match category {
        "交通事故" => Incident::SafetyAccident,
        "劳资纠纷" | "教育培训" | "消费/预付卡退费" if people >= 30 => Incident::MassIncident,
        "邻里纠纷" | "婚姻家庭纠纷" if rng.random_bool(0.2) => Incident::Criminal,
        _ if rng.random_bool(0.1) => Incident::Criminal,
        _ => Incident::PublicOrder,
    }
}

/// Gives a handful of police records of the last year in as many villages a homicide or a mass
/// incident, with a line of the police's follow-up report in their text: the year the ratings
/// look at has vetoes to show, however many years the demo spans.
fn plant_vetoes(records: &mut [LedgerRecord], options: &DemoOptions) {
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    rng.set_stream(1);
    let wanted = (options.last_year().cases / CASES_PER_VETO_VILLAGE).max(3) as usize;
    let last_year = options.first_day(1);
    let mut villages: Vec<String> = Vec::new();
    let mut police: Vec<usize> = (0..records.len())
        .filter(|&i| records[i].channel.as_deref() == Some(Channel::Police.code()))
        .filter(|&i| received_on(&records[i]).is_some_and(|day| day >= last_year))
        .filter(|&i| matches!(records[i].title.as_deref(), Some("邻里纠纷" | "婚姻家庭纠纷" | "劳资纠纷")))
        .collect();
    while villages.len() < wanted && !police.is_empty() {
        let i = police.swap_remove(rng.random_range(0..police.len()));
        let record = &mut records[i];
        let village = match &record.region {
            Some(Scalar::Text(code)) => code.clone(),
            _ => continue,
        };
        if villages.contains(&village) {
            continue;
        }
        let (incident, report) = if record.title.as_deref() == Some("劳资纠纷") {
            (Incident::MassIncident, "续报：现场聚集人员增至百余人，一度堵塞道路，已疏散。")
        } else {
            (Incident::Homicide, "续报：双方冲突升级，一方持刀伤人致一人死亡，嫌疑人已被控制。")
        };
        record.incident = Some(incident.code().into());
        if let Some(text) = record.text.as_mut() {
            text.push_str(report);
        }
        villages.push(village);
    }
}

/// Generates the demo records: `options.cases` in all, in the order they were received. Each is
/// a valid ledger record (`load` checks it), and no two have the same text.
pub fn generate(gazetteer: &Gazetteer, options: &DemoOptions) -> anyhow::Result<Vec<LedgerRecord>> {
    let (mut records, planted) = generate_parts(gazetteer, options)?;
    records.extend(planted);
    // Stable: records received at the same minute keep their drawn order.
    records.sort_by_key(|r| r.received_at.as_deref().and_then(|at| DateTime::parse_from_rfc3339(at).ok()));
    Ok(records)
}

/// How many times a record is drawn again when its text equals an earlier one's.
const REDRAWS: usize = 50;

/// The ordinary records and the planted ones.
fn generate_parts(
    gazetteer: &Gazetteer,
    options: &DemoOptions,
) -> anyhow::Result<(Vec<LedgerRecord>, Vec<LedgerRecord>)> {
    let templates = Templates::embedded()?;
    let rhythm = Rhythm::embedded()?;
    let template_channels = templates
        .template
        .iter()
        .map(|t| {
            let channels = t.channels.iter().map(|c| c.parse::<Channel>()).collect::<Result<Vec<_>, _>>()?;
            Ok((t.code.as_str(), t.locale, channels))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let spread = Spread::new(gazetteer, &rhythm, &template_channels, options.until, options.days())?;
    let total_weight: u32 = templates.template.iter().map(|t| t.weight).sum();
    // Ordinary cases of a template (by title) expected on these days.
    let expected = |category: &str, days: &[NaiveDate]| {
        templates
            .template
            .iter()
            .enumerate()
            .filter(|(_, t)| t.category == category)
            .map(|(i, t)| {
                f64::from(t.weight) / f64::from(total_weight.max(1))
                    * f64::from(options.cases)
                    * spread.share_of_days(i, days)
            })
            .sum::<f64>()
    };
    // The planted situations are part of the cases asked for; the ordinary records fill the rest.
    // Sized for the last year, numbered after all the ordinary records.
    let planted = plants::plant(gazetteer, &options.last_year(), options.cases, &templates.surnames, &expected)?;
    let ordinary = options.cases.saturating_sub(planted.len() as u32);
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let mut records = Vec::with_capacity(options.cases as usize);
    let mut seen: HashSet<u64> = planted.iter().filter_map(|r| r.text.as_deref()).map(text_hash).collect();
    for n in 0..ordinary {
        let mut pick = rng.random_range(0..total_weight);
        let index = templates
            .template
            .iter()
            .position(|t| {
                pick < t.weight || {
                    pick -= t.weight;
                    false
                }
            })
            .expect("weights cover the range");
        let template = &templates.template[index];
        let village = spread.village(&mut rng, template.locale);
        let (day, channel) = spread.when(&mut rng, index);
        // Calls to the police come at any hour; the rest in the day and evening.
        let hours = if channel == Channel::Police { 0..24 } else { 7..22 };
        let time = NaiveTime::from_hms_opt(rng.random_range(hours), rng.random_range(0..60), 0).expect("a valid time");
        let received_at = beijing().from_local_datetime(&day.and_time(time)).single().expect("UTC+8 has no gaps");
        let place = gazetteer.display_name(village.code).unwrap_or_else(|| village.short_name.clone());
        let (date, clock) = (day.format("%-m月%-d日").to_string(), time.format("%-H时%M分").to_string());

        let person = |rng: &mut ChaCha8Rng| {
            format!(
                "{}某{}",
                templates.surnames.choose(rng).expect("surnames"),
                if rng.random_bool(0.5) { "某" } else { "" }
            )
        };
        let mut drawn = None;
        for _ in 0..REDRAWS {
            let name = person(&mut rng);
            let other = person(&mut rng);
            let company = (!template.company_suffixes.is_empty()).then(|| {
                format!(
                    "杭州{}{}",
                    templates.trade_names.choose(&mut rng).expect("trade names"),
                    template.company_suffixes.choose(&mut rng).expect("suffixes")
                )
            });
            let people = skewed(&mut rng, u64::from(template.people[0]), u64::from(template.people[1])) as u32;
            let amount = template.amount.map(|[lo, hi]| round_amount(skewed(&mut rng, lo, hi)));
            let slots = Slots {
                place: &place,
                name: &name,
                other: &other,
                company: company.as_deref(),
                people,
                amount,
                months: rng.random_range(2..8),
                date: &date,
                time: &clock,
            };
            let text = templates.compose(&mut rng, template, channel, &slots);
            if seen.insert(text_hash(&text)) {
                drawn = Some((name, other, company, people, amount, text));
                break;
            }
        }
        let Some((name, other, company, people, amount, text)) = drawn else {
            bail!("data/demo/templates.toml gives too few distinct texts for {} cases", options.cases)
        };
        let incident = (channel == Channel::Police && rng.random_bool(POLICE_INCIDENTS))
            .then(|| police_incident(&mut rng, &template.category, people).code().to_owned());

        let mut parties = vec![PartyRecord {
            role: Some("complainant".into()),
            kind: None,
            name: Some(name),
            id_number: rng.random_bool(0.6).then(|| Scalar::Text(id_number(&mut rng, village))),
            phone: rng.random_bool(0.8).then(|| {
                Scalar::Text(format!("1{}{:09}", rng.random_range(3..=9), rng.random_range(0..1_000_000_000u64)))
            }),
        }];
        parties.push(match &company {
            Some(company) => PartyRecord {
                role: Some("respondent".into()),
                kind: Some("organization".into()),
                name: Some(company.clone()),
                ..PartyRecord::default()
            },
            None => PartyRecord { role: Some("respondent".into()), name: Some(other), ..PartyRecord::default() },
        });
        records.push(LedgerRecord {
            channel: Some(channel.code().into()),
            external_id: Some(Scalar::Text(external_id(channel, day, n))),
            received_at: Some(received_at.to_rfc3339()),
            region: Some(Scalar::Text(village.code.to_string())),
            title: Some(template.category.clone()),
            text: Some(text),
            parties: Some(parties),
            // Left to the text, as for any record that comes without them.
            kind: None,
            category: None,
            incident,
            amount_yuan: amount.map(|a| Scalar::Integer(a as i64)),
            people_count: Some(Scalar::Integer(i64::from(people))),
            lat: None,
            lon: None,
        });
    }
    plant_vetoes(&mut records, options);
    Ok((records, planted))
}

/// A text's fingerprint (64-bit FNV-1a: fixed, unlike the standard library's hasher, so the
/// demo stays the same across Rust releases), to keep the texts distinct without holding them
/// twice.
fn text_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3))
}

/// The day a record was received, as written (Beijing time).
fn received_on(record: &LedgerRecord) -> Option<NaiveDate> {
    record.received_at.as_deref().and_then(|at| DateTime::parse_from_rfc3339(at).ok()).map(|at| at.date_naive())
}

/// Amounts people report are round: 3,200 rather than 3,187.
fn round_amount(amount: u64) -> u64 {
    let step = match amount {
        0..10_000 => 100,
        10_000..1_000_000 => 1_000,
        _ => 10_000,
    };
    (amount / step).max(1) * step
}

/// A valid ID number of someone born in the village's district.
fn id_number(rng: &mut ChaCha8Rng, village: &Region) -> String {
    let birth = NaiveDate::from_ymd_opt(1950, 1, 1).expect("a date") + Duration::days(rng.random_range(0..365 * 52));
    let first17 = format!("{}{}{:03}", village.code.district(), birth.format("%Y%m%d"), rng.random_range(0..1000));
    let check = check_character(&first17).expect("17 digits");
    format!("{first17}{check}")
}

/// External ids in the style of each source system; `n` keeps them unique.
fn external_id(channel: Channel, day: NaiveDate, n: u32) -> String {
    let date = day.format("%Y%m%d");
    match channel {
        Channel::Police => format!("110-{date}-{n:05}"),
        Channel::Hotline => format!("12345-{date}-{n:06}"),
        Channel::Window => format!("CK-{date}-{n:05}"),
        Channel::Petition => format!("XF-{date}-{n:05}"),
        Channel::Court => format!("({})浙0110民诉前调{n}号", day.format("%Y")),
        Channel::Grid => format!("WG-{date}-{n:05}"),
        Channel::Online => format!("WS-{date}-{n:05}"),
    }
}

/// What loading the demo did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Loaded {
    /// Cases registered (those already in the ledger are left as they are).
    pub registered: usize,
    /// History events imported for them.
    pub events: u64,
    /// Steps of the simulated histories that the workflow refused (a bug in the simulator; the
    /// case's history stops there).
    pub refused: usize,
}

/// Said wherever the demo's volumes by village are shown: they follow estimates.
pub const POPULATION_NOTE: &str =
    "演示数据：各村社案件量按估算常住人口分布（data/demo/population.toml，为估算值，非普查数据）。";

/// Generates and registers the demo ledger of a year ending yesterday, with its histories.
pub async fn load(ledger: &Ledger, cases: u32, seed: u64) -> anyhow::Result<Loaded> {
    load_with(ledger, &DemoOptions::new(cases, seed)).await
}

/// Cases registered, walked through the workflow and imported together: their cases and
/// histories are held a part at a time (the generated records for the whole load). The matcher's
/// links reach back within a part only.
const PART: usize = 100_000;

/// Generates the demo records, registers them as of when they were received, simulates the
/// history of each new case through the workflow and imports the histories, a part at a time in
/// the order the records were received.
pub async fn load_with(ledger: &Ledger, options: &DemoOptions) -> anyhow::Result<Loaded> {
    load_in_parts(ledger, options, PART).await
}

async fn load_in_parts(ledger: &Ledger, options: &DemoOptions, part_size: usize) -> anyhow::Result<Loaded> {
    let started = std::time::Instant::now();
    let records = generate(&ledger.gazetteer, options)?;
    let generated = started.elapsed();
    let mut loaded = Loaded { registered: 0, events: 0, refused: 0 };
    for (part, records) in records.chunks(part_size).enumerate() {
        let done = load_part(ledger, options, records, part * part_size).await?;
        loaded.registered += done.registered;
        loaded.events += done.events;
        loaded.refused += done.refused;
    }
    tracing::info!(
        cases = loaded.registered,
        events = loaded.events,
        generated_ms = generated.as_millis(),
        loaded_ms = (started.elapsed() - generated).as_millis(),
        "demo ledger loaded"
    );
    Ok(loaded)
}

/// Registers one part of the demo's records (the first being record number `first`) and imports
/// the histories of its new cases.
async fn load_part(
    ledger: &Ledger,
    options: &DemoOptions,
    records: &[LedgerRecord],
    first: usize,
) -> anyhow::Result<Loaded> {
    // Generated records are checked as any import is, as of the demo's end.
    let ctx = RecordContext { gazetteer: &ledger.gazetteer, pii_key: &ledger.pii_key, now: options.end() };
    let valid = records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            r.validate(&ctx).map_err(|errors| {
                let reasons: Vec<String> = errors.iter().map(ToString::to_string).collect();
                anyhow::anyhow!("demo record {} is invalid (a bug in the generator): {}", first + i, reasons.join("; "))
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let valid: Vec<_> = valid
        .into_iter()
        .map(|record| shanzhi_text::intake::prepare(&ledger.analyzer, &ledger.rules.kinds, record))
        .collect();
    // The cases as the store registers them, to walk through the workflow.
    let mut new_cases: Vec<Case> = Vec::new();
    for batch in valid.chunks(2000) {
        let registrations = ledger.store.register_cases_as_received(batch, "demo").await?;
        for (new, registration) in batch.iter().zip(registrations) {
            if let Registration::Registered(id) = registration {
                let mut record = new.record.clone();
                record.kind = Some(record.kind.unwrap_or(new.workflow.kind));
                new_cases.push(Case {
                    id,
                    status: CaseStatus::Registered,
                    registered_at: record.received_at,
                    version: 1,
                    record,
                    workflow: new.workflow.clone(),
                });
            }
        }
    }
    drop(valid);
    let world = World::of(ledger);
    let histories = simulate(&world, &new_cases, options.seed, options.end());
    if !histories.refused.is_empty() {
        tracing::warn!(
            refused = histories.refused.len(),
            first = %histories.refused[0],
            "the workflow refused steps of the demo histories (a bug in the simulator); those cases stop there"
        );
    }
    let mut events = 0;
    // Bounded transactions: all of a case's events go in the same call.
    let mut start = 0;
    while start < histories.events.len() {
        let mut stop = (start + 100_000).min(histories.events.len());
        while stop < histories.events.len() && histories.events[stop].case == histories.events[stop - 1].case {
            stop += 1;
        }
        events += ledger.store.import_history(&histories.events[start..stop]).await?;
        start = stop;
    }
    Ok(Loaded { registered: new_cases.len(), events, refused: histories.refused.len() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use shanzhi_core::{PiiKey, defaults};

    fn options(cases: u32, seed: u64) -> DemoOptions {
        DemoOptions { cases, seed, until: NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(), years: 1 }
    }

    #[test]
    fn the_same_seed_gives_the_same_ledger_and_every_record_is_valid() {
        let g = defaults::gazetteer(defaults::DEFAULT_DISTRICT).unwrap();
        let a = generate(&g, &options(300, 7)).unwrap();
        let b = generate(&g, &options(300, 7)).unwrap();
        let c = generate(&g, &options(300, 8)).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        let key = PiiKey::from_secret("demo generator test key").unwrap();
        let now = beijing().with_ymd_and_hms(2026, 11, 29, 0, 0, 0).unwrap().with_timezone(&Utc);
        let ctx = RecordContext { gazetteer: &g, pii_key: &key, now };
        for record in &a {
            if let Err(e) = record.validate(&ctx) {
                panic!("invalid demo record {record:?}: {e:?}");
            }
        }
        let channels: std::collections::HashSet<_> = a.iter().map(|r| r.channel.clone()).collect();
        assert_eq!(channels.len(), 7, "every channel appears");
    }

    #[test]
    fn some_police_records_carry_an_incident_and_a_handful_of_villages_a_veto_worthy_one() {
        let g = defaults::gazetteer(defaults::DEFAULT_DISTRICT).unwrap();
        let records = generate(&g, &options(3_000, 3)).unwrap();
        let police: Vec<&LedgerRecord> = records.iter().filter(|r| r.channel.as_deref() == Some("police")).collect();
        let with_incident = police.iter().filter(|r| r.incident.is_some()).count();
        let share = with_incident as f64 / police.len() as f64;
        assert!((0.02..0.08).contains(&share), "{with_incident} of {} police records", police.len());
        assert!(records.iter().all(|r| r.incident.is_none() || r.channel.as_deref() == Some("police")));
        let vetoes: std::collections::HashSet<_> = records
            .iter()
            .filter(|r| matches!(r.incident.as_deref(), Some("homicide" | "mass_incident")))
            .map(|r| format!("{:?}", r.region))
            .collect();
        assert!(vetoes.len() >= 3, "{vetoes:?}");
        // Mass involvement is the exception, as in a real district.
        let many = records.iter().filter(|r| matches!(r.people_count, Some(Scalar::Integer(n)) if n >= 30)).count();
        assert!(many * 100 < records.len() * 8, "{many} of {} records involve 30 people or more", records.len());
    }

    /// A year of 30,000 records, received between 2025-11-29 and 2026-11-28.
    fn a_year() -> &'static [LedgerRecord] {
        static YEAR: std::sync::OnceLock<Vec<LedgerRecord>> = std::sync::OnceLock::new();
        YEAR.get_or_init(|| {
            let g = defaults::gazetteer(defaults::DEFAULT_DISTRICT).unwrap();
            generate(&g, &options(30_000, 5)).unwrap()
        })
    }

    fn day_of(record: &LedgerRecord) -> NaiveDate {
        DateTime::parse_from_rfc3339(record.received_at.as_deref().unwrap()).unwrap().date_naive()
    }

    /// Mean records a day matching `keep`, over the days of [from, to] that `on` accepts.
    fn daily_mean(
        records: &[LedgerRecord],
        (from, to): (&str, &str),
        on: impl Fn(NaiveDate) -> bool,
        keep: impl Fn(&LedgerRecord) -> bool,
    ) -> f64 {
        let (from, to): (NaiveDate, NaiveDate) = (from.parse().unwrap(), to.parse().unwrap());
        let days = from.iter_days().take_while(|d| *d <= to).filter(|d| on(*d)).count();
        let n =
            records.iter().filter(|r| keep(r)).filter(|r| (from..=to).contains(&day_of(r)) && on(day_of(r))).count();
        n as f64 / days as f64
    }

    #[test]
    fn no_two_texts_are_the_same_and_each_channel_writes_in_its_own_style() {
        let records = a_year();
        let texts: HashSet<&str> = records.iter().filter_map(|r| r.text.as_deref()).collect();
        assert_eq!(texts.len(), records.len(), "two records share a text");
        for r in records {
            let text = r.text.as_deref().unwrap();
            assert!(!text.contains('{') && !text.contains('}'), "a slot left unfilled: {text}");
            match r.channel.as_deref() {
                Some("hotline") => assert!(!text.contains("报警人") && !text.contains("诉称"), "{text}"),
                Some("court") => assert!(!text.contains("来电") && !text.contains("报警"), "{text}"),
                Some("window") => assert!(!text.contains("报警人") && !text.contains("来电人"), "{text}"),
                _ => {}
            }
        }
        // Records come in the order they were received.
        assert!(records.windows(2).all(|w| w[0].received_at <= w[1].received_at));
    }

    #[test]
    fn the_year_has_weekdays_seasons_and_villages_that_follow_population() {
        use chrono::{Datelike, Weekday};
        let records = a_year();
        let weekend = |d: NaiveDate| matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
        // November 2026 has no public holiday and no make-up working day.
        let autumn = ("2026-11-01", "2026-11-28");
        let any = |_: &LedgerRecord| true;
        let ratio = daily_mean(records, autumn, weekend, any) / daily_mean(records, autumn, |d| !weekend(d), any);
        // 0.6 of a working day's volume, less for the offices closed at weekends.
        assert!((0.35..0.6).contains(&ratio), "weekend/weekday {ratio}");
        let window = |r: &LedgerRecord| r.channel.as_deref() == Some("window");
        let ratio = daily_mean(records, autumn, weekend, window) / daily_mean(records, autumn, |d| !weekend(d), window);
        assert!(ratio < 0.3, "the window is mostly closed at weekends: {ratio}");

        let titled = |title: &'static str| move |r: &LedgerRecord| r.title.as_deref() == Some(title);
        let workday = |d: NaiveDate| !weekend(d);
        // Spring Festival 2026 is on 02-17: wage arrears peak in the weeks before it.
        let before = daily_mean(records, ("2026-01-05", "2026-02-06"), workday, titled("劳资纠纷"));
        let after = daily_mean(records, ("2026-03-09", "2026-05-29"), workday, titled("劳资纠纷"));
        assert!(before > 1.6 * after, "wage arrears before Spring Festival {before}/day, in spring {after}/day");
        let summer = daily_mean(records, ("2026-06-01", "2026-08-31"), workday, titled("邻里纠纷"));
        let spring = daily_mean(records, ("2026-03-09", "2026-05-29"), workday, titled("邻里纠纷"));
        assert!(summer > 1.2 * spring, "neighbour disputes in summer {summer}/day, in spring {spring}/day");

        // Each village's share of the cases follows its estimated population.
        let g = defaults::gazetteer(defaults::DEFAULT_DISTRICT).unwrap();
        let populations = super::population::Populations::estimate(&g).unwrap();
        let mut counts: std::collections::HashMap<String, f64> = std::collections::HashMap::new();
        for r in records {
            if let Some(Scalar::Text(code)) = &r.region {
                *counts.entry(code.clone()).or_default() += 1.0;
            }
        }
        let pairs: Vec<(f64, f64)> = populations
            .estimates
            .iter()
            .map(|(code, p)| (f64::from(*p), counts.get(&code.to_string()).copied().unwrap_or(0.0)))
            .collect();
        let r = correlation(&pairs);
        eprintln!("wage arrears {before:.1}/{after:.1} a day; neighbour {summer:.1}/{spring:.1}; correlation {r:.3}");
        assert!(r > 0.85, "cases and estimated population correlate at {r}");
    }

    fn correlation(pairs: &[(f64, f64)]) -> f64 {
        let n = pairs.len() as f64;
        let (mx, my) = (pairs.iter().map(|p| p.0).sum::<f64>() / n, pairs.iter().map(|p| p.1).sum::<f64>() / n);
        let cov: f64 = pairs.iter().map(|(x, y)| (x - mx) * (y - my)).sum();
        let (vx, vy): (f64, f64) =
            (pairs.iter().map(|(x, _)| (x - mx).powi(2)).sum(), pairs.iter().map(|(_, y)| (y - my).powi(2)).sum());
        cov / (vx * vy).sqrt()
    }

    #[test]
    fn a_ten_year_ledger_spreads_over_ten_years_and_plants_in_the_last() {
        let g = defaults::gazetteer(defaults::DEFAULT_DISTRICT).unwrap();
        let options = options(20_000, 3).years(10);
        let records = generate(&g, &options).unwrap();
        assert_eq!(records.len(), 20_000);
        assert_eq!(records, generate(&g, &options).unwrap(), "the same seed gives the same decade");
        let first = day_of(&records[0]);
        assert!(first < "2017-01-15".parse().unwrap() && first >= "2016-11-29".parse().unwrap(), "{first}");
        let (_, planted) = generate_parts(&g, &options).unwrap();
        assert!(!planted.is_empty());
        assert!(planted.iter().all(|r| day_of(r) > "2025-11-28".parse().unwrap()), "planted in the last year");
        let vetoes: Vec<NaiveDate> = records
            .iter()
            .filter(|r| matches!(r.incident.as_deref(), Some("homicide" | "mass_incident")))
            .map(day_of)
            .collect();
        assert!(vetoes.len() >= 3 && vetoes.iter().all(|d| *d > "2025-11-28".parse().unwrap()), "{vetoes:?}");
        let last_year = records.iter().filter(|r| day_of(r) > "2025-11-28".parse().unwrap()).count();
        assert!((1_700..2_600).contains(&last_year), "{last_year} records in the last year");
        // The planted records are numbered after all ten years' ordinary ones.
        let ids: HashSet<String> = records.iter().map(|r| format!("{:?}{:?}", r.channel, r.external_id)).collect();
        assert_eq!(ids.len(), records.len(), "external ids are unique");
    }

    #[test]
    fn amounts_are_rounded_like_reported_ones() {
        assert_eq!(round_amount(3_187), 3_100);
        assert_eq!(round_amount(45_678), 45_000);
        assert_eq!(round_amount(40_123_456), 40_120_000);
        assert_eq!(round_amount(12), 100);
    }

    mod loaded {
        use std::collections::{HashMap, HashSet};

        use shanzhi_core::workflow::{Workflow, is_overdue};
        use shanzhi_core::{CaseEvent, RegionLevel, defaults};
        use shanzhi_store::testing::TestDatabase;
        use shanzhi_store::{CaseFilter, CaseOrder, Page, Store};

        use super::*;
        use crate::config::Config;
        use crate::ledger::Mode;

        async fn ledger(db: &TestDatabase) -> Ledger {
            let mut config = Config::load(None).unwrap();
            config.district = defaults::DEFAULT_DISTRICT;
            config.pii_secret = Some("demo histories test personal data key".into());
            Ledger::open(&db.url, &config, Mode::Demo).await.unwrap()
        }

        /// Every case of the ledger with its history.
        async fn everything(store: &dyn Store) -> Vec<(Case, Vec<CaseEvent>)> {
            let mut all = Vec::new();
            let mut offset = 0;
            loop {
                let page = store
                    .list_cases(&CaseFilter::default(), CaseOrder::Received, Page { limit: Page::MAX_LIMIT, offset })
                    .await
                    .unwrap();
                for case in &page.cases {
                    all.push(store.case_with_history(case.id).await.unwrap().unwrap());
                }
                offset += page.cases.len() as u64;
                if page.cases.is_empty() || offset >= page.total {
                    return all;
                }
            }
        }

        /// The case as registered: what its row holds, before any event.
        fn as_registered(case: &Case, registration: &CaseEvent) -> Case {
            let w = &case.workflow;
            Case {
                status: CaseStatus::Registered,
                version: 1,
                registered_at: registration.at,
                workflow: Workflow {
                    kind: w.kind,
                    risk: w.risk,
                    respondent_key: w.respondent_key.clone(),
                    query_code_hash: w.query_code_hash.clone(),
                    ..Workflow::default()
                },
                ..case.clone()
            }
        }

        #[tokio::test]
        async fn a_demo_year_has_the_histories_of_a_living_district() {
            let db = TestDatabase::sqlite();
            let ledger = ledger(&db).await;
            let options = options(3_000, 11);
            let end = options.end();
            let loaded = load_with(&ledger, &options).await.unwrap();
            assert_eq!((loaded.registered, loaded.refused), (3_000, 0));
            let all = everything(ledger.store.as_ref()).await;
            assert_eq!(all.len(), 3_000);
            assert_eq!(loaded.events, all.iter().map(|(_, h)| h.len() as u64 - 1).sum::<u64>());

            let mut statuses: HashMap<CaseStatus, usize> = HashMap::new();
            let (mut overdue, mut follow_ups_overdue, mut low, mut resolved) = (0, 0, 0, 0);
            let mut kinds: HashSet<&'static str> = HashSet::new();
            for (case, history) in &all {
                *statuses.entry(case.status).or_default() += 1;
                if is_overdue(&case.workflow, end) {
                    if Workflow::is_open(case.status) {
                        overdue += 1;
                    } else {
                        follow_ups_overdue += 1;
                    }
                }
                if let Some(level) = case.resolved_level() {
                    resolved += 1;
                    low += usize::from(level != RegionLevel::District);
                }
                kinds.extend(history.iter().map(|e| e.kind.code()));
                let received = case.record.received_at;
                for event in history {
                    assert!(
                        event.at >= received && event.at < end,
                        "case {}: event at {} ({received} – {end})",
                        case.id,
                        event.at
                    );
                }
                assert!(history.windows(2).all(|w| w[0].at <= w[1].at), "case {}: history out of order", case.id);
                // The row is what replaying the history gives.
                let mut replayed = as_registered(case, &history[0]);
                for event in &history[1..] {
                    replayed.apply(event);
                }
                assert_eq!(&replayed, case, "case {} is not its history replayed", case.id);
            }
            for status in CaseStatus::ALL {
                assert!(statuses.contains_key(&status), "no case is {}: {statuses:?}", status.code());
            }
            assert!(overdue > 0, "no open case is overdue at the end");
            let low_share = low as f64 / resolved as f64;
            assert!((0.80..=0.97).contains(&low_share), "{low} of {resolved} resolved at town or village level");
            for kind in [
                "routed",
                "accepted",
                "returned",
                "escalated",
                "transferred",
                "screening_started",
                "mediation_started",
                "session_recorded",
                "agreement_recorded",
                "term_checked",
                "task_completed",
                "resolved",
                "followed_up",
                "linked",
                "record_attached",
            ] {
                assert!(kinds.contains(kind), "no `{kind}` event in {kinds:?}");
            }
            // The same through the store's own projection.
            let filter = CaseFilter { overdue_at: Some(end), ..CaseFilter::default() };
            let page = ledger.store.list_cases(&filter, CaseOrder::Due, Page { limit: 1, offset: 0 }).await.unwrap();
            assert_eq!(page.total as usize, overdue + follow_ups_overdue, "the store's projection agrees");
            eprintln!(
                "statuses {statuses:?}; overdue {overdue}; resolved low {low}/{resolved}; events {}",
                loaded.events
            );
        }

        #[tokio::test]
        async fn the_same_seed_and_end_give_the_same_histories() {
            let mut histories = Vec::new();
            for _ in 0..2 {
                let db = TestDatabase::sqlite();
                let ledger = ledger(&db).await;
                load_with(&ledger, &options(400, 5)).await.unwrap();
                let all = everything(ledger.store.as_ref()).await;
                histories.push(
                    all.into_iter().map(|(case, history)| (case.record.external_id, history)).collect::<Vec<_>>(),
                );
            }
            assert_eq!(histories[0].len(), 400);
            assert!(histories[0] == histories[1], "two loads of one seed differ");
        }

        #[tokio::test]
        async fn a_demo_loaded_in_parts_is_the_demo_loaded_whole_but_for_links_across_parts() {
            let whole = TestDatabase::sqlite();
            let whole_ledger = ledger(&whole).await;
            let in_one = load_in_parts(&whole_ledger, &options(2_000, 4), 2_000).await.unwrap();
            let parts = TestDatabase::sqlite();
            let parts_ledger = ledger(&parts).await;
            let in_four = load_in_parts(&parts_ledger, &options(2_000, 4), 500).await.unwrap();
            assert_eq!((in_four.registered, in_four.refused), (2_000, 0));
            // Links to a primary case in an earlier part are not drawn, so the events differ a little.
            let ratio = in_four.events as f64 / in_one.events as f64;
            assert!((0.97..1.03).contains(&ratio), "{} events in parts, {} whole", in_four.events, in_one.events);
            let a = everything(whole_ledger.store.as_ref()).await;
            let b = everything(parts_ledger.store.as_ref()).await;
            let records =
                |all: &[(Case, Vec<CaseEvent>)]| all.iter().map(|(c, _)| c.record.clone()).collect::<Vec<_>>();
            assert_eq!(records(&a), records(&b), "the same records, registered in the same order");
            let again = load_in_parts(&parts_ledger, &options(2_000, 4), 500).await.unwrap();
            assert_eq!(again, Loaded { registered: 0, events: 0, refused: 0 });
        }

        #[tokio::test]
        async fn loading_again_adds_nothing() {
            let db = TestDatabase::sqlite();
            let ledger = ledger(&db).await;
            let first = load_with(&ledger, &options(200, 2)).await.unwrap();
            assert!(first.events > 200);
            let again = load_with(&ledger, &options(200, 2)).await.unwrap();
            assert_eq!(again, Loaded { registered: 0, events: 0, refused: 0 });
        }
    }
}
