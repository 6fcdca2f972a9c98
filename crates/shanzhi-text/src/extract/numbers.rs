//! Numbers as Chinese texts write them: `3.2万`, `4000万`, `12,000`, `两千多`, `伍万`, `三十七`,
//! `一万二`, `十几万`.

/// Digit value of a Chinese numeral character (common and financial forms).
pub(crate) fn digit(c: char) -> Option<f64> {
    Some(match c {
        '零' | '〇' => 0.0,
        '一' | '壹' | '幺' => 1.0,
        '二' | '两' | '贰' => 2.0,
        '三' | '叁' => 3.0,
        '四' | '肆' => 4.0,
        '五' | '伍' => 5.0,
        '六' | '陆' => 6.0,
        '七' | '柒' => 7.0,
        '八' | '捌' => 8.0,
        '九' | '玖' => 9.0,
        _ => return None,
    })
}

/// Multiplier of a unit character.
pub(crate) fn unit(c: char) -> Option<f64> {
    Some(match c {
        '十' | '拾' => 10.0,
        '百' | '佰' => 100.0,
        '千' | '仟' => 1000.0,
        '万' | '萬' => 10_000.0,
        '亿' => 100_000_000.0,
        _ => return None,
    })
}

/// `余`, `多`, `几`, `来`: "more than"; they qualify a number without changing its base.
pub(crate) fn is_approximation(c: char) -> bool {
    matches!(c, '余' | '多' | '几' | '来')
}

/// The value of a number phrase, or `None` if it is not one. Approximation marks count for
/// nothing (`两千多` → 2000, `十几万` → 100000); of two adjacent digits (`三四十`, a range) the
/// first is kept.
pub fn parse_number(phrase: &str) -> Option<f64> {
    let chars: Vec<char> = phrase.chars().collect();
    let mut total = 0.0; // completed 亿 and 万 sections
    let mut section = 0.0; // below 万
    let mut number: Option<f64> = None; // the pending digit or Arabic number
    let mut last_unit = 1.0;
    // `一万二`: a digit straight after a unit, with nothing after it, counts in the unit below.
    let mut digit_after_unit = false;
    let mut saw_any = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() {
            // An Arabic number, with thousands separators and a decimal point.
            let start = i;
            while i < chars.len() {
                let separator = chars[i] == ',' && chars.get(i + 1).is_some_and(char::is_ascii_digit);
                if chars[i].is_ascii_digit() || chars[i] == '.' || separator {
                    i += 1;
                } else {
                    break;
                }
            }
            let text: String = chars[start..i].iter().filter(|c| **c != ',').collect();
            // Beyond 15 digits a figure is no amount anyone stated, and f64 would round it.
            if text.chars().filter(char::is_ascii_digit).count() > 15 {
                return None;
            }
            number = Some(text.trim_end_matches('.').parse().ok()?);
            // `1万2`: a lone digit straight after a unit, like `一万二`.
            digit_after_unit = i - start == 1 && start > 0 && unit(chars[start - 1]).is_some();
            saw_any = true;
            continue;
        }
        let previous = i.checked_sub(1).map(|p| chars[p]);
        // `三点二万`: 点 is a decimal point between Chinese digits.
        if c == '点' && number.is_some() && chars.get(i + 1).and_then(|n| digit(*n)).is_some() {
            let mut fraction = 0.0;
            let mut scale = 0.1;
            i += 1;
            while let Some(d) = chars.get(i).and_then(|n| digit(*n)) {
                fraction += d * scale;
                scale /= 10.0;
                i += 1;
            }
            number = number.map(|n| n + fraction);
            digit_after_unit = false;
            continue;
        }
        if let Some(d) = digit(c) {
            // `三四十` is a range: the second of two non-zero digits is dropped.
            let range = previous.and_then(digit).is_some_and(|p| p != 0.0) && d != 0.0;
            if !range {
                number = Some(d);
                digit_after_unit = previous.and_then(unit).is_some();
            }
            saw_any = true;
        } else if let Some(u) = unit(c) {
            saw_any = true;
            if u >= 10_000.0 {
                section += number.take().unwrap_or(0.0);
                if section == 0.0 && total == 0.0 {
                    section = 1.0; // `万` alone is ten thousand
                }
                if u == 100_000_000.0 {
                    total = (total + section) * u;
                } else {
                    total += section * u;
                }
                section = 0.0;
            } else {
                section += number.take().unwrap_or(1.0) * u;
            }
            last_unit = u;
            digit_after_unit = false;
        } else if !(is_approximation(c) || c == ',' || c == '，') {
            return None;
        }
        i += 1;
    }
    if !saw_any {
        return None;
    }
    let tail = match number {
        Some(d) if digit_after_unit && last_unit >= 100.0 => d * last_unit / 10.0,
        Some(n) => n,
        None => 0.0,
    };
    Some(total + section + tail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_chinese_and_mixed() {
        for (phrase, value) in [
            ("32000", 32000.0),
            ("12,000", 12000.0),
            ("1,250,000", 1_250_000.0),
            ("3.2万", 32000.0),
            ("4000万", 40_000_000.0),
            ("1.5亿", 150_000_000.0),
            ("5千", 5000.0),
            ("三万五千", 35000.0),
            ("八百", 800.0),
            ("两千多", 2000.0),
            ("十几万", 100_000.0),
            ("伍万", 50000.0),
            ("壹拾贰万", 120_000.0),
            ("三十七", 37.0),
            ("十五", 15.0),
            ("二十多", 20.0),
            ("三四十", 30.0),
            ("一万二", 12000.0),
            ("8000余", 8000.0),
            ("4000万余", 40_000_000.0),
            ("一百零五", 105.0),
            ("1万2", 12000.0),
            ("3千5", 3500.0),
            ("1万5", 15000.0),
            ("三点二万", 32000.0),
            ("两万五", 25000.0),
        ] {
            assert_eq!(parse_number(phrase), Some(value), "{phrase}");
        }
    }

    #[test]
    fn not_numbers() {
        assert_eq!(parse_number(""), None);
        assert_eq!(parse_number("余"), None);
        assert_eq!(parse_number("三号楼"), None);
        assert_eq!(parse_number(&"9".repeat(400)), None);
    }
}
