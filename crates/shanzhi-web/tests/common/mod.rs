//! The app on port 0 with a fresh database, for the API tests of every file.

#[allow(dead_code, reason = "only the tests of personal data read the log")]
pub mod logs;

use std::sync::{Arc, OnceLock};

use chrono::Utc;
use serde_json::Value;
use shanzhi_core::access::Role;
use shanzhi_core::warning::ContingencyPlans;
use shanzhi_core::workflow::Rules;
use shanzhi_core::{DepartmentDirectory, Gazetteer, LedgerRecord, NewCase, PiiKey, RecordContext, defaults};
use shanzhi_store::NewApiToken;
pub use shanzhi_store::testing::TestDatabase;
use shanzhi_text::{TextAnalyzer, corpus};
use shanzhi_web::auth::Secret;
use shanzhi_web::{AppState, Application};

pub struct TestApp {
    pub address: String,
    pub state: AppState,
    pub client: reqwest::Client,
    _db: TestDatabase,
}

struct World {
    gazetteer: Arc<Gazetteer>,
    departments: Arc<DepartmentDirectory>,
    analyzer: Arc<TextAnalyzer>,
    rules: Arc<Rules>,
    plans: Arc<ContingencyPlans>,
}

/// Built once per test binary: training the classifier takes a moment.
fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let gazetteer = defaults::gazetteer(defaults::DEFAULT_DISTRICT).unwrap();
        let departments = defaults::departments(&gazetteer).unwrap();
        let all = corpus::embedded().unwrap();
        let analyzer =
            TextAnalyzer::new(&gazetteer, &departments, corpus::TAXONOMY, corpus::ESCALATION, &corpus::training(&all))
                .unwrap();
        let rules = Rules::embedded(&departments).unwrap();
        let plans = ContingencyPlans::from_toml(defaults::CONTINGENCY_PLANS, &departments).unwrap();
        World {
            gazetteer: Arc::new(gazetteer),
            departments: Arc::new(departments),
            analyzer: Arc::new(analyzer),
            rules: Arc::new(rules),
            plans: Arc::new(plans),
        }
    })
}

pub fn pii_key() -> PiiKey {
    PiiKey::from_secret("api test personal data key").unwrap()
}

pub async fn spawn_app(db: TestDatabase) -> TestApp {
    let w = world();
    let state = AppState {
        store: shanzhi_store::open(&db.url).await.unwrap(),
        gazetteer: w.gazetteer.clone(),
        departments: w.departments.clone(),
        pii_key: pii_key(),
        analyzer: w.analyzer.clone(),
        rules: w.rules.clone(),
        plans: w.plans.clone(),
        assessment: std::sync::Arc::new(shanzhi_web::assessment::AssessmentSettings::embedded()),
        auth: std::sync::Arc::new(shanzhi_web::auth::Auth::default()),
    };
    let app = Application::build("127.0.0.1:0".parse().unwrap(), state.clone()).await.unwrap();
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped(std::future::pending()));
    // The tests of the API's behaviour speak as an integration with an administrator's token;
    // tests/access.rs tests who may do what.
    let token = create_token(&state, Role::Admin, None, None).await;
    let client = client_with_token(&token);
    TestApp { address, state, client, _db: db }
}

/// A new API token of `role`, as `shanzhi token create` makes one.
pub async fn create_token(state: &AppState, role: Role, region: Option<&str>, department: Option<&str>) -> String {
    let secret = Secret::generate_token();
    let token = NewApiToken {
        name: format!("test-{}", role.code()),
        token_hash: secret.hash(),
        role,
        region: region.map(|r| shanzhi_core::RegionCode::parse(r).unwrap()),
        department: department.map(str::to_owned),
    };
    state.store.add_api_token(&token).await.unwrap();
    secret.expose().to_owned()
}

pub fn client_with_token(token: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::AUTHORIZATION, format!("Bearer {token}").parse().unwrap());
    reqwest::Client::builder().default_headers(headers).build().unwrap()
}

#[allow(dead_code, reason = "each test binary uses a part of the helpers")]
impl TestApp {
    pub async fn get(&self, path: &str) -> (u16, Value) {
        let response = self.client.get(format!("{}{path}", self.address)).send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let response = self.client.post(format!("{}{path}", self.address)).json(body).send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Registers records straight into the store, as an import does.
    pub async fn register(&self, records: Value) -> Vec<i64> {
        let key = pii_key();
        let ctx = RecordContext { gazetteer: &self.state.gazetteer, pii_key: &key, now: Utc::now() };
        let records: Vec<LedgerRecord> = serde_json::from_value(records).unwrap();
        let records: Vec<NewCase> = records.iter().map(|r| r.validate(&ctx).unwrap().into()).collect();
        let regs = self.state.store.register_cases(&records, "test").await.unwrap();
        regs.into_iter().map(|r| r.case_id().get()).collect()
    }
}

/// Runs each test on SQLite, and on PostgreSQL when `SHANZHI_TEST_PG` is set.
#[macro_export]
macro_rules! on_both_stores {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $( #[tokio::test] async fn $test() { super::$test($crate::common::spawn_app($crate::common::TestDatabase::sqlite()).await).await; } )*
        }
        mod postgres {
            $( #[tokio::test] async fn $test() {
                let Some(db) = $crate::common::TestDatabase::postgres().await else { return };
                super::$test($crate::common::spawn_app(db).await).await;
            } )*
        }
    };
}
