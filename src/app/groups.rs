//! Groups of units for a year (e.g. the four groups of the 2022 round), owned by the unit that
//! assigns and evaluates them.

use std::collections::HashMap;

use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::crud::{change, remove, Audited};
use super::{in_tx, IfMatch, Tx};
use crate::auth::policy::groups as policy;
use crate::auth::Caller;
use crate::db::models::GroupRow;
use crate::db::repo;
use crate::domain::org_rules::{duplicate_member, member_violation};
use crate::domain::text::code_format;
use crate::domain::text::plain_text;
use crate::error::ApiError;

/// A group with its member units (sorted by id).
#[derive(Debug, Clone, Serialize)]
pub struct Grouped {
    /// The group.
    #[serde(flatten)]
    pub row: GroupRow,
    /// Member units, sorted by id.
    pub member_ids: Vec<Uuid>,
}

impl Grouped {
    fn new(row: GroupRow, mut member_ids: Vec<Uuid>) -> Self {
        member_ids.sort();
        Self { row, member_ids }
    }
}

/// New group.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGroup {
    /// The owner unit; the caller needs `group_manage` on it.
    pub owner_unit_id: Uuid,
    /// Year of the round, 2000–2100.
    #[validate(range(min = 2000, max = 2100))]
    #[schema(minimum = 2000, maximum = 2100)]
    pub year: i32,
    /// Code, unique per owner and year.
    #[validate(length(min = 1, max = 50), custom(function = "code_format"))]
    #[schema(
        min_length = 1,
        max_length = 50,
        pattern = "^[A-Za-z0-9][A-Za-z0-9_.\\-]*$"
    )]
    pub code: String,
    /// Vietnamese label.
    #[validate(length(min = 1, max = 300), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 300,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub label_vi: String,
    /// English label.
    #[validate(length(min = 1, max = 300), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 300,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub label_en: Option<String>,
    /// Member units (at most 500, distinct, readable by the caller, not the owner).
    #[validate(length(max = 500))]
    #[schema(max_items = 500)]
    pub member_ids: Vec<Uuid>,
}

/// Changes to a group; absent fields stay as they are. Members change through the member
/// endpoints.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupPatch {
    /// Code, unique per owner and year.
    #[validate(length(min = 1, max = 50), custom(function = "code_format"))]
    #[schema(
        min_length = 1,
        max_length = 50,
        pattern = "^[A-Za-z0-9][A-Za-z0-9_.\\-]*$"
    )]
    pub code: Option<String>,
    /// Vietnamese label.
    #[validate(length(min = 1, max = 300), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 300,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub label_vi: Option<String>,
    /// English label.
    #[validate(length(min = 1, max = 300), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 300,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub label_en: Option<String>,
}

/// A unit to add to a group.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMember {
    /// The unit: one the caller can read, other than the group's owner.
    pub unit_id: Uuid,
}

/// Loads one group with its members.
async fn load(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Grouped, ApiError> {
    let row = repo::groups::get(conn, id).await?;
    let members = repo::groups::members(conn, id).await?;
    Ok(Grouped::new(row, members))
}

/// Groups whose owner the caller can read that match `filter`, with their members.
pub async fn list(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    filter: &repo::groups::ListFilter,
) -> Result<Vec<Grouped>, ApiError> {
    let scope = policy::readable(conn, caller).await?;
    let rows = repo::groups::list(conn, scope, filter).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut members: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for (group, unit) in repo::groups::members_of(conn, &ids).await? {
        members.entry(group).or_default().push(unit);
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let m = members.remove(&r.id).unwrap_or_default();
            Grouped::new(r, m)
        })
        .collect())
}

/// One group the caller can read, with its members.
pub async fn get(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<Grouped, ApiError> {
    let group = load(conn, id).await?;
    policy::visible(conn, caller, &group.row).await?;
    Ok(group)
}

/// Adds a group of units for a year under an owner unit.
pub async fn create(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    new: NewGroup,
) -> Result<Grouped, ApiError> {
    in_tx(conn, caller, async |tx| {
        policy::may_own(tx.conn, caller, new.owner_unit_id).await?;
        let mut violations = Vec::new();
        for (i, unit) in new.member_ids.iter().enumerate() {
            let field = format!("member_ids[{i}]");
            if new.member_ids[..i].contains(unit) {
                violations.push(duplicate_member(&field));
                continue;
            }
            let readable =
                *unit == new.owner_unit_id || policy::may_add(tx.conn, caller, *unit).await?;
            if let Some(v) = member_violation(new.owner_unit_id, *unit, readable, &field) {
                violations.push(v);
            }
        }
        if !violations.is_empty() {
            return Err(ApiError::violations(violations));
        }
        let row = GroupRow {
            id: Uuid::now_v7(),
            owner_unit_id: new.owner_unit_id,
            year: new.year,
            code: new.code,
            label_vi: new.label_vi,
            label_en: new.label_en,
            version: 1,
            created_at: tx.now,
            updated_at: tx.now,
        };
        let row = repo::groups::insert(tx.conn, &row).await?;
        repo::groups::add_members(tx.conn, row.id, &new.member_ids).await?;
        let group = Grouped::new(row, new.member_ids);
        tx.created(
            "org_group.create",
            group.row.id,
            Some(group.row.owner_unit_id),
            &group,
        );
        Ok(group)
    })
    .await
}

/// Guards a change to group `id`: locks it, checks `group_manage` on its owner and `If-Match`.
async fn lock_for_change(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
) -> Result<Grouped, ApiError> {
    let row = repo::groups::lock(conn, id).await?;
    policy::may_manage(conn, caller, row.owner_unit_id).await?;
    let members = repo::groups::members(conn, id).await?;
    let group = Grouped::new(row, members);
    if_match.check(group.row.version)?;
    Ok(group)
}

impl Audited for Grouped {
    fn audit_unit(&self) -> Option<Uuid> {
        Some(self.row.owner_unit_id)
    }
}

/// Changes a group's code or labels.
pub async fn update(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    patch: GroupPatch,
) -> Result<Grouped, ApiError> {
    let lock = async |tx: &mut Tx<'_>| lock_for_change(tx.conn, caller, id, if_match).await;
    change(
        conn,
        caller,
        "org_group.update",
        id,
        lock,
        async |tx, before| {
            let changes = repo::groups::Changes {
                code: patch.code,
                label_vi: patch.label_vi,
                label_en: patch.label_en,
            };
            let row = repo::groups::update(tx.conn, &before.row, &changes, tx.now).await?;
            Ok(Grouped::new(row, before.member_ids.clone()))
        },
    )
    .await
}

/// Removes a group and its member list.
pub async fn delete(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
) -> Result<(), ApiError> {
    let lock = async |tx: &mut Tx<'_>| lock_for_change(tx.conn, caller, id, if_match).await;
    remove(conn, caller, "org_group.delete", id, lock, async |tx, _| {
        repo::groups::delete(tx.conn, id)
            .await
            .map_err(ApiError::still_referenced)
    })
    .await
}

/// Adds a unit to a group (409 if it is already a member).
pub async fn add_member(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    unit: Uuid,
) -> Result<Grouped, ApiError> {
    let lock = async |tx: &mut Tx<'_>| lock_for_change(tx.conn, caller, id, if_match).await;
    change(
        conn,
        caller,
        "org_group.add_member",
        id,
        lock,
        async |tx, before| {
            let owner = before.row.owner_unit_id;
            let readable = unit == owner || policy::may_add(tx.conn, caller, unit).await?;
            if let Some(v) = member_violation(owner, unit, readable, "unit_id") {
                return Err(ApiError::violations(vec![v]));
            }
            if before.member_ids.contains(&unit) {
                return Err(ApiError::conflict(
                    "the unit is already a member of the group",
                    "đơn vị đã là thành viên của nhóm",
                ));
            }
            repo::groups::add_members(tx.conn, id, &[unit]).await?;
            let row = repo::groups::touch(tx.conn, &before.row, tx.now).await?;
            let mut members = before.member_ids.clone();
            members.push(unit);
            Ok(Grouped::new(row, members))
        },
    )
    .await
}

/// Removes a unit from a group (404 if it is not a member).
pub async fn remove_member(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    unit: Uuid,
) -> Result<Grouped, ApiError> {
    let lock = async |tx: &mut Tx<'_>| lock_for_change(tx.conn, caller, id, if_match).await;
    change(
        conn,
        caller,
        "org_group.remove_member",
        id,
        lock,
        async |tx, before| {
            if repo::groups::remove_member(tx.conn, id, unit).await? == 0 {
                return Err(ApiError::not_found().detail(
                    "the unit is not a member of the group",
                    "đơn vị không phải là thành viên của nhóm",
                ));
            }
            let row = repo::groups::touch(tx.conn, &before.row, tx.now).await?;
            let members = before
                .member_ids
                .iter()
                .copied()
                .filter(|m| *m != unit)
                .collect();
            Ok(Grouped::new(row, members))
        },
    )
    .await
}
