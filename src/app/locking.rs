//! The record under a decision: once an evaluation is decided, the reports of its period and
//! the evidence it saw lock, so a grade keeps resting on what it was decided on. The
//! Organisation Board reopens the record with a reason for a correction and locks it again;
//! both steps are audited and listed with the evaluation.

use chrono::{DateTime, NaiveDate, Utc};
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::in_tx;
use crate::auth::policy::evaluations as policy;
use crate::auth::Caller;
use crate::db::models::ReopeningRow;
use crate::db::repo;
use crate::domain::record::{evidence_locked, report_locked};
use crate::domain::roles::Permission;
use crate::domain::text::plain_text;
use crate::domain::workflow::EvaluationState;
use crate::error::ApiError;

/// Why the record is reopened.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Reopen {
    /// What must be corrected, and why.
    #[validate(length(min = 1, max = 5000), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 5000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub reason: String,
}

fn locked() -> ApiError {
    ApiError::conflict(
        "a decided evaluation rests on this record; the Organisation Board must reopen it first",
        "hồ sơ này là căn cứ của kết quả đánh giá đã quyết định; Ban Tổ chức cần mở lại trước khi sửa",
    )
}

/// Refuses a change to the report of `assignment` covering a period that ends on `period_end`
/// while a decided evaluation of that period stands (409).
pub async fn require_report_unlocked(
    conn: &mut AsyncPgConnection,
    assignment: Uuid,
    period_end: NaiveDate,
) -> Result<(), ApiError> {
    let decided = repo::record::decided(conn, assignment).await?;
    if report_locked(period_end, &decided) {
        Err(locked())
    } else {
        Ok(())
    }
}

/// Refuses a change to evidence of `assignment` submitted at `submitted_at` that a standing
/// decision saw (409).
pub async fn require_evidence_unlocked(
    conn: &mut AsyncPgConnection,
    assignment: Uuid,
    submitted_at: DateTime<Utc>,
) -> Result<(), ApiError> {
    let decided = repo::record::decided(conn, assignment).await?;
    if evidence_locked(submitted_at, &decided) {
        Err(locked())
    } else {
        Ok(())
    }
}

/// The Board reopens the record under decided evaluation `id` with a reason
/// (`evaluation_appraise` on the assigning unit; 409 unless decided or when already open).
pub async fn reopen(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    new: Reopen,
) -> Result<ReopeningRow, ApiError> {
    in_tx(conn, caller, async |tx| {
        let (e, a) = policy::lock_visible(tx.conn, caller, id).await?;
        caller
            .require_on(tx.conn, Permission::EvaluationAppraise, a.assigning_unit_id)
            .await?;
        if e.state != EvaluationState::Decided {
            return Err(ApiError::conflict(
                "only the record under a decided evaluation is locked",
                "chỉ hồ sơ của kết quả đã quyết định mới bị khóa",
            ));
        }
        if repo::record::lock_open_reopening(tx.conn, id)
            .await?
            .is_some()
        {
            return Err(ApiError::conflict(
                "the record is already reopened",
                "hồ sơ đang được mở lại",
            ));
        }
        let row = ReopeningRow {
            id: Uuid::now_v7(),
            evaluation_id: e.id,
            reason: new.reason,
            reopened_by: tx.caller.account_id,
            reopened_at: tx.now,
            closed_by: None,
            closed_at: None,
        };
        repo::record::insert_reopening(tx.conn, &row).await?;
        tx.created("evaluation.reopen", e.id, Some(a.assignee_unit_id), &row);
        Ok(row)
    })
    .await
}

/// The Board locks the reopened record of evaluation `id` again (409 when it is not open).
pub async fn relock(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<ReopeningRow, ApiError> {
    in_tx(conn, caller, async |tx| {
        let (e, a) = policy::lock_visible(tx.conn, caller, id).await?;
        caller
            .require_on(tx.conn, Permission::EvaluationAppraise, a.assigning_unit_id)
            .await?;
        let Some(open) = repo::record::lock_open_reopening(tx.conn, e.id).await? else {
            return Err(ApiError::conflict(
                "the record is not reopened",
                "hồ sơ không ở trạng thái mở lại",
            ));
        };
        let closed =
            repo::record::close_reopening(tx.conn, open.id, tx.caller.account_id, tx.now).await?;
        tx.changed(
            "evaluation.relock",
            e.id,
            Some(a.assignee_unit_id),
            &open,
            &closed,
        );
        Ok(closed)
    })
    .await
}

/// The reopenings of evaluation `id`, oldest first (readers of the evaluation).
pub async fn reopenings(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<Vec<ReopeningRow>, ApiError> {
    let (e, _) = policy::visible(conn, caller, id).await?;
    Ok(repo::record::reopenings(conn, e.id).await?)
}
