//! Resident identity card numbers (居民身份证号码), GB 11643-1999.

use chrono::NaiveDate;

/// A valid citizen identity number: 18 characters whose last is the ISO 7064 MOD 11-2 check
/// character of GB 11643, with a real date of birth. Old 15-digit numbers are upgraded to 18.
///
/// There is deliberately no `Display`: the clear number must not reach a log by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct IdNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    #[error("an ID number has 18 characters (or 15 for an old card)")]
    Length,
    #[error("an ID number has digits only, and X as its check character")]
    Characters,
    #[error("the date of birth in the ID number is not a real date")]
    BirthDate,
    #[error("the ID number fails the GB 11643 checksum")]
    Checksum,
}

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: &[u8; 11] = b"10X98765432";

fn check_char(first17: &[u8]) -> u8 {
    let sum: u32 = first17.iter().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    CHECK_CHARS[(sum % 11) as usize]
}

/// The GB 11643 check character of the first 17 digits of an ID number (`None` if they are not
/// 17 digits). For generating valid numbers in demo data and tests.
pub fn check_character(first17: &str) -> Option<char> {
    let b = first17.as_bytes();
    (b.len() == 17 && b.iter().all(u8::is_ascii_digit)).then(|| char::from(check_char(b)))
}

impl IdNumber {
    pub fn parse(input: &str) -> Result<Self, IdNumberError> {
        let s: String = input.trim().chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
        let bytes = s.as_bytes();
        let number = match bytes.len() {
            18 => {
                if !bytes[..17].iter().all(u8::is_ascii_digit) || !(bytes[17].is_ascii_digit() || bytes[17] == b'X') {
                    return Err(IdNumberError::Characters);
                }
                s
            }
            15 => {
                if !bytes.iter().all(u8::is_ascii_digit) {
                    return Err(IdNumberError::Characters);
                }
                // 15-digit cards (before 1999) omit the century and the check character.
                let mut upgraded = format!("{}19{}", &s[..6], &s[6..]);
                let check = check_char(upgraded.as_bytes());
                upgraded.push(char::from(check));
                upgraded
            }
            _ => return Err(IdNumberError::Length),
        };
        let b = number.as_bytes();
        let birth = &number[6..14];
        if NaiveDate::parse_from_str(birth, "%Y%m%d").is_err() || !("1900".."2100").contains(&&birth[..4]) {
            return Err(IdNumberError::BirthDate);
        }
        if check_char(&b[..17]) != b[17] {
            return Err(IdNumberError::Checksum);
        }
        Ok(IdNumber(number))
    }

    /// The normalised 18-character number, for hashing only.
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// `3301**********1234`: the first four and last four characters.
    pub fn masked(&self) -> String {
        format!("{}**********{}", &self.0[..4], &self.0[14..])
    }
}

impl std::fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The worked example of GB 11643-1999 itself.
    const STANDARD_EXAMPLE: &str = "11010519491231002X";

    #[test]
    fn accepts_the_standards_example() {
        let id = IdNumber::parse(STANDARD_EXAMPLE).unwrap();
        assert_eq!(id.masked(), "1101**********002X");
    }

    #[test]
    fn lower_case_x_and_spaces_are_normalised() {
        let id = IdNumber::parse(" 110105 19491231 002x ").unwrap();
        assert_eq!(id.as_str(), STANDARD_EXAMPLE);
    }

    #[test]
    fn a_wrong_check_character_is_rejected() {
        assert_eq!(IdNumber::parse("110105194912310021"), Err(IdNumberError::Checksum));
        assert_eq!(IdNumber::parse("110105194912310020"), Err(IdNumberError::Checksum));
    }

    #[test]
    fn a_changed_digit_is_caught_by_the_checksum() {
        // Swapping any one digit of a valid number must break the checksum.
        let valid = "330106199001011234";
        let fixed = {
            let mut s = valid[..17].to_owned();
            s.push(char::from(check_char(&valid.as_bytes()[..17])));
            s
        };
        assert!(IdNumber::parse(&fixed).is_ok());
        for i in 0..17 {
            let mut b = fixed.clone().into_bytes();
            b[i] = if b[i] == b'9' { b'0' } else { b[i] + 1 };
            let changed = String::from_utf8(b).unwrap();
            assert!(IdNumber::parse(&changed).is_err(), "digit {i} changed but accepted");
        }
    }

    #[test]
    fn check_character_completes_a_valid_number() {
        assert_eq!(check_character("11010519491231002"), Some('X'));
        assert_eq!(check_character("1101051949123100"), None);
    }

    #[test]
    fn fifteen_digit_cards_are_upgraded() {
        let old = "110105491231002";
        assert_eq!(IdNumber::parse(old).unwrap().as_str(), STANDARD_EXAMPLE);
    }

    #[test]
    fn shape_and_birth_date_errors() {
        assert_eq!(IdNumber::parse("1234"), Err(IdNumberError::Length));
        assert_eq!(IdNumber::parse("11010519491231002Y"), Err(IdNumberError::Characters));
        assert_eq!(IdNumber::parse("110105194913310028").unwrap_err(), IdNumberError::BirthDate);
    }

    #[test]
    fn debug_never_shows_the_clear_number() {
        let id = IdNumber::parse(STANDARD_EXAMPLE).unwrap();
        assert!(!format!("{id:?}").contains("19491231"));
    }
}
