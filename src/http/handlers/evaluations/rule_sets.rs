//! Grading rule sets: listed, and stored as new versions.

use actix_web::{get, post, web, HttpResponse};

use super::views::StoredRuleSet;
use crate::app::evaluations as app;
use crate::auth::Caller;
use crate::domain::grading::RuleSet;
use crate::error::ApiResult;
use crate::http::extract::{Page, PageParams};
use crate::http::openapi::{ReadErrors, WriteErrors};
use crate::http::AppState;

/// List grading rule sets
///
/// Every version of every rule set, by code and version. The rule set applied to an
/// evaluation is the latest version valid on the last day of the evaluated period.
#[utoipa::path(tag = "evaluations", params(PageParams),
    responses((status = 200, description = "The rule sets", body = Page<StoredRuleSet>), ReadErrors))]
#[get("/rule-sets")]
pub async fn list_rule_sets(
    state: web::Data<AppState>,
    _caller: Caller,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let sets: Vec<StoredRuleSet> = app::rule_sets(&mut conn)
        .await?
        .into_iter()
        .map(StoredRuleSet::from)
        .collect();
    Ok(HttpResponse::Ok().json(Page::of_list(
        sets,
        &page,
        |v| (v.code.clone(), v.version),
        |v| v,
    )?))
}

/// Store a new rule-set version
///
/// A new version of a rule set (or a new rule set) as data; stored versions never change.
/// The version must follow the latest one of its code. Needs `rule_set_manage` over the
/// whole tree.
#[utoipa::path(tag = "evaluations", request_body = RuleSet,
    responses((status = 201, description = "Stored", body = StoredRuleSet, headers(("Location" = String))), WriteErrors))]
#[post("/rule-sets")]
pub async fn create_rule_set(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<RuleSet>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let stored =
        StoredRuleSet::from(app::create_rule_set(&mut conn, &caller, body.into_inner()).await?);
    Ok(HttpResponse::Created()
        .insert_header((actix_web::http::header::LOCATION, "/api/v1/rule-sets"))
        .json(stored))
}
