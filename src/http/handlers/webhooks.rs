//! Webhook subscriptions and their delivery log.

use actix_web::{delete, get, patch, post};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::app::webhooks::{self as app, DeliveryLog, NewSubscription, SubscriptionPatch};
use crate::auth::Caller;
use crate::db::models::{WebhookAttemptRow, WebhookDeliveryRow, WebhookSubscriptionRow};
use crate::domain::webhooks::{DeliveryStatus, SubscriptionStatus};
use crate::error::ApiResult;
use crate::http::extract::{created, ok_tagged, IfMatch, Page, PageParams, ValidJson};
use crate::http::openapi::{DeleteErrors, ReadErrors, UpdateErrors, WriteErrors};
use crate::http::AppState;

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get)
        .service(update)
        .service(remove)
        .service(disable)
        .service(enable)
        .service(rotate_secret)
        .service(deliveries)
        .service(delivery)
        .service(resend);
}

fn settings(state: &AppState) -> app::Settings {
    app::Settings {
        allowed_hosts: state.config.webhook_allowed_hosts.clone(),
        secret_overlap: std::time::Duration::from_secs(state.config.webhook_secret_overlap_secs),
    }
}

/// A webhook subscription: where the events its owner may read are delivered.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WebhookSubscription {
    /// Id.
    pub id: Uuid,
    /// The account that owns it; deliveries carry what this account may read in the feed.
    pub owner_account_id: Uuid,
    /// Where deliveries are sent.
    pub url: String,
    /// What it is for.
    pub description: Option<String>,
    /// Event types delivered (empty: every type).
    pub event_types: Vec<String>,
    /// Only events of this unit and the units under it (absent: everywhere the owner reads).
    pub unit_id: Option<Uuid>,
    /// `active`, or `disabled` (by a person, or by the service after the endpoint kept
    /// failing; `disabled_reason` says which).
    pub status: SubscriptionStatus,
    /// When it was disabled.
    pub disabled_at: Option<DateTime<Utc>>,
    /// Why it was disabled, e.g. "every delivery attempt since … failed (last: HTTP 503)".
    pub disabled_reason: Option<String>,
    /// Since when every attempt has failed (absent after a success).
    pub failing_since: Option<DateTime<Utc>>,
    /// The last successful delivery.
    pub last_success_at: Option<DateTime<Utc>>,
    /// Version, also the ETag.
    pub version: i32,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Last changed at.
    pub updated_at: DateTime<Utc>,
}

impl From<WebhookSubscriptionRow> for WebhookSubscription {
    fn from(r: WebhookSubscriptionRow) -> Self {
        Self {
            id: r.id,
            owner_account_id: r.owner_account_id,
            url: r.url,
            description: r.description,
            event_types: r.event_types,
            unit_id: r.unit_id,
            status: r.status,
            disabled_at: r.disabled_at,
            disabled_reason: r.disabled_reason,
            failing_since: r.failing_since,
            last_success_at: r.last_success_at,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A subscription with its signing secret, shown only in this answer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WebhookSubscriptionWithSecret {
    /// The subscription.
    #[serde(flatten)]
    pub subscription: WebhookSubscription,
    /// The Standard Webhooks secret (`whsec_` and base64), to verify `webhook-signature`.
    /// Keep it: it is never shown again.
    pub secret: String,
}

impl From<app::WithSecret> for WebhookSubscriptionWithSecret {
    fn from(w: app::WithSecret) -> Self {
        Self {
            subscription: w.subscription.into(),
            secret: w.secret,
        }
    }
}

/// One event for one subscription, with where its sending stands.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WebhookDelivery {
    /// Id, also the `webhook-id` header of every attempt (receivers deduplicate by it).
    pub id: Uuid,
    /// The subscription.
    pub subscription_id: Uuid,
    /// The event's place in the feed.
    pub event_sequence: String,
    /// The event's type.
    pub event_type: String,
    /// `pending` (to be attempted at `next_attempt_at`), `delivered`, or `dead` (every
    /// attempt of the retry schedule failed; it can be re-sent).
    pub status: DeliveryStatus,
    /// Attempts made.
    pub attempts: i32,
    /// When the next attempt is due.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// HTTP status of the last answer.
    pub last_status: Option<i32>,
    /// Why the last attempt got no answer.
    pub last_error: Option<String>,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Delivered at.
    pub delivered_at: Option<DateTime<Utc>>,
    /// Dead-lettered at.
    pub dead_at: Option<DateTime<Utc>>,
}

impl From<WebhookDeliveryRow> for WebhookDelivery {
    fn from(r: WebhookDeliveryRow) -> Self {
        Self {
            id: r.id,
            subscription_id: r.subscription_id,
            event_sequence: r.event_position.to_string(),
            event_type: r.event_type,
            status: r.status,
            attempts: r.attempts,
            next_attempt_at: r.next_attempt_at,
            last_status: r.last_status,
            last_error: r.last_error,
            created_at: r.created_at,
            delivered_at: r.delivered_at,
            dead_at: r.dead_at,
        }
    }
}

/// One attempt of a delivery.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WebhookAttempt {
    /// 1 for the first attempt.
    pub number: i32,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// How long it took, in milliseconds.
    pub duration_ms: i32,
    /// HTTP status of the answer.
    pub response_status: Option<i32>,
    /// Why there was no answer (time limit, connection refused…).
    pub error: Option<String>,
}

impl From<WebhookAttemptRow> for WebhookAttempt {
    fn from(r: WebhookAttemptRow) -> Self {
        Self {
            number: r.number,
            started_at: r.started_at,
            duration_ms: r.duration_ms,
            response_status: r.response_status,
            error: r.error,
        }
    }
}

/// A delivery with its attempts and the exact body sent.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WebhookDeliveryLog {
    /// The delivery.
    #[serde(flatten)]
    pub delivery: WebhookDelivery,
    /// The body of every attempt: the event as a CloudEvents 1.0 JSON object.
    pub payload: serde_json::Value,
    /// Its attempts, in order.
    pub attempt_log: Vec<WebhookAttempt>,
}

impl From<DeliveryLog> for WebhookDeliveryLog {
    fn from(l: DeliveryLog) -> Self {
        let payload = serde_json::from_str(&l.delivery.payload).unwrap_or_default();
        Self {
            delivery: l.delivery.into(),
            payload,
            attempt_log: l.attempts.into_iter().map(Into::into).collect(),
        }
    }
}

/// List webhook subscriptions
///
/// The caller's subscriptions (an account administrator also sees those of the accounts it
/// manages), by id, with cursor pagination.
#[utoipa::path(tag = "events", params(PageParams),
    responses((status = 200, description = "A page of subscriptions", body = Page<WebhookSubscription>), ReadErrors))]
#[get("/webhook-subscriptions")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let (limit, after) = (page.limit()?, page.after()?);
    let mut conn = state.pool.get().await?;
    let rows = app::list(&mut conn, &caller, after, limit + 1).await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        limit,
        |r| r.id,
        WebhookSubscription::from,
    )))
}

/// Subscribe to events
///
/// Delivers every later event of the feed that the caller may read (of `event_types`, within
/// `unit_id`'s subtree) to `url` by HTTP POST as Standard Webhooks 1.0: the body is the
/// CloudEvent, with `webhook-id` (the delivery id; the same at every retry),
/// `webhook-timestamp` and `webhook-signature` (`v1,` and the base64 HMAC-SHA256 of
/// `id.timestamp.body` under the secret). A 2xx answer within the time limit delivers it;
/// anything else is retried with exponential back-off and jitter for more than a day, then
/// dead-lettered; 410 Gone disables the subscription at once, as does a dead letter while every
/// attempt since the failures began has failed. Targets must be `https` and must not be (or
/// resolve to) private, loopback or link-local addresses, unless the operator allow-lists the
/// host. The answer holds the signing secret, shown only here.
#[utoipa::path(tag = "events", request_body = NewSubscription,
    responses((status = 201, description = "Subscribed", body = WebhookSubscriptionWithSecret, headers(("ETag" = String), ("Location" = String))), WriteErrors))]
#[post("/webhook-subscriptions")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<NewSubscription>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let out = WebhookSubscriptionWithSecret::from(
        app::create(&mut conn, &caller, &settings(&state), body.0).await?,
    );
    Ok(created(
        format!("/api/v1/webhook-subscriptions/{}", out.subscription.id),
        out.subscription.version,
        &out,
    ))
}

/// Get a webhook subscription
///
/// One subscription, with its status and, when the service disabled it, why.
#[utoipa::path(tag = "events",
    params(("id" = Uuid, Path, description = "Subscription id")),
    responses((status = 200, description = "The subscription", body = WebhookSubscription, headers(("ETag" = String))), ReadErrors))]
#[get("/webhook-subscriptions/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let s = WebhookSubscription::from(app::get(&mut conn, &caller, *id).await?);
    Ok(ok_tagged(s.version, &s))
}

/// Update a webhook subscription
///
/// Changes its URL, description, event types or unit scope (its owner only). Needs `If-Match`.
#[utoipa::path(tag = "events", request_body = SubscriptionPatch,
    params(("id" = Uuid, Path, description = "Subscription id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Updated", body = WebhookSubscription, headers(("ETag" = String))), UpdateErrors))]
#[patch("/webhook-subscriptions/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<SubscriptionPatch>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let s = WebhookSubscription::from(
        app::update(
            &mut conn,
            &caller,
            &settings(&state),
            *id,
            &if_match,
            body.0,
        )
        .await?,
    );
    Ok(ok_tagged(s.version, &s))
}

/// Delete a webhook subscription
///
/// Stops it and removes its delivery log (its owner, or an administrator of the owner's
/// account). Needs `If-Match`.
#[utoipa::path(tag = "events",
    params(("id" = Uuid, Path, description = "Subscription id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 204, description = "Deleted"), DeleteErrors))]
#[delete("/webhook-subscriptions/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    app::delete(&mut conn, &caller, *id, &if_match).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Disable a webhook subscription
///
/// Stops deliveries (its owner, or an administrator of the owner's account); events keep
/// queuing from its cursor and are delivered once it is enabled again. Needs `If-Match`;
/// 409 when already disabled.
#[utoipa::path(tag = "events",
    params(("id" = Uuid, Path, description = "Subscription id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Disabled", body = WebhookSubscription, headers(("ETag" = String))), UpdateErrors))]
#[post("/webhook-subscriptions/{id}/disable")]
pub async fn disable(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let s = WebhookSubscription::from(app::disable(&mut conn, &caller, *id, &if_match).await?);
    Ok(ok_tagged(s.version, &s))
}

/// Enable a webhook subscription
///
/// Resumes deliveries (its owner): the failure streak is forgotten, pending deliveries are
/// attempted at once, then the events that came meanwhile. Needs `If-Match`; 409 when active.
#[utoipa::path(tag = "events",
    params(("id" = Uuid, Path, description = "Subscription id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Enabled", body = WebhookSubscription, headers(("ETag" = String))), UpdateErrors))]
#[post("/webhook-subscriptions/{id}/enable")]
pub async fn enable(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let s = WebhookSubscription::from(app::enable(&mut conn, &caller, *id, &if_match).await?);
    Ok(ok_tagged(s.version, &s))
}

/// Rotate a webhook signing secret
///
/// Issues a new secret (its owner), shown only in this answer. The previous secrets keep
/// signing beside it for the overlap the operator set (a day by default): `webhook-signature`
/// then carries one `v1,` signature per secret, so a receiver can switch without missing a
/// delivery. Needs `If-Match`.
#[utoipa::path(tag = "events",
    params(("id" = Uuid, Path, description = "Subscription id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "The subscription with its new secret", body = WebhookSubscriptionWithSecret, headers(("ETag" = String))), UpdateErrors))]
#[post("/webhook-subscriptions/{id}/rotate-secret")]
pub async fn rotate_secret(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let out = WebhookSubscriptionWithSecret::from(
        app::rotate_secret(&mut conn, &caller, &settings(&state), *id, &if_match).await?,
    );
    Ok(ok_tagged(out.subscription.version, &out))
}

/// Filters of the delivery log.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryFilter {
    /// Only deliveries in this state.
    pub status: Option<DeliveryStatus>,
}

/// List a subscription's deliveries
///
/// The delivery log of a subscription, by id (the order the events were queued), with cursor
/// pagination; filter by `status` (e.g. `dead` for the dead letters).
#[utoipa::path(tag = "events",
    params(("id" = Uuid, Path, description = "Subscription id"), DeliveryFilter, PageParams),
    responses((status = 200, description = "A page of deliveries", body = Page<WebhookDelivery>), ReadErrors))]
#[get("/webhook-subscriptions/{id}/deliveries")]
pub async fn deliveries(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    filter: web::Query<DeliveryFilter>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let (limit, after) = (page.limit()?, page.after()?);
    let mut conn = state.pool.get().await?;
    let rows = app::deliveries(&mut conn, &caller, *id, filter.status, after, limit + 1).await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        limit,
        |r| r.id,
        WebhookDelivery::from,
    )))
}

/// Get a delivery
///
/// One delivery with the exact body sent and every attempt (when, how long, the answer's
/// status or why there was none).
#[utoipa::path(tag = "events",
    params(("id" = Uuid, Path, description = "Delivery id")),
    responses((status = 200, description = "The delivery", body = WebhookDeliveryLog), ReadErrors))]
#[get("/webhook-deliveries/{id}")]
pub async fn delivery(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let log = WebhookDeliveryLog::from(app::delivery(&mut conn, &caller, *id).await?);
    Ok(HttpResponse::Ok().json(log))
}

/// Re-send a delivery
///
/// Sends a delivered or dead-lettered delivery again now, with the same `webhook-id` and body
/// and a fresh retry schedule (the subscription's owner). 409 while it is still pending.
#[utoipa::path(tag = "events",
    params(("id" = Uuid, Path, description = "Delivery id")),
    responses((status = 200, description = "Queued again", body = WebhookDeliveryLog), WriteErrors))]
#[post("/webhook-deliveries/{id}/resend")]
pub async fn resend(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let log = WebhookDeliveryLog::from(app::resend(&mut conn, &caller, *id).await?);
    Ok(HttpResponse::Ok().json(log))
}
