//! Role bindings: which role an account holds over which unit (and optionally its subtree),
//! during which days. Bindings are immutable: they are granted or revoked, never edited.

use chrono::{DateTime, NaiveDate, Utc};
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::{in_tx, refresh_tokens, IfMatch};
use crate::auth::policy::bindings as policy;
use crate::auth::Caller;
use crate::db::models::BindingRow;
use crate::db::repo;
use crate::domain::refresh_token::RevokeReason;
use crate::domain::roles::Role;
use crate::domain::Violation;
use crate::error::ApiError;

/// Bindings never change, so their version (their ETag) is always this.
pub const VERSION: i32 = 1;

/// A binding with its unit's code and name, as the API shows it and the audit trail keeps it.
#[derive(Debug, Clone, Serialize)]
pub struct BindingDetail {
    /// Id.
    pub id: Uuid,
    /// The account holding the role.
    pub account_id: Uuid,
    /// The role.
    pub role: Role,
    /// The unit the role is exercised on.
    pub unit_id: Uuid,
    /// The unit's master-data code.
    pub unit_code: String,
    /// The unit's name.
    pub unit_name: String,
    /// Whether the role also covers every unit below `unit_id`.
    pub include_subtree: bool,
    /// First day in force.
    pub valid_from: NaiveDate,
    /// Last day in force; absent while open-ended.
    pub valid_to: Option<NaiveDate>,
    /// Created at.
    pub created_at: DateTime<Utc>,
}

impl From<repo::bindings::Labelled> for BindingDetail {
    fn from((r, unit_code, unit_name): repo::bindings::Labelled) -> Self {
        Self {
            id: r.id,
            account_id: r.account_id,
            role: r.role,
            unit_id: r.unit_id,
            unit_code,
            unit_name,
            include_subtree: r.include_subtree,
            valid_from: r.valid_from,
            valid_to: r.valid_to,
            created_at: r.created_at,
        }
    }
}

/// Filters of the binding list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BindingFilter {
    /// Only bindings of this account.
    pub account_id: Option<Uuid>,
    /// Only bindings to this unit.
    pub unit_id: Option<Uuid>,
    /// Only this role.
    pub role: Option<Role>,
}

/// New role binding.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBinding {
    /// The account receiving the role (the caller needs `account_manage` on its home unit).
    pub account_id: Uuid,
    /// The role.
    pub role: Role,
    /// The unit the role is exercised on (the caller needs `account_manage` on it).
    pub unit_id: Uuid,
    /// Whether the role also covers every unit below `unit_id` (default `false`; needs the
    /// caller's own `account_manage` over that whole subtree).
    #[serde(default)]
    pub include_subtree: bool,
    /// First day in force (default today).
    pub valid_from: Option<NaiveDate>,
    /// Last day in force, not before `valid_from`; absent for open-ended.
    pub valid_to: Option<NaiveDate>,
}

/// One binding with its unit's labels (`NotFound` when unknown).
async fn detail(conn: &mut AsyncPgConnection, id: Uuid) -> Result<BindingDetail, ApiError> {
    repo::bindings::labelled(conn, &[id])
        .await?
        .pop()
        .map(BindingDetail::from)
        .ok_or_else(ApiError::not_found)
}

/// Up to `limit + 1` bindings, current and past, after `after` (by id) whose unit the caller
/// manages, narrowed by `filter`. 403 for a caller who manages accounts nowhere.
pub async fn list(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    filter: &BindingFilter,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<BindingDetail>, ApiError> {
    policy::require_manager(caller)?;
    let readable = policy::readable(conn, caller).await?;
    let criteria = repo::bindings::Criteria {
        account_id: filter.account_id,
        unit_id: filter.unit_id,
        role: filter.role,
    };
    let rows = repo::bindings::list(conn, readable, &criteria, after, limit + 1).await?;
    Ok(rows.into_iter().map(BindingDetail::from).collect())
}

/// Binding `id` if the caller manages its unit (404 otherwise).
pub async fn get(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<BindingDetail, ApiError> {
    let binding = detail(conn, id).await?;
    policy::require_read(conn, caller, binding.unit_id).await?;
    Ok(binding)
}

/// The caller's own bindings in force today, ordered by id.
pub async fn of_caller(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
) -> Result<Vec<BindingDetail>, ApiError> {
    let ids: Vec<Uuid> = caller.bindings.iter().map(|b| b.id).collect();
    let rows = repo::bindings::labelled(conn, &ids).await?;
    Ok(rows.into_iter().map(BindingDetail::from).collect())
}

/// Grants a role: see [`policy::require_manage`] for who may. The account's sessions end
/// (access and refresh tokens), so they start again with the new roles.
pub async fn create(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    new: NewBinding,
) -> Result<BindingDetail, ApiError> {
    let valid_from = new.valid_from.unwrap_or_else(|| Utc::now().date_naive());
    if new.valid_to.is_some_and(|to| to < valid_from) {
        return Err(ApiError::violations(vec![Violation::new(
            "valid_to",
            "before_valid_from",
            "the last day is before the first day",
            "ngày kết thúc không được trước ngày bắt đầu",
        )]));
    }
    policy::require_manager(caller)?;
    in_tx(conn, caller, async |tx| {
        policy::require_manage(
            tx.conn,
            caller,
            new.account_id,
            new.unit_id,
            new.include_subtree,
        )
        .await?;
        let row = BindingRow {
            id: Uuid::now_v7(),
            account_id: new.account_id,
            role: new.role,
            unit_id: new.unit_id,
            include_subtree: new.include_subtree,
            valid_from,
            valid_to: new.valid_to,
            created_at: tx.now,
        };
        repo::bindings::insert(tx.conn, &row).await?;
        let account = repo::accounts::get(tx.conn, row.account_id).await?;
        refresh_tokens::end_sessions(tx, &account, RevokeReason::BindingsChanged).await?;
        let binding = detail(tx.conn, row.id).await?;
        tx.created(
            "role_binding.create",
            binding.id,
            Some(binding.unit_id),
            &binding,
        );
        Ok(binding)
    })
    .await
}

/// Revokes a role: needs the same rights as granting it (404 when out of scope). `If-Match`,
/// when sent, must name [`VERSION`]. The account's sessions end too (access and refresh tokens).
pub async fn delete(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: Option<&IfMatch>,
) -> Result<(), ApiError> {
    in_tx(conn, caller, async |tx| {
        let row = repo::bindings::lock(tx.conn, id).await?;
        policy::require_read(tx.conn, caller, row.unit_id).await?;
        policy::require_manage(
            tx.conn,
            caller,
            row.account_id,
            row.unit_id,
            row.include_subtree,
        )
        .await
        .map_err(|e| {
            if e.status() == 422 {
                ApiError::not_found()
            } else {
                e
            }
        })?;
        if let Some(if_match) = if_match {
            if_match.check(VERSION)?;
        }
        let before = detail(tx.conn, id).await?;
        repo::bindings::delete(tx.conn, id).await?;
        let account = repo::accounts::get(tx.conn, row.account_id).await?;
        refresh_tokens::end_sessions(tx, &account, RevokeReason::BindingsChanged).await?;
        tx.removed("role_binding.delete", id, Some(before.unit_id), &before);
        Ok(())
    })
    .await
}
