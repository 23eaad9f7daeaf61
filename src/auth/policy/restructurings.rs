//! Who may see restructurings: a caller who can read one of the units it closed or opened.
//! Recording one needs `admin` on every unit it touches (see `policy::units`).

use diesel::prelude::*;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::auth::Caller;
use crate::db::repo::restructurings::Scope;
use crate::db::schema::{restructurings, unit_successions};
use crate::domain::roles::Permission;
use crate::error::ApiError;

/// Whether the caller may read a restructuring that touched `units`.
pub async fn can_read(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    units: &[Uuid],
) -> Result<bool, ApiError> {
    for unit in units {
        if caller.can(conn, Permission::OrgRead, *unit).await? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The filter of every list of restructurings: the ones [`can_read`] allows, and no others.
pub async fn readable(conn: &mut AsyncPgConnection, caller: &Caller) -> Result<Scope, ApiError> {
    let units = caller.units_with(conn, Permission::OrgRead).await?;
    let touching = unit_successions::table
        .filter(
            unit_successions::predecessor_id
                .eq_any(units.clone())
                .or(unit_successions::successor_id.eq_any(units)),
        )
        .select(unit_successions::restructuring_id);
    Ok(Box::new(restructurings::id.eq_any(touching)))
}
