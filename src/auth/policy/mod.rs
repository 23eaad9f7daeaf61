//! Access policy, one module per aggregate: whether a caller may read or act on one object, and
//! the SQL filter that scopes the same caller's lists, side by side so the two cannot drift.
//! Reading refusals are 404 (the object's existence is not disclosed); acting refusals on a
//! readable object are 403.

pub mod accounts;
pub mod amendments;
pub mod assignments;
pub mod audit;
pub mod bindings;
pub mod cadres;
pub mod commitments;
pub mod consequences;
pub mod evaluations;
pub mod events;
pub mod evidence;
pub mod feeds;
pub mod groups;
pub mod levels;
pub mod person_evaluations;
pub mod posts;
pub mod reports;
pub mod restructurings;
pub mod results;
pub mod rounds;
pub mod supervision;
pub mod units;
pub mod webhooks;

use diesel::dsl::EqAny;
use diesel::pg::Pg;
use diesel::sql_types::Bool;
use diesel::{BoxableExpression, Column, Expression, ExpressionMethods};
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::auth::Caller;
use crate::domain::roles::Permission;
use crate::error::ApiError;

/// Requires `permission` somewhere: 403 otherwise.
pub fn require_somewhere(caller: &Caller, permission: Permission) -> Result<(), ApiError> {
    if caller.has(permission) {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

/// `row` when the caller may read it; 404 otherwise.
pub fn shown<T>(readable: bool, row: T) -> Result<T, ApiError> {
    if readable {
        Ok(row)
    } else {
        Err(ApiError::not_found())
    }
}

/// `result` with a 404 (an object the caller cannot see) turned into an unknown reference to
/// `what` on `field` (422), for objects named in a request body.
pub fn as_reference<T>(
    result: Result<T, ApiError>,
    field: &str,
    what: &str,
) -> Result<T, ApiError> {
    result.map_err(|e| {
        if e.status() == 404 {
            ApiError::unknown(field, what)
        } else {
            e
        }
    })
}

/// The filter of the rows whose unit, in `column`, is one where the caller holds `permission`.
pub async fn in_units_with<C>(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    permission: Permission,
    column: C,
) -> Result<Box<dyn BoxableExpression<C::Table, Pg, SqlType = Bool>>, ApiError>
where
    C: Column + Expression<SqlType = diesel::sql_types::Uuid>,
    EqAny<C, Vec<Uuid>>: BoxableExpression<C::Table, Pg, SqlType = Bool> + 'static,
{
    let units = caller.units_with(conn, permission).await?;
    Ok(Box::new(column.eq_any(units)))
}
