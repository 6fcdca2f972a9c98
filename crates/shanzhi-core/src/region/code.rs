use std::fmt;

/// The level of a region in a district's tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RegionLevel {
    District,
    Town,
    Village,
}

impl RegionLevel {
    pub fn code(self) -> &'static str {
        match self {
            RegionLevel::District => "district",
            RegionLevel::Town => "town",
            RegionLevel::Village => "village",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RegionLevel::District => "区县",
            RegionLevel::Town => "镇街",
            RegionLevel::Village => "村社",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [RegionLevel::District, RegionLevel::Town, RegionLevel::Village].into_iter().find(|l| l.code() == s)
    }
}

impl std::str::FromStr for RegionLevel {
    type Err = crate::UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RegionLevel::parse(s).ok_or_else(|| crate::UnknownName {
            what: "level",
            value: s.to_owned(),
            expected: "district, town, village".to_owned(),
        })
    }
}

crate::codes::serde_as_code!(RegionLevel);
crate::codes::serde_as_string!(RegionCode);

/// An official division code: 6 digits for a district, 9 for a town, 12 for a village.
/// The level follows from the length, and a town's code is the prefix of its villages' codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegionCode {
    // Stored right-aligned in a u64 with the digit count: cheap to copy, compare and hash.
    value: u64,
    digits: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a division code: expected 6 (district), 9 (town) or 12 (village) digits")]
pub struct RegionCodeError(pub String);

impl RegionCode {
    pub fn parse(s: &str) -> Result<Self, RegionCodeError> {
        let s = s.trim();
        let digits = s.len();
        if !matches!(digits, 6 | 9 | 12) || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RegionCodeError(s.to_owned()));
        }
        let value = s.parse().map_err(|_| RegionCodeError(s.to_owned()))?;
        Ok(RegionCode { value, digits: digits as u8 })
    }

    /// A code from its number, with the level chosen by its digit count (6, 9 or 12).
    pub const fn from_digits(value: u64) -> Option<Self> {
        let digits = match value {
            100_000..=999_999 => 6,
            100_000_000..=999_999_999 => 9,
            100_000_000_000..=999_999_999_999 => 12,
            _ => return None,
        };
        Some(RegionCode { value, digits })
    }

    pub fn level(self) -> RegionLevel {
        match self.digits {
            6 => RegionLevel::District,
            9 => RegionLevel::Town,
            _ => RegionLevel::Village,
        }
    }

    /// The code one level up: a village's town, a town's district; `None` for a district.
    pub fn parent(self) -> Option<RegionCode> {
        (self.digits > 6).then(|| RegionCode { value: self.value / 1000, digits: self.digits - 3 })
    }

    /// The district this code lies in (itself for a district).
    pub fn district(self) -> RegionCode {
        let mut code = self;
        while let Some(parent) = code.parent() {
            code = parent;
        }
        code
    }

    /// The town of a village, the town itself, or `None` for a district.
    pub fn town(self) -> Option<RegionCode> {
        match self.level() {
            RegionLevel::District => None,
            RegionLevel::Town => Some(self),
            RegionLevel::Village => self.parent(),
        }
    }

    /// Whether `self` is `other` or lies inside it.
    pub fn is_within(self, other: RegionCode) -> bool {
        self.digits >= other.digits && self.value / 10u64.pow(u32::from(self.digits - other.digits)) == other.value
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:0width$}", self.value, width = usize::from(self.digits))
    }
}

impl std::str::FromStr for RegionCode {
    type Err = RegionCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RegionCode::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_parent_and_display() {
        let village = RegionCode::parse("330110014227").unwrap();
        assert_eq!(village.level(), RegionLevel::Village);
        let town = village.parent().unwrap();
        assert_eq!(town.to_string(), "330110014");
        assert_eq!(town.level(), RegionLevel::Town);
        assert_eq!(village.district().to_string(), "330110");
        assert_eq!(village.town(), Some(town));
        assert!(village.is_within(town));
        assert!(village.is_within(village.district()));
        assert!(!town.is_within(village));
        assert!(!village.is_within(RegionCode::parse("330110005").unwrap()));
    }

    #[test]
    fn rejects_other_shapes() {
        for s in ["3301", "33011001422", "33011001422a", "", "3301100142270"] {
            assert!(RegionCode::parse(s).is_err(), "{s}");
        }
    }
}
