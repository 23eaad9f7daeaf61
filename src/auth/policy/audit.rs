//! Who may read the audit trail: an event is readable with `audit_read` on its unit; events
//! concerning no unit (settings that apply everywhere) only with `audit_read` over a whole tree.

use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel_async::AsyncPgConnection;

use crate::auth::Caller;
use crate::db::models::AuditRow;
use crate::db::schema::audit_events;
use crate::domain::roles::Permission;
use crate::error::ApiError;

/// Requires `audit_read` somewhere: 403 otherwise.
pub fn require_reader(caller: &Caller) -> Result<(), ApiError> {
    super::require_somewhere(caller, Permission::AuditRead)
}

/// Whether the caller holds `audit_read` over a whole tree.
async fn global(conn: &mut AsyncPgConnection, caller: &Caller) -> Result<bool, ApiError> {
    Ok(caller
        .require_global(conn, Permission::AuditRead)
        .await
        .is_ok())
}

/// Whether the caller may read event `e`.
pub async fn can_read(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    e: &AuditRow,
) -> Result<bool, ApiError> {
    match e.unit_id {
        Some(unit) => caller.can(conn, Permission::AuditRead, unit).await,
        None => global(conn, caller).await,
    }
}

/// The filter of every list of audit events: the rows [`can_read`] allows, and no others.
pub async fn readable(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
) -> Result<Box<dyn BoxableExpression<audit_events::table, Pg, SqlType = Bool>>, ApiError> {
    let units = caller.units_with(conn, Permission::AuditRead).await?;
    Ok(if global(conn, caller).await? {
        Box::new(
            audit_events::unit_id
                .eq_any(units)
                .or(audit_events::unit_id.is_null())
                .assume_not_null(),
        )
    } else {
        Box::new(audit_events::unit_id.eq_any(units).assume_not_null())
    })
}
