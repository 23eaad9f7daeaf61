//! Commitments (cam kết): the head of a unit signs the terms of the round's assignments
//! addressed to it — their SHA-256 recorded, optionally with a detached digital signature —
//! and signing delegations that let another cadre sign for the head.

mod delegations;
mod read;
mod signing;
mod views;

use utoipa_actix_web::service_config::ServiceConfig;

pub use delegations::{create_delegation, get_delegation, list_delegations, DelegationFilter};
pub use read::{get, list, CommitmentFilter};
pub use signing::{sign, terms_to_sign, UnitParam};
pub use views::{Commitment, Delegation, TermsToSign};

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(terms_to_sign)
        .service(sign)
        .service(list)
        .service(get)
        .service(list_delegations)
        .service(create_delegation)
        .service(get_delegation);
}
