//! The dispute taxonomy (`data/text/taxonomy.toml`): categories with their lead department,
//! industry section and keywords.

use std::collections::HashSet;

use serde::Deserialize;
use shanzhi_core::DepartmentDirectory;

/// One category of the taxonomy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub code: String,
    pub name: String,
    pub group: String,
    /// The lead department's official name, an entry of the department directory; `None` where
    /// the district's directory lacks it (another district before its directory is configured).
    pub department: Option<String>,
    /// GB/T 4754-2017 section letter, `A` to `T`.
    pub industry: char,
    pub keywords: Vec<String>,
}

impl Category {
    /// The industry section's name (GB/T 4754-2017 门类).
    pub fn industry_name(&self) -> &'static str {
        industry_name(self.industry)
    }
}

/// The name of a GB/T 4754-2017 section (门类) by its letter.
pub fn industry_name(section: char) -> &'static str {
    match section {
        'A' => "农、林、牧、渔业",
        'B' => "采矿业",
        'C' => "制造业",
        'D' => "电力、热力、燃气及水生产和供应业",
        'E' => "建筑业",
        'F' => "批发和零售业",
        'G' => "交通运输、仓储和邮政业",
        'H' => "住宿和餐饮业",
        'I' => "信息传输、软件和信息技术服务业",
        'J' => "金融业",
        'K' => "房地产业",
        'L' => "租赁和商务服务业",
        'M' => "科学研究和技术服务业",
        'N' => "水利、环境和公共设施管理业",
        'O' => "居民服务、修理和其他服务业",
        'P' => "教育",
        'Q' => "卫生和社会工作",
        'R' => "文化、体育和娱乐业",
        'S' => "公共管理、社会保障和社会组织",
        'T' => "国际组织",
        _ => "未知行业",
    }
}

#[derive(Debug, Clone)]
pub struct Taxonomy {
    categories: Vec<Category>,
    /// Departments the taxonomy names that the directory lacks, for the caller to warn about.
    missing_departments: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum TaxonomyError {
    #[error("taxonomy is not valid TOML: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("taxonomy category `{code}`: {reason}")]
    Category { code: String, reason: String },
    #[error("the taxonomy needs a category `other` for what fits nowhere else")]
    NoOther,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    category: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    code: String,
    name: String,
    group: String,
    department: String,
    industry: String,
    keywords: Vec<String>,
}

/// The fallback category's code.
pub const OTHER: &str = "other";

impl Taxonomy {
    /// Parses the taxonomy and checks it against the department directory. A department the
    /// directory lacks leaves its categories without a lead department (see
    /// [`Taxonomy::missing_departments`]) rather than failing: the district may not have
    /// configured its directory yet.
    pub fn from_toml(text: &str, directory: &DepartmentDirectory) -> Result<Self, TaxonomyError> {
        let file: File = toml::from_str(text)?;
        let mut seen = HashSet::new();
        let mut categories = Vec::with_capacity(file.category.len());
        let mut missing = Vec::new();
        for e in file.category {
            let bad = |reason: String| TaxonomyError::Category { code: e.code.clone(), reason };
            if !seen.insert(e.code.clone()) {
                return Err(bad("the code appears twice".into()));
            }
            let department = if directory.get(&e.department).is_some() {
                Some(e.department.clone())
            } else {
                if !missing.contains(&e.department) {
                    missing.push(e.department.clone());
                }
                None
            };
            let industry = match e.industry.as_str().chars().collect::<Vec<_>>()[..] {
                [c @ 'A'..='T'] => c,
                _ => return Err(bad(format!("industry `{}` is not a GB/T 4754 section letter A–T", e.industry))),
            };
            categories.push(Category {
                code: e.code,
                name: e.name,
                group: e.group,
                department,
                industry,
                keywords: e.keywords,
            });
        }
        if !categories.iter().any(|c| c.code == OTHER) {
            return Err(TaxonomyError::NoOther);
        }
        Ok(Taxonomy { categories, missing_departments: missing })
    }

    pub fn missing_departments(&self) -> &[String] {
        &self.missing_departments
    }

    /// The category a record's own `category` field means: its code, its name, or its name
    /// without the parenthesis or one of its `/`-separated parts (`劳资纠纷`, `预付卡退费`).
    pub fn find(&self, written: &str) -> Option<&Category> {
        let written = written.trim();
        let base = |name: &str| name.split(['（', '(']).next().unwrap_or(name).trim().to_owned();
        self.categories.iter().find(|c| c.code == written || c.name == written).or_else(|| {
            self.categories.iter().find(|c| {
                let name = base(&c.name);
                name == written
                    || name.trim_end_matches("纠纷") == written.trim_end_matches("纠纷")
                    || name.trim_end_matches("纠纷").split('/').any(|part| part == written.trim_end_matches("纠纷"))
            })
        })
    }

    pub fn categories(&self) -> &[Category] {
        &self.categories
    }

    pub fn index_of(&self, code: &str) -> Option<usize> {
        self.categories.iter().position(|c| c.code == code)
    }

    pub fn get(&self, code: &str) -> Option<&Category> {
        self.index_of(code).map(|i| &self.categories[i])
    }

    pub fn len(&self) -> usize {
        self.categories.len()
    }

    pub fn is_empty(&self) -> bool {
        self.categories.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shanzhi_core::defaults;

    fn taxonomy(directory: &DepartmentDirectory) -> Taxonomy {
        Taxonomy::from_toml(crate::corpus::TAXONOMY, directory).unwrap()
    }

    #[test]
    fn the_shipped_taxonomy_names_departments_of_the_directory() {
        let g = defaults::gazetteer(defaults::DEFAULT_DISTRICT).unwrap();
        let t = taxonomy(&defaults::departments(&g).unwrap());
        assert!(t.missing_departments().is_empty());
        assert!(t.categories().iter().all(|c| c.department.is_some()));
        assert_eq!(t.len(), 24);
    }

    #[test]
    fn without_a_directory_the_categories_have_no_department() {
        let t = taxonomy(&DepartmentDirectory::empty());
        assert!(t.categories().iter().all(|c| c.department.is_none()));
        assert!(!t.missing_departments().is_empty());
    }

    #[test]
    fn names_records_use_find_their_category() {
        let g = defaults::gazetteer(defaults::DEFAULT_DISTRICT).unwrap();
        let t = taxonomy(&defaults::departments(&g).unwrap());
        for (written, code) in [
            ("wage_arrears", "wage_arrears"),
            ("劳资纠纷（拖欠工资）", "wage_arrears"),
            ("劳资纠纷", "wage_arrears"),
            ("预付卡退费", "consumer_prepaid"),
            ("邻里纠纷", "neighbour"),
            ("邻里", "neighbour"),
        ] {
            assert_eq!(t.find(written).map(|c| c.code.as_str()), Some(code), "{written}");
        }
        assert!(t.find("外星人入侵").is_none());
    }
}
