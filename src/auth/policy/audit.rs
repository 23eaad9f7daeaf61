//! Who may read the audit trail. A record shows the resource it concerns (its images before
//! and after), so reading it needs two rights on the record's unit: `audit_read`, and the right
//! to read that kind of resource there — the permission its own endpoints check on its unit, as
//! the event feed names it (`domain::events::read_permission`: `account_manage` for accounts,
//! `assignment_read` for rounds, assignments, evaluations and everything that belongs to them,
//! `cadre_record_read` for person evaluations…). A record concerning no unit (settings that
//! apply everywhere) needs both over a whole tree. Records of kinds the caller cannot read
//! anywhere are not shown at all.
//!
//! Checking the whole chain and its checkpoints needs `audit_read` somewhere (the report names
//! no content); making a checkpoint, which attests the whole trail, needs it over a whole tree.

use std::collections::BTreeSet;

use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::auth::Caller;
use crate::db::models::AuditRow;
use crate::db::schema::audit_events;
use crate::domain::events::{read_permission, DEFAULT_READ, READ_RULES};
use crate::domain::roles::Permission;
use crate::error::ApiError;

/// A filter of `audit_events`.
pub type Filter = Box<dyn BoxableExpression<audit_events::table, Pg, SqlType = Bool>>;

/// Requires `audit_read` somewhere: 403 otherwise.
pub fn require_reader(caller: &Caller) -> Result<(), ApiError> {
    super::require_somewhere(caller, Permission::AuditRead)
}

/// Requires `audit_read` over a whole tree, to make a checkpoint of the whole trail: 403
/// otherwise.
pub async fn require_global_reader(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
) -> Result<(), ApiError> {
    caller.require_global(conn, Permission::AuditRead).await
}

/// Whether the caller holds `permission` over a whole tree.
async fn global(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    permission: Permission,
) -> Result<bool, ApiError> {
    Ok(caller.require_global(conn, permission).await.is_ok())
}

/// Whether the caller may read record `e`: `audit_read` and the resource's read permission on
/// its unit (over a whole tree for a record without unit).
pub async fn can_read(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    e: &AuditRow,
) -> Result<bool, ApiError> {
    let needed = [
        Some(Permission::AuditRead),
        read_permission(&e.resource_type),
    ];
    for p in needed.into_iter().flatten() {
        let allowed = match e.unit_id {
            Some(unit) => caller.can(conn, p, unit).await?,
            None => global(conn, caller, p).await?,
        };
        if !allowed {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The filter of every list of audit records: the rows [`can_read`] allows, and no others. One
/// SQL condition per read permission (the kinds of resource it covers, in the units where the
/// caller holds it and `audit_read`), so pages stay full and cursors exact.
pub async fn readable(conn: &mut AsyncPgConnection, caller: &Caller) -> Result<Filter, ApiError> {
    let audit_units: BTreeSet<Uuid> = caller
        .units_with(conn, Permission::AuditRead)
        .await?
        .into_iter()
        .collect();
    let audit_global = global(conn, caller, Permission::AuditRead).await?;
    let special: Vec<&str> = READ_RULES.iter().map(|(t, _)| *t).collect();
    let open: Vec<&str> = READ_RULES
        .iter()
        .filter(|(_, p)| p.is_none())
        .map(|(t, _)| *t)
        .collect();

    // Kinds every caller reads (rule sets): `audit_read` alone decides.
    let mut filter: Filter = Box::new(
        audit_events::resource_type
            .eq_any(open)
            .and(unit_in(&audit_units, audit_global)),
    );
    let mut permissions: Vec<Permission> = READ_RULES.iter().filter_map(|(_, p)| *p).collect();
    permissions.push(DEFAULT_READ);
    permissions.sort_by_key(|p| p.as_str());
    permissions.dedup();
    for permission in permissions {
        let units: BTreeSet<Uuid> = caller
            .units_with(conn, permission)
            .await?
            .into_iter()
            .filter(|u| audit_units.contains(u))
            .collect();
        let everywhere = audit_global && global(conn, caller, permission).await?;
        if units.is_empty() && !everywhere {
            continue;
        }
        let types: Vec<&str> = READ_RULES
            .iter()
            .filter(|(_, p)| *p == Some(permission))
            .map(|(t, _)| *t)
            .collect();
        let of_kind: Filter = if permission == DEFAULT_READ {
            Box::new(
                audit_events::resource_type
                    .ne_all(special.clone())
                    .or(audit_events::resource_type.eq_any(types)),
            )
        } else {
            Box::new(audit_events::resource_type.eq_any(types))
        };
        filter = Box::new(filter.or(of_kind.and(unit_in(&units, everywhere))));
    }
    Ok(filter)
}

/// Records whose unit is in `units`, and those without unit when `everywhere`.
fn unit_in(units: &BTreeSet<Uuid>, everywhere: bool) -> Filter {
    let units: Vec<Uuid> = units.iter().copied().collect();
    let listed = audit_events::unit_id.eq_any(units).assume_not_null();
    if everywhere {
        Box::new(listed.or(audit_events::unit_id.is_null()))
    } else {
        Box::new(listed)
    }
}
