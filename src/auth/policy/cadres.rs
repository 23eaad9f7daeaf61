//! Who may see and change cadres: a person's file is read within the personnel scope
//! (`personnel_read`) of its managing unit and changed with `personnel_manage` there; outside
//! it the person does not exist (404).

use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::auth::Caller;
use crate::db::models::CadreRow;
use crate::db::repo;
use crate::db::repo::cadres::Scope;
use crate::db::schema::cadres;
use crate::domain::roles::Permission;
use crate::error::ApiError;

/// Whether the caller may read cadre `c`.
pub async fn can_read(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    c: &CadreRow,
) -> Result<bool, ApiError> {
    caller
        .can(conn, Permission::PersonnelRead, c.managing_unit_id)
        .await
}

/// The filter of every list of cadres: the files [`can_read`] allows, and no others.
pub async fn readable(conn: &mut AsyncPgConnection, caller: &Caller) -> Result<Scope, ApiError> {
    super::in_units_with(
        conn,
        caller,
        Permission::PersonnelRead,
        cadres::managing_unit_id,
    )
    .await
}

/// Requires that the caller may read cadre `c`: 404 otherwise.
pub async fn visible(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    c: &CadreRow,
) -> Result<(), ApiError> {
    caller
        .require(
            conn,
            Permission::PersonnelRead,
            Permission::PersonnelRead,
            c.managing_unit_id,
        )
        .await
}

/// Requires that the caller may change the files managed by `unit`: 403 when they can read
/// them, 404 otherwise.
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

/// Like [`may_manage`] for a managing unit named in a request body: 403 when the caller can
/// only read personnel there, 422 when the unit is unknown or out of scope.
pub async fn may_manage_ref(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    unit: Uuid,
) -> Result<(), ApiError> {
    super::as_reference(
        may_manage(conn, caller, unit).await,
        "managing_unit_id",
        "unit",
    )
}

/// Requires that cadre `id`, named in a request body on `field`, exists and is readable by the
/// caller: an unknown reference (422) otherwise.
pub async fn readable_ref(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    field: &str,
) -> Result<(), ApiError> {
    match repo::cadres::managing_unit(conn, id).await? {
        Some(unit) if caller.can(conn, Permission::PersonnelRead, unit).await? => Ok(()),
        _ => Err(ApiError::unknown(field, "cadre")),
    }
}
