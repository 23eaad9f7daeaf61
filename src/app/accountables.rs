//! The people who answer for an assignment: the positions named for it (e.g. the district
//! Party secretary and the chair of the district People's Committee for a district's task),
//! else the head of its assignee unit. A decided grade goes to the record of every cadre who
//! held one of them while the period ran, by days held.

use chrono::NaiveDate;
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::in_tx;
use crate::auth::policy::assignments::{lock_visible, visible};
use crate::auth::Caller;
use crate::db::models::{AccountableRow, AssignmentRow};
use crate::db::repo;
use crate::domain::evaluation::{
    accountable, position_violations, AccountableRole, Position, Tenure,
};
use crate::domain::roles::Permission;
use crate::domain::vocab::PostKind;
use crate::domain::Violation;
use crate::error::ApiError;

/// A position that answers for an assignment.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PositionSpec {
    /// The unit, e.g. the district Party committee or the district People's Committee.
    pub unit_id: Uuid,
    /// The kind of post in it (`head`, `deputy_head` or `member`).
    pub post_kind: PostKind,
    /// What its holder answers as.
    pub role: AccountableRole,
}

/// The positions that answer for an assignment.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Positions {
    /// 1 to 20 positions.
    #[validate(length(min = 1, max = 20))]
    #[schema(min_items = 1, max_items = 20)]
    pub positions: Vec<PositionSpec>,
}

fn position(r: &AccountableRow) -> Position<Uuid> {
    Position {
        unit: r.unit_id,
        kind: r.post_kind,
        role: r.role,
    }
}

/// The positions that answer for `a`: those named, else the head of its assignee unit.
pub(crate) async fn effective(
    conn: &mut AsyncPgConnection,
    a: &AssignmentRow,
) -> Result<Vec<Position<Uuid>>, ApiError> {
    let named: Vec<Position<Uuid>> = repo::accountables::of_assignment(conn, a.id)
        .await?
        .iter()
        .map(position)
        .collect();
    Ok(accountable(a.assignee_unit_id, &named))
}

/// Names the positions that answer for an assignment (`round_manage` on its assigning unit),
/// replacing those named before.
pub async fn set(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    assignment: Uuid,
    new: Positions,
) -> Result<Vec<Position<Uuid>>, ApiError> {
    in_tx(conn, caller, async |tx| {
        let a = lock_visible(tx.conn, caller, assignment).await?;
        caller
            .require_on(tx.conn, Permission::RoundManage, a.assigning_unit_id)
            .await?;
        let named: Vec<Position<Uuid>> = new
            .positions
            .iter()
            .map(|p| Position {
                unit: p.unit_id,
                kind: p.post_kind,
                role: p.role,
            })
            .collect();
        let mut violations = position_violations(&named);
        let mut ids: Vec<Uuid> = named.iter().map(|p| p.unit).collect();
        ids.sort();
        ids.dedup();
        let known = repo::units::with_levels(tx.conn, &ids).await?;
        for (i, p) in named.iter().enumerate() {
            if !known.iter().any(|(u, _)| u.id == p.unit) {
                violations.push(Violation::new(
                    format!("positions[{i}].unit_id"),
                    "unknown_unit",
                    "no unit with this id",
                    "không có đơn vị này",
                ));
            }
        }
        if !violations.is_empty() {
            return Err(ApiError::violations(violations));
        }
        let before = repo::accountables::of_assignment(tx.conn, a.id).await?;
        let rows: Vec<AccountableRow> = named
            .iter()
            .map(|p| AccountableRow {
                assignment_id: a.id,
                unit_id: p.unit,
                post_kind: p.kind,
                role: p.role,
            })
            .collect();
        repo::accountables::replace(tx.conn, a.id, &rows).await?;
        tx.changed(
            "assignment.accountables",
            a.id,
            Some(a.assignee_unit_id),
            &before,
            &rows,
        );
        Ok(named)
    })
    .await
}

/// The positions that answer for an assignment the caller may read.
pub async fn list(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    assignment: Uuid,
) -> Result<Vec<Position<Uuid>>, ApiError> {
    let a = visible(conn, caller, assignment).await?;
    effective(conn, &a).await
}

/// Who held a position answering for `a` at some time between `from` and `to`: one tenure per
/// post (post, cadre).
pub(crate) async fn tenures(
    conn: &mut AsyncPgConnection,
    a: &AssignmentRow,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Tenure<(Uuid, Uuid)>>, ApiError> {
    let mut out = Vec::new();
    for p in effective(conn, a).await? {
        for (post, cadre, held_from, held_to) in
            repo::accountables::tenures(conn, p.unit, p.kind, from, to).await?
        {
            out.push(Tenure {
                id: (post, cadre),
                from: held_from,
                to: held_to,
            });
        }
    }
    Ok(out)
}
