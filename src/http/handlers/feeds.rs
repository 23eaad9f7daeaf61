//! Department data feeds: machine clients (client-credentials tokens, role `data_feed`) send
//! batches of indicator values for the indicators and units their licences cover. Imports are
//! idempotent by (client, external id), can be dry runs, and answer an import summary with the
//! outcome of every row, like DHIS2's data value sets.

use std::collections::{HashMap, HashSet};

use actix_web::{get, post};
use actix_web::{http::header, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::{AsyncConnection, RunQueryDsl};
use futures_util::StreamExt;
use scoped_futures::ScopedFutureExt;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use super::assignments::load_visible;
use super::units::unknown;
use crate::auth::{scope, Caller};
use crate::db::audit::{self, Change};
use crate::db::models::{AssignmentRow, LicenceRow, ObservationRow};
use crate::db::schema::{
    accounts, assignments, feed_licences, observations, org_units, progress_reports,
};
use crate::domain::feed::mismatch;
use crate::domain::periods::Period;
use crate::domain::roles::Permission;
use crate::domain::Violation;
use crate::error::{ApiError, ApiResult, Msg};
use crate::http::extract::{created, json_error, ok_tagged, IfMatch, ValidJson};
use crate::http::openapi::{ReadErrors, UpdateErrors, WriteErrors};
use crate::http::AppState;

/// Most rows in one batch.
pub const MAX_ROWS: usize = 50_000;

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(import)
        .service(list)
        .service(list_licences)
        .service(create_licence)
        .service(get_licence)
        .service(end_licence);
}

/// One value sent by a feed.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObservationIn {
    /// The sender's own id of the value; sending it again updates or is ignored.
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub external_id: String,
    /// The indicator (an assignment's `indicator_code`).
    #[validate(
        length(min = 1, max = 50),
        custom(function = "crate::http::handlers::code_format")
    )]
    pub indicator_code: String,
    /// The unit's master-data code.
    #[validate(
        length(min = 1, max = 50),
        custom(function = "crate::http::handlers::code_format")
    )]
    pub unit_code: String,
    /// The reporting period, e.g. `2022-Q1` (the value stands at its cut-off), or use `date`.
    pub period: Option<String>,
    /// The day the value was measured.
    pub date: Option<NaiveDate>,
    /// The value.
    pub value: f64,
    /// Reference of the source (document, dataset).
    #[validate(
        length(max = 500),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub source_ref: Option<String>,
}

/// A batch of values.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObservationBatch {
    /// The values, at most 50,000.
    pub observations: Vec<ObservationIn>,
}

/// Import options.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// Validate and classify every row without writing anything.
    #[serde(default)]
    pub dry_run: bool,
}

/// The outcome of one row.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RowOutcome {
    /// Position in the batch, from 0.
    pub index: usize,
    /// The row's external id.
    pub external_id: String,
    /// `imported`, `updated`, `ignored` or `rejected`.
    pub status: String,
    /// Why it was rejected: `invalid`, `unknown_unit`, `outside_licence`, `no_assignment`,
    /// `duplicate_in_batch`.
    pub reason: Option<String>,
    /// The assignment the value was recorded against.
    pub assignment_id: Option<Uuid>,
    /// Whether it differs from the head's self-reported value beyond the tolerance.
    pub mismatch: bool,
}

/// What an import did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportSummary {
    /// Whether nothing was written.
    pub dry_run: bool,
    /// New values.
    pub imported: usize,
    /// Values whose external id was known, changed.
    pub updated: usize,
    /// Values whose external id was known, unchanged.
    pub ignored: usize,
    /// Rows refused (see `rows`).
    pub rejected: usize,
    /// Assignments flagged for a mismatch with the self-reported value.
    pub flagged_assignments: Vec<Uuid>,
    /// The outcome of every row.
    pub rows: Vec<RowOutcome>,
}

/// Reads a JSON body of at most `limit` bytes from the payload.
async fn read_body(
    req: &HttpRequest,
    mut payload: web::Payload,
    limit: usize,
) -> Result<web::BytesMut, ApiError> {
    let json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !json {
        return Err(json_error(&actix_web::error::JsonPayloadError::ContentType));
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk
            .map_err(|e| ApiError::bad_request(e.to_string(), "không đọc được nội dung yêu cầu"))?;
        if body.len() + chunk.len() > limit {
            return Err(json_error(&actix_web::error::JsonPayloadError::Overflow {
                limit,
            }));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Import observations
///
/// Records a batch of indicator values from a department system. Each row names an indicator,
/// a unit (master-data code) and a period or day; it is recorded against the unit's issued
/// target assignment with that indicator covering the day. Rows outside the client's licences,
/// for unknown units or with no such assignment are rejected one by one, never the whole
/// batch. Idempotent by external id: a known id with the same value is `ignored`, with another
/// `updated`. With `dry_run=true` nothing is written. A value differing from the head's
/// self-reported one beyond the tolerance flags the assignment for its supervisor. Needs the
/// `data_feed` role; the body may be up to 16 MiB (10,000 rows fit easily).
#[utoipa::path(tag = "feeds", params(ImportParams),
    request_body = ObservationBatch,
    responses((status = 200, description = "The import summary", body = ImportSummary), WriteErrors))]
#[post("/feeds/observations")]
pub async fn import(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    params: web::Query<ImportParams>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    if !caller.has(Permission::FeedSubmit) {
        return Err(ApiError::forbidden());
    }
    let body = read_body(&req, payload, state.config.feed_max_body_bytes).await?;
    let batch: ObservationBatch = serde_json::from_slice(&body).map_err(|e| {
        if e.is_data() {
            ApiError::unprocessable(e.to_string(), format!("dữ liệu không đúng cấu trúc: {e}"))
        } else {
            ApiError::bad_request(e.to_string(), format!("JSON không hợp lệ: {e}"))
        }
    })?;
    if batch.observations.len() > MAX_ROWS {
        return Err(ApiError::unprocessable(
            format!("at most {MAX_ROWS} rows per batch"),
            format!("mỗi lô tối đa {MAX_ROWS} dòng"),
        )
        .field(
            "observations",
            "length",
            Msg::new("too many rows", "quá nhiều dòng"),
        ));
    }
    let dry_run = params.dry_run;
    let tolerance = state.config.feed_tolerance;
    let rows = batch.observations;
    let mut conn = state.pool.get().await?;
    let summary = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let now = Utc::now();
                let mut outcomes: Vec<RowOutcome> = rows
                    .iter()
                    .enumerate()
                    .map(|(index, r)| RowOutcome {
                        index,
                        external_id: r.external_id.clone(),
                        status: "rejected".into(),
                        reason: None,
                        assignment_id: None,
                        mismatch: false,
                    })
                    .collect();
                let reject = |o: &mut RowOutcome, why: &str| o.reason = Some(why.to_owned());

                // The day each row stands for, and shape checks.
                let mut days: Vec<Option<NaiveDate>> = Vec::with_capacity(rows.len());
                let mut seen = HashSet::new();
                for (r, o) in rows.iter().zip(outcomes.iter_mut()) {
                    let day = match (&r.period, r.date) {
                        (Some(p), None) => Period::parse(p).map(|p| p.end),
                        (None, Some(d)) => Some(d),
                        _ => None,
                    };
                    let valid = r.validate().is_ok() && r.value.is_finite() && day.is_some();
                    if !valid {
                        reject(o, "invalid");
                        days.push(None);
                    } else if !seen.insert(r.external_id.as_str()) {
                        reject(o, "duplicate_in_batch");
                        days.push(None);
                    } else {
                        days.push(day);
                    }
                }

                // Only rows that passed the shape checks reach the database.
                let valid: Vec<&ObservationIn> = rows
                    .iter()
                    .zip(&days)
                    .filter(|(_, d)| d.is_some())
                    .map(|(r, _)| r)
                    .collect();

                // Units by code, valid on the row's day.
                let codes: HashSet<&str> = valid.iter().map(|r| r.unit_code.as_str()).collect();
                let units: Vec<(Uuid, String, NaiveDate, Option<NaiveDate>)> = org_units::table
                    .filter(org_units::code.eq_any(&codes))
                    .select((
                        org_units::id,
                        org_units::code,
                        org_units::valid_from,
                        org_units::valid_to,
                    ))
                    .load(conn)
                    .await?;
                let unit_on = |code: &str, day: NaiveDate| {
                    units
                        .iter()
                        .find(|(_, c, from, to)| {
                            c == code && *from <= day && to.is_none_or(|t| day <= t)
                        })
                        .map(|u| u.0)
                };

                // What the client's licences cover.
                let licences: Vec<LicenceRow> = feed_licences::table
                    .filter(feed_licences::account_id.eq(caller.account_id))
                    .select(LicenceRow::as_select())
                    .load(conn)
                    .await?;
                let mut covered: Vec<(&LicenceRow, HashSet<Uuid>)> = Vec::new();
                for l in &licences {
                    let units = if l.include_subtree {
                        scope::descendants_or_self(conn, &[l.unit_id])
                            .await?
                            .into_iter()
                            .collect()
                    } else {
                        HashSet::from([l.unit_id])
                    };
                    covered.push((l, units));
                }
                let licensed = |indicator: &str, unit: Uuid, day: NaiveDate| {
                    covered.iter().any(|(l, units)| {
                        l.indicator_code == indicator
                            && units.contains(&unit)
                            && l.valid_from <= day
                            && l.valid_to.is_none_or(|t| day <= t)
                    })
                };

                // Candidate assignments: issued targets with the indicators sent.
                let indicators: HashSet<&str> =
                    valid.iter().map(|r| r.indicator_code.as_str()).collect();
                let candidates: Vec<AssignmentRow> = assignments::table
                    .filter(assignments::indicator_code.eq_any(&indicators))
                    .filter(assignments::state.eq_any(["issued", "committed", "in_progress"]))
                    .select(AssignmentRow::as_select())
                    .load(conn)
                    .await?;

                // Known external ids of this client.
                let ids: Vec<&str> = valid.iter().map(|r| r.external_id.as_str()).collect();
                let known: HashMap<String, ObservationRow> = observations::table
                    .filter(observations::client_id.eq(caller.account_id))
                    .filter(observations::external_id.eq_any(&ids))
                    .select(ObservationRow::as_select())
                    .load(conn)
                    .await?
                    .into_iter()
                    .map(|o| (o.external_id.clone(), o))
                    .collect();

                // Self-reported values of the candidates, to compare with.
                let candidate_ids: Vec<Uuid> = candidates.iter().map(|a| a.id).collect();
                let reported: Vec<(Uuid, NaiveDate, NaiveDate, Option<f64>)> =
                    progress_reports::table
                        .filter(progress_reports::assignment_id.eq_any(&candidate_ids))
                        .filter(progress_reports::actual_value.is_not_null())
                        .select((
                            progress_reports::assignment_id,
                            progress_reports::period_start,
                            progress_reports::period_end,
                            progress_reports::actual_value,
                        ))
                        .load(conn)
                        .await?;

                let mut accepted: Vec<ObservationRow> = Vec::new();
                for ((r, o), day) in rows.iter().zip(outcomes.iter_mut()).zip(days) {
                    let Some(day) = day else { continue };
                    let Some(unit) = unit_on(&r.unit_code, day) else {
                        reject(o, "unknown_unit");
                        continue;
                    };
                    if !licensed(&r.indicator_code, unit, day) {
                        reject(o, "outside_licence");
                        continue;
                    }
                    let Some(a) = candidates
                        .iter()
                        .filter(|a| {
                            a.assignee_unit_id == unit
                                && a.indicator_code.as_deref() == Some(r.indicator_code.as_str())
                                && a.start_date <= day
                                && day <= a.end_date
                        })
                        .max_by_key(|a| a.start_date)
                    else {
                        reject(o, "no_assignment");
                        continue;
                    };
                    o.assignment_id = Some(a.id);
                    o.mismatch = reported.iter().any(|(id, from, to, v)| {
                        *id == a.id
                            && *from <= day
                            && day <= *to
                            && v.is_some_and(|v| mismatch(r.value, v, tolerance))
                    });
                    let existing = known.get(&r.external_id);
                    let row = ObservationRow {
                        id: existing.map_or_else(Uuid::now_v7, |e| e.id),
                        client_id: caller.account_id,
                        external_id: r.external_id.clone(),
                        assignment_id: a.id,
                        indicator_code: r.indicator_code.clone(),
                        unit_id: unit,
                        observed_on: day,
                        value: r.value,
                        source_ref: r.source_ref.clone(),
                        provenance: "feed".into(),
                        mismatch: o.mismatch,
                        received_at: existing.map_or(now, |e| e.received_at),
                        updated_at: now,
                    };
                    let unchanged = existing.is_some_and(|e| {
                        e.assignment_id == row.assignment_id
                            && e.observed_on == row.observed_on
                            && e.value == row.value
                            && e.source_ref == row.source_ref
                    });
                    o.status = match (existing.is_some(), unchanged) {
                        (false, _) => "imported",
                        (true, false) => "updated",
                        (true, true) => "ignored",
                    }
                    .into();
                    if !unchanged {
                        accepted.push(row);
                    }
                }

                let mut flagged: Vec<Uuid> = outcomes
                    .iter()
                    .filter(|o| o.mismatch && o.status != "ignored")
                    .filter_map(|o| o.assignment_id)
                    .collect();
                flagged.sort();
                flagged.dedup();
                let count = |s: &str| outcomes.iter().filter(|o| o.status == s).count();
                let summary = ImportSummary {
                    dry_run,
                    imported: count("imported"),
                    updated: count("updated"),
                    ignored: count("ignored"),
                    rejected: count("rejected"),
                    flagged_assignments: flagged.clone(),
                    rows: outcomes,
                };
                if dry_run || accepted.is_empty() {
                    return Ok(summary);
                }
                for chunk in accepted.chunks(2000) {
                    diesel::insert_into(observations::table)
                        .values(chunk)
                        .on_conflict((observations::client_id, observations::external_id))
                        .do_update()
                        .set((
                            observations::assignment_id.eq(excluded(observations::assignment_id)),
                            observations::indicator_code.eq(excluded(observations::indicator_code)),
                            observations::unit_id.eq(excluded(observations::unit_id)),
                            observations::observed_on.eq(excluded(observations::observed_on)),
                            observations::value.eq(excluded(observations::value)),
                            observations::source_ref.eq(excluded(observations::source_ref)),
                            observations::mismatch.eq(excluded(observations::mismatch)),
                            observations::updated_at.eq(excluded(observations::updated_at)),
                        ))
                        .execute(conn)
                        .await?;
                }
                if !flagged.is_empty() {
                    diesel::update(assignments::table.filter(assignments::id.eq_any(&flagged)))
                        .set(assignments::feed_mismatch_at.eq(now))
                        .execute(conn)
                        .await?;
                }
                let home: Uuid = accounts::table
                    .find(caller.account_id)
                    .select(accounts::home_unit_id)
                    .first(conn)
                    .await?;
                audit::record(
                    conn,
                    Some(&caller),
                    Change {
                        action: "feed.import",
                        resource_type: "observation_batch",
                        resource_id: None,
                        unit_id: Some(home),
                        before: None::<&()>,
                        after: Some(&serde_json::json!({
                            "imported": summary.imported, "updated": summary.updated,
                            "ignored": summary.ignored, "rejected": summary.rejected,
                            "flagged_assignments": summary.flagged_assignments,
                        })),
                    },
                )
                .await?;
                Ok(summary)
            }
            .scope_boxed()
        })
        .await?;
    Ok(HttpResponse::Ok().json(summary))
}

/// A value recorded against an assignment, with its provenance.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Observation {
    /// Id.
    pub id: Uuid,
    /// The client that sent it.
    pub client_id: Uuid,
    /// The sender's id of the value.
    pub external_id: String,
    /// Indicator.
    pub indicator_code: String,
    /// Day it stands for.
    pub observed_on: NaiveDate,
    /// Value.
    pub value: f64,
    /// Source reference.
    pub source_ref: Option<String>,
    /// `feed`.
    pub provenance: String,
    /// Whether it differed from the self-reported value beyond the tolerance.
    pub mismatch: bool,
    /// First received.
    pub received_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<ObservationRow> for Observation {
    fn from(r: ObservationRow) -> Self {
        Self {
            id: r.id,
            client_id: r.client_id,
            external_id: r.external_id,
            indicator_code: r.indicator_code,
            observed_on: r.observed_on,
            value: r.value,
            source_ref: r.source_ref,
            provenance: r.provenance,
            mismatch: r.mismatch,
            received_at: r.received_at,
            updated_at: r.updated_at,
        }
    }
}

/// List an assignment's fed values
///
/// The values department feeds recorded against the assignment, newest day last (at most the
/// latest 1,000).
#[utoipa::path(tag = "feeds",
    params(("id" = Uuid, Path, description = "Assignment id")),
    responses((status = 200, description = "The values", body = Vec<Observation>), ReadErrors))]
#[get("/assignments/{id}/observations")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let a = load_visible(&mut conn, &caller, *id).await?;
    let mut rows: Vec<ObservationRow> = observations::table
        .filter(observations::assignment_id.eq(a.id))
        .order((observations::observed_on.desc(), observations::id.desc()))
        .limit(1000)
        .select(ObservationRow::as_select())
        .load(&mut conn)
        .await?;
    rows.reverse();
    let out: Vec<Observation> = rows.into_iter().map(Observation::from).collect();
    Ok(HttpResponse::Ok().json(out))
}

/// A feed's licence for an indicator in a unit (or subtree).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Licence {
    /// Id.
    pub id: Uuid,
    /// The machine client.
    pub account_id: Uuid,
    /// The indicator.
    pub indicator_code: String,
    /// The unit.
    pub unit_id: Uuid,
    /// Whether it covers the unit's subtree.
    pub include_subtree: bool,
    /// First day.
    pub valid_from: NaiveDate,
    /// Last day.
    pub valid_to: Option<NaiveDate>,
    /// Why it was ended early, if it was.
    pub end_reason: Option<String>,
    /// Version, also the ETag.
    pub version: i32,
}

impl From<LicenceRow> for Licence {
    fn from(r: LicenceRow) -> Self {
        Self {
            id: r.id,
            account_id: r.account_id,
            indicator_code: r.indicator_code,
            unit_id: r.unit_id,
            include_subtree: r.include_subtree,
            valid_from: r.valid_from,
            valid_to: r.valid_to,
            end_reason: r.end_reason,
            version: r.version,
        }
    }
}

/// New licence.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLicence {
    /// The machine client (an account of kind `client`).
    pub account_id: Uuid,
    /// The indicator.
    #[validate(
        length(min = 1, max = 50),
        custom(function = "crate::http::handlers::code_format")
    )]
    pub indicator_code: String,
    /// The unit; the caller needs `account_manage` on it.
    pub unit_id: Uuid,
    /// Whether it covers the unit's subtree.
    #[serde(default)]
    pub include_subtree: bool,
    /// First day (default today).
    pub valid_from: Option<NaiveDate>,
    /// Last day.
    pub valid_to: Option<NaiveDate>,
}

/// Filters of the licence list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LicenceFilter {
    /// Only licences of this client.
    pub account_id: Option<Uuid>,
}

/// List feed licences
///
/// Licences on units whose accounts the caller manages, and the caller's own.
#[utoipa::path(tag = "feeds", params(LicenceFilter),
    responses((status = 200, description = "The licences", body = Vec<Licence>), ReadErrors))]
#[get("/feed-licences")]
pub async fn list_licences(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<LicenceFilter>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let managed = caller
        .units_with(&mut conn, Permission::AccountManage)
        .await?;
    let mut q = feed_licences::table
        .filter(
            feed_licences::unit_id
                .eq_any(managed)
                .or(feed_licences::account_id.eq(caller.account_id)),
        )
        .order(feed_licences::id)
        .limit(1000)
        .select(LicenceRow::as_select())
        .into_boxed();
    if let Some(account) = filter.account_id {
        q = q.filter(feed_licences::account_id.eq(account));
    }
    let rows: Vec<LicenceRow> = q.load(&mut conn).await?;
    let out: Vec<Licence> = rows.into_iter().map(Licence::from).collect();
    Ok(HttpResponse::Ok().json(out))
}

/// Grant a feed licence
///
/// Lets a machine client send values of an indicator for a unit (or its subtree) during a
/// period. Needs `account_manage` (an administrator) on the unit.
#[utoipa::path(tag = "feeds", request_body = NewLicence,
    responses((status = 201, description = "Granted", body = Licence, headers(("ETag" = String), ("Location" = String))), WriteErrors))]
#[post("/feed-licences")]
pub async fn create_licence(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<NewLicence>,
) -> ApiResult<HttpResponse> {
    let new = body.0;
    let mut conn = state.pool.get().await?;
    caller
        .require(
            &mut conn,
            Permission::AccountManage,
            Permission::OrgRead,
            new.unit_id,
        )
        .await
        .map_err(|e| match e.status().as_u16() {
            404 => unknown("unit_id", "unit"),
            _ => e,
        })?;
    let kind: Option<String> = accounts::table
        .find(new.account_id)
        .select(accounts::kind)
        .first(&mut conn)
        .await
        .optional()?;
    if kind.as_deref() != Some("client") {
        return Err(unknown("account_id", "machine client"));
    }
    let valid_from = new.valid_from.unwrap_or_else(|| Utc::now().date_naive());
    if new.valid_to.is_some_and(|t| t < valid_from) {
        return Err(
            ApiError::unprocessable("ends before it starts", "kết thúc trước khi bắt đầu").field(
                "valid_to",
                "before_start",
                Msg::new("ends before it starts", "kết thúc trước khi bắt đầu"),
            ),
        );
    }
    let view = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let row = LicenceRow {
                    id: Uuid::now_v7(),
                    account_id: new.account_id,
                    indicator_code: new.indicator_code,
                    unit_id: new.unit_id,
                    include_subtree: new.include_subtree,
                    valid_from,
                    valid_to: new.valid_to,
                    created_at: Utc::now(),
                    version: 1,
                    end_reason: None,
                };
                diesel::insert_into(feed_licences::table)
                    .values(&row)
                    .execute(conn)
                    .await?;
                let view = Licence::from(row);
                audit::record(
                    conn,
                    Some(&caller),
                    Change {
                        action: "feed_licence.create",
                        resource_type: "feed_licence",
                        resource_id: Some(view.id),
                        unit_id: Some(view.unit_id),
                        before: None::<&()>,
                        after: Some(&view),
                    },
                )
                .await?;
                Ok(view)
            }
            .scope_boxed()
        })
        .await?;
    Ok(created(
        format!("/api/v1/feed-licences/{}", view.id),
        1,
        &view,
    ))
}

/// Loads a licence the caller may see: its own, or one on a unit whose accounts it manages.
async fn load_licence(
    conn: &mut diesel_async::AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<LicenceRow, ApiError> {
    let row: LicenceRow = feed_licences::table
        .find(id)
        .select(LicenceRow::as_select())
        .first(conn)
        .await?;
    if row.account_id == caller.account_id
        || caller
            .can(conn, Permission::AccountManage, row.unit_id)
            .await?
    {
        Ok(row)
    } else {
        Err(ApiError::not_found())
    }
}

/// Get a feed licence
///
/// One licence with its ETag: the caller's own, or one on a unit whose accounts it manages.
#[utoipa::path(tag = "feeds",
    params(("id" = Uuid, Path, description = "Licence id")),
    responses((status = 200, description = "The licence", body = Licence, headers(("ETag" = String))), ReadErrors))]
#[get("/feed-licences/{id}")]
pub async fn get_licence(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let view = Licence::from(load_licence(&mut conn, &caller, *id).await?);
    Ok(ok_tagged(view.version, &view))
}

/// The end of a licence.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LicenceEnd {
    /// Its last day (default today); values observed after it are refused.
    pub valid_to: Option<NaiveDate>,
    /// Why it ends.
    #[validate(
        length(min = 1, max = 2000),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub reason: String,
}

/// End a feed licence
///
/// Brings a licence's last day forward (never later than it was) with a reason; values the
/// client sends for days after it are refused row by row. Needs `account_manage` on the
/// licence's unit and `If-Match`.
#[utoipa::path(tag = "feeds", request_body = LicenceEnd,
    params(("id" = Uuid, Path, description = "Licence id"),
        ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Ended", body = Licence, headers(("ETag" = String))), UpdateErrors))]
#[post("/feed-licences/{id}/end")]
pub async fn end_licence(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<LicenceEnd>,
) -> ApiResult<HttpResponse> {
    let (id, end) = (*id, body.0);
    let mut conn = state.pool.get().await?;
    let view = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let row = load_licence(conn, &caller, id).await?;
                caller
                    .require_on(conn, Permission::AccountManage, row.unit_id)
                    .await?;
                if_match.check(row.version)?;
                let last = end.valid_to.unwrap_or_else(|| Utc::now().date_naive());
                if last < row.valid_from {
                    return Err(ApiError::violations(vec![Violation::new(
                        "valid_to",
                        "before_start",
                        "ends before it starts",
                        "kết thúc trước khi bắt đầu",
                    )]));
                }
                if row.valid_to.is_some_and(|t| t < last) {
                    return Err(ApiError::conflict(
                        "the licence already ends earlier",
                        "giấy phép đã kết thúc sớm hơn",
                    ));
                }
                let updated: LicenceRow = diesel::update(feed_licences::table.find(id))
                    .set((
                        feed_licences::valid_to.eq(last),
                        feed_licences::end_reason.eq(&end.reason),
                        feed_licences::version.eq(row.version + 1),
                    ))
                    .returning(LicenceRow::as_returning())
                    .get_result(conn)
                    .await?;
                let (before, after) = (Licence::from(row), Licence::from(updated));
                audit::record(
                    conn,
                    Some(&caller),
                    Change {
                        action: "feed_licence.end",
                        resource_type: "feed_licence",
                        resource_id: Some(id),
                        unit_id: Some(after.unit_id),
                        before: Some(&before),
                        after: Some(&after),
                    },
                )
                .await?;
                Ok(after)
            }
            .scope_boxed()
        })
        .await?;
    Ok(ok_tagged(view.version, &view))
}

/// Flags the fed values of `assignment` observed between `from` and `to` that differ from the
/// head's own value beyond `tolerance`, and the assignment for its supervisor: the other
/// direction of the check made when a batch arrives.
pub(crate) async fn flag_disagreeing(
    conn: &mut diesel_async::AsyncPgConnection,
    assignment: Uuid,
    from: NaiveDate,
    to: NaiveDate,
    own: f64,
    tolerance: f64,
) -> Result<bool, ApiError> {
    let fed: Vec<(Uuid, f64)> = observations::table
        .filter(observations::assignment_id.eq(assignment))
        .filter(observations::observed_on.between(from, to))
        .select((observations::id, observations::value))
        .load(conn)
        .await?;
    let disagreeing: Vec<Uuid> = fed
        .into_iter()
        .filter(|(_, v)| mismatch(*v, own, tolerance))
        .map(|(id, _)| id)
        .collect();
    if disagreeing.is_empty() {
        return Ok(false);
    }
    diesel::update(observations::table.filter(observations::id.eq_any(&disagreeing)))
        .set(observations::mismatch.eq(true))
        .execute(conn)
        .await?;
    diesel::update(assignments::table.find(assignment))
        .set(assignments::feed_mismatch_at.eq(Utc::now()))
        .execute(conn)
        .await?;
    Ok(true)
}
