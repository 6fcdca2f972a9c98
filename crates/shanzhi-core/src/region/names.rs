//! How people write region names, and how those names resolve to codes.
//!
//! Records name villages in many ways: `中泰街道南湖村`, `南湖村`, `南湖村委会`, `余杭区中泰南湖村`.
//! Every official and short name is indexed under a normalised key; a name that matches no region,
//! or more than one, is an error that names the candidates. Nothing is guessed.

use std::collections::HashMap;

use super::{Gazetteer, Region, RegionCode, RegionLevel};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionNameError {
    #[error("region is empty")]
    Empty,
    #[error("unknown region `{0}`: no town or village of the district has this name")]
    Unknown(String),
    #[error("ambiguous region `{name}`: it could be {}; write the town too", candidates.join("、"))]
    Ambiguous { name: String, candidates: Vec<String> },
    #[error("region code {0} is not a town or village of this district")]
    UnknownCode(String),
    #[error("region `{0}` names the whole district; give the town or village")]
    WholeDistrict(String),
}

/// `余杭区` → `余杭`.
pub(super) fn short_district_name(name: &str) -> String {
    strip_any(name, &["区", "县", "市"]).filter(|s| s.chars().count() >= 2).unwrap_or(name).to_owned()
}

/// `中泰街道` → `中泰`, `径山镇` → `径山`.
pub(super) fn short_town_name(name: &str) -> String {
    strip_any(name, &["街道办事处", "街道", "镇", "乡"]).filter(|s| s.chars().count() >= 2).unwrap_or(name).to_owned()
}

/// `南湖村委会` → `南湖村`, `富城村村民委员会` → `富城村`, `东湖社区居委会` → `东湖社区`.
pub(super) fn short_village_name(name: &str) -> String {
    if let Some(rest) = strip_any(name, &["村民委员会", "村委会"]) {
        if rest.is_empty() {
            return name.to_owned();
        }
        return if rest.ends_with('村') { rest.to_owned() } else { format!("{rest}村") };
    }
    match strip_any(name, &["居民委员会", "居委会", "委员会"]) {
        Some(rest) if !rest.is_empty() => rest.to_owned(),
        _ => name.to_owned(),
    }
}

fn strip_any<'a>(name: &'a str, suffixes: &[&str]) -> Option<&'a str> {
    suffixes.iter().find_map(|s| name.strip_suffix(s))
}

/// Names of towns and villages, each under its normalised key.
#[derive(Debug, Clone, Default)]
pub(super) struct NameIndex {
    /// Official and short town names; two towns could share a short name.
    towns: HashMap<String, Vec<RegionCode>>,
    villages: HashMap<String, Vec<RegionCode>>,
}

impl NameIndex {
    pub(super) fn build<'a>(regions: impl Iterator<Item = &'a Region>) -> Self {
        let mut index = NameIndex::default();
        for region in regions {
            match region.level() {
                RegionLevel::Town => {
                    for name in [&region.official_name, &region.short_name] {
                        let codes = index.towns.entry(name.clone()).or_default();
                        if !codes.contains(&region.code) {
                            codes.push(region.code);
                        }
                    }
                }
                RegionLevel::Village => {
                    // The short name is the key; the official name normalises to it.
                    index.villages.entry(region.short_name.clone()).or_default().push(region.code);
                }
                RegionLevel::District => {}
            }
        }
        index
    }

    /// Villages called `name` (any spelling), optionally only those of `towns`. A name without
    /// its 村 or 社区 (`新桥`) stands for every village it could shorten, so where both a 新桥村
    /// and a 新桥社区 exist it is ambiguous.
    fn villages_named(&self, name: &str, towns: Option<&[RegionCode]>) -> Vec<RegionCode> {
        let key = short_village_name(name);
        let mut keys = vec![key.clone()];
        if !key.ends_with('村') && !key.ends_with("社区") {
            keys.push(format!("{key}村"));
            keys.push(format!("{key}社区"));
        }
        let mut found: Vec<RegionCode> = keys
            .iter()
            .filter_map(|k| self.villages.get(k))
            .flatten()
            .copied()
            .filter(|code| towns.is_none_or(|ts| code.parent().is_some_and(|t| ts.contains(&t))))
            .collect();
        found.sort();
        found.dedup();
        found
    }

    /// Towns whose official or short name begins `text`, longest name first, with the rest.
    fn town_prefixes<'t>(&self, text: &'t str) -> Vec<(&[RegionCode], &'t str)> {
        let mut found: Vec<(usize, &[RegionCode], &str)> = self
            .towns
            .iter()
            .filter_map(|(name, codes)| {
                text.strip_prefix(name.as_str()).map(|rest| (name.len(), codes.as_slice(), rest))
            })
            .collect();
        found.sort_by_key(|&(len, ..)| std::cmp::Reverse(len));
        found.into_iter().map(|(_, codes, rest)| (codes, rest)).collect()
    }
}

impl Gazetteer {
    /// Resolves what a record writes in its `region` field, a code or a name, to a town or
    /// village of this district.
    pub fn resolve(&self, written: &str) -> Result<RegionCode, RegionNameError> {
        let text: String = written.chars().filter(|c| !c.is_whitespace()).collect();
        if text.is_empty() {
            return Err(RegionNameError::Empty);
        }
        if text.bytes().all(|b| b.is_ascii_digit()) {
            return match RegionCode::parse(&text) {
                Ok(code) if self.regions().contains_key(&code) => Ok(code),
                _ => Err(RegionNameError::UnknownCode(text)),
            };
        }
        let rest = self.strip_district_prefix(&text);
        if rest.is_empty() {
            return Err(RegionNameError::WholeDistrict(written.trim().to_owned()));
        }
        let names = self.names();
        for (towns, after_town) in names.town_prefixes(rest) {
            let found =
                if after_town.is_empty() { towns.to_vec() } else { names.villages_named(after_town, Some(towns)) };
            match found.as_slice() {
                [one] => return Ok(*one),
                [] => {}
                many => return Err(self.ambiguous(written, many)),
            }
        }
        match names.villages_named(rest, None).as_slice() {
            [one] => Ok(*one),
            [] => Err(RegionNameError::Unknown(written.trim().to_owned())),
            many => Err(self.ambiguous(written, many)),
        }
    }

    /// Drops `浙江省`, `杭州市` and this district's name from the front, in that order.
    fn strip_district_prefix<'t>(&self, text: &'t str) -> &'t str {
        let district = self.district();
        let mut rest = text;
        for prefix in ["浙江省", "浙江"] {
            rest = rest.strip_prefix(prefix).unwrap_or(rest);
        }
        // The short name (`余杭`) can also begin a town's name (`余杭街道`): then it is the town's.
        let strip_district = |text: &'t str| {
            text.strip_prefix(district.official_name.as_str())
                .or_else(|| text.strip_prefix(district.short_name.as_str()).filter(|_| !self.starts_with_town(text)))
        };
        // City names are not in the gazetteer: drop `XX市` only where the district's or a
        // town's name follows.
        if let Some((i, _)) = rest.char_indices().nth(2)
            && let Some(after_city) = rest[i..].strip_prefix('市')
        {
            if let Some(after_district) = strip_district(after_city) {
                return after_district;
            }
            if self.starts_with_town(after_city) {
                return after_city;
            }
        }
        strip_district(rest).unwrap_or(rest)
    }

    /// Whether `text` begins with a town's official name (`余杭街道…`).
    fn starts_with_town(&self, text: &str) -> bool {
        self.towns().any(|t| text.starts_with(t.official_name.as_str()))
    }

    fn ambiguous(&self, written: &str, codes: &[RegionCode]) -> RegionNameError {
        RegionNameError::Ambiguous {
            name: written.trim().to_owned(),
            candidates: codes.iter().filter_map(|c| self.display_name(*c).map(|n| format!("{n}（{c}）"))).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::region::tests::yuhang;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    #[test]
    fn short_names() {
        assert_eq!(short_village_name("南湖村委会"), "南湖村");
        assert_eq!(short_village_name("富城村村民委员会"), "富城村");
        assert_eq!(short_village_name("东湖社区居委会"), "东湖社区");
        assert_eq!(short_village_name("桃源社区"), "桃源社区");
        assert_eq!(short_town_name("中泰街道"), "中泰");
        assert_eq!(short_town_name("径山镇"), "径山");
        assert_eq!(short_district_name("余杭区"), "余杭");
    }

    #[test]
    fn the_ways_people_write_a_village() {
        let g = yuhang();
        let nanhu = code("330110014227");
        for written in [
            "330110014227",
            "中泰街道南湖村",
            "南湖村",
            "南湖村委会",
            "南湖村村民委员会",
            "中泰南湖村",
            "余杭区中泰街道南湖村",
            "杭州市余杭区中泰街道南湖村委会",
            "浙江省杭州市余杭区中泰街道 南湖村",
        ] {
            assert_eq!(g.resolve(written), Ok(nanhu), "{written}");
        }
    }

    #[test]
    fn towns_by_code_and_name() {
        let g = yuhang();
        for written in ["330110014", "中泰街道", "中泰", "余杭区中泰街道"] {
            assert_eq!(g.resolve(written), Ok(code("330110014")), "{written}");
        }
        assert_eq!(g.resolve("径山镇"), Ok(code("330110109")));
    }

    #[test]
    fn unknown_names_and_codes_are_rejected() {
        let g = yuhang();
        assert!(matches!(g.resolve("不存在村"), Err(RegionNameError::Unknown(_))));
        assert!(matches!(g.resolve("330106001001"), Err(RegionNameError::UnknownCode(_))));
        assert!(matches!(g.resolve("3301"), Err(RegionNameError::UnknownCode(_))));
        assert_eq!(g.resolve("  "), Err(RegionNameError::Empty));
        assert!(matches!(g.resolve("余杭区"), Err(RegionNameError::WholeDistrict(_))));
        // 余杭街道 begins with the district's short name 余杭.
        assert_eq!(g.resolve("余杭街道"), Ok(code("330110013")));
        assert_eq!(g.resolve("杭州市余杭街道").map(|c| c.to_string()), Ok("330110013".to_owned()));
        let fengyang = g.resolve("余杭街道凤阳社区").unwrap();
        assert_eq!(fengyang.parent(), Some(code("330110013")));
        assert_eq!(g.resolve("余杭区余杭街道凤阳社区"), Ok(fengyang));
        // 新桥 shortens both 仁和街道新桥村 and 良渚街道新桥社区.
        assert!(matches!(g.resolve("新桥"), Err(RegionNameError::Ambiguous { .. })));
        assert_eq!(g.resolve("新桥村").unwrap().parent(), Some(code("330110009")));
        // A real village name of the town, but written under another town: not a guess.
        assert!(matches!(g.resolve("径山镇南湖村"), Err(RegionNameError::Unknown(_))));
    }

    #[test]
    fn a_name_shared_by_villages_of_two_towns_is_ambiguous() {
        let counties = "code,name\n330110,余杭区\n";
        let towns = "code,name\n330110014,中泰街道\n330110109,径山镇\n";
        let villages = "code,name\n330110014227,南湖村委会\n330110109201,南湖村民委员会\n330110109202,前溪村委会\n";
        let g = Gazetteer::from_division_tables(code("330110"), counties, towns, villages).unwrap();
        match g.resolve("南湖村") {
            Err(RegionNameError::Ambiguous { candidates, .. }) => {
                assert_eq!(candidates.len(), 2);
                assert!(candidates[0].contains("中泰街道南湖村"));
                assert!(candidates[1].contains("径山镇南湖村"));
            }
            other => panic!("expected ambiguity, got {other:?}"),
        }
        // Naming the town settles it.
        assert_eq!(g.resolve("径山镇南湖村"), Ok(code("330110109201")));
        assert_eq!(g.resolve("前溪"), Ok(code("330110109202")));
    }
}
