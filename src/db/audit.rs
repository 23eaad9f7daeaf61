//! The audit trail: one record per mutation, written in the mutation's own transaction.

use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

use super::models::AuditRow;
use super::schema::audit_events;
use crate::auth::Caller;

/// What changed, for the audit record.
pub struct Change<'a, B: Serialize, A: Serialize> {
    /// Verb, e.g. `org_unit.create`.
    pub action: &'a str,
    /// Resource type, e.g. `org_unit`.
    pub resource_type: &'a str,
    /// Resource id.
    pub resource_id: Option<Uuid>,
    /// The unit the resource belongs to (scopes who may read the record).
    pub unit_id: Option<Uuid>,
    /// State before, if any.
    pub before: Option<&'a B>,
    /// State after, if any.
    pub after: Option<&'a A>,
}

/// Writes one audit record for `caller`.
pub async fn record<B: Serialize, A: Serialize>(
    conn: &mut AsyncPgConnection,
    caller: Option<&Caller>,
    change: Change<'_, B, A>,
) -> diesel::QueryResult<()> {
    let row = AuditRow {
        id: Uuid::now_v7(),
        at: chrono::Utc::now(),
        actor_account_id: caller.map(|c| c.account_id),
        request_id: caller.and_then(|c| c.request_id.clone()),
        action: change.action.to_owned(),
        resource_type: change.resource_type.to_owned(),
        resource_id: change.resource_id,
        unit_id: change.unit_id,
        before: change.before.and_then(|b| serde_json::to_value(b).ok()),
        after: change.after.and_then(|a| serde_json::to_value(a).ok()),
    };
    diesel::insert_into(audit_events::table)
        .values(&row)
        .execute(conn)
        .await?;
    Ok(())
}

/// Writes audit records collected by a use case.
pub async fn insert(conn: &mut AsyncPgConnection, rows: &[AuditRow]) -> diesel::QueryResult<()> {
    diesel::insert_into(audit_events::table)
        .values(rows)
        .execute(conn)
        .await
        .map(drop)
}
