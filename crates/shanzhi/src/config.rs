//! Configuration: an optional TOML file, with environment variables over it.
//!
//! ```toml
//! district = "330110"                         # the district's division code (default 余杭区)
//! divisions_dir = "/etc/shanzhi/divisions"    # other division tables (default: embedded Zhejiang)
//! departments = "departments.toml"            # another department directory
//! workflow_dir = "workflow"                   # the district's own kinds.toml, routing.toml,
//!                                             # deadlines.toml, matching.toml (any of them;
//!                                             # the others stay the shipped ones)
//! holidays = "cn-public-holidays.csv"         # a newer holiday calendar (date,kind,name)
//! risk_dir = "risk"                           # the district's own models.toml, seasons.toml,
//!                                             # plans.toml for the warning models (any of them)
//! assessment_dir = "assessment"               # the district's own metrics.toml, stars.toml
//!                                             # (star-rating scheme), residents.toml (any of them)
//! ```
//! The personal-data key comes from `SHANZHI_PII_KEY` (or `pii_key` in the file): 16 or more
//! characters, kept secret, never changed for a ledger once set.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Deserialize;
use shanzhi_core::RegionCode;
use shanzhi_core::defaults::DEFAULT_DISTRICT;

#[derive(Clone)]
pub struct Config {
    pub district: RegionCode,
    pub divisions_dir: Option<PathBuf>,
    pub departments: Option<PathBuf>,
    pub workflow_dir: Option<PathBuf>,
    pub holidays: Option<PathBuf>,
    pub risk_dir: Option<PathBuf>,
    pub assessment_dir: Option<PathBuf>,
    pub pii_secret: Option<String>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("district", &self.district.to_string())
            .field("divisions_dir", &self.divisions_dir)
            .field("departments", &self.departments)
            .field("workflow_dir", &self.workflow_dir)
            .field("holidays", &self.holidays)
            .field("risk_dir", &self.risk_dir)
            .field("assessment_dir", &self.assessment_dir)
            .field("pii_secret", &self.pii_secret.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    district: Option<String>,
    divisions_dir: Option<PathBuf>,
    departments: Option<PathBuf>,
    workflow_dir: Option<PathBuf>,
    holidays: Option<PathBuf>,
    risk_dir: Option<PathBuf>,
    assessment_dir: Option<PathBuf>,
    pii_key: Option<String>,
}

impl Config {
    /// Reads `path` if given, then applies `SHANZHI_DISTRICT` and `SHANZHI_PII_KEY`.
    pub fn load(path: Option<&Path>) -> anyhow::Result<Config> {
        let (file, base) = match path {
            Some(path) => {
                let text =
                    std::fs::read_to_string(path).with_context(|| format!("reading config {}", path.display()))?;
                let file: ConfigFile = toml::from_str(&text).with_context(|| format!("config {}", path.display()))?;
                (file, path.parent().map(Path::to_path_buf).unwrap_or_default())
            }
            None => (ConfigFile::default(), PathBuf::new()),
        };
        let district = match std::env::var("SHANZHI_DISTRICT").ok().or(file.district) {
            Some(code) => RegionCode::parse(&code).context("district")?,
            None => DEFAULT_DISTRICT,
        };
        if district.level() != shanzhi_core::RegionLevel::District {
            bail!("district {district} is not a district code (6 digits)");
        }
        // Paths in the file are relative to the file.
        let resolve = |p: PathBuf| if p.is_absolute() { p } else { base.join(p) };
        Ok(Config {
            district,
            divisions_dir: file.divisions_dir.map(resolve),
            departments: file.departments.map(resolve),
            workflow_dir: file.workflow_dir.map(resolve),
            holidays: file.holidays.map(resolve),
            risk_dir: file.risk_dir.map(resolve),
            assessment_dir: file.assessment_dir.map(resolve),
            pii_secret: std::env::var("SHANZHI_PII_KEY").ok().filter(|k| !k.is_empty()).or(file.pii_key),
        })
    }
}
