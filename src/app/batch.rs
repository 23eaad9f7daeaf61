//! Batches: many items of one kind in one call (a round's assignments, the acceptance of a
//! pile of progress reports, a past round entered from paper), answered with one outcome per
//! item. Every batch endpoint shares this shape and this way of working: the whole batch runs
//! in one transaction, each item in a savepoint of its own through the same step its single
//! endpoint takes; a good item is written, a bad one is rolled back to its savepoint and
//! rejected with its errors, and a batch whose every item is rejected writes nothing.

use diesel_async::{AnsiTransactionManager, TransactionManager};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;
use validator::ValidationErrors;

use super::Tx;
use crate::domain::Violation;
use crate::error::ApiError;

/// Most items in one batch.
pub const MAX_ITEMS: usize = 1000;

/// What happened to one item of a batch.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemOutcome {
    /// Position in the batch, from 0.
    pub index: usize,
    /// `recorded` or `rejected`.
    pub status: ItemStatus,
    /// The resource written (created or changed) for this item; `null` when rejected.
    pub id: Option<Uuid>,
    /// Its version after the write (what its `ETag` now names); `null` when rejected.
    pub version: Option<i32>,
    /// Why the item was rejected, one entry per broken rule.
    pub errors: Vec<ItemError>,
}

/// Whether an item was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    /// Recorded.
    Recorded,
    /// Rejected; nothing of it was written.
    Rejected,
}

/// A broken rule of one item.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemError {
    /// The field, e.g. `reports[3].accepted_on`.
    pub field: String,
    /// Stable code of the rule.
    pub code: String,
    /// English message.
    pub message_en: String,
    /// Vietnamese message.
    pub message_vi: String,
}

impl ItemError {
    /// Violation `v` of item `index` of the batch's list `collection`.
    fn of(collection: &str, index: usize, v: Violation) -> Self {
        let field = if v.field.is_empty() {
            format!("{collection}[{index}]")
        } else {
            format!("{collection}[{index}].{}", v.field)
        };
        Self {
            field,
            code: v.code.to_owned(),
            message_en: v.message_en,
            message_vi: v.message_vi,
        }
    }
}

/// What a batch did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BatchOutcome {
    /// Items recorded.
    pub recorded: usize,
    /// Items rejected (nothing of them was written).
    pub rejected: usize,
    /// One outcome per item, in batch order.
    pub items: Vec<ItemOutcome>,
}

impl BatchOutcome {
    /// The counts of `items`.
    pub fn of(items: Vec<ItemOutcome>) -> Self {
        let recorded = items
            .iter()
            .filter(|i| i.status == ItemStatus::Recorded)
            .count();
        Self {
            recorded,
            rejected: items.len() - recorded,
            items,
        }
    }
}

/// What an item's step wrote: the resource and its new version.
#[derive(Debug, Clone, Copy)]
pub struct Written {
    /// The resource's id.
    pub id: Uuid,
    /// Its version after the write.
    pub version: i32,
}

/// Why one item was refused: the error its single endpoint answers, and the same as the broken
/// rules of the item (what a batch reports for it).
#[derive(Debug)]
pub struct Refusal {
    error: ApiError,
    violations: Vec<Violation>,
}

/// The answer of a step shared by a single endpoint and a batch: done, refused (the item is
/// rejected; the single endpoint answers the refusal's error), or failed (the whole request
/// fails: the database is down, a defect).
pub type Step<T> = Result<Result<T, Refusal>, ApiError>;

impl Refusal {
    /// Broken rules (422 on the single endpoint).
    pub fn rules(violations: Vec<Violation>) -> Self {
        Self {
            error: ApiError::violations(violations.clone()),
            violations,
        }
    }

    /// A state conflict on `field` (409 on the single endpoint).
    pub fn conflict(
        field: &str,
        code: &'static str,
        en: impl Into<String>,
        vi: impl Into<String>,
    ) -> Self {
        let v = Violation::new(field, code, en, vi);
        Self {
            error: ApiError::conflict(v.message_en.clone(), v.message_vi.clone()),
            violations: vec![v],
        }
    }

    /// `error` refused the item, reported in a batch as `violation`; an error that is not the
    /// client's (5xx) fails the whole request instead.
    pub fn with(error: ApiError, violation: Violation) -> Result<Self, ApiError> {
        if error.status().is_client_error() {
            Ok(Self {
                error,
                violations: vec![violation],
            })
        } else {
            Err(error)
        }
    }

    /// An error of a shared check (access, `If-Match`) that refused the item, reported in a
    /// batch on `field` by its status: 404 unknown or invisible, 403 no right, 412 stale
    /// version, 428 no version. An error that is not the client's fails the whole request.
    pub fn of(error: ApiError, field: &str) -> Result<Self, ApiError> {
        let v = match error.status().as_u16() {
            404 => Violation::new(
                field,
                "not_found",
                "no such resource, or it is outside your scope",
                "không có đối tượng này, hoặc đối tượng nằm ngoài phạm vi của bạn",
            ),
            403 => Violation::new(
                field,
                "forbidden",
                "your role bindings do not allow this action on this object",
                "vai trò được phân công không cho phép thao tác này trên đối tượng này",
            ),
            412 => Violation::new(
                field,
                "stale_version",
                "the resource changed since you read it; read it again and retry with its new version",
                "đối tượng đã được thay đổi; hãy đọc lại và gửi lại với phiên bản mới",
            ),
            428 => Violation::new(
                field,
                "required",
                "send the version you last read",
                "hãy gửi phiên bản đã đọc gần nhất",
            ),
            _ => Violation::new(
                field,
                "refused",
                error.to_string(),
                "yêu cầu bị từ chối",
            ),
        };
        Self::with(error, v)
    }

    /// The item's `validator` rules that failed (the single endpoint checks them on the body).
    pub fn invalid(errors: &ValidationErrors) -> Self {
        Self::rules(super::validation::violations(errors))
    }

    /// The error the single endpoint answers.
    pub fn into_error(self) -> ApiError {
        self.error
    }
}

/// Runs `step` on each of `items` (the request's list `collection`, e.g. `reports`) in its own
/// savepoint of the transaction `tx`: a recorded item keeps what it wrote and the audit records
/// it made; a refused one is rolled back to its savepoint, its records dropped, and reported
/// with its errors. An error that is not the item's fails the whole batch (the caller's
/// transaction rolls back). When every item is refused, nothing was written and no audit
/// record is due.
pub async fn run<I>(
    tx: &mut Tx<'_>,
    collection: &str,
    items: Vec<I>,
    mut step: impl AsyncFnMut(&mut Tx<'_>, I) -> Step<Written>,
) -> Result<BatchOutcome, ApiError> {
    let mut outcomes = Vec::with_capacity(items.len());
    for (index, item) in items.into_iter().enumerate() {
        let kept = tx.records.len();
        AnsiTransactionManager::begin_transaction(tx.conn).await?;
        match step(tx, item).await {
            Ok(Ok(written)) => {
                AnsiTransactionManager::commit_transaction(tx.conn).await?;
                outcomes.push(ItemOutcome {
                    index,
                    status: ItemStatus::Recorded,
                    id: Some(written.id),
                    version: Some(written.version),
                    errors: Vec::new(),
                });
            }
            Ok(Err(refusal)) => {
                AnsiTransactionManager::rollback_transaction(tx.conn).await?;
                tx.records.truncate(kept);
                outcomes.push(ItemOutcome {
                    index,
                    status: ItemStatus::Rejected,
                    id: None,
                    version: None,
                    errors: refusal
                        .violations
                        .into_iter()
                        .map(|v| ItemError::of(collection, index, v))
                        .collect(),
                });
            }
            Err(e) => {
                AnsiTransactionManager::rollback_transaction(tx.conn).await?;
                return Err(e);
            }
        }
    }
    if outcomes.iter().all(|o| o.status == ItemStatus::Rejected) {
        tx.unchanged();
    }
    Ok(BatchOutcome::of(outcomes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use validator::Validate;

    #[derive(Validate)]
    struct Item {
        #[validate(length(min = 1, max = 3))]
        title: String,
        #[validate(range(min = 0.0, max = 1.0))]
        weight: f64,
    }

    #[test]
    fn field_rules_become_item_errors_with_json_paths() {
        let item = Item {
            title: "quá dài".into(),
            weight: 2.0,
        };
        let refusal = Refusal::invalid(&item.validate().unwrap_err());
        assert_eq!(refusal.error.status().as_u16(), 422);
        let errors: Vec<String> = refusal
            .violations
            .into_iter()
            .map(|v| ItemError::of("assignments", 4, v))
            .map(|e| format!("{}:{}", e.field, e.code))
            .collect();
        assert_eq!(
            errors,
            ["assignments[4].title:length", "assignments[4].weight:range"]
        );
    }

    #[test]
    fn access_errors_keep_their_status_and_name_the_field() {
        let cases = [
            (ApiError::not_found(), "not_found"),
            (ApiError::forbidden(), "forbidden"),
            (ApiError::precondition_failed(), "stale_version"),
            (ApiError::precondition_required(), "required"),
        ];
        for (error, code) in cases {
            let status = error.status();
            let refusal = Refusal::of(error, "version").unwrap();
            assert_eq!(refusal.violations[0].code, code);
            assert_eq!(refusal.violations[0].field, "version");
            assert_eq!(refusal.into_error().status(), status);
        }
        assert!(Refusal::of(ApiError::unavailable(), "id").is_err());
    }

    #[test]
    fn the_outcome_counts_its_items() {
        let item = |index, status| ItemOutcome {
            index,
            status,
            id: None,
            version: None,
            errors: Vec::new(),
        };
        let outcome = BatchOutcome::of(vec![
            item(0, ItemStatus::Recorded),
            item(1, ItemStatus::Rejected),
            item(2, ItemStatus::Recorded),
        ]);
        assert_eq!((outcome.recorded, outcome.rejected), (2, 1));
    }
}
