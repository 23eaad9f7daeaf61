//! Results of people: for each cadre, the decided grades of every assignment they answered for
//! in a year (as head, secretary, chair or deputy), each carried by the share of the period
//! they held the position. Read only by those who may read each cadre's record.

use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::policy::evaluations::readable_records;
use crate::auth::policy::require_somewhere;
use crate::auth::Caller;
use crate::db::repo;
use crate::domain::grading::Grade;
use crate::domain::results::PersonTally;
use crate::domain::roles::Permission;
use crate::error::ApiError;

/// Which people's results to read.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeopleFilter {
    /// Year of the rounds.
    pub year: i32,
    /// Only assignments of this round.
    pub round_id: Option<Uuid>,
    /// The grades as they stood at a cut-off, ignoring later decisions and overrides: a date
    /// (the end of that day, UTC) or an RFC 3339 moment; default: now.
    #[param(max_length = 40)]
    pub as_of: Option<String>,
}

/// One graded assignment in a person's results.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonEntry {
    /// The evaluation.
    pub evaluation_id: Uuid,
    /// The assignment.
    pub assignment_id: Uuid,
    /// Its title.
    pub assignment_title: String,
    /// The evaluated period.
    pub period: String,
    /// The decided grade.
    pub grade: Grade,
    /// Share of the period the person held the position (0–1).
    pub share: f64,
}

/// One person's results in the year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonResult {
    /// The cadre.
    pub cadre_id: Uuid,
    /// Full name.
    pub full_name: String,
    /// The tally of the grades.
    pub tally: PersonTally,
    /// The grades it counts, by evaluation.
    pub entries: Vec<PersonEntry>,
}

/// The results of every person whose record the caller may read (`cadre_record_read` over
/// their managing unit, or their own), by name.
pub async fn results(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    filter: &PeopleFilter,
) -> Result<Vec<PersonResult>, ApiError> {
    require_somewhere(caller, Permission::CadreRecordRead)?;
    let at = super::results::moment(filter.as_of.as_deref())?;
    let rows = repo::results::person_grades(conn, filter.year, filter.round_id, at).await?;
    let pairs: Vec<(Uuid, Uuid)> = rows.iter().map(|r| (r.0, r.2)).collect();
    let readable = readable_records(conn, caller, &pairs).await?;
    let mut people: Vec<PersonResult> = Vec::new();
    for (cadre, name, _, evaluation, assignment, title, period, grade, share) in rows {
        let Some(grade) = grade else { continue };
        if !readable.contains(&cadre) {
            continue;
        }
        if people.last().is_none_or(|p| p.cadre_id != cadre) {
            people.push(PersonResult {
                cadre_id: cadre,
                full_name: name,
                tally: PersonTally::default(),
                entries: Vec::new(),
            });
        }
        if let Some(p) = people.last_mut() {
            p.tally.add(grade, share);
            p.entries.push(PersonEntry {
                evaluation_id: evaluation,
                assignment_id: assignment,
                assignment_title: title,
                period,
                grade,
                share,
            });
        }
    }
    people.sort_by(|a, b| {
        a.full_name
            .cmp(&b.full_name)
            .then(a.cadre_id.cmp(&b.cadre_id))
    });
    Ok(people)
}
