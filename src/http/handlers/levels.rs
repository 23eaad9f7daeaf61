//! Level definitions of the organisation tree (province, commune, …): data, never hard-coded.

use actix_web::{delete, get, patch, post};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::app::levels as app;
use crate::app::levels::{LevelPatch, NewLevel};
use crate::auth::Caller;
use crate::db::models::LevelRow;
use crate::error::ApiResult;
use crate::http::extract::{created, ok_tagged, IfMatch, Page, ValidJson};
use crate::http::openapi::{DeleteErrors, ReadErrors, UpdateErrors, WriteErrors};
use crate::http::AppState;

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get)
        .service(update)
        .service(delete);
}

/// A level of the organisation tree.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Level {
    /// Id.
    pub id: Uuid,
    /// Stable code, e.g. `province`, `commune`.
    pub code: String,
    /// Vietnamese name, e.g. "Cấp tỉnh".
    pub name_vi: String,
    /// English name.
    pub name_en: String,
    /// Depth in the tree: 1 is the top; a child's level never ranks above its parent's.
    pub rank: i32,
    /// Version, also the ETag.
    pub version: i32,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Last changed at.
    pub updated_at: DateTime<Utc>,
}

impl From<LevelRow> for Level {
    fn from(r: LevelRow) -> Self {
        Self {
            id: r.id,
            code: r.code,
            name_vi: r.name_vi,
            name_en: r.name_en,
            rank: r.rank,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// All levels, by rank.
#[utoipa::path(tag = "organisation",
    description = "The level definitions, ordered by rank (at most 100, so always one page).",
    responses((status = 200, description = "Levels", body = Page<Level>), ReadErrors))]
#[get("/levels")]
pub async fn list(state: web::Data<AppState>, caller: Caller) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let rows = app::list(&mut conn, &caller).await?;
    Ok(HttpResponse::Ok().json(Page {
        items: rows.into_iter().map(Level::from).collect::<Vec<_>>(),
        next_cursor: None,
    }))
}

/// Get a level
///
/// One level definition, with its ETag.
#[utoipa::path(tag = "organisation",
    params(("id" = Uuid, Path, description = "Level id")),
    responses((status = 200, description = "The level", body = Level, headers(("ETag" = String))), ReadErrors))]
#[get("/levels/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let level = Level::from(app::get(&mut conn, &caller, *id).await?);
    Ok(ok_tagged(level.version, &level))
}

/// Create a level
///
/// Adds a level definition. Needs the `admin` role over a whole tree.
#[utoipa::path(tag = "organisation", request_body = NewLevel,
    responses((status = 201, description = "Created", body = Level, headers(("ETag" = String), ("Location" = String))), WriteErrors))]
#[post("/levels")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<NewLevel>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let level = Level::from(app::create(&mut conn, &caller, body.0).await?);
    Ok(created(
        format!("/api/v1/levels/{}", level.id),
        level.version,
        &level,
    ))
}

/// Update a level
///
/// Renames or re-ranks a level. Needs `If-Match` and the `admin` role over a whole tree.
#[utoipa::path(tag = "organisation", request_body = LevelPatch,
    params(("id" = Uuid, Path, description = "Level id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Updated", body = Level, headers(("ETag" = String))), UpdateErrors))]
#[patch("/levels/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<LevelPatch>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let level = Level::from(app::update(&mut conn, &caller, *id, &if_match, body.0).await?);
    Ok(ok_tagged(level.version, &level))
}

/// Delete a level
///
/// Removes a level no unit uses (409 otherwise). Needs `If-Match` and the `admin` role over a whole tree.
#[utoipa::path(tag = "organisation",
    params(("id" = Uuid, Path, description = "Level id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 204, description = "Deleted"), DeleteErrors))]
#[delete("/levels/{id}")]
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
