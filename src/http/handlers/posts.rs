//! Posts: a cadre holds a post in a unit for a period. Heads change by ending one post and
//! appointing another, so the history of who held what stays readable.

use actix_web::{get, patch, post};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::app::posts::{self as app, Held};
use crate::app::posts::{EndPost, NewPost, PostPatch};
use crate::auth::Caller;
use crate::db::repo::posts::ListFilter;
use crate::domain::vocab::PostKind;
use crate::error::ApiResult;
use crate::http::extract::{created, ok_tagged, IfMatch, Page, PageParams, ValidJson};
use crate::http::openapi::{ReadErrors, UpdateErrors, WriteErrors};
use crate::http::AppState;

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get)
        .service(update)
        .service(end);
}

/// A post held by a cadre in a unit for a period.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Post {
    /// Id.
    pub id: Uuid,
    /// The cadre holding the post.
    pub cadre_id: Uuid,
    /// The cadre's full name.
    pub cadre_name: String,
    /// The unit.
    pub unit_id: Uuid,
    /// Kind of post.
    pub kind: PostKind,
    /// Title, e.g. "Giám đốc Sở Tài chính".
    pub title: String,
    /// Whether the post is held in an acting capacity (quyền, phụ trách).
    pub acting: bool,
    /// First day.
    pub valid_from: NaiveDate,
    /// Last day; absent while the post is held.
    pub valid_to: Option<NaiveDate>,
    /// Why the post ended.
    pub end_reason: Option<String>,
    /// Version, also the ETag.
    pub version: i32,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Last changed at.
    pub updated_at: DateTime<Utc>,
}

impl From<Held> for Post {
    fn from(h: Held) -> Self {
        let r = h.row;
        Self {
            id: r.id,
            cadre_id: r.cadre_id,
            cadre_name: h.cadre_name,
            unit_id: r.unit_id,
            kind: r.kind,
            title: r.title,
            acting: r.acting,
            valid_from: r.valid_from,
            valid_to: r.valid_to,
            end_reason: r.end_reason,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// Filters of the post list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PostFilter {
    /// Only posts in this unit.
    pub unit_id: Option<Uuid>,
    /// Only posts of this cadre.
    pub cadre_id: Option<Uuid>,
    /// Only this kind of post.
    pub kind: Option<PostKind>,
    /// Only posts begun by this day and, unless `include_ended`, still held on it.
    pub as_of: Option<NaiveDate>,
    /// Also list posts that ended before `as_of` (or before today). Default: true without
    /// `as_of`, false with it.
    pub include_ended: Option<bool>,
}

/// List posts
///
/// Posts in units where the caller can read personnel, ordered by id (creation order), with
/// cursor pagination. With `as_of`, only the posts held on that day; without it, every post,
/// ended or not, unless `include_ended=false`.
#[utoipa::path(tag = "personnel", params(PostFilter, PageParams),
    responses((status = 200, description = "A page of posts", body = Page<Post>), ReadErrors))]
#[get("/posts")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<PostFilter>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let (limit, after) = (page.limit()?, page.after()?);
    let day = filter.as_of.unwrap_or_else(|| Utc::now().date_naive());
    let include_ended = filter.include_ended.unwrap_or(filter.as_of.is_none());
    let f = ListFilter {
        begun_by: filter.as_of.map(|_| day),
        held_on: (!include_ended).then_some(day),
        unit_id: filter.unit_id,
        cadre_id: filter.cadre_id,
        kind: filter.kind,
        after,
        limit: limit + 1,
    };
    let mut conn = state.pool.get().await?;
    let rows = app::list(&mut conn, &caller, &f).await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(rows, limit, |r| r.row.id, Post::from)))
}

/// Get a post
///
/// One post, with its ETag. Needs personnel read access to the post's unit.
#[utoipa::path(tag = "personnel",
    params(("id" = Uuid, Path, description = "Post id")),
    responses((status = 200, description = "The post", body = Post, headers(("ETag" = String))), ReadErrors))]
#[get("/posts/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let post = Post::from(app::get(&mut conn, &caller, *id).await?);
    Ok(ok_tagged(post.version, &post))
}

/// Appoint to a post
///
/// Records that a cadre holds a post in a unit from `valid_from` (default today). The unit must
/// be valid for the whole period, and a unit has at most one head at a time (409 otherwise:
/// end the current head's post first). Needs `personnel_manage` on the unit and read access
/// to the cadre.
#[utoipa::path(tag = "personnel", request_body = NewPost,
    responses((status = 201, description = "Created", body = Post, headers(("ETag" = String), ("Location" = String))), WriteErrors))]
#[post("/posts")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<NewPost>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let post = Post::from(app::create(&mut conn, &caller, body.0).await?);
    Ok(created(
        format!("/api/v1/posts/{}", post.id),
        post.version,
        &post,
    ))
}

/// Update a post
///
/// Corrects a post's title or acting capacity. Needs `If-Match` and `personnel_manage` on the
/// post's unit.
#[utoipa::path(tag = "personnel", request_body = PostPatch,
    params(("id" = Uuid, Path, description = "Post id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Updated", body = Post, headers(("ETag" = String))), UpdateErrors))]
#[patch("/posts/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<PostPatch>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let post = Post::from(app::update(&mut conn, &caller, *id, &if_match, body.0).await?);
    Ok(ok_tagged(post.version, &post))
}

/// End a post
///
/// Ends an open post on `valid_to`, keeping it in the history (409 if it already has an end).
/// This is how a change of head or a transfer is recorded: end the old post, then appoint to
/// the new one. Needs `If-Match` and `personnel_manage` on the post's unit.
#[utoipa::path(tag = "personnel", request_body = EndPost,
    params(("id" = Uuid, Path, description = "Post id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Ended", body = Post, headers(("ETag" = String))), UpdateErrors))]
#[post("/posts/{id}/end")]
pub async fn end(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<EndPost>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let post = Post::from(app::end(&mut conn, &caller, *id, &if_match, body.0).await?);
    Ok(ok_tagged(post.version, &post))
}
