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
    /// The lead department's official name, an entry of the department directory.
    pub department: String,
    /// GB/T 4754-2017 section letter, `A` to `T`.
    pub industry: char,
    pub keywords: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Taxonomy {
    categories: Vec<Category>,
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
    /// Parses the taxonomy and checks it against the department directory.
    pub fn from_toml(text: &str, directory: &DepartmentDirectory) -> Result<Self, TaxonomyError> {
        let file: File = toml::from_str(text)?;
        let mut seen = HashSet::new();
        let mut categories = Vec::with_capacity(file.category.len());
        for e in file.category {
            let bad = |reason: String| TaxonomyError::Category { code: e.code.clone(), reason };
            if !seen.insert(e.code.clone()) {
                return Err(bad("the code appears twice".into()));
            }
            if directory.get(&e.department).is_none() {
                return Err(bad(format!("department `{}` is not in the department directory", e.department)));
            }
            let industry = match e.industry.as_str().chars().collect::<Vec<_>>()[..] {
                [c @ 'A'..='T'] => c,
                _ => return Err(bad(format!("industry `{}` is not a GB/T 4754 section letter A–T", e.industry))),
            };
            categories.push(Category {
                code: e.code,
                name: e.name,
                group: e.group,
                department: e.department,
                industry,
                keywords: e.keywords,
            });
        }
        if !categories.iter().any(|c| c.code == OTHER) {
            return Err(TaxonomyError::NoOther);
        }
        Ok(Taxonomy { categories })
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
