//! The demo ledger: a year of invented but plausible cases in the district's real towns and
//! villages, from the templates in `data/demo/templates.toml`. Deterministic for a seed and an end
//! date. This is the small demo of the ledger issue; the full demo district is a later issue.

use anyhow::{Context, bail};
use chrono::{Duration, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Deserialize;
use shanzhi_core::pii::check_character;
use shanzhi_core::record::{PartyRecord, Scalar};
use shanzhi_core::{Channel, Gazetteer, LedgerRecord, RecordContext, Region};

use crate::ledger::Ledger;

const TEMPLATES: &str = include_str!("../../../data/demo/templates.toml");

#[derive(Deserialize)]
struct Templates {
    surnames: Vec<String>,
    trade_names: Vec<String>,
    template: Vec<Template>,
}

#[derive(Deserialize)]
struct Template {
    category: String,
    weight: u32,
    channels: Vec<String>,
    #[serde(default)]
    company_suffixes: Vec<String>,
    people: [u32; 2],
    amount: Option<[u64; 2]>,
    texts: Vec<String>,
}

pub struct DemoOptions {
    pub cases: u32,
    pub seed: u64,
    /// The last day of the demo year.
    pub until: NaiveDate,
}

fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8")
}

impl DemoOptions {
    /// A year of cases ending today (Beijing time).
    pub fn new(cases: u32, seed: u64) -> Self {
        DemoOptions { cases, seed, until: Utc::now().with_timezone(&beijing()).date_naive() }
    }
}

/// Generates the demo records. Each is a valid ledger record (`load` checks it).
pub fn generate(gazetteer: &Gazetteer, options: &DemoOptions) -> anyhow::Result<Vec<LedgerRecord>> {
    let templates: Templates = toml::from_str(TEMPLATES).context("data/demo/templates.toml")?;
    let villages: Vec<&Region> = gazetteer.villages().collect();
    if villages.is_empty() {
        bail!("the district has no villages to place demo cases in");
    }
    let total_weight: u32 = templates.template.iter().map(|t| t.weight).sum();
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let mut records = Vec::with_capacity(options.cases as usize);
    for n in 0..options.cases {
        let mut pick = rng.random_range(0..total_weight);
        let template = templates
            .template
            .iter()
            .find(|t| {
                pick < t.weight || {
                    pick -= t.weight;
                    false
                }
            })
            .expect("weights cover the range");
        let channel: Channel = template.channels.choose(&mut rng).expect("a template has channels").parse()?;
        let village = villages.choose(&mut rng).expect("villages exist");
        let day = options.until - Duration::days(rng.random_range(0..365));
        let time = NaiveTime::from_hms_opt(rng.random_range(7..22), rng.random_range(0..60), 0).expect("a valid time");
        let received_at = beijing().from_local_datetime(&day.and_time(time)).single().expect("UTC+8 has no gaps");

        let person = |rng: &mut ChaCha8Rng| {
            format!(
                "{}某{}",
                templates.surnames.choose(rng).expect("surnames"),
                if rng.random_bool(0.5) { "某" } else { "" }
            )
        };
        let name = person(&mut rng);
        let other = person(&mut rng);
        let company = (!template.company_suffixes.is_empty()).then(|| {
            format!(
                "杭州{}{}",
                templates.trade_names.choose(&mut rng).expect("trade names"),
                template.company_suffixes.choose(&mut rng).expect("suffixes")
            )
        });
        let people = rng.random_range(template.people[0]..=template.people[1]);
        let amount = template.amount.map(|[lo, hi]| round_amount(rng.random_range(lo..=hi)));
        let place = gazetteer.display_name(village.code).unwrap_or_else(|| village.short_name.clone());
        let text = template
            .texts
            .choose(&mut rng)
            .expect("a template has texts")
            .replace("{place}", &place)
            .replace("{name}", &name)
            .replace("{other}", &other)
            .replace("{company}", company.as_deref().unwrap_or("某公司"))
            .replace("{people}", &people.to_string())
            .replace("{amount}", &amount.map(|a| a.to_string()).unwrap_or_default())
            .replace("{months}", &rng.random_range(2..8).to_string());

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
            incident: None,
            amount_yuan: amount.map(|a| Scalar::Integer(a as i64)),
            people_count: Some(Scalar::Integer(i64::from(people))),
            lat: None,
            lon: None,
        });
    }
    Ok(records)
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

/// Generates and registers the demo ledger; returns how many cases were new.
pub async fn load(ledger: &Ledger, cases: u32, seed: u64) -> anyhow::Result<usize> {
    let records = generate(&ledger.gazetteer, &DemoOptions::new(cases, seed))?;
    let ctx = RecordContext { gazetteer: &ledger.gazetteer, pii_key: &ledger.pii_key, now: Utc::now() };
    let valid = records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            r.validate(&ctx).map_err(|errors| {
                let reasons: Vec<String> = errors.iter().map(ToString::to_string).collect();
                anyhow::anyhow!("demo record {i} is invalid (a bug in the generator): {}", reasons.join("; "))
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let valid: Vec<_> = valid
        .into_iter()
        .map(|record| shanzhi_text::intake::prepare(&ledger.analyzer, &ledger.rules.kinds, record))
        .collect();
    let mut registered = 0;
    for batch in valid.chunks(2000) {
        let regs = ledger.store.register_cases(batch, "demo").await?;
        registered += regs.iter().filter(|r| matches!(r, shanzhi_store::Registration::Registered(_))).count();
    }
    Ok(registered)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shanzhi_core::{PiiKey, defaults};

    fn options(cases: u32, seed: u64) -> DemoOptions {
        DemoOptions { cases, seed, until: NaiveDate::from_ymd_opt(2026, 11, 28).unwrap() }
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
    fn amounts_are_rounded_like_reported_ones() {
        assert_eq!(round_amount(3_187), 3_100);
        assert_eq!(round_amount(45_678), 45_000);
        assert_eq!(round_amount(40_123_456), 40_120_000);
        assert_eq!(round_amount(12), 100);
    }
}
