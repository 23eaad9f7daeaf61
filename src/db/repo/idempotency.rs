//! Queries of idempotency keys: the first response to a key, kept for replay to retries.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::models::IdempotencyRow;
use crate::db::schema::idempotency_keys as ik;

/// Deletes every key created before `before`.
pub async fn purge_created_before(
    conn: &mut AsyncPgConnection,
    before: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::delete(ik::table.filter(ik::created_at.lt(before)))
        .execute(conn)
        .await
        .map(drop)
}

/// Deletes `account`'s `key` when its request, claimed before `before`, never stored a
/// response (its process died).
pub async fn release_abandoned(
    conn: &mut AsyncPgConnection,
    account: Uuid,
    key: &str,
    before: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::delete(
        ik::table
            .filter(ik::account_id.eq(account).and(ik::key.eq(key)))
            .filter(ik::status.is_null().and(ik::created_at.lt(before))),
    )
    .execute(conn)
    .await
    .map(drop)
}

/// Claims `account`'s `key` for a POST to `path` with body hash `hash`: `false` when the key is
/// already taken.
pub async fn claim(
    conn: &mut AsyncPgConnection,
    account: Uuid,
    key: &str,
    path: &str,
    hash: &str,
) -> QueryResult<bool> {
    diesel::insert_into(ik::table)
        .values((
            ik::account_id.eq(account),
            ik::key.eq(key),
            ik::method.eq("POST"),
            ik::path.eq(path),
            ik::request_hash.eq(hash),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await
        .map(|n| n > 0)
}

/// The claim of `account`'s `key` (`NotFound` when unknown).
pub async fn get(
    conn: &mut AsyncPgConnection,
    account: Uuid,
    key: &str,
) -> QueryResult<IdempotencyRow> {
    ik::table
        .find((account, key))
        .select(IdempotencyRow::as_select())
        .first(conn)
        .await
}

/// Stores the response to the request claimed by `account`'s `key`.
pub async fn store_response(
    conn: &mut AsyncPgConnection,
    account: Uuid,
    key: &str,
    status: i32,
    body: Vec<u8>,
    headers: serde_json::Value,
) -> QueryResult<()> {
    diesel::update(ik::table.find((account, key)))
        .set((
            ik::status.eq(status),
            ik::response_body.eq(body),
            ik::response_headers.eq(headers),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// Releases `account`'s `key`, so that a retry runs again.
pub async fn forget(conn: &mut AsyncPgConnection, account: Uuid, key: &str) -> QueryResult<()> {
    diesel::delete(ik::table.find((account, key)))
        .execute(conn)
        .await
        .map(drop)
}
