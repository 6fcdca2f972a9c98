//! Assessment periods: a month, a quarter, a half-year, a year, or any run of days, in Beijing
//! time (an assessment of October is of the days 10-01 to 10-31 as people there count them).

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use crate::calendar::end_of_day;

/// A run of whole days, first to last inclusive.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Period {
    label: String,
    first: NaiveDate,
    last: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a period: write 2026-10 (a month), 2026-Q4, 2026-H2, 2026, or 2026-10-01..2026-10-15")]
pub struct PeriodError(pub String);

impl Period {
    /// Parses `2026-10`, `2026-Q4`, `2026-H2`, `2026`, or `2026-10-01..2026-10-15`.
    pub fn parse(s: &str) -> Result<Period, PeriodError> {
        let s = s.trim();
        let error = || PeriodError(s.to_owned());
        let day = |t: &str| NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").map_err(|_| error());
        let year = |t: &str| match t.parse::<i32>() {
            Ok(y @ 2000..=2100) if t.len() == 4 => Ok(y),
            _ => Err(error()),
        };
        let (first, last) = if let Some((a, b)) = s.split_once("..") {
            let (first, last) = (day(a)?, day(b)?);
            let years = 2000..=2100;
            if last < first || !years.contains(&first.year()) || !years.contains(&last.year()) {
                return Err(error());
            }
            (first, last)
        } else if let Some((y, rest)) = s.split_once('-') {
            let y = year(y)?;
            let months = match rest {
                "Q1" | "q1" => 1..=3,
                "Q2" | "q2" => 4..=6,
                "Q3" | "q3" => 7..=9,
                "Q4" | "q4" => 10..=12,
                "H1" | "h1" => 1..=6,
                "H2" | "h2" => 7..=12,
                m => match m.parse::<u32>() {
                    Ok(m @ 1..=12) if rest.len() == 2 => m..=m,
                    _ => return Err(error()),
                },
            };
            (first_of(y, *months.start()), last_of(y, *months.end()))
        } else {
            let y = year(s)?;
            (first_of(y, 1), last_of(y, 12))
        };
        Ok(Period::of_days(first, last))
    }

    /// The days from `first` to `last`, labelled in the shortest way that names them: `2026-10`
    /// for a whole month however it was written, so that one period has one rating history.
    fn of_days(first: NaiveDate, last: NaiveDate) -> Period {
        let (y, m1, m2) = (first.year(), first.month(), last.month());
        let whole_months = first.day() == 1 && last == last_of(last.year(), m2) && y == last.year();
        let label = match (whole_months, m1, m2) {
            (true, 1, 12) => format!("{y}"),
            (true, 1, 6) => format!("{y}-H1"),
            (true, 7, 12) => format!("{y}-H2"),
            (true, m, n) if m == n => format!("{y}-{m:02}"),
            (true, m, n) if n == m + 2 && m % 3 == 1 => format!("{y}-Q{}", m / 3 + 1),
            _ => format!("{first}..{last}"),
        };
        Period { label, first, last }
    }

    /// The calendar month of `day`.
    pub fn month_of(day: NaiveDate) -> Period {
        Period::of_days(first_of(day.year(), day.month()), last_of(day.year(), day.month()))
    }

    /// The period's canonical name (`2026-10`, `2026-Q4`, `2026-10-01..2026-10-15`): the key its
    /// star ratings are kept under.
    pub fn label(&self) -> &str {
        &self.label
    }

    pub fn first(&self) -> NaiveDate {
        self.first
    }

    pub fn last(&self) -> NaiveDate {
        self.last
    }

    pub fn days(&self) -> u32 {
        (self.last - self.first).num_days() as u32 + 1
    }

    /// The period's length in months of 30 days: per-month rates of any period compare.
    pub fn months(&self) -> f64 {
        f64::from(self.days()) / 30.0
    }

    /// The first instant of the period (midnight in Beijing): the end of the day before.
    pub fn start(&self) -> DateTime<Utc> {
        end_of_day(self.first.pred_opt().expect("years after 2000 have a day before"))
    }

    /// The first instant after the period: the cut-off of its assessment.
    pub fn end(&self) -> DateTime<Utc> {
        end_of_day(self.last)
    }

    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.start() <= at && at < self.end()
    }

    /// The period as a Chinese heading: 2026年10月, 2026年第四季度, 2026年下半年, 2026年.
    pub fn title(&self) -> String {
        let (y, m1, m2) = (self.first.year(), self.first.month(), self.last.month());
        let whole_months = self.first.day() == 1 && self.last == last_of(self.last.year(), m2);
        if whole_months && self.first.year() == self.last.year() {
            match (m1, m2) {
                (m, n) if m == n => return format!("{y}年{m}月"),
                (1, 12) => return format!("{y}年"),
                (1, 6) => return format!("{y}年上半年"),
                (7, 12) => return format!("{y}年下半年"),
                (m, n) if n == m + 2 && m % 3 == 1 => {
                    return format!("{y}年第{}季度", ["一", "二", "三", "四"][(m / 3) as usize]);
                }
                _ => {}
            }
        }
        format!("{}至{}", self.first.format("%Y年%-m月%-d日"), self.last.format("%Y年%-m月%-d日"))
    }
}

fn first_of(year: i32, month: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, 1).expect("a month's first day")
}

fn last_of(year: i32, month: u32) -> NaiveDate {
    let next = if month == 12 { first_of(year + 1, 1) } else { first_of(year, month + 1) };
    next.pred_opt().expect("a month has a last day")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn every_written_form_gives_its_days() {
        for (written, first, last, title) in [
            ("2026-10", "2026-10-01", "2026-10-31", "2026年10月"),
            ("2026-02", "2026-02-01", "2026-02-28", "2026年2月"),
            ("2028-02", "2028-02-01", "2028-02-29", "2028年2月"),
            ("2026-Q4", "2026-10-01", "2026-12-31", "2026年第四季度"),
            ("2026-Q1", "2026-01-01", "2026-03-31", "2026年第一季度"),
            ("2026-H1", "2026-01-01", "2026-06-30", "2026年上半年"),
            ("2026", "2026-01-01", "2026-12-31", "2026年"),
            ("2026-10-01..2026-10-15", "2026-10-01", "2026-10-15", "2026年10月1日至2026年10月15日"),
        ] {
            let p = Period::parse(written).unwrap();
            assert_eq!((p.first(), p.last(), p.title().as_str()), (d(first), d(last), title), "{written}");
            assert_eq!(p.label(), written);
        }
        // One period, one name, however it is written.
        for (written, label) in
            [("2026-q4", "2026-Q4"), ("2026-10-01..2026-10-31", "2026-10"), (" 2026-10-01 .. 2026-12-31 ", "2026-Q4")]
        {
            assert_eq!(Period::parse(written).unwrap().label(), label, "{written}");
        }
        assert_eq!(Period::parse("2026-10").unwrap().days(), 31);
    }

    #[test]
    fn nonsense_is_refused() {
        for bad in [
            "",
            "2026-13",
            "2026-1",
            "26-10",
            "2026-Q5",
            "2026-10-15..2026-10-01",
            "十月",
            "2026-10-01..x",
            "+262142-12-31..+262142-12-31",
            "0000-01-01..0000-01-02",
        ] {
            assert!(Period::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_period_runs_from_beijing_midnight_to_beijing_midnight() {
        let p = Period::parse("2026-10").unwrap();
        assert_eq!(p.start().to_rfc3339(), "2026-09-30T16:00:00+00:00");
        assert_eq!(p.end().to_rfc3339(), "2026-10-31T16:00:00+00:00");
        let beijing = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
        let late_on_the_31st = beijing.with_ymd_and_hms(2026, 10, 31, 23, 59, 0).unwrap().with_timezone(&Utc);
        assert!(p.contains(late_on_the_31st));
        assert!(!p.contains(p.end()));
        assert_eq!(Period::month_of(d("2026-11-28")), Period::parse("2026-11").unwrap());
    }
}
