//! Where a case came in: the seven channels that feed the one window.

use std::fmt;
use std::str::FromStr;

use crate::UnknownName;

/// The channel a record arrived by (渠道).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Channel {
    /// 来访: a walk-in at the mediation centre's window.
    Window,
    /// 12345 热线: the citizens' service hotline.
    Hotline,
    /// 110 警情: a police call-out record.
    Police,
    /// 信访: a petition.
    Petition,
    /// 诉讼: a court filing referred for mediation (诉前调解).
    Court,
    /// 网格: reported or screened by a grid worker.
    Grid,
    /// 网上: submitted online by a citizen.
    Online,
}

impl Channel {
    pub const ALL: [Channel; 7] = [
        Channel::Window,
        Channel::Hotline,
        Channel::Police,
        Channel::Petition,
        Channel::Court,
        Channel::Grid,
        Channel::Online,
    ];

    /// The stable code used in records, the database and the API.
    pub fn code(self) -> &'static str {
        match self {
            Channel::Window => "window",
            Channel::Hotline => "hotline",
            Channel::Police => "police",
            Channel::Petition => "petition",
            Channel::Court => "court",
            Channel::Grid => "grid",
            Channel::Online => "online",
        }
    }

    /// The name staff use (UI text).
    pub fn label(self) -> &'static str {
        match self {
            Channel::Window => "来访",
            Channel::Hotline => "12345热线",
            Channel::Police => "110警情",
            Channel::Petition => "信访",
            Channel::Court => "诉讼",
            Channel::Grid => "网格",
            Channel::Online => "网上",
        }
    }

    /// Chinese names other systems put in their exports, besides [`Channel::label`].
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Channel::Window => &["窗口", "来访", "走访"],
            Channel::Hotline => &["12345", "热线", "12345热线"],
            Channel::Police => &["110", "警情", "110警情"],
            Channel::Petition => &["信访"],
            Channel::Court => &["诉讼", "法院", "诉前调解"],
            Channel::Grid => &["网格", "网格员"],
            Channel::Online => &["网上", "网络", "线上"],
        }
    }
}

impl FromStr for Channel {
    type Err = UnknownName;

    /// Accepts the code (`police`) or a Chinese name (`110警情`, `110`, `信访` …).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        Channel::ALL
            .into_iter()
            .find(|c| c.code().eq_ignore_ascii_case(s) || c.label() == s || c.aliases().contains(&s))
            .ok_or_else(|| UnknownName {
                what: "channel",
                value: s.to_owned(),
                expected: Channel::ALL.map(Channel::code).join(", "),
            })
    }
}

crate::codes::serde_as_code!(Channel);

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_codes_and_chinese_names() {
        assert_eq!("police".parse::<Channel>().unwrap(), Channel::Police);
        assert_eq!("Hotline".parse::<Channel>().unwrap(), Channel::Hotline);
        assert_eq!("110警情".parse::<Channel>().unwrap(), Channel::Police);
        assert_eq!("12345".parse::<Channel>().unwrap(), Channel::Hotline);
        assert_eq!(" 信访 ".parse::<Channel>().unwrap(), Channel::Petition);
    }

    #[test]
    fn every_code_round_trips() {
        for c in Channel::ALL {
            assert_eq!(c.code().parse::<Channel>().unwrap(), c);
            assert_eq!(c.label().parse::<Channel>().unwrap(), c);
        }
    }

    #[test]
    fn rejects_unknown_channel_naming_the_choices() {
        let err = "fax".parse::<Channel>().unwrap_err();
        assert_eq!(err.value, "fax");
        assert!(err.to_string().contains("window, hotline, police"));
    }
}
