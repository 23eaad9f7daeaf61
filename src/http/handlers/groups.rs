//! Groups of units for a year (e.g. the four groups of the 2022 round), owned by the unit that
//! assigns and evaluates them.

use std::collections::HashMap;

use actix_web::{delete, get, patch, post};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use scoped_futures::ScopedFutureExt;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use super::units::unknown;
use crate::auth::Caller;
use crate::db::audit::{self, Change};
use crate::db::models::GroupRow;
use crate::db::schema::{org_group_members, org_groups};
use crate::domain::roles::Permission;
use crate::domain::Violation;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{created, ok_tagged, IfMatch, Page, PageParams, ValidJson};
use crate::http::openapi::{DeleteErrors, ReadErrors, UpdateErrors, WriteErrors};
use crate::http::AppState;

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get)
        .service(update)
        .service(delete)
        .service(add_member)
        .service(remove_member);
}

/// A group of units for a year, owned by an assigning unit.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Group {
    /// Id.
    pub id: Uuid,
    /// The unit that owns the group (assigns tasks to and evaluates its members).
    pub owner_unit_id: Uuid,
    /// Year of the round, e.g. 2022.
    pub year: i32,
    /// Code, unique per owner and year, e.g. `nhom-1`.
    pub code: String,
    /// Vietnamese label, e.g. "Nhóm 1: các sở, ban, ngành".
    pub label_vi: String,
    /// English label.
    pub label_en: Option<String>,
    /// Member units, sorted by id.
    pub member_ids: Vec<Uuid>,
    /// Version, also the ETag.
    pub version: i32,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Last changed at.
    pub updated_at: DateTime<Utc>,
}

impl Group {
    fn new(r: GroupRow, mut member_ids: Vec<Uuid>) -> Self {
        member_ids.sort();
        Self {
            id: r.id,
            owner_unit_id: r.owner_unit_id,
            year: r.year,
            code: r.code,
            label_vi: r.label_vi,
            label_en: r.label_en,
            member_ids,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// Loads one group with its members.
async fn load(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Group, ApiError> {
    let row: GroupRow = org_groups::table
        .find(id)
        .select(GroupRow::as_select())
        .first(conn)
        .await?;
    let members: Vec<Uuid> = org_group_members::table
        .filter(org_group_members::group_id.eq(id))
        .select(org_group_members::unit_id)
        .load(conn)
        .await?;
    Ok(Group::new(row, members))
}

/// Filters of the group list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GroupFilter {
    /// Only groups owned by this unit.
    pub owner_unit_id: Option<Uuid>,
    /// Only groups of this year.
    pub year: Option<i32>,
    /// Only groups having this unit as a member.
    pub member_id: Option<Uuid>,
}

/// List groups
///
/// Groups whose owner unit the caller can read, ordered by id (creation order), with cursor
/// pagination. Filter by owner, year or member unit.
#[utoipa::path(tag = "organisation", params(GroupFilter, PageParams),
    responses((status = 200, description = "A page of groups", body = Page<Group>), ReadErrors))]
#[get("/groups")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<GroupFilter>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let (limit, after) = (page.limit()?, page.after()?);
    let mut conn = state.pool.get().await?;
    let visible = caller.units_with(&mut conn, Permission::OrgRead).await?;
    let mut q = org_groups::table
        .filter(org_groups::owner_unit_id.eq_any(visible))
        .select(GroupRow::as_select())
        .order(org_groups::id)
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(org_groups::id.gt(after));
    }
    if let Some(owner) = filter.owner_unit_id {
        q = q.filter(org_groups::owner_unit_id.eq(owner));
    }
    if let Some(year) = filter.year {
        q = q.filter(org_groups::year.eq(year));
    }
    if let Some(member) = filter.member_id {
        let containing = org_group_members::table
            .filter(org_group_members::unit_id.eq(member))
            .select(org_group_members::group_id);
        q = q.filter(org_groups::id.eq_any(containing));
    }
    let rows: Vec<GroupRow> = q.load(&mut conn).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let links: Vec<(Uuid, Uuid)> = org_group_members::table
        .filter(org_group_members::group_id.eq_any(&ids))
        .select((org_group_members::group_id, org_group_members::unit_id))
        .load(&mut conn)
        .await?;
    let mut members: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for (group, unit) in links {
        members.entry(group).or_default().push(unit);
    }
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        limit,
        |r| r.id,
        |r| {
            let m = members.get(&r.id).cloned().unwrap_or_default();
            Group::new(r, m)
        },
    )))
}

/// Get a group
///
/// One group with its member units, with its ETag. Needs read access to the owner unit.
#[utoipa::path(tag = "organisation",
    params(("id" = Uuid, Path, description = "Group id")),
    responses((status = 200, description = "The group", body = Group, headers(("ETag" = String))), ReadErrors))]
#[get("/groups/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let group = load(&mut conn, *id).await?;
    caller
        .require(
            &mut conn,
            Permission::OrgRead,
            Permission::OrgRead,
            group.owner_unit_id,
        )
        .await?;
    Ok(ok_tagged(group.version, &group))
}

/// New group.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGroup {
    /// The owner unit; the caller needs `group_manage` on it.
    pub owner_unit_id: Uuid,
    /// Year of the round, 2000–2100.
    #[validate(range(min = 2000, max = 2100))]
    pub year: i32,
    /// Code, unique per owner and year.
    #[validate(
        length(min = 1, max = 50),
        custom(function = "crate::http::handlers::code_format")
    )]
    pub code: String,
    /// Vietnamese label.
    #[validate(
        length(min = 1, max = 300),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub label_vi: String,
    /// English label.
    #[validate(
        length(min = 1, max = 300),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub label_en: Option<String>,
    /// Member units (at most 500, distinct, readable by the caller, not the owner).
    #[validate(length(max = 500))]
    pub member_ids: Vec<Uuid>,
}

/// Why `unit` cannot join a group owned by `owner`, as a violation on `field`.
async fn member_violation(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    owner: Uuid,
    unit: Uuid,
    field: &str,
) -> Result<Option<Violation>, ApiError> {
    if unit == owner {
        return Ok(Some(Violation::new(
            field,
            "owner_as_member",
            "the owner unit cannot be a member of its own group",
            "đơn vị sở hữu nhóm không thể là thành viên của nhóm",
        )));
    }
    if !caller.can(conn, Permission::OrgRead, unit).await? {
        return Ok(Some(Violation::new(
            field,
            "unknown_reference",
            "no such unit",
            "không tồn tại",
        )));
    }
    Ok(None)
}

/// Create a group
///
/// Adds a group of units for a year under an owner unit. Needs `group_manage` on the owner;
/// every member must be a unit the caller can read, other than the owner. The code is unique
/// per owner and year (409 otherwise).
#[utoipa::path(tag = "organisation", request_body = NewGroup,
    responses((status = 201, description = "Created", body = Group, headers(("ETag" = String), ("Location" = String))), WriteErrors))]
#[post("/groups")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<NewGroup>,
) -> ApiResult<HttpResponse> {
    let new = body.0;
    let mut conn = state.pool.get().await?;
    caller
        .require(
            &mut conn,
            Permission::GroupManage,
            Permission::OrgRead,
            new.owner_unit_id,
        )
        .await
        .map_err(|e| {
            if e.status() == 404 {
                unknown("owner_unit_id", "unit")
            } else {
                e
            }
        })?;
    let mut violations = Vec::new();
    for (i, unit) in new.member_ids.iter().enumerate() {
        let field = format!("member_ids[{i}]");
        if new.member_ids[..i].contains(unit) {
            violations.push(Violation::new(
                field,
                "duplicate",
                "listed more than once",
                "bị lặp lại",
            ));
        } else if let Some(v) =
            member_violation(&mut conn, &caller, new.owner_unit_id, *unit, &field).await?
        {
            violations.push(v);
        }
    }
    if !violations.is_empty() {
        return Err(ApiError::violations(violations));
    }
    let group = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let now = Utc::now();
                let row = GroupRow {
                    id: Uuid::now_v7(),
                    owner_unit_id: new.owner_unit_id,
                    year: new.year,
                    code: new.code,
                    label_vi: new.label_vi,
                    label_en: new.label_en,
                    version: 1,
                    created_at: now,
                    updated_at: now,
                };
                let row: GroupRow = diesel::insert_into(org_groups::table)
                    .values(&row)
                    .returning(GroupRow::as_returning())
                    .get_result(conn)
                    .await?;
                let links: Vec<_> = new
                    .member_ids
                    .iter()
                    .map(|u| {
                        (
                            org_group_members::group_id.eq(row.id),
                            org_group_members::unit_id.eq(*u),
                        )
                    })
                    .collect();
                if !links.is_empty() {
                    diesel::insert_into(org_group_members::table)
                        .values(&links)
                        .execute(conn)
                        .await?;
                }
                let group = Group::new(row, new.member_ids);
                audit::record(
                    conn,
                    Some(&caller),
                    Change {
                        action: "org_group.create",
                        resource_type: "org_group",
                        resource_id: Some(group.id),
                        unit_id: Some(group.owner_unit_id),
                        before: None::<&()>,
                        after: Some(&group),
                    },
                )
                .await?;
                Ok(group)
            }
            .scope_boxed()
        })
        .await?;
    Ok(created(
        format!("/api/v1/groups/{}", group.id),
        group.version,
        &group,
    ))
}

/// Changes to a group; absent fields stay as they are. Members change through the member
/// endpoints.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupPatch {
    /// Code, unique per owner and year.
    #[validate(
        length(min = 1, max = 50),
        custom(function = "crate::http::handlers::code_format")
    )]
    pub code: Option<String>,
    /// Vietnamese label.
    #[validate(
        length(min = 1, max = 300),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub label_vi: Option<String>,
    /// English label.
    #[validate(
        length(min = 1, max = 300),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub label_en: Option<String>,
}

#[derive(AsChangeset)]
#[diesel(table_name = org_groups)]
struct GroupChanges {
    code: Option<String>,
    label_vi: Option<String>,
    label_en: Option<String>,
    version: i32,
    updated_at: DateTime<Utc>,
}

/// Guards a change to group `id`: locks it, checks `group_manage` on its owner and `If-Match`.
async fn lock_for_change(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
) -> Result<Group, ApiError> {
    let owner: Uuid = org_groups::table
        .find(id)
        .select(org_groups::owner_unit_id)
        .for_update()
        .first(conn)
        .await?;
    caller
        .require(conn, Permission::GroupManage, Permission::OrgRead, owner)
        .await?;
    let group = load(conn, id).await?;
    if_match.check(group.version)?;
    Ok(group)
}

/// Marks group `id` changed: bumps its version and returns it as it now stands.
async fn touch(conn: &mut AsyncPgConnection, id: Uuid, version: i32) -> Result<Group, ApiError> {
    diesel::update(org_groups::table.find(id))
        .set((
            org_groups::version.eq(version + 1),
            org_groups::updated_at.eq(Utc::now()),
        ))
        .execute(conn)
        .await?;
    load(conn, id).await
}

/// Update a group
///
/// Changes a group's code or labels. Needs `If-Match` and `group_manage` on the owner unit.
#[utoipa::path(tag = "organisation", request_body = GroupPatch,
    params(("id" = Uuid, Path, description = "Group id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Updated", body = Group, headers(("ETag" = String))), UpdateErrors))]
#[patch("/groups/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<GroupPatch>,
) -> ApiResult<HttpResponse> {
    let (id, patch) = (*id, body.0);
    let mut conn = state.pool.get().await?;
    let group = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let before = lock_for_change(conn, &caller, id, &if_match).await?;
                let changes = GroupChanges {
                    code: patch.code,
                    label_vi: patch.label_vi,
                    label_en: patch.label_en,
                    version: before.version + 1,
                    updated_at: Utc::now(),
                };
                diesel::update(org_groups::table.find(id))
                    .set(&changes)
                    .execute(conn)
                    .await?;
                let after = load(conn, id).await?;
                audit::record(
                    conn,
                    Some(&caller),
                    Change {
                        action: "org_group.update",
                        resource_type: "org_group",
                        resource_id: Some(id),
                        unit_id: Some(after.owner_unit_id),
                        before: Some(&before),
                        after: Some(&after),
                    },
                )
                .await?;
                Ok(after)
            }
            .scope_boxed()
        })
        .await?;
    Ok(ok_tagged(group.version, &group))
}

/// Delete a group
///
/// Removes a group and its member list. Needs `If-Match` and `group_manage` on the owner unit.
#[utoipa::path(tag = "organisation",
    params(("id" = Uuid, Path, description = "Group id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 204, description = "Deleted"), DeleteErrors))]
#[delete("/groups/{id}")]
pub async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let id = *id;
    let mut conn = state.pool.get().await?;
    conn.transaction::<_, ApiError, _>(|conn| {
        async move {
            let before = lock_for_change(conn, &caller, id, &if_match).await?;
            diesel::delete(org_group_members::table.filter(org_group_members::group_id.eq(id)))
                .execute(conn)
                .await?;
            diesel::delete(org_groups::table.find(id))
                .execute(conn)
                .await
                .map_err(super::still_referenced)?;
            audit::record(
                conn,
                Some(&caller),
                Change {
                    action: "org_group.delete",
                    resource_type: "org_group",
                    resource_id: Some(id),
                    unit_id: Some(before.owner_unit_id),
                    before: Some(&before),
                    after: None::<&()>,
                },
            )
            .await?;
            Ok(())
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A unit to add to a group.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMember {
    /// The unit: one the caller can read, other than the group's owner.
    pub unit_id: Uuid,
}

/// Add a member
///
/// Adds a unit to the group (409 if it is already a member) and returns the group with its
/// new ETag. Needs `If-Match` on the group and `group_manage` on the owner unit.
#[utoipa::path(tag = "organisation", request_body = NewMember,
    params(("id" = Uuid, Path, description = "Group id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "The group with the new member", body = Group, headers(("ETag" = String))), UpdateErrors))]
#[post("/groups/{id}/members")]
pub async fn add_member(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<NewMember>,
) -> ApiResult<HttpResponse> {
    let (id, unit) = (*id, body.0.unit_id);
    let mut conn = state.pool.get().await?;
    let group = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let before = lock_for_change(conn, &caller, id, &if_match).await?;
                if let Some(v) =
                    member_violation(conn, &caller, before.owner_unit_id, unit, "unit_id").await?
                {
                    return Err(ApiError::violations(vec![v]));
                }
                if before.member_ids.contains(&unit) {
                    return Err(ApiError::conflict(
                        "the unit is already a member of the group",
                        "đơn vị đã là thành viên của nhóm",
                    ));
                }
                diesel::insert_into(org_group_members::table)
                    .values((
                        org_group_members::group_id.eq(id),
                        org_group_members::unit_id.eq(unit),
                    ))
                    .execute(conn)
                    .await?;
                let after = touch(conn, id, before.version).await?;
                audit::record(
                    conn,
                    Some(&caller),
                    Change {
                        action: "org_group.add_member",
                        resource_type: "org_group",
                        resource_id: Some(id),
                        unit_id: Some(after.owner_unit_id),
                        before: Some(&before),
                        after: Some(&after),
                    },
                )
                .await?;
                Ok(after)
            }
            .scope_boxed()
        })
        .await?;
    Ok(ok_tagged(group.version, &group))
}

/// Remove a member
///
/// Removes a unit from the group (404 if it is not a member) and returns the group with its
/// new ETag. Needs `If-Match` on the group and `group_manage` on the owner unit.
#[utoipa::path(tag = "organisation",
    params(
        ("id" = Uuid, Path, description = "Group id"),
        ("unit_id" = Uuid, Path, description = "Member unit id"),
        ("If-Match" = String, Header, description = "ETag last read of the group")
    ),
    responses((status = 200, description = "The group without the member", body = Group, headers(("ETag" = String))), DeleteErrors))]
#[delete("/groups/{id}/members/{unit_id}")]
pub async fn remove_member(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let (id, unit) = path.into_inner();
    let mut conn = state.pool.get().await?;
    let group = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let before = lock_for_change(conn, &caller, id, &if_match).await?;
                let removed = diesel::delete(
                    org_group_members::table
                        .filter(org_group_members::group_id.eq(id))
                        .filter(org_group_members::unit_id.eq(unit)),
                )
                .execute(conn)
                .await?;
                if removed == 0 {
                    return Err(ApiError::not_found().detail(
                        "the unit is not a member of the group",
                        "đơn vị không phải là thành viên của nhóm",
                    ));
                }
                let after = touch(conn, id, before.version).await?;
                audit::record(
                    conn,
                    Some(&caller),
                    Change {
                        action: "org_group.remove_member",
                        resource_type: "org_group",
                        resource_id: Some(id),
                        unit_id: Some(after.owner_unit_id),
                        before: Some(&before),
                        after: Some(&after),
                    },
                )
                .await?;
                Ok(after)
            }
            .scope_boxed()
        })
        .await?;
    Ok(ok_tagged(group.version, &group))
}
