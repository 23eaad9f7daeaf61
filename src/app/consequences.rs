//! Consequences of evaluation results: what a decided grade was used for — commendation and
//! reward, emulation classification, review and discipline, planning, appointment, rotation —
//! for one of the cadres the grade is attributed to, with the decision document. Recorded by
//! the Standing Committee or the Organisation Board of the assigning unit; read under the rule
//! of the cadre's record.

use chrono::NaiveDate;
use diesel::result::{DatabaseErrorKind, Error as DbError};
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::in_tx;
use crate::auth::policy::consequences as policy;
use crate::auth::policy::evaluations::{lock_visible, visible};
use crate::auth::Caller;
use crate::db::models::ConsequenceRow;
use crate::db::repo;
use crate::domain::consequence::{decision_violation, ConsequenceKind};
use crate::domain::text::plain_text;
use crate::domain::workflow::EvaluationState;
use crate::domain::Violation;
use crate::error::ApiError;

/// A consequence to record.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct NewConsequence {
    /// The cadre it concerns: one of those the evaluation's grade is attributed to.
    pub cadre_id: Uuid,
    /// What the result was used for.
    pub kind: ConsequenceKind,
    /// Number of the decision document, e.g. `125-QĐ/TU`.
    #[validate(length(min = 1, max = 100), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub decision_number: String,
    /// Day the decision was issued (not after today).
    pub decision_date: NaiveDate,
    /// Who issued it, e.g. `Ban Thường vụ Tỉnh ủy`.
    #[validate(length(min = 1, max = 500), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub issuer: String,
    /// What was decided (the award, the classification, the responsibility found…).
    #[validate(length(min = 1, max = 10000), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 10000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub note: Option<String>,
}

/// The rules of a new consequence's own fields: the document's number and issuer are not blank
/// and its date is not after `today`.
fn field_violations(new: &NewConsequence, today: NaiveDate) -> Vec<Violation> {
    let mut out: Vec<Violation> = [
        ("decision_number", new.decision_number.as_str()),
        ("issuer", new.issuer.as_str()),
    ]
    .into_iter()
    .filter(|(_, value)| value.trim().is_empty())
    .map(|(field, _)| Violation::new(field, "blank", "must not be blank", "không được để trống"))
    .collect();
    out.extend(decision_violation(new.decision_date, today));
    out
}

/// Records what decided evaluation `evaluation` was used for, for one of the cadres its grade
/// is attributed to (`evaluation_decide` or `evaluation_appraise` on the assigning unit; 409
/// unless the evaluation stands decided).
pub async fn record(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    evaluation: Uuid,
    new: NewConsequence,
) -> Result<ConsequenceRow, ApiError> {
    in_tx(conn, caller, async |tx| {
        let (e, a) = lock_visible(tx.conn, caller, evaluation).await?;
        policy::may_record(tx.conn, caller, &a).await?;
        if e.state != EvaluationState::Decided {
            return Err(ApiError::conflict(
                "only a standing decided evaluation has consequences recorded",
                "chỉ ghi nhận việc sử dụng kết quả của đánh giá đã được quyết định và còn hiệu lực",
            ));
        }
        let mut violations = field_violations(&new, tx.now.date_naive());
        if !repo::consequences::is_attributed(tx.conn, e.id, new.cadre_id).await? {
            violations.push(Violation::new(
                "cadre_id",
                "not_attributed",
                "the evaluation's grade is not attributed to this cadre",
                "kết quả xếp loại của đánh giá này không được tính cho cán bộ này",
            ));
        }
        if !violations.is_empty() {
            return Err(ApiError::violations(violations));
        }
        let row = ConsequenceRow {
            id: Uuid::now_v7(),
            evaluation_id: e.id,
            cadre_id: new.cadre_id,
            kind: new.kind,
            decision_number: new.decision_number.trim().to_owned(),
            decision_date: new.decision_date,
            issuer: new.issuer.trim().to_owned(),
            note: new.note,
            recorded_by: tx.caller.account_id,
            recorded_at: tx.now,
        };
        repo::consequences::insert(tx.conn, &row)
            .await
            .map_err(|err| match err {
                DbError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                    ApiError::conflict(
                        "this decision is already recorded for this cadre and evaluation",
                        "quyết định này đã được ghi nhận cho cán bộ và kết quả đánh giá này",
                    )
                }
                other => other.into(),
            })?;
        tx.created("consequence.record", row.id, Some(a.assignee_unit_id), &row);
        Ok(row)
    })
    .await
}

/// The consequences recorded on evaluation `evaluation` (readable by whoever may read it),
/// oldest first, limited to those of cadres whose record the caller may read.
pub async fn list(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    evaluation: Uuid,
) -> Result<Vec<ConsequenceRow>, ApiError> {
    let (e, _) = visible(conn, caller, evaluation).await?;
    let rows = repo::consequences::of_evaluation(conn, e.id).await?;
    let mut cadres: Vec<Uuid> = rows.iter().map(|r| r.cadre_id).collect();
    cadres.sort();
    cadres.dedup();
    let readable = policy::readable_cadres(conn, caller, &cadres).await?;
    Ok(rows
        .into_iter()
        .filter(|r| readable.contains(&r.cadre_id))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(number: &str, issuer: &str, date: NaiveDate) -> NewConsequence {
        NewConsequence {
            cadre_id: Uuid::nil(),
            kind: ConsequenceKind::Commendation,
            decision_number: number.into(),
            decision_date: date,
            issuer: issuer.into(),
            note: None,
        }
    }

    #[test]
    fn the_document_needs_a_number_an_issuer_and_a_past_date() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let tomorrow = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert!(field_violations(&new("125-QĐ/TU", "Ban Thường vụ", today), today).is_empty());
        let fields: Vec<String> = field_violations(&new("  ", "\t", tomorrow), today)
            .into_iter()
            .map(|v| v.field)
            .collect();
        assert_eq!(fields, ["decision_number", "issuer", "decision_date"]);
    }
}
