//! Assignments: tasks and quantified targets given by a round's unit to the head of a unit
//! below it, with their milestones, versioned terms, cascade to subordinate units, roll-up,
//! carry-over into a later round, and the `start` and `withdraw` actions.
//!
//! One file per group of actions: [`read`] (list, get, terms, roll-up), [`edit`] (create,
//! update, delete), [`batch`] (a round's assignments in one call) and [`actions`] (start,
//! withdraw, carry-over); the wire types are in [`views`]. The use cases are in `crate::app::assignments`.

use utoipa_actix_web::service_config::ServiceConfig;

mod actions;
mod batch;
mod edit;
mod read;
pub mod views;

pub use actions::{carry_over, start, withdraw};
pub use batch::create_batch;
pub use edit::{create, delete, update};
pub use read::{get, list, rollup, terms};
pub use views::{Assignment, RollupChild, RollupView, TermsHistory, TermsVersion};

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(create_batch)
        .service(get)
        .service(update)
        .service(delete)
        .service(start)
        .service(withdraw)
        .service(terms)
        .service(rollup)
        .service(carry_over);
}
