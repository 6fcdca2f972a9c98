//! The four warning models. Each reads case summaries up to the day of the run and returns
//! warnings; none keeps state between runs (the store deduplicates by situation).

pub mod event;
pub mod industry;
pub mod person;
pub mod region;

use chrono::NaiveDate;
use shanzhi_core::warning::CaseSummary;

/// The cases received in `[from, to]`, from a slice sorted by day.
pub(crate) fn days(cases: &[CaseSummary], from: NaiveDate, to: NaiveDate) -> &[CaseSummary] {
    let start = cases.partition_point(|c| c.day < from);
    let end = cases.partition_point(|c| c.day <= to);
    &cases[start..end.max(start)]
}

/// A number in the way Chinese reports write big ones: 4000万, 8000.
pub(crate) fn chinese_amount(yuan: f64) -> String {
    if yuan >= 1e8 {
        format!("{:.2}亿元", yuan / 1e8)
    } else if yuan >= 1e4 {
        format!("{:.0}万元", yuan / 1e4)
    } else {
        format!("{yuan:.0}元")
    }
}

pub(crate) fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
