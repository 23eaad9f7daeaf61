//! Queries of the audit trail and of its hash chain (`domain::audit_chain`).

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::KeysetDsl;
use crate::db::models::{AuditRow, ChainedAuditRow, CheckpointRow};
use crate::db::schema::{audit_checkpoints, audit_events};
use crate::domain::audit_chain::{self, Entry, Link};

/// Writes audit records at the end of the chain, linked to its head.
///
/// The caller must hold the event feed's lock (`repo::events::lock_feed`) until it commits:
/// that lock is the one point where concurrent changes are put in commit order, so reading
/// the head here and linking after it cannot fork the chain, and no second global lock is
/// needed. Only the head lookup (one index probe) and this insert are added inside it.
pub async fn append(conn: &mut AsyncPgConnection, rows: &[AuditRow]) -> QueryResult<()> {
    let entries: Vec<Entry<'_>> = rows.iter().map(AuditRow::entry).collect();
    let links = audit_chain::link(head(conn).await?, &entries);
    let chained: Vec<ChainedAuditRow> = rows
        .iter()
        .zip(links)
        .map(|(r, l)| ChainedAuditRow {
            record: r.clone(),
            chain_position: Some(l.position),
            prev_hash: Some(l.prev_hash),
            hash: Some(l.hash),
        })
        .collect();
    diesel::insert_into(audit_events::table)
        .values(&chained)
        .execute(conn)
        .await
        .map(drop)
}

/// The chain's head: position and hash of its last record (`None` while it is empty).
pub async fn head(conn: &mut AsyncPgConnection) -> QueryResult<Option<(i64, String)>> {
    let found: Option<(Option<i64>, Option<String>)> = audit_events::table
        .filter(audit_events::chain_position.is_not_null())
        .order(audit_events::chain_position.desc())
        .select((audit_events::chain_position, audit_events::hash))
        .first(conn)
        .await
        .optional()?;
    Ok(found.and_then(|(p, h)| Some((p?, h.unwrap_or_default()))))
}

/// Up to `limit` records of the chain after position `after`, in chain order.
pub async fn chain_page(
    conn: &mut AsyncPgConnection,
    after: i64,
    limit: i64,
) -> QueryResult<Vec<ChainedAuditRow>> {
    audit_events::table
        .filter(audit_events::chain_position.gt(after))
        .order(audit_events::chain_position)
        .limit(limit)
        .select(ChainedAuditRow::as_select())
        .load(conn)
        .await
}

/// How many records are not linked into the chain (written before it existed and not yet
/// chained, or by a writer that bypassed it).
pub async fn unchained_count(conn: &mut AsyncPgConnection) -> QueryResult<i64> {
    audit_events::table
        .filter(audit_events::chain_position.is_null())
        .count()
        .get_result(conn)
        .await
}

/// The first record not linked into the chain, oldest first.
pub async fn first_unchained(conn: &mut AsyncPgConnection) -> QueryResult<Option<AuditRow>> {
    audit_events::table
        .filter(audit_events::chain_position.is_null())
        .order((audit_events::at, audit_events::id))
        .select(AuditRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Links records written before the chain existed, oldest first (by `at`, then id), after the
/// current head, in batches of `batch`; returns how many. The caller holds the feed's lock.
pub async fn chain_unchained(conn: &mut AsyncPgConnection, batch: i64) -> QueryResult<usize> {
    let mut done = 0;
    loop {
        let rows: Vec<AuditRow> = audit_events::table
            .filter(audit_events::chain_position.is_null())
            .order((audit_events::at, audit_events::id))
            .limit(batch)
            .select(AuditRow::as_select())
            .load(conn)
            .await?;
        if rows.is_empty() {
            return Ok(done);
        }
        let entries: Vec<Entry<'_>> = rows.iter().map(AuditRow::entry).collect();
        let links = audit_chain::link(head(conn).await?, &entries);
        for (
            r,
            Link {
                position,
                prev_hash,
                hash,
            },
        ) in rows.iter().zip(links)
        {
            diesel::update(audit_events::table.find(r.id))
                .set((
                    audit_events::chain_position.eq(position),
                    audit_events::prev_hash.eq(prev_hash),
                    audit_events::hash.eq(hash),
                ))
                .execute(conn)
                .await?;
        }
        done += rows.len();
    }
}

/// The hash stored at each of `positions` (absent positions are left out).
pub async fn hashes_at(
    conn: &mut AsyncPgConnection,
    positions: Vec<i64>,
) -> QueryResult<Vec<(i64, Option<String>)>> {
    let found: Vec<(Option<i64>, Option<String>)> = audit_events::table
        .filter(audit_events::chain_position.eq_any(positions))
        .select((audit_events::chain_position, audit_events::hash))
        .load(conn)
        .await?;
    Ok(found
        .into_iter()
        .filter_map(|(p, h)| Some((p?, h)))
        .collect())
}

/// Stores a checkpoint.
pub async fn insert_checkpoint(
    conn: &mut AsyncPgConnection,
    row: &CheckpointRow,
) -> QueryResult<CheckpointRow> {
    diesel::insert_into(audit_checkpoints::table)
        .values(row)
        .returning(CheckpointRow::as_returning())
        .get_result(conn)
        .await
}

/// The latest checkpoint (highest position, then newest).
pub async fn latest_checkpoint(conn: &mut AsyncPgConnection) -> QueryResult<Option<CheckpointRow>> {
    audit_checkpoints::table
        .order((
            audit_checkpoints::position.desc(),
            audit_checkpoints::id.desc(),
        ))
        .select(CheckpointRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Up to `limit` checkpoints after `after` (by id, so oldest first).
pub async fn checkpoints(
    conn: &mut AsyncPgConnection,
    after: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<CheckpointRow>> {
    audit_checkpoints::table
        .select(CheckpointRow::as_select())
        .into_boxed()
        .keyset(audit_checkpoints::id, after, limit)
        .load(conn)
        .await
}

/// What a list of audit events may be narrowed to.
#[derive(Debug, Clone, Default)]
pub struct Criteria {
    /// Only this kind of resource.
    pub resource_type: Option<String>,
    /// Only events about this resource.
    pub resource_id: Option<Uuid>,
    /// Only this action.
    pub action: Option<String>,
    /// Only changes made by this account.
    pub actor_account_id: Option<Uuid>,
    /// Only events concerning this unit.
    pub unit_id: Option<Uuid>,
    /// Only events at or after this instant.
    pub since: Option<DateTime<Utc>>,
    /// Only events before this instant.
    pub until: Option<DateTime<Utc>>,
}

/// Up to `limit` events after `after` (by id) among those `readable` admits.
pub async fn list(
    conn: &mut AsyncPgConnection,
    readable: Box<dyn BoxableExpression<audit_events::table, Pg, SqlType = Bool>>,
    criteria: &Criteria,
    after: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<AuditRow>> {
    let mut q = audit_events::table
        .filter(readable)
        .select(AuditRow::as_select())
        .into_boxed()
        .keyset(audit_events::id, after, limit);
    if let Some(t) = &criteria.resource_type {
        q = q.filter(audit_events::resource_type.eq(t.clone()));
    }
    if let Some(id) = criteria.resource_id {
        q = q.filter(audit_events::resource_id.eq(id));
    }
    if let Some(action) = &criteria.action {
        q = q.filter(audit_events::action.eq(action.clone()));
    }
    if let Some(actor) = criteria.actor_account_id {
        q = q.filter(audit_events::actor_account_id.eq(actor));
    }
    if let Some(unit) = criteria.unit_id {
        q = q.filter(audit_events::unit_id.eq(unit));
    }
    if let Some(since) = criteria.since {
        q = q.filter(audit_events::at.ge(since));
    }
    if let Some(until) = criteria.until {
        q = q.filter(audit_events::at.lt(until));
    }
    q.load(conn).await
}
