//! Kulldorff's space-time scan statistic: cylinders of a spatial zone × a time window, the most
//! likely cluster by log likelihood ratio, secondary clusters without geographical overlap, and
//! Monte Carlo p-values. Reproduces SaTScan's results on its own sample data
//! (tests/satscan_reference.rs).

mod data;
mod engine;
mod geometry;
mod replica;
pub mod satscan_files;
pub mod study;

use std::num::NonZeroUsize;

pub use data::{Model, ScanData, ScanDataError};
pub use engine::{TimeWindows, llr};
pub use geometry::{CircleLimits, CoordinateSystem, EARTH_RADIUS_KM, Point, ZoneChain, arc_of_chord, circles};

use engine::{Scratch, best_of_chain};

/// How a scan runs, apart from its data and zones.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScanSettings {
    pub windows: TimeWindows,
    /// Fewest cases a cluster may have (SaTScan's default for high rates is 2).
    pub min_cases: u32,
    /// Monte Carlo replications; 0 for no p-values.
    pub replications: u32,
    pub seed: u64,
    /// Threads for the replications. The result does not depend on it.
    pub threads: NonZeroUsize,
}

/// A cluster: a zone over a time window.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Cluster {
    /// The chain's centre.
    pub centre: usize,
    /// Location indices, nearest the centre first.
    pub locations: Vec<usize>,
    /// Distance from the centre to the farthest member.
    pub radius: f64,
    /// First and last time interval, inclusive.
    pub start: usize,
    pub end: usize,
    pub observed: u32,
    pub expected: f64,
    pub llr: f64,
    /// Monte Carlo p-value, when replications were run.
    pub p_value: Option<f64>,
}

impl Cluster {
    pub fn relative_risk(&self, total: u64) -> f64 {
        let total = total as f64;
        let c = f64::from(self.observed);
        (c / self.expected) / ((total - c) / (total - self.expected))
    }
}

/// Scans `data` over `chains` and returns the clusters, most likely first; each later one shares
/// no location with any before it.
pub fn scan(data: &ScanData, chains: &[ZoneChain], settings: &ScanSettings) -> Vec<Cluster> {
    assert_eq!(settings.windows.intervals, data.intervals(), "the windows are for another time axis");
    let total = data.total() as f64;
    let mut scratch = Scratch::new(&settings.windows);
    let mut best: Vec<(usize, engine::Hit)> = chains
        .iter()
        .enumerate()
        .filter_map(|(i, chain)| {
            best_of_chain(
                chain,
                data.cases(),
                data.expected(),
                &settings.windows,
                total,
                settings.min_cases,
                &mut scratch,
            )
            .map(|hit| (i, hit))
        })
        .collect();
    rank(&mut best, chains);

    let mut taken = vec![false; data.locations()];
    let mut clusters = Vec::new();
    for (i, hit) in best {
        let chain = &chains[i];
        let members = &chain.members[..hit.size];
        if members.iter().any(|&l| taken[l]) {
            continue;
        }
        members.iter().for_each(|&l| taken[l] = true);
        clusters.push(Cluster {
            centre: chain.centre,
            locations: members.to_vec(),
            radius: chain.distances[hit.size - 1],
            start: hit.start,
            end: hit.end,
            observed: hit.observed,
            expected: hit.expected,
            llr: hit.llr,
            p_value: None,
        });
    }

    if settings.replications > 0 && !clusters.is_empty() {
        let maxima = replica::maxima(data, chains, settings);
        let replications = maxima.len() as f64;
        for cluster in &mut clusters {
            // Ties count against the cluster; the tolerance absorbs summation order (as SaTScan's).
            let beaten = maxima.iter().filter(|&&m| m >= cluster.llr - 1e-9).count();
            cluster.p_value = Some((beaten as f64 + 1.0) / (replications + 1.0));
        }
    }
    clusters
}

/// Orders the chains' best clusters highest ratio first. Ratios within 1e-9 of each other are
/// equal, and among equals the smaller cluster, then the earlier centre, comes first (SaTScan's
/// rule, which decides between a location alone and the same cases with an empty neighbour).
fn rank(best: &mut [(usize, engine::Hit)], chains: &[ZoneChain]) {
    best.sort_by(|a, b| b.1.llr.total_cmp(&a.1.llr).then(a.0.cmp(&b.0)));
    let mut from = 0;
    while from < best.len() {
        let top = best[from].1.llr;
        let to = from + 1 + best[from + 1..].iter().take_while(|(_, hit)| top - hit.llr <= 1e-9).count();
        best[from..to].sort_by_key(|(i, hit)| (hit.size, chains[*i].centre));
        from = to;
    }
}

/// The highest log likelihood ratio over all chains and windows of one grid.
fn maximum(
    cases: &[u32],
    expected: &[f64],
    chains: &[ZoneChain],
    settings: &ScanSettings,
    total: f64,
    scratch: &mut Scratch,
) -> f64 {
    chains
        .iter()
        .filter_map(|chain| {
            best_of_chain(chain, cases, expected, &settings.windows, total, settings.min_cases, scratch)
        })
        .map(|hit| hit.llr)
        .fold(0.0, f64::max)
}
