use std::fmt;

/// The ledger's own id of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CaseId(i64);

impl CaseId {
    /// Ids are positive; anything else did not come from the ledger.
    pub fn new(id: i64) -> Option<Self> {
        (id > 0).then_some(CaseId(id))
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

impl serde::Serialize for CaseId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.0)
    }
}

impl<'de> serde::Deserialize<'de> for CaseId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let id = i64::deserialize(deserializer)?;
        CaseId::new(id).ok_or_else(|| serde::de::Error::custom(format!("{id} is not a case id")))
    }
}

impl fmt::Display for CaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("is empty")]
    Empty,
    #[error("has {chars} characters, more than the {max} allowed")]
    TooLong { chars: usize, max: usize },
    #[error("contains control characters")]
    ControlCharacters,
}

/// `s` without surrounding white space, if that is 1 to `max` characters (not bytes) long.
fn trimmed_within(s: &str, max: usize) -> Result<&str, TextError> {
    let s = s.trim();
    match s.chars().count() {
        0 => Err(TextError::Empty),
        chars if chars > max => Err(TextError::TooLong { chars, max }),
        _ => Ok(s),
    }
}

/// The id of a record in its source system (`110-20260312-0042`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ExternalId(String);

impl ExternalId {
    pub const MAX_CHARS: usize = 128;

    pub fn parse(s: &str) -> Result<Self, TextError> {
        let s = trimmed_within(s, Self::MAX_CHARS)?;
        if s.chars().any(char::is_control) {
            return Err(TextError::ControlCharacters);
        }
        Ok(ExternalId(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The free-text description of a case: present, and at most [`CaseText::MAX_CHARS`] characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseText(String);

impl CaseText {
    /// A petition letter runs to a few thousand characters; 20,000 leaves room and stops dumps.
    pub const MAX_CHARS: usize = 20_000;

    pub fn parse(s: &str) -> Result<Self, TextError> {
        trimmed_within(s, Self::MAX_CHARS).map(|s| CaseText(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A WGS 84 position.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeoPoint {
    lat: f64,
    lon: f64,
}

impl GeoPoint {
    pub fn new(lat: f64, lon: f64) -> Option<Self> {
        ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)).then_some(GeoPoint { lat, lon })
    }

    pub fn lat(self) -> f64 {
        self.lat
    }

    pub fn lon(self) -> f64 {
        self.lon
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_text_limits_count_characters_not_bytes() {
        let at_limit = "纠".repeat(CaseText::MAX_CHARS);
        assert!(CaseText::parse(&at_limit).is_ok());
        let over = "纠".repeat(CaseText::MAX_CHARS + 1);
        assert_eq!(CaseText::parse(&over), Err(TextError::TooLong { chars: 20_001, max: 20_000 }));
        assert_eq!(CaseText::parse("  \n "), Err(TextError::Empty));
    }

    #[test]
    fn external_ids_and_case_ids() {
        assert_eq!(ExternalId::parse(" 110-20260312-0042 ").unwrap().as_str(), "110-20260312-0042");
        assert_eq!(ExternalId::parse("a\u{0}b"), Err(TextError::ControlCharacters));
        assert!(ExternalId::parse(&"x".repeat(129)).is_err());
        assert!(CaseId::new(0).is_none());
        assert_eq!(CaseId::new(7).unwrap().get(), 7);
    }

    #[test]
    fn geo_points_are_on_the_globe() {
        assert!(GeoPoint::new(30.27, 119.93).is_some());
        assert!(GeoPoint::new(91.0, 0.0).is_none());
        assert!(GeoPoint::new(0.0, f64::NAN).is_none());
    }
}
