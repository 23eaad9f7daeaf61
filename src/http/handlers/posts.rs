//! Posts: a cadre holds a post in a unit for a period. Heads change by ending one post and
//! appointing another, so the history of who held what stays readable.

use actix_web::{get, patch, post};
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

use super::units::unknown;
use crate::auth::Caller;
use crate::db::audit::{self, Change};
use crate::db::models::PostRow;
use crate::db::schema::{cadres, org_units, posts};
use crate::domain::roles::Permission;
use crate::domain::validity::Validity;
use crate::domain::vocab::PostKind;
use crate::domain::Violation;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{created, ok_tagged, IfMatch, Page, PageParams, ValidJson};
use crate::http::openapi::{ReadErrors, UpdateErrors, WriteErrors};
use crate::http::AppState;

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get)
        .service(update)
        .service(end);
}

/// A post held by a cadre in a unit for a period.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Post {
    /// Id.
    pub id: Uuid,
    /// The cadre holding the post.
    pub cadre_id: Uuid,
    /// The cadre's full name.
    pub cadre_name: String,
    /// The unit.
    pub unit_id: Uuid,
    /// Kind of post.
    pub kind: PostKind,
    /// Title, e.g. "Giám đốc Sở Tài chính".
    pub title: String,
    /// Whether the post is held in an acting capacity (quyền, phụ trách).
    pub acting: bool,
    /// First day.
    pub valid_from: NaiveDate,
    /// Last day; absent while the post is held.
    pub valid_to: Option<NaiveDate>,
    /// Why the post ended.
    pub end_reason: Option<String>,
    /// Version, also the ETag.
    pub version: i32,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Last changed at.
    pub updated_at: DateTime<Utc>,
}

impl Post {
    fn new(r: PostRow, cadre_name: String) -> Self {
        Self {
            id: r.id,
            cadre_id: r.cadre_id,
            cadre_name,
            unit_id: r.unit_id,
            kind: PostKind::parse(&r.kind).unwrap_or(PostKind::Staff),
            title: r.title,
            acting: r.acting,
            valid_from: r.valid_from,
            valid_to: r.valid_to,
            end_reason: r.end_reason,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// Loads one post with its cadre's name.
pub(crate) async fn load(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Post, ApiError> {
    let (row, name): (PostRow, String) = posts::table
        .inner_join(cadres::table)
        .filter(posts::id.eq(id))
        .select((PostRow::as_select(), cadres::full_name))
        .first(conn)
        .await?;
    Ok(Post::new(row, name))
}

/// Every post a cadre has held, oldest first.
pub(crate) async fn history_of(
    conn: &mut AsyncPgConnection,
    cadre: Uuid,
) -> Result<Vec<Post>, ApiError> {
    let rows: Vec<(PostRow, String)> = posts::table
        .inner_join(cadres::table)
        .filter(posts::cadre_id.eq(cadre))
        .select((PostRow::as_select(), cadres::full_name))
        .order((posts::valid_from, posts::id))
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(|(r, n)| Post::new(r, n)).collect())
}

/// Filters of the post list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PostFilter {
    /// Only posts in this unit.
    pub unit_id: Option<Uuid>,
    /// Only posts of this cadre.
    pub cadre_id: Option<Uuid>,
    /// Only this kind of post.
    pub kind: Option<PostKind>,
    /// Only posts begun by this day and, unless `include_ended`, still held on it.
    pub as_of: Option<NaiveDate>,
    /// Also list posts that ended before `as_of` (or before today). Default: true without
    /// `as_of`, false with it.
    pub include_ended: Option<bool>,
}

/// List posts
///
/// Posts in units where the caller can read personnel, ordered by id (creation order), with
/// cursor pagination. With `as_of`, only the posts held on that day; without it, every post,
/// ended or not, unless `include_ended=false`.
#[utoipa::path(tag = "personnel", params(PostFilter, PageParams),
    responses((status = 200, description = "A page of posts", body = Page<Post>), ReadErrors))]
#[get("/posts")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<PostFilter>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let (limit, after) = (page.limit()?, page.after()?);
    let day = filter.as_of.unwrap_or_else(|| Utc::now().date_naive());
    let include_ended = filter.include_ended.unwrap_or(filter.as_of.is_none());
    let mut conn = state.pool.get().await?;
    let visible = caller
        .units_with(&mut conn, Permission::PersonnelRead)
        .await?;
    let mut q = posts::table
        .inner_join(cadres::table)
        .filter(posts::unit_id.eq_any(visible))
        .select((PostRow::as_select(), cadres::full_name))
        .order(posts::id)
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(posts::id.gt(after));
    }
    if filter.as_of.is_some() {
        q = q.filter(posts::valid_from.le(day));
    }
    if !include_ended {
        q = q.filter(posts::valid_to.is_null().or(posts::valid_to.ge(day)));
    }
    if let Some(unit) = filter.unit_id {
        q = q.filter(posts::unit_id.eq(unit));
    }
    if let Some(cadre) = filter.cadre_id {
        q = q.filter(posts::cadre_id.eq(cadre));
    }
    if let Some(kind) = filter.kind {
        q = q.filter(posts::kind.eq(kind.as_str()));
    }
    let rows: Vec<(PostRow, String)> = q.load(&mut conn).await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        limit,
        |r| r.0.id,
        |(r, n)| Post::new(r, n),
    )))
}

/// Get a post
///
/// One post, with its ETag. Needs personnel read access to the post's unit.
#[utoipa::path(tag = "personnel",
    params(("id" = Uuid, Path, description = "Post id")),
    responses((status = 200, description = "The post", body = Post, headers(("ETag" = String))), ReadErrors))]
#[get("/posts/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let post = load(&mut conn, *id).await?;
    caller
        .require(
            &mut conn,
            Permission::PersonnelRead,
            Permission::PersonnelRead,
            post.unit_id,
        )
        .await?;
    Ok(ok_tagged(post.version, &post))
}

/// Appointment of a cadre to a post.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPost {
    /// The cadre (one whose file the caller can read).
    pub cadre_id: Uuid,
    /// The unit (the caller needs `personnel_manage` on it).
    pub unit_id: Uuid,
    /// Kind of post; a unit has at most one head at a time.
    pub kind: PostKind,
    /// Title.
    #[validate(
        length(min = 1, max = 300),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub title: String,
    /// Acting capacity (default false).
    #[serde(default)]
    pub acting: bool,
    /// First day (default today); the unit must be valid then.
    pub valid_from: Option<NaiveDate>,
    /// Last day, if already known; not before `valid_from`, not after the unit's last day.
    pub valid_to: Option<NaiveDate>,
}

/// Appoint to a post
///
/// Records that a cadre holds a post in a unit from `valid_from` (default today). The unit must
/// be valid for the whole period, and a unit has at most one head at a time (409 otherwise:
/// end the current head's post first). Needs `personnel_manage` on the unit and read access
/// to the cadre.
#[utoipa::path(tag = "personnel", request_body = NewPost,
    responses((status = 201, description = "Created", body = Post, headers(("ETag" = String), ("Location" = String))), WriteErrors))]
#[post("/posts")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<NewPost>,
) -> ApiResult<HttpResponse> {
    let new = body.0;
    let valid_from = new.valid_from.unwrap_or_else(|| Utc::now().date_naive());
    let mut conn = state.pool.get().await?;
    caller
        .require(
            &mut conn,
            Permission::PersonnelManage,
            Permission::PersonnelRead,
            new.unit_id,
        )
        .await
        .map_err(|e| {
            if e.status() == 404 {
                unknown("unit_id", "unit")
            } else {
                e
            }
        })?;
    let managing: Option<Uuid> = cadres::table
        .find(new.cadre_id)
        .select(cadres::managing_unit_id)
        .first(&mut conn)
        .await
        .optional()?;
    match managing {
        Some(unit)
            if caller
                .can(&mut conn, Permission::PersonnelRead, unit)
                .await? => {}
        _ => return Err(unknown("cadre_id", "cadre")),
    }
    if new.valid_to.is_some_and(|to| to < valid_from) {
        return Err(ApiError::violations(vec![Violation::new(
            "valid_to",
            "before_valid_from",
            "a post cannot end before it starts",
            "ngày kết thúc không được trước ngày bắt đầu",
        )]));
    }
    let post = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let (from, to): (NaiveDate, Option<NaiveDate>) = org_units::table
                    .find(new.unit_id)
                    .select((org_units::valid_from, org_units::valid_to))
                    .for_share()
                    .first(conn)
                    .await?;
                let unit = Validity { from, to };
                if !unit.contains(valid_from) {
                    return Err(ApiError::violations(vec![Violation::new(
                        "valid_from",
                        "unit_not_valid",
                        "the unit is not valid on this day",
                        "đơn vị không có hiệu lực vào ngày này",
                    )]));
                }
                if let Some(unit_end) = unit.to {
                    if new.valid_to.is_none_or(|t| t > unit_end) {
                        return Err(ApiError::violations(vec![Violation::new(
                            "valid_to",
                            "after_unit_end",
                            format!("the unit ends on {unit_end}; the post must end by then"),
                            format!("đơn vị kết thúc hoạt động ngày {unit_end}; chức vụ phải kết thúc trước hoặc vào ngày đó"),
                        )]));
                    }
                }
                let now = Utc::now();
                let row = PostRow {
                    id: Uuid::now_v7(),
                    cadre_id: new.cadre_id,
                    unit_id: new.unit_id,
                    kind: new.kind.as_str().to_owned(),
                    title: new.title,
                    acting: new.acting,
                    valid_from,
                    valid_to: new.valid_to,
                    end_reason: None,
                    version: 1,
                    created_at: now,
                    updated_at: now,
                };
                diesel::insert_into(posts::table).values(&row).execute(conn).await?;
                let post = load(conn, row.id).await?;
                audit::record(conn, Some(&caller), Change {
                    action: "post.create",
                    resource_type: "post",
                    resource_id: Some(post.id),
                    unit_id: Some(post.unit_id),
                    before: None::<&()>,
                    after: Some(&post),
                })
                .await?;
                Ok(post)
            }
            .scope_boxed()
        })
        .await?;
    Ok(created(
        format!("/api/v1/posts/{}", post.id),
        post.version,
        &post,
    ))
}

/// Changes to a post; absent fields stay as they are. The period ends through the `end` action.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostPatch {
    /// Title.
    #[validate(
        length(min = 1, max = 300),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub title: Option<String>,
    /// Acting capacity.
    pub acting: Option<bool>,
}

#[derive(AsChangeset)]
#[diesel(table_name = posts)]
struct PostChanges {
    title: Option<String>,
    acting: Option<bool>,
    version: i32,
    updated_at: DateTime<Utc>,
}

/// Guards a change to post `id`: locks it, checks `personnel_manage` on its unit and `If-Match`.
async fn lock_for_change(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
) -> Result<Post, ApiError> {
    let unit: Uuid = posts::table
        .find(id)
        .select(posts::unit_id)
        .for_update()
        .first(conn)
        .await?;
    caller
        .require(
            conn,
            Permission::PersonnelManage,
            Permission::PersonnelRead,
            unit,
        )
        .await?;
    let post = load(conn, id).await?;
    if_match.check(post.version)?;
    Ok(post)
}

/// Update a post
///
/// Corrects a post's title or acting capacity. Needs `If-Match` and `personnel_manage` on the
/// post's unit.
#[utoipa::path(tag = "personnel", request_body = PostPatch,
    params(("id" = Uuid, Path, description = "Post id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Updated", body = Post, headers(("ETag" = String))), UpdateErrors))]
#[patch("/posts/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<PostPatch>,
) -> ApiResult<HttpResponse> {
    let (id, patch) = (*id, body.0);
    let mut conn = state.pool.get().await?;
    let post = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let before = lock_for_change(conn, &caller, id, &if_match).await?;
                let changes = PostChanges {
                    title: patch.title,
                    acting: patch.acting,
                    version: before.version + 1,
                    updated_at: Utc::now(),
                };
                diesel::update(posts::table.find(id))
                    .set(&changes)
                    .execute(conn)
                    .await?;
                let after = load(conn, id).await?;
                audit::record(
                    conn,
                    Some(&caller),
                    Change {
                        action: "post.update",
                        resource_type: "post",
                        resource_id: Some(id),
                        unit_id: Some(after.unit_id),
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
    Ok(ok_tagged(post.version, &post))
}

/// End a post.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndPost {
    /// Last day in the post; not before its first day.
    pub valid_to: NaiveDate,
    /// Why (e.g. the decision on retirement, transfer or dismissal).
    #[validate(
        length(min = 1, max = 1000),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub reason: String,
}

/// End a post
///
/// Ends an open post on `valid_to`, keeping it in the history (409 if it already has an end).
/// This is how a change of head or a transfer is recorded: end the old post, then appoint to
/// the new one. Needs `If-Match` and `personnel_manage` on the post's unit.
#[utoipa::path(tag = "personnel", request_body = EndPost,
    params(("id" = Uuid, Path, description = "Post id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Ended", body = Post, headers(("ETag" = String))), UpdateErrors))]
#[post("/posts/{id}/end")]
pub async fn end(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<EndPost>,
) -> ApiResult<HttpResponse> {
    let (id, req) = (*id, body.0);
    let mut conn = state.pool.get().await?;
    let post = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let before = lock_for_change(conn, &caller, id, &if_match).await?;
                if before.valid_to.is_some() {
                    return Err(ApiError::conflict(
                        "the post has already ended",
                        "chức vụ đã kết thúc",
                    ));
                }
                if req.valid_to < before.valid_from {
                    return Err(ApiError::violations(vec![Violation::new(
                        "valid_to",
                        "before_valid_from",
                        "a post cannot end before it starts",
                        "ngày kết thúc không được trước ngày bắt đầu",
                    )]));
                }
                diesel::update(posts::table.find(id))
                    .set((
                        posts::valid_to.eq(req.valid_to),
                        posts::end_reason.eq(&req.reason),
                        posts::version.eq(before.version + 1),
                        posts::updated_at.eq(Utc::now()),
                    ))
                    .execute(conn)
                    .await?;
                let after = load(conn, id).await?;
                audit::record(
                    conn,
                    Some(&caller),
                    Change {
                        action: "post.end",
                        resource_type: "post",
                        resource_id: Some(id),
                        unit_id: Some(after.unit_id),
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
    Ok(ok_tagged(post.version, &post))
}
