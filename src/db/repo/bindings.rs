//! Queries of role bindings.

use chrono::NaiveDate;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::KeysetDsl;
use crate::db::models::BindingRow;
use crate::db::schema::{org_units, role_bindings};
use crate::domain::roles::Role;

/// A binding with the code and the name of its unit.
pub type Labelled = (BindingRow, String, String);

/// The bindings with `ids`, with their units' code and name, ordered by id.
pub async fn labelled(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> QueryResult<Vec<Labelled>> {
    role_bindings::table
        .inner_join(org_units::table.on(org_units::id.eq(role_bindings::unit_id)))
        .filter(role_bindings::id.eq_any(ids))
        .order(role_bindings::id)
        .select((BindingRow::as_select(), org_units::code, org_units::name))
        .load(conn)
        .await
}

/// The bindings of `account` in force on `day`.
pub async fn in_force(
    conn: &mut AsyncPgConnection,
    account: Uuid,
    day: NaiveDate,
) -> QueryResult<Vec<BindingRow>> {
    role_bindings::table
        .filter(role_bindings::account_id.eq(account))
        .filter(role_bindings::valid_from.le(day))
        .filter(
            role_bindings::valid_to
                .is_null()
                .or(role_bindings::valid_to.ge(day)),
        )
        .select(BindingRow::as_select())
        .load(conn)
        .await
}

/// What a list of bindings may be narrowed to.
#[derive(Debug, Clone, Default)]
pub struct Criteria {
    /// Only bindings of this account.
    pub account_id: Option<Uuid>,
    /// Only bindings to this unit.
    pub unit_id: Option<Uuid>,
    /// Only this role.
    pub role: Option<Role>,
}

/// Up to `limit` bindings after `after` (by id) among those `readable` admits, with their
/// units' code and name.
pub async fn list(
    conn: &mut AsyncPgConnection,
    readable: Box<dyn BoxableExpression<role_bindings::table, Pg, SqlType = Bool>>,
    criteria: &Criteria,
    after: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<Labelled>> {
    let readable_ids = role_bindings::table
        .filter(readable)
        .select(role_bindings::id)
        .into_boxed();
    let mut q = role_bindings::table
        .inner_join(org_units::table.on(org_units::id.eq(role_bindings::unit_id)))
        .filter(role_bindings::id.eq_any(readable_ids))
        .select((BindingRow::as_select(), org_units::code, org_units::name))
        .into_boxed()
        .keyset(role_bindings::id, after, limit);
    if let Some(account) = criteria.account_id {
        q = q.filter(role_bindings::account_id.eq(account));
    }
    if let Some(unit) = criteria.unit_id {
        q = q.filter(role_bindings::unit_id.eq(unit));
    }
    if let Some(role) = criteria.role {
        q = q.filter(role_bindings::role.eq(role));
    }
    q.load(conn).await
}

/// One binding, locked until the transaction ends (`NotFound` when unknown).
pub async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<BindingRow> {
    role_bindings::table
        .find(id)
        .for_update()
        .select(BindingRow::as_select())
        .first(conn)
        .await
}

/// Stores a new binding.
pub async fn insert(conn: &mut AsyncPgConnection, row: &BindingRow) -> QueryResult<()> {
    diesel::insert_into(role_bindings::table)
        .values(row)
        .execute(conn)
        .await
        .map(drop)
}

/// Deletes binding `id`.
pub async fn delete(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<()> {
    diesel::delete(role_bindings::table.find(id))
        .execute(conn)
        .await
        .map(drop)
}

/// The unit graph a binding's reach follows: dated parent links, and successions (a
/// predecessor counts as below its successor, so history stays visible after merges and splits).
const EDGES: &str = "edges(child, parent) AS (
        SELECT unit_id, parent_id FROM org_unit_parents
        UNION ALL SELECT predecessor_id, successor_id FROM unit_successions)";

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: Uuid,
}

/// `unit` and every unit it has ever been below (parents, and successors' parents): the units
/// on which a subtree binding reaches `unit`.
pub async fn ancestors_or_self(conn: &mut AsyncPgConnection, unit: Uuid) -> QueryResult<Vec<Uuid>> {
    let sql = format!(
        "WITH RECURSIVE {EDGES}, up(id) AS (SELECT $1 UNION SELECT e.parent FROM edges e JOIN up ON e.child = up.id)
         SELECT id FROM up"
    );
    let rows: Vec<Id> = diesel::sql_query(sql)
        .bind::<diesel::sql_types::Uuid, _>(unit)
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// `roots` and every unit ever below them: what subtree bindings on `roots` reach.
pub async fn descendants_or_self(
    conn: &mut AsyncPgConnection,
    roots: &[Uuid],
) -> QueryResult<Vec<Uuid>> {
    if roots.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "WITH RECURSIVE {EDGES}, down(id) AS (SELECT unnest($1) UNION SELECT e.child FROM edges e JOIN down ON e.parent = down.id)
         SELECT id FROM down"
    );
    let rows: Vec<Id> = diesel::sql_query(sql)
        .bind::<diesel::sql_types::Array<diesel::sql_types::Uuid>, _>(roots)
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// Whether `unit` has never had a parent (a top of the tree, where a subtree binding reaches
/// everything).
pub async fn is_root(conn: &mut AsyncPgConnection, unit: Uuid) -> QueryResult<bool> {
    use crate::db::schema::org_unit_parents;
    let n: i64 = org_unit_parents::table
        .filter(org_unit_parents::unit_id.eq(unit))
        .count()
        .get_result(conn)
        .await?;
    Ok(n == 0)
}

/// Whether some enabled account holds the `admin` role on day `day`.
pub async fn administrator_exists(
    conn: &mut AsyncPgConnection,
    day: NaiveDate,
) -> QueryResult<bool> {
    use crate::db::schema::accounts;
    diesel::select(diesel::dsl::exists(
        role_bindings::table
            .inner_join(accounts::table)
            .filter(role_bindings::role.eq(crate::domain::roles::Role::Admin))
            .filter(accounts::disabled.eq(false))
            .filter(role_bindings::valid_from.le(day))
            .filter(
                role_bindings::valid_to
                    .is_null()
                    .or(role_bindings::valid_to.ge(day)),
            ),
    ))
    .get_result(conn)
    .await
}

/// The units that have never had a parent (the tops of the tree), oldest first.
pub async fn roots(conn: &mut AsyncPgConnection) -> QueryResult<Vec<crate::db::models::UnitRow>> {
    use crate::db::schema::{org_unit_parents, org_units};
    org_units::table
        .filter(diesel::dsl::not(diesel::dsl::exists(
            org_unit_parents::table.filter(org_unit_parents::unit_id.eq(org_units::id)),
        )))
        .filter(org_units::valid_to.is_null())
        .order(org_units::id)
        .select(crate::db::models::UnitRow::as_select())
        .load(conn)
        .await
}
