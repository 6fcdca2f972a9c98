//! Masking of personal numbers inside free text: ID numbers, phone numbers (mobile and fixed
//! line), bank cards and licence plates, however people write them.

use super::{IdNumber, PhoneNumber};

/// What kind of personal data was masked (never the value).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PiiKind {
    IdNumber,
    Phone,
    BankCard,
    LicencePlate,
}

impl PiiKind {
    pub fn code(self) -> &'static str {
        match self {
            PiiKind::IdNumber => "id_number",
            PiiKind::Phone => "phone",
            PiiKind::BankCard => "bank_card",
            PiiKind::LicencePlate => "licence_plate",
        }
    }
}

/// `text` with every personal number masked. See [`mask_numbers`].
pub fn scrub_text(text: &str) -> String {
    mask_numbers(text).0
}

/// Masks personal numbers in `text` and says which kinds it found:
/// - ID numbers (GB 11643 checksum) → `1101**********002X`
/// - mobile and fixed-line phones → `138****5678`, `0571-****1234`
/// - bank cards (16–19 digits, Luhn check) → `6222********0128`
/// - licence plates → `浙A****45`
/// - any other run of 11 or more digits → stars, which no number can survive.
///
/// Numbers are found as people write them: in groups separated by single spaces or hyphens
/// (`138 1234 5678`, `0571-88881234`, `6222 0212 3456 7890 128`), in full-width characters
/// (turned into ASCII on the way). One pass, linear in the text.
pub fn mask_numbers(text: &str) -> (String, Vec<PiiKind>) {
    let chars: Vec<char> = text.chars().map(half_width).collect();
    let mut out = String::with_capacity(text.len());
    let mut kinds = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if let Some((end, masked)) = licence_plate(&chars, i) {
            out.push_str(&masked);
            kinds.push(PiiKind::LicencePlate);
            i = end;
            continue;
        }
        if !chars[i].is_ascii_digit() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let groups = digit_groups(&chars, i);
        // The longest run of whole groups that is a personal number, else the first group alone.
        let found = (1..=groups.len()).rev().find_map(|k| {
            let raw: String = chars[i..groups[k - 1]].iter().collect();
            personal_number(&raw).map(|m| (groups[k - 1], m))
        });
        match found {
            Some((end, (masked, kind))) => {
                out.push_str(&masked);
                kinds.push(kind);
                i = end;
            }
            None => {
                let end = groups[0];
                let digits = end - i;
                if digits >= 11 {
                    out.extend(std::iter::repeat_n('*', digits));
                } else {
                    out.extend(&chars[i..end]);
                }
                i = end;
            }
        }
    }
    (out, kinds)
}

/// Ends of up to five digit groups from `start`, joined by single spaces or hyphens; an ID
/// number's final X counts as a digit after 17 digits.
fn digit_groups(chars: &[char], start: usize) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut i = start;
    let mut digits = 0;
    loop {
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
            digits += 1;
        }
        if digits == 17 && matches!(chars.get(i), Some('X' | 'x')) {
            i += 1;
            digits += 1;
        }
        ends.push(i);
        let joined = matches!(chars.get(i), Some(' ' | '-')) && chars.get(i + 1).is_some_and(char::is_ascii_digit);
        if !joined || ends.len() == 5 || digits > 19 {
            return ends;
        }
        i += 1;
    }
}

/// The masked form of `raw` if it is a personal number.
fn personal_number(raw: &str) -> Option<(String, PiiKind)> {
    let compact: String = raw.chars().filter(char::is_ascii_alphanumeric).collect();
    if compact.len() == 18
        && let Ok(id) = IdNumber::parse(&compact)
    {
        return Some((id.masked(), PiiKind::IdNumber));
    }
    if let Ok(phone) = PhoneNumber::parse(raw) {
        return Some((phone.masked(), PiiKind::Phone));
    }
    if (16..=19).contains(&compact.len()) && compact.bytes().all(|b| b.is_ascii_digit()) && luhn_valid(&compact) {
        return Some((format!("{}********{}", &compact[..4], &compact[compact.len() - 4..]), PiiKind::BankCard));
    }
    None
}

fn luhn_valid(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            match (i % 2, d * 2) {
                (1, doubled) if doubled > 9 => doubled - 9,
                (1, doubled) => doubled,
                _ => d,
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Province abbreviations that begin a licence plate.
const PLATE_PROVINCES: &str = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼";

/// A plate at `i` (`浙A12345`, `浙A·D12345`, `浙a 12345`): its end and masked form.
fn licence_plate(chars: &[char], i: usize) -> Option<(usize, String)> {
    let province = *chars.get(i)?;
    let letter = chars.get(i + 1)?.to_ascii_uppercase();
    if !PLATE_PROVINCES.contains(province) || !letter.is_ascii_uppercase() {
        return None;
    }
    let mut j = i + 2;
    if matches!(chars.get(j), Some('·' | '•' | ' ')) {
        j += 1;
    }
    let body: Vec<char> = chars[j..].iter().take(7).take_while(|c| c.is_ascii_alphanumeric()).copied().collect();
    let n = body.len();
    if !(5..=6).contains(&n) || !body.iter().any(char::is_ascii_digit) {
        return None;
    }
    let mut masked = String::new();
    masked.push(province);
    masked.push(letter);
    masked.extend(std::iter::repeat_n('*', n - 2));
    masked.extend(body[n - 2..].iter().map(char::to_ascii_uppercase));
    Some((j + n, masked))
}

/// Full-width digits, letters and hyphens as their ASCII forms.
fn half_width(c: char) -> char {
    match c {
        '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        '－' => '-',
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
        assert_eq!(scrub_text("编号6222021234567890124"), "编号*******************");
    }

    #[test]
    fn every_kind_in_every_spelling() {
        let (masked, kinds) = mask_numbers(
            "身份证110105 19491231 002X，手机138 1234 5678，座机０５７１－８８８８１２３４，卡号6222 0212 3456 7890 128 5000元已转，车牌浙a·d12345",
        );
        assert_eq!(
            masked,
            "身份证1101**********002X，手机138****5678，座机0571-****1234，卡号6222********0128 5000元已转，车牌浙A****45"
        );
        assert_eq!(
            kinds,
            [PiiKind::IdNumber, PiiKind::Phone, PiiKind::Phone, PiiKind::BankCard, PiiKind::LicencePlate]
        );
    }

    #[test]
    fn numbers_side_by_side_are_each_masked() {
        assert_eq!(scrub_text("电话13812345678 0571-88881234"), "电话138****5678 0571-****1234");
        assert_eq!(scrub_text("座机0571-88881234 0571-88885678"), "座机0571-****1234 0571-****5678");
    }

    #[test]
    fn a_number_glued_to_letters_is_still_found() {
        assert_eq!(scrub_text("TEL13812345678"), "TEL138****5678");
    }

    #[test]
    fn long_inputs_are_linear() {
        let text = "1 ".repeat(200_000);
        assert_eq!(scrub_text(&text), text);
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
