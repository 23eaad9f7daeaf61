//! Department data feeds: machine clients (client-credentials tokens, role `data_feed`) send
//! batches of indicator values for the indicators and units their licences cover. Imports are
//! idempotent by (client, external id), can be dry runs, and answer an import summary with the
//! outcome of every row, like DHIS2's data value sets.
//!
//! One file per group of actions: [`batches`] (imports), [`observations`] (an assignment's fed
//! values) and [`licences`]; the wire types are in [`views`]. The use cases are in
//! `crate::app::feeds`.

use utoipa_actix_web::service_config::ServiceConfig;

mod batches;
mod licences;
mod observations;
pub mod views;

pub use batches::{import, ImportParams};
pub use licences::{create_licence, end_licence, get_licence, list_licences, LicenceFilter};
pub use observations::list;
pub use views::{ImportSummary, Licence, Observation, RowOutcome};

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(import)
        .service(list)
        .service(list_licences)
        .service(create_licence)
        .service(get_licence)
        .service(end_licence);
}
