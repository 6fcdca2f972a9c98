//! The data shanzhi ships with, embedded at compile time so that the binary runs anywhere.
//!
//! Embedding is not IO: these are constants. The binary's configuration may point at other files
//! instead; then it reads them itself and hands the text to the same parsers.

use crate::calendar::{CalendarError, WorkCalendar};
use crate::department::{DepartmentDirectory, DirectoryError};
use crate::region::{Gazetteer, GazetteerError, RegionCode};

/// Zhejiang's division tables (NBS 2023, from the `china-division` package; WTFPL).
pub const ZHEJIANG_COUNTIES: &str = include_str!("../../../data/divisions/zhejiang-counties.csv");
pub const ZHEJIANG_TOWNS: &str = include_str!("../../../data/divisions/zhejiang-towns.csv");
pub const ZHEJIANG_VILLAGES: &str = include_str!("../../../data/divisions/zhejiang-villages.csv");

/// The default department directory, for 余杭区.
pub const YUHANG_DEPARTMENTS: &str = include_str!("../../../data/departments-yuhang.toml");

/// Public holidays and make-up working days (State Council notices), for working-day deadlines.
pub const CN_PUBLIC_HOLIDAYS: &str = include_str!("../../../data/calendar/cn-public-holidays.csv");

/// The workflow's rules: kinds of matter, routing, stage deadlines, one case per matter.
pub const KIND_CUES: &str = include_str!("../../../data/workflow/kinds.toml");
pub const ROUTING_RULES: &str = include_str!("../../../data/workflow/routing.toml");
pub const DEADLINE_RULES: &str = include_str!("../../../data/workflow/deadlines.toml");
pub const MATCHING_RULES: &str = include_str!("../../../data/workflow/matching.toml");

/// Contingency plans that warnings propose (预案).
pub const CONTINGENCY_PLANS: &str = include_str!("../../../data/risk/plans.toml");

/// The assessment's tunable metrics, the example safe-village star-rating scheme, and the
/// residents per village (estimates for the default district: see the file).
pub const ASSESSMENT_RULES: &str = include_str!("../../../data/assessment/metrics.toml");
pub const STAR_SCHEME: &str = include_str!("../../../data/assessment/stars.toml");
pub const RESIDENTS: &str = include_str!("../../../data/assessment/residents.toml");

/// 余杭区, Hangzhou.
pub const DEFAULT_DISTRICT: RegionCode = match RegionCode::from_digits(330110) {
    Some(code) => code,
    None => panic!("330110 is a district code"),
};

/// The gazetteer of any district of Zhejiang, from the embedded tables.
pub fn gazetteer(district: RegionCode) -> Result<Gazetteer, GazetteerError> {
    Gazetteer::from_division_tables(district, ZHEJIANG_COUNTIES, ZHEJIANG_TOWNS, ZHEJIANG_VILLAGES)
}

/// The embedded Yuhang directory, checked against `gazetteer`.
pub fn departments(gazetteer: &Gazetteer) -> Result<DepartmentDirectory, DirectoryError> {
    DepartmentDirectory::from_toml(YUHANG_DEPARTMENTS, gazetteer)
}

/// The embedded calendar.
pub fn calendar() -> Result<WorkCalendar, CalendarError> {
    WorkCalendar::from_csv(CN_PUBLIC_HOLIDAYS)
}
