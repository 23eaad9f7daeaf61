//! Keyset pagination: a list ordered by id that resumes after the last id of the previous page.

use diesel::dsl::Gt;
use diesel::query_dsl::methods::{FilterDsl, LimitDsl, OrderDsl};
use diesel::{Expression, ExpressionMethods};
use uuid::Uuid;

/// Keyset paging of a boxed query.
pub trait KeysetDsl: Sized {
    /// The query ordered by its id column `id`, keeping at most `limit` rows with ids after
    /// `after`.
    fn keyset<C>(self, id: C, after: Option<Uuid>, limit: i64) -> Self
    where
        C: Expression<SqlType = diesel::sql_types::Uuid> + Copy,
        Self: OrderDsl<C, Output = Self> + FilterDsl<Gt<C, Uuid>, Output = Self>;
}

impl<Q: LimitDsl<Output = Q>> KeysetDsl for Q {
    fn keyset<C>(self, id: C, after: Option<Uuid>, limit: i64) -> Self
    where
        C: Expression<SqlType = diesel::sql_types::Uuid> + Copy,
        Self: OrderDsl<C, Output = Self> + FilterDsl<Gt<C, Uuid>, Output = Self>,
    {
        let q = self.order(id).limit(limit);
        match after {
            Some(after) => q.filter(id.gt(after)),
            None => q,
        }
    }
}
