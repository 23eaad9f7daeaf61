//! Cadres: the people who hold posts. A person's file is visible only within the scope of its
//! managing unit; outside it, the person does not exist (404).

use actix_web::{get, patch, post};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use scoped_futures::ScopedFutureExt;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use super::posts::{history_of, Post};
use super::units::unknown;
use crate::auth::Caller;
use crate::db::audit::{self, Change};
use crate::db::models::CadreRow;
use crate::db::schema::cadres;
use crate::domain::roles::Permission;
use crate::domain::vocab::Gender;
use crate::domain::Violation;
use crate::error::{ApiError, ApiResult};
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
            gender: r.gender.as_deref().and_then(Gender::parse),
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

/// Loads one cadre row.
async fn load(conn: &mut AsyncPgConnection, id: Uuid) -> Result<CadreRow, ApiError> {
    Ok(cadres::table
        .find(id)
        .select(CadreRow::as_select())
        .first(conn)
        .await?)
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
    let mut conn = state.pool.get().await?;
    let visible = caller
        .units_with(&mut conn, Permission::PersonnelRead)
        .await?;
    let mut q = cadres::table
        .filter(cadres::managing_unit_id.eq_any(visible))
        .select(CadreRow::as_select())
        .order(cadres::id)
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(cadres::id.gt(after));
    }
    if let Some(unit) = filter.managing_unit_id {
        q = q.filter(cadres::managing_unit_id.eq(unit));
    }
    if let Some(code) = &filter.personnel_code {
        q = q.filter(cadres::personnel_code.eq(code.clone()));
    }
    if let Some(text) = filter.q.as_deref().filter(|t| !t.is_empty()) {
        let pattern = super::contains_pattern(text);
        q = q.filter(cadres::full_name.ilike(pattern));
    }
    let rows: Vec<CadreRow> = q.load(&mut conn).await?;
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
    let row = load(&mut conn, *id).await?;
    caller
        .require(
            &mut conn,
            Permission::PersonnelRead,
            Permission::PersonnelRead,
            row.managing_unit_id,
        )
        .await?;
    let posts = history_of(&mut conn, row.id).await?;
    let detail = CadreDetail {
        cadre: Cadre::from(row),
        posts,
    };
    Ok(ok_tagged(detail.cadre.version, &detail))
}

/// New cadre.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCadre {
    /// Personnel file code, unique.
    #[validate(
        length(min = 1, max = 50),
        custom(function = "crate::http::handlers::code_format")
    )]
    pub personnel_code: Option<String>,
    /// Full name.
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub full_name: String,
    /// Gender.
    pub gender: Option<Gender>,
    /// Date of birth; not in the future.
    pub date_of_birth: Option<NaiveDate>,
    /// E-mail address.
    #[validate(email, length(max = 254))]
    pub email: Option<String>,
    /// The managing unit (the caller needs `personnel_manage` on it).
    pub managing_unit_id: Uuid,
}

/// A date of birth in the future, as a violation.
fn birth_violation(date_of_birth: Option<NaiveDate>) -> Option<Violation> {
    date_of_birth
        .filter(|d| *d > Utc::now().date_naive())
        .map(|_| {
            Violation::new(
                "date_of_birth",
                "in_future",
                "the date of birth is in the future",
                "ngày sinh không được ở tương lai",
            )
        })
}

/// Requires `personnel_manage` on a unit named in the body: 403 when the caller can only read
/// personnel there, 422 when the unit is unknown or out of scope.
async fn require_managing_unit(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    unit: Uuid,
) -> Result<(), ApiError> {
    caller
        .require(
            conn,
            Permission::PersonnelManage,
            Permission::PersonnelRead,
            unit,
        )
        .await
        .map_err(|e| {
            if e.status() == 404 {
                unknown("managing_unit_id", "unit")
            } else {
                e
            }
        })
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
    let new = body.0;
    if let Some(v) = birth_violation(new.date_of_birth) {
        return Err(ApiError::violations(vec![v]));
    }
    let mut conn = state.pool.get().await?;
    require_managing_unit(&mut conn, &caller, new.managing_unit_id).await?;
    let cadre = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let now = Utc::now();
                let row = CadreRow {
                    id: Uuid::now_v7(),
                    personnel_code: new.personnel_code,
                    full_name: new.full_name,
                    gender: new.gender.map(|g| g.as_str().to_owned()),
                    date_of_birth: new.date_of_birth,
                    email: new.email,
                    managing_unit_id: new.managing_unit_id,
                    version: 1,
                    created_at: now,
                    updated_at: now,
                };
                let row: CadreRow = diesel::insert_into(cadres::table)
                    .values(&row)
                    .returning(CadreRow::as_returning())
                    .get_result(conn)
                    .await?;
                let cadre = Cadre::from(row);
                audit::record(
                    conn,
                    Some(&caller),
                    Change {
                        action: "cadre.create",
                        resource_type: "cadre",
                        resource_id: Some(cadre.id),
                        unit_id: Some(cadre.managing_unit_id),
                        before: None::<&()>,
                        after: Some(&cadre),
                    },
                )
                .await?;
                Ok(cadre)
            }
            .scope_boxed()
        })
        .await?;
    Ok(created(
        format!("/api/v1/cadres/{}", cadre.id),
        cadre.version,
        &cadre,
    ))
}

/// Changes to a cadre; absent fields stay as they are.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CadrePatch {
    /// Personnel file code, unique.
    #[validate(
        length(min = 1, max = 50),
        custom(function = "crate::http::handlers::code_format")
    )]
    pub personnel_code: Option<String>,
    /// Full name.
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub full_name: Option<String>,
    /// Gender.
    pub gender: Option<Gender>,
    /// Date of birth; not in the future.
    pub date_of_birth: Option<NaiveDate>,
    /// E-mail address.
    #[validate(email, length(max = 254))]
    pub email: Option<String>,
    /// Move the file to another managing unit (needs `personnel_manage` on both units).
    pub managing_unit_id: Option<Uuid>,
}

#[derive(AsChangeset)]
#[diesel(table_name = cadres)]
struct CadreChanges {
    personnel_code: Option<String>,
    full_name: Option<String>,
    gender: Option<String>,
    date_of_birth: Option<NaiveDate>,
    email: Option<String>,
    managing_unit_id: Option<Uuid>,
    version: i32,
    updated_at: DateTime<Utc>,
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
    let (id, patch) = (*id, body.0);
    if let Some(v) = birth_violation(patch.date_of_birth) {
        return Err(ApiError::violations(vec![v]));
    }
    let mut conn = state.pool.get().await?;
    let cadre = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let before: CadreRow = cadres::table
                    .find(id)
                    .for_update()
                    .select(CadreRow::as_select())
                    .first(conn)
                    .await?;
                caller
                    .require(
                        conn,
                        Permission::PersonnelManage,
                        Permission::PersonnelRead,
                        before.managing_unit_id,
                    )
                    .await?;
                if_match.check(before.version)?;
                if let Some(unit) = patch
                    .managing_unit_id
                    .filter(|u| *u != before.managing_unit_id)
                {
                    require_managing_unit(conn, &caller, unit).await?;
                }
                let changes = CadreChanges {
                    personnel_code: patch.personnel_code,
                    full_name: patch.full_name,
                    gender: patch.gender.map(|g| g.as_str().to_owned()),
                    date_of_birth: patch.date_of_birth,
                    email: patch.email,
                    managing_unit_id: patch.managing_unit_id,
                    version: before.version + 1,
                    updated_at: Utc::now(),
                };
                let row: CadreRow = diesel::update(cadres::table.find(id))
                    .set(&changes)
                    .returning(CadreRow::as_returning())
                    .get_result(conn)
                    .await?;
                let (before, after) = (Cadre::from(before), Cadre::from(row));
                audit::record(
                    conn,
                    Some(&caller),
                    Change {
                        action: "cadre.update",
                        resource_type: "cadre",
                        resource_id: Some(id),
                        unit_id: Some(after.managing_unit_id),
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
    Ok(ok_tagged(cadre.version, &cadre))
}
