//! The audit trail: one event per change, readable within the scope of the unit it concerns.

use actix_web::get;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::app::audit::{self as app, AuditFilter};
use crate::auth::Caller;
use crate::db::models::AuditRow;
use crate::error::ApiResult;
use crate::http::extract::{Page, PageParams};
use crate::http::openapi::ReadErrors;
use crate::http::AppState;

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list);
}

/// One recorded change.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuditEvent {
    /// Id (UUID v7, so ids sort in time order).
    pub id: Uuid,
    /// When the change was committed.
    pub at: DateTime<Utc>,
    /// The account that made the change; absent for changes made by the system itself.
    pub actor_account_id: Option<Uuid>,
    /// The request that made the change (its `X-Request-Id`).
    pub request_id: Option<String>,
    /// What was done, e.g. `org_unit.move`.
    pub action: String,
    /// Kind of resource changed, e.g. `org_unit`.
    pub resource_type: String,
    /// The resource changed.
    pub resource_id: Option<Uuid>,
    /// The unit the resource belongs to; absent for settings that apply everywhere.
    pub unit_id: Option<Uuid>,
    /// The resource before the change, as the API showed it; absent on creation.
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    /// The resource after the change, as the API showed it; absent on deletion.
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
}

impl From<AuditRow> for AuditEvent {
    fn from(r: AuditRow) -> Self {
        Self {
            id: r.id,
            at: r.at,
            actor_account_id: r.actor_account_id,
            request_id: r.request_id,
            action: r.action,
            resource_type: r.resource_type,
            resource_id: r.resource_id,
            unit_id: r.unit_id,
            before: r.before,
            after: r.after,
        }
    }
}

/// List audit events
///
/// The audit trail, oldest first (ordered by id, which follows time), with cursor pagination.
/// Needs `audit_read`: an event is listed when its unit is in the caller's `audit_read` scope,
/// and events concerning no unit (settings that apply everywhere) only for callers holding
/// `audit_read` over a whole tree. 403 for a caller who may read the trail nowhere.
#[utoipa::path(tag = "access", params(AuditFilter, PageParams),
    responses((status = 200, description = "A page of audit events", body = Page<AuditEvent>), ReadErrors))]
#[get("/audit-events")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<AuditFilter>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let (limit, after) = (page.limit()?, page.after()?);
    let mut conn = state.pool.get().await?;
    let rows = app::list(&mut conn, &caller, &filter, after, limit).await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(rows, limit, |r| r.id, AuditEvent::from)))
}
