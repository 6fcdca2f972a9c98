//! What the one screen (一屏观全区) reads besides the assessment, in both dialects: the cases
//! received and resolved per day, and the regions of a set of cases (those behind the open
//! warnings). The SQL is the same text in both but for the expression that turns an instant into
//! its local day; the stores only execute.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use shanzhi_core::calendar::end_of_day;
use shanzhi_core::{CaseId, RegionCode, RegionLevel};

use crate::StoreError;
use crate::rows::case_id;

/// The cases received and resolved on one day (Beijing time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayCounts {
    pub day: NaiveDate,
    /// Records received that day (`received_at`), from every channel.
    pub received: u64,
    /// Cases with a resolution (`resolved` event) recorded that day; a case resolved, reopened and
    /// resolved again on another day counts on both days, on the same day once.
    pub resolved: u64,
}

/// The hours the district's clock is ahead of UTC: China Standard Time, as
/// `shanzhi_core::calendar` counts days (no daylight saving).
pub(crate) const LOCAL_OFFSET_HOURS: u32 = 8;

/// The condition on `c` that keeps the cases of `region` (`$3`): a town's by `town_code` (which
/// its villages' cases carry too), a village's by `region_code`; none for the district.
fn region_condition(region: Option<RegionCode>) -> (&'static str, Option<String>) {
    match region.map(|r| (r.level(), r)) {
        Some((RegionLevel::Town, code)) => (" AND c.town_code = $3", Some(code.to_string())),
        Some((RegionLevel::Village, code)) => (" AND c.region_code = $3", Some(code.to_string())),
        Some((RegionLevel::District, _)) | None => ("", None),
    }
}

/// The statements of [`crate::Store::daily_counts`]: records received per day, and cases resolved
/// per day, in [$1, $2), of the region bound as $3 when there is one. `day` writes the dialect's
/// expression for the local day (`YYYY-MM-DD` text) of a column.
pub(crate) struct DailySql {
    pub(crate) received: String,
    pub(crate) resolved: String,
    /// The region's code, to bind as $3.
    pub(crate) region: Option<String>,
    pub(crate) from: DateTime<Utc>,
    pub(crate) before: DateTime<Utc>,
}

pub(crate) fn daily_sql(
    first: NaiveDate,
    last: NaiveDate,
    region: Option<RegionCode>,
    day: impl Fn(&str) -> String,
) -> DailySql {
    let (condition, code) = region_condition(region);
    let received = format!(
        "SELECT {} AS d, COUNT(*) AS n FROM cases c WHERE c.received_at >= $1 AND c.received_at < $2{condition} \
         GROUP BY d",
        day("c.received_at")
    );
    // The join only when a region asks for it: the district's count reads the events' index alone.
    let join = if code.is_some() { " JOIN cases c ON c.id = e.case_id" } else { "" };
    let resolved = format!(
        "SELECT {} AS d, COUNT(DISTINCT e.case_id) AS n FROM case_events e{join} \
         WHERE e.kind = 'resolved' AND e.at >= $1 AND e.at < $2{condition} GROUP BY d",
        day("e.at")
    );
    let from = first.pred_opt().map_or(DateTime::<Utc>::MIN_UTC, end_of_day);
    DailySql { received, resolved, region: code, from, before: end_of_day(last) }
}

/// One row per day from `first` to `last`, zero where the rows name none.
pub(crate) fn days(
    first: NaiveDate,
    last: NaiveDate,
    received: Vec<(String, i64)>,
    resolved: Vec<(String, i64)>,
) -> Result<Vec<DayCounts>, StoreError> {
    let mut counts: BTreeMap<NaiveDate, DayCounts> = first
        .iter_days()
        .take_while(|d| *d <= last)
        .map(|day| (day, DayCounts { day, received: 0, resolved: 0 }))
        .collect();
    let parse = |day: &str| {
        NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|e| StoreError::Corrupt(format!("day `{day}`: {e}")))
    };
    for (day, n) in received {
        if let Some(c) = counts.get_mut(&parse(&day)?) {
            c.received = u64::try_from(n).unwrap_or_default();
        }
    }
    for (day, n) in resolved {
        if let Some(c) = counts.get_mut(&parse(&day)?) {
            c.resolved = u64::try_from(n).unwrap_or_default();
        }
    }
    Ok(counts.into_values().collect())
}

/// Case ids per statement of [`crate::Store::case_regions`], written into it as integers.
pub(crate) const IDS_PER_STATEMENT: usize = 10_000;

/// The statement for one part of the ids.
pub(crate) fn regions_sql(ids: &[CaseId]) -> String {
    let list: Vec<String> = ids.iter().map(|id| id.get().to_string()).collect();
    format!("SELECT id, region_code FROM cases WHERE id IN ({}) ORDER BY id", list.join(","))
}

pub(crate) fn regions(rows: Vec<(i64, String)>) -> Result<Vec<(CaseId, RegionCode)>, StoreError> {
    rows.into_iter()
        .map(|(id, code)| {
            let region = RegionCode::parse(&code).map_err(|e| StoreError::Corrupt(format!("case {id}: {e}")))?;
            Ok((case_id(id)?, region))
        })
        .collect()
}

/// The ids sorted, without repeats.
pub(crate) fn distinct(ids: &[CaseId]) -> Vec<CaseId> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    ids
}
