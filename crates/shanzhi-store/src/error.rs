use shanzhi_core::CaseId;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL scheme `{0}`: use sqlite://FILE or postgres://…")]
    UnsupportedUrl(String),
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("case {0} does not exist")]
    CaseNotFound(CaseId),
    #[error("case {0} was changed by someone else at the same time; reload and retry")]
    Conflict(CaseId),
    #[error("the database holds a value the ledger cannot read: {0}")]
    Corrupt(String),
    #[error("the store is shutting down")]
    Closed,
    /// What the caller planned for a registration failed.
    #[error("{0}")]
    Plan(String),
    /// An imported event earlier than what the case's history already holds.
    #[error(
        "case {case}: an event at {at} comes before its registration or latest event ({since}); nothing was imported"
    )]
    OutOfOrder { case: CaseId, at: chrono::DateTime<chrono::Utc>, since: chrono::DateTime<chrono::Utc> },
    #[error("warning {0} does not exist")]
    WarningNotFound(i64),
    #[error("text model version {0} does not exist")]
    TextModelNotFound(u32),
    #[error("the user name `{0}` is taken")]
    UserExists(String),
    #[error("warning {0} was changed by someone else at the same time; reload and retry")]
    WarningConflict(i64),
    /// The lifecycle refuses the action in the warning's state (or its content).
    #[error(transparent)]
    WarningAction(#[from] shanzhi_core::warning::WarningError),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Database(e)
    }
}

/// Whether `e` says another transaction won a race: a unique key taken, or (SQLite) the write
/// lock held by another writer.
pub(crate) fn is_lost_race(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => {
            db.kind() == sqlx::error::ErrorKind::UniqueViolation
                || matches!(db.code().as_deref(), Some("5" | "517" | "40001" | "40P01"))
        }
        _ => false,
    }
}
