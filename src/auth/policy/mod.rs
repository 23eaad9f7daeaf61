//! Access policy, one module per aggregate: whether a caller may read or act on one object, and
//! the SQL filter that scopes the same caller's lists, side by side so the two cannot drift.
//! Reading refusals are 404 (the object's existence is not disclosed); acting refusals on a
//! readable object are 403.

pub mod accounts;
pub mod amendments;
pub mod assignments;
pub mod audit;
pub mod bindings;
pub mod cadres;
pub mod commitments;
pub mod evaluations;
pub mod evidence;
pub mod feeds;
pub mod groups;
pub mod levels;
pub mod posts;
pub mod reports;
pub mod restructurings;
pub mod results;
pub mod rounds;
pub mod supervision;
pub mod units;
