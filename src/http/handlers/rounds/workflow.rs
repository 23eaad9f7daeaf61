//! The round's workflow: issue (decisions to the assignees) and close.

use actix_web::{post, web, HttpResponse};
use uuid::Uuid;

use super::views::Round;
use crate::app::rounds::{self as app, IssueRound};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::http::extract::{ok_tagged, IfMatch, ValidJson};
use crate::http::openapi::UpdateErrors;
use crate::http::AppState;

/// Issue a round
///
/// Issues the round's decision: every draft assignment becomes `issued` with its terms frozen
/// as version 1, and each assignee gets its decision record. Refused with 422 and the list of
/// breaches when rules are broken, unless `override_reason` is given (it is recorded). Needs
/// the decision number and date, `If-Match`, and `round_issue` (Standing Committee) on the
/// assigning unit.
#[utoipa::path(tag = "assignments", request_body = IssueRound,
    params(("id" = Uuid, Path, description = "Round id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Issued", body = Round, headers(("ETag" = String))), UpdateErrors))]
#[post("/rounds/{id}/issue")]
pub async fn issue(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<IssueRound>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let round = Round::from(app::issue(&mut conn, &caller, *id, &if_match, body.0).await?);
    Ok(ok_tagged(round.version, &round))
}

/// Close a round
///
/// Closes an issued round: no new commitments are signed in it. Needs `If-Match` and
/// `round_issue` on the assigning unit.
#[utoipa::path(tag = "assignments",
    params(("id" = Uuid, Path, description = "Round id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Closed", body = Round, headers(("ETag" = String))), UpdateErrors))]
#[post("/rounds/{id}/close")]
pub async fn close(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let round = Round::from(app::close(&mut conn, &caller, *id, &if_match).await?);
    Ok(ok_tagged(round.version, &round))
}
