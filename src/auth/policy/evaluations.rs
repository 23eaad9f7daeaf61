//! Who may see and act on evaluations: an evaluation is read by whoever may read its
//! assignment; a cadre's record by the cadre and by holders of `cadre_record_read` over the
//! cadre's managing unit; an override only by a committee above the assigning unit; rule sets
//! are managed over the whole tree.

use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::assignments::{self, Lock};
use crate::auth::{scope, Caller};
use crate::db::models::{AssignmentRow, EvaluationRow};
use crate::db::repo;
use crate::db::schema::evaluations;
use crate::domain::roles::Permission;
use crate::error::ApiError;

/// The filter of every list of evaluations: those of the assignments the caller may read.
pub async fn readable(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
) -> Result<Box<dyn BoxableExpression<evaluations::table, Pg, SqlType = Bool>>, ApiError> {
    assignments::readable_parts(conn, caller, evaluations::assignment_id).await
}

/// Evaluation `id` and its assignment, if the caller may read the assignment; 404 otherwise.
pub async fn visible(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<(EvaluationRow, AssignmentRow), ApiError> {
    assignments::part(conn, caller, id, Lock::Nothing).await
}

/// Evaluation `id` and its assignment, both locked for a change, if the caller may read the
/// assignment; 404 otherwise.
pub async fn lock_visible(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<(EvaluationRow, AssignmentRow), ApiError> {
    assignments::part(conn, caller, id, Lock::Both).await
}

/// Requires a committee above the assigning unit of `a`: `evaluation_decide` bound over the
/// subtree of one of its ancestors (403 otherwise).
pub async fn may_override(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    a: &AssignmentRow,
) -> Result<(), ApiError> {
    committee_above(conn, caller, a.assigning_unit_id).await
}

/// Requires `evaluation_decide` bound over the subtree of a unit strictly above `unit` (403
/// otherwise): the committee that may cancel and re-grade a decision taken there.
pub async fn committee_above(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    unit: Uuid,
) -> Result<(), ApiError> {
    let above = scope::ancestors_or_self(conn, unit).await?;
    let superior = caller.bindings.iter().any(|b| {
        b.include_subtree
            && b.role.grants(Permission::EvaluationDecide)
            && b.unit_id != unit
            && above.contains(&b.unit_id)
    });
    if superior {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

/// Requires the caller to be cadre `cadre`, or to hold `cadre_record_read` over the cadre's
/// managing unit (403 when they can read personnel there, 404 otherwise or when unknown).
pub async fn may_read_record(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    cadre: Uuid,
) -> Result<(), ApiError> {
    let managing = repo::cadres::managing_unit(conn, cadre)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let own = repo::accounts::cadre_of(conn, caller.account_id).await?;
    if own == Some(cadre) {
        return Ok(());
    }
    caller
        .require(
            conn,
            Permission::CadreRecordRead,
            Permission::PersonnelRead,
            managing,
        )
        .await
}

/// The cadres among `people` (cadre, managing unit) whose record the caller may read: their
/// own, or those of units where the caller holds `cadre_record_read` (the rule of
/// [`may_read_record`], asked once per managing unit for a whole report).
pub async fn readable_records(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    people: &[(Uuid, Uuid)],
) -> Result<std::collections::HashSet<Uuid>, ApiError> {
    let own = repo::accounts::cadre_of(conn, caller.account_id).await?;
    let mut by_unit: std::collections::HashMap<Uuid, bool> = std::collections::HashMap::new();
    let mut out = std::collections::HashSet::new();
    for &(cadre, managing) in people {
        let may = match by_unit.get(&managing) {
            Some(may) => *may,
            None => {
                let may = caller
                    .can(conn, Permission::CadreRecordRead, managing)
                    .await?;
                by_unit.insert(managing, may);
                may
            }
        };
        if may || own == Some(cadre) {
            out.insert(cadre);
        }
    }
    Ok(out)
}

/// Requires `rule_set_manage` over the whole tree (403 otherwise).
pub async fn may_manage_rule_sets(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
) -> Result<(), ApiError> {
    caller.require_global(conn, Permission::RuleSetManage).await
}
