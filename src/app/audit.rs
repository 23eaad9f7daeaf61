//! Reading the audit trail: one event per change, readable within the scope of the unit it
//! concerns.

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::auth::policy::audit as policy;
use crate::auth::Caller;
use crate::db::models::AuditRow;
use crate::db::repo;
use crate::error::ApiError;

/// Filters of the audit trail.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    /// Only this kind of resource, e.g. `org_unit`.
    pub resource_type: Option<String>,
    /// Only events about this resource.
    pub resource_id: Option<Uuid>,
    /// Only this action, e.g. `account.update`.
    pub action: Option<String>,
    /// Only changes made by this account.
    pub actor_account_id: Option<Uuid>,
    /// Only events concerning this unit.
    pub unit_id: Option<Uuid>,
    /// Only events at or after this instant (RFC 3339).
    pub since: Option<DateTime<Utc>>,
    /// Only events before this instant (RFC 3339).
    pub until: Option<DateTime<Utc>>,
}

/// Up to `limit + 1` events after `after` (by id) the caller may read, narrowed by `filter`,
/// oldest first. 403 for a caller who may read the trail nowhere.
pub async fn list(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    filter: &AuditFilter,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<AuditRow>, ApiError> {
    policy::require_reader(caller)?;
    let readable = policy::readable(conn, caller).await?;
    let criteria = repo::audit::Criteria {
        resource_type: filter.resource_type.clone(),
        resource_id: filter.resource_id,
        action: filter.action.clone(),
        actor_account_id: filter.actor_account_id,
        unit_id: filter.unit_id,
        since: filter.since,
        until: filter.until,
    };
    Ok(repo::audit::list(conn, readable, &criteria, after, limit + 1).await?)
}
