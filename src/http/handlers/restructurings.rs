//! Restructuring: merges and splits that close units and open successors, recording
//! predecessor→successor links so history survives (e.g. the two-tier reform of 1 July 2025).

use actix_web::{get, post};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::app::restructurings::{self as app, Moved, Restructured};
use crate::app::restructurings::{MergeRequest, SplitRequest};
use crate::auth::Caller;
use crate::db::repo::restructurings::ListFilter;
use crate::domain::vocab::RestructuringKind;
use crate::error::ApiResult;
use crate::http::extract::{created, ok_tagged, Page, PageParams, ValidJson};
use crate::http::openapi::{ReadErrors, WriteErrors};
use crate::http::AppState;

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list).service(merge).service(split).service(get);
}

/// A child moved to a successor by a restructuring.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MovedChild {
    /// The child unit.
    pub unit_id: Uuid,
    /// Its new parent.
    pub successor_id: Uuid,
}

impl From<Moved> for MovedChild {
    fn from(m: Moved) -> Self {
        Self {
            unit_id: m.unit_id,
            successor_id: m.successor_id,
        }
    }
}

/// A merge or split.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Restructuring {
    /// Id.
    pub id: Uuid,
    /// `merge` or `split`.
    pub kind: RestructuringKind,
    /// First day of the successors; predecessors closed the day before.
    pub effective_date: NaiveDate,
    /// The deciding document, e.g. "Nghị quyết số 202/2025/QH15".
    pub decision_ref: Option<String>,
    /// Note.
    pub note: Option<String>,
    /// Closed units.
    pub predecessor_ids: Vec<Uuid>,
    /// Opened units.
    pub successor_ids: Vec<Uuid>,
    /// Children re-attached to a successor (filled in on the response to the operation).
    pub moved_children: Vec<MovedChild>,
    /// Who recorded it.
    pub created_by: Option<Uuid>,
    /// When.
    pub created_at: DateTime<Utc>,
}

impl From<Restructured> for Restructuring {
    fn from(r: Restructured) -> Self {
        let row = r.row;
        Self {
            id: row.id,
            kind: row.kind,
            effective_date: row.effective_date,
            decision_ref: row.decision_ref,
            note: row.note,
            predecessor_ids: r.predecessor_ids,
            successor_ids: r.successor_ids,
            moved_children: r.moved_children.into_iter().map(MovedChild::from).collect(),
            created_by: row.created_by,
            created_at: row.created_at,
        }
    }
}

/// Filters of the restructuring list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RestructuringFilter {
    /// Only restructurings touching this unit (as predecessor or successor).
    pub unit_id: Option<Uuid>,
    /// Only those effective on or after this day.
    pub from: Option<NaiveDate>,
    /// Only those effective on or before this day.
    pub to: Option<NaiveDate>,
}

/// List restructurings
///
/// Merges and splits touching units the caller can read, in the order they were recorded.
#[utoipa::path(tag = "organisation", params(RestructuringFilter, PageParams),
    responses((status = 200, description = "A page of restructurings", body = Page<Restructuring>), ReadErrors))]
#[get("/restructurings")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<RestructuringFilter>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let (limit, after) = (page.limit()?, page.after()?);
    let f = ListFilter {
        unit_id: filter.unit_id,
        from: filter.from,
        to: filter.to,
        after,
        limit: limit + 1,
    };
    let mut conn = state.pool.get().await?;
    let rows = app::list(&mut conn, &caller, &f).await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        limit,
        |r| r.row.id,
        Restructuring::from,
    )))
}

/// Get a restructuring
///
/// One merge or split with its predecessors and successors.
#[utoipa::path(tag = "organisation",
    params(("id" = Uuid, Path, description = "Restructuring id")),
    responses((status = 200, description = "The restructuring", body = Restructuring, headers(("ETag" = String))), ReadErrors))]
#[get("/restructurings/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let view = Restructuring::from(app::get(&mut conn, &caller, *id).await?);
    Ok(ok_tagged(1, &view))
}

/// Merge units
///
/// Closes every predecessor the day before `effective_date`, opens the successor from that
/// day, moves the predecessors' current children under it, ends their open posts, and records
/// the predecessor→successor links. The tree as of earlier dates is unchanged. Needs `admin`
/// on every predecessor and on the successor's parent.
#[utoipa::path(tag = "organisation", request_body = MergeRequest,
    responses((status = 201, description = "Merged", body = Restructuring, headers(("Location" = String))), WriteErrors))]
#[post("/restructurings/merge")]
pub async fn merge(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<MergeRequest>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let view = Restructuring::from(app::merge(&mut conn, &caller, body.0).await?);
    Ok(created(
        format!("/api/v1/restructurings/{}", view.id),
        1,
        &view,
    ))
}

/// Split a unit
///
/// Closes the predecessor the day before `effective_date`, opens every successor from that
/// day, moves each current child to the successor named in `child_assignments`, and records
/// the links. Needs `admin` on the predecessor and on each successor's parent.
#[utoipa::path(tag = "organisation", request_body = SplitRequest,
    responses((status = 201, description = "Split", body = Restructuring, headers(("Location" = String))), WriteErrors))]
#[post("/restructurings/split")]
pub async fn split(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<SplitRequest>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let view = Restructuring::from(app::split(&mut conn, &caller, body.0).await?);
    Ok(created(
        format!("/api/v1/restructurings/{}", view.id),
        1,
        &view,
    ))
}
