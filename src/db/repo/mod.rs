//! Repositories: every query of the service, one module per aggregate. A repository takes a
//! connection and returns rows; it decides nothing about who may see them (that is
//! `auth::policy`) or whether a change is allowed (that is `domain` and `app`).

pub mod accountables;
pub mod accounts;
pub mod amendments;
pub mod assignments;
pub mod audit;
pub mod bindings;
pub mod cadres;
pub mod commitments;
pub mod consequences;
pub mod evaluations;
pub mod events;
pub mod evidence;
pub mod feeds;
pub mod groups;
pub mod idempotency;
pub mod levels;
pub mod page;
pub mod part;
pub mod person_evaluations;
pub mod plans;
pub mod posts;
pub mod publications;
pub mod record;
pub mod refresh_tokens;
pub mod reports;
pub mod restructurings;
pub mod results;
pub mod rounds;
pub mod supervision;
pub mod units;
pub mod webhooks;

pub use page::KeysetDsl;
pub use part::AssignmentPart;
