//! SaTScan's own input formats (whitespace separated, one record a line):
//! - case file `.cas`: location-id, count, time (`YYYY/MM/DD`, or a year), covariates…;
//! - coordinates file `.geo`: location-id and two coordinates;
//! - population file `.pop`: location-id, time (a year, two digits allowed), population,
//!   covariates….
//!
//! Parsing is pure: callers read the files and pass their text. A bad line is named with its
//! number and reason.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use thiserror::Error;

use super::{CoordinateSystem, Point};

#[derive(Debug, Error, PartialEq)]
#[error("{file} line {line}: {reason}")]
pub struct FileError {
    pub file: &'static str,
    pub line: usize,
    pub reason: String,
}

/// The time of a case, at the precision the file gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CaseTime {
    Day(NaiveDate),
    Year(i32),
}

#[derive(Debug, Clone, PartialEq)]
pub struct CaseRow {
    /// The line of the case file it was read from, for errors found later.
    pub line: usize,
    pub location: String,
    pub count: u32,
    pub time: CaseTime,
    pub covariates: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PopulationRow {
    pub location: String,
    pub year: i32,
    pub population: f64,
    pub covariates: Vec<String>,
}

/// Locations in the order of the coordinates file, which is the order ties are broken in.
#[derive(Debug, Clone, PartialEq)]
pub struct Locations {
    pub ids: Vec<String>,
    pub points: Vec<Point>,
    index: HashMap<String, usize>,
}

impl Locations {
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }
}

fn records(text: &str) -> impl Iterator<Item = (usize, Vec<&str>)> {
    text.lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line.split_whitespace().collect::<Vec<_>>()))
        .filter(|(_, fields)| !fields.is_empty())
}

fn error(file: &'static str, line: usize, reason: impl Into<String>) -> FileError {
    FileError { file, line, reason: reason.into() }
}

pub fn parse_coordinates(text: &str, system: CoordinateSystem) -> Result<Locations, FileError> {
    const FILE: &str = "coordinates file";
    let mut locations = Locations { ids: Vec::new(), points: Vec::new(), index: HashMap::new() };
    for (line, fields) in records(text) {
        let [id, a, b] = fields[..] else {
            return Err(error(FILE, line, format!("expected 3 fields (id, two coordinates), found {}", fields.len())));
        };
        let number = |s: &str| {
            s.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| error(FILE, line, format!("`{s}` is not a number")))
        };
        let (a, b) = (number(a)?, number(b)?);
        if system == CoordinateSystem::LatLong && (a.abs() > 90.0 || b.abs() > 180.0) {
            return Err(error(FILE, line, format!("({a}, {b}) is not a latitude and longitude")));
        }
        if locations.index.insert(id.to_owned(), locations.ids.len()).is_some() {
            return Err(error(FILE, line, format!("location `{id}` is given twice")));
        }
        locations.ids.push(id.to_owned());
        locations.points.push(Point::new(system, a, b));
    }
    Ok(locations)
}

fn parse_time(s: &str) -> Option<CaseTime> {
    if let Ok(year) = s.parse::<i32>() {
        return Some(CaseTime::Year(year));
    }
    let mut parts = s.split(['/', '-']);
    let (y, m, d) = (parts.next()?.parse().ok()?, parts.next()?.parse().ok()?, parts.next()?.parse().ok()?);
    if parts.next().is_some() {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m, d).map(CaseTime::Day)
}

/// Parses a date as the parameters give it (`2001/11/24` or `2001-11-24`).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    match parse_time(s)? {
        CaseTime::Day(date) => Some(date),
        CaseTime::Year(_) => None,
    }
}

pub fn parse_cases(text: &str) -> Result<Vec<CaseRow>, FileError> {
    const FILE: &str = "case file";
    records(text)
        .map(|(line, fields)| {
            let [location, count, time, covariates @ ..] = &fields[..] else {
                return Err(error(
                    FILE,
                    line,
                    format!("expected at least 3 fields (id, count, time), found {}", fields.len()),
                ));
            };
            let count = count.parse().map_err(|_| error(FILE, line, format!("`{count}` is not a case count")))?;
            let time =
                parse_time(time).ok_or_else(|| error(FILE, line, format!("`{time}` is not a date or a year")))?;
            Ok(CaseRow {
                line,
                location: (*location).to_owned(),
                count,
                time,
                covariates: covariates.iter().map(|s| (*s).to_owned()).collect(),
            })
        })
        .collect()
}

pub fn parse_population(text: &str) -> Result<Vec<PopulationRow>, FileError> {
    const FILE: &str = "population file";
    records(text)
        .map(|(line, fields)| {
            let [location, year, population, covariates @ ..] = &fields[..] else {
                return Err(error(
                    FILE,
                    line,
                    format!("expected at least 3 fields (id, year, population), found {}", fields.len()),
                ));
            };
            let year: i32 = year.parse().map_err(|_| error(FILE, line, format!("`{year}` is not a year")))?;
            let population: f64 = population
                .parse()
                .ok()
                .filter(|p: &f64| p.is_finite() && *p >= 0.0)
                .ok_or_else(|| error(FILE, line, format!("`{population}` is not a population")))?;
            Ok(PopulationRow {
                location: (*location).to_owned(),
                year: full_year(year),
                population,
                covariates: covariates.iter().map(|s| (*s).to_owned()).collect(),
            })
        })
        .collect()
}

/// SaTScan reads two-digit years as 19xx from 50 up and as 20xx below.
fn full_year(year: i32) -> i32 {
    match year {
        0..=49 => 2000 + year,
        50..=99 => 1900 + year,
        _ => year,
    }
}

/// The unit of the study's time intervals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    Day,
    Year,
}

/// The study period cut into intervals of one unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StudyPeriod {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub unit: TimeUnit,
}

impl StudyPeriod {
    pub fn intervals(&self) -> usize {
        match self.unit {
            TimeUnit::Day => (self.end - self.start).num_days() as usize + 1,
            TimeUnit::Year => (self.end.year() - self.start.year()) as usize + 1,
        }
    }

    /// The interval a case time falls in, if inside the period.
    pub fn interval_of(&self, time: CaseTime) -> Option<usize> {
        let (index, inside) = match (self.unit, time) {
            (TimeUnit::Day, CaseTime::Day(date)) => {
                ((date - self.start).num_days(), date >= self.start && date <= self.end)
            }
            (TimeUnit::Year, CaseTime::Day(date)) => {
                (i64::from(date.year() - self.start.year()), date >= self.start && date <= self.end)
            }
            (TimeUnit::Year, CaseTime::Year(year)) => {
                (i64::from(year - self.start.year()), year >= self.start.year() && year <= self.end.year())
            }
            (TimeUnit::Day, CaseTime::Year(_)) => return None,
        };
        inside.then_some(index as usize)
    }

    /// First day of interval `i`.
    pub fn interval_start(&self, i: usize) -> NaiveDate {
        match self.unit {
            TimeUnit::Day => self.start + chrono::Days::new(i as u64),
            TimeUnit::Year => NaiveDate::from_ymd_opt(self.start.year() + i as i32, 1, 1).expect("a valid year"),
        }
    }

    /// Last day of interval `i`.
    pub fn interval_end(&self, i: usize) -> NaiveDate {
        match self.unit {
            TimeUnit::Day => self.interval_start(i),
            TimeUnit::Year => NaiveDate::from_ymd_opt(self.start.year() + i as i32, 12, 31).expect("a valid year"),
        }
    }
}

/// The most cases a study may hold.
pub const MAX_CASES: u64 = 100_000_000;

/// Counts the cases on the locations × intervals grid. A case at an unknown location or outside
/// the period is an error naming its line.
pub fn case_grid(rows: &[CaseRow], locations: &Locations, period: &StudyPeriod) -> Result<Vec<u32>, FileError> {
    const FILE: &str = "case file";
    let intervals = period.intervals();
    let mut grid = vec![0u32; locations.ids.len() * intervals];
    let mut total: u64 = 0;
    for row in rows {
        let l = locations.index_of(&row.location).ok_or_else(|| {
            error(FILE, row.line, format!("location `{}` is not in the coordinates file", row.location))
        })?;
        let t = period
            .interval_of(row.time)
            .ok_or_else(|| error(FILE, row.line, format!("time {:?} is outside the study period", row.time)))?;
        total += u64::from(row.count);
        // The permutation model holds every case; this is far beyond any district.
        if total > MAX_CASES {
            return Err(error(FILE, row.line, format!("more than {MAX_CASES} cases in all")));
        }
        grid[l * intervals + t] += row.count;
    }
    Ok(grid)
}

/// Expected cases per location × interval under the Poisson model, indirectly standardised by
/// the covariates (for each covariate category, its cases spread over its person-time), as
/// SaTScan computes them:
/// - a population given for a year is the population of 1 July of that year;
/// - between population dates it changes linearly, before the first and after the last it stays;
/// - an interval's person-time is the exact integral over its days.
pub fn poisson_expectation(
    cases: &[CaseRow],
    population: &[PopulationRow],
    locations: &Locations,
    period: &StudyPeriod,
) -> Result<Vec<f64>, FileError> {
    let intervals = period.intervals();
    let mut categories: HashMap<&[String], usize> = HashMap::new();
    // Population curve per (location, category): (day number, population) knots.
    let mut curves: HashMap<(usize, usize), Vec<(f64, f64)>> = HashMap::new();
    for (i, row) in population.iter().enumerate() {
        let line = i + 1;
        let l = locations.index_of(&row.location).ok_or_else(|| {
            error("population file", line, format!("location `{}` is not in the coordinates file", row.location))
        })?;
        let next = categories.len();
        let c = *categories.entry(&row.covariates).or_insert(next);
        let july = NaiveDate::from_ymd_opt(row.year, 7, 1)
            .ok_or_else(|| error("population file", line, format!("{} is not a year", row.year)))?;
        curves.entry((l, c)).or_default().push((day_number(july), row.population));
    }
    let mut cases_by_category = vec![0.0; categories.len()];
    for row in cases {
        let c = categories.get(&row.covariates[..]).ok_or_else(|| {
            error("case file", row.line, format!("covariates {:?} have no population", row.covariates))
        })?;
        if period.interval_of(row.time).is_some() {
            cases_by_category[*c] += f64::from(row.count);
        }
    }

    let bounds: Vec<f64> = (0..=intervals)
        .map(|t| match t {
            t if t == intervals => day_number(period.interval_end(t - 1)) + 1.0,
            t => day_number(period.interval_start(t)),
        })
        .collect();
    let mut person_time = vec![vec![0.0; locations.ids.len() * intervals]; categories.len()];
    for (&(l, c), knots) in &mut curves {
        knots.sort_by(|a, b| a.0.total_cmp(&b.0));
        for t in 0..intervals {
            person_time[c][l * intervals + t] = integrate(knots, bounds[t], bounds[t + 1]);
        }
    }
    // A location with cases but no population would have an infinite rate.
    for row in cases {
        if let Some(l) = locations.index_of(&row.location)
            && row.count > 0
            && !curves.keys().any(|&(at, _)| at == l)
        {
            return Err(error(
                "case file",
                row.line,
                format!("location `{}` has cases but no population", row.location),
            ));
        }
    }
    let mut expected = vec![0.0; locations.ids.len() * intervals];
    for (c, cells) in person_time.iter().enumerate() {
        let total: f64 = cells.iter().sum();
        if cases_by_category[c] == 0.0 {
            continue;
        }
        if total <= 0.0 {
            return Err(error("population file", 0, "a covariate category with cases has no population"));
        }
        let rate = cases_by_category[c] / total;
        expected.iter_mut().zip(cells).for_each(|(e, pt)| *e += rate * pt);
    }
    Ok(expected)
}

fn day_number(date: NaiveDate) -> f64 {
    f64::from(date.num_days_from_ce())
}

/// The integral over [a, b) of the curve through `knots` (sorted), flat beyond its ends.
fn integrate(knots: &[(f64, f64)], a: f64, b: f64) -> f64 {
    let value_at = |x: f64| -> f64 {
        let i = knots.partition_point(|k| k.0 <= x);
        match i {
            0 => knots[0].1,
            i if i == knots.len() => knots[i - 1].1,
            i => {
                let ((x0, y0), (x1, y1)) = (knots[i - 1], knots[i]);
                y0 + (y1 - y0) * (x - x0) / (x1 - x0)
            }
        }
    };
    // Cut [a, b) at the knots inside it; the curve is linear on each piece.
    let mut cuts = vec![a];
    cuts.extend(knots.iter().map(|k| k.0).filter(|&x| x > a && x < b));
    cuts.push(b);
    cuts.windows(2).map(|w| (w[1] - w[0]) * (value_at(w[0]) + value_at(w[1])) / 2.0).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn person_time_is_the_exact_integral_of_the_linear_curve() {
        // 100 people on day 0 rising to 200 on day 10, flat after.
        let knots = [(0.0, 100.0), (10.0, 200.0)];
        assert_eq!(integrate(&knots, 0.0, 10.0), 1500.0);
        assert_eq!(integrate(&knots, 5.0, 15.0), 5.0 * 175.0 + 5.0 * 200.0);
        assert_eq!(integrate(&knots, -4.0, 0.0), 400.0, "flat before the first date");
    }

    #[test]
    fn bad_lines_are_named() {
        let err = parse_cases("a 1 2001/11/01\nb x 2001/11/02\n").unwrap_err();
        assert_eq!((err.line, err.file), (2, "case file"));
        assert!(err.reason.contains("`x`"), "{err}");
        let err = parse_coordinates("a 91 0\n", CoordinateSystem::LatLong).unwrap_err();
        assert_eq!(err.line, 1);
        assert_eq!(parse_coordinates("\n\nb NaN 0\n", CoordinateSystem::Cartesian).unwrap_err().line, 3);
        // A line found wrong later still names its line, blank lines counted.
        let rows = parse_cases("\n\na 1 2001/11/01\nzz 1 2001/11/02\n").unwrap();
        let locations = parse_coordinates("a 0 0\n", CoordinateSystem::Cartesian).unwrap();
        let period = StudyPeriod {
            start: NaiveDate::from_ymd_opt(2001, 11, 1).unwrap(),
            end: NaiveDate::from_ymd_opt(2001, 11, 2).unwrap(),
            unit: TimeUnit::Day,
        };
        assert_eq!(case_grid(&rows, &locations, &period).unwrap_err().line, 4);
        // Cases where no one lives are refused, not scored infinite.
        let population = parse_population("a 2001 100\n").unwrap();
        let rows = parse_cases("a 1 2001/11/01\nb 1 2001/11/02\n").unwrap();
        let locations = parse_coordinates("a 0 0\nb 1 1\n", CoordinateSystem::Cartesian).unwrap();
        let err = poisson_expectation(&rows, &population, &locations, &period).unwrap_err();
        assert!(err.reason.contains("no population") && err.line == 2, "{err}");
        assert_eq!(parse_population("x 73 10\n").unwrap()[0].year, 1973);
    }
}
