//! Level definitions of the organisation tree (province, commune, …): data, never hard-coded.

use actix_web::{delete, get, patch, post};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use scoped_futures::ScopedFutureExt;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use crate::auth::Caller;
use crate::db::audit::{self, Change};
use crate::db::models::LevelRow;
use crate::db::schema::org_levels;
use crate::domain::roles::Permission;
use crate::error::{ApiError, ApiResult};
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

/// New level.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLevel {
    /// Stable code (lower-case letters, digits, `_`).
    #[validate(
        length(min = 1, max = 50),
        custom(function = "crate::http::handlers::code_format")
    )]
    pub code: String,
    /// Vietnamese name.
    #[validate(length(min = 1, max = 200))]
    pub name_vi: String,
    /// English name.
    #[validate(length(min = 1, max = 200))]
    pub name_en: String,
    /// Depth, 1–100, unique.
    #[validate(range(min = 1, max = 100))]
    pub rank: i32,
}

/// Changes to a level; absent fields stay as they are.
#[derive(Debug, Deserialize, Validate, ToSchema, AsChangeset)]
#[diesel(table_name = org_levels)]
#[serde(deny_unknown_fields)]
pub struct LevelPatch {
    /// Vietnamese name.
    #[validate(length(min = 1, max = 200))]
    pub name_vi: Option<String>,
    /// English name.
    #[validate(length(min = 1, max = 200))]
    pub name_en: Option<String>,
    /// Depth, 1–100, unique.
    #[validate(range(min = 1, max = 100))]
    pub rank: Option<i32>,
}

/// All levels, by rank.
#[utoipa::path(tag = "organisation",
    description = "The level definitions, ordered by rank (at most 100, so always one page).",
    responses((status = 200, description = "Levels", body = Page<Level>), ReadErrors))]
#[get("/levels")]
pub async fn list(state: web::Data<AppState>, _caller: Caller) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let rows: Vec<LevelRow> = org_levels::table
        .order(org_levels::rank)
        .select(LevelRow::as_select())
        .load(&mut conn)
        .await?;
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
    _caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let row: LevelRow = org_levels::table
        .find(*id)
        .select(LevelRow::as_select())
        .first(&mut conn)
        .await?;
    Ok(ok_tagged(row.version, &Level::from(row)))
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
    let body = body.0;
    let mut conn = state.pool.get().await?;
    caller
        .require_global(&mut conn, Permission::OrgManage)
        .await?;
    let level = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let now = Utc::now();
                let row = LevelRow {
                    id: Uuid::now_v7(),
                    code: body.code,
                    name_vi: body.name_vi,
                    name_en: body.name_en,
                    rank: body.rank,
                    version: 1,
                    created_at: now,
                    updated_at: now,
                };
                let row: LevelRow = diesel::insert_into(org_levels::table)
                    .values(&row)
                    .returning(LevelRow::as_returning())
                    .get_result(conn)
                    .await?;
                let level = Level::from(row);
                audit::record(
                    conn,
                    Some(&caller),
                    Change {
                        action: "level.create",
                        resource_type: "level",
                        resource_id: Some(level.id),
                        unit_id: None,
                        before: None::<&()>,
                        after: Some(&level),
                    },
                )
                .await?;
                Ok(level)
            }
            .scope_boxed()
        })
        .await?;
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
    let (id, patch) = (*id, body.0);
    let mut conn = state.pool.get().await?;
    let level = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let before: LevelRow = org_levels::table
                    .find(id)
                    .for_update()
                    .select(LevelRow::as_select())
                    .first(conn)
                    .await?;
                caller.require_global(conn, Permission::OrgManage).await?;
                if_match.check(before.version)?;
                let row: LevelRow = diesel::update(org_levels::table.find(id))
                    .set((
                        &patch,
                        org_levels::version.eq(before.version + 1),
                        org_levels::updated_at.eq(Utc::now()),
                    ))
                    .returning(LevelRow::as_returning())
                    .get_result(conn)
                    .await?;
                let (before, after) = (Level::from(before), Level::from(row));
                audit::record(
                    conn,
                    Some(&caller),
                    Change {
                        action: "level.update",
                        resource_type: "level",
                        resource_id: Some(id),
                        unit_id: None,
                        before: Some(&before),
                        after: Some(&after),
                    },
                )
                .await?;
                Ok(after)
            }
            .scope_boxed()
        })
        .await?;
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
    let id = *id;
    let mut conn = state.pool.get().await?;
    conn.transaction::<_, ApiError, _>(|conn| {
        async move {
            let before: LevelRow = org_levels::table
                .find(id)
                .for_update()
                .select(LevelRow::as_select())
                .first(conn)
                .await?;
            caller.require_global(conn, Permission::OrgManage).await?;
            if_match.check(before.version)?;
            diesel::delete(org_levels::table.find(id))
                .execute(conn)
                .await
                .map_err(super::still_referenced)?;
            audit::record(
                conn,
                Some(&caller),
                Change {
                    action: "level.delete",
                    resource_type: "level",
                    resource_id: Some(id),
                    unit_id: None,
                    before: Some(&Level::from(before)),
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
