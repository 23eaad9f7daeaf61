//! Versions of rounds' published results, and the counts of anonymous readers.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::models::{NewPublicationVersion, PublicationVersionRow};
use crate::db::schema::{round_publications, rounds};

/// The latest version of a round's publication, if it was ever published.
pub async fn latest(
    conn: &mut AsyncPgConnection,
    round: Uuid,
) -> QueryResult<Option<PublicationVersionRow>> {
    round_publications::table
        .filter(round_publications::round_id.eq(round))
        .order(round_publications::version.desc())
        .select(PublicationVersionRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Stores a new version.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    new: &NewPublicationVersion,
) -> QueryResult<PublicationVersionRow> {
    diesel::insert_into(round_publications::table)
        .values(new)
        .returning(PublicationVersionRow::as_returning())
        .get_result(conn)
        .await
}

/// Records the withdrawal of version `id`.
pub async fn withdraw(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    by: Uuid,
    at: DateTime<Utc>,
    reason: &str,
) -> QueryResult<PublicationVersionRow> {
    diesel::update(round_publications::table.find(id))
        .set((
            round_publications::withdrawn_at.eq(at),
            round_publications::withdrawn_by.eq(by),
            round_publications::withdrawal_reason.eq(reason),
        ))
        .returning(PublicationVersionRow::as_returning())
        .get_result(conn)
        .await
}

/// Version `version` of a round's publication with its snapshot.
pub async fn snapshot(
    conn: &mut AsyncPgConnection,
    round: Uuid,
    version: i32,
) -> QueryResult<Option<(PublicationVersionRow, serde_json::Value)>> {
    round_publications::table
        .filter(round_publications::round_id.eq(round))
        .filter(round_publications::version.eq(version))
        .select((
            PublicationVersionRow::as_select(),
            round_publications::snapshot,
        ))
        .first(conn)
        .await
        .optional()
}

/// A page of the versions of a round's publication, oldest first (ids are time-ordered), after
/// the version with id `after`.
pub async fn versions(
    conn: &mut AsyncPgConnection,
    round: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<PublicationVersionRow>> {
    let mut q = round_publications::table
        .filter(round_publications::round_id.eq(round))
        .order(round_publications::version)
        .limit(limit)
        .select(PublicationVersionRow::as_select())
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(round_publications::id.gt(after));
    }
    q.load(conn).await
}

/// A published round as the list shows it: its identity and its latest version.
pub type ListedRound = (PublicationVersionRow, (String, i32, Option<String>, Uuid));

/// A page of the published rounds, newest round first, each with its latest version, after
/// the round `before` of the previous page.
pub async fn rounds(
    conn: &mut AsyncPgConnection,
    before: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<ListedRound>> {
    let mut q = round_publications::table
        .inner_join(rounds::table)
        .distinct_on(round_publications::round_id)
        .order((
            round_publications::round_id.desc(),
            round_publications::version.desc(),
        ))
        .limit(limit)
        .select((
            PublicationVersionRow::as_select(),
            (
                rounds::title,
                rounds::year,
                rounds::decision_number,
                rounds::assigning_unit_id,
            ),
        ))
        .into_boxed();
    if let Some(before) = before {
        q = q.filter(round_publications::round_id.lt(before));
    }
    q.load(conn).await
}

#[derive(QueryableByName)]
struct Counted {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    count: i32,
    #[diesel(sql_type = diesel::sql_types::Double)]
    reset_secs: f64,
}

/// Counts one more read by `address` in the current fixed window of `window_secs` seconds (on
/// the database's clock, shared by every replica): the count so far in the window and the
/// seconds until it ends. The first read of a window clears the windows that ended.
pub async fn count_read(
    conn: &mut AsyncPgConnection,
    address: &str,
    window_secs: i32,
) -> QueryResult<(i64, f64)> {
    let row: Counted = diesel::sql_query(
        "INSERT INTO public_read_counts AS c (address, window_start, count) \
         VALUES ($1, to_timestamp(floor(extract(epoch FROM clock_timestamp()) / $2) * $2), 1) \
         ON CONFLICT (address, window_start) DO UPDATE SET count = c.count + 1 \
         RETURNING c.count, \
           extract(epoch FROM c.window_start + make_interval(secs => $2) - clock_timestamp())::float8 \
             AS reset_secs",
    )
    .bind::<diesel::sql_types::Text, _>(address)
    .bind::<diesel::sql_types::Integer, _>(window_secs)
    .get_result(conn)
    .await?;
    if row.count == 1 {
        diesel::sql_query(
            "DELETE FROM public_read_counts \
             WHERE window_start < clock_timestamp() - make_interval(secs => $1)",
        )
        .bind::<diesel::sql_types::Integer, _>(window_secs)
        .execute(conn)
        .await?;
    }
    Ok((i64::from(row.count), row.reset_secs))
}
