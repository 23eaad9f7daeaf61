//! Restructuring: merges and splits that close units and open successors, recording
//! predecessor→successor links so history survives (e.g. the two-tier reform of 1 July 2025).

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::units::{close_unit, insert_unit, link_parent, parent_on, NewUnit};
use super::{in_tx, Tx};
use crate::auth::policy::restructurings as policy;
use crate::auth::policy::units as unit_policy;
use crate::auth::Caller;
use crate::db::models::RestructuringRow;
use crate::db::repo;
use crate::domain::restructuring::{plan_merge, plan_split, Plan, UnitAtDate};
use crate::domain::text::plain_text;
use crate::domain::validity::Validity;
use crate::domain::vocab::RestructuringKind;
use crate::error::ApiError;

/// Merge units into a new successor.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    /// First day of the successor; the predecessors close the day before.
    pub effective_date: NaiveDate,
    /// The deciding document.
    #[validate(length(min = 1, max = 300), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 300,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub decision_ref: Option<String>,
    /// Note.
    #[validate(length(max = 2000), custom(function = "plain_text"))]
    #[schema(
        max_length = 2000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub note: Option<String>,
    /// Units merged (at least two).
    #[validate(length(min = 2, max = 100))]
    #[schema(min_items = 2, max_items = 100)]
    pub predecessor_ids: Vec<Uuid>,
    /// The successor unit (its `valid_from` is the effective date and must be omitted).
    #[validate(nested)]
    pub successor: NewUnit,
}

/// Split a unit into successors.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SplitRequest {
    /// First day of the successors; the predecessor closes the day before.
    pub effective_date: NaiveDate,
    /// The deciding document.
    #[validate(length(min = 1, max = 300), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 300,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub decision_ref: Option<String>,
    /// Note.
    #[validate(length(max = 2000), custom(function = "plain_text"))]
    #[schema(
        max_length = 2000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub note: Option<String>,
    /// The unit split.
    pub predecessor_id: Uuid,
    /// The successor units (at least two; `valid_from` must be omitted).
    #[validate(length(min = 2, max = 100), nested)]
    #[schema(min_items = 2, max_items = 100)]
    pub successors: Vec<NewUnit>,
    /// For every current child of the predecessor: the code of the successor it moves to.
    #[serde(default)]
    pub child_assignments: HashMap<Uuid, String>,
}

/// A child moved to a successor.
#[derive(Debug, Clone, Serialize)]
pub struct Moved {
    /// The child unit.
    pub unit_id: Uuid,
    /// Its new parent.
    pub successor_id: Uuid,
}

/// A restructuring with the units it closed and opened.
#[derive(Debug, Clone, Serialize)]
pub struct Restructured {
    /// The restructuring.
    #[serde(flatten)]
    pub row: RestructuringRow,
    /// Closed units, sorted.
    pub predecessor_ids: Vec<Uuid>,
    /// Opened units, sorted.
    pub successor_ids: Vec<Uuid>,
    /// Children re-attached (only on the response to the operation).
    pub moved_children: Vec<Moved>,
}

impl Restructured {
    /// Every unit it touched, predecessors first.
    fn units(&self) -> Vec<Uuid> {
        self.predecessor_ids
            .iter()
            .chain(&self.successor_ids)
            .copied()
            .collect()
    }
}

impl Restructured {
    /// A restructuring with its (predecessor, successor) links.
    fn new(row: RestructuringRow, links: &[(Uuid, Uuid)], moved: Vec<Moved>) -> Self {
        let mut predecessor_ids: Vec<Uuid> = links.iter().map(|l| l.0).collect();
        let mut successor_ids: Vec<Uuid> = links.iter().map(|l| l.1).collect();
        predecessor_ids.sort();
        predecessor_ids.dedup();
        successor_ids.sort();
        successor_ids.dedup();
        Self {
            row,
            predecessor_ids,
            successor_ids,
            moved_children: moved,
        }
    }
}

async fn with_links(
    conn: &mut AsyncPgConnection,
    row: RestructuringRow,
    moved: Vec<Moved>,
) -> Result<Restructured, ApiError> {
    let links = repo::restructurings::links(conn, row.id).await?;
    Ok(Restructured::new(row, &links, moved))
}

/// Restructurings touching units the caller can read that match `filter`.
pub async fn list(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    filter: &repo::restructurings::ListFilter,
) -> Result<Vec<Restructured>, ApiError> {
    let scope = policy::readable(conn, caller).await?;
    let rows = repo::restructurings::list(conn, scope, filter).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut links: HashMap<Uuid, Vec<(Uuid, Uuid)>> = HashMap::new();
    for (r, predecessor, successor) in repo::restructurings::links_of(conn, &ids).await? {
        links.entry(r).or_default().push((predecessor, successor));
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let l = links.remove(&row.id).unwrap_or_default();
            Restructured::new(row, &l, Vec::new())
        })
        .collect())
}

/// One restructuring touching a unit the caller can read.
pub async fn get(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<Restructured, ApiError> {
    let row = repo::restructurings::get(conn, id).await?;
    let r = with_links(conn, row, Vec::new()).await?;
    if !policy::can_read(conn, caller, &r.units()).await? {
        return Err(ApiError::not_found());
    }
    Ok(r)
}

/// Loads a unit and its children on `day` for planning, locked; an unknown reference on
/// `field` when the caller cannot see it.
async fn unit_at(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    day: NaiveDate,
    field: &str,
) -> Result<UnitAtDate, ApiError> {
    unit_policy::may_manage_ref(conn, caller, id, field, "unit").await?;
    let row = repo::units::lock(conn, id).await?;
    let children = repo::units::children_on(conn, id, day).await?;
    Ok(UnitAtDate {
        id,
        validity: Validity {
            from: row.valid_from,
            to: row.valid_to,
        },
        children,
    })
}

/// The decision behind a restructuring.
struct Decision {
    kind: RestructuringKind,
    day: NaiveDate,
    decision_ref: Option<String>,
    note: Option<String>,
}

/// Applies a plan: successors opened, children moved, predecessors closed, links recorded,
/// one audit record per unit touched.
async fn apply(
    tx: &mut Tx<'_>,
    decision: Decision,
    plan: Plan,
    successors: &[NewUnit],
) -> Result<Restructured, ApiError> {
    let Decision {
        kind,
        day,
        decision_ref,
        note,
    } = decision;
    let last_day = day
        .pred_opt()
        .ok_or_else(|| ApiError::unprocessable("date out of range", "ngày không hợp lệ"))?;
    let row = RestructuringRow {
        id: Uuid::now_v7(),
        kind,
        effective_date: day,
        decision_ref,
        note,
        created_by: Some(tx.caller.account_id),
        created_at: tx.now,
    };
    repo::restructurings::insert(tx.conn, &row).await?;
    // Detach the moving children first so the predecessors can close.
    for (child, _) in &plan.moves {
        if let Some(link) = parent_on(tx.conn, *child, day).await? {
            repo::units::end_link(tx.conn, link.id, Some(last_day.max(link.valid_from))).await?;
        }
    }
    let reason = format!("{} effective {day}", kind.as_str());
    for unit in &plan.close {
        close_unit(tx.conn, *unit, last_day, &reason, tx.now).await?;
        repo::units::bump(tx.conn, *unit, tx.now).await?;
    }
    let mut opened = Vec::new();
    for (i, new) in successors.iter().enumerate() {
        let prefix = if successors.len() == 1 && kind == RestructuringKind::Merge {
            "successor.".to_string()
        } else {
            format!("successors[{i}].")
        };
        opened.push(insert_unit(tx.conn, new, day, &prefix, tx.now).await?);
    }
    let mut moved = Vec::new();
    for (child, index) in &plan.moves {
        let successor = opened
            .get(*index)
            .ok_or_else(|| ApiError::internal("a move to a successor that was not opened"))?
            .row
            .id;
        link_parent(tx.conn, *child, successor, day).await?;
        moved.push(Moved {
            unit_id: *child,
            successor_id: successor,
        });
    }
    for predecessor in &plan.close {
        for successor in &opened {
            repo::restructurings::insert_succession(
                tx.conn,
                row.id,
                *predecessor,
                successor.row.id,
            )
            .await?;
        }
    }
    let done = with_links(tx.conn, row, moved).await?;
    let action = if kind == RestructuringKind::Merge {
        "org_unit.merge"
    } else {
        "org_unit.split"
    };
    for unit in done.units() {
        tx.created(action, done.row.id, Some(unit), &done);
    }
    Ok(done)
}

fn no_valid_from(units: &[&NewUnit]) -> Result<(), ApiError> {
    if units.iter().any(|u| u.valid_from.is_some()) {
        return Err(ApiError::unprocessable(
            "successors start on the effective date; omit valid_from",
            "đơn vị kế thừa bắt đầu từ ngày có hiệu lực; không gửi valid_from",
        ));
    }
    Ok(())
}

/// Merges the predecessors into one new successor from the effective date.
pub async fn merge(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    req: MergeRequest,
) -> Result<Restructured, ApiError> {
    no_valid_from(&[&req.successor])?;
    in_tx(conn, caller, async |tx| {
        unit_policy::may_place(
            tx.conn,
            caller,
            req.successor.parent_id,
            "successor.parent_id",
        )
        .await?;
        let mut units = Vec::new();
        for (i, id) in req.predecessor_ids.iter().enumerate() {
            let field = format!("predecessor_ids[{i}]");
            units.push(unit_at(tx.conn, caller, *id, req.effective_date, &field).await?);
        }
        let plan = plan_merge(&units, req.effective_date).map_err(ApiError::violations)?;
        let decision = Decision {
            kind: RestructuringKind::Merge,
            day: req.effective_date,
            decision_ref: req.decision_ref,
            note: req.note,
        };
        apply(tx, decision, plan, std::slice::from_ref(&req.successor)).await
    })
    .await
}

/// Splits the predecessor into successors from the effective date.
pub async fn split(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    req: SplitRequest,
) -> Result<Restructured, ApiError> {
    no_valid_from(&req.successors.iter().collect::<Vec<_>>())?;
    in_tx(conn, caller, async |tx| {
        for (i, s) in req.successors.iter().enumerate() {
            let field = format!("successors[{i}].parent_id");
            unit_policy::may_place(tx.conn, caller, s.parent_id, &field).await?;
        }
        let unit = unit_at(
            tx.conn,
            caller,
            req.predecessor_id,
            req.effective_date,
            "predecessor_id",
        )
        .await?;
        let codes: Vec<String> = req.successors.iter().map(|s| s.code.clone()).collect();
        let plan = plan_split(&unit, &codes, &req.child_assignments, req.effective_date)
            .map_err(ApiError::violations)?;
        let decision = Decision {
            kind: RestructuringKind::Split,
            day: req.effective_date,
            decision_ref: req.decision_ref,
            note: req.note,
        };
        apply(tx, decision, plan, &req.successors).await
    })
    .await
}
