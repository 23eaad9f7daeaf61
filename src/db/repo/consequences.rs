//! Queries of the consequences of evaluation results: what a decided grade was used for, for
//! which cadre, under which decision.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::models::ConsequenceRow;
use crate::db::schema::{consequences, evaluation_attributions};

/// Stores a consequence.
pub async fn insert(conn: &mut AsyncPgConnection, row: &ConsequenceRow) -> QueryResult<()> {
    diesel::insert_into(consequences::table)
        .values(row)
        .execute(conn)
        .await
        .map(drop)
}

/// The consequences recorded on evaluation `evaluation`, oldest first.
pub async fn of_evaluation(
    conn: &mut AsyncPgConnection,
    evaluation: Uuid,
) -> QueryResult<Vec<ConsequenceRow>> {
    consequences::table
        .filter(consequences::evaluation_id.eq(evaluation))
        .order(consequences::id)
        .select(ConsequenceRow::as_select())
        .load(conn)
        .await
}

/// The consequences recorded for cadre `cadre`, oldest first.
pub async fn of_cadre(
    conn: &mut AsyncPgConnection,
    cadre: Uuid,
) -> QueryResult<Vec<ConsequenceRow>> {
    consequences::table
        .filter(consequences::cadre_id.eq(cadre))
        .order(consequences::id)
        .select(ConsequenceRow::as_select())
        .load(conn)
        .await
}

/// Whether the grade of evaluation `evaluation` is attributed to cadre `cadre`.
pub async fn is_attributed(
    conn: &mut AsyncPgConnection,
    evaluation: Uuid,
    cadre: Uuid,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        evaluation_attributions::table
            .filter(evaluation_attributions::evaluation_id.eq(evaluation))
            .filter(evaluation_attributions::cadre_id.eq(cadre)),
    ))
    .get_result(conn)
    .await
}
