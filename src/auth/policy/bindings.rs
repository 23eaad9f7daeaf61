//! Who may see, grant and revoke role bindings: holders of `account_manage` on the binding's
//! unit see it; granting or revoking also needs `account_manage` on the account's home unit and,
//! for a subtree binding, over that whole subtree, so that nobody grants or revokes rights
//! beyond their own reach.

use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::auth::{scope, Caller};
use crate::db::repo;
use crate::db::schema::role_bindings;
use crate::domain::roles::Permission;
use crate::error::ApiError;

/// Requires `account_manage` somewhere, to list bindings or grant one: 403 otherwise.
pub fn require_manager(caller: &Caller) -> Result<(), ApiError> {
    super::require_somewhere(caller, Permission::AccountManage)
}

/// Whether the caller may read a binding to `unit`.
pub async fn can_read(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    unit: Uuid,
) -> Result<bool, ApiError> {
    caller.can(conn, Permission::AccountManage, unit).await
}

/// The filter of every list of bindings: the rows [`can_read`] allows, and no others.
pub async fn readable(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
) -> Result<Box<dyn BoxableExpression<role_bindings::table, Pg, SqlType = Bool>>, ApiError> {
    super::in_units_with(
        conn,
        caller,
        Permission::AccountManage,
        role_bindings::unit_id,
    )
    .await
}

/// Requires [`can_read`] on a binding to `unit`: 404 otherwise.
pub async fn require_read(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    unit: Uuid,
) -> Result<(), ApiError> {
    super::shown(can_read(conn, caller, unit).await?, ())
}

/// Requires what granting or revoking a binding needs: `account_manage` on the binding's unit
/// and on the account's home unit (422 naming `account_id` or `unit_id` when either is unknown
/// or out of scope), and for a subtree binding `account_manage` over that whole subtree (a
/// subtree binding of the caller at or above the unit; 403 otherwise).
pub async fn require_manage(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    account_id: Uuid,
    unit_id: Uuid,
    include_subtree: bool,
) -> Result<(), ApiError> {
    let home = repo::accounts::home_unit(conn, account_id)
        .await?
        .ok_or_else(|| ApiError::unknown("account_id", "account"))?;
    if !caller.can(conn, Permission::AccountManage, home).await? {
        return Err(ApiError::unknown("account_id", "account"));
    }
    if !caller.can(conn, Permission::AccountManage, unit_id).await? {
        return Err(ApiError::unknown("unit_id", "unit"));
    }
    if include_subtree {
        let above = scope::ancestors_or_self(conn, unit_id).await?;
        let covered = caller.bindings.iter().any(|b| {
            b.include_subtree
                && b.role.grants(Permission::AccountManage)
                && above.contains(&b.unit_id)
        });
        if !covered {
            return Err(ApiError::forbidden().detail(
                "a subtree binding needs account_manage over that whole subtree",
                "phân quyền cả cây đơn vị đòi hỏi quyền quản lý tài khoản trên toàn bộ cây đó",
            ));
        }
    }
    Ok(())
}
