//! Working days and deadlines.
//!
//! Time limits for handling a case are counted in working days (工作日), and China moves them
//! around every year: statutory holidays add days off, and some Saturdays and Sundays become
//! working days to make up for them (调休上班). A [`WorkCalendar`] holds those exceptions, parsed
//! from a CSV table (see `data/calendar/README.md`); every day the table does not list follows the
//! weekend rule: Monday to Friday work, Saturday and Sunday rest.
//!
//! Deadlines are instants, but they are set and read as local calendar days of the district, in
//! China Standard Time (UTC+8, no daylight saving). A deadline "by day D" is the end of D, that is
//! 00:00 of D+1 local time.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, TimeDelta, Utc, Weekday};

/// China Standard Time is UTC+8 all year.
const CST_OFFSET: TimeDelta = TimeDelta::hours(8);

/// 00:00 of D+1 in UTC+8 is 16:00 of D in UTC, which keeps `end_of_day` free of date overflow.
const END_OF_DAY_UTC: NaiveTime = match NaiveTime::from_hms_opt(16, 0, 0) {
    Some(time) => time,
    None => panic!("16:00 is a valid time"),
};

/// Up to this many working days `add_working_days` walks day by day; beyond, it jumps first.
const WALK: u32 = 32;

/// Why a holiday table was rejected. Lines are 1-based and the header is line 1.
#[derive(Debug, thiserror::Error)]
pub enum CalendarError {
    #[error("holiday table has no rows")]
    Empty,
    #[error("holiday table, line 1: header is `{found}`, expected `date,kind,name`")]
    Header { found: String },
    #[error("holiday table, line {line}: {source}")]
    Csv { line: u64, source: csv::Error },
    #[error("holiday table, line {line}: `{value}` is not a date (YYYY-MM-DD)")]
    BadDate { line: u64, value: String },
    #[error("holiday table, line {line}: unknown kind `{value}`; expected holiday or workday")]
    UnknownKind { line: u64, value: String },
    #[error("holiday table, line {line}: {date} is a {weekday}, but a `workday` row must be a Saturday or Sunday")]
    WorkdayOnWeekday { line: u64, date: NaiveDate, weekday: Weekday },
    #[error("holiday table, line {line}: {date} is already listed on line {first_line}")]
    Duplicate { line: u64, date: NaiveDate, first_line: u64 },
}

/// A day the table lists: whether it is worked, and what the notice calls it.
#[derive(Debug, Clone)]
struct Listed {
    working: bool,
    name: String,
}

/// The working-day calendar: the weekend rule plus the listed holidays and make-up working days.
#[derive(Debug, Clone)]
pub struct WorkCalendar {
    listed: BTreeMap<NaiveDate, Listed>,
    years: BTreeSet<i32>,
}

impl WorkCalendar {
    /// Parses a `date,kind,name` table: `holiday` is a day off on any day of the week (a weekend
    /// day inside a holiday is listed too), `workday` a Saturday or Sunday that is worked. The name
    /// may be empty.
    pub fn from_csv(text: &str) -> Result<Self, CalendarError> {
        let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text.as_bytes());
        let headers = reader.headers().map_err(|source| CalendarError::Csv { line: 1, source })?;
        if headers.is_empty() {
            return Err(CalendarError::Empty);
        }
        if headers != vec!["date", "kind", "name"] {
            return Err(CalendarError::Header { found: headers.iter().collect::<Vec<_>>().join(",") });
        }

        let mut listed = BTreeMap::new();
        let mut first_lines = HashMap::new();
        let mut record = csv::StringRecord::new();
        let mut lines = LineCounter::new(text);
        loop {
            let line = match reader.read_record(&mut record) {
                Ok(true) => lines.line_at(record.position()),
                Ok(false) => break,
                Err(source) => {
                    // Malformed rows (a missing field) carry their position.
                    return Err(CalendarError::Csv { line: lines.line_at(source.position()), source });
                }
            };
            let value = record.get(0).unwrap_or_default();
            let date = NaiveDate::parse_from_str(value, "%Y-%m-%d")
                .map_err(|_| CalendarError::BadDate { line, value: value.to_owned() })?;
            let working = match record.get(1).unwrap_or_default() {
                "holiday" => false,
                "workday" => true,
                other => return Err(CalendarError::UnknownKind { line, value: other.to_owned() }),
            };
            if working && !is_weekend(date) {
                return Err(CalendarError::WorkdayOnWeekday { line, date, weekday: date.weekday() });
            }
            if let Some(&first_line) = first_lines.get(&date) {
                return Err(CalendarError::Duplicate { line, date, first_line });
            }
            first_lines.insert(date, line);
            listed.insert(date, Listed { working, name: record.get(2).unwrap_or_default().to_owned() });
        }
        if listed.is_empty() {
            return Err(CalendarError::Empty);
        }
        let years = listed.keys().map(|date| date.year()).collect();
        Ok(Self { listed, years })
    }

    /// Years with at least one row, in order. Outside them only the weekend rule applies, so their
    /// holidays are working days here: callers should check [`covers`](Self::covers) before
    /// trusting a deadline in a year whose notice has not been added.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.iter().copied()
    }

    /// Whether the table lists `year` (see [`years`](Self::years)).
    pub fn covers(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    /// Whether `day` is worked: as listed, else Monday to Friday.
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        self.listed.get(&day).map_or(!is_weekend(day), |listed| listed.working)
    }

    /// The holiday's or make-up day's name (春节, 国庆节、中秋节调休上班), if the file names the day.
    pub fn day_name(&self, day: NaiveDate) -> Option<&str> {
        self.listed.get(&day).map(|listed| listed.name.as_str()).filter(|name| !name.is_empty())
    }

    /// The `n`-th working day after `day` (`day` itself not counted); n = 0 gives `day`.
    ///
    /// Saturates at [`NaiveDate::MAX`] instead of overflowing. Always terminates: every step moves
    /// forward, and past the last listed year five days in seven are working days.
    pub fn add_working_days(&self, day: NaiveDate, n: u32) -> NaiveDate {
        let mut day = day;
        let mut left = n;
        // Long spans jump ahead. `left - 1` days hold at most `left - 1` working days, so a jump
        // never passes the target and at least one working day is left for the walk to land on.
        while left > WALK {
            let Some(next) = day.checked_add_days(Days::new(u64::from(left - 1))) else {
                return NaiveDate::MAX;
            };
            left -= self.working_days_between(day, next);
            day = next;
        }
        while left > 0 {
            let Some(next) = day.succ_opt() else {
                return NaiveDate::MAX;
            };
            day = next;
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// Working days in the half-open interval (from, to]: 0 when to <= from.
    ///
    /// Counted without walking: the weekdays by arithmetic, then the listed days in the interval
    /// that change the weekend rule.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        if to <= from {
            return 0;
        }
        let weekdays = weekdays_through(to) - weekdays_through(from);
        let adjustment: i64 = self
            .listed
            .range((Bound::Excluded(from), Bound::Included(to)))
            .map(|(&date, listed)| match (listed.working, is_weekend(date)) {
                (true, true) => 1,
                (false, false) => -1,
                _ => 0,
            })
            .sum();
        u32::try_from(weekdays + adjustment).unwrap_or(u32::MAX)
    }

    /// A stage deadline `n` working days after `start`: the end of the n-th working day after the
    /// local date of start. With n = 0, the end of that local date, worked or not.
    pub fn deadline(&self, start: DateTime<Utc>, working_days: u32) -> DateTime<Utc> {
        end_of_day(self.add_working_days(local_date(start), working_days))
    }

    /// How close `due` is at `now`.
    ///
    /// - Red once `now` is at or past `due`.
    /// - Yellow when `warn_working_days` > 0 and the working days left are at most
    ///   `warn_working_days`. The working days left are those from now's local date through the
    ///   due day, both included, where the due day is the local date of the last instant before
    ///   `due` (so a deadline at the end of D has due day D). Today counts only if it is a working
    ///   day: on the first day of a holiday, a deadline at the end of the first working day after
    ///   it has one working day left and is yellow with warn 1, while one due three working days
    ///   after the holiday stays normal with warn 2.
    /// - Normal otherwise; warn 0 never gives yellow.
    pub fn urgency(&self, due: DateTime<Utc>, now: DateTime<Utc>, warn_working_days: u32) -> Urgency {
        if now >= due {
            return Urgency::Red;
        }
        if warn_working_days == 0 {
            return Urgency::Normal;
        }
        let today = local_date(now);
        // `due > now`, so stepping back a nanosecond cannot underflow and stays on or after today.
        let due_day = local_date(due - TimeDelta::nanoseconds(1));
        let left = self.working_days_between(today, due_day) + u32::from(self.is_working_day(today));
        if left <= warn_working_days { Urgency::Yellow } else { Urgency::Normal }
    }

    /// A deadline moved on by the working days in a pause: the clock stops while the case waits on
    /// a party (等待当事人). The working days paused are the working days in
    /// (local_date(paused_at) .. local_date(resumed_at)], so a pause that starts and ends on one
    /// day moves nothing; returns `due` moved by that many working days, as by [`extend`](Self::extend).
    pub fn extend_for_pause(
        &self,
        due: DateTime<Utc>,
        paused_at: DateTime<Utc>,
        resumed_at: DateTime<Utc>,
    ) -> DateTime<Utc> {
        let paused = self.working_days_between(local_date(paused_at), local_date(resumed_at));
        self.extend(due, paused)
    }

    /// `due` moved by `n` working days (for approved extensions): the end of the n-th working day
    /// after the due day (the local date of the last instant before `due`). n = 0 returns `due`
    /// unchanged.
    pub fn extend(&self, due: DateTime<Utc>, n: u32) -> DateTime<Utc> {
        if n == 0 {
            return due;
        }
        // A deadline at the very start of time has no instant before it; count from its own day.
        let last_instant = due.checked_sub_signed(TimeDelta::nanoseconds(1)).unwrap_or(due);
        end_of_day(self.add_working_days(local_date(last_instant), n))
    }
}

/// Deadlines are kept in local time of the district: China Standard Time, UTC+8, no DST.
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    // The last hours of chrono's range have no local date; they saturate instead of panicking.
    at.naive_utc().checked_add_signed(CST_OFFSET).map_or(NaiveDate::MAX, |local| local.date())
}

/// The end of a local working day as an instant: the deadline "by day D" means before 00:00 of
/// D+1 local, i.e. D+1 00:00 +08:00, which is D 16:00 UTC.
pub fn end_of_day(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(END_OF_DAY_UTC).and_utc()
}

/// How close a deadline is, for the yellow/red marks of inboxes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Normal,
    Yellow,
    Red,
}

impl Urgency {
    /// The stable code, as serialized.
    pub const fn code(self) -> &'static str {
        match self {
            Urgency::Normal => "normal",
            Urgency::Yellow => "yellow",
            Urgency::Red => "red",
        }
    }

    /// The label shown to staff.
    pub const fn label(self) -> &'static str {
        match self {
            Urgency::Normal => "正常",
            Urgency::Yellow => "临期",
            Urgency::Red => "超期",
        }
    }
}

/// Line numbers of records. csv's own `Position::line` lags behind skipped blank lines, so lines
/// are counted in the text, from the byte where csv says a record starts; records come in order,
/// so the count only moves forward.
struct LineCounter<'a> {
    text: &'a [u8],
    counted_to: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        Self { text: text.as_bytes(), counted_to: 0, line: 1 }
    }

    fn line_at(&mut self, position: Option<&csv::Position>) -> u64 {
        let Some(position) = position else { return self.line };
        // The position may point at the line break ending the previous record, and blank lines
        // before the record: skip them to its first byte.
        let byte = usize::try_from(position.byte()).unwrap_or(usize::MAX).min(self.text.len());
        let start = byte + self.text[byte..].iter().take_while(|&&b| matches!(b, b'\r' | b'\n')).count();
        if start > self.counted_to {
            let newlines = self.text[self.counted_to..start].iter().filter(|&&b| b == b'\n').count();
            self.line += newlines as u64;
            self.counted_to = start;
        }
        self.line
    }
}

fn is_weekend(day: NaiveDate) -> bool {
    matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Monday to Friday days from a fixed origin through `day`, so that differences count the
/// weekdays of an interval. Day 1 of the common era (0001-01-01) is a Monday, so every block of
/// seven days from there holds five weekdays and a partial block's first five days are weekdays.
fn weekdays_through(day: NaiveDate) -> i64 {
    let n = i64::from(day.num_days_from_ce());
    n.div_euclid(7) * 5 + n.rem_euclid(7).min(5)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::defaults::CN_PUBLIC_HOLIDAYS;

    fn cal() -> WorkCalendar {
        WorkCalendar::from_csv(CN_PUBLIC_HOLIDAYS).expect("the embedded calendar parses")
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// An instant written with its offset, e.g. `2025-01-24T17:00:00Z` or `…+08:00`.
    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    /// The reference implementation: one day at a time.
    fn walk(cal: &WorkCalendar, day: NaiveDate, n: u32) -> NaiveDate {
        let mut day = day;
        let mut left = n;
        while left > 0 {
            day = day.succ_opt().unwrap();
            if cal.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    fn days_of(from: &str, to: &str) -> impl Iterator<Item = NaiveDate> {
        d(from).iter_days().take_while(move |day| *day <= d(to))
    }

    #[test]
    fn calendar_embedded_file_parses_and_covers_2025_2026() {
        let cal = crate::defaults::calendar().unwrap();
        assert_eq!(cal.years().collect::<Vec<_>>(), vec![2025, 2026]);
        assert!(cal.covers(2025) && cal.covers(2026) && !cal.covers(2024) && !cal.covers(2027));
        assert_eq!(cal.day_name(d("2025-01-29")), Some("春节"));
        assert_eq!(cal.day_name(d("2025-09-28")), Some("国庆节、中秋节调休上班"));
        assert_eq!(cal.day_name(d("2025-03-03")), None);
        // Uncovered years follow the weekend rule only: 2024-10-01 (a Tuesday, really a holiday)
        // counts as worked, 2027-01-02 (a Saturday) as rest.
        assert!(cal.is_working_day(d("2024-10-01")));
        assert!(!cal.is_working_day(d("2027-01-02")));
    }

    #[test]
    fn calendar_weekday_arithmetic_matches_weekday() {
        // The closed form behind `working_days_between` agrees with chrono's weekday, including
        // before the common era and at the ends of the date range.
        let samples = days_of("2024-12-01", "2027-02-01")
            .chain(days_of("-0001-12-01", "0001-01-31"))
            .chain([NaiveDate::MIN.succ_opt().unwrap(), NaiveDate::MAX]);
        for day in samples {
            let step = weekdays_through(day) - weekdays_through(day.pred_opt().unwrap());
            assert_eq!(step == 1, !is_weekend(day), "{day}");
        }
    }

    #[test]
    fn calendar_spring_festival_2025() {
        let cal = cal();
        // Friday 01-24 + 3: 01-25 Sat rest; 01-26 Sun make-up day (1); 01-27 Mon (2);
        // 01-28 Tue .. 02-04 Tue holiday; 02-05 Wed (3).
        assert!(cal.is_working_day(d("2025-01-26")));
        assert!(cal.is_working_day(d("2025-01-27")));
        assert!(days_of("2025-01-28", "2025-02-04").all(|day| !cal.is_working_day(day)));
        assert_eq!(cal.add_working_days(d("2025-01-24"), 1), d("2025-01-26"));
        assert_eq!(cal.add_working_days(d("2025-01-24"), 2), d("2025-01-27"));
        assert_eq!(cal.add_working_days(d("2025-01-24"), 3), d("2025-02-05"));
        assert_eq!(cal.add_working_days(d("2025-01-24"), 0), d("2025-01-24"));
        // From inside the holiday the first working day is the Wednesday after it.
        assert_eq!(cal.add_working_days(d("2025-01-30"), 1), d("2025-02-05"));
    }

    #[test]
    fn calendar_saturday_make_up_day_after_spring_festival_2025() {
        let cal = cal();
        // Friday 02-07 + 5: 02-08 Sat make-up day (1); 02-09 Sun rest; 02-10 Mon (2), 02-11 (3),
        // 02-12 (4), 02-13 Thu (5). Without the make-up day it would be Friday 02-14.
        assert!(cal.is_working_day(d("2025-02-08")));
        assert_eq!(cal.add_working_days(d("2025-02-07"), 1), d("2025-02-08"));
        assert_eq!(cal.add_working_days(d("2025-02-07"), 5), d("2025-02-13"));
    }

    #[test]
    fn calendar_national_day_2025() {
        let cal = cal();
        // 09-28 is a Sunday make-up day: Friday 09-26 + 1 is 09-28.
        assert_eq!(cal.add_working_days(d("2025-09-26"), 1), d("2025-09-28"));
        // Sun 09-28 + 3: 09-29 Mon (1), 09-30 Tue (2); 10-01 Wed .. 10-08 Wed holiday;
        // 10-09 Thu (3).
        assert_eq!(cal.add_working_days(d("2025-09-28"), 3), d("2025-10-09"));
        // Tue 09-30 + 3: 10-09 Thu (1), 10-10 Fri (2), 10-11 Sat make-up (3).
        assert_eq!(cal.add_working_days(d("2025-09-30"), 3), d("2025-10-11"));
        // + 4: 10-12 Sun rest, 10-13 Mon (4).
        assert_eq!(cal.add_working_days(d("2025-09-30"), 4), d("2025-10-13"));
        assert_eq!(cal.working_days_between(d("2025-09-30"), d("2025-10-08")), 0);
    }

    #[test]
    fn calendar_mid_autumn_and_national_day_2026() {
        let cal = cal();
        // Fri 09-18 + 1: 09-19 Sat rest, 09-20 Sun make-up day.
        assert_eq!(cal.add_working_days(d("2026-09-18"), 1), d("2026-09-20"));
        // Thu 09-24 + 1: 09-25 Fri .. 09-27 Sun 中秋; 09-28 Mon.
        assert!(!cal.is_working_day(d("2026-09-25")));
        assert_eq!(cal.day_name(d("2026-09-25")), Some("中秋节"));
        assert_eq!(cal.add_working_days(d("2026-09-24"), 1), d("2026-09-28"));
        // Mon 09-28 + 3: 09-29 Tue (1), 09-30 Wed (2); 10-01 Thu .. 10-07 Wed holiday;
        // 10-08 Thu (3).
        assert_eq!(cal.add_working_days(d("2026-09-28"), 3), d("2026-10-08"));
        // + 5: 10-09 Fri (4), 10-10 Sat make-up (5).
        assert_eq!(cal.add_working_days(d("2026-09-28"), 5), d("2026-10-10"));
        // Sun 09-20 (worked) to Sat 10-10 (worked): 09-21..09-24 (4), 09-28..09-30 (3),
        // 10-08, 10-09, 10-10 (3) = 10.
        assert_eq!(cal.working_days_between(d("2026-09-20"), d("2026-10-10")), 10);
    }

    #[test]
    fn calendar_spring_festival_2026() {
        let cal = cal();
        // Fri 02-13 + 1: 02-14 Sat make-up day.
        assert_eq!(cal.add_working_days(d("2026-02-13"), 1), d("2026-02-14"));
        // Sat 02-14 + 1: 02-15 Sun .. 02-23 Mon holiday; 02-24 Tue.
        assert!(days_of("2026-02-15", "2026-02-23").all(|day| !cal.is_working_day(day)));
        assert_eq!(cal.add_working_days(d("2026-02-14"), 1), d("2026-02-24"));
        // Tue 02-24 + 4: 02-25 Wed (1), 02-26 (2), 02-27 Fri (3), 02-28 Sat make-up (4).
        assert_eq!(cal.add_working_days(d("2026-02-24"), 4), d("2026-02-28"));
        // + 5: 03-01 Sun rest, 03-02 Mon (5).
        assert_eq!(cal.add_working_days(d("2026-02-24"), 5), d("2026-03-02"));
    }

    #[test]
    fn calendar_new_year_2026() {
        let cal = cal();
        // Wed 2025-12-31 + 1: 01-01 Thu .. 01-03 Sat holiday; 01-04 Sun make-up day.
        assert_eq!(cal.add_working_days(d("2025-12-31"), 1), d("2026-01-04"));
        // + 2: 01-05 Mon.
        assert_eq!(cal.add_working_days(d("2025-12-31"), 2), d("2026-01-05"));
        assert_eq!(cal.day_name(d("2026-01-04")), Some("元旦调休上班"));
    }

    #[test]
    fn calendar_working_days_between_inverts_add_working_days() {
        let cal = cal();
        for day in days_of("2025-01-01", "2026-12-31") {
            for n in 0..30 {
                let end = cal.add_working_days(day, n);
                assert_eq!(end, walk(&cal, day, n), "{day} + {n}");
                assert_eq!(cal.working_days_between(day, end), n, "{day} + {n} = {end}");
            }
        }
        assert_eq!(cal.working_days_between(d("2025-02-05"), d("2025-01-24")), 0);
        assert_eq!(cal.working_days_between(d("2025-02-05"), d("2025-02-05")), 0);
    }

    #[test]
    fn calendar_long_spans_jump_to_the_same_day_as_a_walk() {
        let cal = cal();
        for day in days_of("2024-12-20", "2025-01-10").chain(days_of("2026-09-15", "2026-10-05")) {
            for n in [33, 40, 100, 250, 600] {
                assert_eq!(cal.add_working_days(day, n), walk(&cal, day, n), "{day} + {n}");
            }
        }
        // 2025 has 248 working days (261 weekdays + 5 make-up days - 18 weekday holidays); from
        // the last day of 2024, the 248th is the last working day of 2025, Wednesday 12-31.
        assert_eq!(cal.working_days_between(d("2024-12-31"), d("2025-12-31")), 248);
        assert_eq!(cal.add_working_days(d("2024-12-31"), 248), d("2025-12-31"));
        // Huge inputs end, saturating at the end of time.
        assert_eq!(cal.add_working_days(d("2025-01-01"), u32::MAX), NaiveDate::MAX);
        assert_eq!(cal.add_working_days(NaiveDate::MAX, 1), NaiveDate::MAX);
    }

    #[test]
    fn calendar_deadlines_count_from_the_local_date() {
        let cal = cal();
        // Deadline "by D" is D+1 00:00 +08:00.
        assert_eq!(end_of_day(d("2025-02-05")), at("2025-02-06T00:00:00+08:00"));
        assert_eq!(end_of_day(d("2025-02-05")), at("2025-02-05T16:00:00Z"));
        // 17:00Z on Friday 01-24 is 01:00 on Saturday 01-25 local: counting starts from 01-25.
        // 01-26 Sun make-up (1), 01-27 Mon (2), holiday to 02-04, 02-05 Wed (3).
        let registered = at("2025-01-24T17:00:00Z");
        assert_eq!(local_date(registered), d("2025-01-25"));
        assert_eq!(cal.deadline(registered, 3), at("2025-02-06T00:00:00+08:00"));
        assert_eq!(cal.deadline(registered, 0), at("2025-01-26T00:00:00+08:00"));
        // Where the shift changes the result: 16:30Z on Sunday 01-26 is 00:30 on Monday 01-27
        // local, so one working day later is 02-05, not Monday 01-27 as UTC would say.
        assert_eq!(cal.deadline(at("2025-01-26T16:30:00Z"), 1), end_of_day(d("2025-02-05")));
        assert_eq!(cal.deadline(at("2025-01-26T15:59:59Z"), 1), end_of_day(d("2025-01-27")));
        // The ends of chrono's range do not panic.
        assert_eq!(local_date(DateTime::<Utc>::MAX_UTC), NaiveDate::MAX);
        assert_eq!(cal.deadline(DateTime::<Utc>::MAX_UTC, 3), end_of_day(NaiveDate::MAX));
        assert_eq!(cal.extend(DateTime::<Utc>::MIN_UTC, 1), end_of_day(cal.add_working_days(NaiveDate::MIN, 1)));
        // And 17:00Z on Thursday 01-23 is Friday 01-24 local: + 1 is the make-up Sunday 01-26.
        assert_eq!(cal.deadline(at("2025-01-23T17:00:00Z"), 1), end_of_day(d("2025-01-26")));
    }

    #[test]
    fn calendar_urgency_red_yellow_normal() {
        let cal = cal();
        // Due by Wednesday 2025-03-05 (an ordinary week).
        let due = end_of_day(d("2025-03-05"));
        assert_eq!(cal.urgency(due, due, 2), Urgency::Red);
        assert_eq!(cal.urgency(due, at("2025-03-06T09:00:00+08:00"), 2), Urgency::Red);
        // The last second of 03-05: one working day left (today).
        assert_eq!(cal.urgency(due, at("2025-03-05T23:59:59+08:00"), 1), Urgency::Yellow);
        // Tuesday 03-04: 03-04 and 03-05 left = 2.
        assert_eq!(cal.urgency(due, at("2025-03-04T09:00:00+08:00"), 1), Urgency::Normal);
        assert_eq!(cal.urgency(due, at("2025-03-04T09:00:00+08:00"), 2), Urgency::Yellow);
        // Monday 03-03: 3 left.
        assert_eq!(cal.urgency(due, at("2025-03-03T09:00:00+08:00"), 2), Urgency::Normal);
        // Warn 0 never gives yellow.
        assert_eq!(cal.urgency(due, at("2025-03-05T09:00:00+08:00"), 0), Urgency::Normal);
        // A due instant inside a day: due at 12:00 on 03-05 has due day 03-05.
        let noon = at("2025-03-05T12:00:00+08:00");
        assert_eq!(cal.urgency(noon, at("2025-03-04T18:00:00+08:00"), 1), Urgency::Normal);
        assert_eq!(cal.urgency(noon, at("2025-03-05T08:00:00+08:00"), 1), Urgency::Yellow);
        // Weekends do not count: due by Monday 03-10, on Saturday 03-08 only Monday is left.
        let monday = end_of_day(d("2025-03-10"));
        assert_eq!(cal.urgency(monday, at("2025-03-08T10:00:00+08:00"), 1), Urgency::Yellow);
        assert_eq!(cal.urgency(monday, at("2025-03-07T10:00:00+08:00"), 1), Urgency::Normal);
        assert_eq!(Urgency::Yellow.code(), "yellow");
        assert_eq!(Urgency::Red.label(), "超期");
        assert_eq!(serde_json::to_string(&Urgency::Normal).unwrap(), "\"normal\"");
    }

    #[test]
    fn calendar_urgency_across_spring_festival_2025() {
        let cal = cal();
        // Due by Wednesday 02-05, the first working day after the holiday (01-28..02-04).
        let due = end_of_day(d("2025-02-05"));
        // Monday 01-27: 01-27 and 02-05 left = 2 > 1.
        assert_eq!(cal.urgency(due, at("2025-01-27T10:00:00+08:00"), 1), Urgency::Normal);
        // First holiday day 01-28: today is not worked, only 02-05 is left = 1 -> yellow with warn 1,
        // and it stays yellow for the whole holiday.
        assert_eq!(cal.urgency(due, at("2025-01-28T10:00:00+08:00"), 1), Urgency::Yellow);
        assert_eq!(cal.urgency(due, at("2025-02-04T23:00:00+08:00"), 1), Urgency::Yellow);
        // Due by Friday 02-07: on 01-28, 02-05, 02-06, 02-07 are left = 3 > 2: normal for the
        // whole holiday, yellow from Thursday 02-06 (02-06, 02-07).
        let friday = end_of_day(d("2025-02-07"));
        assert_eq!(cal.urgency(friday, at("2025-01-28T10:00:00+08:00"), 2), Urgency::Normal);
        assert_eq!(cal.urgency(friday, at("2025-02-04T10:00:00+08:00"), 2), Urgency::Normal);
        assert_eq!(cal.urgency(friday, at("2025-02-05T10:00:00+08:00"), 2), Urgency::Normal);
        assert_eq!(cal.urgency(friday, at("2025-02-06T10:00:00+08:00"), 2), Urgency::Yellow);
        assert_eq!(cal.urgency(friday, at("2025-02-08T00:00:00+08:00"), 2), Urgency::Red);
    }

    #[test]
    fn calendar_extend_for_pause_over_spring_festival_2025() {
        let cal = cal();
        // Due by Friday 02-07. Paused Monday 01-27 10:00, resumed Thursday 02-06 09:00 local.
        // Paused working days in (01-27, 02-06]: 01-28..02-04 holiday, 02-05 and 02-06 = 2.
        let due = end_of_day(d("2025-02-07"));
        let paused = at("2025-01-27T10:00:00+08:00");
        let resumed = at("2025-02-06T09:00:00+08:00");
        assert_eq!(cal.working_days_between(local_date(paused), local_date(resumed)), 2);
        // 02-07 + 2: 02-08 Sat make-up (1), 02-09 Sun rest, 02-10 Mon (2).
        assert_eq!(cal.extend_for_pause(due, paused, resumed), end_of_day(d("2025-02-10")));
        // Paused only over the holiday (01-27 evening to 02-04 evening): nothing is worked in
        // (01-27, 02-04], so nothing moves.
        let over_holiday = cal.extend_for_pause(due, at("2025-01-27T20:00:00+08:00"), at("2025-02-04T20:00:00+08:00"));
        assert_eq!(over_holiday, due);
        // A pause within one day moves nothing, not even to the end of the day.
        let odd_due = at("2025-02-07T12:00:00+08:00");
        let same_day = cal.extend_for_pause(odd_due, at("2025-02-05T09:00:00+08:00"), at("2025-02-05T17:00:00+08:00"));
        assert_eq!(same_day, odd_due);
        // A resume before the pause (bad data) moves nothing either.
        assert_eq!(cal.extend_for_pause(due, resumed, paused), due);
    }

    #[test]
    fn calendar_extend_moves_by_working_days() {
        let cal = cal();
        // Due by Monday 01-27 + 1: holiday to 02-04, then 02-05.
        assert_eq!(cal.extend(end_of_day(d("2025-01-27")), 1), end_of_day(d("2025-02-05")));
        // A mid-day due moves from its own day: 02-07 12:00 + 1 is the make-up Saturday 02-08.
        assert_eq!(cal.extend(at("2025-02-07T12:00:00+08:00"), 1), end_of_day(d("2025-02-08")));
        assert_eq!(cal.extend(end_of_day(d("2025-01-27")), 0), end_of_day(d("2025-01-27")));
    }

    #[test]
    fn calendar_rejects_bad_rows_with_their_line() {
        let header = "date,kind,name\n";
        let parse = |body: &str| WorkCalendar::from_csv(&format!("{header}{body}")).unwrap_err();

        assert!(matches!(WorkCalendar::from_csv(""), Err(CalendarError::Empty)));
        assert!(matches!(WorkCalendar::from_csv(header), Err(CalendarError::Empty)));
        assert!(matches!(
            WorkCalendar::from_csv("day,kind,name\n2025-01-01,holiday,元旦\n"),
            Err(CalendarError::Header { .. })
        ));
        let err = parse("2025-01-01,holiday,元旦\n2025-02-30,holiday,春节\n");
        assert!(matches!(&err, CalendarError::BadDate { line: 3, value } if value == "2025-02-30"), "{err}");
        assert!(err.to_string().contains("line 3"), "{err}");
        let err = parse("2025-01-01,vacation,元旦\n");
        assert!(matches!(&err, CalendarError::UnknownKind { line: 2, value } if value == "vacation"), "{err}");
        // 2025-01-27 is a Monday: a make-up working day must fall on a weekend.
        let err = parse("2025-01-01,holiday,元旦\n\n2025-01-27,workday,春节调休上班\n");
        assert!(
            matches!(err, CalendarError::WorkdayOnWeekday { line: 4, weekday: Weekday::Mon, .. }),
            "blank lines still count: {err}"
        );
        let err = parse("2025-01-01,holiday,元旦\n2025-01-26,workday,x\n2025-01-01,holiday,元旦\n");
        assert!(matches!(err, CalendarError::Duplicate { line: 4, first_line: 2, .. }), "{err}");
        let err = parse("2025-01-01,holiday\n");
        assert!(matches!(err, CalendarError::Csv { line: 2, .. }), "{err}");
        let err = parse("2025-01-01,holiday,元旦\n\n\n2025-01-02,holiday\n");
        assert!(matches!(err, CalendarError::Csv { line: 5, .. }), "{err}");
        // Windows line ends and a blank line after the header.
        let err = WorkCalendar::from_csv("date,kind,name\r\n\r\n2025-01-27,workday,x\r\n").unwrap_err();
        assert!(matches!(err, CalendarError::WorkdayOnWeekday { line: 3, .. }), "{err}");

        // Holidays may fall on weekends (adjusted rest days), and a name may be empty.
        let cal =
            WorkCalendar::from_csv(&format!("{header}2025-02-01,holiday,\n2025-02-08,workday,春节调休上班\n")).unwrap();
        assert!(!cal.is_working_day(d("2025-02-01")));
        assert_eq!(cal.day_name(d("2025-02-01")), None);
        assert!(cal.is_working_day(d("2025-02-08")));
    }

    #[test]
    fn calendar_a_long_listed_holiday_cannot_hang_the_walk() {
        // A (silly) table that rests every day of 2025: counting still ends, in 2026.
        let rows: String = days_of("2025-01-01", "2025-12-31").map(|day| format!("{day},holiday,\n")).collect();
        let cal = WorkCalendar::from_csv(&format!("date,kind,name\n{rows}")).unwrap();
        assert_eq!(cal.add_working_days(d("2024-12-31"), 1), d("2026-01-01"));
        assert_eq!(cal.add_working_days(d("2024-12-31"), 100), walk(&cal, d("2024-12-31"), 100));
    }
}
