//! Calendar dates: `2026年3月12日`, `2026-03-12`, `2026.3.12`, `2026/3/12`, `3月12日`, `3月12号`.
//! A date without a year is written `--MM-DD` (ISO 8601's form for it).

use chrono::NaiveDate;

/// Dates in order of appearance, as `YYYY-MM-DD` or `--MM-DD`.
pub fn dates(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let number = |i: usize, max_len: usize| -> Option<(u32, usize)> {
        let len = chars[i..].iter().take(max_len).take_while(|c| c.is_ascii_digit()).count();
        if len == 0 {
            return None;
        }
        let s: String = chars[i..i + len].iter().collect();
        Some((s.parse().ok()?, i + len))
    };
    while i < chars.len() {
        if !chars[i].is_ascii_digit() || (i > 0 && chars[i - 1].is_ascii_digit()) {
            i += 1;
            continue;
        }
        // year-month-day with a separator, or 年月日
        if let Some((year, j)) = number(i, 4).filter(|(_, j)| j - i == 4)
            && let Some(&sep) = chars.get(j)
            && matches!(sep, '-' | '.' | '/' | '年')
            && let Some((month, k)) = number(j + 1, 2)
            && chars.get(k) == Some(&if sep == '年' { '月' } else { sep })
            && let Some((day, l)) = number(k + 1, 2)
            && !chars.get(l).is_some_and(char::is_ascii_digit)
            && (sep != '年' || matches!(chars.get(l), Some('日' | '号')))
            && let Some(date) = NaiveDate::from_ymd_opt(year as i32, month, day)
        {
            out.push(date.format("%Y-%m-%d").to_string());
            i = if sep == '年' { l + 1 } else { l };
            continue;
        }
        // 月日 without a year
        if let Some((month, j)) = number(i, 2)
            && chars.get(j) == Some(&'月')
            && let Some((day, k)) = number(j + 1, 2)
            && matches!(chars.get(k), Some('日' | '号'))
            && NaiveDate::from_ymd_opt(2024, month, day).is_some()
        {
            out.push(format!("--{month:02}-{day:02}"));
            i = k + 1;
            continue;
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_and_yearless_dates() {
        assert_eq!(
            dates("2026年3月12日报警，2025.11.3曾调解，约定2024-07-01还款，3月15号再谈"),
            ["2026-03-12", "2025-11-03", "2024-07-01", "--03-15"]
        );
    }

    #[test]
    fn months_and_impossible_dates_are_not_dates() {
        assert!(dates("2025年3月以来，2026年2月30日，共3个月，编号2026-03-123").is_empty());
    }
}
