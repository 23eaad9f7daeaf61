//! Adding a link or a reference to an official document.

use actix_web::{post, web, HttpResponse};
use uuid::Uuid;

use super::views::Evidence;
use crate::app::evidence::{self as app, NewEvidence};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::http::extract::{created, ValidJson};
use crate::http::openapi::WriteErrors;
use crate::http::AppState;

/// Add a link or a document reference
///
/// The assignee unit's head or staff attaches a link or a reference to an official document
/// (number and symbol, date, issuer) to an issued assignment, optionally to one of its
/// progress reports or milestones. Needs `assignment_prepare` on the assignee unit.
#[utoipa::path(tag = "evidence", request_body = NewEvidence,
    params(("id" = Uuid, Path, description = "Assignment id")),
    responses((status = 201, description = "Recorded", body = Evidence, headers(("ETag" = String), ("Location" = String))), WriteErrors))]
#[post("/assignments/{id}/evidence")]
pub async fn add(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<NewEvidence>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let view = Evidence::from(app::add(&mut conn, &caller, *id, body.0).await?);
    Ok(created(
        format!("/api/v1/evidence/{}", view.id),
        view.version,
        &view,
    ))
}
