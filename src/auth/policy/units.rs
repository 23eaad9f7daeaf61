//! Who may see and change organisation units: `org_read` on a unit (directly or through a
//! subtree binding) reads it; `admin` (`org_manage`) on it changes it; a new top unit needs
//! `org_manage` over a whole tree.

use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::auth::Caller;
use crate::db::repo::units::Scope;
use crate::db::schema::org_units;
use crate::domain::roles::Permission;
use crate::error::ApiError;

/// Whether the caller may read unit `id`.
pub async fn can_read(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<bool, ApiError> {
    caller.can(conn, Permission::OrgRead, id).await
}

/// The filter of every list of units: the units [`can_read`] allows, and no others.
pub async fn readable(conn: &mut AsyncPgConnection, caller: &Caller) -> Result<Scope, ApiError> {
    super::in_units_with(conn, caller, Permission::OrgRead, org_units::id).await
}

/// Requires that the caller may read unit `id`: 404 otherwise.
pub async fn visible(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<(), ApiError> {
    caller
        .require(conn, Permission::OrgRead, Permission::OrgRead, id)
        .await
}

/// Requires that the caller may change unit `id`: 403 when they can read it, 404 otherwise.
pub async fn may_manage(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<(), ApiError> {
    caller
        .require(conn, Permission::OrgManage, Permission::OrgRead, id)
        .await
}

/// Like [`may_manage`] for a unit named in a request body: a unit the caller cannot see is an
/// unknown reference (422 on `field`).
pub async fn may_manage_ref(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    field: &str,
    what: &str,
) -> Result<(), ApiError> {
    super::as_reference(may_manage(conn, caller, id).await, field, what)
}

/// Requires that the caller may place a unit under `parent` (`admin` on it, as a reference on
/// `field`), or, without a parent, open a top unit (`admin` over a whole tree).
pub async fn may_place(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    parent: Option<Uuid>,
    field: &str,
) -> Result<(), ApiError> {
    match parent {
        Some(parent) => may_manage_ref(conn, caller, parent, field, "parent unit").await,
        None => caller.require_global(conn, Permission::OrgManage).await,
    }
}
