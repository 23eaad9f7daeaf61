//! The webhook workers, running inside every replica: the dispatcher turns new events of the
//! feed into deliveries (each subscription reads the feed as its owner, from its own cursor),
//! and the senders make due attempts. Both claim their work with `FOR UPDATE SKIP LOCKED`; a
//! sender holds its delivery's lock until the attempt's outcome is stored, so two replicas
//! never make the same attempt, and an attempt cut short by a crash is simply made again
//! (receivers deduplicate by `webhook-id`, as Standard Webhooks asks).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use crate::app::events::CloudEvent;
use crate::auth::policy::events as event_policy;
use crate::auth::{scope, Caller};
use crate::db::models::{WebhookAttemptRow, WebhookDeliveryRow};
use crate::db::schema::events;
use crate::db::{repo, DbPool};
use crate::domain::webhooks::{self as rules, Answer, DeliveryStatus};
use crate::error::ApiError;

/// How the workers run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Workers in this process (0: none).
    pub workers: usize,
    /// Pause of an idle worker.
    pub poll: Duration,
    /// Time limit of one attempt.
    pub timeout: Duration,
    /// Hosts that may be internal or reached over `http`.
    pub allowed_hosts: Vec<String>,
    /// Factor of the retry schedule.
    pub retry_scale: f64,
}

/// Subscriptions one dispatcher claims at a time.
const DISPATCH_BATCH: i64 = 16;
/// Events turned into deliveries per subscription and turn.
const EVENTS_PER_TURN: i64 = 500;

/// Starts the workers; they run until the runtime stops (or the handles are aborted).
pub fn spawn(pool: DbPool, settings: Settings) -> Vec<tokio::task::JoinHandle<()>> {
    if settings.workers == 0 {
        return Vec::new();
    }
    let client = match http_client(&settings) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "webhook workers not started: no HTTP client");
            return Vec::new();
        }
    };
    let settings = Arc::new(settings);
    (0..settings.workers)
        .map(|_| {
            let (pool, client, settings) = (pool.clone(), client.clone(), settings.clone());
            tokio::spawn(async move { run(pool, client, settings).await })
        })
        .collect()
}

async fn run(pool: DbPool, client: reqwest::Client, settings: Arc<Settings>) {
    loop {
        let dispatched = dispatch(&pool).await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "webhook dispatch failed");
            0
        });
        let mut sent = 0;
        loop {
            match send_due(&pool, &client, &settings).await {
                Ok(true) => sent += 1,
                Ok(false) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "webhook delivery failed");
                    break;
                }
            }
        }
        if dispatched == 0 && sent == 0 {
            tokio::time::sleep(settings.poll).await;
        }
    }
}

/// One turn of the dispatcher: for each claimed subscription behind the feed, the next events
/// its owner may read (of its types and unit scope) become deliveries and its cursor moves on,
/// in one transaction. Returns how many deliveries it made.
pub async fn dispatch(pool: &DbPool) -> Result<usize, ApiError> {
    let mut conn = pool.get().await?;
    let head = repo::webhooks::feed_head(&mut conn).await?;
    conn.transaction::<_, ApiError, _>(|conn| {
        async move {
            let now = Utc::now();
            let mut made = 0;
            for s in repo::webhooks::claim_behind(conn, head, DISPATCH_BATCH).await? {
                let Ok(owner) = Caller::load(conn, &s.owner_account_id.to_string()).await else {
                    disable(conn, s.id, now, "the owner account is disabled").await?;
                    continue;
                };
                let mut readable = event_policy::readable(conn, &owner).await?;
                if let Some(unit) = s.unit_id {
                    let units = scope::descendants_or_self(conn, &[unit]).await?;
                    readable =
                        Box::new(readable.and(events::unit_id.assume_not_null().eq_any(units)));
                }
                let types = (!s.event_types.is_empty()).then(|| s.event_types.clone());
                let rows =
                    repo::events::page(conn, s.cursor, types, readable, EVENTS_PER_TURN).await?;
                let last = rows.last().map(|e| e.position);
                // A short page has read everything up to the head: positions are drawn in
                // commit order, so none at or below it can still appear.
                let cursor = if rows.len() as i64 == EVENTS_PER_TURN {
                    last.unwrap_or(s.cursor)
                } else {
                    last.unwrap_or(head).max(head)
                };
                let deliveries: Vec<WebhookDeliveryRow> = rows
                    .into_iter()
                    .map(|e| {
                        let position = e.position;
                        let event = CloudEvent::from(e);
                        WebhookDeliveryRow {
                            id: Uuid::now_v7(),
                            subscription_id: s.id,
                            event_position: position,
                            event_type: event.type_.clone(),
                            payload: serde_json::to_string(&event).unwrap_or_default(),
                            status: DeliveryStatus::Pending,
                            attempts: 0,
                            schedule_step: 0,
                            next_attempt_at: Some(now),
                            last_status: None,
                            last_error: None,
                            created_at: now,
                            delivered_at: None,
                            dead_at: None,
                        }
                    })
                    .collect();
                made += deliveries.len();
                repo::webhooks::insert_deliveries(conn, &deliveries).await?;
                repo::webhooks::set_cursor(conn, s.id, cursor).await?;
            }
            Ok(made)
        }
        .scope_boxed()
    })
    .await
}

/// Makes the attempt due first, if any: claims it, signs and sends it within the time limit,
/// and stores the outcome (attempt log, next attempt or dead letter, the endpoint's failure
/// streak, its disabling) before the claim is released. Returns whether there was one.
pub async fn send_due(
    pool: &DbPool,
    client: &reqwest::Client,
    settings: &Settings,
) -> Result<bool, ApiError> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(|conn| {
        async move {
            let now = Utc::now();
            let Some(d) = repo::webhooks::claim_due(conn, now).await? else {
                return Ok(false);
            };
            let s = repo::webhooks::get(conn, d.subscription_id).await?;
            let keys: Vec<Vec<u8>> = repo::webhooks::secrets_in_force(conn, s.id, now)
                .await?
                .iter()
                .filter_map(|k| rules::key_of(&k.secret))
                .collect();
            let msg_id = d.id.to_string();
            let started = Instant::now();
            let result = send(client, settings, &s.url, &keys, &msg_id, now, &d.payload).await;
            let duration_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
            let (status, error) = match result {
                Ok(status) => (Some(status), None),
                Err(e) => (None, Some(e)),
            };
            let answer = rules::answer(status);
            let problem = match (status, &error) {
                (_, Some(e)) => e.clone(),
                (Some(code), None) => format!("HTTP {code}"),
                (None, None) => String::new(),
            };
            repo::webhooks::insert_attempt(
                conn,
                &WebhookAttemptRow {
                    id: Uuid::now_v7(),
                    delivery_id: d.id,
                    number: d.attempts + 1,
                    started_at: now,
                    duration_ms,
                    response_status: status.map(i32::from),
                    error: error.clone(),
                },
            )
            .await?;
            let mut after = d.clone();
            after.attempts += 1;
            after.last_status = status.map(i32::from);
            after.last_error = error;
            let mut dead = false;
            match answer {
                Answer::Accepted => {
                    after.status = DeliveryStatus::Delivered;
                    after.delivered_at = Some(now);
                    after.next_attempt_at = None;
                    repo::webhooks::mark_success(conn, s.id, now).await?;
                }
                Answer::Gone | Answer::Failed => {
                    after.schedule_step += 1;
                    let step = usize::try_from(after.schedule_step).unwrap_or(usize::MAX);
                    let jitter = rand::random::<f64>() * 2.0 - 1.0;
                    let delay = rules::retry_delay(step, jitter, settings.retry_scale)
                        .filter(|_| answer == Answer::Failed);
                    match delay.and_then(|d| chrono::Duration::from_std(d).ok()) {
                        Some(delay) => after.next_attempt_at = Some(now + delay),
                        None => {
                            dead = true;
                            after.status = DeliveryStatus::Dead;
                            after.dead_at = Some(now);
                            after.next_attempt_at = None;
                        }
                    }
                    // The streak starts at the first failure since the last success.
                    let failing_since = repo::webhooks::mark_failure(conn, s.id, now).await?;
                    if let Some(reason) =
                        rules::disable_reason(answer, dead, failing_since, &problem)
                    {
                        disable(conn, s.id, now, &reason).await?;
                    }
                }
            }
            repo::webhooks::update_delivery(conn, &after).await?;
            Ok(true)
        }
        .scope_boxed()
    })
    .await
}

/// Disables an active subscription, saying why (the owner sees it).
async fn disable(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    now: DateTime<Utc>,
    reason: &str,
) -> Result<(), ApiError> {
    tracing::warn!(subscription = %id, reason, "webhook subscription disabled");
    repo::webhooks::disable_active(conn, id, now, reason).await?;
    Ok(())
}

/// Sends one signed attempt; the answer's status, or why there was none.
async fn send(
    client: &reqwest::Client,
    settings: &Settings,
    url: &str,
    keys: &[Vec<u8>],
    msg_id: &str,
    now: DateTime<Utc>,
    payload: &str,
) -> Result<u16, String> {
    // The target is checked again: the allow-list may have changed since it was accepted.
    let parsed = url::Url::parse(url).map_err(|_| "not a URL".to_owned())?;
    rules::check_url(&parsed, &settings.allowed_hosts).map_err(|v| v.message_en)?;
    if keys.is_empty() {
        return Err("no signing secret in force".into());
    }
    let timestamp = now.timestamp();
    let response = client
        .post(parsed)
        .header("content-type", "application/cloudevents+json")
        .header("webhook-id", msg_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header(
            "webhook-signature",
            rules::signature(keys, msg_id, timestamp, payload.as_bytes()),
        )
        .body(payload.to_owned())
        .send()
        .await
        .map_err(describe)?;
    Ok(response.status().as_u16())
}

fn describe(e: reqwest::Error) -> String {
    if e.is_timeout() {
        "no answer within the time limit".into()
    } else if e.is_connect() {
        let mut source: Option<&dyn std::error::Error> = Some(&e);
        let mut last = e.to_string();
        while let Some(s) = source {
            last = s.to_string();
            source = s.source();
        }
        format!("could not connect: {last}")
    } else {
        format!("request failed: {e}")
    }
}

fn http_client(settings: &Settings) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(settings.timeout)
        .connect_timeout(settings.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .dns_resolver(Arc::new(GuardedResolver {
            allowed_hosts: settings.allowed_hosts.clone(),
        }))
        .user_agent(concat!("cadre-api-webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// Resolves host names for deliveries and drops internal addresses unless the host is
/// allow-listed, so a name that resolves (or re-resolves) to a private address is never
/// reached.
struct GuardedResolver {
    allowed_hosts: Vec<String>,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_ascii_lowercase();
        let allowed = rules::allowed(&host, &self.allowed_hosts);
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| allowed || !rules::is_internal(a.ip()))
                .collect();
            if found.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
            }
            let addrs: reqwest::dns::Addrs = Box::new(found.into_iter());
            Ok(addrs)
        })
    }
}
