//! Phone numbers of parties: mainland mobile numbers and fixed lines with an area code.

/// A phone number, normalised to digits (`13812345678`, `057188881234`).
///
/// No `Display`, for the same reason as [`super::IdNumber`].
#[derive(Clone, PartialEq, Eq)]
pub struct PhoneNumber {
    digits: String,
    /// Length of the area code for a fixed line; 0 for a mobile number.
    area_code_len: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "not a phone number: expected an 11-digit mobile number (1[3-9]…) or a fixed line with its area code (0571-88881234)"
)]
pub struct PhoneNumberError;

impl PhoneNumber {
    pub fn parse(input: &str) -> Result<Self, PhoneNumberError> {
        let trimmed = input.trim();
        let trimmed = trimmed.strip_prefix("+86").or_else(|| trimmed.strip_prefix("0086")).unwrap_or(trimmed);
        if !trimmed.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')')) {
            return Err(PhoneNumberError);
        }
        let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
        let b = digits.as_bytes();
        if b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) {
            return Ok(PhoneNumber { digits, area_code_len: 0 });
        }
        if b.first() == Some(&b'0') && (10..=12).contains(&b.len()) {
            // Area codes are 010 and 02x (three digits) or 0xxx (four digits); local numbers 7–8.
            let area_code_len = if b[1] == b'1' || b[1] == b'2' { 3 } else { 4 };
            let local = b.len() - area_code_len;
            if (7..=8).contains(&local) && b[area_code_len] != b'0' {
                return Ok(PhoneNumber { digits, area_code_len });
            }
        }
        Err(PhoneNumberError)
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.digits
    }

    /// `138****5678` for a mobile, `0571-****1234` for a fixed line.
    pub fn masked(&self) -> String {
        let d = &self.digits;
        let last4 = &d[d.len() - 4..];
        match self.area_code_len {
            0 => format!("{}****{}", &d[..3], last4),
            n => format!("{}-****{}", &d[..n], last4),
        }
    }
}

impl std::fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PhoneNumber({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobile_numbers_in_their_usual_spellings() {
        for s in ["13812345678", "138 1234 5678", "138-1234-5678", "+86 13812345678", "008613812345678"] {
            let p = PhoneNumber::parse(s).unwrap();
            assert_eq!(p.as_str(), "13812345678", "{s}");
            assert_eq!(p.masked(), "138****5678");
        }
    }

    #[test]
    fn fixed_lines_keep_their_area_code() {
        assert_eq!(PhoneNumber::parse("0571-88881234").unwrap().masked(), "0571-****1234");
        assert_eq!(PhoneNumber::parse("(010)62345678").unwrap().masked(), "010-****5678");
    }

    #[test]
    fn rejects_what_is_not_a_phone() {
        for s in ["12345", "12812345678", "1381234567", "phone", "0571-0888123", "138123456789"] {
            assert!(PhoneNumber::parse(s).is_err(), "{s}");
        }
    }
}
