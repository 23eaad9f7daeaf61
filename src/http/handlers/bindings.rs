//! Role bindings: which role an account holds over which unit (and optionally its subtree),
//! during which days. Bindings are immutable: they are created or deleted, never edited.

use actix_web::http::header;
use actix_web::{delete, get, post};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::app::bindings::{self as app, BindingDetail, BindingFilter, NewBinding, VERSION};
use crate::auth::Caller;
use crate::domain::roles::Role;
use crate::error::ApiResult;
use crate::http::extract::{created, ok_tagged, IfMatch, Page, PageParams, ValidJson};
use crate::http::openapi::{DeleteErrors, ReadErrors, WriteErrors};
use crate::http::AppState;

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

impl From<BindingDetail> for RoleBinding {
    fn from(b: BindingDetail) -> Self {
        Self {
            id: b.id,
            account_id: b.account_id,
            role: b.role,
            unit_id: b.unit_id,
            unit_code: b.unit_code,
            unit_name: b.unit_name,
            include_subtree: b.include_subtree,
            valid_from: b.valid_from,
            valid_to: b.valid_to,
            created_at: b.created_at,
        }
    }
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
    let mut conn = state.pool.get().await?;
    let rows = app::list(&mut conn, &caller, &filter, after, limit).await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(rows, limit, |b| b.id, RoleBinding::from)))
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
    let binding = RoleBinding::from(app::get(&mut conn, &caller, *id).await?);
    Ok(ok_tagged(VERSION, &binding))
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
    let mut conn = state.pool.get().await?;
    let binding = RoleBinding::from(app::create(&mut conn, &caller, body.0).await?);
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
    let if_match = req
        .headers()
        .contains_key(header::IF_MATCH)
        .then_some(if_match);
    let mut conn = state.pool.get().await?;
    app::delete(&mut conn, &caller, *id, if_match.as_ref()).await?;
    Ok(HttpResponse::NoContent().finish())
}
