//! The ledger's persistence. One [`Store`] trait; two implementations, [`SqliteStore`] (the
//! embedded default) and [`PgStore`], chosen by the database URL in [`open`].
//!
//! This is the only crate that knows SQL. It knows nothing of HTTP, files or text analysis. Each
//! dialect has its own `migrations/` folder with the same migration names; the schema itself
//! guards the ledger's invariants (history is append-only; a case row changes only together with
//! the history event that records the change), so no caller can break them by mistake.

mod access;
mod assessment;
mod dashboard;
mod error;
mod events;
mod history;
mod postgres;
mod query;
mod rows;
mod sqlite;
pub mod testing;
mod text_models;
mod warnings;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use shanzhi_core::warning::{CaseSummary, Warning, WarningAction};
use shanzhi_core::workflow::Candidate;
use shanzhi_core::{
    Case, CaseEvent, CaseId, CaseStatus, Channel, EventKind, ExternalId, IdentityHash, NewCase, RegionCode,
};

pub use access::{ApiToken, NewApiToken, NewUser, Unmasking, User};
pub use assessment::RecordedRating;
pub use dashboard::DayCounts;
pub use error::StoreError;
pub use history::HistoricalEvent;
pub use postgres::PgStore;
pub use query::{CandidateQuery, CaseFilter, CaseOrder, CasePage, Page};
pub use sqlite::SqliteStore;
pub use text_models::{NewTextModel, StaffLabel, TextModelVersion};
pub use warnings::{StoredWarning, WARNING_RUN_ACTOR, WarningEvent, WarningFilter, WarningPage, WarningRunOutcome};

/// What became of one record handed to [`Store::register_cases`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registration {
    /// A new case, with its registration event.
    Registered(CaseId),
    /// The ledger already had a case with this (channel, external id); nothing was written.
    AlreadyPresent(CaseId),
}

impl Registration {
    pub fn case_id(self) -> CaseId {
        match self {
            Registration::Registered(id) | Registration::AlreadyPresent(id) => id,
        }
    }
}

/// What registering a case sets off, decided on the case as registered (see
/// [`Store::register_case`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Handling {
    /// The new case's own next event: its routing, or its link to a primary case.
    pub next: Option<EventKind>,
    /// Events for other cases, applied to them as they are (the primary's record of a link).
    pub others: Vec<(CaseId, EventKind)>,
}

/// Decides what a registration sets off. The store calls it inside its write transaction (and
/// may call it again when it retries a record alone), so it must be quick and pure.
pub type Plan = Arc<dyn Fn(&Case) -> Handling + Send + Sync>;

/// Counts over the whole ledger, for the front page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LedgerSummary {
    pub total: u64,
    pub by_channel: Vec<(Channel, u64)>,
    pub by_status: Vec<(CaseStatus, u64)>,
    /// Per town; cases registered at village level count for their town.
    pub by_town: Vec<(RegionCode, u64)>,
}

/// The ledger. Every method is one transaction: it happens whole or not at all.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Applies the migrations this database lacks; returns the descriptions of those applied.
    async fn migrate(&self) -> Result<Vec<String>, StoreError>;

    /// Answers when the database does.
    async fn ping(&self) -> Result<(), StoreError>;

    /// Registers every record whose (channel, external id) is new, with its parties and a
    /// `registered` event, in one transaction. Results come in the order of `records`; a record
    /// repeated within `records` is registered once.
    async fn register_cases(&self, cases: &[NewCase], actor: &str) -> Result<Vec<Registration>, StoreError>;

    /// Registers one record and, in the same transaction, what its registration sets off:
    /// `plan` is called with the case as registered and answers its next event and those of
    /// other cases. An intake is so whole or absent. When the record is already in the ledger
    /// nothing is written, `plan` is not called, and the case is returned as it is.
    async fn register_case(&self, case: NewCase, actor: &str, plan: Plan) -> Result<(Registration, Case), StoreError>;

    /// [`Store::register_cases`], each case registered as of the time its record was received
    /// (its `registered_at` and registration event): for a ledger brought in with its past,
    /// whose histories ([`Store::import_history`]) start there.
    async fn register_cases_as_received(&self, cases: &[NewCase], actor: &str)
    -> Result<Vec<Registration>, StoreError>;

    /// Appends past events, each with its own time and actor, to the histories of many cases, in
    /// one transaction. Each case's events are applied in the order given, with [`Case::apply`]
    /// as [`Store::append_event`] applies one, and the case's row, handlers and history are
    /// written as a series of `append_event` calls would write them. An event earlier than its
    /// case's registration or latest event is refused with [`StoreError::OutOfOrder`] naming
    /// the case (an unknown case with [`StoreError::CaseNotFound`]), and nothing is written.
    /// Returns the number of events written.
    async fn import_history(&self, events: &[HistoricalEvent]) -> Result<u64, StoreError>;

    async fn case(&self, id: CaseId) -> Result<Option<Case>, StoreError>;

    /// The case and its history, read together so that they agree.
    async fn case_with_history(&self, id: CaseId) -> Result<Option<(Case, Vec<CaseEvent>)>, StoreError>;

    async fn case_by_external_id(
        &self,
        channel: Channel,
        external_id: &ExternalId,
    ) -> Result<Option<CaseId>, StoreError>;

    /// The case's history, oldest first.
    async fn history(&self, id: CaseId) -> Result<Vec<CaseEvent>, StoreError>;

    /// Appends `kind` to the case's history and applies it to the case, if the case is still at
    /// `expected_version` (the version its decision was made on); [`StoreError::Conflict`] when
    /// another change came first. `None` applies it to the case as it is, for events that hold
    /// whatever came before (a primary's record of a link). Returns the case and the event.
    async fn append_event(
        &self,
        id: CaseId,
        expected_version: Option<u32>,
        kind: EventKind,
        actor: &str,
    ) -> Result<(Case, CaseEvent), StoreError>;

    /// A page of the cases that `filter` selects, and their number.
    async fn list_cases(&self, filter: &CaseFilter, order: CaseOrder, page: Page) -> Result<CasePage, StoreError>;

    /// The cases a new record may be the same matter as (most recent first), as the matcher
    /// reads them.
    async fn match_candidates(&self, query: &CandidateQuery) -> Result<Vec<Candidate>, StoreError>;

    /// The events of one kind (`routed`, `followed_up` …) recorded in [since, before).
    async fn events_of_kind(
        &self,
        kind: &str,
        since: DateTime<Utc>,
        before: DateTime<Utc>,
    ) -> Result<Vec<CaseEvent>, StoreError>;

    /// Cases with a party whose ID number or phone has this keyed hash, oldest first.
    async fn cases_of_identity(&self, hash: &IdentityHash) -> Result<Vec<CaseId>, StoreError>;

    async fn count_cases(&self) -> Result<u64, StoreError>;

    async fn ledger_summary(&self) -> Result<LedgerSummary, StoreError>;

    async fn setting(&self, key: &str) -> Result<Option<String>, StoreError>;

    /// Stores `value` under `key` unless the key is set; returns the value now stored.
    async fn put_setting_if_absent(&self, key: &str, value: &str) -> Result<String, StoreError>;

    /// Records one run of the warning models (`as_of` its day, `at` its instant), in one
    /// transaction. Each warning is compared with the latest stored one of its situation
    /// ([`Warning::situation_key`]) by `WarningState::on_rerun`: an open one is updated to what
    /// the run found (level, score, statistic, factors, explanation, cases, `last_seen_on`), with
    /// an `updated` event only when its level or number of cases changed; a dismissed one found
    /// at no higher level is left alone; otherwise a new warning is raised, with a `raised` event.
    /// Run events name [`WARNING_RUN_ACTOR`].
    async fn record_warnings(
        &self,
        as_of: NaiveDate,
        at: DateTime<Utc>,
        warnings: &[Warning],
    ) -> Result<WarningRunOutcome, StoreError>;

    /// A page of the warnings `filter` selects (red first, then the most recently seen, then the
    /// newest), and their number.
    async fn warnings(&self, filter: &WarningFilter, page: Page) -> Result<WarningPage, StoreError>;

    /// A warning and its history, oldest first, read together so that they agree.
    async fn warning(&self, id: i64) -> Result<Option<(StoredWarning, Vec<WarningEvent>)>, StoreError>;

    /// Applies a lifecycle action if the lifecycle allows it from the warning's state
    /// ([`StoreError::WarningAction`] otherwise) and the warning is still at `expected_version`
    /// ([`StoreError::WarningConflict`] otherwise; `None` takes it as it is): writes the new
    /// state (for `ActivatePlan`, the plan's code and `plan_tasks`, which other actions ignore)
    /// and appends the event with `actor`, `at` and the action as its detail.
    async fn act_on_warning(
        &self,
        id: i64,
        expected_version: Option<u32>,
        action: &WarningAction,
        plan_tasks: Option<serde_json::Value>,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<StoredWarning, StoreError>;

    /// What the warning models read of the cases received in [from, before), oldest first: each
    /// case's summary (with no `signals`: the caller reads them from the text) and its masked
    /// text when it was received at or after `text_from` (the models read escalation language
    /// only in recent cases, and older texts would only cost memory).
    async fn case_summaries(
        &self,
        from: DateTime<Utc>,
        before: DateTime<Utc>,
        text_from: DateTime<Utc>,
    ) -> Result<Vec<(CaseSummary, Option<String>)>, StoreError>;

    /// The cases of an assessment period [from, before): those received in it, and those with a
    /// crime (民转刑) recorded in it whenever they were received; each replayed from its history
    /// as it stood at `cut_off`, in id order.
    async fn assessment_cases(
        &self,
        from: DateTime<Utc>,
        before: DateTime<Utc>,
        cut_off: DateTime<Utc>,
    ) -> Result<Vec<shanzhi_core::assessment::CaseFacts>, StoreError>;

    /// The warnings raised in [from, before), each with the first action of staff on it before
    /// `cut_off` and the regions of its cases (and its own, for a region's warning).
    async fn assessment_warnings(
        &self,
        from: DateTime<Utc>,
        before: DateTime<Utc>,
        cut_off: DateTime<Utc>,
    ) -> Result<Vec<shanzhi_core::assessment::WarningFacts>, StoreError>;

    /// Appends one computation of a period's star ratings. Earlier ones stay as history; the
    /// latest per village is the rating.
    async fn record_star_ratings(
        &self,
        period: &str,
        ratings: &[shanzhi_core::assessment::StarRating],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// The latest rating of each village for `period`, by village code.
    async fn star_ratings(&self, period: &str) -> Result<Vec<RecordedRating>, StoreError>;

    /// Every rating of a village, the latest first.
    async fn village_ratings(&self, village: RegionCode) -> Result<Vec<RecordedRating>, StoreError>;

    // Who may use the platform (migration 0007). Passwords and tokens arrive hashed.

    /// Adds a user; [`StoreError::UserExists`] when the name is taken.
    async fn add_user(&self, user: &NewUser) -> Result<User, StoreError>;
    async fn user(&self, username: &str) -> Result<Option<User>, StoreError>;
    async fn users(&self) -> Result<Vec<User>, StoreError>;
    /// Starts a login session (and forgets the expired ones).
    async fn start_session(&self, token_hash: &str, user_id: i64, expires_at: DateTime<Utc>) -> Result<(), StoreError>;
    /// The user of a live session: not expired at `now`, user not disabled.
    async fn session_user(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<User>, StoreError>;
    async fn end_session(&self, token_hash: &str) -> Result<(), StoreError>;
    async fn add_api_token(&self, token: &NewApiToken) -> Result<ApiToken, StoreError>;
    /// The token with this hash, unless revoked.
    async fn api_token(&self, token_hash: &str) -> Result<Option<ApiToken>, StoreError>;
    async fn api_tokens(&self) -> Result<Vec<ApiToken>, StoreError>;
    /// Revokes a token for good; false when there is no such live token.
    async fn revoke_api_token(&self, id: i64) -> Result<bool, StoreError>;
    /// Logs that `actor` sees the case's personal data in clear, and why (before they see it).
    async fn record_unmasking(&self, case: CaseId, actor: &str, reason: &str) -> Result<(), StoreError>;
    async fn unmaskings(&self, case: CaseId) -> Result<Vec<Unmasking>, StoreError>;

    /// The categories staff set or confirmed, for the classifier to learn from (`shanzhi train`):
    /// for each case not merged whose latest `category_changed` or `category_confirmed` event set
    /// or confirmed a category (not cleared it), that category as written, with the case's masked
    /// text; by case id.
    async fn staff_labels(&self) -> Result<Vec<StaffLabel>, StoreError>;

    /// Keeps a trained classifier as the next version (numbered after every earlier one) and, if
    /// `activate`, makes it the active one in the same transaction.
    async fn save_text_model(&self, model: &NewTextModel, activate: bool) -> Result<TextModelVersion, StoreError>;

    /// Every saved version of the classifier, oldest first.
    async fn text_models(&self) -> Result<Vec<TextModelVersion>, StoreError>;

    /// A saved version and its model's bytes; `None` asks for the active one. `None` when there
    /// is no such version (or none is active).
    async fn text_model(&self, version: Option<u32>) -> Result<Option<(TextModelVersion, Vec<u8>)>, StoreError>;

    /// Makes `version` the active one ([`StoreError::TextModelNotFound`] when there is none);
    /// the one active before stays saved, to be activated again.
    async fn activate_text_model(&self, version: u32) -> Result<TextModelVersion, StoreError>;

    // The one screen (一屏观全区): `dashboard.rs`.

    /// Records received and cases resolved on each day (Beijing time) from `first` to `last`,
    /// one row per day with zeros where nothing happened; of one town or village when `region`
    /// names one.
    async fn daily_counts(
        &self,
        first: NaiveDate,
        last: NaiveDate,
        region: Option<RegionCode>,
    ) -> Result<Vec<DayCounts>, StoreError>;

    /// The region of each case of `ids` that exists, by case id (repeats answered once).
    async fn case_regions(&self, ids: &[CaseId]) -> Result<Vec<(CaseId, RegionCode)>, StoreError>;
}

/// Builds the summary from `(code, count)` rows of `GROUP BY channel / status / town_code`.
fn summary(
    channel: Vec<(String, i64)>,
    status: Vec<(String, i64)>,
    town: Vec<(String, i64)>,
) -> Result<LedgerSummary, StoreError> {
    fn parse<T, E: std::fmt::Display>(
        rows: Vec<(String, i64)>,
        f: impl Fn(&str) -> Result<T, E>,
    ) -> Result<Vec<(T, u64)>, StoreError> {
        rows.into_iter()
            .map(|(code, n)| Ok((f(&code).map_err(|e| StoreError::Corrupt(e.to_string()))?, n as u64)))
            .collect()
    }
    let by_channel = parse(channel, str::parse::<Channel>)?;
    Ok(LedgerSummary {
        total: by_channel.iter().map(|(_, n)| n).sum(),
        by_channel,
        by_status: parse(status, str::parse::<CaseStatus>)?,
        by_town: parse(town, RegionCode::parse)?,
    })
}

/// Opens the database named by `url` (`sqlite://FILE`, `sqlite::memory:`, `postgres://…`) and
/// applies pending migrations.
pub async fn open(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    let store: Arc<dyn Store> = if url.starts_with("sqlite:") {
        Arc::new(SqliteStore::connect(url).await?)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Arc::new(PgStore::connect(url).await?)
    } else {
        return Err(StoreError::UnsupportedUrl(url.split(':').next().unwrap_or_default().to_owned()));
    };
    store.migrate().await?;
    Ok(store)
}
