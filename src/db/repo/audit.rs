//! Queries of the audit trail.

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::KeysetDsl;
use crate::db::models::AuditRow;
use crate::db::schema::audit_events;

/// Writes audit records.
pub async fn insert(conn: &mut AsyncPgConnection, rows: &[AuditRow]) -> QueryResult<()> {
    diesel::insert_into(audit_events::table)
        .values(rows)
        .execute(conn)
        .await
        .map(drop)
}

/// What a list of audit events may be narrowed to.
#[derive(Debug, Clone, Default)]
pub struct Criteria {
    /// Only this kind of resource.
    pub resource_type: Option<String>,
    /// Only events about this resource.
    pub resource_id: Option<Uuid>,
    /// Only this action.
    pub action: Option<String>,
    /// Only changes made by this account.
    pub actor_account_id: Option<Uuid>,
    /// Only events concerning this unit.
    pub unit_id: Option<Uuid>,
    /// Only events at or after this instant.
    pub since: Option<DateTime<Utc>>,
    /// Only events before this instant.
    pub until: Option<DateTime<Utc>>,
}

/// Up to `limit` events after `after` (by id) among those `readable` admits.
pub async fn list(
    conn: &mut AsyncPgConnection,
    readable: Box<dyn BoxableExpression<audit_events::table, Pg, SqlType = Bool>>,
    criteria: &Criteria,
    after: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<AuditRow>> {
    let mut q = audit_events::table
        .filter(readable)
        .select(AuditRow::as_select())
        .into_boxed()
        .keyset(audit_events::id, after, limit);
    if let Some(t) = &criteria.resource_type {
        q = q.filter(audit_events::resource_type.eq(t.clone()));
    }
    if let Some(id) = criteria.resource_id {
        q = q.filter(audit_events::resource_id.eq(id));
    }
    if let Some(action) = &criteria.action {
        q = q.filter(audit_events::action.eq(action.clone()));
    }
    if let Some(actor) = criteria.actor_account_id {
        q = q.filter(audit_events::actor_account_id.eq(actor));
    }
    if let Some(unit) = criteria.unit_id {
        q = q.filter(audit_events::unit_id.eq(unit));
    }
    if let Some(since) = criteria.since {
        q = q.filter(audit_events::at.ge(since));
    }
    if let Some(until) = criteria.until {
        q = q.filter(audit_events::at.lt(until));
    }
    q.load(conn).await
}
