//! Rows that belong to an assignment (evaluations, evidence, reports, amendments, obstacles):
//! read by their own id, and guarded by the assignment they belong to.

use std::future::Future;

use diesel::QueryResult;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

/// A row that belongs to an assignment.
pub trait AssignmentPart: Sized + Send {
    /// Row `id`, locked until the transaction ends when `lock` (`NotFound` when unknown).
    fn fetch(
        conn: &mut AsyncPgConnection,
        id: Uuid,
        lock: bool,
    ) -> impl Future<Output = QueryResult<Self>> + Send;

    /// The assignment the row belongs to.
    fn assignment_id(&self) -> Uuid;
}
