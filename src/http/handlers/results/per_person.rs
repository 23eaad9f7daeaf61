//! The results of people: each cadre's decided grades over the assignments they answered for.

use actix_web::{get, web, HttpResponse};

use crate::app::people::{self as app, PeopleFilter, PersonResult};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::http::extract::{Page, PageParams};
use crate::http::openapi::ReadErrors;
use crate::http::AppState;

/// Report results per person
///
/// For each cadre, the decided grades of every assignment of the year's rounds they answered
/// for (as head, or in a position named for the assignment: secretary, chair, deputy), each
/// carried by the share of the period they held the position, with the counts, the weighted
/// counts and the weighted share of grades `good` or better. Lists only the people whose
/// record the caller may read (`cadre_record_read` over their managing unit, or their own);
/// 403 for a caller who may read no record.
#[utoipa::path(tag = "reports", params(PeopleFilter, PageParams),
    responses((status = 200, description = "One row per person, by name", body = Page<PersonResult>), ReadErrors))]
#[get("/reports/people")]
pub async fn people(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<PeopleFilter>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let out = app::results(&mut conn, &caller, &filter).await?;
    Ok(HttpResponse::Ok().json(Page::of_list(
        out,
        &page,
        |v| (v.full_name.clone(), v.cadre_id),
        |v| v,
    )?))
}
