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
pub use self::spot_checks::{draw_spot_check, list_spot_checks};
pub use self::views::{Decision, Readiness, Round, RuleBreach, SpotCheck};
pub use self::workflow::{close, issue};
pub use self::write::{create, delete, update};
pub use crate::app::rounds::{GroupRuleSpec, IssueRound, NewRound, NewSpotCheck, RoundPatch};

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
        .service(draw_spot_check);
}

// The old paths of the round's access rule and loading, for callers not yet moved to their
// new homes (`crate::auth::policy::rounds`, `crate::db::repo::rounds`, `crate::app::rounds`).
pub use crate::auth::policy::rounds::{can_read, visible as load_visible};
pub use crate::db::repo::rounds::get as load;
