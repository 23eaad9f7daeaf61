//! Evaluation of assignments: the head self-assesses a period (a year, or the whole term) with
//! the facts of each item and the evidence cited; the Organisation Board appraises and
//! proposes; the Standing Committee of the assigning unit decides. Each step carries the grade
//! the versioned rule set suggests, with its derivation, and the quota of excellent grades in
//! the group of similar units. A decided grade is immutable except through a recorded override
//! by a superior committee, which keeps the earlier decision. Decided grades are attributed to
//! the cadres who held the head's post, by days held.

mod assess;
mod history;
mod read;
mod record;
mod reopening;
mod review;
mod rule_sets;
mod views;

use utoipa_actix_web::service_config::ServiceConfig;

pub use self::assess::*;
pub use self::history::*;
pub use self::read::*;
pub use self::record::*;
pub use self::reopening::*;
pub use self::review::*;
pub use self::rule_sets::*;
pub use self::views::*;

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_rule_sets)
        .service(create_rule_set)
        .service(list)
        .service(derived_facts)
        .service(self_assess)
        .service(get)
        .service(reassess)
        .service(appraise)
        .service(return_step)
        .service(decide)
        .service(override_decision)
        .service(reopen)
        .service(relock)
        .service(reopenings)
        .service(cadre_record)
        .service(record_past_evaluations);
}
