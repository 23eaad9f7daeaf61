//! Who may see and change groups of units: a group is read with its owner unit (`org_read`)
//! and changed with `group_manage` on the owner; a member must be a unit the caller can read.

use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::auth::Caller;
use crate::db::models::GroupRow;
use crate::db::repo::groups::Scope;
use crate::db::schema::org_groups;
use crate::domain::roles::Permission;
use crate::error::ApiError;

/// Whether the caller may read group `g`.
pub async fn can_read(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    g: &GroupRow,
) -> Result<bool, ApiError> {
    caller.can(conn, Permission::OrgRead, g.owner_unit_id).await
}

/// The filter of every list of groups: the groups [`can_read`] allows, and no others.
pub async fn readable(conn: &mut AsyncPgConnection, caller: &Caller) -> Result<Scope, ApiError> {
    super::in_units_with(conn, caller, Permission::OrgRead, org_groups::owner_unit_id).await
}

/// Requires that the caller may read group `g`: 404 otherwise.
pub async fn visible(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    g: &GroupRow,
) -> Result<(), ApiError> {
    caller
        .require(
            conn,
            Permission::OrgRead,
            Permission::OrgRead,
            g.owner_unit_id,
        )
        .await
}

/// Requires that the caller may change the groups of `owner`: 403 when they can read the
/// owner, 404 otherwise.
pub async fn may_manage(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    owner: Uuid,
) -> Result<(), ApiError> {
    caller
        .require(conn, Permission::GroupManage, Permission::OrgRead, owner)
        .await
}

/// Like [`may_manage`] for the owner named in a new group: an owner the caller cannot see is
/// an unknown reference (422 on `owner_unit_id`).
pub async fn may_own(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    owner: Uuid,
) -> Result<(), ApiError> {
    super::as_reference(
        may_manage(conn, caller, owner).await,
        "owner_unit_id",
        "unit",
    )
}

/// Whether the caller may name `unit` as a member (they can read it).
pub async fn may_add(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    unit: Uuid,
) -> Result<bool, ApiError> {
    caller.can(conn, Permission::OrgRead, unit).await
}
