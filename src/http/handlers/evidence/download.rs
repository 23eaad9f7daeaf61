//! Downloading an evidence file, streamed from the store.

use actix_web::body::SizedStream;
use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::{get, web, HttpResponse};
use futures_util::StreamExt;
use uuid::Uuid;

use super::store_error;
use crate::app::evidence as app;
use crate::auth::Caller;
use crate::domain::evidence::sanitize_file_name;
use crate::error::{ApiError, ApiResult};
use crate::http::openapi::ReadErrors;
use crate::http::AppState;

/// Download an evidence file
///
/// Streams the stored file with its recognised media type, its size, its SHA-256 as the
/// ETag and its sanitised name as an attachment. Only to callers who can read the
/// assignment; 404 for links and document references.
#[utoipa::path(tag = "evidence",
    params(("id" = Uuid, Path, description = "Evidence id")),
    responses((status = 200, description = "The file", content_type = "*/*", body = String,
        headers(("ETag" = String), ("Content-Disposition" = String),
            ("Cache-Control" = String, description = "`private, no-store`: evidence files are never kept by any cache"))),
        ReadErrors))]
#[get("/evidence/{id}/content")]
pub async fn content(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    // No connection is held while the file streams out.
    let e = {
        let mut conn = state.pool.get().await?;
        app::get(&mut conn, &caller, *id).await?
    };
    let (Some(sha256), Some(size), Some(media_type), Some(name)) =
        (e.sha256, e.size_bytes, e.media_type, e.file_name)
    else {
        return Err(ApiError::not_found().detail(
            "this evidence is not a file",
            "minh chứng này không phải là tệp",
        ));
    };
    let stream = match state.evidence.read(&sha256).await {
        Ok(s) => s,
        Err(object_store::Error::NotFound { .. }) => {
            return Err(ApiError::not_found().detail(
                "the stored file is missing; run verify-integrity",
                "tệp lưu trữ bị mất; hãy kiểm tra tính toàn vẹn",
            ))
        }
        Err(e) => return Err(store_error(e)),
    };
    // Names stored before a sanitising rule was added get it on the way out.
    let name = sanitize_file_name(&name);
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![
            DispositionParam::Filename(name.chars().filter(char::is_ascii).collect()),
            DispositionParam::FilenameExt(header::ExtendedValue {
                charset: header::Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: name.into_bytes(),
            }),
        ],
    };
    let size = u64::try_from(size).map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type(media_type)
        .insert_header(disposition)
        .insert_header((header::ETAG, format!("\"{sha256}\"")))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(SizedStream::new(
            size,
            stream
                .map(|c| c.map_err(|e| Box::new(e) as Box<dyn std::error::Error>))
                .boxed(),
        )))
}
