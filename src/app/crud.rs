//! The audited change and removal of one stored resource: the shape every edit and delete use
//! case shares (lock and guard the resource, store the change, record it), with the steps that
//! differ passed in.

use diesel_async::AsyncPgConnection;
use serde::Serialize;
use uuid::Uuid;

use super::{in_tx, Tx};
use crate::auth::Caller;
use crate::error::ApiError;

/// A resource whose changes the audit trail records under the unit it belongs to.
pub trait Audited: Serialize {
    /// The unit whose readers may read the resource's audit records, if any.
    fn audit_unit(&self) -> Option<Uuid>;
}

/// Changes resource `id` in one transaction: `lock` locks it and guards the change (access,
/// `If-Match`), `apply` checks and stores the change, and `action` is recorded with the images
/// before and after, under the unit of the image after.
pub async fn change<R: Audited>(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    action: &str,
    id: Uuid,
    lock: impl AsyncFnOnce(&mut Tx<'_>) -> Result<R, ApiError>,
    apply: impl AsyncFnOnce(&mut Tx<'_>, &R) -> Result<R, ApiError>,
) -> Result<R, ApiError> {
    in_tx(conn, caller, async |tx| {
        let before = lock(tx).await?;
        let after = apply(tx, &before).await?;
        tx.changed(action, id, after.audit_unit(), &before, &after);
        Ok(after)
    })
    .await
}

/// Removes resource `id` in one transaction: `lock` locks it and guards the removal (access,
/// `If-Match`), `delete` checks and deletes it, and `action` is recorded with its last image.
pub async fn remove<R: Audited>(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    action: &str,
    id: Uuid,
    lock: impl AsyncFnOnce(&mut Tx<'_>) -> Result<R, ApiError>,
    delete: impl AsyncFnOnce(&mut Tx<'_>, &R) -> Result<(), ApiError>,
) -> Result<(), ApiError> {
    in_tx(conn, caller, async |tx| {
        let before = lock(tx).await?;
        delete(tx, &before).await?;
        tx.removed(action, id, before.audit_unit(), &before);
        Ok(())
    })
    .await
}
