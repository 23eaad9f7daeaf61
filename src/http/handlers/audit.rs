//! The audit trail: one event per change, readable within the scope of the unit it concerns
//! and the read rights of the resource; its hash chain's verification and signed checkpoints.

use actix_web::{get, post};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::app::audit::{self as app, AuditFilter, ChainVerification, Checkpoint};
use crate::auth::Caller;
use crate::db::models::AuditRow;
use crate::error::ApiResult;
use crate::http::extract::{Page, PageParams};
use crate::http::openapi::{ReadErrors, WriteErrors};
use crate::http::AppState;

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(verify)
        .service(checkpoints)
        .service(create_checkpoint)
        .service(public_key);
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
/// Needs `audit_read`: an event is listed when the caller holds, on its unit, both `audit_read`
/// and the right to read that kind of resource (`account_manage` for accounts, role bindings,
/// feed licences and webhooks; `assignment_read` for rounds, assignments, evaluations and what
/// belongs to them; `cadre_record_read` for person evaluations and consequences;
/// `personnel_read` for cadres and posts; `org_read` for the tree). Events concerning no unit
/// need both over a whole tree. 403 for a caller who may read the trail nowhere.
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

/// Verify the audit chain
///
/// Re-walks the whole audit trail in chain order (in batches, on one consistent snapshot):
/// each record's hash must be the SHA-256 of the canonical JSON of its content, position and
/// `prev_hash`, and link to the record before; then every checkpoint's head hash must be the
/// chain's hash at its position and its signature must verify. Reports the records checked and
/// the first break (record, position, what failed); `ok` is false when there is one. Needs
/// `audit_read` somewhere. Changes nothing.
#[utoipa::path(tag = "access",
    responses((status = 200, description = "The verification's outcome", body = ChainVerification), ReadErrors))]
#[post("/audit/verify")]
pub async fn verify(state: web::Data<AppState>, caller: Caller) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    Ok(HttpResponse::Ok().json(app::verify(&mut conn, &caller).await?))
}

/// List audit checkpoints
///
/// Signed checkpoints of the audit chain's head, oldest first, with cursor pagination. Each
/// carries the exact bytes signed, the Ed25519 signature and the public key, so it can be
/// handed to an outside party and checked later against the chain. Needs `audit_read`
/// somewhere.
#[utoipa::path(tag = "access", params(PageParams),
    responses((status = 200, description = "A page of checkpoints", body = Page<Checkpoint>), ReadErrors))]
#[get("/audit/checkpoints")]
pub async fn checkpoints(
    state: web::Data<AppState>,
    caller: Caller,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let (limit, after) = (page.limit()?, page.after()?);
    let mut conn = state.pool.get().await?;
    let rows = app::checkpoints(&mut conn, &caller, after, limit).await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(rows, limit, |r| r.id, Checkpoint::from)))
}

/// Make an audit checkpoint
///
/// Signs the audit chain's current head now (each replica also makes one every
/// `CADRE_AUDIT_CHECKPOINT_SECS` when the head has moved). Needs `audit_read` over a whole
/// tree.
#[utoipa::path(tag = "access",
    responses((status = 201, description = "The checkpoint made", body = Checkpoint), WriteErrors))]
#[post("/audit/checkpoints")]
pub async fn create_checkpoint(
    state: web::Data<AppState>,
    caller: Caller,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let row = app::create_checkpoint(&mut conn, &caller, &state.audit_signer).await?;
    Ok(HttpResponse::Created().json(Checkpoint::from(row)))
}

/// The key checkpoints are signed with.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CheckpointKey {
    /// Always `Ed25519`.
    pub algorithm: String,
    /// The public key, base64 of its 32 bytes.
    pub public_key: String,
}

/// Get the checkpoint signing key
///
/// The Ed25519 public key that new audit checkpoints are signed with. Needs `audit_read`
/// somewhere.
#[utoipa::path(tag = "access",
    responses((status = 200, description = "The public key", body = CheckpointKey), ReadErrors))]
#[get("/audit/checkpoints/public-key")]
pub async fn public_key(state: web::Data<AppState>, caller: Caller) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(CheckpointKey {
        algorithm: "Ed25519".into(),
        public_key: app::public_key(&caller, &state.audit_signer)?,
    }))
}
