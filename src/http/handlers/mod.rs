//! One module per resource; each handler's doc comment is its OpenAPI summary and description.

pub mod accounts;
pub mod amendments;
pub mod assignments;
pub mod audit;
pub mod auth;
pub mod bindings;
pub mod cadres;
pub mod commitments;
pub mod evaluations;
pub mod evidence;
pub mod feeds;
pub mod groups;
pub mod health;
pub mod levels;
pub mod me;
pub mod plans;
pub mod posts;
pub mod reports;
pub mod restructurings;
pub mod results;
pub mod rounds;
pub mod supervision;
pub mod units;
pub mod vocabularies;

pub(crate) use crate::domain::text::{code_format, plain_text};
use crate::error::ApiError;

/// A `LIKE` pattern matching `text` anywhere, with its wildcards and escape character escaped.
pub(crate) fn contains_pattern(text: &str) -> String {
    format!(
        "%{}%",
        text.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
}

/// A delete refused by a foreign key becomes 409: the object is still in use.
pub(crate) fn still_referenced(e: diesel::result::Error) -> ApiError {
    use diesel::result::{DatabaseErrorKind, Error};
    match e {
        Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => ApiError::conflict(
            "the resource is still referenced by other records",
            "đối tượng vẫn đang được các bản ghi khác tham chiếu",
        ),
        other => other.into(),
    }
}
