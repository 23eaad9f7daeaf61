//! Authentication and authorisation: tokens, passwords, the calling principal and its scope.

pub mod audit_key;
pub mod caller;
pub mod jwt;
pub mod password;
pub mod policy;
pub mod refresh_token;
pub mod scope;

pub use caller::{Binding, Caller};
pub use jwt::TokenKeys;
