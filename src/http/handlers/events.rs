//! The event feed for other systems.

use actix_web::{get, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::app::events::{self as app, EventPage, EventQuery};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::http::openapi::ReadErrors;
use crate::http::AppState;

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list);
}

/// Follow the event feed
///
/// Every change the service records, as a CloudEvents 1.0 event (`type` such as
/// `vn.gov.cadre.round.issued`, `subject` `round/<id>`, `data` with the object's id, unit and
/// version), in commit order, among those the caller may read (an event is read by whoever
/// may read that kind of object in its unit). Start without `after`, then pass the page's
/// `next_cursor`; a consumer that stores its cursor resumes after any outage without a gap or
/// a duplicate, even when transactions commit in another order than they began. Filter with
/// `types`. An empty page means nothing new yet: poll again later with the same cursor.
#[utoipa::path(tag = "events", params(EventQuery),
    responses((status = 200, description = "A page of events", body = EventPage), ReadErrors))]
#[get("/events")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<EventQuery>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let page = app::page(&mut conn, &caller, &query).await?;
    Ok(HttpResponse::Ok().json(page))
}
