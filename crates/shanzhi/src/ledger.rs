//! Opening the ledger: the store, the district's gazetteer and department directory, and the
//! personal-data key, checked against the one the ledger was started with.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, bail};
use shanzhi_core::warning::ContingencyPlans;
use shanzhi_core::workflow::{Rules, RulesText};
use shanzhi_core::{DepartmentDirectory, Gazetteer, PiiKey, defaults};
use shanzhi_risk::RiskSettings;
use shanzhi_store::Store;
use shanzhi_web::assessment::AssessmentSettings;

use crate::config::Config;

/// Whether a missing personal-data key may be generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A real ledger: the key must be configured.
    Production,
    /// A demo ledger: a key is generated once and kept in the database (and said so loudly).
    Demo,
    /// Work on whatever ledger this is: a demo ledger's stored key is used, a real ledger's
    /// must be configured.
    Existing,
}

/// Everything a command works with.
#[derive(Clone)]
pub struct Ledger {
    pub store: Arc<dyn Store>,
    pub gazetteer: Arc<Gazetteer>,
    pub departments: Arc<DepartmentDirectory>,
    pub pii_key: PiiKey,
    /// Derives what records leave out (category, amount, head-count) from their text.
    pub analyzer: Arc<shanzhi_text::TextAnalyzer>,
    /// Kinds, routing, deadlines, matching and the holiday calendar.
    pub rules: Arc<Rules>,
    /// The warning models' settings and the contingency plans warnings propose.
    pub risk: Arc<RiskSettings>,
    pub plans: Arc<ContingencyPlans>,
    /// The assessment's metrics rules, star-rating scheme and residents per village.
    pub assessment: Arc<AssessmentSettings>,
}

/// The personal-data key that demo mode generated, kept in the ledger: the mark of a demo ledger.
pub(crate) const DEMO_KEY: &str = "demo_pii_key";
const KEY_FINGERPRINT: &str = "pii_key_fingerprint";
const DISTRICT: &str = "district";

impl Ledger {
    /// What the web layer serves this ledger with.
    pub fn app_state(&self) -> shanzhi_web::AppState {
        shanzhi_web::AppState {
            store: self.store.clone(),
            gazetteer: self.gazetteer.clone(),
            departments: self.departments.clone(),
            pii_key: self.pii_key.clone(),
            analyzer: self.analyzer.clone(),
            rules: self.rules.clone(),
            plans: self.plans.clone(),
            assessment: self.assessment.clone(),
            auth: Arc::new(shanzhi_web::auth::Auth::default()),
        }
    }

    pub async fn open(db_url: &str, config: &Config, mode: Mode) -> anyhow::Result<Ledger> {
        let gazetteer = load_gazetteer(config)?;
        let departments = load_departments(config, &gazetteer)?;
        let store = shanzhi_store::open(db_url)
            .await
            .with_context(|| format!("opening the database ({})", redact_url(db_url)))?;
        let pii_key = pii_key(store.as_ref(), config, mode).await?;
        let district = gazetteer.district().code.to_string();
        let stored = store.put_setting_if_absent(DISTRICT, &district).await?;
        if stored != district {
            bail!("this ledger belongs to district {stored}, not {district}; configure `district = \"{stored}\"`");
        }
        let analyzer = Arc::new(crate::text::ledger_analyzer(store.as_ref(), &gazetteer, &departments).await?);
        let rules = Arc::new(load_rules(config, &departments)?);
        warn_of_missing_holidays(&rules);
        let (risk, plans) = load_risk(config, &departments)?;
        let assessment = load_assessment(config)?;
        Ok(Ledger {
            store,
            gazetteer: Arc::new(gazetteer),
            departments: Arc::new(departments),
            pii_key,
            analyzer,
            rules,
            risk: Arc::new(risk),
            plans: Arc::new(plans),
            assessment: Arc::new(assessment),
        })
    }
}

/// The assessment's files: the shipped ones, with any file of the configured `assessment_dir` in
/// their place. Read at every start, so a new star-rating scheme needs no rebuild.
pub fn load_assessment(config: &Config) -> anyhow::Result<AssessmentSettings> {
    let read = |name: &str, shipped: &'static str| -> anyhow::Result<std::borrow::Cow<'static, str>> {
        match config.assessment_dir.as_ref().map(|dir| dir.join(name)).filter(|path| path.exists()) {
            Some(path) => {
                Ok(std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?.into())
            }
            None => Ok(shipped.into()),
        }
    };
    AssessmentSettings::parse(
        &read("metrics.toml", defaults::ASSESSMENT_RULES)?,
        &read("stars.toml", defaults::STAR_SCHEME)?,
        &read("residents.toml", defaults::RESIDENTS)?,
    )
    .context("the assessment files (assessment_dir)")
}

/// The warning models' settings and contingency plans: the shipped ones, with any file of the
/// configured `risk_dir` in their place.
pub fn load_risk(
    config: &Config,
    departments: &DepartmentDirectory,
) -> anyhow::Result<(RiskSettings, ContingencyPlans)> {
    let own = |name: &str| config.risk_dir.as_ref().map(|dir| dir.join(name)).filter(|path| path.exists());
    let read = |name: &str, shipped: &'static str| -> anyhow::Result<std::borrow::Cow<'static, str>> {
        match own(name) {
            Some(path) => {
                Ok(std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?.into())
            }
            None => Ok(shipped.into()),
        }
    };
    let settings = RiskSettings::parse(
        &read("models.toml", shanzhi_risk::config::DEFAULT_MODELS)?,
        &read("seasons.toml", shanzhi_risk::config::DEFAULT_SEASONS)?,
    )
    .context("the warning models' settings (risk_dir)")?;
    let plans = ContingencyPlans::from_toml(&read("plans.toml", defaults::CONTINGENCY_PLANS)?, departments)
        .context("the contingency plans (risk_dir)")?;
    let missing = plans.missing_departments();
    if !missing.is_empty() {
        // The district's own plans must name its departments; the shipped ones name Yuhang's.
        if own("plans.toml").is_some() {
            bail!("the contingency plans (risk_dir) name departments not in the directory: {}", missing.join("、"));
        }
        tracing::warn!(departments = ?missing, "the shipped contingency plans name departments not in the directory: put the district's own plans.toml in risk_dir");
    }
    Ok((settings, plans))
}

/// The workflow's rules: the shipped ones, with any file of the configured `workflow_dir` and
/// the configured holiday calendar in their place.
pub fn load_rules(config: &Config, departments: &DepartmentDirectory) -> anyhow::Result<Rules> {
    let read = |path: &Path| -> anyhow::Result<String> {
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
    };
    let mut text = RulesText::default();
    if let Some(dir) = &config.workflow_dir {
        for (name, slot) in [
            ("kinds.toml", &mut text.kinds),
            ("routing.toml", &mut text.routing),
            ("deadlines.toml", &mut text.deadlines),
            ("matching.toml", &mut text.matching),
        ] {
            let path = dir.join(name);
            if path.exists() {
                *slot = read(&path)?.into();
            }
        }
    }
    if let Some(path) = &config.holidays {
        text.holidays = read(path)?.into();
    }
    Rules::parse(&text, departments).context("the workflow rules (workflow_dir, holidays)")
}

/// Deadlines in a year the holiday calendar does not cover count only weekends as rest days:
/// say so while there is time to add the State Council's notice (published each November).
fn warn_of_missing_holidays(rules: &Rules) {
    use chrono::Datelike;
    let today = shanzhi_core::calendar::local_date(chrono::Utc::now());
    // A deadline set in December can fall in January.
    let years = if today.month() == 12 { vec![today.year(), today.year() + 1] } else { vec![today.year()] };
    for year in years.into_iter().filter(|y| !rules.calendar.covers(*y)) {
        tracing::warn!(
            year,
            "the holiday calendar (data/calendar/cn-public-holidays.csv) has no rows for {year}: deadlines count only weekends as rest days until they are added"
        );
    }
}

pub fn load_gazetteer(config: &Config) -> anyhow::Result<Gazetteer> {
    let gazetteer = match &config.divisions_dir {
        None => defaults::gazetteer(config.district)?,
        Some(dir) => {
            let table = |suffix: &str| -> anyhow::Result<String> {
                let path = find_table(dir, suffix)?;
                std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))
            };
            Gazetteer::from_division_tables(
                config.district,
                &table("counties")?,
                &table("towns")?,
                &table("villages")?,
            )?
        }
    };
    tracing::debug!(district = %gazetteer.district().official_name, towns = gazetteer.towns().count(), "gazetteer loaded");
    Ok(gazetteer)
}

/// The configured department directory; the embedded one for 余杭区; none for another district.
pub fn load_departments(config: &Config, gazetteer: &Gazetteer) -> anyhow::Result<DepartmentDirectory> {
    Ok(match &config.departments {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            DepartmentDirectory::from_toml(&text, gazetteer)
                .with_context(|| format!("department directory {}", path.display()))?
        }
        None if config.district == defaults::DEFAULT_DISTRICT => {
            defaults::departments(gazetteer).context("the embedded department directory")?
        }
        None => {
            tracing::warn!(
                district = %gazetteer.district().official_name,
                "no department directory configured for this district (`departments` in the config); starting with none"
            );
            DepartmentDirectory::empty()
        }
    })
}

/// The one `*-{suffix}.csv` file of the divisions directory.
fn find_table(dir: &Path, suffix: &str) -> anyhow::Result<std::path::PathBuf> {
    let wanted = format!("-{suffix}.csv");
    let mut found = std::fs::read_dir(dir)
        .with_context(|| format!("reading divisions directory {}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.ends_with(&wanted)));
    match (found.next(), found.next()) {
        (Some(path), None) => Ok(path),
        (None, _) => bail!("{} has no *{wanted} table", dir.display()),
        (Some(_), Some(_)) => bail!("{} has more than one *{wanted} table", dir.display()),
    }
}

/// The configured key; in demo mode, or on a ledger that demo mode created, the generated one.
/// Either way it must match the fingerprint stored with the ledger.
async fn pii_key(store: &dyn Store, config: &Config, mode: Mode) -> anyhow::Result<PiiKey> {
    let key = match &config.pii_secret {
        Some(secret) => PiiKey::from_secret(secret).context("SHANZHI_PII_KEY")?,
        None => match (mode, store.setting(DEMO_KEY).await?) {
            (Mode::Existing, Some(secret)) => PiiKey::from_secret(&secret)?,
            (Mode::Production | Mode::Existing, _) => bail!(
                "SHANZHI_PII_KEY is not set: the ledger keeps ID and phone numbers only as hashes keyed with it. \
                 Set it to a secret of 16 or more characters (and keep it: a ledger cannot change its key), \
                 or use `serve --demo` for a demo ledger"
            ),
            (Mode::Demo, Some(secret)) => PiiKey::from_secret(&secret)?,
            (Mode::Demo, None) => {
                // Only a new ledger becomes a demo ledger: one started with a real key stays real.
                if store.setting(KEY_FINGERPRINT).await?.is_some() {
                    bail!(
                        "this ledger was started with a configured SHANZHI_PII_KEY; set it, or use another database for the demo"
                    );
                }
                let mut bytes = [0u8; 32];
                getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no random source for the demo key: {e}"))?;
                let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                let secret = store.put_setting_if_absent(DEMO_KEY, &secret).await?;
                tracing::warn!(
                    "demo mode: generated a personal-data key and kept it in the database; never do this with real data"
                );
                PiiKey::from_secret(&secret)?
            }
        },
    };
    let fingerprint = key.fingerprint();
    let stored = store.put_setting_if_absent(KEY_FINGERPRINT, &fingerprint).await?;
    if stored != fingerprint {
        bail!(
            "this ledger's personal data was hashed with another key (fingerprint {stored}, configured key {fingerprint}); \
             use the ledger's own SHANZHI_PII_KEY"
        );
    }
    Ok(key)
}

/// The URL without its password (in the user part or as a `password` parameter), for messages.
pub fn redact_url(url: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let base = match (base.find("://"), base.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => match base[scheme_end + 3..at].split_once(':') {
            Some((user, _)) => format!("{}{user}:***{}", &base[..scheme_end + 3], &base[at..]),
            None => base.to_owned(),
        },
        _ => base.to_owned(),
    };
    let Some(query) = query else { return base };
    let query: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if name.to_ascii_lowercase().contains("password") => format!("{name}=***"),
            _ => pair.to_owned(),
        })
        .collect();
    format!("{base}?{}", query.join("&"))
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn config(workflow_dir: Option<PathBuf>, holidays: Option<PathBuf>) -> Config {
        Config {
            district: defaults::DEFAULT_DISTRICT,
            divisions_dir: None,
            departments: None,
            workflow_dir,
            holidays,
            risk_dir: None,
            assessment_dir: None,
            pii_secret: None,
        }
    }

    #[test]
    fn a_district_replaces_the_warning_settings_it_configures() {
        let dir = tempfile::tempdir().unwrap();
        let models = shanzhi_risk::config::DEFAULT_MODELS.replace("alpha = 0.001", "alpha = 0.0001");
        std::fs::write(dir.path().join("models.toml"), models).unwrap();
        let mut config = config(None, None);
        config.risk_dir = Some(dir.path().to_path_buf());
        let gazetteer = defaults::gazetteer(defaults::DEFAULT_DISTRICT).unwrap();
        let departments = defaults::departments(&gazetteer).unwrap();
        let (settings, plans) = load_risk(&config, &departments).unwrap();
        assert_eq!(settings.event.alpha, 0.0001);
        assert!(plans.get("mass_refund").is_some(), "the shipped plans stay");

        std::fs::write(dir.path().join("plans.toml"), "[[plan]]\ncode = \"x\"\nname = \"x\"\nmodels = [\"event\"]\nmin_level = \"red\"\ntasks = [{ department = \"区不存在局\", task = \"t\", due_working_days = 1 }]\n").unwrap();
        let err = load_risk(&config, &departments).unwrap_err();
        assert!(format!("{err:#}").contains("区不存在局"), "{err:#}");
    }

    #[test]
    fn a_district_replaces_the_rules_it_configures_and_keeps_the_rest() {
        let gazetteer = defaults::gazetteer(defaults::DEFAULT_DISTRICT).unwrap();
        let departments = defaults::departments(&gazetteer).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let routing = defaults::ROUTING_RULES.replace(r#"case_number_prefix = "YH""#, r#"case_number_prefix = "YHQ""#);
        std::fs::write(dir.path().join("routing.toml"), routing).unwrap();
        let holidays = dir.path().join("holidays.csv");
        std::fs::write(&holidays, format!("{}2027-01-01,holiday,元旦\n", defaults::CN_PUBLIC_HOLIDAYS)).unwrap();

        let rules = load_rules(&config(Some(dir.path().to_owned()), Some(holidays.clone())), &departments).unwrap();
        assert_eq!(rules.routing.case_number_prefix(), "YHQ");
        assert!(rules.calendar.covers(2027));
        assert_eq!(rules.deadlines.warn_working_days(), 1, "the deadlines file was not replaced");

        std::fs::write(&holidays, "date,kind,name\n2027-01-01,holliday,元旦\n").unwrap();
        let error = load_rules(&config(None, Some(holidays)), &departments).unwrap_err();
        assert!(format!("{error:#}").contains("line 2"), "{error:#}");
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact_url("postgres://app:s3cret@db/ledger"), "postgres://app:***@db/ledger");
        assert_eq!(redact_url("postgres://app@db/ledger"), "postgres://app@db/ledger");
        assert_eq!(redact_url("sqlite://shanzhi.db"), "sqlite://shanzhi.db");
        assert_eq!(
            redact_url("postgres://app@db/ledger?sslmode=disable&password=s3cret"),
            "postgres://app@db/ledger?sslmode=disable&password=***"
        );
    }
}
