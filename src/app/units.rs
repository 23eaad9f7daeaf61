//! Organisation units: the tree of any depth, read as of any date, with dated parent links.

use chrono::{DateTime, NaiveDate, Utc};
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::crud::{change, remove, Audited};
use super::{in_tx, IfMatch, Tx};
use crate::auth::policy::units as policy;
use crate::auth::Caller;
use crate::db::models::{ParentLinkRow, UnitRow};
use crate::db::repo;
use crate::db::repo::restructurings::SuccessionRow;
use crate::domain::org_rules::{move_outside_validity, unit_closes_before_start};
use crate::domain::text::code_format;
use crate::domain::text::plain_text;
use crate::domain::tree::{check_child, Placement};
use crate::domain::validity::Validity;
use crate::domain::vocab::UnitType;
use crate::error::{ApiError, Msg};

pub(crate) use crate::db::repo::units::parent_on;

/// A unit as of a day: its row, its level's code and its parent on that day.
#[derive(Debug, Clone, Serialize)]
pub struct UnitAt {
    /// The unit.
    #[serde(flatten)]
    pub row: UnitRow,
    /// Its level's code.
    pub level_code: String,
    /// Its parent on the day read.
    pub parent_id: Option<Uuid>,
}

/// New unit.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUnit {
    /// Master-data code.
    #[validate(length(min = 1, max = 50), custom(function = "code_format"))]
    #[schema(
        min_length = 1,
        max_length = 50,
        pattern = "^[A-Za-z0-9][A-Za-z0-9_.\\-]*$"
    )]
    pub code: String,
    /// Vietnamese name.
    #[validate(length(min = 1, max = 300), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 300,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub name: String,
    /// Short name.
    #[validate(length(min = 1, max = 100), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
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

/// Changes to a unit; absent fields stay as they are. Validity and parent change through the
/// `close` and `move` actions and restructuring.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitPatch {
    /// Master-data code.
    #[validate(length(min = 1, max = 50), custom(function = "code_format"))]
    #[schema(
        min_length = 1,
        max_length = 50,
        pattern = "^[A-Za-z0-9][A-Za-z0-9_.\\-]*$"
    )]
    pub code: Option<String>,
    /// Vietnamese name.
    #[validate(length(min = 1, max = 300), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 300,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub name: Option<String>,
    /// Short name.
    #[validate(length(min = 1, max = 100), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub short_name: Option<String>,
    /// Kind of unit.
    pub unit_type: Option<UnitType>,
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

/// Close a unit.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseUnit {
    /// Last valid day.
    pub valid_to: NaiveDate,
    /// Why (e.g. the dissolving decision).
    #[validate(length(min = 1, max = 1000), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 1000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub reason: String,
}

/// Where a unit came from and went to.
#[derive(Debug)]
pub struct History {
    /// The unit, today.
    pub unit: UnitAt,
    /// Its parent links, oldest first.
    pub parents: Vec<ParentLinkRow>,
    /// Units it succeeded.
    pub predecessors: Vec<SuccessionRow>,
    /// Units that succeeded it.
    pub successors: Vec<SuccessionRow>,
}

/// Loads one unit with its level code and its parent on `day`.
pub(crate) async fn load(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    day: NaiveDate,
) -> Result<UnitAt, ApiError> {
    let (row, level_code) = repo::units::get_with_level(conn, id).await?;
    let parent_id = parent_on(conn, id, day).await?.map(|l| l.parent_id);
    Ok(UnitAt {
        row,
        level_code,
        parent_id,
    })
}

/// Units the caller can read that match `filter`, with level code and parent on its day.
pub async fn list(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    filter: &repo::units::ListFilter,
) -> Result<Vec<UnitAt>, ApiError> {
    let scope = policy::readable(conn, caller).await?;
    Ok(repo::units::list(conn, scope, filter)
        .await?
        .into_iter()
        .map(|(row, level_code, parent_id)| UnitAt {
            row,
            level_code,
            parent_id,
        })
        .collect())
}

/// One unit the caller can read, with its parent on `day`.
pub async fn get(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    day: NaiveDate,
) -> Result<UnitAt, ApiError> {
    policy::visible(conn, caller, id).await?;
    load(conn, id, day).await
}

/// Inserts a unit and its parent link, checking the placement rules (violations reported on
/// fields under `field_prefix`). Returns the new unit.
pub(crate) async fn insert_unit(
    conn: &mut AsyncPgConnection,
    new: &NewUnit,
    valid_from: NaiveDate,
    field_prefix: &str,
    now: DateTime<Utc>,
) -> Result<UnitAt, ApiError> {
    let level = repo::levels::find(conn, new.level_id)
        .await?
        .ok_or_else(|| ApiError::unknown(&format!("{field_prefix}level_id"), "level"))?;
    if let Some(parent) = new.parent_id {
        let parent_place = repo::units::placement(conn, parent).await?;
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
    let row = UnitRow {
        id: Uuid::now_v7(),
        code: new.code.clone(),
        name: new.name.clone(),
        short_name: new.short_name.clone(),
        unit_type: new.unit_type,
        level_id: level.id,
        valid_from,
        valid_to: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    repo::units::insert(conn, &row).await?;
    if let Some(parent) = new.parent_id {
        link_parent(conn, row.id, parent, valid_from).await?;
    }
    Ok(UnitAt {
        row,
        level_code: level.code,
        parent_id: new.parent_id,
    })
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
    Ok(repo::units::insert_link(conn, &link).await?)
}

/// Ends `unit` on `last_day`: its validity, its parent link, and its open posts. Refuses while
/// children remain attached after that day.
pub(crate) async fn close_unit(
    conn: &mut AsyncPgConnection,
    unit: Uuid,
    last_day: NaiveDate,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    if repo::units::count_children_after(conn, unit, last_day).await? > 0 {
        return Err(ApiError::conflict(
            "the unit still has children after that day; move them first",
            "đơn vị vẫn còn đơn vị trực thuộc sau ngày này; hãy chuyển chúng trước",
        ));
    }
    repo::units::set_valid_to(conn, unit, last_day).await?;
    repo::units::end_links_after(conn, unit, last_day).await?;
    let reason = format!("unit closed: {reason}");
    for post in repo::posts::open_after(conn, unit, last_day).await? {
        let end = last_day.max(post.valid_from);
        repo::posts::end(conn, post.id, post.version, end, &reason, now).await?;
    }
    Ok(())
}

/// Adds a unit under `parent_id` or as a new top unit.
pub async fn create(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    new: NewUnit,
) -> Result<UnitAt, ApiError> {
    in_tx(conn, caller, async |tx| {
        let valid_from = new.valid_from.unwrap_or_else(|| tx.now.date_naive());
        policy::may_place(tx.conn, caller, new.parent_id, "parent_id").await?;
        let unit = insert_unit(tx.conn, &new, valid_from, "", tx.now).await?;
        tx.created("org_unit.create", unit.row.id, Some(unit.row.id), &unit);
        Ok(unit)
    })
    .await
}

/// Guards a change to `id`: locks it, checks the caller's `admin` role on it and `If-Match`,
/// and returns it as it stands today.
async fn lock_for_change(
    tx: &mut Tx<'_>,
    id: Uuid,
    if_match: &IfMatch,
) -> Result<UnitAt, ApiError> {
    repo::units::lock_id(tx.conn, id).await?;
    policy::may_manage(tx.conn, tx.caller, id).await?;
    let unit = load(tx.conn, id, tx.now.date_naive()).await?;
    if_match.check(unit.row.version)?;
    Ok(unit)
}

impl Audited for UnitAt {
    fn audit_unit(&self) -> Option<Uuid> {
        Some(self.row.id)
    }
}

/// Renames a unit or changes its code or kind.
pub async fn update(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    patch: UnitPatch,
) -> Result<UnitAt, ApiError> {
    let lock = async |tx: &mut Tx<'_>| lock_for_change(tx, id, if_match).await;
    change(
        conn,
        caller,
        "org_unit.update",
        id,
        lock,
        async |tx, before| {
            let changes = repo::units::Changes {
                code: patch.code,
                name: patch.name,
                short_name: patch.short_name,
                unit_type: patch.unit_type,
                version: before.row.version + 1,
                updated_at: tx.now,
            };
            repo::units::update(tx.conn, id, &changes).await?;
            load(tx.conn, id, tx.now.date_naive()).await
        },
    )
    .await
}

/// Removes a unit nothing refers to (409 otherwise).
pub async fn delete(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
) -> Result<(), ApiError> {
    let lock = async |tx: &mut Tx<'_>| lock_for_change(tx, id, if_match).await;
    remove(conn, caller, "org_unit.delete", id, lock, async |tx, _| {
        if repo::units::count_children_ever(tx.conn, id).await? > 0 {
            return Err(ApiError::conflict(
                "the resource is still referenced by other records",
                "đối tượng vẫn đang được các bản ghi khác tham chiếu",
            ));
        }
        repo::units::delete_links_of(tx.conn, id).await?;
        repo::units::delete(tx.conn, id)
            .await
            .map_err(ApiError::still_referenced)
    })
    .await
}

/// The unit and every unit below it as the tree stood on `day`, with their depth below it, in
/// depth-first order (siblings by code).
pub async fn subtree(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    day: NaiveDate,
) -> Result<Vec<(i32, UnitAt)>, ApiError> {
    policy::visible(conn, caller, id).await?;
    let rows = repo::units::subtree(conn, id, day).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.0).collect();
    let parents: std::collections::HashMap<Uuid, Uuid> = repo::units::parents_on(conn, &ids, day)
        .await?
        .into_iter()
        .collect();
    let mut by_id: std::collections::HashMap<Uuid, UnitAt> = repo::units::with_levels(conn, &ids)
        .await?
        .into_iter()
        .map(|(row, level_code)| {
            let parent_id = parents.get(&row.id).copied();
            (
                row.id,
                UnitAt {
                    row,
                    level_code,
                    parent_id,
                },
            )
        })
        .collect();
    Ok(rows
        .into_iter()
        .filter_map(|(id, depth)| Some((depth, by_id.remove(&id)?)))
        .collect())
}

/// A unit's parent links over time and its predecessors and successors.
pub async fn history(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<History, ApiError> {
    policy::visible(conn, caller, id).await?;
    let unit = load(conn, id, Utc::now().date_naive()).await?;
    Ok(History {
        unit,
        parents: repo::units::parent_links(conn, id).await?,
        predecessors: repo::restructurings::predecessors_of(conn, id).await?,
        successors: repo::restructurings::successors_of(conn, id).await?,
    })
}

/// Re-attaches a unit to another parent from the effective date; the old link ends the day
/// before.
pub async fn move_unit(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    req: MoveUnit,
) -> Result<UnitAt, ApiError> {
    let lock = async |tx: &mut Tx<'_>| lock_for_change(tx, id, if_match).await;
    change(conn, caller, "org_unit.move", id, lock, async |tx, _| {
        policy::may_manage_ref(tx.conn, caller, req.parent_id, "parent_id", "parent unit").await?;
        let day = req.effective_date;
        let me = repo::units::placement(tx.conn, id).await?;
        if let Some(v) = move_outside_validity(&me.validity, day) {
            return Err(ApiError::violations(vec![v]));
        }
        let parent = repo::units::placement(tx.conn, req.parent_id).await?;
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
        let below = crate::auth::scope::descendants_or_self(tx.conn, &[id]).await?;
        if below.contains(&req.parent_id) {
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
        if repo::units::count_links_after(tx.conn, id, day).await? > 0 {
            return Err(ApiError::conflict(
                "the unit already has a parent link starting after that date",
                "đơn vị đã có liên kết cấp trên bắt đầu sau ngày này",
            ));
        }
        if let Some(link) = parent_on(tx.conn, id, day).await? {
            if link.valid_from == day {
                repo::units::delete_link(tx.conn, link.id).await?;
            } else {
                repo::units::end_link(tx.conn, link.id, day.pred_opt()).await?;
            }
        }
        link_parent(tx.conn, id, req.parent_id, day).await?;
        repo::units::bump(tx.conn, id, tx.now).await?;
        load(tx.conn, id, day).await
    })
    .await
}

/// Ends a unit's validity on `valid_to`, with its open posts.
pub async fn close(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    req: CloseUnit,
) -> Result<UnitAt, ApiError> {
    in_tx(conn, caller, async |tx| {
        let before = lock_for_change(tx, id, if_match).await?;
        if before.row.valid_to.is_some() {
            return Err(ApiError::conflict(
                "the unit is already closed",
                "đơn vị đã kết thúc hoạt động",
            ));
        }
        if let Some(v) = unit_closes_before_start(before.row.valid_from, req.valid_to) {
            return Err(ApiError::violations(vec![v]));
        }
        close_unit(tx.conn, id, req.valid_to, &req.reason, tx.now).await?;
        repo::units::bump(tx.conn, id, tx.now).await?;
        let after = load(tx.conn, id, req.valid_to).await?;
        tx.changed(
            "org_unit.close",
            id,
            Some(id),
            &before,
            &serde_json::json!({ "unit": &after, "reason": req.reason }),
        );
        Ok(after)
    })
    .await
}
