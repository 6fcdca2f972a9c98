use std::process::ExitCode;

use anyhow::Context;
use shanzhi_risk::scan::study::{self, MaxWindow, StudyFiles, StudyOptions};
use shanzhi_risk::scan::{CoordinateSystem, Model};

use crate::cli::{Coordinates, ScanModel, ScanstatArgs};

/// Runs a SaTScan-style study from files and prints its clusters as JSON.
pub fn run(args: &ScanstatArgs) -> anyhow::Result<ExitCode> {
    let read =
        |path: &std::path::Path| std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()));
    let cases = read(&args.cas)?;
    let coordinates = read(&args.geo)?;
    let population = args.pop.as_deref().map(read).transpose()?;
    let options = StudyOptions {
        model: match args.model {
            ScanModel::SpaceTimePermutation => Model::SpaceTimePermutation,
            ScanModel::Poisson => Model::Poisson,
        },
        coordinates: match args.coordinates {
            Coordinates::Latlong => CoordinateSystem::LatLong,
            Coordinates::Cartesian => CoordinateSystem::Cartesian,
        },
        start: args.start,
        end: args.end,
        prospective: args.prospective,
        max_radius: args.max_radius,
        max_population_percent: args.max_population_percent,
        max_window: match args.max_days {
            Some(days) => MaxWindow::Days(days),
            None => MaxWindow::PercentOfPeriod(args.max_period_percent),
        },
        min_cases: args.min_cases,
        replications: args.replications,
        seed: args.seed,
        threads: args
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().unwrap_or(std::num::NonZeroUsize::MIN)),
    };
    let files = StudyFiles { cases: &cases, coordinates: &coordinates, population: population.as_deref() };
    let result = study::run(files, &options)?;
    serde_json::to_writer_pretty(std::io::stdout().lock(), &result)?;
    println!();
    Ok(ExitCode::SUCCESS)
}
