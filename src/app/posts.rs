//! Posts: a cadre holds a post in a unit for a period. Heads change by ending one post and
//! appointing another, so the history of who held what stays readable.

use chrono::NaiveDate;
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::crud::{change, Audited};
use super::{in_tx, IfMatch, Tx};
use crate::auth::policy::cadres as cadre_policy;
use crate::auth::policy::posts as policy;
use crate::auth::Caller;
use crate::db::models::PostRow;
use crate::db::repo;
use crate::domain::org_rules::{post_ends_before_start, post_outside_unit};
use crate::domain::text::plain_text;
use crate::domain::vocab::PostKind;
use crate::error::ApiError;

/// A post with the full name of the cadre holding it.
#[derive(Debug, Clone, Serialize)]
pub struct Held {
    /// The post.
    #[serde(flatten)]
    pub row: PostRow,
    /// The cadre's full name.
    pub cadre_name: String,
}

impl From<(PostRow, String)> for Held {
    fn from((row, cadre_name): (PostRow, String)) -> Self {
        Self { row, cadre_name }
    }
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
    #[validate(length(min = 1, max = 300), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 300,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
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

/// Changes to a post; absent fields stay as they are. The period ends through the `end` action.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostPatch {
    /// Title.
    #[validate(length(min = 1, max = 300), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 300,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub title: Option<String>,
    /// Acting capacity.
    pub acting: Option<bool>,
}

/// End a post.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndPost {
    /// Last day in the post; not before its first day.
    pub valid_to: NaiveDate,
    /// Why (e.g. the decision on retirement, transfer or dismissal).
    #[validate(length(min = 1, max = 1000), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 1000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub reason: String,
}

/// Every post a cadre has held, oldest first (the caller's access to the cadre is checked by
/// the caller of this function).
pub(crate) async fn history_of(
    conn: &mut AsyncPgConnection,
    cadre: Uuid,
) -> Result<Vec<Held>, ApiError> {
    Ok(repo::posts::of_cadre(conn, cadre)
        .await?
        .into_iter()
        .map(Held::from)
        .collect())
}

async fn load(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Held, ApiError> {
    Ok(repo::posts::get(conn, id).await?.into())
}

/// Posts in units where the caller can read personnel that match `filter`.
pub async fn list(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    filter: &repo::posts::ListFilter,
) -> Result<Vec<Held>, ApiError> {
    let scope = policy::readable(conn, caller).await?;
    Ok(repo::posts::list(conn, scope, filter)
        .await?
        .into_iter()
        .map(Held::from)
        .collect())
}

/// One post the caller can read.
pub async fn get(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<Held, ApiError> {
    let post = load(conn, id).await?;
    policy::visible(conn, caller, &post.row).await?;
    Ok(post)
}

/// Records that a cadre holds a post in a unit from `valid_from` (default today).
pub async fn create(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    new: NewPost,
) -> Result<Held, ApiError> {
    in_tx(conn, caller, async |tx| {
        let valid_from = new.valid_from.unwrap_or_else(|| tx.now.date_naive());
        policy::may_appoint_in(tx.conn, caller, new.unit_id).await?;
        cadre_policy::readable_ref(tx.conn, caller, new.cadre_id, "cadre_id").await?;
        if let Some(v) = post_ends_before_start(valid_from, new.valid_to) {
            return Err(ApiError::violations(vec![v]));
        }
        let unit = repo::units::share_validity(tx.conn, new.unit_id).await?;
        if let Some(v) = post_outside_unit(&unit, valid_from, new.valid_to) {
            return Err(ApiError::violations(vec![v]));
        }
        let row = PostRow {
            id: Uuid::now_v7(),
            cadre_id: new.cadre_id,
            unit_id: new.unit_id,
            kind: new.kind,
            title: new.title,
            acting: new.acting,
            valid_from,
            valid_to: new.valid_to,
            end_reason: None,
            version: 1,
            created_at: tx.now,
            updated_at: tx.now,
        };
        repo::posts::insert(tx.conn, &row).await?;
        let post = load(tx.conn, row.id).await?;
        tx.created("post.create", post.row.id, Some(post.row.unit_id), &post);
        Ok(post)
    })
    .await
}

/// Guards a change to post `id`: locks it, checks `personnel_manage` on its unit and `If-Match`.
async fn lock_for_change(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
) -> Result<Held, ApiError> {
    let unit = repo::posts::lock_unit(conn, id).await?;
    policy::may_manage(conn, caller, unit).await?;
    let post = load(conn, id).await?;
    if_match.check(post.row.version)?;
    Ok(post)
}

impl Audited for Held {
    fn audit_unit(&self) -> Option<Uuid> {
        Some(self.row.unit_id)
    }
}

/// Corrects a post's title or acting capacity.
pub async fn update(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    patch: PostPatch,
) -> Result<Held, ApiError> {
    let lock = async |tx: &mut Tx<'_>| lock_for_change(tx.conn, caller, id, if_match).await;
    change(conn, caller, "post.update", id, lock, async |tx, before| {
        let changes = repo::posts::Changes {
            title: patch.title,
            acting: patch.acting,
        };
        repo::posts::update(tx.conn, id, before.row.version, &changes, tx.now).await?;
        load(tx.conn, id).await
    })
    .await
}

/// Ends an open post on `valid_to` (409 if it already has an end).
pub async fn end(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    req: EndPost,
) -> Result<Held, ApiError> {
    let lock = async |tx: &mut Tx<'_>| lock_for_change(tx.conn, caller, id, if_match).await;
    change(conn, caller, "post.end", id, lock, async |tx, before| {
        if before.row.valid_to.is_some() {
            return Err(ApiError::conflict(
                "the post has already ended",
                "chức vụ đã kết thúc",
            ));
        }
        if let Some(v) = post_ends_before_start(before.row.valid_from, Some(req.valid_to)) {
            return Err(ApiError::violations(vec![v]));
        }
        let (version, now) = (before.row.version, tx.now);
        repo::posts::end(tx.conn, id, version, req.valid_to, &req.reason, now).await?;
        load(tx.conn, id).await
    })
    .await
}
