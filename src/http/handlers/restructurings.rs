//! Restructuring: merges and splits that close units and open successors, recording
//! predecessor→successor links so history survives (e.g. the two-tier reform of 1 July 2025).

use std::collections::HashMap;

use actix_web::{get, post};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use scoped_futures::ScopedFutureExt;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use super::units::{close_unit, insert_unit, link_parent, parent_on, unknown, NewUnit};
use crate::auth::Caller;
use crate::db::audit::{self, Change};
use crate::db::models::{RestructuringRow, UnitRow};
use crate::db::schema::{org_unit_parents, org_units, restructurings, unit_successions};
use crate::domain::restructuring::{plan_merge, plan_split, Plan, UnitAtDate};
use crate::domain::roles::Permission;
use crate::domain::validity::Validity;
use crate::domain::vocab::RestructuringKind;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{created, cursor_after, ok_tagged, Page, PageParams, ValidJson};
use crate::http::openapi::{ReadErrors, WriteErrors};
use crate::http::AppState;

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list).service(merge).service(split).service(get);
}

/// A child moved to a successor by a restructuring.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MovedChild {
    /// The child unit.
    pub unit_id: Uuid,
    /// Its new parent.
    pub successor_id: Uuid,
}

/// A merge or split.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Restructuring {
    /// Id.
    pub id: Uuid,
    /// `merge` or `split`.
    pub kind: RestructuringKind,
    /// First day of the successors; predecessors closed the day before.
    pub effective_date: NaiveDate,
    /// The deciding document, e.g. "Nghị quyết số 202/2025/QH15".
    pub decision_ref: Option<String>,
    /// Note.
    pub note: Option<String>,
    /// Closed units.
    pub predecessor_ids: Vec<Uuid>,
    /// Opened units.
    pub successor_ids: Vec<Uuid>,
    /// Children re-attached to a successor (filled in on the response to the operation).
    pub moved_children: Vec<MovedChild>,
    /// Who recorded it.
    pub created_by: Option<Uuid>,
    /// When.
    pub created_at: DateTime<Utc>,
}

async fn view(
    conn: &mut AsyncPgConnection,
    row: RestructuringRow,
    moved: Vec<MovedChild>,
) -> Result<Restructuring, ApiError> {
    let links: Vec<(Uuid, Uuid)> = unit_successions::table
        .filter(unit_successions::restructuring_id.eq(row.id))
        .select((
            unit_successions::predecessor_id,
            unit_successions::successor_id,
        ))
        .load(conn)
        .await?;
    let mut predecessor_ids: Vec<Uuid> = links.iter().map(|l| l.0).collect();
    let mut successor_ids: Vec<Uuid> = links.iter().map(|l| l.1).collect();
    predecessor_ids.sort();
    predecessor_ids.dedup();
    successor_ids.sort();
    successor_ids.dedup();
    Ok(Restructuring {
        id: row.id,
        kind: RestructuringKind::parse(&row.kind).unwrap_or(RestructuringKind::Merge),
        effective_date: row.effective_date,
        decision_ref: row.decision_ref,
        note: row.note,
        predecessor_ids,
        successor_ids,
        moved_children: moved,
        created_by: row.created_by,
        created_at: row.created_at,
    })
}

/// Filters of the restructuring list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RestructuringFilter {
    /// Only restructurings touching this unit (as predecessor or successor).
    pub unit_id: Option<Uuid>,
    /// Only those effective on or after this day.
    pub from: Option<NaiveDate>,
    /// Only those effective on or before this day.
    pub to: Option<NaiveDate>,
}

/// List restructurings
///
/// Merges and splits touching units the caller can read, in the order they were recorded.
#[utoipa::path(tag = "organisation", params(RestructuringFilter, PageParams),
    responses((status = 200, description = "A page of restructurings", body = Page<Restructuring>), ReadErrors))]
#[get("/restructurings")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<RestructuringFilter>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let (limit, after) = (page.limit()?, page.after()?);
    let mut conn = state.pool.get().await?;
    let visible = caller.units_with(&mut conn, Permission::OrgRead).await?;
    let touching = unit_successions::table
        .filter(
            unit_successions::predecessor_id
                .eq_any(visible.clone())
                .or(unit_successions::successor_id.eq_any(visible)),
        )
        .select(unit_successions::restructuring_id);
    let mut q = restructurings::table
        .filter(restructurings::id.eq_any(touching))
        .select(RestructuringRow::as_select())
        .order(restructurings::id)
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(restructurings::id.gt(after));
    }
    if let Some(unit) = filter.unit_id {
        let touching_unit = unit_successions::table
            .filter(
                unit_successions::predecessor_id
                    .eq(unit)
                    .or(unit_successions::successor_id.eq(unit)),
            )
            .select(unit_successions::restructuring_id);
        q = q.filter(restructurings::id.eq_any(touching_unit));
    }
    if let Some(from) = filter.from {
        q = q.filter(restructurings::effective_date.ge(from));
    }
    if let Some(to) = filter.to {
        q = q.filter(restructurings::effective_date.le(to));
    }
    let mut rows: Vec<RestructuringRow> = q.load(&mut conn).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = if more {
        rows.last().map(|r| cursor_after(r.id))
    } else {
        None
    };
    let mut items = Vec::new();
    for row in rows {
        items.push(view(&mut conn, row, Vec::new()).await?);
    }
    Ok(HttpResponse::Ok().json(Page { items, next_cursor }))
}

/// Get a restructuring
///
/// One merge or split with its predecessors and successors.
#[utoipa::path(tag = "organisation",
    params(("id" = Uuid, Path, description = "Restructuring id")),
    responses((status = 200, description = "The restructuring", body = Restructuring, headers(("ETag" = String))), ReadErrors))]
#[get("/restructurings/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let row: RestructuringRow = restructurings::table
        .find(*id)
        .select(RestructuringRow::as_select())
        .first(&mut conn)
        .await?;
    let view = view(&mut conn, row, Vec::new()).await?;
    let mut visible = false;
    for unit in view.predecessor_ids.iter().chain(&view.successor_ids) {
        if caller.can(&mut conn, Permission::OrgRead, *unit).await? {
            visible = true;
            break;
        }
    }
    if !visible {
        return Err(ApiError::not_found());
    }
    Ok(ok_tagged(1, &view))
}

/// Merge units into a new successor.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    /// First day of the successor; the predecessors close the day before.
    pub effective_date: NaiveDate,
    /// The deciding document.
    #[validate(
        length(min = 1, max = 300),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub decision_ref: Option<String>,
    /// Note.
    #[validate(
        length(max = 2000),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub note: Option<String>,
    /// Units merged (at least two).
    #[validate(length(min = 2, max = 100))]
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
    #[validate(
        length(min = 1, max = 300),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub decision_ref: Option<String>,
    /// Note.
    #[validate(
        length(max = 2000),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub note: Option<String>,
    /// The unit split.
    pub predecessor_id: Uuid,
    /// The successor units (at least two; `valid_from` must be omitted).
    #[validate(length(min = 2, max = 100), nested)]
    pub successors: Vec<NewUnit>,
    /// For every current child of the predecessor: the code of the successor it moves to.
    #[serde(default)]
    pub child_assignments: HashMap<Uuid, String>,
}

/// Loads a unit and its children on `day` for planning; 404 (as 422) when invisible.
async fn unit_at(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    day: NaiveDate,
    field: &str,
) -> Result<UnitAtDate, ApiError> {
    caller
        .require(conn, Permission::OrgManage, Permission::OrgRead, id)
        .await
        .map_err(|e| {
            if e.status() == 404 {
                unknown(field, "unit")
            } else {
                e
            }
        })?;
    let row: UnitRow = org_units::table
        .find(id)
        .for_update()
        .select(UnitRow::as_select())
        .first(conn)
        .await?;
    let children: Vec<Uuid> = org_unit_parents::table
        .filter(org_unit_parents::parent_id.eq(id))
        .filter(org_unit_parents::valid_from.le(day))
        .filter(
            org_unit_parents::valid_to
                .is_null()
                .or(org_unit_parents::valid_to.ge(day)),
        )
        .select(org_unit_parents::unit_id)
        .load(conn)
        .await?;
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

/// Applies a plan: successors opened, children moved, predecessors closed, links recorded.
async fn apply(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    decision: Decision,
    plan: Plan,
    successors: &[NewUnit],
) -> Result<Restructuring, ApiError> {
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
        kind: kind.as_str().to_owned(),
        effective_date: day,
        decision_ref,
        note,
        created_by: Some(caller.account_id),
        created_at: Utc::now(),
    };
    diesel::insert_into(restructurings::table)
        .values(&row)
        .execute(conn)
        .await?;
    // Detach the moving children first so the predecessors can close.
    for (child, _) in &plan.moves {
        if let Some(link) = parent_on(conn, *child, day).await? {
            diesel::update(org_unit_parents::table.find(link.id))
                .set(org_unit_parents::valid_to.eq(last_day.max(link.valid_from)))
                .execute(conn)
                .await?;
        }
    }
    let reason = format!("{} effective {day}", kind.as_str());
    for unit in &plan.close {
        close_unit(conn, *unit, last_day, &reason).await?;
        diesel::update(org_units::table.find(unit))
            .set((
                org_units::version.eq(org_units::version + 1),
                org_units::updated_at.eq(Utc::now()),
            ))
            .execute(conn)
            .await?;
    }
    let mut opened = Vec::new();
    for (i, new) in successors.iter().enumerate() {
        let prefix = if successors.len() == 1 && kind == RestructuringKind::Merge {
            "successor.".to_string()
        } else {
            format!("successors[{i}].")
        };
        opened.push(insert_unit(conn, new, day, &prefix).await?);
    }
    let mut moved = Vec::new();
    for (child, index) in &plan.moves {
        let successor = opened[*index].id;
        link_parent(conn, *child, successor, day).await?;
        moved.push(MovedChild {
            unit_id: *child,
            successor_id: successor,
        });
    }
    for predecessor in &plan.close {
        for successor in &opened {
            diesel::insert_into(unit_successions::table)
                .values((
                    unit_successions::restructuring_id.eq(row.id),
                    unit_successions::predecessor_id.eq(predecessor),
                    unit_successions::successor_id.eq(successor.id),
                ))
                .execute(conn)
                .await?;
        }
    }
    let view = view(conn, row, moved).await?;
    for unit in view.predecessor_ids.iter().chain(&view.successor_ids) {
        audit::record(
            conn,
            Some(caller),
            Change {
                action: if kind == RestructuringKind::Merge {
                    "org_unit.merge"
                } else {
                    "org_unit.split"
                },
                resource_type: "restructuring",
                resource_id: Some(view.id),
                unit_id: Some(*unit),
                before: None::<&()>,
                after: Some(&view),
            },
        )
        .await?;
    }
    Ok(view)
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

/// Merge units
///
/// Closes every predecessor the day before `effective_date`, opens the successor from that
/// day, moves the predecessors' current children under it, ends their open posts, and records
/// the predecessor→successor links. The tree as of earlier dates is unchanged. Needs `admin`
/// on every predecessor and on the successor's parent.
#[utoipa::path(tag = "organisation", request_body = MergeRequest,
    responses((status = 201, description = "Merged", body = Restructuring, headers(("Location" = String))), WriteErrors))]
#[post("/restructurings/merge")]
pub async fn merge(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<MergeRequest>,
) -> ApiResult<HttpResponse> {
    let req = body.0;
    no_valid_from(&[&req.successor])?;
    let mut conn = state.pool.get().await?;
    let view = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                successor_parent_allowed(conn, &caller, &req.successor, "successor.parent_id")
                    .await?;
                let mut units = Vec::new();
                for (i, id) in req.predecessor_ids.iter().enumerate() {
                    units.push(
                        unit_at(
                            conn,
                            &caller,
                            *id,
                            req.effective_date,
                            &format!("predecessor_ids[{i}]"),
                        )
                        .await?,
                    );
                }
                let plan = plan_merge(&units, req.effective_date).map_err(ApiError::violations)?;
                let decision = Decision {
                    kind: RestructuringKind::Merge,
                    day: req.effective_date,
                    decision_ref: req.decision_ref,
                    note: req.note,
                };
                apply(conn, &caller, decision, plan, &[req.successor]).await
            }
            .scope_boxed()
        })
        .await?;
    Ok(created(
        format!("/api/v1/restructurings/{}", view.id),
        1,
        &view,
    ))
}

/// Split a unit
///
/// Closes the predecessor the day before `effective_date`, opens every successor from that
/// day, moves each current child to the successor named in `child_assignments`, and records
/// the links. Needs `admin` on the predecessor and on each successor's parent.
#[utoipa::path(tag = "organisation", request_body = SplitRequest,
    responses((status = 201, description = "Split", body = Restructuring, headers(("Location" = String))), WriteErrors))]
#[post("/restructurings/split")]
pub async fn split(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<SplitRequest>,
) -> ApiResult<HttpResponse> {
    let req = body.0;
    no_valid_from(&req.successors.iter().collect::<Vec<_>>())?;
    let mut conn = state.pool.get().await?;
    let view = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                for (i, s) in req.successors.iter().enumerate() {
                    successor_parent_allowed(
                        conn,
                        &caller,
                        s,
                        &format!("successors[{i}].parent_id"),
                    )
                    .await?;
                }
                let unit = unit_at(
                    conn,
                    &caller,
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
                apply(conn, &caller, decision, plan, &req.successors).await
            }
            .scope_boxed()
        })
        .await?;
    Ok(created(
        format!("/api/v1/restructurings/{}", view.id),
        1,
        &view,
    ))
}

async fn successor_parent_allowed(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    unit: &NewUnit,
    field: &str,
) -> Result<(), ApiError> {
    match unit.parent_id {
        Some(parent) => caller
            .require(conn, Permission::OrgManage, Permission::OrgRead, parent)
            .await
            .map_err(|e| {
                if e.status() == 404 {
                    unknown(field, "parent unit")
                } else {
                    e
                }
            }),
        None => caller.require_global(conn, Permission::OrgManage).await,
    }
}
