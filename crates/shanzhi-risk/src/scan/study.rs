//! A whole SaTScan-style study from its input files, as `shanzhi scanstat` runs it: read the
//! files, build the grid and the circles, scan, and report clusters by location id and date.

use std::num::NonZeroUsize;

use chrono::NaiveDate;
use serde::Serialize;

use super::satscan_files::{
    CaseTime, FileError, StudyPeriod, TimeUnit, case_grid, parse_cases, parse_coordinates, parse_population,
    poisson_expectation,
};
use super::{CircleLimits, CoordinateSystem, Model, ScanData, ScanSettings, TimeWindows, arc_of_chord, circles, scan};

/// The text of a study's input files.
#[derive(Debug, Clone, Copy)]
pub struct StudyFiles<'a> {
    pub cases: &'a str,
    pub coordinates: &'a str,
    pub population: Option<&'a str>,
}

/// The longest time window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MaxWindow {
    Days(u32),
    /// Percent of the study period, rounded down to whole intervals (SaTScan's default is 50).
    PercentOfPeriod(f64),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StudyOptions {
    pub model: Model,
    pub coordinates: CoordinateSystem,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub prospective: bool,
    /// In km for latitude/longitude, else in the coordinates' unit.
    pub max_radius: Option<f64>,
    /// Percent of the population at risk one circle may hold.
    pub max_population_percent: f64,
    pub max_window: MaxWindow,
    pub min_cases: u32,
    pub replications: u32,
    pub seed: u64,
    pub threads: NonZeroUsize,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum StudyError {
    #[error(transparent)]
    File(#[from] FileError),
    #[error("the Poisson model needs a population file")]
    NoPopulation,
    #[error("the study period ends before it starts")]
    EmptyPeriod,
    #[error(transparent)]
    Data(#[from] super::ScanDataError),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StudyCluster {
    pub locations: Vec<String>,
    pub llr: f64,
    pub p_value: Option<f64>,
    pub observed: u32,
    pub expected: f64,
    pub relative_risk: f64,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// Kilometres along the earth for latitude/longitude, else in the coordinates' unit.
    pub radius: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StudyResult {
    pub total_cases: u64,
    pub locations: usize,
    pub clusters: Vec<StudyCluster>,
}

pub fn run(files: StudyFiles<'_>, options: &StudyOptions) -> Result<StudyResult, StudyError> {
    if options.end < options.start {
        return Err(StudyError::EmptyPeriod);
    }
    let locations = parse_coordinates(files.coordinates, options.coordinates)?;
    let case_rows = parse_cases(files.cases)?;
    // Yearly data gives years; anything else is daily.
    let unit = if !case_rows.is_empty() && case_rows.iter().all(|r| matches!(r.time, CaseTime::Year(_))) {
        TimeUnit::Year
    } else {
        TimeUnit::Day
    };
    let period = StudyPeriod { start: options.start, end: options.end, unit };
    let intervals = period.intervals();
    let grid = case_grid(&case_rows, &locations, &period)?;
    let data = match options.model {
        Model::SpaceTimePermutation => ScanData::space_time_permutation(locations.ids.len(), intervals, grid)?,
        Model::Poisson => {
            let population = parse_population(files.population.ok_or(StudyError::NoPopulation)?)?;
            let expected = poisson_expectation(&case_rows, &population, &locations, &period)?;
            ScanData::poisson(locations.ids.len(), intervals, grid, expected)?
        }
    };
    let max_length = match (options.max_window, unit) {
        (MaxWindow::Days(days), TimeUnit::Day) => days as usize,
        (MaxWindow::Days(days), TimeUnit::Year) => (days as usize / 365).max(1),
        (MaxWindow::PercentOfPeriod(percent), _) => ((intervals as f64 * percent / 100.0).floor() as usize).max(1),
    }
    .min(intervals);
    let chains = circles(
        &locations.points,
        &data.expected_by_location(),
        CircleLimits { max_radius: options.max_radius, max_population_share: options.max_population_percent / 100.0 },
    );
    let settings = ScanSettings {
        windows: TimeWindows { intervals, max_length, prospective: options.prospective },
        min_cases: options.min_cases,
        replications: options.replications,
        seed: options.seed,
        threads: options.threads,
    };
    let clusters = scan(&data, &chains, &settings)
        .into_iter()
        .map(|cluster| StudyCluster {
            relative_risk: cluster.relative_risk(data.total()),
            locations: cluster.locations.iter().map(|&l| locations.ids[l].clone()).collect(),
            llr: cluster.llr,
            p_value: cluster.p_value,
            observed: cluster.observed,
            expected: cluster.expected,
            start: period.interval_start(cluster.start),
            end: period.interval_end(cluster.end),
            radius: match options.coordinates {
                CoordinateSystem::LatLong => arc_of_chord(cluster.radius),
                CoordinateSystem::Cartesian => cluster.radius,
            },
        })
        .collect();
    Ok(StudyResult { total_cases: data.total(), locations: locations.ids.len(), clusters })
}
