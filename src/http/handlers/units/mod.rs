//! Organisation units: the tree of any depth, read as of any date, with dated parent links.
//!
//! The use cases live in `crate::app::units`, the access rule in `crate::auth::policy::units`
//! and the queries in `crate::db::repo::units`; this module only routes and shapes answers.

mod read;
mod views;
mod write;

use utoipa_actix_web::service_config::ServiceConfig;

pub use self::read::{get, history, list, subtree, UnitFilter};
pub use self::views::{OrgUnit, ParentLink, Subtree, SubtreeEntry, Succession, UnitHistory};
pub use self::write::{close, create, delete, move_unit, update};

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get)
        .service(update)
        .service(delete)
        .service(subtree)
        .service(history)
        .service(move_unit)
        .service(close);
}
