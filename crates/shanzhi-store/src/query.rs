//! The list and search queries, written once for both dialects: each builds its SQL with `$n`
//! placeholders (which both SQLite and PostgreSQL take) and the values to bind, in order.

use chrono::{DateTime, Utc};
use shanzhi_core::workflow::CaseKind;
use shanzhi_core::{CaseStatus, Channel, IdentityHash, RegionCode};

/// Which cases a list shows. Every field narrows it; none gives every case.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CaseFilter {
    pub status: Option<CaseStatus>,
    /// A town (its villages included) or a village.
    pub region: Option<RegionCode>,
    /// A department that leads or co-handles the case.
    pub department: Option<String>,
    pub category: Option<String>,
    /// The respondent organisation's name key (spelling variants share it).
    pub respondent_key: Option<String>,
    pub channel: Option<Channel>,
    pub kind: Option<CaseKind>,
    /// Only cases past their stage deadline at this instant (a paused clock is not overdue).
    pub overdue_at: Option<DateTime<Utc>>,
    /// Words the (masked) text or title contains.
    pub text: Option<String>,
    /// Received at or after.
    pub received_from: Option<DateTime<Utc>>,
    /// Received before.
    pub received_before: Option<DateTime<Utc>>,
    /// Leave out records linked to a primary case.
    pub primary_only: bool,
    /// Only the records linked to this primary case.
    pub linked_to: Option<shanzhi_core::CaseId>,
    /// Only cases resolved at this level (the district counts those resolved at town and
    /// village level).
    pub resolved_level: Option<shanzhi_core::RegionLevel>,
    /// Only cases with an agreement term to check (履约回访) by this instant.
    pub agreement_check_by: Option<DateTime<Utc>>,
}

/// How a list is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CaseOrder {
    /// Newest first.
    #[default]
    Received,
    /// Nearest deadline first (an inbox); cases without one last.
    Due,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub limit: u32,
    pub offset: u64,
}

impl Page {
    pub const MAX_LIMIT: u32 = 500;
}

/// A page of cases and how many match in all.
#[derive(Debug, Clone, PartialEq)]
pub struct CasePage {
    pub cases: Vec<shanzhi_core::Case>,
    pub total: u64,
}

/// The cases that a new record may repeat: sharing a party's hash or the respondent, received
/// since `since`; or in the same town with the same category, received since `same_town_since`.
/// At most `limit` of each kind of evidence, the most recent.
#[derive(Debug, Clone, PartialEq)]
pub struct CandidateQuery {
    pub identities: Vec<IdentityHash>,
    pub respondent_key: Option<String>,
    pub town: Option<RegionCode>,
    pub category: Option<String>,
    pub since: DateTime<Utc>,
    /// Later than `since`: the same town and category alone is weak evidence, so it counts only
    /// for recent cases (and keeps the candidates of a busy town few).
    pub same_town_since: DateTime<Utc>,
    pub limit: u32,
}

/// A value to bind.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Text(String),
    Time(DateTime<Utc>),
    Int(i64),
}

#[derive(Debug, Default)]
pub(crate) struct Sql {
    pub text: String,
    pub args: Vec<Arg>,
}

impl Sql {
    fn bind(&mut self, arg: Arg) -> String {
        self.args.push(arg);
        format!("${}", self.args.len())
    }
}

/// `WHERE …` for a filter (empty when it filters nothing).
fn where_clause(filter: &CaseFilter, sql: &mut Sql) -> String {
    let mut conditions: Vec<String> = Vec::new();
    if let Some(status) = filter.status {
        conditions.push(format!("status = {}", sql.bind(Arg::Text(status.code().into()))));
    }
    if let Some(region) = filter.region {
        let column = if region.level() == shanzhi_core::RegionLevel::Town { "town_code" } else { "region_code" };
        conditions.push(format!("{column} = {}", sql.bind(Arg::Text(region.to_string()))));
    }
    if let Some(department) = &filter.department {
        conditions.push(format!(
            "id IN (SELECT case_id FROM case_handlers WHERE department = {})",
            sql.bind(Arg::Text(department.clone()))
        ));
    }
    if let Some(category) = &filter.category {
        conditions.push(format!("category = {}", sql.bind(Arg::Text(category.clone()))));
    }
    if let Some(key) = &filter.respondent_key {
        conditions.push(format!("respondent_key = {}", sql.bind(Arg::Text(key.clone()))));
    }
    if let Some(channel) = filter.channel {
        conditions.push(format!("channel = {}", sql.bind(Arg::Text(channel.code().into()))));
    }
    if let Some(kind) = filter.kind {
        conditions.push(format!("kind = {}", sql.bind(Arg::Text(kind.code().into()))));
    }
    if let Some(now) = filter.overdue_at {
        conditions.push(format!("(due_at <= {} AND NOT paused)", sql.bind(Arg::Time(now))));
    }
    if let Some(text) = filter.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        // LIKE with the pattern's own wildcards escaped: the words are matched literally. LOWER on
        // both sides, because SQLite's LIKE ignores ASCII case and PostgreSQL's does not.
        let escaped = text.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        let p = sql.bind(Arg::Text(format!("%{escaped}%")));
        conditions.push(format!("(LOWER(body) LIKE {p} ESCAPE '\\' OR LOWER(title) LIKE {p} ESCAPE '\\')"));
    }
    if let Some(from) = filter.received_from {
        conditions.push(format!("received_at >= {}", sql.bind(Arg::Time(from))));
    }
    if let Some(before) = filter.received_before {
        conditions.push(format!("received_at < {}", sql.bind(Arg::Time(before))));
    }
    if let Some(by) = filter.agreement_check_by {
        conditions.push(format!("agreement_check_at <= {}", sql.bind(Arg::Time(by))));
    }
    if let Some(level) = filter.resolved_level {
        conditions.push(format!("resolved_level = {}", sql.bind(Arg::Text(level.code().into()))));
    }
    if let Some(primary) = filter.linked_to {
        conditions.push(format!("primary_case_id = {}", sql.bind(Arg::Int(primary.get()))));
    }
    if filter.primary_only {
        conditions.push("primary_case_id IS NULL".into());
    }
    if conditions.is_empty() { String::new() } else { format!(" WHERE {}", conditions.join(" AND ")) }
}

/// The page's rows, and the count of all matching rows.
pub(crate) fn list(filter: &CaseFilter, order: CaseOrder, page: Page) -> (Sql, Sql) {
    let mut rows = Sql::default();
    let clause = where_clause(filter, &mut rows);
    let order = match order {
        CaseOrder::Received => "received_at DESC, id DESC",
        CaseOrder::Due => "(due_at IS NULL), due_at, id",
    };
    let limit = rows.bind(Arg::Int(i64::from(page.limit.min(Page::MAX_LIMIT))));
    let offset = rows.bind(Arg::Int(i64::try_from(page.offset).unwrap_or(i64::MAX)));
    rows.text = format!(
        "SELECT {} FROM cases{clause} ORDER BY {order} LIMIT {limit} OFFSET {offset}",
        crate::rows::CASE_FIELDS
    );
    let mut count = Sql::default();
    let clause = where_clause(filter, &mut count);
    count.text = format!("SELECT COUNT(*) FROM cases{clause}");
    (rows, count)
}

pub(crate) fn candidates(query: &CandidateQuery) -> Sql {
    let mut sql = Sql::default();
    let since = sql.bind(Arg::Time(query.since));
    let limit = sql.bind(Arg::Int(i64::from(query.limit)));
    // One indexed look-up per kind of evidence, each its most recent `limit`, united. An OR of
    // them would scan the look-back period; an unbounded arm would read every case of a
    // respondent with thousands (a bankrupt school's 8,000 students).
    let mut arms: Vec<String> = Vec::new();
    if !query.identities.is_empty() {
        let hashes: Vec<String> = query.identities.iter().map(|h| sql.bind(Arg::Text(h.as_str().to_owned()))).collect();
        let list = hashes.join(", ");
        for column in ["id_hash", "phone_hash"] {
            arms.push(format!(
                "SELECT p.case_id AS id FROM parties p JOIN cases c ON c.id = p.case_id \
                 WHERE p.{column} IN ({list}) AND c.received_at >= {since} ORDER BY c.received_at DESC LIMIT {limit}"
            ));
        }
    }
    if let Some(key) = &query.respondent_key {
        let key = sql.bind(Arg::Text(key.clone()));
        arms.push(format!(
            "SELECT id FROM cases WHERE respondent_key = {key} AND received_at >= {since} \
             ORDER BY received_at DESC LIMIT {limit}"
        ));
    }
    if let (Some(town), Some(category)) = (query.town, &query.category) {
        let town = sql.bind(Arg::Text(town.to_string()));
        let category = sql.bind(Arg::Text(category.clone()));
        let recent = sql.bind(Arg::Time(query.same_town_since.max(query.since)));
        arms.push(format!(
            "SELECT id FROM cases WHERE town_code = {town} AND category = {category} AND received_at >= {recent} \
             ORDER BY received_at DESC LIMIT {limit}"
        ));
    }
    if arms.is_empty() {
        arms.push("SELECT id FROM cases WHERE FALSE".into());
    }
    let united: Vec<String> =
        arms.iter().enumerate().map(|(i, arm)| format!("SELECT id FROM ({arm}) AS arm{i}")).collect();
    sql.text = format!(
        "SELECT {} FROM cases c LEFT JOIN parties p ON p.case_id = c.id WHERE c.id IN ({}) \
         ORDER BY c.received_at DESC, c.id DESC, p.position",
        crate::rows::CANDIDATE_FIELDS,
        united.join(" UNION ")
    );
    sql
}

/// `SELECT … FROM parties WHERE case_id IN (…)` for the cases of a page.
pub(crate) fn parties_of(ids: &[i64]) -> Sql {
    let mut sql = Sql::default();
    let list: Vec<String> = ids.iter().map(|id| sql.bind(Arg::Int(*id))).collect();
    sql.text = format!(
        "{} WHERE case_id IN ({}) ORDER BY case_id, position",
        crate::rows::SELECT_PARTIES_OF,
        if list.is_empty() { "NULL".to_owned() } else { list.join(", ") }
    );
    sql
}

/// Events of one kind in a period, oldest first.
/// `detail` is the dialect's expression for the detail as text.
pub(crate) fn events_of_kind(kind: &str, since: DateTime<Utc>, before: DateTime<Utc>, detail: &str) -> Sql {
    let mut sql = Sql::default();
    let kind = sql.bind(Arg::Text(kind.to_owned()));
    let since = sql.bind(Arg::Time(since));
    let before = sql.bind(Arg::Time(before));
    sql.text = format!(
        "SELECT case_id, seq, at, actor, kind, {detail} FROM case_events WHERE kind = {kind} AND at >= {since} \
         AND at < {before} ORDER BY at, case_id, seq"
    );
    sql
}

/// Binds the arguments on a query of either dialect.
macro_rules! bind_all {
    ($query:expr, $args:expr) => {{
        let mut query = $query;
        for arg in $args {
            query = match arg {
                $crate::query::Arg::Text(s) => query.bind(s),
                $crate::query::Arg::Time(t) => query.bind(t),
                $crate::query::Arg::Int(i) => query.bind(i),
            };
        }
        query
    }};
}

pub(crate) use bind_all;
