//! The space-time scan at district scale, as the issue sets it: a prospective space-time
//! permutation scan over 50,000 cases, 300 locations and 730 days, circles up to 5 km, windows up
//! to 30 days, 999 replications; on one thread and on every core.
//!
//!     cargo bench -p shanzhi-risk --bench scan
//!
//! The data are fixed by seed: 300 locations scattered over a 35 × 35 km district (about
//! Yuhang's 1,228 km²), case volumes per location varying tenfold, and a cluster planted in the
//! last week. The input files are also written to target/scan-bench/ in SaTScan's formats, so
//! that SaTScan can be run on exactly the same data.

use std::num::NonZeroUsize;
use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use shanzhi_risk::scan::{CircleLimits, CoordinateSystem, Point, ScanData, ScanSettings, TimeWindows, circles, scan};

const LOCATIONS: usize = 300;
const DAYS: usize = 730;
const CASES: usize = 50_000;

fn main() {
    let mut rng = ChaCha8Rng::seed_from_u64(20261128);
    let coordinates: Vec<(f64, f64)> =
        (0..LOCATIONS).map(|_| (rng.random_range(0.0..35.0), rng.random_range(0.0..35.0))).collect();
    let weights: Vec<f64> = (0..LOCATIONS).map(|_| rng.random_range(1.0f64..10.0)).collect();
    let total_weight: f64 = weights.iter().sum();
    let mut grid = vec![0u32; LOCATIONS * DAYS];
    let mut cases: Vec<(usize, usize)> = Vec::with_capacity(CASES);
    for _ in 0..CASES - 60 {
        let mut pick = rng.random_range(0.0..total_weight);
        let location = weights.iter().position(|w| {
            pick -= w;
            pick < 0.0
        });
        cases.push((location.unwrap_or(LOCATIONS - 1), rng.random_range(0..DAYS)));
    }
    // The planted cluster: 60 extra cases at the locations within 2 km of location 0, last 7 days.
    let near: Vec<usize> = (0..LOCATIONS)
        .filter(|&j| {
            let (a, b) = (coordinates[0], coordinates[j]);
            ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt() <= 2.0
        })
        .collect();
    for i in 0..60 {
        cases.push((near[i % near.len()], DAYS - 1 - rng.random_range(0..7)));
    }
    for &(l, t) in &cases {
        grid[l * DAYS + t] += 1;
    }
    write_satscan_files(&coordinates, &cases);

    let points: Vec<Point> = coordinates.iter().map(|&(x, y)| Point::new(CoordinateSystem::Cartesian, x, y)).collect();
    let data = ScanData::space_time_permutation(LOCATIONS, DAYS, grid).expect("cases");
    let started = Instant::now();
    let chains = circles(
        &points,
        &data.expected_by_location(),
        CircleLimits { max_radius: Some(5.0), max_population_share: 0.5 },
    );
    let setup = started.elapsed();
    let neighbours: usize = chains.iter().map(|c| c.members.len()).sum();
    println!(
        "{CASES} cases, {LOCATIONS} locations, {DAYS} days; {} circles with {:.1} locations on average (set up in {:.1} ms)",
        chains.len(),
        neighbours as f64 / chains.len() as f64,
        setup.as_secs_f64() * 1e3
    );
    let cores = std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN);
    for threads in [NonZeroUsize::MIN, cores] {
        let settings = ScanSettings {
            windows: TimeWindows { intervals: DAYS, max_length: 30, prospective: true },
            min_cases: 2,
            replications: 999,
            seed: 1,
            threads,
        };
        let started = Instant::now();
        let clusters = scan(&data, &chains, &settings);
        let elapsed = started.elapsed();
        let top = &clusters[0];
        println!(
            "threads {threads}: {:.2} s — most likely cluster: {} locations, {} observed / {:.1} expected, LLR {:.3}, p = {:.3}",
            elapsed.as_secs_f64(),
            top.locations.len(),
            top.observed,
            top.expected,
            top.llr,
            top.p_value.unwrap_or(f64::NAN)
        );
    }
}

/// The same data as SaTScan input (Cartesian coordinates in km, daily case counts from 2024-01-01).
fn write_satscan_files(coordinates: &[(f64, f64)], cases: &[(usize, usize)]) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/scan-bench");
    if std::fs::create_dir_all(&dir).is_err() {
        return;
    }
    let start = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let geo: String = coordinates.iter().enumerate().map(|(i, (x, y))| format!("L{i} {x:.4} {y:.4}\n")).collect();
    let cas: String = cases
        .iter()
        .map(|&(l, t)| format!("L{l} 1 {}\n", (start + chrono::Days::new(t as u64)).format("%Y/%m/%d")))
        .collect();
    let _ = std::fs::write(dir.join("bench.geo"), geo);
    let _ = std::fs::write(dir.join("bench.cas"), cas);
}
