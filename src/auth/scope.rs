//! Which organisation units a role binding reaches. A subtree binding reaches every unit ever
//! below its unit (through any dated parent link) and every predecessor of those units, so that
//! history stays visible after merges and splits.

use diesel::sql_types::{Array, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

const EDGES: &str = "edges(child, parent) AS (
        SELECT unit_id, parent_id FROM org_unit_parents
        UNION ALL SELECT predecessor_id, successor_id FROM unit_successions)";

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

/// `unit` and every unit it has ever been below (parents, and successors' parents).
pub async fn ancestors_or_self(
    conn: &mut AsyncPgConnection,
    unit: Uuid,
) -> diesel::QueryResult<Vec<Uuid>> {
    let sql = format!(
        "WITH RECURSIVE {EDGES}, up(id) AS (SELECT $1 UNION SELECT e.parent FROM edges e JOIN up ON e.child = up.id)
         SELECT id FROM up"
    );
    let rows: Vec<Id> = diesel::sql_query(sql)
        .bind::<SqlUuid, _>(unit)
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// `roots` and every unit ever below them.
pub async fn descendants_or_self(
    conn: &mut AsyncPgConnection,
    roots: &[Uuid],
) -> diesel::QueryResult<Vec<Uuid>> {
    if roots.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "WITH RECURSIVE {EDGES}, down(id) AS (SELECT unnest($1) UNION SELECT e.child FROM edges e JOIN down ON e.parent = down.id)
         SELECT id FROM down"
    );
    let rows: Vec<Id> = diesel::sql_query(sql)
        .bind::<Array<SqlUuid>, _>(roots)
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// Whether `unit` has never had a parent (a top of the tree).
pub async fn is_root(conn: &mut AsyncPgConnection, unit: Uuid) -> diesel::QueryResult<bool> {
    use crate::db::schema::org_unit_parents::dsl::*;
    use diesel::{ExpressionMethods, QueryDsl};
    let n: i64 = org_unit_parents
        .filter(unit_id.eq(unit))
        .count()
        .get_result(conn)
        .await?;
    Ok(n == 0)
}
