//! Queries of refresh tokens and their families (one family per sign-in).

use chrono::{DateTime, Utc};
use diesel::dsl::exists;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::models::{RefreshFamilyRow, RefreshTokenRow};
use crate::db::schema::{refresh_token_families as families, refresh_tokens as tokens};
use crate::domain::refresh_token::RevokeReason;

/// Stores a new family.
pub async fn insert_family(
    conn: &mut AsyncPgConnection,
    row: &RefreshFamilyRow,
) -> QueryResult<()> {
    diesel::insert_into(families::table)
        .values(row)
        .execute(conn)
        .await
        .map(drop)
}

/// Stores a new token.
pub async fn insert_token(conn: &mut AsyncPgConnection, row: &RefreshTokenRow) -> QueryResult<()> {
    diesel::insert_into(tokens::table)
        .values(row)
        .execute(conn)
        .await
        .map(drop)
}

/// The token whose hash is `hash`, if any.
pub async fn by_hash(
    conn: &mut AsyncPgConnection,
    hash: &[u8],
) -> QueryResult<Option<RefreshTokenRow>> {
    tokens::table
        .filter(tokens::token_hash.eq(hash))
        .select(RefreshTokenRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Family `id`, locked until the transaction ends: a refresh and a revocation of the same
/// family take turns.
pub async fn lock_family(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<RefreshFamilyRow> {
    families::table
        .find(id)
        .for_update()
        .select(RefreshFamilyRow::as_select())
        .first(conn)
        .await
}

/// Token `id`, locked until the transaction ends.
pub async fn lock_token(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<RefreshTokenRow> {
    tokens::table
        .find(id)
        .for_update()
        .select(RefreshTokenRow::as_select())
        .first(conn)
        .await
}

/// Marks token `id` used at `now`, replaced by `successor` (already stored).
pub async fn mark_used(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    successor: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(tokens::table.find(id))
        .set((tokens::used_at.eq(now), tokens::replaced_by.eq(successor)))
        .execute(conn)
        .await
        .map(drop)
}

/// Forgets the used tokens of `family` that expired before `now` (a reuse of one is then
/// refused as unknown rather than revoking the family). Their predecessors expired earlier, so
/// the chain goes with them.
pub async fn prune_used(
    conn: &mut AsyncPgConnection,
    family: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::delete(
        tokens::table
            .filter(tokens::family_id.eq(family))
            .filter(tokens::used_at.is_not_null())
            .filter(tokens::expires_at.lt(now)),
    )
    .execute(conn)
    .await
}

/// Forgets the families of `account` that ended before `now`, with their tokens.
pub async fn delete_ended(
    conn: &mut AsyncPgConnection,
    account: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::delete(
        families::table
            .filter(families::account_id.eq(account))
            .filter(families::expires_at.lt(now)),
    )
    .execute(conn)
    .await
}

/// Revokes family `id` for `reason` unless it is revoked already; whether it was not.
pub async fn revoke_family(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    reason: RevokeReason,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    diesel::update(
        families::table
            .find(id)
            .filter(families::revoked_at.is_null()),
    )
    .set((
        families::revoked_at.eq(now),
        families::revoke_reason.eq(reason),
    ))
    .execute(conn)
    .await
    .map(|n| n > 0)
}

/// Revokes for `reason` every family of `account` that still has a token able to refresh at
/// `now`; the ids of those families.
pub async fn revoke_live(
    conn: &mut AsyncPgConnection,
    account: Uuid,
    reason: RevokeReason,
    now: DateTime<Utc>,
) -> QueryResult<Vec<Uuid>> {
    let live_token = tokens::table
        .filter(tokens::family_id.eq(families::id))
        .filter(tokens::used_at.is_null())
        .filter(tokens::expires_at.gt(now));
    let mut ids: Vec<Uuid> = diesel::update(
        families::table
            .filter(families::account_id.eq(account))
            .filter(families::revoked_at.is_null())
            .filter(exists(live_token)),
    )
    .set((
        families::revoked_at.eq(now),
        families::revoke_reason.eq(reason),
    ))
    .returning(families::id)
    .get_results(conn)
    .await?;
    ids.sort();
    Ok(ids)
}

/// Family `id` (`NotFound` when unknown).
pub async fn family(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<RefreshFamilyRow> {
    families::table
        .find(id)
        .select(RefreshFamilyRow::as_select())
        .first(conn)
        .await
}
