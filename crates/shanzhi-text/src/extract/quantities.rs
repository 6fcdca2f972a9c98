//! Money amounts and head-counts in free text.

use super::numbers::{digit, is_approximation, parse_number, unit};

/// A number phrase of the text and what follows it.
struct Phrase {
    value: f64,
    /// The phrase ends with 万 or 亿 (before any 余/多).
    large_unit: bool,
    /// It has a digit or starts with 十, not only units (`千万` is an adverb, not a number).
    has_digit: bool,
    before: String,
    after: String,
}

fn starts_number(c: char) -> bool {
    c.is_ascii_digit() || digit(c).is_some() || c == '十' || c == '拾'
}

/// Every number phrase with a few characters of context on each side.
fn phrases(text: &str) -> Vec<Phrase> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !starts_number(chars[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() {
            let c = chars[i];
            let between_digits = |p: Option<&char>, n: Option<&char>| {
                p.is_some_and(char::is_ascii_digit) && n.is_some_and(char::is_ascii_digit)
            };
            let ok = c.is_ascii_digit()
                || digit(c).is_some()
                || unit(c).is_some()
                || is_approximation(c)
                || (c == '点' && i > start && chars.get(i + 1).is_some_and(|n| digit(*n).is_some()))
                || ((c == ',' || c == '.') && between_digits(chars.get(i.wrapping_sub(1)), chars.get(i + 1)));
            if !ok {
                break;
            }
            i += 1;
        }
        let run: String = chars[start..i].iter().collect();
        if let Some(value) = parse_number(&run) {
            let core = run.trim_end_matches(is_approximation);
            out.push(Phrase {
                value,
                large_unit: core.contains(['万', '亿', '萬']),
                has_digit: run.chars().any(|c| c.is_ascii_digit() || digit(c).is_some())
                    || run.starts_with(['十', '拾']),
                before: chars[start.saturating_sub(3)..start].iter().collect(),
                after: chars[i..(i + 3).min(chars.len())].iter().collect(),
            });
        }
    }
    out
}

const CURRENCY_AFTER: [&str; 5] = ["元", "块", "圆", "塊", "人民币"];
const CURRENCY_BEFORE: [&str; 3] = ["人民币", "￥", "¥"];
/// What may follow a head-count.
const PEOPLE_COUNTERS: [&str; 5] = ["人", "名", "户", "位", "个人"];
/// Counters that show a number is not money even after 万 (`一万平方米`, `3万个`).
const OTHER_COUNTERS: &str = "个平亩米斤吨辆次年月日天件套间栋层号岁公里步株棵头只";

/// Money amounts in yuan, in order of appearance.
pub fn amounts(text: &str) -> Vec<f64> {
    phrases(text)
        .into_iter()
        .filter(|p| p.has_digit)
        .filter(|p| {
            // `两块玻璃`, `一块地`: 块 counts pieces too; as money it is 块钱 or at least ten yuan.
            let pieces = p.after.starts_with('块') && !p.after.starts_with("块钱") && p.value < 10.0;
            let currency = (CURRENCY_AFTER.iter().any(|c| p.after.starts_with(c)) && !pieces)
                || CURRENCY_BEFORE.iter().any(|c| p.before.ends_with(c));
            let bare_large = p.large_unit
                && !p.after.starts_with(|c: char| OTHER_COUNTERS.contains(c))
                && !PEOPLE_COUNTERS.iter().any(|c| p.after.starts_with(c));
            currency || bare_large
        })
        .map(|p| (p.value * 100.0).round() / 100.0)
        .collect()
}

/// Head-counts of people or households, in order of appearance.
pub fn head_counts(text: &str) -> Vec<u64> {
    phrases(text)
        .into_iter()
        .filter(|p| p.has_digit && p.value >= 1.0 && p.value.fract() == 0.0)
        // `5万人民币`, `第五人民医院`, `3000人次` are not people.
        .filter(|p| {
            PEOPLE_COUNTERS.iter().any(|c| p.after.starts_with(c))
                && !p.after.starts_with("人民")
                && !p.after.starts_with("人次")
        })
        .map(|p| p.value as u64)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_in_every_written_form() {
        let cases: [(&str, &[f64]); 10] = [
            ("拖欠工资3.2万元", &[32000.0]),
            ("学费4000万余元待退", &[40_000_000.0]),
            ("赔偿人民币伍万元整", &[50000.0]),
            ("货款12,000元未付", &[12000.0]),
            ("借了两千多块", &[2000.0]),
            ("欠了十几万，还有八百块钱", &[100_000.0, 800.0]),
            ("要求赔偿2万至3万元", &[20000.0, 30000.0]),
            ("房租3000元/月", &[3000.0]),
            ("涉案1.5亿元", &[150_000_000.0]),
            ("千万不要拖", &[]),
        ];
        for (text, expected) in cases {
            assert_eq!(amounts(text), expected, "{text}");
        }
        let cases: [(&str, &[f64]); 6] = [
            ("借款5万人民币", &[50000.0]),
            ("欠了两万五没还", &[25000.0]),
            ("借了他1万5块钱", &[15000.0]),
            ("涉案金额三点二万元", &[32000.0]),
            ("少找了5块钱", &[5.0]),
            ("每天走1万步，种了3万株", &[]),
        ];
        for (text, expected) in cases {
            assert_eq!(amounts(text), expected, "{text}");
        }
    }

    #[test]
    fn numbers_that_are_not_money() {
        for text in ["3号楼502室", "面积120平方米", "2026年3月12日", "第3次来访", "18岁", "拨打110", "10万平方米厂房"]
        {
            assert!(amounts(text).is_empty(), "{text}: {:?}", amounts(text));
        }
    }

    #[test]
    fn head_counts_in_every_written_form() {
        let cases: [(&str, &[u64]); 7] = [
            ("学员8000余人", &[8000]),
            ("二十多户村民", &[20]),
            ("涉及工人37名", &[37]),
            ("十余名工人", &[10]),
            ("两人发生口角", &[2]),
            ("三四十人聚集", &[30]),
            ("1250000元", &[]),
        ];
        for (text, expected) in cases {
            assert_eq!(head_counts(text), expected, "{text}");
        }
        let cases: [(&str, &[u64]); 3] = [("借款5万人民币", &[]), ("在区第五人民医院就诊", &[]), ("接待3000人次", &[])];
        for (text, expected) in cases {
            assert_eq!(head_counts(text), expected, "{text}");
        }
    }
}
