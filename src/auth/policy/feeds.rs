//! Who may see and act on department data feeds: a licence is seen by its own client and by
//! whoever manages accounts (`account_manage`) on its unit, and granted or ended only by the
//! latter; batches are sent by machine clients holding `feed_submit`; fed values are read with
//! their assignment.

use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::auth::Caller;
use crate::db::models::LicenceRow;
use crate::db::repo;
use crate::db::schema::feed_licences;
use crate::domain::roles::Permission;
use crate::error::ApiError;

/// Whether the caller may read licence `l`: its own, or one on a unit whose accounts it
/// manages.
pub async fn can_read(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    l: &LicenceRow,
) -> Result<bool, ApiError> {
    Ok(l.account_id == caller.account_id
        || caller
            .can(conn, Permission::AccountManage, l.unit_id)
            .await?)
}

/// The filter of every list of licences: the rows [`can_read`] allows, and no others.
pub async fn readable(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
) -> Result<Box<dyn BoxableExpression<feed_licences::table, Pg, SqlType = Bool>>, ApiError> {
    let managed = caller.units_with(conn, Permission::AccountManage).await?;
    Ok(Box::new(
        feed_licences::unit_id
            .eq_any(managed)
            .or(feed_licences::account_id.eq(caller.account_id)),
    ))
}

/// Licence `id` if the caller may read it; 404 otherwise.
pub async fn visible(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<LicenceRow, ApiError> {
    let l = repo::feeds::licence(conn, id).await?;
    super::shown(can_read(conn, caller, &l).await?, l)
}

/// Licence `id`, locked for a change, if the caller may read it; 404 otherwise.
pub async fn lock_visible(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<LicenceRow, ApiError> {
    let l = repo::feeds::lock_licence(conn, id).await?;
    super::shown(can_read(conn, caller, &l).await?, l)
}

/// Requires that the caller may grant a licence on `unit` (`account_manage`): 403 when it can
/// see the unit (`org_read`), and the unit reported unknown otherwise.
pub async fn require_grant(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    unit: Uuid,
) -> Result<(), ApiError> {
    let allowed = caller
        .require(conn, Permission::AccountManage, Permission::OrgRead, unit)
        .await;
    super::as_reference(allowed, "unit_id", "unit")
}

/// Requires that the caller may end licence `l` (`account_manage` on its unit): 403 otherwise.
pub async fn require_manage(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    l: &LicenceRow,
) -> Result<(), ApiError> {
    caller
        .require_on(conn, Permission::AccountManage, l.unit_id)
        .await
}

/// Requires that the caller may send batches (`feed_submit`, a machine client): 403 otherwise.
pub fn require_submit(caller: &Caller) -> Result<(), ApiError> {
    super::require_somewhere(caller, Permission::FeedSubmit)
}
