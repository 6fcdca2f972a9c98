//! The one screen's reads on PostgreSQL: two counts grouped by local day in one REPEATABLE READ
//! transaction (so they agree), and the regions of a set of cases.

use chrono::NaiveDate;
use shanzhi_core::{CaseId, RegionCode};

use super::PgStore;
use crate::StoreError;
use crate::dashboard::{self, DayCounts, LOCAL_OFFSET_HOURS};

/// The local day of a TIMESTAMPTZ column, whatever the session's time zone.
fn local_day(column: &str) -> String {
    format!("to_char(({column} AT TIME ZONE 'UTC') + interval '{LOCAL_OFFSET_HOURS} hours', 'YYYY-MM-DD')")
}

impl PgStore {
    pub(super) async fn read_daily_counts(
        &self,
        first: NaiveDate,
        last: NaiveDate,
        region: Option<RegionCode>,
    ) -> Result<Vec<DayCounts>, StoreError> {
        let sql = dashboard::daily_sql(first, last, region, local_day);
        let mut tx = self.read_transaction().await?;
        let mut counts = Vec::with_capacity(2);
        for statement in [&sql.received, &sql.resolved] {
            let mut query = sqlx::query_as::<_, (String, i64)>(statement).bind(sql.from).bind(sql.before);
            if let Some(code) = &sql.region {
                query = query.bind(code);
            }
            counts.push(query.fetch_all(&mut *tx).await?);
        }
        tx.commit().await?;
        let resolved = counts.pop().unwrap_or_default();
        let received = counts.pop().unwrap_or_default();
        dashboard::days(first, last, received, resolved)
    }

    pub(super) async fn read_case_regions(&self, ids: &[CaseId]) -> Result<Vec<(CaseId, RegionCode)>, StoreError> {
        let mut regions = Vec::with_capacity(ids.len());
        for part in dashboard::distinct(ids).chunks(dashboard::IDS_PER_STATEMENT) {
            let rows: Vec<(i64, String)> = sqlx::query_as(&dashboard::regions_sql(part)).fetch_all(&self.pool).await?;
            regions.extend(dashboard::regions(rows)?);
        }
        Ok(regions)
    }
}
