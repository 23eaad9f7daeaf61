//! Progress reports (báo cáo tiến độ): per assignment and reporting period, the head's account
//! of what was done, the target's actual value, confidence, obstacles and proposals; the
//! Organisation Board accepts or returns them. Every revision is kept, so any report can be
//! read "as of" a moment.

mod batch;
mod history;
mod read;
mod review;
mod views;
mod write;

use utoipa_actix_web::service_config::ServiceConfig;

pub use self::batch::*;
pub use self::history::*;
pub use self::read::*;
pub use self::review::*;
pub use self::views::*;
pub use self::write::*;

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(schedule)
        .service(list)
        .service(put)
        .service(get)
        .service(revisions)
        .service(submit)
        .service(accept)
        .service(accept_batch)
        .service(submit_batch)
        .service(return_report)
        .service(record_past_reports);
}
