//! Towns and villages of the district named in free text, resolved to their codes.

use std::collections::HashMap;

use shanzhi_core::{Gazetteer, RegionCode, RegionLevel};

/// The district's place names, by first character for a single pass over a text.
#[derive(Debug, Clone)]
pub struct PlaceFinder {
    /// name → (codes, is a town's short name)
    names: HashMap<char, Vec<(String, Vec<RegionCode>, bool)>>,
}

impl PlaceFinder {
    pub fn new(gazetteer: &Gazetteer) -> Self {
        let mut by_name: HashMap<String, (Vec<RegionCode>, bool)> = HashMap::new();
        for town in gazetteer.towns() {
            by_name.entry(town.official_name.clone()).or_default().0.push(town.code);
            // A town's short name (`中泰`) counts only right before one of its villages.
            by_name.entry(town.short_name.clone()).or_insert_with(|| (Vec::new(), true)).0.push(town.code);
        }
        for village in gazetteer.villages() {
            for name in [&village.short_name, &village.official_name] {
                let entry = by_name.entry(name.clone()).or_default();
                entry.0.push(village.code);
                entry.1 = false;
            }
        }
        let mut names: HashMap<char, Vec<(String, Vec<RegionCode>, bool)>> = HashMap::new();
        for (name, (mut codes, short_town)) in by_name {
            codes.sort();
            codes.dedup();
            if let Some(first) = name.chars().next().filter(|_| name.chars().count() >= 2) {
                names.entry(first).or_default().push((name, codes, short_town));
            }
        }
        for list in names.values_mut() {
            // Longest first, so that `南湖村委会` wins over `南湖村`.
            list.sort_by_key(|(name, ..)| std::cmp::Reverse(name.len()));
        }
        PlaceFinder { names }
    }

    /// Codes of the places named in `text`, in order of first appearance. A village named after
    /// its town (`中泰街道南湖村`) is the village alone; a village name shared by several towns is
    /// used only when its town is named just before it.
    pub fn find(&self, text: &str) -> Vec<RegionCode> {
        let mut found: Vec<RegionCode> = Vec::new();
        let mut pending_town: Option<RegionCode> = None;
        let mut rest = text;
        while let Some(first) = rest.chars().next() {
            let hit =
                self.names.get(&first).and_then(|list| list.iter().find(|(name, ..)| rest.starts_with(name.as_str())));
            let Some((name, codes, short_town)) = hit else {
                if let Some(town) = pending_town.take() {
                    push(&mut found, town);
                }
                rest = &rest[first.len_utf8()..];
                continue;
            };
            rest = &rest[name.len()..];
            let level = codes[0].level();
            if level == RegionLevel::Town {
                if let Some(town) = pending_town.take() {
                    push(&mut found, town);
                }
                // The town is confirmed by what follows: a village of it, or (official name) nothing.
                pending_town = Some(codes[0]).filter(|_| codes.len() == 1);
                if *short_town {
                    self.short_town_needs_village(&mut pending_town, rest);
                }
                continue;
            }
            let village = match codes.as_slice() {
                [one] => Some(*one),
                many => pending_town.and_then(|t| many.iter().copied().find(|v| v.parent() == Some(t))),
            };
            match village {
                Some(v) => {
                    pending_town = None;
                    push(&mut found, v);
                }
                None => {
                    if let Some(town) = pending_town.take() {
                        push(&mut found, town);
                    }
                }
            }
        }
        if let Some(town) = pending_town {
            push(&mut found, town);
        }
        found
    }

    /// A short town name stays pending only if a village name follows at once.
    fn short_town_needs_village(&self, pending: &mut Option<RegionCode>, rest: &str) {
        let follows_village = rest.chars().next().and_then(|c| self.names.get(&c)).is_some_and(|list| {
            list.iter().any(|(name, codes, _)| {
                rest.starts_with(name.as_str()) && codes.iter().any(|c| c.level() == RegionLevel::Village)
            })
        });
        if !follows_village {
            *pending = None;
        }
    }
}

fn push(found: &mut Vec<RegionCode>, code: RegionCode) {
    if !found.contains(&code) {
        found.push(code);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shanzhi_core::defaults;

    fn codes(finder: &PlaceFinder, text: &str) -> Vec<String> {
        finder.find(text).into_iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn villages_towns_and_their_combinations() {
        let g = defaults::gazetteer(defaults::DEFAULT_DISTRICT).unwrap();
        let finder = PlaceFinder::new(&g);
        assert_eq!(codes(&finder, "中泰街道南湖村村民反映"), ["330110014227"]);
        assert_eq!(codes(&finder, "南湖村委会门口"), ["330110014227"]);
        assert_eq!(codes(&finder, "径山镇一工地，瓶窑镇也有"), ["330110109", "330110110"]);
        assert_eq!(codes(&finder, "中泰南湖村"), ["330110014227"]);
        assert!(codes(&finder, "余杭区人民法院判决").is_empty(), "a district name is not a town");
    }
}
