//! Published results, open to everyone: without a token (anonymous readers are counted per
//! client address, see `http::public_reader`) or with any valid one (portals included). Every
//! answer is a frozen version: strong `ETag`, `Cache-Control: public, max-age=60`, and 304 on
//! `If-None-Match`; the results come as JSON or, with `format=csv` or `Accept: text/csv`, as a
//! CSV table of the assignments.

use std::collections::BTreeMap;

use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::openapi::{HeaderBuilder, RefOr, Response, ResponseBuilder};
use utoipa::{IntoParams, IntoResponses, PartialSchema, ToSchema};
use uuid::Uuid;

use super::files::csv_bytes;
use super::tables::{Cell, Table};
use super::views::{PublicResults, PublicationVersion, PublishedRound};
use crate::app::publications::{self as app, Frozen};
use crate::domain::grading::Grade;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{Page, PageParams};
use crate::http::openapi::problem;
use crate::http::public_reader::Reader;
use crate::http::AppState;

/// How long shared caches and browsers may keep a public answer, in seconds.
pub const MAX_AGE_SECS: u32 = 60;

fn cache_control() -> String {
    format!("public, max-age={MAX_AGE_SECS}")
}

/// Error responses of public reads, and the 304.
pub struct PublicReadErrors;
impl IntoResponses for PublicReadErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let mut out: BTreeMap<String, RefOr<Response>> = [
            (400, "Malformed request or query"),
            (
                401,
                "A bearer token was sent and is invalid or expired (send none to read anonymously)",
            ),
            (404, "Never published (or no such version)"),
            (
                410,
                "The publication was withdrawn (when and why in `detail`)",
            ),
            (422, "Invalid `limit` or `cursor`"),
            (503, "Database unavailable or request timed out"),
        ]
        .into_iter()
        .map(|(c, d)| (c.to_string(), problem(d)))
        .collect();
        let header = |d: &str| {
            HeaderBuilder::new()
                .schema(String::schema())
                .description(Some(d))
                .build()
        };
        let mut limited = match problem(
            "Anonymous reader over the limit of reads per address: retry after `Retry-After` seconds",
        ) {
            RefOr::T(r) => r,
            RefOr::Ref(_) => Response::new("Too many requests"),
        };
        for (name, description) in [
            ("Retry-After", "Seconds until the window ends"),
            ("RateLimit", "`\"anon\";r=<remaining>;t=<seconds to reset>`"),
            (
                "RateLimit-Policy",
                "`\"anon\";q=<reads per window>;w=<window seconds>`",
            ),
        ] {
            limited.headers.insert(name.to_owned(), header(description));
        }
        out.insert("429".into(), RefOr::T(limited));
        out.insert(
            "304".into(),
            RefOr::T(
                ResponseBuilder::new()
                    .description("Not modified: `If-None-Match` names the current ETag")
                    .build(),
            ),
        );
        out
    }
}

/// Format of published results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PublicFormat {
    /// JSON (the default).
    Json,
    /// One CSV table of the assignments, UTF-8 with a byte-order mark.
    Csv,
}

/// Which format to answer in.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatParams {
    /// `json` or `csv`; by default the `Accept` header decides (`text/csv` without
    /// `application/json` gives CSV), else JSON.
    #[param(inline)]
    pub format: Option<PublicFormat>,
}

fn wants_csv(req: &HttpRequest, params: &FormatParams) -> bool {
    match params.format {
        Some(f) => f == PublicFormat::Csv,
        None => req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/csv") && !a.contains("application/json")),
    }
}

const CSV_HEADERS: [&str; 6] = [
    "Đơn vị được giao",
    "Nội dung nhiệm vụ, chỉ tiêu",
    "Lĩnh vực",
    "Hạn hoàn thành",
    "Tình trạng",
    "Xếp loại",
];

/// The assignments of a version as one table.
fn csv_table(f: &Frozen) -> Table {
    Table {
        name: String::new(),
        headers: CSV_HEADERS.to_vec(),
        rows: f
            .snapshot
            .assignments
            .iter()
            .map(|a| {
                vec![
                    Cell::Text(a.unit_name.clone()),
                    Cell::Text(a.title.clone()),
                    Cell::Text(a.content_area.as_str().to_owned()),
                    Cell::Text(a.end_date.to_string()),
                    Cell::Text(a.status.label_vi().to_owned()),
                    Cell::Text(a.grade.map_or("Chưa xếp loại", Grade::label_vi).to_owned()),
                ]
            })
            .collect(),
        total: None,
    }
}

/// The answer of a version: JSON or CSV, with its strong ETag and caching headers.
fn answer(reader: &Reader, frozen: Frozen, csv: bool) -> ApiResult<HttpResponse> {
    let version = frozen.version.version;
    let mut res = HttpResponse::Ok();
    res.insert_header((header::CACHE_CONTROL, cache_control()))
        .insert_header((header::VARY, "Accept"));
    reader.headers(&mut res);
    if csv {
        let bytes = csv_bytes(&[csv_table(&frozen)], false)?;
        let name = format!(
            "ket-qua-cong-bo-{}-v{version}.csv",
            frozen.snapshot.round.year
        );
        return Ok(res
            .insert_header((header::ETAG, format!("\"{version}-csv\"")))
            .content_type("text/csv; charset=utf-8")
            .insert_header(ContentDisposition {
                disposition: DispositionType::Attachment,
                parameters: vec![DispositionParam::Filename(name)],
            })
            .body(bytes));
    }
    Ok(res
        .insert_header((header::ETAG, format!("\"{version}\"")))
        .json(PublicResults::from(frozen)))
}

/// An error to a public reader: its quota headers, and a withdrawal cached as briefly as the
/// results were.
fn refuse(reader: &Reader, e: ApiError) -> ApiError {
    let e = if e.status() == actix_web::http::StatusCode::GONE {
        e.header(header::CACHE_CONTROL, cache_control())
    } else {
        e
    };
    reader.on_error(e)
}

/// List published rounds
///
/// Every round whose results were ever published, newest round first, each with its current
/// version; a withdrawn publication stays listed with its `withdrawal` (when and why). Open to
/// everyone: no token needed (anonymous readers are limited per address: 429 with
/// `Retry-After`, `RateLimit` and `RateLimit-Policy` on every answer), and a bearer token, if
/// sent, must be valid (401 otherwise) and is not counted.
#[utoipa::path(tag = "reports", security(()), params(PageParams),
    responses((status = 200, description = "A page of published rounds", body = Page<PublishedRound>,
        headers(("ETag" = String), ("Cache-Control" = String), ("RateLimit" = String), ("RateLimit-Policy" = String))),
        PublicReadErrors))]
#[get("/public/rounds")]
pub async fn public_rounds(
    state: web::Data<AppState>,
    reader: Reader,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let run = async {
        let (limit, before) = (page.limit()?, page.after()?);
        let mut conn = state.pool.get().await?;
        let rows = app::rounds(&mut conn, before, limit + 1).await?;
        Ok::<_, ApiError>(Page::from_rows(
            rows,
            limit,
            |r| r.0.round_id,
            PublishedRound::from,
        ))
    };
    let page = run.await.map_err(|e| refuse(&reader, e))?;
    let mut res = HttpResponse::Ok();
    res.insert_header((header::CACHE_CONTROL, cache_control()));
    reader.headers(&mut res);
    Ok(res.json(page))
}

/// Get a round's published results
///
/// The current version of the round's published results, exactly as frozen when it was
/// published: the figures, per group of units, and the assignments' titles, units, statuses
/// and grades. As JSON, or with `format=csv` (or `Accept: text/csv`) one CSV table of the
/// assignments (UTF-8 with a byte-order mark; cells that a spreadsheet would read as a formula
/// start with `'`). 404 if never published, 410 while withdrawn. The ETag is the version
/// (strong). Open to everyone, as the list.
#[utoipa::path(tag = "reports", security(()),
    params(("id" = Uuid, Path, description = "Round id"), FormatParams),
    responses((status = 200, description = "The current version", content(
        (PublicResults = "application/json"), (String = "text/csv")),
        headers(("ETag" = String), ("Cache-Control" = String), ("Vary" = String), ("RateLimit" = String), ("RateLimit-Policy" = String))),
        PublicReadErrors))]
#[get("/public/rounds/{id}/results")]
pub async fn public_results(
    state: web::Data<AppState>,
    req: HttpRequest,
    reader: Reader,
    id: web::Path<Uuid>,
    format: web::Query<FormatParams>,
) -> ApiResult<HttpResponse> {
    let run = async {
        let mut conn = state.pool.get().await?;
        app::read(&mut conn, *id, None).await
    };
    let frozen = run.await.map_err(|e| refuse(&reader, e))?;
    answer(&reader, frozen, wants_csv(&req, &format))
}

/// List the versions of a round's published results
///
/// Every version, oldest first: when it was published, why it corrects the previous one, and
/// the withdrawal recorded on it, if any. 404 if never published. Open to everyone, as the
/// list of rounds.
#[utoipa::path(tag = "reports", security(()),
    params(("id" = Uuid, Path, description = "Round id"), PageParams),
    responses((status = 200, description = "A page of versions", body = Page<PublicationVersion>,
        headers(("ETag" = String), ("Cache-Control" = String), ("RateLimit" = String), ("RateLimit-Policy" = String))),
        PublicReadErrors))]
#[get("/public/rounds/{id}/versions")]
pub async fn public_versions(
    state: web::Data<AppState>,
    reader: Reader,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let run = async {
        let (limit, after) = (page.limit()?, page.after()?);
        let mut conn = state.pool.get().await?;
        let rows = app::versions(&mut conn, *id, after, limit + 1).await?;
        Ok::<_, ApiError>(Page::from_rows(
            rows,
            limit,
            |r| r.id,
            PublicationVersion::from,
        ))
    };
    let page = run.await.map_err(|e| refuse(&reader, e))?;
    let mut res = HttpResponse::Ok();
    res.insert_header((header::CACHE_CONTROL, cache_control()));
    reader.headers(&mut res);
    Ok(res.json(page))
}

/// Get one version of a round's published results
///
/// That version exactly as it was published, even after corrections (which never change it);
/// JSON or CSV as the current results. 404 if there is no such version, 410 while the
/// publication is withdrawn. Open to everyone, as the list of rounds.
#[utoipa::path(tag = "reports", security(()),
    params(("id" = Uuid, Path, description = "Round id"),
        ("version" = i32, Path, minimum = 1, description = "Version"), FormatParams),
    responses((status = 200, description = "The version", content(
        (PublicResults = "application/json"), (String = "text/csv")),
        headers(("ETag" = String), ("Cache-Control" = String), ("Vary" = String), ("RateLimit" = String), ("RateLimit-Policy" = String))),
        PublicReadErrors))]
#[get("/public/rounds/{id}/versions/{version}")]
pub async fn public_version(
    state: web::Data<AppState>,
    req: HttpRequest,
    reader: Reader,
    path: web::Path<(Uuid, i32)>,
    format: web::Query<FormatParams>,
) -> ApiResult<HttpResponse> {
    let (id, version) = path.into_inner();
    let run = async {
        let mut conn = state.pool.get().await?;
        app::read(&mut conn, id, Some(version)).await
    };
    let frozen = run.await.map_err(|e| refuse(&reader, e))?;
    answer(&reader, frozen, wants_csv(&req, &format))
}
