//! Feed licences: list, grant, read and end.

use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::views::Licence;
use crate::app::feeds::{self as app, LicenceEnd, NewLicence};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::http::extract::{created, ok_tagged, IfMatch, Page, PageParams, ValidJson};
use crate::http::openapi::{ReadErrors, UpdateErrors, WriteErrors};
use crate::http::AppState;

/// Filters of the licence list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LicenceFilter {
    /// Only licences of this client.
    pub account_id: Option<Uuid>,
}

/// List feed licences
///
/// Licences on units whose accounts the caller manages, and the caller's own.
#[utoipa::path(tag = "feeds", params(LicenceFilter, PageParams),
    responses((status = 200, description = "The licences", body = Page<Licence>), ReadErrors))]
#[get("/feed-licences")]
pub async fn list_licences(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<LicenceFilter>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let rows = app::licences(&mut conn, &caller, filter.account_id).await?;
    let out: Vec<Licence> = rows.into_iter().map(Licence::from).collect();
    Ok(HttpResponse::Ok().json(Page::of_list(out, &page, |v| v.id, |v| v)?))
}

/// Grant a feed licence
///
/// Lets a machine client send values of an indicator for a unit (or its subtree) during a
/// period. Needs `account_manage` (an administrator) on the unit.
#[utoipa::path(tag = "feeds", request_body = NewLicence,
    responses((status = 201, description = "Granted", body = Licence, headers(("ETag" = String), ("Location" = String))), WriteErrors))]
#[post("/feed-licences")]
pub async fn create_licence(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<NewLicence>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let view = Licence::from(app::grant(&mut conn, &caller, body.0).await?);
    Ok(created(
        format!("/api/v1/feed-licences/{}", view.id),
        1,
        &view,
    ))
}

/// Get a feed licence
///
/// One licence with its ETag: the caller's own, or one on a unit whose accounts it manages.
#[utoipa::path(tag = "feeds",
    params(("id" = Uuid, Path, description = "Licence id")),
    responses((status = 200, description = "The licence", body = Licence, headers(("ETag" = String))), ReadErrors))]
#[get("/feed-licences/{id}")]
pub async fn get_licence(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let view = Licence::from(app::licence(&mut conn, &caller, *id).await?);
    Ok(ok_tagged(view.version, &view))
}

/// End a feed licence
///
/// Brings a licence's last day forward (never later than it was) with a reason; values the
/// client sends for days after it are refused row by row. Needs `account_manage` on the
/// licence's unit and `If-Match`.
#[utoipa::path(tag = "feeds", request_body = LicenceEnd,
    params(("id" = Uuid, Path, description = "Licence id"),
        ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Ended", body = Licence, headers(("ETag" = String))), UpdateErrors))]
#[post("/feed-licences/{id}/end")]
pub async fn end_licence(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<LicenceEnd>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let row = app::end(&mut conn, &caller, *id, &if_match, body.0).await?;
    let view = Licence::from(row);
    Ok(ok_tagged(view.version, &view))
}
