//! Who may see and change posts: a post is read within the personnel scope
//! (`personnel_read`) of its unit and changed with `personnel_manage` there.

use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::auth::Caller;
use crate::db::models::PostRow;
use crate::db::repo::posts::Scope;
use crate::db::schema::posts;
use crate::domain::roles::Permission;
use crate::error::ApiError;

/// Whether the caller may read post `p`.
pub async fn can_read(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    p: &PostRow,
) -> Result<bool, ApiError> {
    caller.can(conn, Permission::PersonnelRead, p.unit_id).await
}

/// The filter of every list of posts: the posts [`can_read`] allows, and no others.
pub async fn readable(conn: &mut AsyncPgConnection, caller: &Caller) -> Result<Scope, ApiError> {
    super::in_units_with(conn, caller, Permission::PersonnelRead, posts::unit_id).await
}

/// Requires that the caller may read post `p`: 404 otherwise.
pub async fn visible(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    p: &PostRow,
) -> Result<(), ApiError> {
    caller
        .require(
            conn,
            Permission::PersonnelRead,
            Permission::PersonnelRead,
            p.unit_id,
        )
        .await
}

/// Requires that the caller may change the posts of `unit`: 403 when they can read them, 404
/// otherwise.
pub async fn may_manage(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    unit: Uuid,
) -> Result<(), ApiError> {
    caller
        .require(
            conn,
            Permission::PersonnelManage,
            Permission::PersonnelRead,
            unit,
        )
        .await
}

/// Like [`may_manage`] for the unit named in an appointment: 422 (`unit_id`) when the caller
/// cannot see it.
pub async fn may_appoint_in(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    unit: Uuid,
) -> Result<(), ApiError> {
    super::as_reference(may_manage(conn, caller, unit).await, "unit_id", "unit")
}
