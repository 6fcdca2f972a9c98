//! The demo's texts (`data/demo/templates.toml`): each channel writes a record in its own frame
//! (the police's 报警人称, the hotline's 来电人反映, the court's 原告诉称…) around the matter, which
//! comes from the template of its category with a few details of its history.

use std::collections::HashMap;

use anyhow::Context;
use rand::Rng;
use rand::seq::{IndexedRandom, SliceRandom};
use serde::Deserialize;
use shanzhi_core::Channel;

use super::rhythm::Locale;

const TEMPLATES: &str = include_str!("../../../../data/demo/templates.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Templates {
    pub surnames: Vec<String>,
    pub trade_names: Vec<String>,
    channels: HashMap<String, ChannelStyle>,
    pub template: Vec<Template>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChannelStyle {
    frames: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Template {
    /// The title the source system gives the record.
    pub category: String,
    /// The taxonomy code: the season the category follows.
    pub code: String,
    #[serde(default)]
    pub locale: Locale,
    pub weight: u32,
    pub channels: Vec<String>,
    #[serde(default)]
    pub company_suffixes: Vec<String>,
    pub people: [u32; 2],
    pub amount: Option<[u64; 2]>,
    matters: Vec<String>,
    details: Vec<String>,
}

/// What fills a text's slots.
pub(super) struct Slots<'a> {
    pub place: &'a str,
    pub name: &'a str,
    pub other: &'a str,
    pub company: Option<&'a str>,
    pub people: u32,
    pub amount: Option<u64>,
    pub months: u32,
    /// `11月3日`
    pub date: &'a str,
    /// `21时40分`
    pub time: &'a str,
}

impl Templates {
    pub fn embedded() -> anyhow::Result<Templates> {
        let templates: Templates = toml::from_str(TEMPLATES).context("data/demo/templates.toml")?;
        for template in &templates.template {
            anyhow::ensure!(
                !template.matters.is_empty(),
                "data/demo/templates.toml: {} has no matters",
                template.category
            );
            for channel in &template.channels {
                channel
                    .parse::<Channel>()
                    .with_context(|| format!("data/demo/templates.toml: {}", template.category))?;
                anyhow::ensure!(
                    templates.channels.get(channel).is_some_and(|c| !c.frames.is_empty()),
                    "data/demo/templates.toml: no frames for channel {channel}"
                );
            }
        }
        Ok(templates)
    }

    /// A record's text: the channel's frame around the matter and up to two details.
    pub fn compose<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
        template: &Template,
        channel: Channel,
        slots: &Slots<'_>,
    ) -> String {
        let frame = self.channels[channel.code()].frames.choose(rng).expect("checked in `embedded`");
        let mut matter = template.matters.choose(rng).expect("checked in `embedded`").clone();
        let mut details: Vec<&String> = template.details.iter().collect();
        details.shuffle(rng);
        for detail in details.iter().take(rng.random_range(0..=2)) {
            matter.push_str(detail);
        }
        fill(&frame.replace("{matter}", &matter), slots)
    }
}

fn fill(text: &str, s: &Slots<'_>) -> String {
    text.replace("{place}", s.place)
        .replace("{name}", s.name)
        .replace("{other}", s.other)
        .replace("{company}", s.company.unwrap_or("某公司"))
        .replace("{people}", &s.people.to_string())
        .replace("{amount}", &s.amount.map(|a| a.to_string()).unwrap_or_default())
        .replace("{months}", &s.months.to_string())
        .replace("{date}", s.date)
        .replace("{time}", s.time)
}
