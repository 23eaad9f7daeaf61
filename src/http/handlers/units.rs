//! Organisation units: the tree of any depth, read as of any date, with dated parent links.

use actix_web::{delete, get, patch, post};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Date, Integer, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use scoped_futures::ScopedFutureExt;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use crate::auth::Caller;
use crate::db::audit::{self, Change};
use crate::db::models::{LevelRow, ParentLinkRow, PostRow, UnitRow};
use crate::db::schema::{
    org_levels, org_unit_parents, org_units, posts, restructurings, unit_successions,
};
use crate::domain::roles::Permission;
use crate::domain::tree::{check_child, Placement};
use crate::domain::validity::Validity;
use crate::domain::vocab::UnitType;
use crate::error::{ApiError, ApiResult, Msg};
use crate::http::extract::{created, ok_tagged, AsOfParams, IfMatch, Page, PageParams, ValidJson};
use crate::http::openapi::{DeleteErrors, ReadErrors, UpdateErrors, WriteErrors};
use crate::http::AppState;

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get)
        .service(update)
        .service(delete)
        .service(subtree)
        .service(history)
        .service(move_unit)
        .service(close);
}

/// An organisation unit as of a date.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OrgUnit {
    /// Id.
    pub id: Uuid,
    /// Master-data code, unique among units valid at the same time.
    pub code: String,
    /// Vietnamese name, e.g. "Sở Tài nguyên và Môi trường".
    pub name: String,
    /// Short name.
    pub short_name: Option<String>,
    /// Kind of unit.
    pub unit_type: UnitType,
    /// Level id.
    pub level_id: Uuid,
    /// Level code.
    pub level_code: String,
    /// Parent on the date read (absent for a top unit or when no parent link is valid then).
    pub parent_id: Option<Uuid>,
    /// First valid day.
    pub valid_from: NaiveDate,
    /// Last valid day; absent while the unit exists.
    pub valid_to: Option<NaiveDate>,
    /// Version, also the ETag.
    pub version: i32,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Last changed at.
    pub updated_at: DateTime<Utc>,
}

impl OrgUnit {
    fn new(r: UnitRow, level_code: String, parent_id: Option<Uuid>) -> Self {
        Self {
            id: r.id,
            code: r.code,
            name: r.name,
            short_name: r.short_name,
            unit_type: UnitType::parse(&r.unit_type).unwrap_or(UnitType::Other),
            level_id: r.level_id,
            level_code,
            parent_id,
            valid_from: r.valid_from,
            valid_to: r.valid_to,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// Loads one unit with its level code and its parent on `day`.
pub(crate) async fn load(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    day: NaiveDate,
) -> Result<OrgUnit, ApiError> {
    let (row, level_code): (UnitRow, String) = org_units::table
        .inner_join(org_levels::table)
        .filter(org_units::id.eq(id))
        .select((UnitRow::as_select(), org_levels::code))
        .first(conn)
        .await?;
    let parent = parent_on(conn, id, day).await?.map(|l| l.parent_id);
    Ok(OrgUnit::new(row, level_code, parent))
}

/// The parent link of `unit` valid on `day`.
pub(crate) async fn parent_on(
    conn: &mut AsyncPgConnection,
    unit: Uuid,
    day: NaiveDate,
) -> Result<Option<ParentLinkRow>, ApiError> {
    Ok(org_unit_parents::table
        .filter(org_unit_parents::unit_id.eq(unit))
        .filter(org_unit_parents::valid_from.le(day))
        .filter(
            org_unit_parents::valid_to
                .is_null()
                .or(org_unit_parents::valid_to.ge(day)),
        )
        .select(ParentLinkRow::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Level rank and validity of a unit, for placement rules.
pub(crate) async fn placement(
    conn: &mut AsyncPgConnection,
    unit: Uuid,
) -> Result<Placement, ApiError> {
    let (from, to, rank): (NaiveDate, Option<NaiveDate>, i32) = org_units::table
        .inner_join(org_levels::table)
        .filter(org_units::id.eq(unit))
        .select((org_units::valid_from, org_units::valid_to, org_levels::rank))
        .first(conn)
        .await?;
    Ok(Placement {
        level_rank: rank,
        validity: Validity { from, to },
    })
}

/// Filters of the unit list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitFilter {
    /// Date at which to read the tree (default today).
    pub as_of: Option<NaiveDate>,
    /// Also list units not valid on `as_of`.
    pub include_closed: Option<bool>,
    /// Only children of this unit (as of the date).
    pub parent_id: Option<Uuid>,
    /// Only this master-data code.
    pub code: Option<String>,
    /// Only this level code.
    pub level: Option<String>,
    /// Only this kind of unit.
    pub unit_type: Option<UnitType>,
    /// Name contains this text (case-insensitive).
    pub q: Option<String>,
}

/// List units
///
/// Units visible to the caller, valid on `as_of` (default today) unless `include_closed`,
/// ordered by id (creation order), with cursor pagination.
#[utoipa::path(tag = "organisation", params(UnitFilter, PageParams),
    responses((status = 200, description = "A page of units", body = Page<OrgUnit>), ReadErrors))]
#[get("/org-units")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<UnitFilter>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let (limit, after) = (page.limit()?, page.after()?);
    let day = filter.as_of.unwrap_or_else(|| Utc::now().date_naive());
    let mut conn = state.pool.get().await?;
    let visible = caller.units_with(&mut conn, Permission::OrgRead).await?;
    let parent_link = org_unit_parents::table.on(org_unit_parents::unit_id.eq(org_units::id).and(
        org_unit_parents::valid_from.le(day).and(
            org_unit_parents::valid_to
                .is_null()
                .or(org_unit_parents::valid_to.ge(day)),
        ),
    ));
    let mut q = org_units::table
        .inner_join(org_levels::table)
        .left_join(parent_link)
        .filter(org_units::id.eq_any(visible))
        .select((
            UnitRow::as_select(),
            org_levels::code,
            org_unit_parents::parent_id.nullable(),
        ))
        .order(org_units::id)
        .limit(limit + 1)
        .into_boxed();
    if !filter.include_closed.unwrap_or(false) {
        q = q.filter(org_units::valid_from.le(day)).filter(
            org_units::valid_to
                .is_null()
                .or(org_units::valid_to.ge(day)),
        );
    }
    if let Some(after) = after {
        q = q.filter(org_units::id.gt(after));
    }
    if let Some(parent) = filter.parent_id {
        q = q.filter(org_unit_parents::parent_id.eq(parent));
    }
    if let Some(code) = &filter.code {
        q = q.filter(org_units::code.eq(code.clone()));
    }
    if let Some(level) = &filter.level {
        q = q.filter(org_levels::code.eq(level.clone()));
    }
    if let Some(t) = filter.unit_type {
        q = q.filter(org_units::unit_type.eq(t.as_str()));
    }
    if let Some(text) = filter.q.as_deref().filter(|t| !t.is_empty()) {
        let pattern = super::contains_pattern(text);
        q = q.filter(org_units::name.ilike(pattern));
    }
    let rows: Vec<(UnitRow, String, Option<Uuid>)> = q.load(&mut conn).await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        limit,
        |r| r.0.id,
        |(r, l, p)| OrgUnit::new(r, l, p),
    )))
}

/// Get a unit
///
/// One unit with its parent on `as_of` (default today).
#[utoipa::path(tag = "organisation",
    params(("id" = Uuid, Path, description = "Unit id"), AsOfParams),
    responses((status = 200, description = "The unit", body = OrgUnit, headers(("ETag" = String))), ReadErrors))]
#[get("/org-units/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    as_of: web::Query<AsOfParams>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    caller
        .require(&mut conn, Permission::OrgRead, Permission::OrgRead, *id)
        .await?;
    let unit = load(&mut conn, *id, as_of.date()).await?;
    Ok(ok_tagged(unit.version, &unit))
}

/// New unit.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUnit {
    /// Master-data code.
    #[validate(
        length(min = 1, max = 50),
        custom(function = "crate::http::handlers::code_format")
    )]
    pub code: String,
    /// Vietnamese name.
    #[validate(
        length(min = 1, max = 300),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub name: String,
    /// Short name.
    #[validate(
        length(min = 1, max = 100),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub short_name: Option<String>,
    /// Kind of unit.
    pub unit_type: UnitType,
    /// Level id.
    pub level_id: Uuid,
    /// Parent unit; absent for a new top unit (needs `admin` over a whole tree).
    pub parent_id: Option<Uuid>,
    /// First valid day (default today).
    pub valid_from: Option<NaiveDate>,
}

/// Inserts a unit and its parent link, checking placement rules. Returns the new unit.
pub(crate) async fn insert_unit(
    conn: &mut AsyncPgConnection,
    new: &NewUnit,
    valid_from: NaiveDate,
    field_prefix: &str,
) -> Result<OrgUnit, ApiError> {
    let level: LevelRow = org_levels::table
        .find(new.level_id)
        .select(LevelRow::as_select())
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| unknown(&format!("{field_prefix}level_id"), "level"))?;
    if let Some(parent) = new.parent_id {
        let parent_place = placement(conn, parent).await?;
        let child = Placement {
            level_rank: level.rank,
            validity: Validity {
                from: valid_from,
                to: None,
            },
        };
        let errors = check_child(&parent_place, &child, &format!("{field_prefix}parent_id"));
        if !errors.is_empty() {
            return Err(ApiError::violations(errors));
        }
    }
    let now = Utc::now();
    let row = UnitRow {
        id: Uuid::now_v7(),
        code: new.code.clone(),
        name: new.name.clone(),
        short_name: new.short_name.clone(),
        unit_type: new.unit_type.as_str().to_owned(),
        level_id: level.id,
        valid_from,
        valid_to: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    diesel::insert_into(org_units::table)
        .values(&row)
        .execute(conn)
        .await?;
    if let Some(parent) = new.parent_id {
        link_parent(conn, row.id, parent, valid_from).await?;
    }
    Ok(OrgUnit::new(row, level.code, new.parent_id))
}

/// Opens a parent link from `from` on.
pub(crate) async fn link_parent(
    conn: &mut AsyncPgConnection,
    unit: Uuid,
    parent: Uuid,
    from: NaiveDate,
) -> Result<(), ApiError> {
    let link = ParentLinkRow {
        id: Uuid::now_v7(),
        unit_id: unit,
        parent_id: parent,
        valid_from: from,
        valid_to: None,
    };
    diesel::insert_into(org_unit_parents::table)
        .values(&link)
        .execute(conn)
        .await?;
    Ok(())
}

/// A 422 for a reference to something that does not exist (or is not visible).
pub(crate) fn unknown(field: &str, what: &str) -> ApiError {
    ApiError::unknown(field, what)
}

/// Create a unit
///
/// Adds a unit under `parent_id` (needs `admin` on the parent) or as a new top unit (needs
/// `admin` over a whole tree). The parent must be valid on `valid_from` and its level may not rank
/// below the new unit's (a department sits at its province's level).
#[utoipa::path(tag = "organisation", request_body = NewUnit,
    responses((status = 201, description = "Created", body = OrgUnit, headers(("ETag" = String), ("Location" = String))), WriteErrors))]
#[post("/org-units")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<NewUnit>,
) -> ApiResult<HttpResponse> {
    let new = body.0;
    let valid_from = new.valid_from.unwrap_or_else(|| Utc::now().date_naive());
    let mut conn = state.pool.get().await?;
    match new.parent_id {
        Some(parent) => caller
            .require(
                &mut conn,
                Permission::OrgManage,
                Permission::OrgRead,
                parent,
            )
            .await
            .map_err(|e| {
                if e.status() == 404 {
                    unknown("parent_id", "parent unit")
                } else {
                    e
                }
            })?,
        None => {
            caller
                .require_global(&mut conn, Permission::OrgManage)
                .await?
        }
    }
    let unit = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let unit = insert_unit(conn, &new, valid_from, "").await?;
                audit::record(
                    conn,
                    Some(&caller),
                    Change {
                        action: "org_unit.create",
                        resource_type: "org_unit",
                        resource_id: Some(unit.id),
                        unit_id: Some(unit.id),
                        before: None::<&()>,
                        after: Some(&unit),
                    },
                )
                .await?;
                Ok(unit)
            }
            .scope_boxed()
        })
        .await?;
    Ok(created(
        format!("/api/v1/org-units/{}", unit.id),
        unit.version,
        &unit,
    ))
}

/// Changes to a unit; absent fields stay as they are. Validity and parent change through the
/// `close` and `move` actions and restructuring.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitPatch {
    /// Master-data code.
    #[validate(
        length(min = 1, max = 50),
        custom(function = "crate::http::handlers::code_format")
    )]
    pub code: Option<String>,
    /// Vietnamese name.
    #[validate(
        length(min = 1, max = 300),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub name: Option<String>,
    /// Short name.
    #[validate(
        length(min = 1, max = 100),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub short_name: Option<String>,
    /// Kind of unit.
    pub unit_type: Option<UnitType>,
}

#[derive(AsChangeset)]
#[diesel(table_name = org_units)]
struct UnitChanges {
    code: Option<String>,
    name: Option<String>,
    short_name: Option<String>,
    unit_type: Option<String>,
    version: i32,
    updated_at: DateTime<Utc>,
}

/// Guards a change to `id`: loads it locked, checks the caller's `admin` role on it and `If-Match`.
async fn lock_for_change(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
) -> Result<OrgUnit, ApiError> {
    org_units::table
        .find(id)
        .select(org_units::id)
        .for_update()
        .first::<Uuid>(conn)
        .await?;
    caller
        .require(conn, Permission::OrgManage, Permission::OrgRead, id)
        .await?;
    let unit = load(conn, id, Utc::now().date_naive()).await?;
    if_match.check(unit.version)?;
    Ok(unit)
}

/// Update a unit
///
/// Renames a unit or changes its code or kind. Needs `If-Match` and `admin` on the unit.
#[utoipa::path(tag = "organisation", request_body = UnitPatch,
    params(("id" = Uuid, Path, description = "Unit id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Updated", body = OrgUnit, headers(("ETag" = String))), UpdateErrors))]
#[patch("/org-units/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<UnitPatch>,
) -> ApiResult<HttpResponse> {
    let (id, patch) = (*id, body.0);
    let mut conn = state.pool.get().await?;
    let unit = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let before = lock_for_change(conn, &caller, id, &if_match).await?;
                let changes = UnitChanges {
                    code: patch.code,
                    name: patch.name,
                    short_name: patch.short_name,
                    unit_type: patch.unit_type.map(|t| t.as_str().to_owned()),
                    version: before.version + 1,
                    updated_at: Utc::now(),
                };
                diesel::update(org_units::table.find(id))
                    .set(&changes)
                    .execute(conn)
                    .await?;
                let after = load(conn, id, Utc::now().date_naive()).await?;
                audit::record(
                    conn,
                    Some(&caller),
                    Change {
                        action: "org_unit.update",
                        resource_type: "org_unit",
                        resource_id: Some(id),
                        unit_id: Some(id),
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
    Ok(ok_tagged(unit.version, &unit))
}

/// Delete a unit
///
/// Removes a unit entered by mistake. A unit that anything refers to (children, posts,
/// accounts, groups, restructuring) cannot be deleted (409): close it instead, so history is
/// kept. Needs `If-Match` and `admin` on the unit.
#[utoipa::path(tag = "organisation",
    params(("id" = Uuid, Path, description = "Unit id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 204, description = "Deleted"), DeleteErrors))]
#[delete("/org-units/{id}")]
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
            let children: i64 = org_unit_parents::table
                .filter(org_unit_parents::parent_id.eq(id))
                .count()
                .get_result(conn)
                .await?;
            if children > 0 {
                return Err(super::still_referenced(
                    diesel::result::Error::DatabaseError(
                        diesel::result::DatabaseErrorKind::ForeignKeyViolation,
                        Box::new("children".to_string()),
                    ),
                ));
            }
            diesel::delete(org_unit_parents::table.filter(org_unit_parents::unit_id.eq(id)))
                .execute(conn)
                .await?;
            diesel::delete(org_units::table.find(id))
                .execute(conn)
                .await
                .map_err(super::still_referenced)?;
            audit::record(
                conn,
                Some(&caller),
                Change {
                    action: "org_unit.delete",
                    resource_type: "org_unit",
                    resource_id: Some(id),
                    unit_id: Some(id),
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

/// A unit in a subtree, with its depth below the subtree's root.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SubtreeEntry {
    /// Depth: 0 for the root.
    pub depth: i32,
    /// The unit.
    pub unit: OrgUnit,
}

/// A subtree as of a date.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Subtree {
    /// The date read.
    pub as_of: NaiveDate,
    /// Units in depth-first order (each parent before its children, siblings by code).
    pub items: Vec<SubtreeEntry>,
}

#[derive(QueryableByName)]
struct TreeRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Integer)]
    depth: i32,
}

/// Subtree as of a date
///
/// The unit and every unit below it as the tree stood on `as_of` (default today): only units
/// and parent links valid on that day. Reading a date before a restructuring returns the tree
/// as it was.
#[utoipa::path(tag = "organisation",
    params(("id" = Uuid, Path, description = "Root unit id"), AsOfParams),
    responses((status = 200, description = "The subtree", body = Subtree), ReadErrors))]
#[get("/org-units/{id}/subtree")]
pub async fn subtree(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    as_of: web::Query<AsOfParams>,
) -> ApiResult<HttpResponse> {
    let day = as_of.date();
    let mut conn = state.pool.get().await?;
    caller
        .require(&mut conn, Permission::OrgRead, Permission::OrgRead, *id)
        .await?;
    let rows: Vec<TreeRow> = diesel::sql_query(
        "WITH RECURSIVE live AS (
             SELECT id, code FROM org_units WHERE valid_from <= $2 AND (valid_to IS NULL OR valid_to >= $2)),
         links AS (
             SELECT unit_id, parent_id FROM org_unit_parents WHERE valid_from <= $2 AND (valid_to IS NULL OR valid_to >= $2)),
         tree(id, depth, path) AS (
             SELECT id, 0, ARRAY[code] FROM live WHERE id = $1
             UNION ALL
             SELECT l.unit_id, t.depth + 1, t.path || u.code
             FROM tree t JOIN links l ON l.parent_id = t.id JOIN live u ON u.id = l.unit_id
             WHERE t.depth < 50)
         SELECT id, depth FROM tree ORDER BY path",
    )
    .bind::<SqlUuid, _>(*id)
    .bind::<Date, _>(day)
    .load(&mut conn)
    .await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let links: Vec<(Uuid, Uuid)> = org_unit_parents::table
        .filter(org_unit_parents::unit_id.eq_any(&ids))
        .filter(org_unit_parents::valid_from.le(day))
        .filter(
            org_unit_parents::valid_to
                .is_null()
                .or(org_unit_parents::valid_to.ge(day)),
        )
        .select((org_unit_parents::unit_id, org_unit_parents::parent_id))
        .load(&mut conn)
        .await?;
    let parents: std::collections::HashMap<Uuid, Uuid> = links.into_iter().collect();
    let units: Vec<(UnitRow, String)> = org_units::table
        .inner_join(org_levels::table)
        .filter(org_units::id.eq_any(&ids))
        .select((UnitRow::as_select(), org_levels::code))
        .load(&mut conn)
        .await?;
    let mut by_id: std::collections::HashMap<Uuid, OrgUnit> = units
        .into_iter()
        .map(|(r, l)| (r.id, OrgUnit::new(r, l, None)))
        .collect();
    let items = rows
        .into_iter()
        .filter_map(|r| {
            let mut unit = by_id.remove(&r.id)?;
            unit.parent_id = parents.get(&r.id).copied();
            Some(SubtreeEntry {
                depth: r.depth,
                unit,
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(Subtree { as_of: day, items }))
}

/// A dated parent link.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ParentLink {
    /// Parent unit.
    pub parent_id: Uuid,
    /// First day of the link.
    pub valid_from: NaiveDate,
    /// Last day of the link.
    pub valid_to: Option<NaiveDate>,
}

/// A predecessor→successor link made by a restructuring.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Succession {
    /// The other unit (predecessor or successor).
    pub unit_id: Uuid,
    /// The restructuring.
    pub restructuring_id: Uuid,
    /// `merge` or `split`.
    pub kind: String,
    /// The day the successor took over.
    pub effective_date: NaiveDate,
}

/// Where a unit came from and went to.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct UnitHistory {
    /// The unit.
    pub unit: OrgUnit,
    /// Its parent links, oldest first.
    pub parents: Vec<ParentLink>,
    /// Units it succeeded.
    pub predecessors: Vec<Succession>,
    /// Units that succeeded it.
    pub successors: Vec<Succession>,
}

/// Unit history
///
/// The unit's parent links over time and its predecessors and successors through merges and splits.
#[utoipa::path(tag = "organisation",
    params(("id" = Uuid, Path, description = "Unit id")),
    responses((status = 200, description = "The history", body = UnitHistory), ReadErrors))]
#[get("/org-units/{id}/history")]
pub async fn history(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let id = *id;
    let mut conn = state.pool.get().await?;
    caller
        .require(&mut conn, Permission::OrgRead, Permission::OrgRead, id)
        .await?;
    let unit = load(&mut conn, id, Utc::now().date_naive()).await?;
    let parents = org_unit_parents::table
        .filter(org_unit_parents::unit_id.eq(id))
        .order(org_unit_parents::valid_from)
        .select(ParentLinkRow::as_select())
        .load(&mut conn)
        .await?
        .into_iter()
        .map(|l| ParentLink {
            parent_id: l.parent_id,
            valid_from: l.valid_from,
            valid_to: l.valid_to,
        })
        .collect();
    let succession = |rows: Vec<(Uuid, Uuid, String, NaiveDate)>| {
        rows.into_iter()
            .map(
                |(unit_id, restructuring_id, kind, effective_date)| Succession {
                    unit_id,
                    restructuring_id,
                    kind,
                    effective_date,
                },
            )
            .collect::<Vec<_>>()
    };
    let predecessors = unit_successions::table
        .inner_join(
            restructurings::table.on(restructurings::id.eq(unit_successions::restructuring_id)),
        )
        .filter(unit_successions::successor_id.eq(id))
        .select((
            unit_successions::predecessor_id,
            restructurings::id,
            restructurings::kind,
            restructurings::effective_date,
        ))
        .load(&mut conn)
        .await?;
    let successors = unit_successions::table
        .inner_join(
            restructurings::table.on(restructurings::id.eq(unit_successions::restructuring_id)),
        )
        .filter(unit_successions::predecessor_id.eq(id))
        .select((
            unit_successions::successor_id,
            restructurings::id,
            restructurings::kind,
            restructurings::effective_date,
        ))
        .load(&mut conn)
        .await?;
    Ok(HttpResponse::Ok().json(UnitHistory {
        unit,
        parents,
        predecessors: succession(predecessors),
        successors: succession(successors),
    }))
}

/// Move a unit under another parent from a date.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveUnit {
    /// The new parent.
    pub parent_id: Uuid,
    /// First day under the new parent.
    pub effective_date: NaiveDate,
}

/// Move a unit
///
/// Re-attaches a unit to another parent from `effective_date`; the old link ends the day
/// before, so the tree as of earlier dates is unchanged. Needs `If-Match`, `admin` on the unit
/// and on the new parent.
#[utoipa::path(tag = "organisation", request_body = MoveUnit,
    params(("id" = Uuid, Path, description = "Unit id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Moved", body = OrgUnit, headers(("ETag" = String))), UpdateErrors))]
#[post("/org-units/{id}/move")]
pub async fn move_unit(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<MoveUnit>,
) -> ApiResult<HttpResponse> {
    let (id, req) = (*id, body.0);
    let mut conn = state.pool.get().await?;
    let unit = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let before = lock_for_change(conn, &caller, id, &if_match).await?;
                caller
                    .require(
                        conn,
                        Permission::OrgManage,
                        Permission::OrgRead,
                        req.parent_id,
                    )
                    .await
                    .map_err(|e| {
                        if e.status() == 404 {
                            unknown("parent_id", "parent unit")
                        } else {
                            e
                        }
                    })?;
                let day = req.effective_date;
                let me = placement(conn, id).await?;
                if !me.validity.contains(day) {
                    return Err(ApiError::violations(vec![crate::domain::Violation::new(
                        "effective_date",
                        "unit_not_valid",
                        "the unit is not valid on the effective date",
                        "đơn vị không có hiệu lực vào ngày này",
                    )]));
                }
                let parent = placement(conn, req.parent_id).await?;
                let errors = check_child(
                    &parent,
                    &Placement {
                        level_rank: me.level_rank,
                        validity: Validity {
                            from: day,
                            to: me.validity.to,
                        },
                    },
                    "parent_id",
                );
                if !errors.is_empty() {
                    return Err(ApiError::violations(errors));
                }
                let above = crate::auth::scope::descendants_or_self(conn, &[id]).await?;
                if above.contains(&req.parent_id) {
                    return Err(ApiError::unprocessable(
                        "a unit cannot move under itself or its descendants",
                        "không thể chuyển đơn vị vào chính cây con của nó",
                    )
                    .field(
                        "parent_id",
                        "cycle",
                        Msg::new("would create a cycle", "tạo thành vòng lặp"),
                    ));
                }
                let later: i64 = org_unit_parents::table
                    .filter(
                        org_unit_parents::unit_id
                            .eq(id)
                            .and(org_unit_parents::valid_from.gt(day)),
                    )
                    .count()
                    .get_result(conn)
                    .await?;
                if later > 0 {
                    return Err(ApiError::conflict(
                        "the unit already has a parent link starting after that date",
                        "đơn vị đã có liên kết cấp trên bắt đầu sau ngày này",
                    ));
                }
                if let Some(link) = parent_on(conn, id, day).await? {
                    if link.valid_from == day {
                        diesel::delete(org_unit_parents::table.find(link.id))
                            .execute(conn)
                            .await?;
                    } else {
                        diesel::update(org_unit_parents::table.find(link.id))
                            .set(org_unit_parents::valid_to.eq(day.pred_opt()))
                            .execute(conn)
                            .await?;
                    }
                }
                link_parent(conn, id, req.parent_id, day).await?;
                diesel::update(org_units::table.find(id))
                    .set((
                        org_units::version.eq(before.version + 1),
                        org_units::updated_at.eq(Utc::now()),
                    ))
                    .execute(conn)
                    .await?;
                let after = load(conn, id, day).await?;
                audit::record(
                    conn,
                    Some(&caller),
                    Change {
                        action: "org_unit.move",
                        resource_type: "org_unit",
                        resource_id: Some(id),
                        unit_id: Some(id),
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
    Ok(ok_tagged(unit.version, &unit))
}

/// Close a unit.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseUnit {
    /// Last valid day.
    pub valid_to: NaiveDate,
    /// Why (e.g. the dissolving decision).
    #[validate(
        length(min = 1, max = 1000),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub reason: String,
}

/// Close a unit
///
/// Ends a unit's validity on `valid_to`. Refused (409) while it has children after that day;
/// posts still open then end with it. Needs `If-Match` and `admin` on the unit.
#[utoipa::path(tag = "organisation", request_body = CloseUnit,
    params(("id" = Uuid, Path, description = "Unit id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Closed", body = OrgUnit, headers(("ETag" = String))), UpdateErrors))]
#[post("/org-units/{id}/close")]
pub async fn close(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<CloseUnit>,
) -> ApiResult<HttpResponse> {
    let (id, req) = (*id, body.0);
    let mut conn = state.pool.get().await?;
    let unit = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let before = lock_for_change(conn, &caller, id, &if_match).await?;
                if before.valid_to.is_some() {
                    return Err(ApiError::conflict(
                        "the unit is already closed",
                        "đơn vị đã kết thúc hoạt động",
                    ));
                }
                if req.valid_to < before.valid_from {
                    return Err(ApiError::violations(vec![crate::domain::Violation::new(
                        "valid_to",
                        "before_valid_from",
                        "a unit cannot close before it starts",
                        "ngày kết thúc không được trước ngày bắt đầu",
                    )]));
                }
                close_unit(conn, id, req.valid_to, &req.reason).await?;
                diesel::update(org_units::table.find(id))
                    .set((
                        org_units::version.eq(before.version + 1),
                        org_units::updated_at.eq(Utc::now()),
                    ))
                    .execute(conn)
                    .await?;
                let after = load(conn, id, req.valid_to).await?;
                audit::record(
                    conn,
                    Some(&caller),
                    Change {
                        action: "org_unit.close",
                        resource_type: "org_unit",
                        resource_id: Some(id),
                        unit_id: Some(id),
                        before: Some(&before),
                        after: Some(&serde_json::json!({ "unit": &after, "reason": req.reason })),
                    },
                )
                .await?;
                Ok(after)
            }
            .scope_boxed()
        })
        .await?;
    Ok(ok_tagged(unit.version, &unit))
}

/// Ends `unit` on `last_day`: its validity, its parent link, and its open posts. Refuses while
/// children remain attached after that day.
pub(crate) async fn close_unit(
    conn: &mut AsyncPgConnection,
    unit: Uuid,
    last_day: NaiveDate,
    reason: &str,
) -> Result<(), ApiError> {
    let open_children: i64 = org_unit_parents::table
        .filter(org_unit_parents::parent_id.eq(unit))
        .filter(
            org_unit_parents::valid_to
                .is_null()
                .or(org_unit_parents::valid_to.gt(last_day)),
        )
        .count()
        .get_result(conn)
        .await?;
    if open_children > 0 {
        return Err(ApiError::conflict(
            "the unit still has children after that day; move them first",
            "đơn vị vẫn còn đơn vị trực thuộc sau ngày này; hãy chuyển chúng trước",
        ));
    }
    diesel::update(org_units::table.find(unit))
        .set(org_units::valid_to.eq(last_day))
        .execute(conn)
        .await?;
    diesel::update(
        org_unit_parents::table
            .filter(org_unit_parents::unit_id.eq(unit))
            .filter(org_unit_parents::valid_from.le(last_day))
            .filter(
                org_unit_parents::valid_to
                    .is_null()
                    .or(org_unit_parents::valid_to.gt(last_day)),
            ),
    )
    .set(org_unit_parents::valid_to.eq(last_day))
    .execute(conn)
    .await?;
    let open_posts: Vec<PostRow> = posts::table
        .filter(posts::unit_id.eq(unit))
        .filter(posts::valid_to.is_null().or(posts::valid_to.gt(last_day)))
        .select(PostRow::as_select())
        .load(conn)
        .await?;
    for post in open_posts {
        let end = last_day.max(post.valid_from);
        diesel::update(posts::table.find(post.id))
            .set((
                posts::valid_to.eq(end),
                posts::end_reason.eq(format!("unit closed: {reason}")),
                posts::version.eq(post.version + 1),
                posts::updated_at.eq(Utc::now()),
            ))
            .execute(conn)
            .await?;
    }
    Ok(())
}
