//! Pure domain rules: no HTTP, no SQL.

pub mod restructuring;
pub mod roles;
pub mod tree;
pub mod validity;
pub mod vocab;

/// A broken rule about one input field, reported in both working languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// JSON path of the offending field, e.g. `predecessor_ids[1]`.
    pub field: String,
    /// Stable machine code of the rule.
    pub code: &'static str,
    /// English message.
    pub message_en: String,
    /// Vietnamese message.
    pub message_vi: String,
}

impl Violation {
    /// A violation of rule `code` on `field`.
    pub fn new(
        field: impl Into<String>,
        code: &'static str,
        en: impl Into<String>,
        vi: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            code,
            message_en: en.into(),
            message_vi: vi.into(),
        }
    }
}
