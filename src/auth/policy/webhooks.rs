//! Who may subscribe to webhooks and manage a subscription: a subscription is its owner's (the
//! account that made it; deliveries carry what that account may read in the feed). Account
//! administrators of the owner's home unit also see it and may disable or delete it. Anyone
//! else: 404.

use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::auth::Caller;
use crate::db::models::WebhookSubscriptionRow;
use crate::db::repo;
use crate::domain::roles::Permission;
use crate::domain::Violation;
use crate::error::ApiError;

/// Requires a role binding in force: an account without one reads nothing in the feed, so a
/// subscription would deliver nothing (403).
pub fn may_subscribe(caller: &Caller) -> Result<(), ApiError> {
    if caller.bindings.is_empty() {
        Err(ApiError::forbidden())
    } else {
        Ok(())
    }
}

/// The unit scope of a subscription must lie within the caller's bindings (422 otherwise).
pub async fn check_scope(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    unit: Uuid,
) -> Result<(), ApiError> {
    if caller.can(conn, Permission::OrgRead, unit).await? {
        Ok(())
    } else {
        Err(ApiError::violations(vec![Violation::new(
            "unit_id",
            "out_of_scope",
            "not a unit within your role bindings",
            "không phải đơn vị trong phạm vi vai trò của bạn",
        )]))
    }
}

/// Whether the caller may see `s`: its owner, or an administrator of the owner's account.
pub async fn can_read(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    s: &WebhookSubscriptionRow,
) -> Result<bool, ApiError> {
    if s.owner_account_id == caller.account_id {
        return Ok(true);
    }
    if !caller.has(Permission::AccountManage) {
        return Ok(false);
    }
    let owner = repo::accounts::get(conn, s.owner_account_id).await?;
    super::accounts::can_read(conn, caller, &owner).await
}

/// Requires [`can_read`]: 404 otherwise.
pub async fn visible(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    s: &WebhookSubscriptionRow,
) -> Result<(), ApiError> {
    super::shown(can_read(conn, caller, s).await?, ())
}

/// Requires the caller to own `s` (to change where it delivers, or what): 403 for an
/// administrator, who may only disable or delete it.
pub async fn may_change(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    s: &WebhookSubscriptionRow,
) -> Result<(), ApiError> {
    visible(conn, caller, s).await?;
    if s.owner_account_id == caller.account_id {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}
