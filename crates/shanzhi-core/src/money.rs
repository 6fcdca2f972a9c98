//! Money amounts (涉及金额), kept exactly in fen (分) so that sums never drift.

use std::fmt;

/// A non-negative amount of money in yuan, stored as whole fen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Yuan {
    fen: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("amount is not a number")]
    NotANumber,
    #[error("amount must not be negative")]
    Negative,
    #[error("amount is too large")]
    TooLarge,
    #[error("amount has more than two decimals (fen)")]
    TooPrecise,
}

/// Larger than any dispute's amount (10^13 yuan); keeps arithmetic far from overflow.
const MAX_FEN: i64 = 1_000_000_000_000_000;

impl Yuan {
    pub fn from_fen(fen: i64) -> Result<Self, MoneyError> {
        if fen < 0 {
            Err(MoneyError::Negative)
        } else if fen > MAX_FEN {
            Err(MoneyError::TooLarge)
        } else {
            Ok(Yuan { fen })
        }
    }

    /// Parses a decimal amount of yuan such as `32000`, `12,000`, `4.5`, `0.01`.
    pub fn parse(text: &str) -> Result<Self, MoneyError> {
        let text: String = text.trim().chars().filter(|c| *c != ',' && *c != '，').collect();
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.as_str()),
        };
        let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !all_digits(whole) || !all_digits(frac) {
            return Err(MoneyError::NotANumber);
        }
        if negative {
            return Err(MoneyError::Negative);
        }
        if frac.len() > 2 {
            return Err(MoneyError::TooPrecise);
        }
        let whole: i64 = whole.parse().map_err(|_| MoneyError::TooLarge)?;
        let frac: i64 = format!("{frac:0<2}").parse().map_err(|_| MoneyError::NotANumber)?;
        let fen = whole.checked_mul(100).and_then(|f| f.checked_add(frac)).ok_or(MoneyError::TooLarge)?;
        Yuan::from_fen(fen)
    }

    pub fn fen(self) -> i64 {
        self.fen
    }
}

impl std::str::FromStr for Yuan {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Yuan::parse(s)
    }
}

impl serde::Serialize for Yuan {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// An amount as other systems write it: `"3200.50"` or `3200.5`.
impl<'de> serde::Deserialize<'de> for Yuan {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Written<'a> {
            Whole(u64),
            Decimal(f64),
            #[serde(borrow)]
            Text(std::borrow::Cow<'a, str>),
        }
        let text = match Written::deserialize(deserializer)? {
            Written::Whole(n) => n.to_string(),
            // Shortest round-trip form: 3200.5 stays "3200.5", never 3200.4999….
            Written::Decimal(x) => x.to_string(),
            Written::Text(s) => s.into_owned(),
        };
        Yuan::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for Yuan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.fen % 100 {
            0 => write!(f, "{}", self.fen / 100),
            r => write!(f, "{}.{:02}", self.fen / 100, r),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_whole_and_decimal_yuan() {
        assert_eq!(Yuan::parse("32000").unwrap().fen(), 3_200_000);
        assert_eq!(Yuan::parse("12,000").unwrap().fen(), 1_200_000);
        assert_eq!(Yuan::parse("4.5").unwrap().fen(), 450);
        assert_eq!(Yuan::parse("0.01").unwrap().fen(), 1);
        assert_eq!(Yuan::parse("40000000").unwrap().to_string(), "40000000");
        assert_eq!(Yuan::parse("4.5").unwrap().to_string(), "4.50");
    }

    #[test]
    fn rejects_what_is_not_an_amount() {
        assert_eq!(Yuan::parse("-5"), Err(MoneyError::Negative));
        assert_eq!(Yuan::parse("3.2万"), Err(MoneyError::NotANumber));
        assert_eq!(Yuan::parse(""), Err(MoneyError::NotANumber));
        assert_eq!(Yuan::parse("1.234"), Err(MoneyError::TooPrecise));
        assert_eq!(Yuan::parse("99999999999999999999"), Err(MoneyError::TooLarge));
    }
}
