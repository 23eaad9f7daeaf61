//! Supervision: heads raise obstacles (khó khăn, vướng mắc) with a request for support;
//! supervisors (and the assigning side) answer them, the head confirms they are resolved, and
//! the assigning side may certify one as an objective cause, which is recorded on the
//! assignment. Supervisors also record opinions on assignments.
//!
//! A supervisor's watch is its `supervisor` role binding: the units (or subtree) it covers,
//! for the binding's validity period.

mod obstacles;
mod opinions;
mod steps;
mod views;

use utoipa_actix_web::service_config::ServiceConfig;

pub use self::obstacles::*;
pub use self::opinions::*;
pub use self::steps::*;
pub use self::views::*;

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(raise)
        .service(get)
        .service(respond)
        .service(resolve)
        .service(certify)
        .service(list_opinions)
        .service(add_opinion);
}
