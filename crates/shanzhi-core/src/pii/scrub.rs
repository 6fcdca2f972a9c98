//! Masking of ID and phone numbers that appear inside free text.

use super::{IdNumber, PhoneNumber};

/// Replaces every ID number and phone number found in `text` by its masked form, and every
/// other run of 11 or more digits by stars, which no number can survive. Numbers are found as
/// people write them: with single spaces or hyphens inside (`138 1234 5678`, `0571-88881234`)
/// and in full-width digits (`１３８…`, turned into ASCII digits on the way).
///
/// Used on case texts before they are stored and on anything written about a rejected row. The
/// text crate recognises more kinds of personal data; this is the floor that the ledger
/// guarantees on its own.
pub fn scrub_text(text: &str) -> String {
    let chars: Vec<char> = text.chars().map(half_width_digit).collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // The run: digits, single separators between digits, and an ID number's final X.
        let mut end = i;
        let mut digits = 0;
        while end < chars.len() {
            let c = chars[end];
            let separator = matches!(c, ' ' | '-') && chars.get(end + 1).is_some_and(char::is_ascii_digit);
            if c.is_ascii_digit() {
                digits += 1;
            } else if !(separator || (matches!(c, 'X' | 'x') && digits == 17)) {
                break;
            }
            end += 1;
        }
        let run: String = chars[i..end].iter().collect();
        let compact: String = run.chars().filter(char::is_ascii_alphanumeric).collect();
        if let Ok(id) =
            IdNumber::parse(&compact).map_err(drop).and_then(|id| if compact.len() == 18 { Ok(id) } else { Err(()) })
        {
            out.push_str(&id.masked());
        } else if let Ok(phone) = PhoneNumber::parse(&run) {
            out.push_str(&phone.masked());
        } else {
            // Not a personal number as a whole (`110-20260312-0042`): star only the groups
            // that are long enough to be one.
            let mut rest = run.as_str();
            loop {
                let (group, tail) = rest.split_at(rest.find([' ', '-']).unwrap_or(rest.len()));
                if group.len() >= 11 {
                    out.extend(std::iter::repeat_n('*', group.len()));
                } else {
                    out.push_str(group);
                }
                let Some(separator) = tail.chars().next() else { break };
                out.push(separator);
                rest = &tail[1..];
            }
        }
        i = end;
    }
    out
}

fn half_width_digit(c: char) -> char {
    match c {
        '０'..='９' => char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')).unwrap_or(c),
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_numbers_inside_chinese_text() {
        let text = "申请人张某，身份证号11010519491231002X，电话13812345678，欠薪32000元。";
        assert_eq!(scrub_text(text), "申请人张某，身份证号1101**********002X，电话138****5678，欠薪32000元。");
    }

    #[test]
    fn long_digit_runs_that_are_not_valid_numbers_are_starred() {
        assert_eq!(scrub_text("卡号6222021234567890123"), "卡号*******************");
    }

    #[test]
    fn numbers_written_with_separators_or_full_width_digits() {
        assert_eq!(scrub_text("电话138-1234-5678"), "电话138****5678");
        assert_eq!(scrub_text("电话138 1234 5678。"), "电话138****5678。");
        assert_eq!(scrub_text("座机0571-88881234"), "座机0571-****1234");
        assert_eq!(scrub_text("身份证110105 19491231 002X"), "身份证1101**********002X");
        assert_eq!(scrub_text("手机１３８１２３４５６７８"), "手机138****5678");
    }

    #[test]
    fn a_masked_old_id_number_keeps_the_length_of_the_text_close() {
        // 15-digit numbers are starred, not upgraded, so scrubbing never lengthens a text.
        assert_eq!(scrub_text("号码110105491231002"), "号码***************");
    }

    #[test]
    fn ordinary_numbers_are_kept() {
        let text = "2026年3月12日，学员8000余人，110-20260312-0042";
        assert_eq!(scrub_text(text), text);
    }
}
