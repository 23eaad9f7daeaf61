//! A round's assignments created in one call, one outcome per item.

use actix_web::{post, web, HttpResponse};
use uuid::Uuid;

use crate::app::assignments::{self as app, NewAssignments};
use crate::app::batch::BatchOutcome;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::http::extract::ValidJson;
use crate::http::openapi::WriteErrors;
use crate::http::AppState;

/// Create a round's assignments in one call
///
/// Adds up to 1000 draft assignments to a draft round in one transaction, each by the same
/// rules as `POST /assignments` (its body, with `round_id` naming the round of the path). One
/// outcome per item, in order: good items are created (`id` and `version` of the new
/// assignment), bad ones are rejected with their errors (`assignments[i].<field>`: field rules,
/// shape, assignee not below the assigning unit, unknown parent, code taken in the round,
/// `round_id` not the path's) and nothing of them is written; when every item is rejected
/// nothing is written at all. An empty or oversized list is refused whole (422). Needs
/// `round_manage` on the round's assigning unit (403); the round must be a draft (409).
#[utoipa::path(tag = "assignments", request_body = NewAssignments,
    params(("id" = Uuid, Path, description = "Round id (a draft)")),
    responses((status = 200, description = "One outcome per item", body = BatchOutcome), WriteErrors))]
#[post("/rounds/{id}/assignments/batch")]
pub async fn create_batch(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<NewAssignments>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let outcome = app::create_batch(&mut conn, &caller, *id, body.0).await?;
    Ok(HttpResponse::Ok().json(outcome))
}
