//! Groups of units for a year (e.g. the four groups of the 2022 round), owned by the unit that
//! assigns and evaluates them.

use actix_web::{delete, get, patch, post};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::app::groups::{self as app, Grouped};
use crate::app::groups::{GroupPatch, NewGroup, NewMember};
use crate::auth::Caller;
use crate::db::repo::groups::ListFilter;
use crate::error::ApiResult;
use crate::http::extract::{created, ok_tagged, IfMatch, Page, PageParams, ValidJson};
use crate::http::openapi::{DeleteErrors, ReadErrors, UpdateErrors, WriteErrors};
use crate::http::AppState;

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get)
        .service(update)
        .service(delete)
        .service(add_member)
        .service(remove_member);
}

/// A group of units for a year, owned by an assigning unit.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Group {
    /// Id.
    pub id: Uuid,
    /// The unit that owns the group (assigns tasks to and evaluates its members).
    pub owner_unit_id: Uuid,
    /// Year of the round, e.g. 2022.
    pub year: i32,
    /// Code, unique per owner and year, e.g. `nhom-1`.
    pub code: String,
    /// Vietnamese label, e.g. "Nhóm 1: các sở, ban, ngành".
    pub label_vi: String,
    /// English label.
    pub label_en: Option<String>,
    /// Member units, sorted by id.
    pub member_ids: Vec<Uuid>,
    /// Version, also the ETag.
    pub version: i32,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Last changed at.
    pub updated_at: DateTime<Utc>,
}

impl From<Grouped> for Group {
    fn from(g: Grouped) -> Self {
        let r = g.row;
        Self {
            id: r.id,
            owner_unit_id: r.owner_unit_id,
            year: r.year,
            code: r.code,
            label_vi: r.label_vi,
            label_en: r.label_en,
            member_ids: g.member_ids,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// Filters of the group list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GroupFilter {
    /// Only groups owned by this unit.
    pub owner_unit_id: Option<Uuid>,
    /// Only groups of this year.
    pub year: Option<i32>,
    /// Only groups having this unit as a member.
    pub member_id: Option<Uuid>,
}

/// List groups
///
/// Groups whose owner unit the caller can read, ordered by id (creation order), with cursor
/// pagination. Filter by owner, year or member unit.
#[utoipa::path(tag = "organisation", params(GroupFilter, PageParams),
    responses((status = 200, description = "A page of groups", body = Page<Group>), ReadErrors))]
#[get("/groups")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<GroupFilter>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let (limit, after) = (page.limit()?, page.after()?);
    let f = ListFilter {
        owner_unit_id: filter.owner_unit_id,
        year: filter.year,
        member_id: filter.member_id,
        after,
        limit: limit + 1,
    };
    let mut conn = state.pool.get().await?;
    let rows = app::list(&mut conn, &caller, &f).await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(rows, limit, |g| g.row.id, Group::from)))
}

/// Get a group
///
/// One group with its member units, with its ETag. Needs read access to the owner unit.
#[utoipa::path(tag = "organisation",
    params(("id" = Uuid, Path, description = "Group id")),
    responses((status = 200, description = "The group", body = Group, headers(("ETag" = String))), ReadErrors))]
#[get("/groups/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let group = Group::from(app::get(&mut conn, &caller, *id).await?);
    Ok(ok_tagged(group.version, &group))
}

/// Create a group
///
/// Adds a group of units for a year under an owner unit. Needs `group_manage` on the owner;
/// every member must be a unit the caller can read, other than the owner. The code is unique
/// per owner and year (409 otherwise).
#[utoipa::path(tag = "organisation", request_body = NewGroup,
    responses((status = 201, description = "Created", body = Group, headers(("ETag" = String), ("Location" = String))), WriteErrors))]
#[post("/groups")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<NewGroup>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let group = Group::from(app::create(&mut conn, &caller, body.0).await?);
    Ok(created(
        format!("/api/v1/groups/{}", group.id),
        group.version,
        &group,
    ))
}

/// Update a group
///
/// Changes a group's code or labels. Needs `If-Match` and `group_manage` on the owner unit.
#[utoipa::path(tag = "organisation", request_body = GroupPatch,
    params(("id" = Uuid, Path, description = "Group id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Updated", body = Group, headers(("ETag" = String))), UpdateErrors))]
#[patch("/groups/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<GroupPatch>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let group = Group::from(app::update(&mut conn, &caller, *id, &if_match, body.0).await?);
    Ok(ok_tagged(group.version, &group))
}

/// Delete a group
///
/// Removes a group and its member list. Needs `If-Match` and `group_manage` on the owner unit.
#[utoipa::path(tag = "organisation",
    params(("id" = Uuid, Path, description = "Group id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 204, description = "Deleted"), DeleteErrors))]
#[delete("/groups/{id}")]
pub async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    app::delete(&mut conn, &caller, *id, &if_match).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Add a member
///
/// Adds a unit to the group (409 if it is already a member) and returns the group with its
/// new ETag. Needs `If-Match` on the group and `group_manage` on the owner unit.
#[utoipa::path(tag = "organisation", request_body = NewMember,
    params(("id" = Uuid, Path, description = "Group id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "The group with the new member", body = Group, headers(("ETag" = String))), UpdateErrors))]
#[post("/groups/{id}/members")]
pub async fn add_member(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<NewMember>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let group = app::add_member(&mut conn, &caller, *id, &if_match, body.0.unit_id).await?;
    let group = Group::from(group);
    Ok(ok_tagged(group.version, &group))
}

/// Remove a member
///
/// Removes a unit from the group (404 if it is not a member) and returns the group with its
/// new ETag. Needs `If-Match` on the group and `group_manage` on the owner unit.
#[utoipa::path(tag = "organisation",
    params(
        ("id" = Uuid, Path, description = "Group id"),
        ("unit_id" = Uuid, Path, description = "Member unit id"),
        ("If-Match" = String, Header, description = "ETag last read of the group")
    ),
    responses((status = 200, description = "The group without the member", body = Group, headers(("ETag" = String))), DeleteErrors))]
#[delete("/groups/{id}/members/{unit_id}")]
pub async fn remove_member(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let (id, unit) = path.into_inner();
    let mut conn = state.pool.get().await?;
    let group = app::remove_member(&mut conn, &caller, id, &if_match, unit).await?;
    let group = Group::from(group);
    Ok(ok_tagged(group.version, &group))
}
