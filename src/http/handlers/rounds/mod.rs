//! Rounds (đợt giao): an assigning unit's yearly set of assignments, its per-group rules, the
//! readiness check, issue (with decision records per assignee) and close.
//!
//! The use cases live in `crate::app::rounds`, the access rule in `crate::auth::policy::rounds`
//! and the queries in `crate::db::repo::rounds`; this module only routes and shapes answers.

mod read;
mod spot_checks;
mod views;
mod workflow;
mod write;

use utoipa_actix_web::service_config::ServiceConfig;

pub use self::read::{decisions, get, list, readiness, RoundFilter};
pub use self::spot_checks::{draw_spot_check, list_findings, list_spot_checks, record_finding};
pub use self::views::{Finding, Readiness, Round, RoundDecision, RuleBreach, SpotCheck};
pub use self::workflow::{close, issue};
pub use self::write::{create, delete, update};

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get)
        .service(update)
        .service(delete)
        .service(readiness)
        .service(issue)
        .service(close)
        .service(decisions)
        .service(list_spot_checks)
        .service(draw_spot_check)
        .service(list_findings)
        .service(record_finding);
}
