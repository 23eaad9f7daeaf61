//! Who may see and change level definitions: every signed-in caller reads them (they are the
//! vocabulary of the tree); changing them needs `admin` over a whole tree.

use diesel_async::AsyncPgConnection;

use crate::auth::Caller;
use crate::domain::roles::Permission;
use crate::error::ApiError;

/// Whether the caller may read level definitions: always.
pub fn can_read(_caller: &Caller) -> bool {
    true
}

/// Requires that the caller may change level definitions: 403 otherwise.
pub async fn may_manage(conn: &mut AsyncPgConnection, caller: &Caller) -> Result<(), ApiError> {
    caller.require_global(conn, Permission::OrgManage).await
}
