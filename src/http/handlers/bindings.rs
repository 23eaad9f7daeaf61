//! Role bindings: which role an account holds over which unit (and optionally its subtree),
//! during which days. Bindings are immutable: they are created or deleted, never edited.

use actix_web::http::header;
use actix_web::{delete, get, post};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use scoped_futures::ScopedFutureExt;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use super::units::unknown;
use crate::auth::{scope, Caller};
use crate::db::audit::{self, Change};
use crate::db::models::BindingRow;
use crate::db::schema::{accounts, org_units, role_bindings};
use crate::domain::roles::{Permission, Role};
use crate::domain::Violation;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{created, ok_tagged, IfMatch, Page, PageParams, ValidJson};
use crate::http::openapi::{DeleteErrors, ReadErrors, WriteErrors};
use crate::http::AppState;

/// Bindings never change, so their ETag is always this version.
const VERSION: i32 = 1;

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get)
        .service(delete);
}

/// A role bound to an account over a unit.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RoleBinding {
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

impl RoleBinding {
    fn new(r: BindingRow, unit_code: String, unit_name: String) -> Self {
        Self {
            id: r.id,
            account_id: r.account_id,
            // The table's CHECK constraint admits only known roles.
            role: Role::parse(&r.role).unwrap_or(Role::PublicReader),
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

/// Loads the views of the bindings with `ids`, ordered by id.
pub(crate) async fn load_many(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> Result<Vec<RoleBinding>, ApiError> {
    let rows: Vec<(BindingRow, String, String)> = role_bindings::table
        .inner_join(org_units::table.on(org_units::id.eq(role_bindings::unit_id)))
        .filter(role_bindings::id.eq_any(ids))
        .order(role_bindings::id)
        .select((BindingRow::as_select(), org_units::code, org_units::name))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(r, code, name)| RoleBinding::new(r, code, name))
        .collect())
}

/// Loads one binding view.
async fn load(conn: &mut AsyncPgConnection, id: Uuid) -> Result<RoleBinding, ApiError> {
    load_many(conn, &[id])
        .await?
        .pop()
        .ok_or_else(ApiError::not_found)
}

/// Requires what creating or deleting a binding needs: `account_manage` on the binding's unit
/// and on the account's home unit, and for a subtree binding, `account_manage` over that whole
/// subtree (a subtree binding of the caller at or above the unit), so that nobody grants or
/// revokes rights beyond their own reach. 404 means the unit or account is out of scope.
async fn require_manage(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    account_id: Uuid,
    unit_id: Uuid,
    include_subtree: bool,
) -> Result<(), ApiError> {
    let home: Uuid = accounts::table
        .find(account_id)
        .select(accounts::home_unit_id)
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| unknown("account_id", "account"))?;
    caller
        .require(
            conn,
            Permission::AccountManage,
            Permission::AccountManage,
            home,
        )
        .await
        .map_err(|e| {
            if e.status() == 404 {
                unknown("account_id", "account")
            } else {
                e
            }
        })?;
    caller
        .require(
            conn,
            Permission::AccountManage,
            Permission::AccountManage,
            unit_id,
        )
        .await
        .map_err(|e| {
            if e.status() == 404 {
                unknown("unit_id", "unit")
            } else {
                e
            }
        })?;
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

/// List role bindings
///
/// Bindings, current and past, whose unit is in the caller's `account_manage` scope, ordered by
/// id (creation order), with cursor pagination. 403 for a caller who manages accounts nowhere.
#[utoipa::path(tag = "access", params(BindingFilter, PageParams),
    responses((status = 200, description = "A page of role bindings", body = Page<RoleBinding>), ReadErrors))]
#[get("/role-bindings")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<BindingFilter>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let (limit, after) = (page.limit()?, page.after()?);
    if !caller.has(Permission::AccountManage) {
        return Err(ApiError::forbidden());
    }
    let mut conn = state.pool.get().await?;
    let visible = caller
        .units_with(&mut conn, Permission::AccountManage)
        .await?;
    let mut q = role_bindings::table
        .inner_join(org_units::table.on(org_units::id.eq(role_bindings::unit_id)))
        .filter(role_bindings::unit_id.eq_any(visible))
        .select((BindingRow::as_select(), org_units::code, org_units::name))
        .order(role_bindings::id)
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(role_bindings::id.gt(after));
    }
    if let Some(account) = filter.account_id {
        q = q.filter(role_bindings::account_id.eq(account));
    }
    if let Some(unit) = filter.unit_id {
        q = q.filter(role_bindings::unit_id.eq(unit));
    }
    if let Some(role) = filter.role {
        q = q.filter(role_bindings::role.eq(role.as_str()));
    }
    let rows: Vec<(BindingRow, String, String)> = q.load(&mut conn).await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        limit,
        |r| r.0.id,
        |(r, code, name)| RoleBinding::new(r, code, name),
    )))
}

/// Get a role binding
///
/// One binding. Bindings never change, so the ETag is always `"1"`. Needs `account_manage` on
/// the binding's unit; outside that scope the binding is reported as not found.
#[utoipa::path(tag = "access",
    params(("id" = Uuid, Path, description = "Binding id")),
    responses((status = 200, description = "The binding", body = RoleBinding, headers(("ETag" = String))), ReadErrors))]
#[get("/role-bindings/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let binding = load(&mut conn, *id).await?;
    caller
        .require(
            &mut conn,
            Permission::AccountManage,
            Permission::AccountManage,
            binding.unit_id,
        )
        .await?;
    Ok(ok_tagged(VERSION, &binding))
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

/// Grant a role
///
/// Binds a role to an account over a unit, optionally with its subtree, for a period. Needs
/// `account_manage` on both the unit and the account's home unit (422 when either is unknown or
/// outside the caller's scope); a subtree binding also needs the caller's `account_manage` over
/// that whole subtree (403 otherwise). The role takes effect on the account's next request.
#[utoipa::path(tag = "access", request_body = NewBinding,
    responses((status = 201, description = "Created", body = RoleBinding, headers(("ETag" = String), ("Location" = String))), WriteErrors))]
#[post("/role-bindings")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<NewBinding>,
) -> ApiResult<HttpResponse> {
    let new = body.0;
    let valid_from = new.valid_from.unwrap_or_else(|| Utc::now().date_naive());
    if new.valid_to.is_some_and(|to| to < valid_from) {
        return Err(ApiError::violations(vec![Violation::new(
            "valid_to",
            "before_valid_from",
            "the last day is before the first day",
            "ngày kết thúc không được trước ngày bắt đầu",
        )]));
    }
    if !caller.has(Permission::AccountManage) {
        return Err(ApiError::forbidden());
    }
    let mut conn = state.pool.get().await?;
    let binding = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                require_manage(
                    conn,
                    &caller,
                    new.account_id,
                    new.unit_id,
                    new.include_subtree,
                )
                .await?;
                let row = BindingRow {
                    id: Uuid::now_v7(),
                    account_id: new.account_id,
                    role: new.role.as_str().to_owned(),
                    unit_id: new.unit_id,
                    include_subtree: new.include_subtree,
                    valid_from,
                    valid_to: new.valid_to,
                    created_at: Utc::now(),
                };
                diesel::insert_into(role_bindings::table)
                    .values(&row)
                    .execute(conn)
                    .await?;
                let binding = load(conn, row.id).await?;
                audit::record(
                    conn,
                    Some(&caller),
                    Change {
                        action: "role_binding.create",
                        resource_type: "role_binding",
                        resource_id: Some(binding.id),
                        unit_id: Some(binding.unit_id),
                        before: None::<&()>,
                        after: Some(&binding),
                    },
                )
                .await?;
                Ok(binding)
            }
            .scope_boxed()
        })
        .await?;
    Ok(created(
        format!("/api/v1/role-bindings/{}", binding.id),
        VERSION,
        &binding,
    ))
}

/// Revoke a role
///
/// Deletes a binding; the account loses the role on its next request. Needs the same rights
/// as granting it. `If-Match` is optional (bindings never change); when sent it must be `"1"`.
#[utoipa::path(tag = "access",
    params(("id" = Uuid, Path, description = "Binding id"),
        ("If-Match" = Option<String>, Header, description = "Optional; the ETag read, always \"1\"")),
    responses((status = 204, description = "Deleted"), DeleteErrors))]
#[delete("/role-bindings/{id}")]
pub async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let id = *id;
    let if_match = req
        .headers()
        .contains_key(header::IF_MATCH)
        .then_some(if_match);
    let mut conn = state.pool.get().await?;
    conn.transaction::<_, ApiError, _>(|conn| {
        async move {
            let row: BindingRow = role_bindings::table
                .find(id)
                .for_update()
                .select(BindingRow::as_select())
                .first(conn)
                .await?;
            caller
                .require(
                    conn,
                    Permission::AccountManage,
                    Permission::AccountManage,
                    row.unit_id,
                )
                .await?;
            require_manage(
                conn,
                &caller,
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
            if let Some(if_match) = &if_match {
                if_match.check(VERSION)?;
            }
            let before = load(conn, id).await?;
            diesel::delete(role_bindings::table.find(id))
                .execute(conn)
                .await?;
            audit::record(
                conn,
                Some(&caller),
                Change {
                    action: "role_binding.delete",
                    resource_type: "role_binding",
                    resource_id: Some(id),
                    unit_id: Some(before.unit_id),
                    before: Some(&before),
                    after: None::<&()>,
                },
            )
            .await?;
            Ok(())
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
