use std::collections::BTreeMap;

use super::names::{self, NameIndex};
use super::{RegionCode, RegionLevel};

/// One region of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub code: RegionCode,
    /// The official name as published: `中泰街道`, `南湖村委会`.
    pub official_name: String,
    /// What people call it: `中泰`, `南湖村`.
    pub short_name: String,
}

impl Region {
    pub fn level(&self) -> RegionLevel {
        self.code.level()
    }
}

/// The region tree of one district, loaded from the official division tables.
#[derive(Debug, Clone)]
pub struct Gazetteer {
    district: Region,
    regions: BTreeMap<RegionCode, Region>,
    names: NameIndex,
}

#[derive(Debug, thiserror::Error)]
pub enum GazetteerError {
    #[error("division table {table}: {source}")]
    Csv { table: &'static str, source: csv::Error },
    #[error("division table {table}, line {line}: {reason}")]
    Row { table: &'static str, line: u64, reason: String },
    #[error("district {0} is not in the division tables")]
    UnknownDistrict(RegionCode),
    #[error("{0} is not a district code (6 digits)")]
    NotADistrict(RegionCode),
    #[error("district {0} has no towns in the division tables")]
    Empty(RegionCode),
}

#[derive(serde::Deserialize)]
struct Row {
    code: String,
    name: String,
}

fn rows(table: &'static str, csv_text: &str) -> impl Iterator<Item = Result<(RegionCode, String), GazetteerError>> {
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let rows: Vec<_> = reader.deserialize::<Row>().collect();
    rows.into_iter().enumerate().map(move |(i, row)| {
        let line = i as u64 + 2;
        let row = row.map_err(|source| GazetteerError::Csv { table, source })?;
        let code =
            RegionCode::parse(&row.code).map_err(|e| GazetteerError::Row { table, line, reason: e.to_string() })?;
        let name = row.name.trim().to_owned();
        if name.is_empty() {
            return Err(GazetteerError::Row { table, line, reason: "empty name".into() });
        }
        Ok((code, name))
    })
}

impl Gazetteer {
    /// Builds the tree of `district` from the county, town and village tables of the National
    /// Bureau of Statistics' division codes (CSV with `code,name,…` columns, as in `data/divisions`).
    /// Rows of other districts are skipped, so a province's tables can be passed whole.
    pub fn from_division_tables(
        district: RegionCode,
        counties_csv: &str,
        towns_csv: &str,
        villages_csv: &str,
    ) -> Result<Self, GazetteerError> {
        if district.level() != RegionLevel::District {
            return Err(GazetteerError::NotADistrict(district));
        }
        let mut district_region = None;
        for row in rows("counties", counties_csv) {
            let (code, name) = row?;
            if code == district {
                district_region =
                    Some(Region { code, short_name: names::short_district_name(&name), official_name: name });
            }
        }
        let district_region = district_region.ok_or(GazetteerError::UnknownDistrict(district))?;

        let mut regions = BTreeMap::new();
        for row in rows("towns", towns_csv) {
            let (code, name) = row?;
            if code.parent() == Some(district) {
                regions.insert(code, Region { code, short_name: names::short_town_name(&name), official_name: name });
            }
        }
        if regions.is_empty() {
            return Err(GazetteerError::Empty(district));
        }
        for row in rows("villages", villages_csv) {
            let (code, name) = row?;
            if code.parent().is_some_and(|town| regions.contains_key(&town)) {
                regions
                    .insert(code, Region { code, short_name: names::short_village_name(&name), official_name: name });
            }
        }
        let names = NameIndex::build(regions.values());
        Ok(Gazetteer { district: district_region, regions, names })
    }

    pub fn district(&self) -> &Region {
        &self.district
    }

    /// A town or village of this district.
    pub fn region(&self, code: RegionCode) -> Option<&Region> {
        self.regions.get(&code)
    }

    pub fn towns(&self) -> impl Iterator<Item = &Region> {
        self.regions.values().filter(|r| r.level() == RegionLevel::Town)
    }

    pub fn villages(&self) -> impl Iterator<Item = &Region> {
        self.regions.values().filter(|r| r.level() == RegionLevel::Village)
    }

    pub fn villages_of(&self, town: RegionCode) -> impl Iterator<Item = &Region> {
        self.villages().filter(move |v| v.code.parent() == Some(town))
    }

    /// `中泰街道南湖村` for a village, `中泰街道` for a town: the name to show staff.
    pub fn display_name(&self, code: RegionCode) -> Option<String> {
        let region = self.region(code)?;
        Some(match code.level() {
            RegionLevel::Village => {
                let town = self.region(code.parent()?)?;
                format!("{}{}", town.official_name, region.short_name)
            }
            _ => region.official_name.clone(),
        })
    }

    pub(super) fn names(&self) -> &NameIndex {
        &self.names
    }

    pub(super) fn regions(&self) -> &BTreeMap<RegionCode, Region> {
        &self.regions
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::defaults;

    pub(crate) fn yuhang() -> Gazetteer {
        defaults::gazetteer(defaults::DEFAULT_DISTRICT).unwrap()
    }

    #[test]
    fn yuhang_has_its_12_towns_and_223_villages() {
        let g = yuhang();
        assert_eq!(g.district().official_name, "余杭区");
        assert_eq!(g.towns().count(), 12);
        assert_eq!(g.villages().count(), 223);
        let zhongtai = RegionCode::parse("330110014").unwrap();
        assert_eq!(g.region(zhongtai).unwrap().short_name, "中泰");
        assert!(g.villages_of(zhongtai).any(|v| v.short_name == "南湖村"));
        assert_eq!(g.display_name(RegionCode::parse("330110014227").unwrap()).unwrap(), "中泰街道南湖村");
    }

    #[test]
    fn any_district_of_the_tables_can_be_loaded() {
        // 西湖区 of Hangzhou: same tables, another code.
        let g = defaults::gazetteer(RegionCode::parse("330106").unwrap()).unwrap();
        assert_eq!(g.district().official_name, "西湖区");
        assert!(g.towns().count() > 5);
        assert!(g.villages().all(|v| v.code.district().to_string() == "330106"));
    }

    #[test]
    fn unknown_or_malformed_district_is_an_error() {
        assert!(matches!(
            defaults::gazetteer(RegionCode::parse("339999").unwrap()),
            Err(GazetteerError::UnknownDistrict(_))
        ));
        assert!(matches!(
            defaults::gazetteer(RegionCode::parse("330110014").unwrap()),
            Err(GazetteerError::NotADistrict(_))
        ));
    }

    #[test]
    fn a_bad_row_is_named_by_line() {
        let towns = "code,name\n330110005,五常街道\n33011x,坏行\n";
        let err = Gazetteer::from_division_tables(
            RegionCode::parse("330110").unwrap(),
            "code,name\n330110,余杭区\n",
            towns,
            "code,name\n",
        )
        .unwrap_err();
        assert!(err.to_string().contains("line 3"), "{err}");
    }
}
