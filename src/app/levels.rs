//! Level definitions of the organisation tree (province, commune, …): data, never hard-coded.

use diesel_async::AsyncPgConnection;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::crud::{change, remove, Audited};
use super::{in_tx, IfMatch, Tx};
use crate::auth::policy::levels as policy;
use crate::auth::Caller;
use crate::db::models::LevelRow;
use crate::db::repo;
use crate::domain::text::code_format;
use crate::error::ApiError;

/// New level.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLevel {
    /// Stable code (lower-case letters, digits, `_`).
    #[validate(length(min = 1, max = 50), custom(function = "code_format"))]
    #[schema(
        min_length = 1,
        max_length = 50,
        pattern = "^[A-Za-z0-9][A-Za-z0-9_.\\-]*$"
    )]
    pub code: String,
    /// Vietnamese name.
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub name_vi: String,
    /// English name.
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub name_en: String,
    /// Depth, 1–100, unique.
    #[validate(range(min = 1, max = 100))]
    #[schema(minimum = 1, maximum = 100)]
    pub rank: i32,
}

/// Changes to a level; absent fields stay as they are.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LevelPatch {
    /// Vietnamese name.
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub name_vi: Option<String>,
    /// English name.
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub name_en: Option<String>,
    /// Depth, 1–100, unique.
    #[validate(range(min = 1, max = 100))]
    #[schema(minimum = 1, maximum = 100)]
    pub rank: Option<i32>,
}

/// Every level, by rank.
pub async fn list(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
) -> Result<Vec<LevelRow>, ApiError> {
    if !policy::can_read(caller) {
        return Err(ApiError::forbidden());
    }
    Ok(repo::levels::list(conn).await?)
}

/// One level.
pub async fn get(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<LevelRow, ApiError> {
    if !policy::can_read(caller) {
        return Err(ApiError::not_found());
    }
    Ok(repo::levels::get(conn, id).await?)
}

/// Adds a level definition.
pub async fn create(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    new: NewLevel,
) -> Result<LevelRow, ApiError> {
    in_tx(conn, caller, async |tx| {
        policy::may_manage(tx.conn, caller).await?;
        let row = LevelRow {
            id: Uuid::now_v7(),
            code: new.code,
            name_vi: new.name_vi,
            name_en: new.name_en,
            rank: new.rank,
            version: 1,
            created_at: tx.now,
            updated_at: tx.now,
        };
        let row = repo::levels::insert(tx.conn, &row).await?;
        tx.created("level.create", row.id, None, &row);
        Ok(row)
    })
    .await
}

impl Audited for LevelRow {
    fn audit_unit(&self) -> Option<Uuid> {
        None
    }
}

/// Level `id` locked for a change by a caller who may manage levels, if `If-Match` names its
/// version.
async fn lock_for_change(
    tx: &mut Tx<'_>,
    id: Uuid,
    if_match: &IfMatch,
) -> Result<LevelRow, ApiError> {
    let row = repo::levels::lock(tx.conn, id).await?;
    policy::may_manage(tx.conn, tx.caller).await?;
    if_match.check(row.version)?;
    Ok(row)
}

/// Renames or re-ranks a level.
pub async fn update(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    patch: LevelPatch,
) -> Result<LevelRow, ApiError> {
    let lock = async |tx: &mut Tx<'_>| lock_for_change(tx, id, if_match).await;
    change(
        conn,
        caller,
        "level.update",
        id,
        lock,
        async |tx, before| {
            let changes = repo::levels::Changes {
                name_vi: patch.name_vi,
                name_en: patch.name_en,
                rank: patch.rank,
            };
            Ok(repo::levels::update(tx.conn, before, &changes, tx.now).await?)
        },
    )
    .await
}

/// Removes a level no unit uses (409 otherwise).
pub async fn delete(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
) -> Result<(), ApiError> {
    let lock = async |tx: &mut Tx<'_>| lock_for_change(tx, id, if_match).await;
    remove(conn, caller, "level.delete", id, lock, async |tx, _| {
        repo::levels::delete(tx.conn, id)
            .await
            .map_err(ApiError::still_referenced)
    })
    .await
}
