//! The Organisation Board's reports: tallies of assignments by round, year, group, unit (with
//! its subtree), content area and kind — assigned, due, completed on time or late, at 80% or
//! more, in progress, overdue, grades and the completion rate — as they stand now or exactly as
//! they stood at a cut-off, exported to CSV and Excel; per-indicator results of targets (units
//! that met each, Σ actual against Σ target); per-person results; and the Standing Committee's publication of a
//! round's results (frozen versions, corrections, withdrawal), open to everyone.

mod exports;
mod files;
mod per_indicator;
mod per_person;
mod public;
mod publication;
mod ranked;
mod report;
mod tables;
mod views;
mod workbook;

use utoipa_actix_web::service_config::ServiceConfig;

pub use self::exports::*;
pub use self::per_indicator::*;
pub use self::per_person::*;
pub use self::public::*;
pub use self::publication::*;
pub use self::ranked::*;
pub use self::report::*;
pub use self::views::*;

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(results)
        .service(indicators)
        .service(ranking)
        .service(people)
        .service(export)
        .service(publish)
        .service(correct_publication)
        .service(withdraw_publication)
        .service(public_rounds)
        .service(public_results)
        .service(public_versions)
        .service(public_version);
}
