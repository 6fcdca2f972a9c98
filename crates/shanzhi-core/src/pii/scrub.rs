//! Masking of ID and phone numbers that appear inside free text.

use super::{IdNumber, PhoneNumber};

/// Replaces every ID number and phone number found in `text` by its masked form, and every
/// other run of 11 or more digits by stars of the same length, which no number can survive.
///
/// Used on case texts before they are stored and on anything written about a rejected row. The
/// text crate will recognise more kinds of personal data; this is the floor that the ledger
/// guarantees on its own.
pub fn scrub_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.is_empty() {
            return;
        }
        if let Ok(id) = IdNumber::parse(run) {
            out.push_str(&id.masked());
        } else if let (11, Ok(phone)) = (run.len(), PhoneNumber::parse(run)) {
            out.push_str(&phone.masked());
        } else if run.len() >= 11 {
            out.extend(std::iter::repeat_n('*', run.chars().count()));
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        // An X continues a run only as the check character of an 18-character ID number.
        let continues = c.is_ascii_digit() || ((c == 'X' || c == 'x') && run.len() == 17);
        if continues {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
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
    fn ordinary_numbers_are_kept() {
        let text = "2026年3月12日，学员8000余人，110-20260312-0042";
        assert_eq!(scrub_text(text), text);
    }
}
