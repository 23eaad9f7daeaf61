//! The publication of a round's results to portals: publishing freezes a snapshot of the
//! figures (version 1); a correction publishes a new version with its reason while the earlier
//! ones stay readable; a withdrawal is recorded on the current version. Portals read the
//! frozen versions, with or without a token; anonymous readers are counted per address.

use chrono::{DateTime, NaiveDate, Utc};
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::results::{collect_round, tally, GroupBy};
use super::{in_tx, IfMatch};
use crate::auth::policy::results as policy;
use crate::auth::Caller;
use crate::db::models::{NewPublicationVersion, PublicationRow, PublicationVersionRow};
use crate::db::repo;
use crate::domain::grading::Grade;
use crate::domain::progress::Timeliness;
use crate::domain::publication::{
    self as rules, next_version, PublicationState, PublicationStep, Quota,
};
use crate::domain::results::{status, Tally};
use crate::domain::workflow::RoundState;
use crate::error::{ApiError, Msg};

/// The round a snapshot is about, as it stood when published.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SnapshotRound {
    /// Id.
    pub id: Uuid,
    /// Title.
    pub title: String,
    /// Year.
    pub year: i32,
    /// Number and symbol of the decision.
    pub decision_number: Option<String>,
    /// The assigning unit.
    pub assigning_unit_id: Uuid,
}

/// The figures of one group of units.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GroupFigures {
    /// Id of the group (`none` for the units in no group).
    pub key: String,
    /// Its name.
    pub label: String,
    /// Its figures.
    pub tally: Tally,
}

/// A published assignment: what portals may show.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PublicAssignment {
    /// Title.
    pub title: String,
    /// The unit it was assigned to.
    pub unit_name: String,
    /// Content area.
    pub content_area: crate::domain::round_rules::ContentArea,
    /// Deadline.
    pub end_date: NaiveDate,
    /// Status on the day of publication.
    pub status: Timeliness,
    /// Grade decided by the moment of publication.
    pub grade: Option<Grade>,
}

/// The frozen figures of a version: exactly what was published, never recomputed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Snapshot {
    /// The round.
    pub round: SnapshotRound,
    /// The moment the figures were taken at (the moment of publication).
    pub as_of: DateTime<Utc>,
    /// The figures of every assignment of the round.
    pub total: Tally,
    /// The figures per group of units, by name.
    pub groups: Vec<GroupFigures>,
    /// The assignments, in a stable order (unit, then title).
    pub assignments: Vec<PublicAssignment>,
}

/// The figures of `round` as the record stands at `at`.
async fn freeze(
    conn: &mut AsyncPgConnection,
    round: &PublicationRow,
    at: DateTime<Utc>,
) -> Result<Snapshot, ApiError> {
    let lines = collect_round(conn, round.id, at).await?;
    let day = at.date_naive();
    let (total, groups) = tally(&lines, GroupBy::Group, day);
    let mut assignments: Vec<PublicAssignment> = lines
        .into_iter()
        .map(|l| PublicAssignment {
            status: status(&l.known, day),
            title: l.title,
            unit_name: l.unit_name,
            content_area: l.content_area,
            end_date: l.known.end_date,
            grade: l.known.grade,
        })
        .collect();
    assignments.sort_by(|a, b| {
        (&a.unit_name, &a.title, a.end_date).cmp(&(&b.unit_name, &b.title, b.end_date))
    });
    Ok(Snapshot {
        round: SnapshotRound {
            id: round.id,
            title: round.title.clone(),
            year: round.year,
            decision_number: round.decision_number.clone(),
            assigning_unit_id: round.assigning_unit_id,
        },
        as_of: at,
        total,
        groups: groups
            .into_iter()
            .map(|r| GroupFigures {
                key: r.key,
                label: r.label,
                tally: r.tally,
            })
            .collect(),
        assignments,
    })
}

fn state_of(latest: Option<&PublicationVersionRow>) -> PublicationState {
    match latest {
        None => PublicationState::Unpublished,
        Some(v) if v.withdrawn_at.is_some() => PublicationState::Withdrawn(v.version),
        Some(v) => PublicationState::Current(v.version),
    }
}

fn refused(e: rules::Refusal) -> ApiError {
    ApiError::conflict(e.en, e.vi)
}

/// The body of a correction or a withdrawal.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonBody {
    /// Why (required; at most 2000 characters).
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: Option<String>,
}

/// Publishes a round's results to portals: freezes version 1 of its figures as the record
/// stands now. Once; never a draft round. `If-Match` names the round's version.
pub async fn publish(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    round: Uuid,
    if_match: &IfMatch,
) -> Result<PublicationVersionRow, ApiError> {
    in_tx(conn, caller, async |tx| {
        let r = repo::results::lock_publication(tx.conn, round).await?;
        policy::may_publish(tx.conn, caller, &r).await?;
        if_match.check(r.version)?;
        if r.state == RoundState::Draft {
            return Err(ApiError::conflict(
                "a draft round has no results to publish",
                "đợt giao dự thảo chưa có kết quả để công bố",
            ));
        }
        let latest = repo::publications::latest(tx.conn, round).await?;
        let version =
            next_version(state_of(latest.as_ref()), PublicationStep::Publish).map_err(refused)?;
        let snapshot = freeze(tx.conn, &r, tx.now).await?;
        let row = store(tx.conn, &r, version, &snapshot, caller, tx.now, None).await?;
        repo::results::set_published(tx.conn, &r, caller.account_id, tx.now).await?;
        tx.created("round.publish", r.id, Some(r.assigning_unit_id), &row);
        Ok(row)
    })
    .await
}

async fn store(
    conn: &mut AsyncPgConnection,
    round: &PublicationRow,
    version: i32,
    snapshot: &Snapshot,
    caller: &Caller,
    now: DateTime<Utc>,
    reason: Option<String>,
) -> Result<PublicationVersionRow, ApiError> {
    let snapshot = serde_json::to_value(snapshot).map_err(ApiError::internal)?;
    Ok(repo::publications::insert(
        conn,
        &NewPublicationVersion {
            id: Uuid::now_v7(),
            round_id: round.id,
            version,
            snapshot,
            published_at: now,
            published_by: caller.account_id,
            reason,
        },
    )
    .await?)
}

/// The current publication of a round locked for a change: the round (locked), the latest
/// version, after the access rule and `If-Match` (the latest version).
async fn lock_current(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    round: Uuid,
    if_match: &IfMatch,
    step: PublicationStep,
) -> Result<(PublicationRow, Option<PublicationVersionRow>, i32), ApiError> {
    let r = repo::results::lock_publication(conn, round).await?;
    policy::may_publish(conn, caller, &r).await?;
    let latest = repo::publications::latest(conn, round).await?;
    let version = next_version(state_of(latest.as_ref()), step).map_err(refused)?;
    if_match.check(latest.as_ref().map_or(0, |l| l.version))?;
    Ok((r, latest, version))
}

/// Publishes a correction: a new version of the figures as the record stands now, with its
/// reason; the earlier versions stay readable. Also publishes again after a withdrawal.
/// `If-Match` names the current version.
pub async fn correct(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    round: Uuid,
    if_match: &IfMatch,
    body: &ReasonBody,
) -> Result<PublicationVersionRow, ApiError> {
    let reason =
        rules::reason(body.reason.as_deref()).map_err(|v| ApiError::violations(vec![v]))?;
    in_tx(conn, caller, async |tx| {
        let (r, latest, version) =
            lock_current(tx.conn, caller, round, if_match, PublicationStep::Correct).await?;
        let snapshot = freeze(tx.conn, &r, tx.now).await?;
        let row = store(
            tx.conn,
            &r,
            version,
            &snapshot,
            caller,
            tx.now,
            Some(reason),
        )
        .await?;
        tx.changed(
            "round.correct_publication",
            r.id,
            Some(r.assigning_unit_id),
            &latest,
            &row,
        );
        Ok(row)
    })
    .await
}

/// Withdraws a round's publication, recorded with its reason on the current version; portals
/// then read that the results were withdrawn, when and why. `If-Match` names the current
/// version.
pub async fn withdraw(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    round: Uuid,
    if_match: &IfMatch,
    body: &ReasonBody,
) -> Result<PublicationVersionRow, ApiError> {
    let reason =
        rules::reason(body.reason.as_deref()).map_err(|v| ApiError::violations(vec![v]))?;
    in_tx(conn, caller, async |tx| {
        let (r, latest, _) =
            lock_current(tx.conn, caller, round, if_match, PublicationStep::Withdraw).await?;
        let latest = latest.ok_or_else(|| ApiError::internal("publication lost"))?;
        let row =
            repo::publications::withdraw(tx.conn, latest.id, caller.account_id, tx.now, &reason)
                .await?;
        tx.changed(
            "round.withdraw_publication",
            r.id,
            Some(r.assigning_unit_id),
            &latest,
            &row,
        );
        Ok(row)
    })
    .await
}

/// 410: the round's publication was withdrawn (when and why in the detail).
fn gone(v: &PublicationVersionRow) -> ApiError {
    let at = v.withdrawn_at.map(|t| t.to_rfc3339()).unwrap_or_default();
    let why = v.withdrawal_reason.clone().unwrap_or_default();
    ApiError::gone(Msg::new(
        "Publication withdrawn",
        "Kết quả công bố đã bị thu hồi",
    ))
    .detail(
        format!("the results were withdrawn at {at}: {why}"),
        format!("kết quả đã bị thu hồi lúc {at}: {why}"),
    )
}

/// A version with its frozen figures.
#[derive(Debug)]
pub struct Frozen {
    /// The version.
    pub version: PublicationVersionRow,
    /// Its figures.
    pub snapshot: Snapshot,
}

/// Version `version` of a round's published results, else the current one: 404 when the round
/// (or that version) was never published, 410 while the publication is withdrawn.
pub async fn read(
    conn: &mut AsyncPgConnection,
    round: Uuid,
    version: Option<i32>,
) -> Result<Frozen, ApiError> {
    let latest = repo::publications::latest(conn, round)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if latest.withdrawn_at.is_some() {
        return Err(gone(&latest));
    }
    let (version, snapshot) =
        repo::publications::snapshot(conn, round, version.unwrap_or(latest.version))
            .await?
            .ok_or_else(ApiError::not_found)?;
    let snapshot = serde_json::from_value(snapshot).map_err(ApiError::internal)?;
    Ok(Frozen { version, snapshot })
}

/// A page of the versions of a round's publication, oldest first (404 when never published).
pub async fn versions(
    conn: &mut AsyncPgConnection,
    round: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<PublicationVersionRow>, ApiError> {
    if repo::publications::latest(conn, round).await?.is_none() {
        return Err(ApiError::not_found());
    }
    Ok(repo::publications::versions(conn, round, after, limit).await?)
}

/// A page of the published rounds (withdrawn ones included, marked by their latest version),
/// newest round first.
pub async fn rounds(
    conn: &mut AsyncPgConnection,
    before: Option<Uuid>,
    limit: i64,
) -> Result<Vec<repo::publications::ListedRound>, ApiError> {
    Ok(repo::publications::rounds(conn, before, limit).await?)
}

/// The limit of anonymous reads per client address.
#[derive(Debug, Clone, Copy)]
pub struct ReadLimit {
    /// Reads allowed per window.
    pub limit: u32,
    /// Window length, in seconds.
    pub window_secs: u32,
}

/// Counts one anonymous read from `address`: the quota left, `exceeded` once over the limit.
pub async fn count_anonymous_read(
    conn: &mut AsyncPgConnection,
    address: &str,
    limit: ReadLimit,
) -> Result<Quota, ApiError> {
    let window = limit.window_secs.max(1);
    let (count, reset) =
        repo::publications::count_read(conn, address, i32::try_from(window).unwrap_or(i32::MAX))
            .await?;
    Ok(rules::quota(count, limit.limit, window, reset))
}
