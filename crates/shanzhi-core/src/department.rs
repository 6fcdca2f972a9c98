//! The department directory: every body that can lead or co-handle a case.

use std::collections::HashMap;

use serde::Deserialize;

use crate::region::{Gazetteer, RegionCode, RegionLevel};

/// What a department is. Routing rules (a later issue) refer to kinds, so that one rule serves
/// every town's police station or justice office.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DepartmentKind {
    /// 矛调中心 and its town branches (社会治理中心).
    MediationCentre,
    /// 人民调解委员会.
    MediationCommittee,
    /// 政法委.
    PoliticalLegal,
    /// 公安分局.
    Police,
    /// 派出所.
    PoliceStation,
    /// 人民法院.
    Court,
    /// 人民法庭.
    CourtTribunal,
    /// 人民检察院.
    Procuratorate,
    /// 司法局.
    Justice,
    /// 司法所.
    JusticeOffice,
    /// 人力资源和社会保障局.
    HumanResources,
    /// 劳动保障监察.
    LabourInspection,
    /// 住房和城乡建设局.
    HousingConstruction,
    /// 市场监督管理局.
    MarketRegulation,
    /// 教育局.
    Education,
    /// 卫生健康局.
    Health,
    /// 交通运输局.
    Transport,
    /// 生态环境.
    EcologyEnvironment,
    /// 农业农村局.
    AgricultureRural,
    /// 规划和自然资源.
    NaturalResources,
    /// 信访局.
    Petition,
    /// 应急管理局.
    EmergencyManagement,
    /// 民政局.
    CivilAffairs,
    /// 妇联.
    WomensFederation,
    /// 总工会.
    TradeUnion,
    /// 镇街平安办.
    SafetyOffice,
    /// 村社 committee, when a directory lists village bodies.
    VillageCommittee,
}

/// One department of the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Department {
    /// Official name; unique in the directory, the department's identity in the ledger.
    pub name: String,
    pub short_name: Option<String>,
    pub kind: DepartmentKind,
    pub level: RegionLevel,
    /// The district, town or village it serves.
    pub region: RegionCode,
}

/// All departments of a district, by name.
#[derive(Debug, Clone)]
pub struct DepartmentDirectory {
    departments: Vec<Department>,
    by_name: HashMap<String, usize>,
}

#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    #[error("department directory is not valid TOML: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("department #{index} `{name}`: {reason}")]
    Entry { index: usize, name: String, reason: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DirectoryFile {
    department: Vec<DepartmentEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DepartmentEntry {
    name: String,
    short_name: Option<String>,
    kind: DepartmentKind,
    level: String,
    region: String,
}

impl DepartmentDirectory {
    /// Parses a directory file (see `data/departments-yuhang.toml`) and checks every entry
    /// against the district's gazetteer: names unique, regions inside the district, levels that
    /// match their region.
    pub fn from_toml(text: &str, gazetteer: &Gazetteer) -> Result<Self, DirectoryError> {
        let file: DirectoryFile = toml::from_str(text)?;
        let mut departments = Vec::with_capacity(file.department.len());
        let mut by_name = HashMap::new();
        for (i, entry) in file.department.into_iter().enumerate() {
            let index = i + 1;
            let bad = |reason: String| DirectoryError::Entry { index, name: entry.name.clone(), reason };
            let name = entry.name.trim().to_owned();
            if name.is_empty() {
                return Err(bad("empty name".into()));
            }
            let level = RegionLevel::parse(&entry.level)
                .ok_or_else(|| bad(format!("level `{}` is not district, town or village", entry.level)))?;
            let region = RegionCode::parse(&entry.region).map_err(|e| bad(e.to_string()))?;
            let in_district = region == gazetteer.district().code || gazetteer.region(region).is_some();
            if !in_district {
                return Err(bad(format!("region {region} is not in {}", gazetteer.district().official_name)));
            }
            if region.level() > level {
                return Err(bad(format!("a {} department cannot serve the smaller region {region}", level.code())));
            }
            if by_name.insert(name.clone(), departments.len()).is_some() {
                return Err(bad("the name appears twice".into()));
            }
            departments.push(Department { name, short_name: entry.short_name, kind: entry.kind, level, region });
        }
        Ok(DepartmentDirectory { departments, by_name })
    }

    /// A directory without departments, for a district that has not configured one yet.
    pub fn empty() -> Self {
        DepartmentDirectory { departments: Vec::new(), by_name: HashMap::new() }
    }

    pub fn get(&self, name: &str) -> Option<&Department> {
        self.by_name.get(name).map(|&i| &self.departments[i])
    }

    /// The department staff mean by `written`: its official name, or its short name when only
    /// one department has that short name.
    pub fn find(&self, written: &str) -> Option<&Department> {
        let written = written.trim();
        self.get(written).or_else(|| {
            let mut by_short = self.departments.iter().filter(|d| d.short_name.as_deref() == Some(written));
            match (by_short.next(), by_short.next()) {
                (Some(d), None) => Some(d),
                _ => None,
            }
        })
    }

    pub fn iter(&self) -> impl Iterator<Item = &Department> {
        self.departments.iter()
    }

    pub fn len(&self) -> usize {
        self.departments.len()
    }

    pub fn is_empty(&self) -> bool {
        self.departments.is_empty()
    }

    /// The department of `kind` that serves `town`, if the directory has one.
    pub fn for_town(&self, kind: DepartmentKind, town: RegionCode) -> Option<&Department> {
        self.departments.iter().find(|d| d.kind == kind && d.region == town)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::defaults;
    use crate::region::tests::yuhang;

    #[test]
    fn the_default_directory_covers_district_and_every_town() {
        let g = yuhang();
        let dir = defaults::departments(&g).unwrap();
        assert_eq!(dir.get("杭州市余杭区人力资源和社会保障局").unwrap().kind, DepartmentKind::HumanResources);
        for kind in [
            DepartmentKind::MediationCentre,
            DepartmentKind::Police,
            DepartmentKind::Court,
            DepartmentKind::Procuratorate,
            DepartmentKind::Justice,
            DepartmentKind::LabourInspection,
            DepartmentKind::HousingConstruction,
            DepartmentKind::MarketRegulation,
            DepartmentKind::Education,
            DepartmentKind::Health,
            DepartmentKind::Transport,
            DepartmentKind::EcologyEnvironment,
            DepartmentKind::AgricultureRural,
            DepartmentKind::NaturalResources,
            DepartmentKind::Petition,
            DepartmentKind::EmergencyManagement,
            DepartmentKind::CivilAffairs,
            DepartmentKind::WomensFederation,
            DepartmentKind::TradeUnion,
        ] {
            assert!(
                dir.iter().any(|d| d.kind == kind && d.level == RegionLevel::District),
                "no district-level {kind:?}"
            );
        }
        for town in g.towns() {
            for kind in [
                DepartmentKind::MediationCentre,
                DepartmentKind::PoliceStation,
                DepartmentKind::JusticeOffice,
                DepartmentKind::MediationCommittee,
                DepartmentKind::SafetyOffice,
            ] {
                assert!(dir.for_town(kind, town.code).is_some(), "{} has no {kind:?}", town.official_name);
            }
        }
        assert!(dir.iter().any(|d| d.kind == DepartmentKind::CourtTribunal));
    }

    #[test]
    fn entries_are_checked_against_the_district() {
        let g = yuhang();
        let outside =
            "[[department]]\nname = \"西湖区某局\"\nkind = \"education\"\nlevel = \"district\"\nregion = \"330106\"\n";
        assert!(DepartmentDirectory::from_toml(outside, &g).unwrap_err().to_string().contains("not in 余杭区"));
        let twice = "[[department]]\nname = \"甲\"\nkind = \"education\"\nlevel = \"district\"\nregion = \"330110\"\n"
            .repeat(2);
        assert!(DepartmentDirectory::from_toml(&twice, &g).unwrap_err().to_string().contains("twice"));
        let bad_kind = "[[department]]\nname = \"乙\"\nkind = \"tax\"\nlevel = \"district\"\nregion = \"330110\"\n";
        assert!(DepartmentDirectory::from_toml(bad_kind, &g).is_err());
        let too_small =
            "[[department]]\nname = \"丙\"\nkind = \"education\"\nlevel = \"district\"\nregion = \"330110014\"\n";
        assert!(DepartmentDirectory::from_toml(too_small, &g).unwrap_err().to_string().contains("smaller region"));
    }
}
