//! Cadres: the people who hold posts. A person's file is visible only within the scope of its
//! managing unit; outside it, the person does not exist (404).

use actix_web::{get, patch, post};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::posts::Post;
use crate::app::cadres as app;
use crate::app::cadres::{CadrePatch, NewCadre};
use crate::auth::Caller;
use crate::db::models::CadreRow;
use crate::db::repo::cadres::ListFilter;
use crate::domain::vocab::Gender;
use crate::error::ApiResult;
use crate::http::extract::{created, ok_tagged, IfMatch, Page, PageParams, ValidJson};
use crate::http::openapi::{ReadErrors, UpdateErrors, WriteErrors};
use crate::http::AppState;

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get)
        .service(update);
}

/// A cadre (a person whose file a unit manages).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Cadre {
    /// Id.
    pub id: Uuid,
    /// Personnel file code, unique.
    pub personnel_code: Option<String>,
    /// Full name, e.g. "Nguyễn Thị Hồng Nhung".
    pub full_name: String,
    /// Gender.
    pub gender: Option<Gender>,
    /// Date of birth.
    pub date_of_birth: Option<NaiveDate>,
    /// E-mail address.
    pub email: Option<String>,
    /// The unit that manages the file; it decides who may read it.
    pub managing_unit_id: Uuid,
    /// Version, also the ETag.
    pub version: i32,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Last changed at.
    pub updated_at: DateTime<Utc>,
}

impl From<CadreRow> for Cadre {
    fn from(r: CadreRow) -> Self {
        Self {
            id: r.id,
            personnel_code: r.personnel_code,
            full_name: r.full_name,
            gender: r.gender,
            date_of_birth: r.date_of_birth,
            email: r.email,
            managing_unit_id: r.managing_unit_id,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A cadre with every post they have held.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CadreDetail {
    /// The cadre.
    #[serde(flatten)]
    pub cadre: Cadre,
    /// Posts held, current and ended, oldest first.
    pub posts: Vec<Post>,
}

/// Filters of the cadre list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CadreFilter {
    /// Only cadres whose file this unit manages.
    pub managing_unit_id: Option<Uuid>,
    /// Full name contains this text (case-insensitive).
    pub q: Option<String>,
    /// Only this personnel file code.
    pub personnel_code: Option<String>,
}

/// List cadres
///
/// Cadres whose managing unit is in the caller's personnel scope, ordered by id (creation
/// order), with cursor pagination. Posts are not included; read one cadre for them.
#[utoipa::path(tag = "personnel", params(CadreFilter, PageParams),
    responses((status = 200, description = "A page of cadres", body = Page<Cadre>), ReadErrors))]
#[get("/cadres")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<CadreFilter>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let (limit, after) = (page.limit()?, page.after()?);
    let filter = filter.into_inner();
    let f = ListFilter {
        managing_unit_id: filter.managing_unit_id,
        name_like: filter
            .q
            .as_deref()
            .filter(|t| !t.is_empty())
            .map(crate::domain::text::contains_pattern),
        personnel_code: filter.personnel_code,
        after,
        limit: limit + 1,
    };
    let mut conn = state.pool.get().await?;
    let rows = app::list(&mut conn, &caller, &f).await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(rows, limit, |r| r.id, Cadre::from)))
}

/// Get a cadre
///
/// One cadre with their whole post history (oldest first), with the cadre's ETag. Outside the
/// caller's personnel scope the cadre is reported as not found.
#[utoipa::path(tag = "personnel",
    params(("id" = Uuid, Path, description = "Cadre id")),
    responses((status = 200, description = "The cadre", body = CadreDetail, headers(("ETag" = String))), ReadErrors))]
#[get("/cadres/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let (row, posts) = app::get(&mut conn, &caller, *id).await?;
    let detail = CadreDetail {
        cadre: Cadre::from(row),
        posts: posts.into_iter().map(Post::from).collect(),
    };
    Ok(ok_tagged(detail.cadre.version, &detail))
}

/// Create a cadre
///
/// Adds a person's file under a managing unit. Needs `personnel_manage` on that unit. The
/// personnel code, if given, is unique (409 otherwise).
#[utoipa::path(tag = "personnel", request_body = NewCadre,
    responses((status = 201, description = "Created", body = Cadre, headers(("ETag" = String), ("Location" = String))), WriteErrors))]
#[post("/cadres")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<NewCadre>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let cadre = Cadre::from(app::create(&mut conn, &caller, body.0).await?);
    Ok(created(
        format!("/api/v1/cadres/{}", cadre.id),
        cadre.version,
        &cadre,
    ))
}

/// Update a cadre
///
/// Corrects a cadre's file or moves it to another managing unit. Needs `If-Match` and
/// `personnel_manage` on the managing unit (and on the new one when moving).
#[utoipa::path(tag = "personnel", request_body = CadrePatch,
    params(("id" = Uuid, Path, description = "Cadre id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Updated", body = Cadre, headers(("ETag" = String))), UpdateErrors))]
#[patch("/cadres/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<CadrePatch>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let cadre = Cadre::from(app::update(&mut conn, &caller, *id, &if_match, body.0).await?);
    Ok(ok_tagged(cadre.version, &cadre))
}
