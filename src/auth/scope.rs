//! Which organisation units a role binding reaches. A subtree binding reaches every unit ever
//! below its unit (through any dated parent link) and every predecessor of those units, so that
//! history stays visible after merges and splits. The queries live in `db::repo::bindings`.

use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::db::repo;

/// `unit` and every unit it has ever been below (parents, and successors' parents).
pub async fn ancestors_or_self(
    conn: &mut AsyncPgConnection,
    unit: Uuid,
) -> diesel::QueryResult<Vec<Uuid>> {
    repo::bindings::ancestors_or_self(conn, unit).await
}

/// `roots` and every unit ever below them.
pub async fn descendants_or_self(
    conn: &mut AsyncPgConnection,
    roots: &[Uuid],
) -> diesel::QueryResult<Vec<Uuid>> {
    repo::bindings::descendants_or_self(conn, roots).await
}

/// Whether `unit` has never had a parent (a top of the tree).
pub async fn is_root(conn: &mut AsyncPgConnection, unit: Uuid) -> diesel::QueryResult<bool> {
    repo::bindings::is_root(conn, unit).await
}
