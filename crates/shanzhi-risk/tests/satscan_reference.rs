//! SaTScan's published results on its own sample data (data/satscan, SaTScan 10.3.2's reports
//! beside the inputs): the same clusters, the same log likelihood ratios to 6 decimals, and
//! p-values within Monte Carlo error.
//!
//! SaTScan, Kulldorff M. and Information Management Services Inc.

use std::num::NonZeroUsize;

use chrono::NaiveDate;
use shanzhi_risk::scan::study::{self, MaxWindow, StudyFiles, StudyOptions, StudyResult};
use shanzhi_risk::scan::{CoordinateSystem, Model};

fn sample(name: &str) -> String {
    let path = format!("{}/../../data/satscan/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

fn nyc_fever(replications: u32, seed: u64) -> StudyResult {
    let (cases, coordinates) = (sample("NYCfever.cas"), sample("NYCfever.geo"));
    let options = StudyOptions {
        model: Model::SpaceTimePermutation,
        coordinates: CoordinateSystem::LatLong,
        start: date(2001, 11, 1),
        end: date(2001, 11, 24),
        prospective: true,
        max_radius: Some(3.0),
        max_population_percent: 50.0,
        max_window: MaxWindow::Days(7),
        min_cases: 2,
        replications,
        seed,
        threads: NonZeroUsize::new(2).unwrap(),
    };
    study::run(StudyFiles { cases: &cases, coordinates: &coordinates, population: None }, &options).unwrap()
}

fn new_mexico(replications: u32, seed: u64) -> StudyResult {
    let (cases, coordinates, population) = (sample("nm.cas"), sample("nm.geo"), sample("nm.pop"));
    let options = StudyOptions {
        model: Model::Poisson,
        coordinates: CoordinateSystem::LatLong,
        start: date(1973, 1, 1),
        end: date(1991, 12, 31),
        prospective: false,
        max_radius: None,
        max_population_percent: 50.0,
        max_window: MaxWindow::PercentOfPeriod(50.0),
        min_cases: 2,
        replications,
        seed,
        threads: NonZeroUsize::new(2).unwrap(),
    };
    let files = StudyFiles { cases: &cases, coordinates: &coordinates, population: Some(&population) };
    study::run(files, &options).unwrap()
}

#[test]
fn nyc_fever_space_time_permutation_matches_satscan() {
    let result = nyc_fever(0, 1);
    assert_eq!(result.total_cases, 194);
    assert_eq!(result.locations, 192);
    let top = &result.clusters[0];
    assert_eq!(format!("{:.6}", top.llr), "3.845418");
    assert_eq!(
        sorted(top.locations.clone()),
        sorted(
            ["11418", "11415", "11419", "11435", "11416", "11421", "11451", "11375", "11417"]
                .map(String::from)
                .to_vec()
        )
    );
    assert_eq!(
        top.locations,
        ["11418", "11415", "11419", "11435", "11416", "11421", "11451", "11375", "11417"],
        "nearest first"
    );
    assert_eq!((top.start, top.end), (date(2001, 11, 22), date(2001, 11, 24)));
    assert_eq!(top.observed, 4);
    assert_eq!(format!("{:.2}", top.expected), "0.67");
    assert_eq!(format!("{:.2}", top.radius), "2.90");
    // The secondary clusters of the report, in order.
    assert_eq!(result.clusters[1].locations, ["11372"]);
    assert_eq!(format!("{:.6}", result.clusters[1].llr), "3.164201");
    assert_eq!(result.clusters[2].locations, ["10472"]);
    assert_eq!(format!("{:.6}", result.clusters[2].llr), "2.137259");
}

#[test]
fn new_mexico_space_time_poisson_matches_satscan() {
    let result = new_mexico(0, 1);
    assert_eq!(result.total_cases, 1175);
    let top = &result.clusters[0];
    assert_eq!(format!("{:.6}", top.llr), "10.979758");
    assert_eq!(
        top.locations,
        ["Torrance", "Bernalillo", "Valencia", "SantaFe", "Guadelupe", "Socorro", "Sandoval", "SanMiguel", "LosAlamos"]
    );
    assert_eq!((top.start, top.end), (date(1985, 1, 1), date(1989, 12, 31)));
    assert_eq!(top.observed, 236);
    assert_eq!(format!("{:.2}", top.expected), "176.22");
    assert_eq!(format!("{:.2}", top.relative_risk), "1.42");
    assert_eq!(format!("{:.2}", top.radius), "125.60");
    assert_eq!(result.clusters[1].locations, ["Chaves"]);
    assert_eq!(format!("{:.6}", result.clusters[1].llr), "5.684828");
    assert_eq!(result.clusters[2].locations, ["Curry", "Roosevelt"]);
    assert_eq!(format!("{:.6}", result.clusters[2].llr), "3.884186");
}

/// SaTScan reports p = 0.242 for NYC fever (sequential Monte Carlo, 207 replications; the README
/// of the data gives 0.22–0.24) and 0.014 for New Mexico (999 replications). With 999
/// replications the standard error is about 0.013 and 0.004: four of them is the tolerance.
#[test]
fn p_values_agree_within_monte_carlo_error() {
    let nyc = nyc_fever(999, 20011124).clusters[0].p_value.unwrap();
    assert!((nyc - 0.23).abs() < 4.0 * 0.0133 + 0.01, "NYC fever p = {nyc}");
    let nm = new_mexico(999, 19731991).clusters[0].p_value.unwrap();
    assert!((nm - 0.014).abs() < 4.0 * 0.0037, "New Mexico p = {nm}");
    // A secondary cluster is never more significant than the primary.
    let result = new_mexico(99, 7);
    assert!(result.clusters[1].p_value.unwrap() >= result.clusters[0].p_value.unwrap());
}

#[test]
fn replicas_do_not_depend_on_the_thread_count() {
    let (cases, coordinates) = (sample("NYCfever.cas"), sample("NYCfever.geo"));
    let mut options = StudyOptions {
        model: Model::SpaceTimePermutation,
        coordinates: CoordinateSystem::LatLong,
        start: date(2001, 11, 1),
        end: date(2001, 11, 24),
        prospective: true,
        max_radius: Some(3.0),
        max_population_percent: 50.0,
        max_window: MaxWindow::Days(7),
        min_cases: 2,
        replications: 199,
        seed: 42,
        threads: NonZeroUsize::new(1).unwrap(),
    };
    let files = StudyFiles { cases: &cases, coordinates: &coordinates, population: None };
    let one = study::run(files, &options).unwrap();
    options.threads = NonZeroUsize::new(3).unwrap();
    let three = study::run(files, &options).unwrap();
    assert_eq!(one, three);
    options.seed = 43;
    let other_seed = study::run(files, &options).unwrap();
    assert_ne!(one.clusters[0].p_value, other_seed.clusters[0].p_value, "the seed drives the replicas");
}
