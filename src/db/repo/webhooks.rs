//! Queries of webhook subscriptions, their secrets, deliveries and attempts, and the two
//! claims of the workers (subscriptions to dispatch, a delivery that is due), both taken with
//! `FOR UPDATE SKIP LOCKED` so that replicas share the work and never do the same twice.

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::KeysetDsl;
use crate::db::models::{
    WebhookAttemptRow, WebhookDeliveryRow, WebhookSecretRow, WebhookSubscriptionRow,
};
use crate::db::schema::webhook_subscriptions as subs;
use crate::db::schema::{accounts, events, webhook_attempts, webhook_deliveries, webhook_secrets};
use crate::domain::webhooks::{DeliveryStatus, SubscriptionStatus};

/// One subscription (`NotFound` when unknown).
pub async fn get(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<WebhookSubscriptionRow> {
    subs::table
        .find(id)
        .select(WebhookSubscriptionRow::as_select())
        .first(conn)
        .await
}

/// One subscription, locked until the transaction ends (`NotFound` when unknown).
pub async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<WebhookSubscriptionRow> {
    subs::table
        .find(id)
        .select(WebhookSubscriptionRow::as_select())
        .for_update()
        .first(conn)
        .await
}

/// The accounts whose subscriptions an administrator also sees (a boxed filter of accounts).
pub type Managed = Box<dyn BoxableExpression<accounts::table, Pg, SqlType = Bool>>;

/// The ids of the `managed` accounts.
pub async fn managed_accounts(
    conn: &mut AsyncPgConnection,
    managed: Managed,
) -> QueryResult<Vec<Uuid>> {
    accounts::table
        .filter(managed)
        .select(accounts::id)
        .load(conn)
        .await
}

/// Subscriptions owned by one of `owners`, by id.
pub async fn list(
    conn: &mut AsyncPgConnection,
    owners: Vec<Uuid>,
    after: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<WebhookSubscriptionRow>> {
    subs::table
        .filter(subs::owner_account_id.eq_any(owners))
        .select(WebhookSubscriptionRow::as_select())
        .into_boxed()
        .keyset(subs::id, after, limit)
        .load(conn)
        .await
}

/// Stores a new subscription.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    row: &WebhookSubscriptionRow,
) -> QueryResult<WebhookSubscriptionRow> {
    diesel::insert_into(subs::table)
        .values(row)
        .returning(WebhookSubscriptionRow::as_returning())
        .get_result(conn)
        .await
}

/// Stores `row` over the subscription of its id (every column but the id and creation).
pub async fn update(
    conn: &mut AsyncPgConnection,
    row: &WebhookSubscriptionRow,
) -> QueryResult<WebhookSubscriptionRow> {
    diesel::update(subs::table.find(row.id))
        .set((
            subs::url.eq(&row.url),
            subs::description.eq(&row.description),
            subs::event_types.eq(&row.event_types),
            subs::unit_id.eq(row.unit_id),
            subs::status.eq(row.status),
            subs::disabled_at.eq(row.disabled_at),
            subs::disabled_reason.eq(&row.disabled_reason),
            subs::cursor.eq(row.cursor),
            subs::failing_since.eq(row.failing_since),
            subs::last_success_at.eq(row.last_success_at),
            subs::version.eq(row.version),
            subs::updated_at.eq(row.updated_at),
        ))
        .returning(WebhookSubscriptionRow::as_returning())
        .get_result(conn)
        .await
}

/// Records a successful delivery to subscription `id`: its failure streak ends.
pub async fn mark_success(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(subs::table.find(id))
        .set((
            subs::failing_since.eq(None::<DateTime<Utc>>),
            subs::last_success_at.eq(now),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// Records a failed delivery to subscription `id`: its failure streak starts now unless it
/// had started already; answers when it started.
pub async fn mark_failure(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<Option<DateTime<Utc>>> {
    diesel::update(subs::table.find(id))
        .set(
            subs::failing_since.eq(diesel::dsl::sql::<Nullable<Timestamptz>>(
                "COALESCE(failing_since, ",
            )
            .bind::<Timestamptz, _>(now)
            .sql(")")),
        )
        .returning(subs::failing_since)
        .get_result(conn)
        .await
}

/// Disables subscription `id` if it is active, saying why.
pub async fn disable_active(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    now: DateTime<Utc>,
    reason: &str,
) -> QueryResult<()> {
    diesel::update(
        subs::table
            .find(id)
            .filter(subs::status.eq(SubscriptionStatus::Active)),
    )
    .set((
        subs::status.eq(SubscriptionStatus::Disabled),
        subs::disabled_at.eq(now),
        subs::disabled_reason.eq(reason),
        subs::version.eq(subs::version + 1),
        subs::updated_at.eq(now),
    ))
    .execute(conn)
    .await
    .map(drop)
}

/// Deletes a subscription with its secrets, deliveries and attempts.
pub async fn delete(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<()> {
    diesel::delete(subs::table.find(id))
        .execute(conn)
        .await
        .map(drop)
}

/// Stores a secret.
pub async fn insert_secret(
    conn: &mut AsyncPgConnection,
    row: &WebhookSecretRow,
) -> QueryResult<()> {
    diesel::insert_into(webhook_secrets::table)
        .values(row)
        .execute(conn)
        .await
        .map(drop)
}

/// The secrets of a subscription that still sign at `now`, newest first.
pub async fn secrets_in_force(
    conn: &mut AsyncPgConnection,
    subscription: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<Vec<WebhookSecretRow>> {
    webhook_secrets::table
        .filter(webhook_secrets::subscription_id.eq(subscription))
        .filter(
            webhook_secrets::expires_at
                .is_null()
                .or(webhook_secrets::expires_at.gt(now)),
        )
        .order(webhook_secrets::created_at.desc())
        .select(WebhookSecretRow::as_select())
        .load(conn)
        .await
}

/// Makes every secret of a subscription still in force at `at` expire then.
pub async fn expire_secrets(
    conn: &mut AsyncPgConnection,
    subscription: Uuid,
    at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(
        webhook_secrets::table
            .filter(webhook_secrets::subscription_id.eq(subscription))
            .filter(
                webhook_secrets::expires_at
                    .is_null()
                    .or(webhook_secrets::expires_at.gt(at)),
            ),
    )
    .set(webhook_secrets::expires_at.eq(at))
    .execute(conn)
    .await
    .map(drop)
}

/// The position of the newest event of the feed (0 when it is empty).
pub async fn feed_head(conn: &mut AsyncPgConnection) -> QueryResult<i64> {
    events::table
        .select(diesel::dsl::max(events::position))
        .first::<Option<i64>>(conn)
        .await
        .map(|p| p.unwrap_or(0))
}

/// Claims up to `limit` active subscriptions behind the feed's `head`, locked until the
/// transaction ends; those another worker holds are skipped.
pub async fn claim_behind(
    conn: &mut AsyncPgConnection,
    head: i64,
    limit: i64,
) -> QueryResult<Vec<WebhookSubscriptionRow>> {
    subs::table
        .filter(subs::status.eq(SubscriptionStatus::Active))
        .filter(subs::cursor.lt(head))
        .order(subs::cursor)
        .limit(limit)
        .select(WebhookSubscriptionRow::as_select())
        .for_update()
        .skip_locked()
        .load(conn)
        .await
}

/// Moves a subscription's cursor.
pub async fn set_cursor(conn: &mut AsyncPgConnection, id: Uuid, cursor: i64) -> QueryResult<()> {
    diesel::update(subs::table.find(id))
        .set(subs::cursor.eq(cursor))
        .execute(conn)
        .await
        .map(drop)
}

/// Stores new deliveries (an event already queued for the subscription is skipped).
pub async fn insert_deliveries(
    conn: &mut AsyncPgConnection,
    rows: &[WebhookDeliveryRow],
) -> QueryResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    diesel::insert_into(webhook_deliveries::table)
        .values(rows)
        .on_conflict((
            webhook_deliveries::subscription_id,
            webhook_deliveries::event_position,
        ))
        .do_nothing()
        .execute(conn)
        .await
        .map(drop)
}

/// Claims the delivery due first (at `now`) of an active subscription, locked until the
/// transaction ends; deliveries another worker holds are skipped.
pub async fn claim_due(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
) -> QueryResult<Option<WebhookDeliveryRow>> {
    diesel::sql_query(
        "SELECT d.* FROM webhook_deliveries d
         WHERE d.status = 'pending' AND d.next_attempt_at <= $1
           AND d.subscription_id IN (SELECT id FROM webhook_subscriptions WHERE status = 'active')
         ORDER BY d.next_attempt_at
         LIMIT 1
         FOR UPDATE OF d SKIP LOCKED",
    )
    .bind::<Timestamptz, _>(now)
    .get_result::<WebhookDeliveryRow>(conn)
    .await
    .optional()
}

/// Stores a delivery's state after an attempt or a re-send.
pub async fn update_delivery(
    conn: &mut AsyncPgConnection,
    row: &WebhookDeliveryRow,
) -> QueryResult<WebhookDeliveryRow> {
    diesel::update(webhook_deliveries::table.find(row.id))
        .set((
            webhook_deliveries::status.eq(row.status),
            webhook_deliveries::attempts.eq(row.attempts),
            webhook_deliveries::schedule_step.eq(row.schedule_step),
            webhook_deliveries::next_attempt_at.eq(row.next_attempt_at),
            webhook_deliveries::last_status.eq(row.last_status),
            webhook_deliveries::last_error.eq(&row.last_error),
            webhook_deliveries::delivered_at.eq(row.delivered_at),
            webhook_deliveries::dead_at.eq(row.dead_at),
        ))
        .returning(WebhookDeliveryRow::as_returning())
        .get_result(conn)
        .await
}

/// Stores an attempt.
pub async fn insert_attempt(
    conn: &mut AsyncPgConnection,
    row: &WebhookAttemptRow,
) -> QueryResult<()> {
    diesel::insert_into(webhook_attempts::table)
        .values(row)
        .execute(conn)
        .await
        .map(drop)
}

/// One delivery (`NotFound` when unknown).
pub async fn delivery(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<WebhookDeliveryRow> {
    webhook_deliveries::table
        .find(id)
        .select(WebhookDeliveryRow::as_select())
        .first(conn)
        .await
}

/// One delivery, locked until the transaction ends, waiting for a worker that holds it.
pub async fn lock_delivery(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> QueryResult<WebhookDeliveryRow> {
    webhook_deliveries::table
        .find(id)
        .select(WebhookDeliveryRow::as_select())
        .for_update()
        .first(conn)
        .await
}

/// The deliveries of a subscription (of `status`, when given), by id.
pub async fn deliveries(
    conn: &mut AsyncPgConnection,
    subscription: Uuid,
    status: Option<DeliveryStatus>,
    after: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<WebhookDeliveryRow>> {
    let mut q = webhook_deliveries::table
        .filter(webhook_deliveries::subscription_id.eq(subscription))
        .select(WebhookDeliveryRow::as_select())
        .into_boxed()
        .keyset(webhook_deliveries::id, after, limit);
    if let Some(status) = status {
        q = q.filter(webhook_deliveries::status.eq(status));
    }
    q.load(conn).await
}

/// The attempts of a delivery, in order.
pub async fn attempts(
    conn: &mut AsyncPgConnection,
    delivery: Uuid,
) -> QueryResult<Vec<WebhookAttemptRow>> {
    webhook_attempts::table
        .filter(webhook_attempts::delivery_id.eq(delivery))
        .order(webhook_attempts::number)
        .select(WebhookAttemptRow::as_select())
        .load(conn)
        .await
}
