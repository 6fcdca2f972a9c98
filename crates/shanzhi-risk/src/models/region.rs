//! 区域 — space-time hotspots of villages and towns.
//!
//! Kulldorff's prospective space-time permutation scan over the last `study_days`: which zone has
//! more cases in a window ending today than its own share of the period and the district's
//! share of the days would give? The permutation model needs no population and adjusts for both
//! purely spatial differences (a village that is always busy) and purely temporal ones (a busy
//! week everywhere), so only their interaction warns. Zones are each village, each town (the
//! region tree, for districts without coordinates) and, where village centroids are known,
//! circles of neighbouring villages.

use std::collections::{BTreeMap, BTreeSet};
use std::num::NonZeroUsize;

use chrono::{Days, NaiveDate};
use shanzhi_core::RegionCode;
use shanzhi_core::warning::{
    CaseSummary, Factor, Statistic, Subject, SubjectKind, Warning, WarningLevel, WarningModel,
};

use super::{days, round2};
use crate::config::RegionSettings;
use crate::names::Names;
use crate::scan::{
    CircleLimits, CoordinateSystem, Point, ScanData, ScanSettings, TimeWindows, ZoneChain, circles, scan,
};

pub fn warnings(
    cases: &[CaseSummary],
    as_of: NaiveDate,
    settings: &RegionSettings,
    names: &Names,
    threads: NonZeroUsize,
) -> Vec<Warning> {
    let study_days = settings.study_days as usize;
    let start = as_of - Days::new(study_days as u64 - 1);
    // A case known only to the district has no village or town to be a hotspot of.
    let study: Vec<&CaseSummary> = days(cases, start, as_of).iter().filter(|c| c.region.town().is_some()).collect();
    let locations: Vec<RegionCode> = study.iter().map(|c| c.region).collect::<BTreeSet<_>>().into_iter().collect();
    let index: BTreeMap<RegionCode, usize> = locations.iter().enumerate().map(|(i, &r)| (r, i)).collect();
    let mut grid = vec![0u32; locations.len() * study_days];
    for case in &study {
        grid[index[&case.region] * study_days + (case.day - start).num_days() as usize] += 1;
    }
    let Ok(data) = ScanData::space_time_permutation(locations.len(), study_days, grid) else { return Vec::new() };
    let chains = zones(&locations, &data.expected_by_location(), settings, names);
    let scan_settings = ScanSettings {
        windows: TimeWindows {
            intervals: study_days,
            max_length: settings.max_window_days as usize,
            prospective: true,
        },
        min_cases: settings.min_cases,
        replications: settings.replications,
        // A different stream each day, the same on every rerun of that day.
        seed: settings.seed ^ (as_of - NaiveDate::MIN).num_days() as u64,
        threads,
    };
    // One warning per town (or set of towns): the situation staff act on. Clusters of one town
    // that do not overlap are parts of the same situation.
    let mut by_towns: BTreeMap<String, Hotspot> = BTreeMap::new();
    for cluster in scan(&data, &chains, &scan_settings) {
        let Some(p) = cluster.p_value else { continue };
        let ratio = f64::from(cluster.observed) / cluster.expected;
        let Some(level) = settings
            .levels
            .iter()
            .find(|rule| p < rule.p_below && ratio >= rule.ratio_at_least)
            .and_then(|rule| rule.level.parse::<WarningLevel>().ok())
        else {
            continue;
        };
        let villages: Vec<RegionCode> = cluster.locations.iter().map(|&l| locations[l]).collect();
        let towns: BTreeSet<RegionCode> = villages.iter().filter_map(|v| v.town()).collect();
        let key = towns.iter().map(ToString::to_string).collect::<Vec<_>>().join("+");
        let from = start + Days::new(cluster.start as u64);
        let part = Hotspot {
            towns,
            villages,
            from,
            level,
            observed: cluster.observed,
            expected: cluster.expected,
            llr: cluster.llr,
            p,
        };
        by_towns.entry(key).and_modify(|held| held.absorb(&part)).or_insert(part);
    }
    by_towns.into_iter().map(|(key, hotspot)| hotspot.warning(key, as_of, &study, names)).collect()
}

/// Single villages, whole towns, and circles where centroids are known.
fn zones(locations: &[RegionCode], expected: &[f64], settings: &RegionSettings, names: &Names) -> Vec<ZoneChain> {
    let mut chains: Vec<ZoneChain> = (0..locations.len())
        .map(|i| ZoneChain { centre: i, members: vec![i], distances: vec![0.0], every_prefix: true })
        .collect();
    let mut towns: BTreeMap<RegionCode, Vec<usize>> = BTreeMap::new();
    for (i, code) in locations.iter().enumerate() {
        if let Some(town) = code.town() {
            towns.entry(town).or_default().push(i);
        }
    }
    for members in towns.into_values().filter(|m| m.len() > 1) {
        chains.push(ZoneChain {
            centre: members[0],
            distances: vec![0.0; members.len()],
            members,
            every_prefix: false,
        });
    }
    let located: Vec<(usize, Point)> = locations
        .iter()
        .enumerate()
        .filter_map(|(i, code)| {
            names.centroids.get(code).map(|&(lat, lon)| (i, Point::new(CoordinateSystem::LatLong, lat, lon)))
        })
        .collect();
    if located.len() > 1 {
        let points: Vec<Point> = located.iter().map(|(_, p)| *p).collect();
        let population: Vec<f64> = located.iter().map(|(i, _)| expected[*i]).collect();
        let limits = CircleLimits { max_radius: Some(settings.max_radius_km), max_population_share: 0.5 };
        chains.extend(circles(&points, &population, limits).into_iter().filter(|c| c.members.len() > 1).map(
            |mut c| {
                c.centre = located[c.centre].0;
                c.members.iter_mut().for_each(|m| *m = located[*m].0);
                c
            },
        ));
    }
    chains
}

/// A hotspot: the significant clusters of one town or set of towns.
struct Hotspot {
    towns: BTreeSet<RegionCode>,
    villages: Vec<RegionCode>,
    from: NaiveDate,
    level: WarningLevel,
    observed: u32,
    expected: f64,
    /// Of the most likely cluster.
    llr: f64,
    p: f64,
}

impl Hotspot {
    fn absorb(&mut self, other: &Hotspot) {
        self.villages.extend(&other.villages);
        self.from = self.from.min(other.from);
        self.level = self.level.max(other.level);
        self.observed += other.observed;
        self.expected += other.expected;
        if other.llr > self.llr {
            (self.llr, self.p) = (other.llr, other.p);
        }
    }

    fn warning(self, key: String, as_of: NaiveDate, study: &[&CaseSummary], names: &Names) -> Warning {
        let Hotspot { towns, villages, from, level, observed, expected, llr, p } = self;
        let ratio = f64::from(observed) / expected;
        let mut village_names: Vec<String> = villages.iter().take(3).map(|&v| names.region(v)).collect();
        if villages.len() > 3 {
            village_names.push(format!("等{}个村社", villages.len()));
        }
        let label = format!(
            "{}（{}）",
            towns.iter().map(|&t| names.region(t)).collect::<Vec<_>>().join("、"),
            village_names.join("、")
        );
        let inside: BTreeSet<RegionCode> = villages.iter().copied().collect();
        let case_ids = study.iter().filter(|c| c.day >= from && inside.contains(&c.region)).map(|c| c.id).collect();
        let days = (as_of - from).num_days() + 1;
        Warning {
            model: WarningModel::Region,
            level,
            subject: Subject { kind: SubjectKind::Region, key, label: label.clone() },
            score: round2(llr),
            statistic: Statistic {
                method: "space_time_permutation_scan".into(),
                observed: f64::from(observed),
                expected: round2(expected),
                p_value: Some(p),
                llr: Some(llr),
            },
            factors: vec![Factor {
                code: "space_time_cluster".into(),
                label: format!("近{days}天{observed}件，为预期的{ratio:.1}倍"),
                points: round2(llr),
            }],
            explanation: format!(
                "{label}：近{days}天共{observed}件，按各村社常态和全区同期走势预期约{expected:.1}件，为预期的{ratio:.1}倍\
                 （时空重排扫描统计量{llr:.2}，p={p:.3}）。该区域矛盾纠纷集中冒头，建议属地镇街排查化解。"
            ),
            case_ids,
            since: from,
            as_of,
        }
    }
}
