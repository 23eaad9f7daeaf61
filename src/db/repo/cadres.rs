//! Queries of cadres (personnel files).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::KeysetDsl;
use crate::db::models::CadreRow;
use crate::db::schema::cadres;
use crate::domain::vocab::Gender;

/// The filter a policy puts on every list of cadres.
pub type Scope = Box<dyn BoxableExpression<cadres::table, Pg, SqlType = Bool>>;

/// One cadre (`NotFound` when unknown).
pub async fn get(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<CadreRow> {
    cadres::table
        .find(id)
        .select(CadreRow::as_select())
        .first(conn)
        .await
}

/// One cadre, locked until the transaction ends (`NotFound` when unknown).
pub async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<CadreRow> {
    cadres::table
        .find(id)
        .for_update()
        .select(CadreRow::as_select())
        .first(conn)
        .await
}

/// The managing unit of a cadre, if the cadre exists.
pub async fn managing_unit(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Uuid>> {
    cadres::table
        .find(id)
        .select(cadres::managing_unit_id)
        .first(conn)
        .await
        .optional()
}

/// Filters of the cadre list.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Only files of this managing unit.
    pub managing_unit_id: Option<Uuid>,
    /// Full name matches this `ILIKE` pattern.
    pub name_like: Option<String>,
    /// Only this personnel code.
    pub personnel_code: Option<String>,
    /// Only ids after this cursor.
    pub after: Option<Uuid>,
    /// At most this many rows.
    pub limit: i64,
}

/// Cadres in `scope` matching `f`, by id.
pub async fn list(
    conn: &mut AsyncPgConnection,
    scope: Scope,
    f: &ListFilter,
) -> QueryResult<Vec<CadreRow>> {
    let mut q = cadres::table
        .filter(scope)
        .select(CadreRow::as_select())
        .into_boxed()
        .keyset(cadres::id, f.after, f.limit);
    if let Some(unit) = f.managing_unit_id {
        q = q.filter(cadres::managing_unit_id.eq(unit));
    }
    if let Some(code) = &f.personnel_code {
        q = q.filter(cadres::personnel_code.eq(code.clone()));
    }
    if let Some(pattern) = &f.name_like {
        q = q.filter(cadres::full_name.ilike(pattern.clone()));
    }
    q.load(conn).await
}

/// Stores a new cadre.
pub async fn insert(conn: &mut AsyncPgConnection, row: &CadreRow) -> QueryResult<CadreRow> {
    diesel::insert_into(cadres::table)
        .values(row)
        .returning(CadreRow::as_returning())
        .get_result(conn)
        .await
}

/// Changes to a cadre; `None` leaves a column as it is.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = cadres)]
pub struct Changes {
    /// Personnel code.
    pub personnel_code: Option<String>,
    /// Full name.
    pub full_name: Option<String>,
    /// Gender.
    pub gender: Option<Gender>,
    /// Date of birth.
    pub date_of_birth: Option<NaiveDate>,
    /// E-mail.
    pub email: Option<String>,
    /// Managing unit.
    pub managing_unit_id: Option<Uuid>,
}

/// Applies `changes` to a cadre and bumps its version.
pub async fn update(
    conn: &mut AsyncPgConnection,
    current: &CadreRow,
    changes: &Changes,
    now: DateTime<Utc>,
) -> QueryResult<CadreRow> {
    diesel::update(cadres::table.find(current.id))
        .set((
            changes,
            cadres::version.eq(current.version + 1),
            cadres::updated_at.eq(now),
        ))
        .returning(CadreRow::as_returning())
        .get_result(conn)
        .await
}
