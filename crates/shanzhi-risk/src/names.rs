//! What the models call things in their Chinese explanations, and where villages are.

use std::collections::HashMap;

use shanzhi_core::RegionCode;

/// Names of regions and categories, handed in by the caller (from the gazetteer and the taxonomy).
#[derive(Debug, Clone, Default)]
pub struct Names {
    pub regions: HashMap<RegionCode, String>,
    /// Category code → its Chinese name.
    pub categories: HashMap<String, String>,
    /// Category code → its industry (GB/T 4754 section) as people read it.
    pub industries: HashMap<String, String>,
    /// Village centroids (latitude, longitude) where known; the region model then adds circles.
    pub centroids: HashMap<RegionCode, (f64, f64)>,
}

impl Names {
    pub fn region(&self, code: RegionCode) -> String {
        self.regions.get(&code).cloned().unwrap_or_else(|| code.to_string())
    }

    pub fn category(&self, code: &str) -> String {
        self.categories.get(code).cloned().unwrap_or_else(|| code.to_owned())
    }
}
