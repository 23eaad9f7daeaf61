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

use crate::http::error::ApiError;

/// Codes are ASCII letters, digits, `_`, `-` and `.`, starting with a letter or digit.
pub(crate) fn code_format(code: &str) -> Result<(), validator::ValidationError> {
    let ok = code
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if ok {
        Ok(())
    } else {
        Err(validator::ValidationError::new("code_format").with_message(
            "use ASCII letters, digits, '_', '-' or '.', starting with a letter or digit".into(),
        ))
    }
}

/// Text fields must not carry control characters (other than line breaks and tabs).
pub(crate) fn plain_text(text: &str) -> Result<(), validator::ValidationError> {
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        Err(validator::ValidationError::new("control_characters")
            .with_message("control characters are not allowed".into()))
    } else {
        Ok(())
    }
}

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
