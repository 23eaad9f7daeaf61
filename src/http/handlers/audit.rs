//! The audit trail: one event per change, readable within the scope of the unit it concerns.

use actix_web::get;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::Caller;
use crate::db::models::AuditRow;
use crate::db::schema::audit_events;
use crate::domain::roles::Permission;
use crate::error::{ApiError, ApiResult};
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

/// Filters of the audit trail.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    /// Only this kind of resource, e.g. `org_unit`.
    pub resource_type: Option<String>,
    /// Only events about this resource.
    pub resource_id: Option<Uuid>,
    /// Only this action, e.g. `account.update`.
    pub action: Option<String>,
    /// Only changes made by this account.
    pub actor_account_id: Option<Uuid>,
    /// Only events concerning this unit.
    pub unit_id: Option<Uuid>,
    /// Only events at or after this instant (RFC 3339).
    pub since: Option<DateTime<Utc>>,
    /// Only events before this instant (RFC 3339).
    pub until: Option<DateTime<Utc>>,
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
    if !caller.has(Permission::AuditRead) {
        return Err(ApiError::forbidden());
    }
    let mut conn = state.pool.get().await?;
    let visible = caller.units_with(&mut conn, Permission::AuditRead).await?;
    let global = caller
        .require_global(&mut conn, Permission::AuditRead)
        .await
        .is_ok();
    let mut q = audit_events::table
        .select(AuditRow::as_select())
        .order(audit_events::id)
        .limit(limit + 1)
        .into_boxed();
    q = if global {
        q.filter(
            audit_events::unit_id
                .eq_any(visible)
                .or(audit_events::unit_id.is_null()),
        )
    } else {
        q.filter(audit_events::unit_id.eq_any(visible))
    };
    if let Some(after) = after {
        q = q.filter(audit_events::id.gt(after));
    }
    if let Some(t) = &filter.resource_type {
        q = q.filter(audit_events::resource_type.eq(t.clone()));
    }
    if let Some(id) = filter.resource_id {
        q = q.filter(audit_events::resource_id.eq(id));
    }
    if let Some(action) = &filter.action {
        q = q.filter(audit_events::action.eq(action.clone()));
    }
    if let Some(actor) = filter.actor_account_id {
        q = q.filter(audit_events::actor_account_id.eq(actor));
    }
    if let Some(unit) = filter.unit_id {
        q = q.filter(audit_events::unit_id.eq(unit));
    }
    if let Some(since) = filter.since {
        q = q.filter(audit_events::at.ge(since));
    }
    if let Some(until) = filter.until {
        q = q.filter(audit_events::at.lt(until));
    }
    let rows: Vec<AuditRow> = q.load(&mut conn).await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(rows, limit, |r| r.id, AuditEvent::from)))
}
