//! Who reads which events: an event about an object is read by those who may read that kind
//! of object in its unit (`domain::events::read_permission`); events about rule sets by
//! everyone; an event without a unit (other than a rule set's) by nobody through the feed.

use diesel::prelude::*;
use diesel_async::AsyncPgConnection;

use crate::auth::Caller;
use crate::db::repo::events::Scope;
use crate::db::schema::events;
use crate::domain::events::{types_needing, DEFAULT_READ, READ_RULES};
use crate::domain::roles::Permission;
use crate::error::ApiError;

/// The filter of the feed for the caller.
pub async fn readable(conn: &mut AsyncPgConnection, caller: &Caller) -> Result<Scope, ApiError> {
    let special: Vec<&str> = READ_RULES.iter().map(|(t, _)| *t).collect();
    let open: Vec<&str> = READ_RULES
        .iter()
        .filter(|(_, p)| p.is_none())
        .map(|(t, _)| *t)
        .collect();
    let units = caller.units_with(conn, DEFAULT_READ).await?;
    let mut filter: Scope = Box::new(
        events::resource_type.eq_any(open).or(events::resource_type
            .ne_all(special)
            .and(events::unit_id.assume_not_null().eq_any(units))),
    );
    let mut permissions: Vec<Permission> = READ_RULES.iter().filter_map(|(_, p)| *p).collect();
    permissions.sort_by_key(|p| p.as_str());
    permissions.dedup();
    for permission in permissions {
        let units = caller.units_with(conn, permission).await?;
        if units.is_empty() {
            continue;
        }
        filter = Box::new(
            filter.or(events::resource_type
                .eq_any(types_needing(permission))
                .and(events::unit_id.assume_not_null().eq_any(units))),
        );
    }
    Ok(filter)
}
