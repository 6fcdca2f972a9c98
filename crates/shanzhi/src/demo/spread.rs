//! Where and when the demo's ordinary cases fall: villages in proportion to their estimated
//! population (weighted by where a kind of matter arises), days and channels by the rhythm of
//! the year. The draws are tables built once, so that a million cases cost a million lookups.

use chrono::{Days, NaiveDate};
use rand::Rng;
use rand::distr::Distribution;
use rand::distr::weighted::WeightedIndex;
use shanzhi_core::{Channel, Gazetteer, Region};

use super::population::Populations;
use super::rhythm::{Locale, Rhythm};

/// When one template's cases arrive: a table over (day, channel).
struct When {
    channels: Vec<Channel>,
    weights: Vec<f64>,
    table: WeightedIndex<f64>,
}

pub(super) struct Spread<'g> {
    first_day: NaiveDate,
    villages: Vec<&'g Region>,
    /// By [`Locale`]: any, urban, rural.
    village_tables: [WeightedIndex<f64>; 3],
    when: Vec<When>,
}

fn locale_index(locale: Locale) -> usize {
    match locale {
        Locale::Any => 0,
        Locale::Urban => 1,
        Locale::Rural => 2,
    }
}

impl<'g> Spread<'g> {
    /// `templates` lists each template's taxonomy code, locale and channels; `days` is the
    /// length of the demo, ending on `until`.
    pub fn new(
        gazetteer: &'g Gazetteer,
        rhythm: &Rhythm,
        templates: &[(&str, Locale, Vec<Channel>)],
        until: NaiveDate,
        days: u32,
    ) -> anyhow::Result<Spread<'g>> {
        let populations = Populations::estimate(gazetteer)?;
        let villages: Vec<&Region> = gazetteer.villages().collect();
        anyhow::ensure!(!villages.is_empty(), "the district has no villages to place demo cases in");
        let population = |region: &Region| {
            populations.estimates.iter().find(|(code, _)| *code == region.code).map_or(1.0, |(_, p)| f64::from(*p))
        };
        let village_tables = [Locale::Any, Locale::Urban, Locale::Rural].map(|locale| {
            WeightedIndex::new(villages.iter().map(|v| population(v) * rhythm.locale_factor(locale, v.code)))
        });
        let [any, urban, rural] = village_tables;
        let first_day = until - Days::new(u64::from(days.max(1) - 1));
        let when = templates
            .iter()
            .map(|(code, _, channels)| {
                anyhow::ensure!(!channels.is_empty(), "a demo template has no channels");
                let weights: Vec<f64> = (0..days.max(1))
                    .flat_map(|i| {
                        let day = first_day + Days::new(u64::from(i));
                        channels.iter().map(move |&channel| rhythm.weight(code, channel, day))
                    })
                    .collect();
                let table = WeightedIndex::new(&weights)?;
                Ok(When { channels: channels.clone(), weights, table })
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(Spread { first_day, villages, village_tables: [any?, urban?, rural?], when })
    }

    pub fn village<R: Rng + ?Sized>(&self, rng: &mut R, locale: Locale) -> &'g Region {
        self.villages[self.village_tables[locale_index(locale)].sample(rng)]
    }

    /// The day and channel of a case of template `template`.
    pub fn when<R: Rng + ?Sized>(&self, rng: &mut R, template: usize) -> (NaiveDate, Channel) {
        let when = &self.when[template];
        let i = when.table.sample(rng);
        let (day, channel) = (i / when.channels.len(), i % when.channels.len());
        (self.first_day + Days::new(day as u64), when.channels[channel])
    }

    /// The share of template `template`'s cases that fall on `days`.
    pub fn share_of_days(&self, template: usize, days: &[NaiveDate]) -> f64 {
        let when = &self.when[template];
        let n = when.channels.len();
        let total: f64 = when.weights.iter().sum();
        let on: f64 = days
            .iter()
            .filter_map(|d| usize::try_from((*d - self.first_day).num_days()).ok())
            .filter_map(|i| when.weights.get(i * n..(i + 1) * n))
            .map(|w| w.iter().sum::<f64>())
            .sum();
        if total > 0.0 { on / total } else { 0.0 }
    }
}
