//! The people who answer for an assignment.

use actix_web::{get, put, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::app::accountables::{self as app, Positions};
use crate::auth::Caller;
use crate::domain::evaluation::{AccountableRole, Position};
use crate::domain::vocab::PostKind;
use crate::error::ApiResult;
use crate::http::extract::{Page, PageParams, ValidJson};
use crate::http::openapi::{ReadErrors, WriteErrors};
use crate::http::AppState;

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list).service(set);
}

/// A position that answers for an assignment.
#[derive(Debug, Serialize, ToSchema)]
pub struct Accountable {
    /// The unit.
    pub unit_id: Uuid,
    /// The kind of post in it.
    pub post_kind: PostKind,
    /// What its holder answers as.
    pub role: AccountableRole,
}

impl From<Position<Uuid>> for Accountable {
    fn from(p: Position<Uuid>) -> Self {
        Self {
            unit_id: p.unit,
            post_kind: p.kind,
            role: p.role,
        }
    }
}

/// The positions as a page of the list, in a stable order (unit, post kind, role).
fn answer(positions: Vec<Position<Uuid>>, page: &PageParams) -> ApiResult<HttpResponse> {
    let page = Page::of_list(
        positions,
        page,
        |p| (p.unit, p.kind.to_string(), p.role.to_string()),
        Accountable::from,
    )?;
    Ok(HttpResponse::Ok().json(page))
}

/// List who answers for an assignment
///
/// The positions whose holders answer for the assignment: those named, or else the head of
/// its assignee unit. A decided grade goes to the record of every cadre who held one of them
/// while the period ran, by days held. Readable by readers of the assignment.
#[utoipa::path(tag = "assignments",
    params(("id" = Uuid, Path, description = "Assignment id"), PageParams),
    responses((status = 200, description = "A page of the positions", body = Page<Accountable>), ReadErrors))]
#[get("/assignments/{id}/accountables")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    answer(app::list(&mut conn, &caller, *id).await?, &page)
}

/// Name who answers for an assignment
///
/// Replaces the positions that answer for the assignment: for a district's task, e.g. the head
/// of the district Party committee as `secretary` and the head of the district People's
/// Committee as `chair`, and deputies. Staff posts answer for nothing (422); a position is
/// named once. Needs `round_manage` on the assigning unit.
#[utoipa::path(tag = "assignments", request_body = Positions,
    params(("id" = Uuid, Path, description = "Assignment id")),
    responses((status = 200, description = "The positions now, all on one page (at most 20)", body = Page<Accountable>), WriteErrors))]
#[put("/assignments/{id}/accountables")]
pub async fn set(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<Positions>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let all = PageParams {
        limit: None,
        cursor: None,
    };
    answer(app::set(&mut conn, &caller, *id, body.0).await?, &all)
}
