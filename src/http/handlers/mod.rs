//! One module per resource; each handler's doc comment is its OpenAPI summary and description.

pub mod accountables;
pub mod accounts;
pub mod amendments;
pub mod assignments;
pub mod audit;
pub mod auth;
pub mod bindings;
pub mod cadres;
pub mod commitments;
pub mod consequences;
pub mod evaluations;
pub mod evidence;
pub mod feeds;
pub mod groups;
pub mod health;
pub mod levels;
pub mod me;
pub mod plans;
pub mod posts;
pub mod reports;
pub mod restructurings;
pub mod results;
pub mod rounds;
pub mod supervision;
pub mod units;
pub mod vocabularies;
