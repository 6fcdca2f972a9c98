//! Personal data in free text: ID numbers, mobile and fixed-line phones, bank cards and licence
//! plates are found and masked. The ledger's own floor (`shanzhi_core::pii::scrub_text`) masks
//! ID and mobile numbers; this finds the rest too.

use shanzhi_core::pii::{IdNumber, PhoneNumber};

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

/// Province abbreviations that begin a licence plate.
const PLATE_PROVINCES: &str = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼";

fn luhn_valid(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 { if d * 2 > 9 { d * 2 - 9 } else { d * 2 } } else { d }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// `text` with personal data masked, and the kinds found.
pub fn mask(text: &str) -> (String, Vec<PiiKind>) {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut kinds = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        // Licence plate: 浙A12345, 浙A·D12345, 浙AD12345 (new energy).
        if PLATE_PROVINCES.contains(c) && chars.get(i + 1).is_some_and(|l| l.is_ascii_uppercase()) {
            let mut j = i + 2;
            if chars.get(j).is_some_and(|d| *d == '·' || *d == '•') {
                j += 1;
            }
            let body: String =
                chars[j..].iter().take(6).take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit()).collect();
            let n = body.chars().count();
            if (5..=6).contains(&n) && body.chars().any(|c| c.is_ascii_digit()) {
                out.push(c);
                out.push(chars[i + 1]);
                out.push_str(&"*".repeat(n - 2));
                out.push_str(&body[n - 2..]);
                kinds.push(PiiKind::LicencePlate);
                i = j + n;
                continue;
            }
        }
        if !c.is_ascii_digit() || (i > 0 && chars[i - 1].is_ascii_digit()) {
            out.push(c);
            i += 1;
            continue;
        }
        // A run of digits, allowing the separators people write inside numbers.
        let mut j = i;
        let mut raw = String::new();
        while j < chars.len() {
            let d = chars[j];
            let inner_separator =
                matches!(d, ' ' | '-') && chars.get(j + 1).is_some_and(char::is_ascii_digit) && !raw.is_empty();
            if d.is_ascii_digit() || ((d == 'X' || d == 'x') && raw.len() == 17) || inner_separator {
                raw.push(d);
                j += 1;
            } else {
                break;
            }
        }
        let digits: String = raw.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        let id = if digits.len() == 18 { IdNumber::parse(&digits).ok() } else { None };
        let masked: Option<(String, PiiKind)> = if let Some(id) = id {
            Some((id.masked(), PiiKind::IdNumber))
        } else if let Ok(phone) = PhoneNumber::parse(&raw) {
            Some((phone.masked(), PiiKind::Phone))
        } else if (16..=19).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) && luhn_valid(&digits)
        {
            Some((format!("{}********{}", &digits[..4], &digits[digits.len() - 4..]), PiiKind::BankCard))
        } else {
            None
        };
        match masked {
            Some((m, kind)) => {
                out.push_str(&m);
                kinds.push(kind);
                i = j;
            }
            None => {
                // Not personal data: keep the first run of digits as written, then go on.
                let run = chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
                out.extend(&chars[i..i + run]);
                i += run;
            }
        }
    }
    // Whatever slipped through (say an ID number with a wrong check digit) meets the floor.
    (shanzhi_core::pii::scrub_text(&out), kinds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_masked() {
        let (masked, kinds) = mask(
            "身份证11010519491231002X，手机138 1234 5678，座机0571-88881234，卡号6222 0212 3456 7890 128，车牌浙A·D12345",
        );
        assert_eq!(
            masked,
            "身份证1101**********002X，手机138****5678，座机0571-****1234，卡号6222********0128，车牌浙A****45"
        );
        assert_eq!(
            kinds,
            [PiiKind::IdNumber, PiiKind::Phone, PiiKind::Phone, PiiKind::BankCard, PiiKind::LicencePlate]
        );
    }

    #[test]
    fn ordinary_numbers_stay() {
        let text = "2026年3月12日，工人37名，欠薪32000元，3号楼502室，110-20260312-0042";
        assert_eq!(mask(text), (text.to_owned(), vec![]));
    }

    #[test]
    fn luhn() {
        assert!(luhn_valid("4539578763621486"));
        assert!(!luhn_valid("4539578763621487"));
    }
}
