//! Queries of commitments, of the assignments they cover, of signing delegations and of the
//! facts that decide who may sign.

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::KeysetDsl;
use crate::db::models::{AssignmentRow, CommitmentRow, DelegationRow};
use crate::db::schema::{assignments, commitments, posts, signing_delegations};
use crate::domain::commitment::{Grant, HeldPost};
use crate::domain::vocab::PostKind;
use crate::domain::workflow::AssignmentState;

/// The filter of a list of commitments (from the access policy).
pub type CommitmentFilter = Box<dyn BoxableExpression<commitments::table, Pg, SqlType = Bool>>;

/// The filter of a list of signing delegations (from the access policy).
pub type DelegationFilter =
    Box<dyn BoxableExpression<signing_delegations::table, Pg, SqlType = Bool>>;

/// The assignments of `round` addressed to `unit` that a commitment covers (issued or later,
/// not withdrawn), ordered by id; locked until the transaction ends when `lock` is set.
pub async fn covered(
    conn: &mut AsyncPgConnection,
    round: Uuid,
    unit: Uuid,
    lock: bool,
) -> QueryResult<Vec<AssignmentRow>> {
    let q = assignments::table
        .filter(assignments::round_id.eq(round))
        .filter(assignments::assignee_unit_id.eq(unit))
        .filter(assignments::state.eq_any([
            AssignmentState::Issued,
            AssignmentState::Committed,
            AssignmentState::InProgress,
        ]))
        .order(assignments::id)
        .select(AssignmentRow::as_select());
    if lock {
        q.for_update().load(conn).await
    } else {
        q.load(conn).await
    }
}

/// Whether the unit has a valid commitment in the round on terms hashed `terms_hash`.
pub async fn signed_on(
    conn: &mut AsyncPgConnection,
    round: Uuid,
    unit: Uuid,
    terms_hash: &str,
) -> QueryResult<bool> {
    let n: i64 = commitments::table
        .filter(commitments::round_id.eq(round))
        .filter(commitments::assignee_unit_id.eq(unit))
        .filter(commitments::invalidated_at.is_null())
        .filter(commitments::terms_hash.eq(terms_hash))
        .count()
        .get_result(conn)
        .await?;
    Ok(n > 0)
}

/// The valid (not invalidated) commitments of `unit` in `round`.
pub async fn valid_of(
    conn: &mut AsyncPgConnection,
    round: Uuid,
    unit: Uuid,
) -> QueryResult<Vec<CommitmentRow>> {
    commitments::table
        .filter(commitments::round_id.eq(round))
        .filter(commitments::assignee_unit_id.eq(unit))
        .filter(commitments::invalidated_at.is_null())
        .select(CommitmentRow::as_select())
        .load(conn)
        .await
}

/// Marks commitments `ids` invalidated at `now` for `reason`.
pub async fn invalidate(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
    now: DateTime<Utc>,
    reason: &str,
) -> QueryResult<()> {
    diesel::update(commitments::table.filter(commitments::id.eq_any(ids)))
        .set((
            commitments::invalidated_at.eq(now),
            commitments::invalidated_reason.eq(reason),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// Stores a new commitment.
pub async fn insert(conn: &mut AsyncPgConnection, row: &CommitmentRow) -> QueryResult<()> {
    diesel::insert_into(commitments::table)
        .values(row)
        .execute(conn)
        .await
        .map(drop)
}

/// Records that commitment `commitment` covers assignment `a`, now in `state`.
pub async fn mark_committed(
    conn: &mut AsyncPgConnection,
    a: &AssignmentRow,
    state: AssignmentState,
    commitment: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(assignments::table.find(a.id))
        .set((
            assignments::state.eq(state),
            assignments::commitment_id.eq(commitment),
            assignments::commitment_invalidated_at.eq(None::<DateTime<Utc>>),
            assignments::version.eq(a.version + 1),
            assignments::updated_at.eq(now),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// The assignments commitment `commitment` covers, locked until the transaction ends.
pub async fn lock_covered_by(
    conn: &mut AsyncPgConnection,
    commitment: Uuid,
) -> QueryResult<Vec<AssignmentRow>> {
    assignments::table
        .filter(assignments::commitment_id.eq(commitment))
        .select(AssignmentRow::as_select())
        .for_update()
        .load(conn)
        .await
}

/// Detaches assignment `a` from its invalidated commitment, leaving it in `state`.
pub async fn release(
    conn: &mut AsyncPgConnection,
    a: &AssignmentRow,
    state: AssignmentState,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(assignments::table.find(a.id))
        .set((
            assignments::state.eq(state),
            assignments::commitment_id.eq(None::<Uuid>),
            assignments::commitment_invalidated_at.eq(now),
            assignments::version.eq(a.version + 1),
            assignments::updated_at.eq(now),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// A page of commitments passing `readable`, ordered by id, after `after`, at most `limit`.
pub async fn list(
    conn: &mut AsyncPgConnection,
    readable: CommitmentFilter,
    round: Option<Uuid>,
    unit: Option<Uuid>,
    after: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<CommitmentRow>> {
    let mut q = commitments::table
        .filter(readable)
        .select(CommitmentRow::as_select())
        .into_boxed()
        .keyset(commitments::id, after, limit);
    if let Some(round) = round {
        q = q.filter(commitments::round_id.eq(round));
    }
    if let Some(unit) = unit {
        q = q.filter(commitments::assignee_unit_id.eq(unit));
    }
    q.load(conn).await
}

/// One commitment (`NotFound` when unknown).
pub async fn get(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<CommitmentRow> {
    commitments::table
        .find(id)
        .select(CommitmentRow::as_select())
        .first(conn)
        .await
}

/// The posts cadre `cadre` holds, has held or will hold in `unit`.
pub async fn posts_in_unit(
    conn: &mut AsyncPgConnection,
    cadre: Uuid,
    unit: Uuid,
) -> QueryResult<Vec<HeldPost>> {
    let rows: Vec<(Uuid, PostKind, chrono::NaiveDate, Option<chrono::NaiveDate>)> = posts::table
        .filter(posts::unit_id.eq(unit))
        .filter(posts::cadre_id.eq(cadre))
        .order(posts::id)
        .select((posts::id, posts::kind, posts::valid_from, posts::valid_to))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, kind, valid_from, valid_to)| HeldPost {
            id,
            kind,
            valid_from,
            valid_to,
        })
        .collect())
}

/// The signing delegations recorded for cadre `cadre` in `unit`.
pub async fn grants(
    conn: &mut AsyncPgConnection,
    cadre: Uuid,
    unit: Uuid,
) -> QueryResult<Vec<Grant>> {
    let rows: Vec<(Uuid, chrono::NaiveDate, Option<chrono::NaiveDate>)> =
        signing_delegations::table
            .filter(signing_delegations::unit_id.eq(unit))
            .filter(signing_delegations::cadre_id.eq(cadre))
            .order(signing_delegations::id)
            .select((
                signing_delegations::id,
                signing_delegations::valid_from,
                signing_delegations::valid_to,
            ))
            .load(conn)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(id, valid_from, valid_to)| Grant {
            id,
            valid_from,
            valid_to,
        })
        .collect())
}

/// A page of signing delegations passing `readable`, ordered by id.
pub async fn list_delegations(
    conn: &mut AsyncPgConnection,
    readable: DelegationFilter,
    unit: Option<Uuid>,
    after: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<DelegationRow>> {
    let mut q = signing_delegations::table
        .filter(readable)
        .select(DelegationRow::as_select())
        .into_boxed()
        .keyset(signing_delegations::id, after, limit);
    if let Some(unit) = unit {
        q = q.filter(signing_delegations::unit_id.eq(unit));
    }
    q.load(conn).await
}

/// One signing delegation (`NotFound` when unknown).
pub async fn get_delegation(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<DelegationRow> {
    signing_delegations::table
        .find(id)
        .select(DelegationRow::as_select())
        .first(conn)
        .await
}

/// Stores a new signing delegation.
pub async fn insert_delegation(
    conn: &mut AsyncPgConnection,
    row: &DelegationRow,
) -> QueryResult<()> {
    diesel::insert_into(signing_delegations::table)
        .values(row)
        .execute(conn)
        .await
        .map(drop)
}
