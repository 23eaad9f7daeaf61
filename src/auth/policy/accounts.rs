//! Who may see and manage accounts: holders of `account_manage` on the account's home unit.
//! Outside that scope an account does not exist (404).

use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::auth::Caller;
use crate::db::models::AccountRow;
use crate::db::repo;
use crate::db::schema::accounts;
use crate::domain::roles::Permission;
use crate::error::ApiError;

/// Requires `account_manage` somewhere, to list accounts or create one: 403 otherwise.
pub fn require_manager(caller: &Caller) -> Result<(), ApiError> {
    super::require_somewhere(caller, Permission::AccountManage)
}

/// Whether the caller may read and manage `a`.
pub async fn can_read(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    a: &AccountRow,
) -> Result<bool, ApiError> {
    caller
        .can(conn, Permission::AccountManage, a.home_unit_id)
        .await
}

/// The filter of every list of accounts: the rows [`can_read`] allows, and no others.
pub async fn readable(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
) -> Result<Box<dyn BoxableExpression<accounts::table, Pg, SqlType = Bool>>, ApiError> {
    super::in_units_with(
        conn,
        caller,
        Permission::AccountManage,
        accounts::home_unit_id,
    )
    .await
}

/// Account `id` if the caller may read it; 404 otherwise.
pub async fn visible(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<AccountRow, ApiError> {
    let a = repo::accounts::get(conn, id).await?;
    super::shown(can_read(conn, caller, &a).await?, a)
}

/// Account `id`, locked for a change, if the caller may read it; 404 otherwise.
pub async fn lock_visible(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<AccountRow, ApiError> {
    let a = repo::accounts::lock(conn, id).await?;
    super::shown(can_read(conn, caller, &a).await?, a)
}

/// Requires `account_manage` on a home unit named in a body: 422 when the unit is unknown or
/// out of scope.
pub async fn require_home_unit(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    unit: Uuid,
) -> Result<(), ApiError> {
    if caller.can(conn, Permission::AccountManage, unit).await? {
        Ok(())
    } else {
        Err(ApiError::unknown("home_unit_id", "home unit"))
    }
}

/// Requires a cadre named in a body to exist and be visible to the caller (`personnel_read` on
/// its managing unit): 422 otherwise.
pub async fn require_cadre(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    cadre: Uuid,
) -> Result<(), ApiError> {
    match repo::cadres::managing_unit(conn, cadre).await? {
        Some(unit) if caller.can(conn, Permission::PersonnelRead, unit).await? => Ok(()),
        _ => Err(ApiError::unknown("cadre_id", "cadre")),
    }
}
