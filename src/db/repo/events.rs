//! The event feed: appended in the change's transaction under the feed's lock, read by
//! position.

use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::models::{EventRow, NewEventRow};
use crate::db::schema::events;

/// A filter of the feed (a boxed diesel predicate).
pub type Scope = Box<dyn BoxableExpression<events::table, Pg, SqlType = Bool>>;

/// The key of the feed's advisory lock.
const FEED_LOCK: i64 = 0x0063_6164_7265_6576; // "cadrev"

/// Takes the feed's lock, held until the transaction ends. Whatever is drawn under it (event
/// positions, the audit chain's next links) is drawn in commit order when the caller commits
/// right after: the next holder only gets the lock once this transaction is visible.
pub async fn lock_feed(conn: &mut AsyncPgConnection) -> QueryResult<()> {
    diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
        .bind::<BigInt, _>(FEED_LOCK)
        .execute(conn)
        .await
        .map(drop)
}

/// Appends `rows` in order, under the feed's lock ([`lock_feed`], taken by the caller), so
/// positions are drawn in commit order: the caller commits right after.
pub async fn append(conn: &mut AsyncPgConnection, rows: &[NewEventRow]) -> QueryResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    diesel::insert_into(events::table)
        .values(rows)
        .execute(conn)
        .await
        .map(drop)
}

/// Up to `limit` events after `after` among those `readable` (and of `types`, when given), by
/// position.
pub async fn page(
    conn: &mut AsyncPgConnection,
    after: i64,
    types: Option<Vec<String>>,
    readable: Scope,
    limit: i64,
) -> QueryResult<Vec<EventRow>> {
    let mut q = events::table
        .filter(events::position.gt(after))
        .filter(readable)
        .select(EventRow::as_select())
        .into_boxed();
    if let Some(types) = types {
        q = q.filter(events::type_.eq_any(types));
    }
    q.order(events::position).limit(limit).load(conn).await
}
