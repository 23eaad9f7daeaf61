//! Webhook subscriptions: a client names a URL, the event types it wants and a unit scope; the
//! workers ([`worker`]) deliver every event of the feed its owner may read there, signed as
//! Standard Webhooks 1.0 prescribes. The owner reads the delivery log, re-sends a delivery,
//! rotates the secret (the old one keeps signing for an overlap), and sees why a failing
//! endpoint was disabled.

pub mod worker;

use std::net::IpAddr;
use std::time::Duration;

use chrono::Utc;
use diesel_async::AsyncPgConnection;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::{crud, in_tx, IfMatch, Tx};
use crate::auth::policy::webhooks as policy;
use crate::auth::Caller;
use crate::db::models::{
    WebhookAttemptRow, WebhookDeliveryRow, WebhookSecretRow, WebhookSubscriptionRow,
};
use crate::db::repo;
use crate::domain::text::plain_text;
use crate::domain::webhooks::{self as rules, DeliveryStatus, SubscriptionStatus};
use crate::domain::Violation;
use crate::error::ApiError;

/// The settings the use cases need.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Hosts that may be internal or reached over `http`.
    pub allowed_hosts: Vec<String>,
    /// How long a rotated secret keeps signing.
    pub secret_overlap: Duration,
}

/// A new subscription.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSubscription {
    /// Where to deliver: an `https` URL whose host is public (private, loopback and link-local
    /// addresses are refused unless the operator allow-lists the host).
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub url: String,
    /// What it is for.
    #[validate(length(max = 500), custom(function = "plain_text"))]
    #[schema(
        max_length = 500,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub description: Option<String>,
    /// Event types to deliver, e.g. `vn.gov.cadre.round.issued` (empty or absent: every type
    /// the owner may read).
    #[validate(length(max = 100))]
    #[schema(max_items = 100)]
    #[serde(default)]
    pub event_types: Vec<String>,
    /// Only events of this unit and the units under it; a unit within the caller's role
    /// bindings (absent: wherever the caller may read).
    pub unit_id: Option<Uuid>,
}

/// Changes to a subscription; absent fields stay as they are.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionPatch {
    /// Where to deliver.
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub url: Option<String>,
    /// What it is for.
    #[validate(length(max = 500), custom(function = "plain_text"))]
    #[schema(
        max_length = 500,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub description: Option<String>,
    /// Event types to deliver (empty: every type).
    #[validate(length(max = 100))]
    #[schema(max_items = 100)]
    pub event_types: Option<Vec<String>>,
    /// Only events of this unit and the units under it.
    pub unit_id: Option<Uuid>,
}

/// A subscription with the secret that signs its deliveries, shown once (at creation and at
/// each rotation).
#[derive(Debug, Clone)]
pub struct WithSecret {
    /// The subscription.
    pub subscription: WebhookSubscriptionRow,
    /// `whsec_…`.
    pub secret: String,
}

/// A delivery with its attempts.
#[derive(Debug, Clone)]
pub struct DeliveryLog {
    /// The delivery.
    pub delivery: WebhookDeliveryRow,
    /// Its attempts, in order.
    pub attempts: Vec<WebhookAttemptRow>,
}

fn new_secret(subscription: Uuid, now: chrono::DateTime<Utc>) -> WebhookSecretRow {
    let mut key = [0u8; rules::SECRET_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut key);
    WebhookSecretRow {
        id: Uuid::now_v7(),
        subscription_id: subscription,
        secret: rules::secret_of(&key),
        created_at: now,
        expires_at: None,
    }
}

/// Checks a target URL: its form ([`rules::check_url`]), then every address its host resolves
/// to (none may be internal unless the host is allow-listed).
pub async fn check_target(url: &str, allowed_hosts: &[String]) -> Result<url::Url, Violation> {
    let parsed = url::Url::parse(url).map_err(|_| {
        Violation::new(
            "url",
            "webhook_url",
            "not an absolute URL",
            "không phải địa chỉ URL đầy đủ",
        )
    })?;
    rules::check_url(&parsed, allowed_hosts)?;
    let host = parsed.host_str().unwrap_or_default().to_ascii_lowercase();
    if rules::allowed(host.trim_matches(['[', ']']), allowed_hosts)
        || host.trim_matches(['[', ']']).parse::<IpAddr>().is_ok()
    {
        return Ok(parsed);
    }
    let port = parsed.port_or_known_default().unwrap_or(443);
    let unresolved = || {
        Violation::new(
            "url",
            "webhook_url",
            "the host name does not resolve",
            "không phân giải được tên máy chủ",
        )
    };
    let addrs = tokio::time::timeout(
        Duration::from_secs(5),
        tokio::net::lookup_host((host.as_str(), port)),
    )
    .await
    .map_err(|_| unresolved())?
    .map_err(|_| unresolved())?;
    for a in addrs {
        if rules::is_internal(a.ip()) {
            return Err(rules::refused_address(a.ip()));
        }
    }
    Ok(parsed)
}

fn check_types(types: &[String]) -> Result<(), ApiError> {
    let violations: Vec<Violation> = types
        .iter()
        .enumerate()
        .filter_map(|(i, t)| rules::check_event_type(t, &format!("event_types[{i}]")).err())
        .collect();
    if violations.is_empty() {
        Ok(())
    } else {
        Err(ApiError::violations(violations))
    }
}

fn dedup(mut types: Vec<String>) -> Vec<String> {
    types.sort();
    types.dedup();
    types
}

/// Subscribes the caller: deliveries start with the events that follow.
pub async fn create(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    settings: &Settings,
    new: NewSubscription,
) -> Result<WithSecret, ApiError> {
    policy::may_subscribe(caller)?;
    check_types(&new.event_types)?;
    let url = check_target(&new.url, &settings.allowed_hosts)
        .await
        .map_err(|v| ApiError::violations(vec![v]))?;
    in_tx(conn, caller, async |tx| {
        if let Some(unit) = new.unit_id {
            policy::check_scope(tx.conn, caller, unit).await?;
        }
        let id = Uuid::now_v7();
        let row = WebhookSubscriptionRow {
            id,
            owner_account_id: caller.account_id,
            url: url.to_string(),
            description: new.description.clone(),
            event_types: dedup(new.event_types.clone()),
            unit_id: new.unit_id,
            status: SubscriptionStatus::Active,
            disabled_at: None,
            disabled_reason: None,
            cursor: repo::webhooks::feed_head(tx.conn).await?,
            failing_since: None,
            last_success_at: None,
            version: 1,
            created_at: tx.now,
            updated_at: tx.now,
        };
        let row = repo::webhooks::insert(tx.conn, &row).await?;
        let secret = new_secret(id, tx.now);
        repo::webhooks::insert_secret(tx.conn, &secret).await?;
        tx.created("webhook_subscription.create", id, None, &row);
        Ok(WithSecret {
            subscription: row,
            secret: secret.secret,
        })
    })
    .await
}

/// The caller's subscriptions (an account administrator also sees those of the accounts it
/// manages), by id.
pub async fn list(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<WebhookSubscriptionRow>, ApiError> {
    let mut owners = vec![caller.account_id];
    if caller.has(crate::domain::roles::Permission::AccountManage) {
        let managed = crate::auth::policy::accounts::readable(conn, caller).await?;
        owners.extend(repo::webhooks::managed_accounts(conn, managed).await?);
    }
    Ok(repo::webhooks::list(conn, owners, after, limit).await?)
}

/// One subscription the caller may see.
pub async fn get(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<WebhookSubscriptionRow, ApiError> {
    let row = repo::webhooks::get(conn, id).await?;
    policy::visible(conn, caller, &row).await?;
    Ok(row)
}

/// Changes where and what a subscription delivers (its owner only).
pub async fn update(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    settings: &Settings,
    id: Uuid,
    if_match: &IfMatch,
    patch: SubscriptionPatch,
) -> Result<WebhookSubscriptionRow, ApiError> {
    if let Some(types) = &patch.event_types {
        check_types(types)?;
    }
    let url = match &patch.url {
        Some(u) => Some(
            check_target(u, &settings.allowed_hosts)
                .await
                .map_err(|v| ApiError::violations(vec![v]))?,
        ),
        None => None,
    };
    let lock = async |tx: &mut Tx<'_>| {
        let before = lock_owned(tx, caller, id, if_match).await?;
        if let Some(unit) = patch.unit_id {
            policy::check_scope(tx.conn, caller, unit).await?;
        }
        Ok(before)
    };
    crud::change(
        conn,
        caller,
        "webhook_subscription.update",
        id,
        lock,
        async |tx, before| {
            let mut after = before.clone();
            if let Some(url) = &url {
                after.url = url.to_string();
            }
            if let Some(d) = &patch.description {
                after.description = Some(d.clone());
            }
            if let Some(types) = &patch.event_types {
                after.event_types = dedup(types.clone());
            }
            if patch.unit_id.is_some() {
                after.unit_id = patch.unit_id;
            }
            store(tx, after).await
        },
    )
    .await
}

/// Stops deliveries (the owner, or an administrator of the owner's account); pending ones
/// wait and new events keep queuing from the cursor when it is enabled again.
pub async fn disable(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
) -> Result<WebhookSubscriptionRow, ApiError> {
    let lock = async |tx: &mut Tx<'_>| lock_visible(tx, caller, id, if_match).await;
    crud::change(
        conn,
        caller,
        "webhook_subscription.disable",
        id,
        lock,
        async |tx, before| {
            if before.status == SubscriptionStatus::Disabled {
                return Err(ApiError::conflict(
                    "the subscription is already disabled",
                    "đăng ký đã bị tắt",
                ));
            }
            let mut after = before.clone();
            after.status = SubscriptionStatus::Disabled;
            after.disabled_at = Some(tx.now);
            after.disabled_reason = Some(format!("disabled by {}", caller.username));
            store(tx, after).await
        },
    )
    .await
}

/// Resumes deliveries (its owner): the failure streak is forgotten, pending deliveries are
/// tried at once, and the events that came meanwhile follow.
pub async fn enable(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
) -> Result<WebhookSubscriptionRow, ApiError> {
    let lock = async |tx: &mut Tx<'_>| lock_owned(tx, caller, id, if_match).await;
    crud::change(
        conn,
        caller,
        "webhook_subscription.enable",
        id,
        lock,
        async |tx, before| {
            if before.status == SubscriptionStatus::Active {
                return Err(ApiError::conflict(
                    "the subscription is already active",
                    "đăng ký đang hoạt động",
                ));
            }
            let mut after = before.clone();
            after.status = SubscriptionStatus::Active;
            after.disabled_at = None;
            after.disabled_reason = None;
            after.failing_since = None;
            store(tx, after).await
        },
    )
    .await
}

/// Deletes a subscription with its log (the owner, or an administrator of its account).
pub async fn delete(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
) -> Result<(), ApiError> {
    let lock = async |tx: &mut Tx<'_>| lock_visible(tx, caller, id, if_match).await;
    crud::remove(
        conn,
        caller,
        "webhook_subscription.delete",
        id,
        lock,
        async |tx, _| Ok(repo::webhooks::delete(tx.conn, id).await?),
    )
    .await
}

/// Issues a new secret (its owner). The previous ones keep signing beside it for the overlap,
/// so receivers can switch without losing a delivery.
pub async fn rotate_secret(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    settings: &Settings,
    id: Uuid,
    if_match: &IfMatch,
) -> Result<WithSecret, ApiError> {
    let overlap = chrono::Duration::from_std(settings.secret_overlap)
        .map_err(|_| ApiError::internal("overlap out of range"))?;
    let mut secret = None;
    let lock = async |tx: &mut Tx<'_>| lock_owned(tx, caller, id, if_match).await;
    let action = "webhook_subscription.rotate_secret";
    let subscription = crud::change(conn, caller, action, id, lock, async |tx, before| {
        repo::webhooks::expire_secrets(tx.conn, id, tx.now + overlap).await?;
        let new = new_secret(id, tx.now);
        repo::webhooks::insert_secret(tx.conn, &new).await?;
        secret = Some(new.secret);
        store(tx, before.clone()).await
    })
    .await?;
    Ok(WithSecret {
        subscription,
        secret: secret.ok_or_else(|| ApiError::internal("no secret issued"))?,
    })
}

/// Locks subscription `id` for a change its owner alone may make.
async fn lock_owned(
    tx: &mut Tx<'_>,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
) -> Result<WebhookSubscriptionRow, ApiError> {
    let row = repo::webhooks::lock(tx.conn, id).await?;
    policy::may_change(tx.conn, caller, &row).await?;
    if_match.check(row.version)?;
    Ok(row)
}

/// Locks subscription `id` for a change its owner or an administrator of its account may make.
async fn lock_visible(
    tx: &mut Tx<'_>,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
) -> Result<WebhookSubscriptionRow, ApiError> {
    let row = repo::webhooks::lock(tx.conn, id).await?;
    policy::visible(tx.conn, caller, &row).await?;
    if_match.check(row.version)?;
    Ok(row)
}

/// Stores the next version of a subscription.
async fn store(
    tx: &mut Tx<'_>,
    mut row: WebhookSubscriptionRow,
) -> Result<WebhookSubscriptionRow, ApiError> {
    row.version += 1;
    row.updated_at = tx.now;
    Ok(repo::webhooks::update(tx.conn, &row).await?)
}

/// A subscription's audit records are its owner's, under no unit.
impl crud::Audited for WebhookSubscriptionRow {
    fn audit_unit(&self) -> Option<Uuid> {
        None
    }
}

/// The deliveries of a subscription the caller may see (of `status`, when given), by id.
pub async fn deliveries(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    subscription: Uuid,
    status: Option<DeliveryStatus>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<WebhookDeliveryRow>, ApiError> {
    get(conn, caller, subscription).await?;
    Ok(repo::webhooks::deliveries(conn, subscription, status, after, limit).await?)
}

/// One delivery with its attempts, for whoever may see its subscription.
pub async fn delivery(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<DeliveryLog, ApiError> {
    let delivery = repo::webhooks::delivery(conn, id).await?;
    get(conn, caller, delivery.subscription_id).await?;
    let attempts = repo::webhooks::attempts(conn, id).await?;
    Ok(DeliveryLog { delivery, attempts })
}

/// Sends a delivered or dead-lettered delivery again, now, with a fresh retry schedule (the
/// owner); a pending one is already on its way (409).
pub async fn resend(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<DeliveryLog, ApiError> {
    let delivery = in_tx(conn, caller, async |tx| {
        let before = repo::webhooks::lock_delivery(tx.conn, id).await?;
        let subscription = repo::webhooks::get(tx.conn, before.subscription_id).await?;
        policy::may_change(tx.conn, caller, &subscription).await?;
        if before.status == DeliveryStatus::Pending {
            return Err(ApiError::conflict(
                "the delivery is still pending; it will be attempted again",
                "lần gửi đang chờ; hệ thống sẽ tự gửi lại",
            ));
        }
        let mut after = before.clone();
        after.status = DeliveryStatus::Pending;
        after.schedule_step = 0;
        after.next_attempt_at = Some(tx.now);
        after.dead_at = None;
        let after = repo::webhooks::update_delivery(tx.conn, &after).await?;
        tx.record(super::Change {
            action: "webhook_delivery.resend",
            resource_type: "webhook_delivery",
            resource_id: Some(id),
            unit_id: None,
            before: Some(&Summary::of(&before)),
            after: Some(&Summary::of(&after)),
        });
        Ok(after)
    })
    .await?;
    let attempts = repo::webhooks::attempts(conn, id).await?;
    Ok(DeliveryLog { delivery, attempts })
}

/// What the audit trail keeps of a delivery (not its payload, which is in the feed).
#[derive(Debug, Serialize)]
struct Summary {
    subscription_id: Uuid,
    event_position: i64,
    status: DeliveryStatus,
    attempts: i32,
}

impl Summary {
    fn of(d: &WebhookDeliveryRow) -> Self {
        Self {
            subscription_id: d.subscription_id,
            event_position: d.event_position,
            status: d.status,
            attempts: d.attempts,
        }
    }
}
