//! Evidence of results ("sản phẩm"): files uploaded by the assignee unit (streamed to the
//! evidence store, typed by content, stored once per SHA-256), links, and references to
//! official documents. Evidence is never edited or deleted: it is retracted with a reason,
//! marked verified or disputed by the Organisation Board or a supervisor, and its file can be
//! re-hashed against the recorded hash at any time.
//!
//! One file per group of actions: [`read`] (list, get, marks), [`create`] (links and document
//! references), [`files`] (uploads), [`download`] (file content) and [`review`] (retract, mark,
//! verify integrity); the wire types are in [`views`]. The use cases are in
//! `crate::app::evidence`.

use utoipa_actix_web::service_config::ServiceConfig;

mod create;
mod download;
mod files;
mod read;
mod review;
pub mod views;

pub use create::add;
pub use download::content;
pub use files::{upload, EvidenceUpload};
pub use read::{get, list, list_marks, EvidenceFilter};
pub use review::{mark, retract, verify_integrity};
pub use views::{Evidence, EvidenceFile, EvidenceMark, IntegrityCheck};

use crate::error::{ApiError, Msg};

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(add)
        .service(upload)
        .service(get)
        .service(content)
        .service(retract)
        .service(list_marks)
        .service(mark)
        .service(verify_integrity);
}

/// 503 when the evidence store fails (the cause is logged).
pub(crate) fn store_error(e: object_store::Error) -> ApiError {
    tracing::error!(error = %e, "evidence store");
    ApiError::new(
        crate::error::ProblemKind::StoreUnavailable,
        Msg::new(
            "Evidence store unavailable",
            "Kho lưu trữ minh chứng không sẵn sàng",
        ),
    )
}
